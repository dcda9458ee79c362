from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import ROLES, SCOPE_CASES, actor, build_world
from yincai.errors import Forbidden, NotFound
from yincai.governance import service

KINDS = {
    "school": "school_id",
    "class": "school_class_id",
    "student": "student_id",
    "assessment": "assessment_id",
}
VISIBLE = {
    "school": service.visible_school_ids,
    "class": service.visible_class_ids,
    "student": service.visible_student_ids,
    "assessment": service.visible_assessment_ids,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_role_reaches_its_own_objects_and_is_refused_others(
    session: Session, role: str, kind: str
) -> None:
    world = build_world(session)
    user = actor(session, world, role)
    inside, outside = SCOPE_CASES[role][kind]
    if inside is not None:
        service.require_scope(session, actor=user, **{KINDS[kind]: world[inside]})
    with pytest.raises(Forbidden):
        service.require_scope(session, actor=user, **{KINDS[kind]: world[outside]})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_visible_ids_filter_lists_like_the_checks(session: Session, role: str, kind: str) -> None:
    world = build_world(session)
    user = actor(session, world, role)
    visible = set(session.scalars(VISIBLE[kind](user)))
    inside, outside = SCOPE_CASES[role][kind]
    if inside is not None:
        assert world[inside] in visible
    assert world[outside] not in visible
    for object_id in visible:  # everything listed passes the one-object check
        service.require_scope(session, actor=user, **{KINDS[kind]: object_id})


def test_teacher_sees_exactly_the_students_of_the_classes_they_teach(session: Session) -> None:
    world = build_world(session)
    visible = set(session.scalars(service.visible_student_ids(actor(session, world, "teacher"))))
    assert visible == {world["A1"], world["A2"]}


def test_parent_sees_only_the_own_child(session: Session) -> None:
    world = build_world(session)
    visible = set(session.scalars(service.visible_student_ids(actor(session, world, "parent"))))
    assert visible == {world["A1"]}


def test_a_missing_object_is_not_found_and_a_disabled_actor_is_forbidden(session: Session) -> None:
    world = build_world(session)
    admin = actor(session, world, "district_admin")
    with pytest.raises(NotFound):
        service.require_scope(session, actor=admin, student_id=10**9)
    admin.is_active = False
    with pytest.raises(Forbidden):
        service.require_scope(session, actor=admin, student_id=world["A1"])


def test_scope_label_holds_ids_only(session: Session) -> None:
    world = build_world(session)
    labels = {role: service.scope_of(actor(session, world, role)) for role in ROLES}
    assert labels["district_admin"] == f"district:{world['D1']}"
    assert labels["school_admin"] == f"school:{world['S1']}"
    assert labels["teacher"] == f"teacher:{world['T1']}"
    assert labels["student"] == f"student:{world['A1']}"
    assert labels["parent"] == f"child:{world['A1']}"
    assert session.scalar(select(1))  # the session is still usable


def test_the_system_sees_every_object_but_not_one_that_does_not_exist(session: Session) -> None:
    world = build_world(session)
    for kind, keys in (("student", ("A1", "X9")), ("class", ("C1a", "CX"))):
        for key in keys:
            service.require_scope(session, actor=service.CLI, **{KINDS[kind]: world[key]})
    assert {world["A1"], world["X9"]} <= set(
        session.scalars(service.visible_student_ids(service.JOB))
    )
    with pytest.raises(NotFound):
        service.require_scope(session, actor=service.CLI, student_id=10**9)
    service.require_students(session, actor=service.CLI, student_ids=[world["A1"], world["X9"]])


def test_many_students_are_checked_like_one(session: Session) -> None:
    world = build_world(session)
    teacher = actor(session, world, "teacher")
    service.require_students(session, actor=teacher, student_ids=[world["A1"], world["A2"]])
    with pytest.raises(service.OutOfScope) as refused:
        service.require_students(session, actor=teacher, student_ids=[world["A1"], world["B1"]])
    assert (refused.value.object_type, refused.value.object_id) == ("student", world["B1"])
    with pytest.raises(NotFound):
        service.require_students(session, actor=teacher, student_ids=[world["A1"], 10**9])


def test_the_system_is_audited_without_an_account_under_its_purpose(session: Session) -> None:
    world = build_world(session)
    event = service.audit(
        session,
        actor=service.BENCHMARK,
        action="view_student",
        object_type="student",
        object_id=world["A1"],
    )
    assert (event.user_account_id, event.scope) == (None, "benchmark")
