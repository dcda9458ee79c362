"""One joint exam (联考) loaded once into arrays: students × subjects, each cell the student's
total of that subject's paper (the hub's one rule, ``hub_service.sitting_totals``), NaN where the
subject was not sat.

A student is in the data when they have a sitting of any paper, or when their class sat any
paper (a student the sheet left out counts as not having sat, as in ``analysis.data``).
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yincai.analysis.joint_scores import JointData
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    JointExam,
    School,
    SchoolClass,
    Sitting,
    Student,
    Subject,
)
from yincai.hub import service as hub_service


def load_joint_data(session: Session, joint: JointExam) -> JointData:
    """Read the papers, students and subject totals of one joint exam."""
    papers = session.execute(
        select(Assessment.id, Subject.code, Subject.name)
        .join(Subject, Subject.id == Assessment.subject_id)
        .where(Assessment.joint_exam_id == joint.id)
        .order_by(Subject.id, Assessment.id)
    ).all()
    assessment_ids = [int(row[0]) for row in papers]
    full = hub_service.full_scores(session, assessment_ids)
    sat_classes = select(AssessmentClass.school_class_id).where(
        AssessmentClass.assessment_id.in_(assessment_ids)
    )
    with_sitting = select(Sitting.student_id).where(Sitting.assessment_id.in_(assessment_ids))
    students = session.execute(
        select(
            Student.id,
            Student.student_number,
            Student.name,
            Student.school_class_id,
            SchoolClass.name,
            SchoolClass.school_id,
            School.name,
            School.code,
        )
        .join(SchoolClass, SchoolClass.id == Student.school_class_id)
        .join(School, School.id == SchoolClass.school_id)
        .where(or_(Student.school_class_id.in_(sat_classes), Student.id.in_(with_sitting)))
        .order_by(School.code, SchoolClass.name, Student.student_number)
    ).all()
    row_of = {int(row[0]): k for k, row in enumerate(students)}
    column_of = {assessment_id: k for k, assessment_id in enumerate(assessment_ids)}
    scores = np.full((len(students), len(assessment_ids)), np.nan)
    for sitting in hub_service.sitting_totals(session, assessment_ids=assessment_ids):
        row = row_of.get(sitting.student_id)
        if row is not None and sitting.total is not None:
            scores[row, column_of[sitting.assessment_id]] = sitting.total
    return JointData(
        joint_exam_id=joint.id,
        code=joint.code,
        name=joint.name,
        held_on=joint.held_on,
        grade_level=joint.grade_level,
        district_id=joint.district_id,
        assessment_ids=assessment_ids,
        subject_codes=[str(row[1]) for row in papers],
        subject_names=[str(row[2]) for row in papers],
        full_scores=np.array([full.get(a, 0.0) for a in assessment_ids], dtype=np.float64),
        student_ids=np.array([row[0] for row in students], dtype=np.int64),
        student_numbers=[str(row[1]) for row in students],
        student_names=[str(row[2]) for row in students],
        class_of_student=np.array([row[3] for row in students], dtype=np.int64),
        school_of_student=np.array([row[5] for row in students], dtype=np.int64),
        class_names={int(row[3]): str(row[4]) for row in students},
        school_of_class={int(row[3]): int(row[5]) for row in students},
        school_names={int(row[5]): str(row[6]) for row in students},
        scores=scores,
    )
