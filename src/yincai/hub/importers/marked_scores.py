"""Scores of one item marked online (网络阅卷) written through the score-import path.

A closed marking task (and a batch of scanned sheets: ``import_item_scores``, origin "scan") is
an import like a score sheet: the same plan (``ScoreChanges`` over every
item of the assessment, so each student's sitting total is recomputed), the same lock, the same
history entry, revertible like any score import. The other items' scores are left as stored.
"""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yincai.db import lock_for_write
from yincai.domain.models import Assessment, AssessmentClass, AssessmentItem, Student
from yincai.errors import Conflict, Invalid, NotFound
from yincai.hub.import_runs import BUSY, is_contention
from yincai.hub.importers.common import digest, record_batch
from yincai.hub.importers.scores import ScorePlan
from yincai.hub.importers.scores_store import ScoreChanges, ScoreState, SittingState, load_state
from yincai.hub.schemas import ImportSummary
from yincai.i18n import _

ORIGIN = "marking"


def import_marked_scores(
    session: Session,
    *,
    assessment_item_id: int,
    scores: dict[int, float],
    file_name: str,
    user_account_id: int | None,
) -> ImportSummary:
    """Write one item's scores (student id → score) as a score import in the caller's
    transaction; students' totals are recomputed over every item of the assessment."""
    item = session.get(AssessmentItem, assessment_item_id)
    if item is None:
        raise NotFound(_("小题 {id} 不存在").format(id=assessment_item_id), code="item.not_found")
    return import_item_scores(
        session,
        assessment_id=item.assessment_id,
        scores={item.id: scores},
        file_name=file_name,
        user_account_id=user_account_id,
    )


def import_item_scores(
    session: Session,
    *,
    assessment_id: int,
    scores: dict[int, dict[int, float]],
    file_name: str,
    user_account_id: int | None,
    origin: str = ORIGIN,
) -> ImportSummary:
    """Write some items' scores (item id → student id → score; every item for the same
    students) as one score import; the other items' scores are left as stored."""
    try:
        lock_for_write(session, Assessment, assessment_id)
        plan = _plan(session, assessment_id, scores, file_name)
        if not plan.has_changes:
            return plan.summary.model_copy(update={"is_unchanged": True})
        plan.apply(session)
        batch = record_batch(session, plan, user_account_id=user_account_id, origin=origin)
    except (OperationalError, IntegrityError) as error:
        if is_contention(error):
            raise Conflict(BUSY) from error
        raise
    return plan.summary.model_copy(update={"batch_id": batch.id})


def _plan(
    session: Session, assessment_id: int, scores: dict[int, dict[int, float]], file_name: str
) -> ScorePlan:
    students = sorted({student for by_student in scores.values() for student in by_student})
    student_ids = np.array(students, dtype=np.int64)
    item_ids = np.array(
        session.scalars(
            select(AssessmentItem.id)
            .where(AssessmentItem.assessment_id == assessment_id)
            .order_by(AssessmentItem.position)
        ).all(),
        dtype=np.int64,
    )
    before = load_state(session, assessment_id, student_ids, item_ids)
    if before.sittings.is_absent.any():
        raise Invalid(
            _("有 {n} 名学生记为缺考，却有阅卷得分；请先更正考试状态").format(
                n=int(before.sittings.is_absent.sum())
            ),
            code="marking.absent_student_marked",
        )
    after_scores = before.scores.copy()
    for item_id, by_student in scores.items():
        where = np.flatnonzero(item_ids == item_id)
        if len(where) != 1 or set(by_student) != set(students):
            raise Invalid(_("小题 {id} 的得分不完整").format(id=item_id), code="scores.incomplete")
        after_scores[:, int(where[0])] = [by_student[s] for s in students]
    totals = np.nansum(after_scores, axis=1)
    n = len(student_ids)
    after = ScoreState(
        assessment_id,
        student_ids,
        item_ids,
        SittingState(np.ones(n, dtype=bool), np.zeros(n, dtype=bool), totals),
        after_scores,
    )
    sat = set(
        session.scalars(
            select(AssessmentClass.school_class_id).where(
                AssessmentClass.assessment_id == assessment_id
            )
        )
    )
    new_class_ids: tuple[int, ...] = ()
    if not sat and n:
        new_class_ids = tuple(
            sorted(
                set(
                    session.scalars(
                        select(Student.school_class_id).where(Student.id.in_(student_ids.tolist()))
                    )
                )
            )
        )
    changes = ScoreChanges(before, after, new_class_ids)
    content = json.dumps(sorted((i, sorted(s.items())) for i, s in scores.items())).encode()
    if len(scores) == 1:  # as one marked item always was
        content = json.dumps(sorted(next(iter(scores.values())).items())).encode()
    summary = ImportSummary(
        kind="scores",
        file_name=file_name,
        sha256=digest(content, ",".join(map(str, sorted(scores)))),
        n_rows=n,
    )
    changes.count(summary)
    return ScorePlan(summary=summary, assessment_id=assessment_id, changes=changes)
