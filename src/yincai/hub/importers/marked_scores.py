"""Scores of one item marked online (网络阅卷) written through the score-import path.

A closed marking task is an import like a score sheet: the same plan (``ScoreChanges`` over every
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
    try:
        lock_for_write(session, Assessment, item.assessment_id)
        plan = _plan(session, item, scores, file_name)
        if not plan.has_changes:
            return plan.summary.model_copy(update={"is_unchanged": True})
        plan.apply(session)
        batch = record_batch(session, plan, user_account_id=user_account_id, origin=ORIGIN)
    except (OperationalError, IntegrityError) as error:
        if is_contention(error):
            raise Conflict(BUSY) from error
        raise
    return plan.summary.model_copy(update={"batch_id": batch.id})


def _plan(
    session: Session, item: AssessmentItem, scores: dict[int, float], file_name: str
) -> ScorePlan:
    assessment_id = item.assessment_id
    student_ids = np.array(sorted(scores), dtype=np.int64)
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
    column = int(np.flatnonzero(item_ids == item.id)[0])
    after_scores = before.scores.copy()
    after_scores[:, column] = [scores[int(s)] for s in student_ids.tolist()]
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
    content = json.dumps(sorted(scores.items())).encode()
    summary = ImportSummary(
        kind="scores", file_name=file_name, sha256=digest(content, str(item.id)), n_rows=n
    )
    changes.count(summary)
    return ScorePlan(summary=summary, assessment_id=assessment_id, changes=changes)
