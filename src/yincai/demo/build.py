"""``yincai demo``: build the seeded demo district — roster, curriculum, item bank, one semester.

Every junior-high grade learns 语文、数学、英语, grade 8 also 物理 and grade 9 物理、化学; each
subject has its own curriculum, item bank and semester, and the district's four exams are joint
exams (联考): every subject of a grade is sat under the same name on the Thursday and Friday of
the exam week, a student away misses all of them, and each student sitting gets a 总分. Maths is
drawn first from the district's random stream, exactly as before other subjects existed; each
other subject has a stream of its own.

The scores come from a hidden ground-truth model of every student's mastery of every knowledge
point (``simulate.py``). That truth is written to its own file next to the database, never into
platform tables, so diagnosis and recommendations can be checked against it.

Nearly every student is under 14, so the district has collected its guardians' paper consent
forms for diagnosis (recorded as such), all but a few planted ones: the diagnosis and practice
pages then show what happens without consent.

Every student has a semester of growth-archive records (德、体、美、劳, ``growth.py``), drawn from a
stream of their own and independent of ability; the planted number of arts and sports records is
kept in the truth file (``activities``) for the fairness report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role
from yincai.consent.models import ConsentMethod, ConsentPurpose, GuardianConsent
from yincai.db import Base
from yincai.demo import semester as calendar
from yincai.demo.answers import choice_answers
from yincai.demo.curriculum import junior_math_curriculum, points_of
from yincai.demo.district import (
    DISTRICT_CODE,
    DISTRICT_NAME,
    GRADE_NAMES,
    SETTINGS,
    DistrictPlan,
    plan_district,
)
from yincai.demo.growth import GROWTH_STREAM, plan_growth_records
from yincai.demo.itembank import build_item_bank
from yincai.demo.itembank.bank import ItemSpec
from yincai.demo.library import import_demo_library
from yincai.demo.loading import import_demo_content
from yincai.demo.simulate import (
    Cohort,
    HomeworkLog,
    PlantedCases,
    Semester,
    shared_and_general,
    simulate_semester,
    subject_intake,
)
from yincai.demo.subjects import (
    GENERAL_STREAM,
    MATH,
    OTHER_SUBJECTS,
    STAFF_STREAM,
    SUBJECTS,
    DemoSubject,
    draw_bank,
    points_of_subject,
    stream_rng,
    subject_rng,
)
from yincai.demo.truth import SubjectTruth, save_ground_truth
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    District,
    Grade,
    GrowthRecord,
    JointExam,
    LearningEvent,
    School,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Subject,
    Teacher,
    TeachingAssignment,
)
from yincai.errors import Conflict
from yincai.governance import service as governance_service
from yincai.i18n import _

DEMO_PASSWORD = "yincai-demo-2026"
SUBJECT_NAMES = {subject.code: subject.name for subject in SUBJECTS}
LOCAL = ZoneInfo("Asia/Shanghai")
CHUNK = 50_000
MARKED_AT = time(18, 0)  # the marking system's scores arrive the evening after the exam
N_WITHOUT_CONSENT = 3  # planted: guardians who returned no consent form
CONSENT_FORMS_ON = datetime(2026, 9, 1, 8, 0, tzinfo=LOCAL)  # collected on the first school day
# homework is set on Monday and due on Friday at 22:00: weekend work is late (迟交)
HOMEWORK_DUE_DAY, HOMEWORK_DUE = 4, time(22, 0)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    who: str


@dataclass(frozen=True)
class DemoSummary:
    n_schools: int
    n_classes: int
    n_teachers: int
    n_students: int
    n_subjects: int
    n_points: int
    n_items: int
    n_assessments: int
    n_scores: int
    n_learning_events: int
    n_consents: int
    n_growth_records: int
    without_consent: list[str]  # student numbers of the planted students without consent
    logins: list[DemoLogin]
    ground_truth: Path


def build_demo_district(
    session: Session,
    *,
    ground_truth_path: Path,
    n_students: int = 6500,
    seed: int = 0,
    progress: Progress | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo district; the same seed always gives the same data."""
    say = progress or (lambda _message: None)
    if session.scalar(select(District.id).where(District.code == DISTRICT_CODE)):
        raise Conflict(_("示范区已存在，请换一个 --data-dir"), code="demo.exists")
    rng = np.random.default_rng(seed)

    say("规划学校与花名册 / planning schools and rosters")
    staff_rng = stream_rng(seed, STAFF_STREAM)
    plan = plan_district(rng, n_junior_students=n_students, staff_rng=staff_rng)
    district = District(code=DISTRICT_CODE, name=DISTRICT_NAME)
    session.add(district)
    session.flush()
    subject_ids = _subjects(session)
    school_ids, class_ids = _schools_and_classes(session, district.id, plan)
    teacher_ids = _teachers(session, plan, school_ids, class_ids, subject_ids)
    student_ids = _students(session, district.id, plan, class_ids)

    say("课程知识点与题库 / curriculum and item bank")
    kp_points = points_of(junior_math_curriculum())
    items = build_item_bank(kp_points, rng, items_per_point=3)
    item_ids = import_demo_content(session, items, subject=MATH.name)

    say("模拟一学期的学习与考试 / simulating one semester")
    junior = plan.junior_class_indices()
    curriculum = calendar.point_curriculum(kp_points)
    pool = calendar.item_pool(items, kp_points)
    papers = calendar.plan_papers(items, kp_points, curriculum, rng)
    junior_students = [i for i, s in enumerate(plan.students) if s.school_class in set(junior)]
    class_position = {c: k for k, c in enumerate(junior)}
    cohort = Cohort(
        class_of_student=np.array(
            [class_position[plan.students[i].school_class] for i in junior_students], dtype=np.int64
        ),
        school_of_class=np.array([plan.classes[c].school for c in junior], dtype=np.int64),
        school_setting=np.array([SETTINGS.index(s.setting) for s in plan.schools], dtype=np.int64),
        grade_of_class=np.array([plan.classes[c].grade for c in junior], dtype=np.int64),
    )
    missing_class = _missing_class(cohort, rng)
    result = simulate_semester(
        cohort,
        curriculum,
        pool,
        n_weeks=calendar.N_WEEKS,
        exams=calendar.exam_plans(papers, missing_class),
        rng=rng,
    )

    say("写入考试成绩 / writing exam scores")
    junior_student_ids = np.array([student_ids[i] for i in junior_students], dtype=np.int64)
    junior_class_ids = [class_ids[c] for c in junior]
    exams = _Exams(session, district.id, cohort, junior_student_ids, junior_class_ids)
    n_scores = exams.write(MATH, subject_ids[MATH.code], papers, items, item_ids, result)
    say("写入作业记录 / writing homework logs")
    where = _HomeworkClasses(district.id, cohort, junior_class_ids)
    n_events = _homework(
        session,
        result,
        items,
        item_ids,
        junior_student_ids,
        where=where,
        subject=MATH,
        subject_id=subject_ids[MATH.code],
    )
    n_points, n_items, n_assessments = len(kp_points), len(items), len(papers)

    shared, general = shared_and_general(result, cohort, stream_rng(seed, GENERAL_STREAM))
    others: dict[str, SubjectTruth] = {}
    for subject in OTHER_SUBJECTS:
        say(f"{subject.name}：课程、题库、一学期与联考 / {subject.code}: content, semester, exams")
        subject_stream = subject_rng(seed, subject.code)
        points = points_of_subject(subject)
        bank = draw_bank(subject, subject_stream)
        bank_ids = import_demo_content(
            session,
            bank,
            subject=subject.name,
            curriculum=subject.curriculum_source,
            item_file_name=f"demo-items-{subject.folder}.yaml",
        )
        subject_curriculum = calendar.point_curriculum(points)
        subject_papers = calendar.plan_papers(
            bank,
            points,
            subject_curriculum,
            subject_stream,
            paper=subject.paper,
            grades=subject.grades,
            day=subject.exam_day,
            is_cumulative=True,
        )
        subject_result = simulate_semester(
            cohort,
            subject_curriculum,
            calendar.item_pool(bank, points),
            n_weeks=calendar.N_WEEKS,
            exams=calendar.exam_plans(subject_papers, None, result.exam_absent),
            homework_items_per_week=subject.homework_items,
            rng=subject_stream,
            intake=subject_intake(result, shared, general, subject_stream),
            shared=PlantedCases(result.planted, result.effects),
        )
        n_scores += exams.write(
            subject, subject_ids[subject.code], subject_papers, bank, bank_ids, subject_result
        )
        n_events += _homework(
            session,
            subject_result,
            bank,
            bank_ids,
            junior_student_ids,
            where=where,
            subject=subject,
            subject_id=subject_ids[subject.code],
        )
        n_points, n_items = n_points + len(points), n_items + len(bank)
        n_assessments += len(subject_papers)
        others[subject.code] = SubjectTruth(
            mastery=subject_result.mastery,
            kp_codes=[p.code for p in points],
            item_codes=[i.code for i in bank],
            ability=subject_result.student_ability,
        )

    say("资源库：各学科讲义 / resource library: lesson notes")
    import_demo_library(session)

    say("创建演示账号 / creating demo accounts")
    logins = _accounts(session, district.id, plan, school_ids, teacher_ids, student_ids)
    say("录入监护人同意书 / recording guardians' consent forms")
    without_consent = _planted_without_consent(plan)
    n_consents = _consents(session, student_ids, without_consent)
    say("写入成长档案记录 / writing growth-archive records")
    n_growth, activities = _growth_records(
        session, plan, student_ids, stream_rng(seed, GROWTH_STREAM)
    )

    save_ground_truth(
        ground_truth_path,
        result=result,
        student_numbers=[plan.students[i].student_number for i in junior_students],
        kp_codes=[p.code for p in kp_points],
        item_codes=[i.code for i in items],
        class_names=[
            f"{plan.schools[plan.classes[c].school].code}/{plan.classes[c].name}" for c in junior
        ],
        school_codes=[s.code for s in plan.schools],
        checkpoint_dates=[calendar.week_start(int(w)).isoformat() for w in result.checkpoint_weeks],
        seed=seed,
        general_ability=shared + general,
        subjects=others,
        activities=activities[junior_students],
    )
    return DemoSummary(
        n_schools=len(plan.schools),
        n_classes=len(plan.classes),
        n_teachers=len(plan.teachers),
        n_students=len(plan.students),
        n_subjects=len(SUBJECTS),
        n_points=n_points,
        n_items=n_items,
        n_assessments=n_assessments,
        n_scores=n_scores,
        n_learning_events=n_events,
        n_consents=n_consents,
        n_growth_records=n_growth,
        without_consent=[plan.students[i].student_number for i in sorted(without_consent)],
        logins=logins,
        ground_truth=ground_truth_path,
    )


def _bulk(session: Session, model: type[Base], rows: list[dict[str, object]]) -> None:
    """Insert ``rows`` (dicts with the same keys) on the session's connection, in its transaction.

    The demo writes ~3 million score and homework rows: a Core ``insert`` spent more time building
    each row's parameters than the database spent storing them, so the rows go to the driver's
    ``executemany`` as tuples, each value passed through its column type's own bind processor
    (the same conversion Core applies, e.g. SQLite's datetime text)."""
    if not rows:
        return
    table = model.__table__
    assert isinstance(table, Table)
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    if any(c.default is not None and c.name not in names for c in table.columns):
        for start in range(0, len(rows), CHUNK):  # Core fills the columns' Python defaults
            connection.execute(insert(table), rows[start : start + CHUNK])
        return
    convert = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    converted = [(k, process) for k, process in enumerate(convert) if process is not None]
    for start in range(0, len(rows), CHUNK):
        chunk = [[row[name] for name in names] for row in rows[start : start + CHUNK]]
        for k, process in converted:
            seen: dict[object, object] = {}  # rows share values: a paper's marking time
            for values in chunk:
                value = values[k]
                try:
                    values[k] = seen[value]
                except KeyError:
                    values[k] = seen[value] = process(value)
                except TypeError:  # unhashable (JSON)
                    values[k] = process(value)
        connection.exec_driver_sql(statement, [tuple(values) for values in chunk])


def _ids(session: Session, column: object, key: object) -> dict[str, int]:
    return {k: i for i, k in session.execute(select(column, key)).all()}  # type: ignore[call-overload]


def _subjects(session: Session) -> dict[str, int]:
    _bulk(session, Subject, [{"code": c, "name": n} for c, n in SUBJECT_NAMES.items()])
    return {code: i for i, code in session.execute(select(Subject.id, Subject.code)).all()}


def _schools_and_classes(
    session: Session, district_id: int, plan: DistrictPlan
) -> tuple[list[int], list[int]]:
    _bulk(
        session,
        School,
        [
            {
                "district_id": district_id,
                "code": s.code,
                "name": s.name,
                "setting": s.setting,
                "stage": s.stage,
            }
            for s in plan.schools
        ],
    )
    school_by_code = {c: i for i, c in session.execute(select(School.id, School.code)).all()}
    school_ids = [school_by_code[s.code] for s in plan.schools]
    grades = sorted(
        {(plan.classes[i].school, plan.classes[i].grade) for i in range(len(plan.classes))}
    )
    _bulk(
        session,
        Grade,
        [{"school_id": school_ids[s], "level": g, "name": GRADE_NAMES[g]} for s, g in grades],
    )
    grade_ids = {
        (school, level): i
        for i, school, level in session.execute(
            select(Grade.id, Grade.school_id, Grade.level)
        ).all()
    }
    _bulk(
        session,
        SchoolClass,
        [
            {
                "school_id": school_ids[c.school],
                "name": c.name,
                "grade_id": grade_ids[(school_ids[c.school], c.grade)],
            }
            for c in plan.classes
        ],
    )
    class_by_key = {
        (school, name): i
        for i, school, name in session.execute(
            select(SchoolClass.id, SchoolClass.school_id, SchoolClass.name)
        ).all()
    }
    return school_ids, [class_by_key[(school_ids[c.school], c.name)] for c in plan.classes]


def _teachers(
    session: Session,
    plan: DistrictPlan,
    school_ids: list[int],
    class_ids: list[int],
    subject_ids: dict[str, int],
) -> list[int]:
    _bulk(
        session,
        Teacher,
        [
            {
                "school_id": school_ids[t.school],
                "staff_number": t.staff_number,
                "name": t.name,
                "gender": t.gender,
            }
            for t in plan.teachers
        ],
    )
    by_number = {n: i for i, n in session.execute(select(Teacher.id, Teacher.staff_number)).all()}
    teacher_ids = [by_number[t.staff_number] for t in plan.teachers]
    _bulk(
        session,
        TeachingAssignment,
        [
            {
                "teacher_id": teacher_ids[k],
                "school_class_id": class_ids[c],
                "subject_id": subject_ids[t.subject],
                "is_head_teacher": c in t.heads,
            }
            for k, t in enumerate(plan.teachers)
            for c in t.classes
        ],
    )
    return teacher_ids


def _students(
    session: Session, district_id: int, plan: DistrictPlan, class_ids: list[int]
) -> list[int]:
    _bulk(
        session,
        Student,
        [
            {
                "district_id": district_id,
                "school_class_id": class_ids[s.school_class],
                "student_number": s.student_number,
                "name": s.name,
                "gender": s.gender,
                "birth_year": s.birth_year,
                "enrolment_year": s.enrolment_year,
                "guardian_name": s.guardian_name,
                "guardian_phone": s.guardian_phone,
            }
            for s in plan.students
        ],
    )
    by_number = {n: i for i, n in session.execute(select(Student.id, Student.student_number)).all()}
    return [by_number[s.student_number] for s in plan.students]


def _missing_class(cohort: Cohort, rng: np.random.Generator) -> int:
    """A grade-8 class whose scores go missing from one exam (a planted data-quality case)."""
    candidates = np.flatnonzero(cohort.grade_of_class == 8)
    return int(rng.choice(candidates))


class _Exams:
    """Writes the papers of one subject's exams with every sitting and item score."""

    def __init__(
        self,
        session: Session,
        district_id: int,
        cohort: Cohort,
        student_ids: np.ndarray,
        class_ids: list[int],
    ) -> None:
        self.session = session
        self.district_id = district_id
        self.cohort = cohort
        self.student_ids = student_ids
        self.class_ids = class_ids
        self.joint_exams: dict[tuple[int, int], JointExam] = {}  # (exam, grade) → its 联考

    def write(
        self,
        subject: DemoSubject,
        subject_id: int,
        papers: list[calendar.Paper],
        items: list[ItemSpec],
        item_ids: list[int],
        result: Semester,
    ) -> int:
        """Write every paper; the number of item scores written."""
        # Maths keeps the codes it had before other subjects existed (2026A-M7-1).
        letter = "M" if subject.code == MATH.code else subject.code
        return sum(
            self._paper(
                f"{calendar.SEMESTER_START.year}A-{letter}{paper.grade}-{paper.exam + 1}",
                f"{GRADE_NAMES[paper.grade]}{subject.name}{paper.name}",
                subject_id,
                paper,
                items,
                item_ids,
                result,
            )
            for paper in papers
        )

    def _paper(
        self,
        code: str,
        name: str,
        subject_id: int,
        paper: calendar.Paper,
        items: list[ItemSpec],
        item_ids: list[int],
        result: Semester,
    ) -> int:
        session, cohort, student_ids = self.session, self.cohort, self.student_ids
        grade_of_student = cohort.grade_of_class[cohort.class_of_student]
        joint = self._joint_exam(paper)
        assessment = Assessment(
            code=code,
            name=name,
            kind=AssessmentKind.EXAM,
            held_on=paper.held_on,
            subject_id=subject_id,
            grade_level=paper.grade,
            district_id=self.district_id,
            joint_exam_id=joint.id,
            items=[
                AssessmentItem(
                    item_id=item_ids[i],
                    position=k,
                    label=str(k + 1),
                    full_score=items[i].full_score,
                )
                for k, i in enumerate(paper.items)
            ],
        )
        session.add(assessment)
        session.flush()
        missing = {c for e, c in result.planted.missing_class_exams if e == paper.exam}
        sat = [
            k for k in np.flatnonzero(cohort.grade_of_class == paper.grade) if int(k) not in missing
        ]
        _bulk(
            session,
            AssessmentClass,
            [{"assessment_id": assessment.id, "school_class_id": self.class_ids[k]} for k in sat],
        )
        scores = result.exam_scores[paper.exam][:, paper.items]
        absent = result.exam_absent[paper.exam]
        in_paper = (grade_of_student == paper.grade) & np.isin(cohort.class_of_student, sat)
        marked_at = datetime.combine(paper.held_on + timedelta(days=1), MARKED_AT, LOCAL)
        marked_at_utc = marked_at.astimezone(UTC)
        sittings: list[dict[str, object]] = []
        rows: list[dict[str, object]] = []
        aitem_ids = [a.id for a in assessment.items]
        specs = [items[i] for i in paper.items]
        raw = choice_answers(
            scores,
            paper_code=code,
            item_codes=[spec.code for spec in specs],
            item_types=[str(spec.item_type) for spec in specs],
            keys=[spec.answer for spec in specs],
            options=[spec.options for spec in specs],
            full_scores=[spec.full_score for spec in specs],
        )
        for s in np.flatnonzero(in_paper):
            is_absent = bool(absent[s]) or bool(np.isnan(scores[s]).all())
            total = None if is_absent else float(np.nansum(scores[s]))
            sittings.append(
                {
                    "assessment_id": assessment.id,
                    "student_id": int(student_ids[s]),
                    "is_absent": is_absent,
                    "total_score": total,
                }
            )
            if is_absent:
                continue
            rows.extend(
                {
                    "assessment_item_id": aitem_ids[k],
                    "student_id": int(student_ids[s]),
                    "score": float(scores[s, k]),
                    "raw_answer": raw[s, k],
                    "marked_by": "阅卷系统",
                    "marked_at": marked_at_utc,
                }
                for k in range(len(aitem_ids))
                if not np.isnan(scores[s, k])
            )
        _bulk(session, Sitting, sittings)
        _bulk(session, Score, rows)
        return len(rows)

    def _joint_exam(self, paper: calendar.Paper) -> JointExam:
        """The joint exam (联考) of a paper's exam and grade: every subject's paper of one grade
        and exam joins it (2026A-J7-1, 七年级第一次月考), dated by its first day."""
        key = (paper.exam, paper.grade)
        joint = self.joint_exams.get(key)
        if joint is None:
            joint = JointExam(
                code=f"{calendar.SEMESTER_START.year}A-J{paper.grade}-{paper.exam + 1}",
                name=f"{GRADE_NAMES[paper.grade]}{paper.name}",
                district_id=self.district_id,
                grade_level=paper.grade,
                held_on=paper.held_on,
            )
            self.session.add(joint)
            self.session.flush()
            self.joint_exams[key] = joint
        elif paper.held_on < joint.held_on:
            joint.held_on = paper.held_on
        return joint


def _homework(
    session: Session,
    result: Semester,
    items: list[ItemSpec],
    item_ids: list[int],
    student_ids: np.ndarray,
    *,
    where: _HomeworkClasses,
    subject: DemoSubject,
    subject_id: int,
) -> int:
    """Each class's weekly homework as an assessment of kind homework (its items, its class, set
    on the Monday and due on Friday evening), then every attempt linked to its assignment."""
    log = result.homework
    assignment_ids = _homework_assignments(
        session, log, items, item_ids, where, subject, subject_id
    )
    full = np.array([i.full_score for i in items])[log.item]
    class_of_attempt = where.cohort.class_of_student[log.student]
    # Whole columns at once, then plain Python values: a row is built from lists, not scalars.
    # Shanghai keeps one offset all year, so a week's local midnight in UTC plus the seconds
    # since is the attempt's UTC time.
    midnight = {
        week: datetime.combine(calendar.week_start(week), time(0, 0), LOCAL).astimezone(UTC)
        for week in np.unique(log.week).tolist()
    }
    rows = [
        {
            "student_id": student,
            "item_id": item_ids[i],
            "activity": items[i].code,
            "is_correct": correct,
            "score": score,
            "occurred_at": midnight[week] + timedelta(seconds=offset),
            "source": "homework",
            "assessment_id": assessment_id,
        }
        for student, i, week, offset, score, correct, assessment_id in zip(
            student_ids[log.student].tolist(),
            log.item.tolist(),
            log.week.tolist(),
            log.day_offset_seconds.tolist(),
            (log.score.astype(np.float64) / full).tolist(),
            log.correct.tolist(),
            assignment_ids[class_of_attempt, log.week].tolist(),
            strict=True,
        )
    ]
    _bulk(session, LearningEvent, rows)
    return len(rows)


@dataclass(frozen=True)
class _HomeworkClasses:
    """Where the homework goes: the district and its junior-high classes (cohort order)."""

    district_id: int
    cohort: Cohort
    class_ids: list[int]


def _homework_assignments(
    session: Session,
    log: HomeworkLog,
    items: list[ItemSpec],
    item_ids: list[int],
    where: _HomeworkClasses,
    subject: DemoSubject,
    subject_id: int,
) -> np.ndarray:
    """Write one homework assessment per class and week; their ids, shape (n_classes, n_weeks)
    (-1 where a class got none)."""
    letter = "M" if subject.code == MATH.code else subject.code
    prefix = f"{calendar.SEMESTER_START.year}A-HW-{letter}-"
    sets = np.unique(np.stack([log.set_class, log.set_week], axis=1), axis=0)
    code_of: dict[tuple[int, int], str] = {}
    rows: list[dict[str, object]] = []
    for class_index, week in sets.tolist():
        code = f"{prefix}{where.class_ids[class_index]}-{week + 1:02d}"
        code_of[(class_index, week)] = code
        set_on = calendar.week_start(week)
        due_at = datetime.combine(set_on + timedelta(days=HOMEWORK_DUE_DAY), HOMEWORK_DUE, LOCAL)
        rows.append(
            {
                "code": code,
                "name": f"{subject.name}第{week + 1}周作业",
                "kind": AssessmentKind.HOMEWORK,
                "held_on": set_on,
                "due_at": due_at.astimezone(UTC),
                "subject_id": subject_id,
                "grade_level": int(where.cohort.grade_of_class[class_index]),
                "district_id": where.district_id,
            }
        )
    _bulk(session, Assessment, rows)
    found = dict(
        session.execute(
            select(Assessment.code, Assessment.id).where(Assessment.code.startswith(prefix))
        ).all()
    )
    ids = np.full((len(where.class_ids), calendar.N_WEEKS), -1, dtype=np.int64)
    for (class_index, week), code in code_of.items():
        ids[class_index, week] = found[code]
    set_ids = ids[log.set_class, log.set_week]
    # position within its assignment: rows of one assignment are consecutive, in item order
    starts = np.r_[True, np.diff(set_ids) != 0]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(set_ids.size), 0))
    position = np.arange(set_ids.size) - run_start
    full = [items[i].full_score for i in log.set_item.tolist()]
    _bulk(
        session,
        AssessmentItem,
        [
            {
                "assessment_id": assessment_id,
                "item_id": item_ids[i],
                "position": k,
                "label": str(k + 1),
                "full_score": score,
            }
            for assessment_id, i, k, score in zip(
                set_ids.tolist(), log.set_item.tolist(), position.tolist(), full, strict=True
            )
        ],
    )
    _bulk(
        session,
        AssessmentClass,
        [
            {"assessment_id": int(ids[c, w]), "school_class_id": where.class_ids[c]}
            for c, w in sets.tolist()
        ],
    )
    return ids


def _accounts(
    session: Session,
    district_id: int,
    plan: DistrictPlan,
    school_ids: list[int],
    teacher_ids: list[int],
    student_ids: list[int],
) -> list[DemoLogin]:
    """One login per role, all in the first school so the scopes nest."""
    teacher = next(k for k, t in enumerate(plan.teachers) if t.subject == "MATH" and t.school == 0)
    first_class = plan.teachers[teacher].classes[0]
    student = next(k for k, s in enumerate(plan.students) if s.school_class == first_class)
    who = {
        Role.DISTRICT_ADMIN: ("admin", f"{DISTRICT_NAME}教育局管理员", {}),
        Role.SCHOOL_ADMIN: (
            "school01",
            f"{plan.schools[0].name}管理员",
            {"school_id": school_ids[0]},
        ),
        Role.TEACHER: (
            plan.teachers[teacher].staff_number.lower(),
            f"{plan.teachers[teacher].name}（数学）",
            {"school_id": school_ids[0], "teacher_id": teacher_ids[teacher]},
        ),
        Role.STUDENT: (
            plan.students[student].student_number,
            plan.students[student].name,
            {"school_id": school_ids[0], "student_id": student_ids[student]},
        ),
        Role.PARENT: (
            f"p{plan.students[student].student_number}",
            f"{plan.students[student].guardian_name}（家长）",
            {"school_id": school_ids[0], "student_id": student_ids[student]},
        ),
    }
    logins = []
    for role, (username, name, scope) in who.items():
        governance_service.create_account(
            session,
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            display_name=name,
            district_id=district_id,
            school_id=scope.get("school_id"),
            teacher_id=scope.get("teacher_id"),
            student_id=scope.get("student_id"),
        )
        logins.append(
            DemoLogin(role=role.value, username=username, password=DEMO_PASSWORD, who=name)
        )
    return logins


def _planted_without_consent(plan: DistrictPlan) -> set[int]:
    """Students whose guardians returned no form: the last two of the demo teacher's first class
    (so the demo teacher meets them) and the last student of the last junior-high class."""
    teacher = next(k for k, t in enumerate(plan.teachers) if t.subject == "MATH" and t.school == 0)
    first_class = plan.teachers[teacher].classes[0]
    last_class = plan.junior_class_indices()[-1]

    def members(school_class: int) -> list[int]:
        return [k for k, s in enumerate(plan.students) if s.school_class == school_class]

    return {*members(first_class)[-(N_WITHOUT_CONSENT - 1) :], members(last_class)[-1]}


def _consents(session: Session, student_ids: list[int], without: set[int]) -> int:
    """The collected paper forms: consent to diagnosis for every other student."""
    rows: list[dict[str, object]] = [
        {
            "student_id": student_id,
            "purpose": ConsentPurpose.DIAGNOSIS,
            "method": ConsentMethod.PAPER_FORM,
            "given_by_user_account_id": None,
            "given_at": CONSENT_FORMS_ON.astimezone(UTC),
        }
        for k, student_id in enumerate(student_ids)
        if k not in without
    ]
    _bulk(session, GuardianConsent, rows)
    return len(rows)


def _growth_records(
    session: Session, plan: DistrictPlan, student_ids: list[int], rng: np.random.Generator
) -> tuple[int, np.ndarray]:
    """The semester's growth-archive records of every student (``demo.growth``); their number
    and each student's planted number of arts and sports records (plan order)."""
    records, activities = plan_growth_records(plan, rng)
    _bulk(
        session,
        GrowthRecord,
        [
            {
                "student_id": student_ids[r.student],
                "dimension": r.dimension,
                "evidence": r.evidence,
                "recorded_on": r.recorded_on,
                "recorded_by": r.recorded_by,
            }
            for r in records
        ],
    )
    return len(records), activities
