"""Recommendations on the demo district: a student's weak points are the stored estimates' weak
points, weakest first with weak prerequisites before them, the reasons' figures are the stored
ones, each point's passages are tagged with it and not above the student's grade; a class's
counts are the students the heatmap shows 需要巩固; pages by role, and one audit row a view."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.analysis.test_pages import Demo, _audits, _client, app, demo
from yincai.accounts.actors import CLI
from yincai.accounts.models import Role
from yincai.config import Settings
from yincai.consent import service as consent_service
from yincai.consent.models import ConsentPurpose
from yincai.consent.service import ConsentRequired
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.domain.models import KnowledgePoint, KpPrerequisite, Resource, ResourceKp, Student
from yincai.library import recommendations

__all__ = ["app", "demo"]  # the report pages' fixtures, shared


def test_a_students_weak_points_come_weakest_first_with_the_stored_figures(
    scoped_session: Session, demo: Demo
) -> None:
    session = scoped_session
    view = recommendations.student_recommendations(
        session, actor=CLI, student_id=demo.student_id, subject_code="MATH"
    )
    stored = {
        row.kp_id: row
        for row in diagnosis_service.student_mastery(
            session, actor=CLI, student_id=demo.student_id, subject_code="MATH"
        )
    }
    weak_ids = sorted(
        (k for k, r in stored.items() if r.is_taught and r.n_evidence and r.mastery < 0.5),
        key=lambda k: (stored[k].mastery, stored[k].kp_code),
    )
    assert view.is_ready and view.shows_numbers and view.points
    listed = [p.weak for p in view.points]
    needs: dict[int, list[int]] = {}
    for kp_id, prerequisite_id in session.execute(
        select(KpPrerequisite.knowledge_point_id, KpPrerequisite.prerequisite_id)
    ):
        needs.setdefault(kp_id, []).append(prerequisite_id)
    expected: list[int] = []
    chosen = weak_ids[:5]

    def visit(kp_id: int) -> None:  # the weakest weak prerequisite first, then the point
        weak_needs = [k for k in needs.get(kp_id, []) if k in weak_ids]
        if weak_needs:
            first = min(weak_needs, key=lambda k: (stored[k].mastery, stored[k].kp_code))
            if first in chosen:
                visit(first)
            elif first not in expected:
                expected.append(first)
        if kp_id not in expected:
            expected.append(kp_id)

    for kp_id in chosen:
        visit(kp_id)
    assert len(expected) <= 10
    assert {w.point.kp_id for w in listed if w.role == "weak"} == set(weak_ids[:5])
    assert [w.point.kp_id for w in listed] == expected
    grade = session.get(Student, demo.student_id).school_class.grade.level  # type: ignore[union-attr]
    for weak in listed:
        row = stored[weak.point.kp_id]
        assert levels.is_weak(row.mastery) and row.n_evidence > 0
        rate = np.mean([e.score for e in row.evidence])
        assert f"掌握度 {row.mastery:.0%}，80% 区间 {row.level_low:.0%}–{row.level_high:.0%}" in (
            str(weak.staff_reason)
        )
        assert f"最近 {len(row.evidence)} 次作答得分率 {rate:.0%}" in str(weak.reason)
        assert "掌握度" not in str(weak.reason)
    for entry in view.points:
        for link in entry.resources:
            tagged = session.scalars(
                select(KnowledgePoint.code)
                .join(ResourceKp, ResourceKp.knowledge_point_id == KnowledgePoint.id)
                .where(ResourceKp.resource_id == link.resource_id)
            ).all()
            assert entry.weak.point.code in tagged and link.passages
            assert (session.get(Resource, link.resource_id).grade_level or 0) <= grade  # type: ignore[union-attr]
    assert sum(bool(e.resources) for e in view.points) == len(view.points)  # one note a point


def test_a_class_counts_the_students_weak_on_each_point(
    scoped_session: Session, demo: Demo
) -> None:
    session = scoped_session
    view = recommendations.class_recommendations(
        session, actor=CLI, school_class_id=demo.school_class_id, subject_code="MATH"
    )
    table = diagnosis_service.class_mastery(
        session, actor=CLI, school_class_id=demo.school_class_id, subject_code="MATH"
    )
    fitted = diagnosis_service.mastery_model(session, subject_code="MATH")
    met = diagnosis_service.class_met_points(session, fitted, school_class_id=demo.school_class_id)
    weak = (table.n_evidence > 0) & (table.mastery < levels.NEEDS_WORK_BELOW)
    counts = {table.kp_ids[k]: int(weak[:, k].sum()) for k in met}
    expected = sorted((n for n in counts.values() if n), reverse=True)[:5]
    assert view.is_ready and view.n_students == len(table.student_ids)
    assert [p.point.point.n_weak for p in view.points] == expected
    for entry in view.points:
        point = entry.point.point
        assert counts[point.kp_id] == point.n_weak
        assert f"{point.n_weak} / {view.n_students} 名学生需要巩固" in str(entry.point.reason)
        assert entry.resources


def test_pages_show_words_to_the_student_and_figures_to_the_teacher(
    app: object, demo: Demo, demo_settings: Settings
) -> None:
    student_views = _audits(demo_settings, "student_resources_view")
    class_views = _audits(demo_settings, "class_resources_view")
    student = _client(app, demo, Role.STUDENT)
    own = student.get(f"/students/{demo.own_student_id}/resources?subject=MATH")
    other = student.get(f"/students/{demo.own_student_id + 1}/resources")
    class_page = student.get(f"/classes/{demo.school_class_id}/resources")
    home = student.get("/home")
    teacher = _client(app, demo, Role.TEACHER)
    of_student = teacher.get(f"/students/{demo.student_id}/resources?subject=MATH")
    of_class = teacher.get(f"/classes/{demo.school_class_id}/resources")
    heatmap = teacher.get(f"/classes/{demo.school_class_id}/mastery?subject=MATH")
    not_taught = teacher.get(f"/classes/{demo.other_class_id}/resources")
    unknown = teacher.get(f"/classes/{demo.school_class_id}/resources?subject=NOPE")
    assert own.status_code == 200 and "薄弱知识点与推荐资源" in own.text
    assert "需要巩固" in own.text and "得分率" in own.text and "掌握度" not in own.text
    assert 'href="/library/' in own.text
    assert other.status_code in (403, 404) and class_page.status_code == 403
    assert f'href="/students/{demo.own_student_id}/resources"' in home.text
    assert of_student.status_code == 200 and "80% 区间" in of_student.text
    assert of_class.status_code == 200 and "名学生需要巩固" in of_class.text
    assert f'href="/classes/{demo.school_class_id}/resources?subject=MATH"' in heatmap.text
    assert not_taught.status_code in (403, 404) and unknown.status_code == 404
    assert _audits(demo_settings, "student_resources_view") == student_views + 2
    assert _audits(demo_settings, "class_resources_view") == class_views + 1


def test_a_student_without_consent_gets_no_recommendations(scoped_session: Session) -> None:
    everyone = list(scoped_session.scalars(select(Student.id)))
    blocked = consent_service.students_without_consent(
        scoped_session, everyone, ConsentPurpose.DIAGNOSIS, today=datetime.now(UTC).date()
    )
    assert blocked  # the demo plants guardians who returned no consent form
    with pytest.raises(ConsentRequired):
        recommendations.student_recommendations(scoped_session, actor=CLI, student_id=min(blocked))
