"""The views a teacher uses between exams, for every subject: a class's mastery map (students ×
knowledge points), growth of standard scores across exams (a student's and a class's), and a
student's 错题本 across the semester with similar items to try next.

The door of these views: each call takes the ``actor``, checks role and scope and writes one audit
row naming the students it shows. Class views are for staff of the class and admins in scope;
a student's growth and 错题本 also for the student and their parent, who read growth in words
(``analysis.growth``), as they read mastery.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.analysis.access import is_staff
from yincai.analysis.cache import KeptViews
from yincai.analysis.growth import ClassSubjectGrowth, Paper, SubjectGrowth
from yincai.analysis.growth import class_growth as build_class_growth
from yincai.analysis.growth import student_growth as build_student_growth
from yincai.analysis.mastery_map import MapColumn, MasteryMap, build_rows
from yincai.analysis.mistake_book import (
    PAGE_SIZE,
    BookEntry,
    KpOption,
    MistakeBook,
    SimilarItem,
    SubjectOption,
    order,
    page_of,
)
from yincai.analysis.similar import BankEntry, similar_items
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.teaching import day_of
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Item,
    ItemKp,
    KnowledgePoint,
    LearningEvent,
    SchoolClass,
    Score,
    Sitting,
    Student,
    Subject,
    TeachingAssignment,
)
from yincai.domain.queries import SubjectChoice as SubjectChoice
from yincai.domain.queries import class_subjects as class_subjects
from yincai.errors import NotFound, NotReady
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.i18n import _

MapSurface = Literal["view", "xlsx"]
BookSurface = Literal["view", "pdf"]
SCORE_TOLERANCE = 1e-9  # a score this close to full marks is full marks


@dataclass(frozen=True)
class StudentGrowthView:
    """A student's growth in every subject; ``shows_numbers`` for staff (T-scores)."""

    student_id: int
    student_number: str
    name: str
    class_name: str
    school_class_id: int
    curves: list[SubjectGrowth]
    shows_numbers: bool


@dataclass(frozen=True)
class ClassGrowthView:
    school_class_id: int
    class_name: str
    school_name: str
    curves: list[ClassSubjectGrowth]


def default_subject(
    session: Session, *, actor: governance_service.Actor, school_class_id: int
) -> str | None:
    """The subject a class page opens on: the teacher's own subject there, else the first."""
    subjects = class_subjects(session, school_class_id=school_class_id)
    if isinstance(actor, UserAccount) and actor.role is Role.TEACHER:
        own = session.scalar(
            select(Subject.code)
            .join(TeachingAssignment, TeachingAssignment.subject_id == Subject.id)
            .where(
                TeachingAssignment.teacher_id == actor.teacher_id,
                TeachingAssignment.school_class_id == school_class_id,
                Subject.id.in_(select(KnowledgePoint.subject_id)),
            )
            .order_by(Subject.id)
        )
        if own is not None:
            return str(own)
    return subjects[0].code if subjects else None


def class_mastery_map(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    subject_code: str,
    surface: MapSurface = "view",
    include_not_taught: bool = False,
    kept_views: KeptViews | None = None,
) -> MasteryMap:
    """The class's mastery map in one subject, from the stored estimates (staff of the class
    and admins in scope; one audit row naming every student of the class); kept in
    ``kept_views`` while the estimates it rests on stay the same."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    subject = session.scalar(select(Subject).where(Subject.code == subject_code))
    if subject is None:
        raise NotFound(
            _("科目 {subject_code} 不存在").format(subject_code=subject_code),
            code="subject.not_found",
        )
    if kept_views is None:
        view, student_ids = _build_mastery_map(
            session, actor, school_class_id, subject, include_not_taught
        )
    else:
        key = (
            school_class_id,
            subject_code,
            include_not_taught,
            diagnosis_service.estimates_version(session, subject_code),
        )
        kept = kept_views.mastery_maps.get(key)
        if kept is None:
            kept = _build_mastery_map(session, actor, school_class_id, subject, include_not_taught)
            kept_views.mastery_maps.put(key, kept, replaces=lambda k: k[:3] == key[:3])
        view, student_ids = kept
    governance_service.audit(
        session,
        actor=actor,
        action="class_mastery_xlsx" if surface == "xlsx" else "class_mastery_view",
        object_type="school_class",
        object_id=school_class_id,
        student_ids=student_ids,
    )
    return view


def _build_mastery_map(
    session: Session,
    actor: governance_service.Actor,
    school_class_id: int,
    subject: Subject,
    include_not_taught: bool,
) -> tuple[MasteryMap, list[int]]:
    """The map and every student it names."""
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None  # require_scope raised NotFound otherwise
    table = diagnosis_service.class_mastery(
        session, actor=actor, school_class_id=school_class_id, subject_code=subject.code
    )
    fitted = diagnosis_service.mastery_model(session, subject_code=subject.code)
    met = diagnosis_service.class_met_points(session, fitted, school_class_id=school_class_id)
    taught_columns = [k for k in range(fitted.n_kps) if k in met]
    untaught_columns = [k for k in range(fitted.n_kps) if k not in met]
    kept = taught_columns + (untaught_columns if include_not_taught else [])
    students = {
        row[0]: row
        for row in session.execute(
            select(Student.id, Student.student_number, Student.name).where(
                Student.id.in_(table.student_ids)
            )
        ).all()
    }
    rows = build_rows(
        student_ids=table.student_ids,
        student_numbers=[students[s][1] for s in table.student_ids],
        student_names=[students[s][2] for s in table.student_ids],
        mastery=table.mastery[:, kept],
        n_evidence=table.n_evidence[:, kept],
        is_taught=np.array([k in met for k in kept], dtype=bool),
    )
    columns = [
        MapColumn(fitted.kp_ids[k], fitted.kp_codes[k], fitted.kp_names[k], k in met) for k in kept
    ]
    view = MasteryMap(
        school_class_id=school_class_id,
        class_name=school_class.name,
        school_name=school_class.school.name,
        subject_code=subject.code,
        subject_name=subject.name,
        columns=columns,
        rows=rows,
        n_not_taught=len(untaught_columns),
        shows_not_taught=include_not_taught,
    )
    return view, list(table.student_ids)


def _papers(
    session: Session, assessment_ids: list[int], kept_views: KeptViews | None
) -> list[Paper]:
    """The exams' totals over all their participants, with each participant's class, in the
    order they were held (kept in ``kept_views`` until the next import)."""
    if kept_views is None:
        return _read_papers(session, assessment_ids)
    version = hub_service.data_version(session)
    kept = {a: kept_views.papers.get((a, version)) for a in assessment_ids}
    missing = [a for a, paper in kept.items() if paper is None]
    for paper in _read_papers(session, missing):
        kept[paper.assessment_id] = paper
        kept_views.papers.put((paper.assessment_id, version), paper, replaces=_same_exam(paper))
    papers = [paper for paper in kept.values() if paper is not None]
    return sorted(papers, key=lambda paper: (paper.held_on, paper.assessment_id))


def _same_exam(paper: Paper) -> Callable[[tuple[int, int]], bool]:
    """Whether a kept key is of the paper's exam (its older version gives way)."""
    return lambda key: key[0] == paper.assessment_id


def _read_papers(session: Session, assessment_ids: list[int]) -> list[Paper]:
    if not assessment_ids:
        return []
    heads = session.execute(
        select(
            Assessment.id,
            Assessment.code,
            Assessment.name,
            Assessment.held_on,
            Subject.code,
            Subject.name,
        )
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(Assessment.id.in_(assessment_ids))
        .order_by(Assessment.held_on, Assessment.id)
    ).all()
    sittings = hub_service.sitting_totals(session, assessment_ids=assessment_ids)
    class_of = dict(
        session.execute(
            select(Student.id, Student.school_class_id).where(
                Student.id.in_(
                    select(Sitting.student_id).where(Sitting.assessment_id.in_(assessment_ids))
                )
            )
        ).all()
    )
    by_paper: dict[int, list[tuple[int, float]]] = {}
    for sitting in sittings:
        total = np.nan if sitting.total is None else sitting.total
        by_paper.setdefault(sitting.assessment_id, []).append((sitting.student_id, total))
    papers = []
    for assessment_id, code, name, held_on, subject_code, subject_name in heads:
        rows = by_paper.get(assessment_id, [])
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        papers.append(
            Paper(
                assessment_id=assessment_id,
                code=code,
                name=name,
                held_on=held_on,
                subject_code=subject_code,
                subject_name=subject_name,
                student_ids=ids,
                class_ids=np.array([class_of.get(int(s), -1) for s in ids], dtype=np.int64),
                totals=np.array([r[1] for r in rows], dtype=np.float64),
            )
        )
    return papers


def student_growth(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    kept_views: KeptViews | None = None,
) -> StudentGrowthView:
    """A student's standard score in every exam of each subject beside their class's mean
    (staff of the student, the student, their parent; audited)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None  # require_scope raised NotFound otherwise
    exam_ids = list(
        session.scalars(
            select(Sitting.assessment_id)
            .join(Assessment, Assessment.id == Sitting.assessment_id)
            .where(Sitting.student_id == student_id, Assessment.kind == AssessmentKind.EXAM)
        )
    )
    curves = build_student_growth(
        _papers(session, exam_ids, kept_views), student_id, student.school_class_id
    )
    governance_service.audit(
        session,
        actor=actor,
        action="student_growth_view",
        object_type="student",
        object_id=student_id,
    )
    return StudentGrowthView(
        student_id=student_id,
        student_number=student.student_number,
        name=student.name,
        class_name=student.school_class.name,
        school_class_id=student.school_class_id,
        curves=curves,
        shows_numbers=is_staff(actor),
    )


def class_growth(
    session: Session,
    *,
    actor: governance_service.Actor,
    school_class_id: int,
    kept_views: KeptViews | None = None,
) -> ClassGrowthView:
    """The class's mean standard score per subject across its exams (staff of the class and
    admins in scope; audited with the class's students)."""
    governance_service.require_role(actor, *governance_service.STAFF_ROLES)
    governance_service.require_scope(session, actor=actor, school_class_id=school_class_id)
    school_class = session.get(SchoolClass, school_class_id)
    assert school_class is not None
    exam_ids = list(
        session.scalars(
            select(Assessment.id)
            .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
            .where(
                AssessmentClass.school_class_id == school_class_id,
                Assessment.kind == AssessmentKind.EXAM,
            )
        )
    )
    curves = build_class_growth(_papers(session, exam_ids, kept_views), school_class_id)
    student_ids = list(
        session.scalars(select(Student.id).where(Student.school_class_id == school_class_id))
    )
    governance_service.audit(
        session,
        actor=actor,
        action="class_growth_view",
        object_type="school_class",
        object_id=school_class_id,
        student_ids=student_ids,
    )
    return ClassGrowthView(
        school_class_id=school_class_id,
        class_name=school_class.name,
        school_name=school_class.school.name,
        curves=curves,
    )


def mistake_book(
    session: Session,
    *,
    actor: governance_service.Actor,
    student_id: int,
    subject_code: str | None = None,
    kp_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    surface: BookSurface = "view",
) -> MistakeBook:
    """One page of the student's 错题本 across the semester, filtered by subject and point, each
    entry with similar unseen items (staff of the student, the student, their parent;
    audited)."""
    governance_service.require_scope(session, actor=actor, student_id=student_id)
    student = session.get(Student, student_id)
    assert student is not None
    if (
        subject_code is not None
        and session.scalar(select(Subject.id).where(Subject.code == subject_code)) is None
    ):
        raise NotFound(
            _("科目 {subject_code} 不存在").format(subject_code=subject_code),
            code="subject.not_found",
        )
    entries = _wrong_answers(session, student_id)
    subjects = _subject_options(session, entries)
    in_subject = [e for e in entries if subject_code is None or e.subject_code == subject_code]
    kp_counts = Counter(e.kp_id for e in in_subject if e.kp_id is not None)
    kp_names = {e.kp_id: e.kp_name or "" for e in in_subject if e.kp_id is not None}
    positions = _kp_positions(session, list(kp_counts))
    kps = [
        KpOption(k, kp_names[k], n)
        for k, n in sorted(kp_counts.items(), key=lambda kv: positions.get(kv[0], 0))
    ]
    chosen = [e for e in in_subject if kp_id is None or e.kp_id == kp_id]
    shown, page, n_pages = page_of(order(chosen, positions), page, page_size)
    shown = _with_similar(session, student_id, shown)
    governance_service.audit(
        session,
        actor=actor,
        action="mistake_book_pdf" if surface == "pdf" else "mistake_book_view",
        object_type="student",
        object_id=student_id,
    )
    return MistakeBook(
        student_id=student_id,
        student_number=student.student_number,
        name=student.name,
        class_name=student.school_class.name,
        subject_code=subject_code,
        kp_id=kp_id,
        subjects=subjects,
        kps=kps,
        entries=shown,
        n_entries=len(chosen),
        page=page,
        n_pages=n_pages,
    )


def _wrong_answers(session: Session, student_id: int) -> list[BookEntry]:
    """Every item score of the student below the item's full marks, and every homework attempt
    on a bank item that was wrong or partly right, each with its item's main point."""
    rows = session.execute(
        select(
            Score.id,
            Assessment.id,
            Assessment.name,
            Assessment.kind,
            Assessment.held_on,
            Subject.code,
            AssessmentItem.label,
            AssessmentItem.item_id,
            Item.code,
            Item.stem,
            Score.score,
            AssessmentItem.full_score,
            Score.raw_answer,
            Item.answer,
        )
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Assessment, Assessment.id == AssessmentItem.assessment_id)
        .join(Subject, Subject.id == Assessment.subject_id)
        .outerjoin(Item, Item.id == AssessmentItem.item_id)
        .where(
            Score.student_id == student_id,
            AssessmentItem.full_score > 0,
            Score.score < AssessmentItem.full_score - SCORE_TOLERANCE,
        )
    ).all()
    events = session.execute(
        select(
            LearningEvent.id,
            LearningEvent.source,
            LearningEvent.occurred_at,
            Subject.code,
            Item.id,
            Item.code,
            Item.stem,
            func.coalesce(
                LearningEvent.score, case((LearningEvent.is_correct.is_(True), 1.0), else_=0.0)
            ),
            Item.full_score,
            Item.answer,
        )
        .join(Item, Item.id == LearningEvent.item_id)
        .join(Subject, Subject.id == Item.subject_id)
        .where(
            LearningEvent.student_id == student_id,
            (LearningEvent.score < 1.0 - SCORE_TOLERANCE) | LearningEvent.is_correct.is_(False),
        )
    ).all()
    item_ids = sorted({row[7] for row in rows if row[7] is not None} | {row[4] for row in events})
    tags: dict[int, list[tuple[float, int, str]]] = {}
    if item_ids:
        for tagged, kp, weight, kp_name in session.execute(
            select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight, KnowledgePoint.name)
            .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
            .where(ItemKp.item_id.in_(item_ids))
        ).all():
            tags.setdefault(tagged, []).append((float(weight), int(kp), str(kp_name)))

    def main_point(item_id: int | None) -> tuple[tuple[float, int, str] | None, list[str]]:
        ranked = sorted(tags.get(item_id or -1, []), key=lambda t: (-t[0], t[1]))
        return (ranked[0] if ranked else None), [t[2] for t in ranked[1:]]

    entries = []
    for (
        score_id,
        assessment_id,
        name,
        kind,
        held_on,
        subject_code,
        label,
        item_id,
        item_code,
        stem,
        score,
        full_score,
        raw_answer,
        answer,
    ) in rows:
        main, others = main_point(item_id)
        entries.append(
            BookEntry(
                answer_id=f"s{score_id}",
                assessment_id=assessment_id,
                assessment_name=name,
                assessment_kind=str(kind.value if hasattr(kind, "value") else kind),
                held_on=held_on,
                subject_code=subject_code,
                label=label,
                item_id=item_id,
                item_code=item_code,
                stem=stem,
                score=float(score),
                full_score=float(full_score),
                answer_given=raw_answer,
                correct_answer=answer,
                kp_id=None if main is None else main[1],
                kp_name=None if main is None else main[2],
                other_kp_names=others,
            )
        )
    for (
        event_id,
        source,
        occurred_at,
        subject_code,
        item_id,
        item_code,
        stem,
        share,
        full,
        answer,
    ) in events:
        main, others = main_point(item_id)
        full_score = float(full) if full else 1.0
        entries.append(
            BookEntry(
                answer_id=f"e{event_id}",
                assessment_id=None,
                assessment_name="",
                assessment_kind=str(source),
                held_on=day_of(occurred_at),
                subject_code=subject_code,
                label="",
                item_id=item_id,
                item_code=item_code,
                stem=stem,
                score=round(float(share) * full_score, 2),
                full_score=full_score,
                answer_given=None,
                correct_answer=answer,
                kp_id=None if main is None else main[1],
                kp_name=None if main is None else main[2],
                other_kp_names=others,
            )
        )
    return entries


def _subject_options(session: Session, entries: list[BookEntry]) -> list[SubjectOption]:
    counts = Counter(e.subject_code for e in entries)
    rows = session.execute(
        select(Subject.code, Subject.name)
        .where(Subject.code.in_(list(counts)))
        .order_by(Subject.id)
    ).all()
    return [SubjectOption(code, name, counts[code]) for code, name in rows]


def _kp_positions(session: Session, kp_ids: list[int]) -> dict[int, int]:
    """Curriculum order of the points: grade, semester, position, id."""
    if not kp_ids:
        return {}
    rows = session.execute(
        select(KnowledgePoint.id)
        .where(KnowledgePoint.id.in_(kp_ids))
        .order_by(
            KnowledgePoint.grade_level,
            KnowledgePoint.semester,
            KnowledgePoint.position,
            KnowledgePoint.id,
        )
    ).all()
    return {row[0]: i for i, row in enumerate(rows)}


def _seen_items(session: Session, student_id: int) -> set[int]:
    """Bank items the student has met: on an exam paper they scored, or in a learning event."""
    on_papers = session.scalars(
        select(AssessmentItem.item_id)
        .join(Score, Score.assessment_item_id == AssessmentItem.id)
        .where(Score.student_id == student_id, AssessmentItem.item_id.is_not(None))
    )
    in_events = session.scalars(
        select(LearningEvent.item_id).where(
            LearningEvent.student_id == student_id, LearningEvent.item_id.is_not(None)
        )
    )
    return {int(i) for i in on_papers if i is not None} | {
        int(i) for i in in_events if i is not None
    }


def _bank(session: Session, subject_code: str) -> list[BankEntry]:
    """The subject's tagged bank items with their calibrated difficulty where a mastery run
    has one (a logit: one scale for every item of the subject)."""
    tags: dict[int, set[int]] = {}
    for item_id, kp in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id)
        .join(Item, Item.id == ItemKp.item_id)
        .join(Subject, Subject.id == Item.subject_id)
        .where(Subject.code == subject_code)
    ).all():
        tags.setdefault(int(item_id), set()).add(int(kp))
    difficulty: dict[int, float] = {}
    try:
        fitted = diagnosis_service.mastery_model(session, subject_code=subject_code)
    except (NotReady, NotFound):
        fitted = None
    if fitted is not None:
        values = np.asarray(fitted.model.difficulty_, dtype=np.float64)
        difficulty = {
            item_id: float(values[i])
            for i, item_id in enumerate(fitted.item_ids)
            if i < values.size and np.isfinite(values[i])
        }
    return [
        BankEntry(item_id, frozenset(kps), difficulty.get(item_id))
        for item_id, kps in sorted(tags.items())
    ]


def _with_similar(session: Session, student_id: int, entries: list[BookEntry]) -> list[BookEntry]:
    """The entries with up to three similar unseen bank items each."""
    wanted = [e for e in entries if e.item_id is not None]
    if not wanted:
        return entries
    seen = _seen_items(session, student_id)
    banks = {code: _bank(session, code) for code in sorted({e.subject_code for e in wanted})}
    indexes = {code: {b.item_id: b for b in bank} for code, bank in banks.items()}
    picks: dict[tuple[str, int], list[int]] = {}
    for entry in wanted:
        assert entry.item_id is not None
        key = (entry.subject_code, entry.item_id)
        if key not in picks:
            found = similar_items(
                entry.item_id,
                banks[entry.subject_code],
                seen=seen,
                index=indexes[entry.subject_code],
            )
            picks[key] = [b.item_id for b in found]
    ids = sorted({i for chosen in picks.values() for i in chosen})
    items = (
        {
            row[0]: SimilarItem(row[0], row[1], row[2], row[3])
            for row in session.execute(
                select(Item.id, Item.code, Item.stem, Item.answer).where(Item.id.in_(ids))
            ).all()
        }
        if ids
        else {}
    )
    return [
        replace(e, similar=[items[i] for i in picks.get((e.subject_code, e.item_id or -1), [])])
        for e in entries
    ]
