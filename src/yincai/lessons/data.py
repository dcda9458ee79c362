"""What a lesson plan reads about one class in one subject, loaded once for all its points.

- the curriculum: the subject's points with their chapter and section, prerequisites and the
  points that build on them (``knowledge_point``, ``kp_prerequisite``);
- the class's mastery of each point from the stored estimates (``diagnosis``: one level, one
  rule of bands), students without a guardian's consent left out; which points the class has
  met (``diagnosis.teaching``);
- the item bank: each item's main points (at least half its tag weight, the practice's rule)
  and the class's mean predicted success on it (``practice.estimates``);
- the class's answers: per bank item, the scored answers, the score rate and the most frequent
  wrong answers (``analysis.review.typical_wrong``, the 讲评's rule);
- the library: the lesson note on each point (知识要点 · 例题讲解 · 易错提醒).

The caller (``lessons.service``) has checked the actor's role and scope.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.analysis.review import typical_wrong
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.diagnosis.levels import MasteryBand
from yincai.domain.models import (
    AssessmentItem,
    Item,
    ItemKp,
    KnowledgePoint,
    KpLevel,
    KpPrerequisite,
    Resource,
    ResourceKp,
    SchoolClass,
    Score,
    Student,
    Subject,
)
from yincai.errors import NotReady
from yincai.lessons.exercises import Relation
from yincai.lessons.plan import BankItem, Note, PointContext, PointRef, PointState
from yincai.library.models import ResourceChunk
from yincai.practice.data import MAIN_TAG_WEIGHT
from yincai.practice.estimates import ItemParameters, predicted_success

NOTE_PARTS = {"知识要点": "key_points", "例题讲解": "examples", "易错提醒": "pitfalls"}
PREFERRED_KIND = "讲义"  # a lesson note before any other resource on the point


@dataclass(frozen=True)
class _Point:
    kp_id: int
    code: str
    name: str
    level: KpLevel
    parent_id: int | None
    position: int


@dataclass(frozen=True)
class _Item:
    item_id: int
    stem: str
    options: tuple[str, ...]
    answer: str
    main_kps: tuple[int, ...]


@dataclass
class _Answers:
    n: int = 0
    score_sum: float = 0.0
    raw: list[tuple[object, float]] = field(default_factory=list)


@dataclass(frozen=True)
class ClassSubject:
    """One class in one subject: everything ``context`` needs for any of its points."""

    school_class_id: int
    class_name: str
    school_name: str
    grade_level: int
    subject_code: str
    subject_name: str
    points: dict[int, _Point]
    prerequisites: dict[int, list[int]]
    dependants: dict[int, list[int]]
    states: dict[int, PointState]
    items: dict[int, _Item]
    items_on: dict[int, list[int]]
    success: dict[int, float]
    answers: dict[int, tuple[int, float, tuple[tuple[str, int], ...]]]
    notes: dict[int, Note]
    student_ids: list[int]  # students whose estimates were read
    n_without_consent: int
    has_class_data: bool


def load(
    session: Session, *, actor: Actor, school_class: SchoolClass, subject: Subject
) -> ClassSubject:
    """Everything about ``school_class`` in ``subject`` (scope checked by the caller)."""
    points = {
        row.id: _Point(row.id, row.code, row.name, row.level, row.parent_id, row.position)
        for row in session.scalars(
            select(KnowledgePoint).where(KnowledgePoint.subject_id == subject.id)
        )
    }
    prerequisites: dict[int, list[int]] = defaultdict(list)
    dependants: dict[int, list[int]] = defaultdict(list)
    for kp, needed in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
        .where(KpPrerequisite.knowledge_point_id.in_(list(points)))
        .order_by(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        if needed in points:
            prerequisites[kp].append(needed)
            dependants[needed].append(kp)
    items, items_on = _bank(session, subject.id)
    in_class = list(
        session.scalars(
            select(Student.id)
            .where(Student.school_class_id == school_class.id)
            .order_by(Student.id)
        )
    )
    states, success, student_ids, n_blocked, has_data = _mastery(
        session, actor, school_class, subject, points, in_class, items
    )
    return ClassSubject(
        school_class_id=school_class.id,
        class_name=school_class.name,
        school_name=school_class.school.name,
        grade_level=school_class.grade.level,
        subject_code=subject.code,
        subject_name=subject.name,
        points=points,
        prerequisites=dict(prerequisites),
        dependants=dict(dependants),
        states=states,
        items=items,
        items_on=items_on,
        success=success,
        answers=_answers(session, school_class.id, items),
        notes=_notes(session, list(points)),
        student_ids=student_ids,
        n_without_consent=n_blocked,
        has_class_data=has_data,
    )


def _is_point(point: _Point) -> bool:
    return point.level is KpLevel.POINT


def context(data: ClassSubject, kp_id: int) -> PointContext:
    """What the draft of ``kp_id`` reads (a point of the subject)."""
    point = data.points[kp_id]
    prerequisites = sorted(
        (data.states.get(k) or _no_state(data, k) for k in data.prerequisites.get(kp_id, [])),
        key=lambda s: (s.mean_level is None, s.mean_level or 0.0, s.point.code),
    )
    linked = {kp_id, *data.prerequisites.get(kp_id, []), *data.dependants.get(kp_id, [])}
    siblings = [  # a sibling that is also a prerequisite or a dependant counts as that
        p.kp_id
        for p in sorted(data.points.values(), key=lambda p: (p.position, p.code))
        if p.parent_id == point.parent_id and p.kp_id not in linked and _is_point(p)
    ]
    neighbours = [
        *((k, Relation.SIBLING, rank) for rank, k in enumerate(siblings)),
        *((s.point.kp_id, Relation.PREREQUISITE, rank) for rank, s in enumerate(prerequisites)),
        *((k, Relation.DEPENDANT, rank) for rank, k in enumerate(data.dependants.get(kp_id, []))),
    ]
    candidates = [
        _bank_item(data, item_id, kp_id, Relation.POINT, 0)
        for item_id in data.items_on.get(kp_id, [])
    ]
    for neighbour, relation, rank in neighbours:
        candidates += [
            _bank_item(data, item_id, neighbour, relation, rank)
            for item_id in data.items_on.get(neighbour, [])
        ]
    return PointContext(
        school_class_id=data.school_class_id,
        class_name=data.class_name,
        school_name=data.school_name,
        grade_level=data.grade_level,
        subject_code=data.subject_code,
        subject_name=data.subject_name,
        point=_ref(point),
        path=" · ".join(_path(data, point)),
        state=data.states.get(kp_id) or _no_state(data, kp_id),
        prerequisites=prerequisites,
        dependants=[_ref(data.points[k]) for k in data.dependants.get(kp_id, [])],
        items=candidates,
        note=data.notes.get(kp_id),
        n_students=len(data.student_ids),
        n_without_consent=data.n_without_consent,
        has_class_data=data.has_class_data,
    )


def _ref(point: _Point) -> PointRef:
    return PointRef(point.kp_id, point.code, point.name)


def _path(data: ClassSubject, point: _Point) -> list[str]:
    """The names of the chapter and section above the point (the subject's own node left out)."""
    names = []
    parent = data.points.get(point.parent_id) if point.parent_id else None
    while parent is not None and parent.level is not KpLevel.SUBJECT:
        names.append(parent.name)
        parent = data.points.get(parent.parent_id) if parent.parent_id else None
    return list(reversed(names)) or [point.name]


def _no_state(data: ClassSubject, kp_id: int) -> PointState:
    return PointState(
        point=_ref(data.points[kp_id]),
        mean_level=None,
        n_needs_work=0,
        n_basic=0,
        n_proficient=0,
        n_no_evidence=len(data.student_ids),
        is_taught=False,
    )


def _bank_item(
    data: ClassSubject, item_id: int, kp_id: int, relation: Relation, rank: int
) -> BankItem:
    item = data.items[item_id]
    n, score_sum, wrong = data.answers.get(item_id, (0, 0.0, ()))
    return BankItem(
        item_id=item_id,
        kp_id=kp_id,
        kp_name=data.points[kp_id].name,
        relation=relation,
        stem=item.stem,
        options=item.options,
        answer=item.answer,
        success=data.success.get(item_id),
        rank=rank,
        n_answers=n,
        score_sum=score_sum,
        wrong_answers=wrong,
    )


def _bank(session: Session, subject_id: int) -> tuple[dict[int, _Item], dict[int, list[int]]]:
    """The subject's items and, per point, the items whose main point it is."""
    rows = session.execute(
        select(Item.id, Item.stem, Item.options, Item.answer)
        .where(Item.subject_id == subject_id)
        .order_by(Item.id)
    ).all()
    tags: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for item_id, kp_id, weight in session.execute(
        select(ItemKp.item_id, ItemKp.knowledge_point_id, ItemKp.weight)
        .join(Item, Item.id == ItemKp.item_id)
        .where(Item.subject_id == subject_id)
    ):
        tags[item_id].append((kp_id, float(weight)))
    items: dict[int, _Item] = {}
    items_on: dict[int, list[int]] = defaultdict(list)
    for item_id, stem, options, answer in rows:
        weights = tags.get(item_id, [])
        total = sum(w for _kp, w in weights)
        main = tuple(kp for kp, w in weights if total > 0 and w / total >= MAIN_TAG_WEIGHT)
        items[item_id] = _Item(item_id, stem, tuple(str(o) for o in options or ()), answer, main)
        for kp in main:
            items_on[kp].append(item_id)
    return items, dict(items_on)


def _mastery(
    session: Session,
    actor: Actor,
    school_class: SchoolClass,
    subject: Subject,
    points: dict[int, _Point],
    in_class: list[int],
    items: dict[int, _Item],
) -> tuple[dict[int, PointState], dict[int, float], list[int], int, bool]:
    """The class's states per point and mean predicted success per item, from the stored
    estimates; without a ready run, no states (the plan says so) and no success."""
    try:
        table = diagnosis_service.class_mastery(
            session, actor=actor, school_class_id=school_class.id, subject_code=subject.code
        )
        fitted = diagnosis_service.mastery_model(session, subject_code=subject.code)
        met = diagnosis_service.class_met_points(session, fitted, school_class_id=school_class.id)
    except NotReady:
        return {}, {}, in_class, 0, False
    blocked = set(table.without_consent)
    rows = [r for r, s in enumerate(table.student_ids) if s not in blocked]
    states = {}
    for k, kp_id in enumerate(fitted.kp_ids):
        if kp_id not in points:
            continue
        bands = [
            levels.band(
                float(table.mastery[r, k]),
                n_evidence=int(table.n_evidence[r, k]),
                is_taught=k in met,
            )
            for r in rows
        ]
        with_evidence = [r for r in rows if table.n_evidence[r, k] > 0]
        states[kp_id] = PointState(
            point=_ref(points[kp_id]),
            mean_level=float(table.mastery[with_evidence, k].mean()) if with_evidence else None,
            n_needs_work=bands.count(MasteryBand.NEEDS_WORK),
            n_basic=bands.count(MasteryBand.BASIC),
            n_proficient=bands.count(MasteryBand.PROFICIENT),
            n_no_evidence=len(rows) - len(with_evidence),
            is_taught=k in met,
        )
    success: dict[int, float] = {}
    known = [i for i, item_id in enumerate(fitted.item_ids) if item_id in items]
    if rows and known:
        chances = predicted_success(
            ItemParameters.of(fitted.model),
            table.logit_mean[rows],
            table.logit_sd[rows],
            np.asarray(known, dtype=np.int64),
        ).mean(axis=0)
        success = {fitted.item_ids[i]: float(p) for i, p in zip(known, chances, strict=True)}
    cleared = [table.student_ids[r] for r in rows]
    return states, success, cleared, len(blocked), True


def _answers(
    session: Session, school_class_id: int, items: dict[int, _Item]
) -> dict[int, tuple[int, float, tuple[tuple[str, int], ...]]]:
    """Per bank item: the class's scored answers, their summed score rate, typical wrong ones."""
    found: dict[int, _Answers] = defaultdict(_Answers)
    full_of: dict[int, float] = {}
    rows = session.execute(
        select(AssessmentItem.item_id, Score.score, AssessmentItem.full_score, Score.raw_answer)
        .join(AssessmentItem, AssessmentItem.id == Score.assessment_item_id)
        .join(Student, Student.id == Score.student_id)
        .where(
            Student.school_class_id == school_class_id,
            AssessmentItem.item_id.is_not(None),
            AssessmentItem.full_score > 0,
        )
    )
    for item_id, score, full, raw in rows:
        if item_id not in items:
            continue
        answers = found[item_id]
        answers.n += 1
        answers.score_sum += float(score) / float(full)
        answers.raw.append((raw, float(score)))
        full_of[item_id] = float(full)
    return {
        item_id: (
            a.n,
            a.score_sum,
            tuple((w.answer, w.count) for w in typical_wrong(a.raw, full_of[item_id])),
        )
        for item_id, a in found.items()
    }


def _notes(session: Session, kp_ids: list[int]) -> dict[int, Note]:
    """The library's note on each point: a 讲义 before other kinds, then by code."""
    tagged = session.execute(
        select(ResourceKp.knowledge_point_id, Resource.id, Resource.code, Resource.title)
        .join(Resource, Resource.id == ResourceKp.resource_id)
        .where(ResourceKp.knowledge_point_id.in_(kp_ids))
        .order_by(ResourceKp.knowledge_point_id, Resource.kind != PREFERRED_KIND, Resource.code)
    ).all()
    chosen: dict[int, tuple[int, str, str]] = {}
    for kp_id, resource_id, code, title in tagged:
        chosen.setdefault(kp_id, (resource_id, code, title))
    parts: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    resource_ids = sorted({resource_id for resource_id, _code, _title in chosen.values()})
    if resource_ids:
        for resource_id, heading, text in session.execute(
            select(ResourceChunk.resource_id, ResourceChunk.heading, ResourceChunk.text)
            .where(ResourceChunk.resource_id.in_(resource_ids))
            .order_by(ResourceChunk.resource_id, ResourceChunk.position)
        ):
            for prefix, part in NOTE_PARTS.items():
                if heading.startswith(prefix):
                    parts[resource_id][part].append(text)
    return {
        kp_id: Note(
            code=code,
            title=title,
            key_points="\n\n".join(parts[resource_id]["key_points"]),
            examples="\n\n".join(parts[resource_id]["examples"]),
            pitfalls="\n\n".join(parts[resource_id]["pitfalls"]),
        )
        for kp_id, (resource_id, code, title) in chosen.items()
    }
