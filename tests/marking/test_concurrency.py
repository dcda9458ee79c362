"""Twenty markers at once on one exam in 2+1 mode, each in its own thread and database session,
on SQLite and PostgreSQL: every answer gets exactly the marks its mode requires, disagreements
reach the third marker and the leader, nothing is lost, no marker marks one answer twice. The
marks are planted by answer and slot, so the paths reached do not depend on thread timing."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import actor
from tests.marking.world import build_marking_world
from yincai.accounts.models import UserAccount
from yincai.config import Settings
from yincai.db import make_engine
from yincai.errors import Conflict
from yincai.marking import service
from yincai.marking.demo import build_demo_marking
from yincai.marking.models import AnswerStatus, MarkingAnswer, MarkingMark, MarkingMode
from yincai.marking.rules import decide

N_MARKERS = 20
N_STUDENTS = 30
TOLERANCE = 1.0
GAP = 3.0  # how far the second mark strays on the answers whose pair is made to disagree


def planted_score(answer_id: int, slot: int | None, true_score: float, full: float) -> float:
    """The mark a slot gets, fixed by answer and slot, so that whatever the threads'
    interleaving, every other pair disagrees and every fourth third disagrees with both."""
    base = max(0.0, min(true_score, full - GAP))
    if slot == 2 and answer_id % 2 == 0:
        return base + GAP  # beyond the tolerance: a third marker is needed
    if slot == 3:
        # between the two (1.5 from each: beyond the tolerance) or agreeing with the second
        return base + GAP / 2 if answer_id % 4 == 0 else base + GAP
    return base


def test_twenty_markers_in_two_plus_one_mode(make_database: Callable[[], Settings]) -> None:
    engine = make_engine(make_database())
    try:
        with Session(engine, expire_on_commit=False) as session:
            mw = build_marking_world(session, n_students=N_STUDENTS, n_markers=N_MARKERS)
            admin = actor(session, mw.world, "district_admin")
            demo = build_demo_marking(
                session, actor=admin, assessment_id=mw.assessment_id,
                mode=MarkingMode.DOUBLE_THIRD, marker_ids=tuple(mw.marker_ids),
                leader_id=mw.leader_id, tolerance=TOLERANCE, n_checks=3,
                item_ids=[mw.item_ids[0]],
            )  # fmt: skip
            session.commit()
        task_id = demo.task_ids[0]
        full = demo.full_scores[task_id]
        errors: list[BaseException] = []
        lost: Counter[int] = Counter()

        def mark(marker_id: int) -> None:
            try:
                with Session(engine, expire_on_commit=False) as session:
                    marker = session.get_one(UserAccount, marker_id)
                    while True:
                        claim = service.next_answer(session, actor=marker, task_id=task_id)
                        session.commit()
                        if claim is None:
                            return
                        slot = session.get_one(MarkingMark, claim.mark_id).live_slot
                        score = planted_score(claim.answer_id, slot,
                                              demo.true_scores[claim.answer_id], full)  # fmt: skip
                        try:
                            service.submit_mark(session, actor=marker, mark_id=claim.mark_id,
                                                answer_id=claim.answer_id, score=score)  # fmt: skip
                            session.commit()
                        except Conflict:
                            session.rollback()
                            lost[marker_id] += 1
            except BaseException as problem:  # reported below, with the thread's traceback
                errors.append(problem)

        threads = [threading.Thread(target=mark, args=(marker_id,)) for marker_id in mw.marker_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sum(lost.values()) == 0  # nobody lost a claim they held
        with Session(engine) as session:
            answers = session.scalars(
                select(MarkingAnswer).where(MarkingAnswer.marking_task_id == task_id)
            ).all()
            marks = session.execute(
                select(MarkingMark.marking_answer_id, MarkingMark.marker_id,
                       MarkingMark.live_slot, MarkingMark.score, MarkingMark.submitted_at)
            ).all()  # fmt: skip
        by_answer: dict[int, list[tuple[int, int | None, float | None]]] = {}
        for answer_id, marker_id, slot, score, submitted_at in marks:
            assert submitted_at is not None  # no claim left behind
            by_answer.setdefault(answer_id, []).append((marker_id, slot, score))
        statuses = Counter()
        for answer in answers:
            given = by_answer.get(answer.id, [])
            markers = [marker for marker, _slot, _score in given]
            assert len(markers) == len(set(markers))  # never the same marker twice
            if answer.is_check:
                assert sorted(markers) == sorted(mw.marker_ids)  # every marker met each check
                continue
            slots = sorted(slot for _marker, slot, _score in given if slot is not None)
            scores = {slot: score for _marker, slot, score in given if slot and score is not None}
            assert slots == list(range(1, len(slots) + 1))
            expected = decide(MarkingMode.DOUBLE_THIRD, TOLERANCE, scores, is_flagged=False)
            assert len(slots) == expected.n_required  # exactly the marks the mode requires
            assert answer.status is expected.status is not AnswerStatus.MARKING
            assert answer.final_score == expected.final_score
            statuses[answer.status] += 1
            statuses[f"marks={len(slots)}"] += 1  # type: ignore[index]
        real = [answer.id for answer in answers if not answer.is_check]
        # every planted disagreement reached a third marker, and the planted thirds the leader
        assert statuses["marks=3"] == sum(1 for answer_id in real if answer_id % 2 == 0) > 0
        assert statuses[AnswerStatus.ARBITRATION] == sum(1 for a in real if a % 4 == 0) > 0
        assert statuses[AnswerStatus.DONE] + statuses[AnswerStatus.ARBITRATION] == N_STUDENTS
    finally:
        engine.dispose()
