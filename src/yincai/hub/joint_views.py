"""A student's joint exams (联考) for the profile page: 总分 by the one rule
(``rules.joint_totals``: only a complete sitting has one) and each subject's result.

The profile's caller has checked the scope and audits the view; staff see each subject's score,
the student and their parent bands (等级) only: of each subject and of the 总分. Subject
strengths (偏科) need the district's scores and live on the analysis capability's page, which
this one links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import Assessment, JointExam, Sitting, Subject
from yincai.domain.queries import full_scores, sitting_totals
from yincai.rules import grade_band, joint_totals


@dataclass(frozen=True)
class JointSubject:
    name: str
    score: float | None  # None: not sat (缺考), or not shown (family)
    band: str | None  # None: not sat
    full_score: float


@dataclass(frozen=True)
class JointResult:
    """One joint exam of a student: 总分 and its band (both None unless every subject was sat;
    the 总分 also None where scores are not shown) and its subjects."""

    joint_exam_id: int
    name: str
    held_on: date
    total: float | None
    total_band: str | None
    full_score: float
    subjects: list[JointSubject]


def student_joint_results(
    session: Session, *, student_id: int, shows_scores: bool
) -> list[JointResult]:
    """The joint exams the student sat any paper of, newest first."""
    joints = session.scalars(
        select(JointExam)
        .where(
            JointExam.id.in_(
                select(Assessment.joint_exam_id)
                .join(Sitting, Sitting.assessment_id == Assessment.id)
                .where(Sitting.student_id == student_id)
            )
        )
        .order_by(JointExam.held_on.desc(), JointExam.code)
    ).all()
    if not joints:
        return []
    papers = session.execute(
        select(Assessment.joint_exam_id, Assessment.id, Subject.name)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(Assessment.joint_exam_id.in_([joint.id for joint in joints]))
        .order_by(Subject.id, Assessment.id)
    ).all()
    ids = [int(row[1]) for row in papers]
    full = full_scores(session, ids)
    totals = {
        row.assessment_id: row.total
        for row in sitting_totals(session, assessment_ids=ids, student_ids=[student_id])
    }
    results = []
    for joint in joints:
        mine = [(int(a), str(name)) for j, a, name in papers if j == joint.id]
        scores = np.array(
            [[np.nan if totals.get(a) is None else totals[a] for a, _ in mine]], dtype=np.float64
        )
        total = float(joint_totals(scores)[0])
        subjects = []
        for a, name in mine:
            score, full_score = totals.get(a), full.get(a, 0.0)
            band = grade_band(score, full_score) if score is not None and full_score > 0 else None
            subjects.append(JointSubject(name, score if shows_scores else None, band, full_score))
        joint_full = sum(full.get(a, 0.0) for a, _ in mine)
        complete = not np.isnan(total) and joint_full > 0
        results.append(
            JointResult(
                joint_exam_id=joint.id,
                name=joint.name,
                held_on=joint.held_on,
                total=total if complete and shows_scores else None,
                total_band=grade_band(total, joint_full) if complete else None,
                full_score=joint_full,
                subjects=subjects,
            )
        )
    return results
