"""Online-marking throughput: markers in threads, each with its own database session, marking one
item of 600 answers in 2+1 mode on a fresh SQLite database (or the configured database).

Run by ``yincai bench marking-workflow``. Prints marks per second, the hand-out and submit
latencies (median and 95th percentile) and how many answers needed a third marker or the
leader. Every mark is a hand-out (one transaction) and a submit (another), as on the web.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from yincai.accounts.actors import BENCHMARK
from yincai.accounts.models import Role, UserAccount
from yincai.config import Settings
from yincai.db import make_engine
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    District,
    Gender,
    Grade,
    School,
    SchoolClass,
    Setting,
    Sitting,
    Stage,
    Student,
    Subject,
)
from yincai.marking import service
from yincai.marking.demo import crop_png, simulated_score
from yincai.marking.models import MarkingAnswer, MarkingMode
from yincai.migrations import upgrade

FULL_SCORE = 10.0
TOLERANCE = 1.0
MARKER_SD = 0.8


def run(
    *, n_answers: int = 600, n_markers: int = 20, settings: Settings | None = None
) -> list[dict[str, Any]]:
    """Mark ``n_answers`` answers with ``n_markers`` concurrent markers; one row of figures."""
    with tempfile.TemporaryDirectory() as folder:
        settings = settings or Settings(data_dir=Path(folder))
        engine = make_engine(settings)
        upgrade(engine)
        try:
            task_id, marker_ids, truth = _build(engine, n_answers, n_markers)
            handouts: list[float] = []
            submits: list[float] = []
            lock = threading.Lock()

            def mark(marker_id: int, seed: int) -> None:
                rng = random.Random(seed)
                with Session(engine, expire_on_commit=False) as session:
                    marker = session.get_one(UserAccount, marker_id)
                    while True:
                        start = time.perf_counter()
                        claim = service.next_answer(session, actor=marker, task_id=task_id)
                        session.commit()
                        middle = time.perf_counter()
                        if claim is None:
                            return
                        score = simulated_score(truth[claim.answer_id], FULL_SCORE, rng, MARKER_SD)
                        service.submit_mark(
                            session,
                            actor=marker,
                            mark_id=claim.mark_id,
                            answer_id=claim.answer_id,
                            score=score,
                        )
                        session.commit()
                        with lock:
                            handouts.append(middle - start)
                            submits.append(time.perf_counter() - middle)

            threads = [
                threading.Thread(target=mark, args=(marker_id, index))
                for index, marker_id in enumerate(marker_ids)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            with Session(engine) as session:
                progress = service.task_progress(session, actor=BENCHMARK, task_id=task_id)
        finally:
            engine.dispose()
    return [
        {
            "suite": "marking",
            "case": f"2+1, {n_markers} markers, {n_answers} answers",
            "metrics": {
                "marks": len(submits),
                "marks_per_s": round(len(submits) / elapsed, 1),
                "handout_p50_ms": round(1000 * statistics.median(handouts), 1),
                "handout_p95_ms": round(1000 * statistics.quantiles(handouts, n=20)[-1], 1),
                "submit_p50_ms": round(1000 * statistics.median(submits), 1),
                "submit_p95_ms": round(1000 * statistics.quantiles(submits, n=20)[-1], 1),
                "third_marks": len(submits) - 2 * n_answers,
                "to_leader": progress.n_arbitration,
            },
        }
    ]


def _build(
    engine: Engine, n_answers: int, n_markers: int
) -> tuple[int, list[int], dict[int, float]]:
    rng = random.Random(0)
    with Session(engine, expire_on_commit=False) as session:
        district = District(code="B-D", name="基准区")
        subject = Subject(code="B-MATH", name="数学")
        session.add_all([district, subject])
        session.flush()
        school = School(
            district_id=district.id,
            code="B-S",
            name="基准学校",
            setting=Setting.URBAN,
            stage=Stage.JUNIOR,
        )
        session.add(school)
        session.flush()
        grade = Grade(school_id=school.id, level=7, name="七年级")
        session.add(grade)
        session.flush()
        school_class = SchoolClass(school_id=school.id, grade_id=grade.id, name="七年级1班")
        session.add(school_class)
        session.flush()
        exam = Assessment(
            code="B-E",
            name="基准考试",
            kind=AssessmentKind.EXAM,
            held_on=date(2026, 12, 1),
            subject_id=subject.id,
            grade_level=7,
            district_id=district.id,
        )
        session.add(exam)
        session.flush()
        item = AssessmentItem(assessment_id=exam.id, position=1, label="13", full_score=FULL_SCORE)
        session.add_all(
            [item, AssessmentClass(assessment_id=exam.id, school_class_id=school_class.id)]
        )
        students = [
            Student(
                district_id=district.id,
                school_class_id=school_class.id,
                student_number=f"B{index:06d}",
                name=f"学生{index}",
                gender=Gender.FEMALE,
            )
            for index in range(n_answers)
        ]
        session.add_all(students)
        session.flush()
        session.add_all(Sitting(assessment_id=exam.id, student_id=s.id) for s in students)
        markers = [
            UserAccount(
                username=f"b-marker{index}",
                password_hash="!",
                role=Role.TEACHER,
                display_name=f"阅卷教师{index}",
                district_id=district.id,
                school_id=school.id,
                is_active=True,
                created_at=datetime.now(UTC),
            )
            for index in range(n_markers)
        ]
        session.add_all(markers)
        session.flush()
        marker_ids = [m.id for m in markers]
        marking = service.setup_session(
            session,
            actor=BENCHMARK,
            assessment_id=exam.id,
            mode=MarkingMode.DOUBLE_THIRD,
            tasks=[service.TaskSpec(item.id, TOLERANCE, tuple(marker_ids))],
        )
        task_id = service.progress(session, actor=BENCHMARK, assessment_id=marking.assessment_id)[
            0
        ].task_id
        image = crop_png(0)
        service.add_answers(
            session,
            actor=BENCHMARK,
            task_id=task_id,
            answers=[service.AnswerInput(s.id, image=image) for s in students],
            seed=0,
        )
        truth = {
            answer_id: round(rng.betavariate(3, 2) * FULL_SCORE * 2) / 2
            for answer_id in session.scalars(
                select(MarkingAnswer.id).where(MarkingAnswer.marking_task_id == task_id)
            )
        }
        session.commit()
    return task_id, marker_ids, truth
