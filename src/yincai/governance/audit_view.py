"""The audit log in words, for the district admin's page: actors by name and role, actions and
objects described (学生 张三（学号 …）, 班级 …), the students each view showed.

Rows store ids only; names are looked up here, a query per kind of object for a whole page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import Assessment, District, School, SchoolClass, Student, Teacher
from yincai.governance.actions import action_words, object_type_words
from yincai.governance.audit import AuditPage
from yincai.governance.models import AuditEvent
from yincai.governance.scope import (
    visible_assessment_ids,
    visible_class_ids,
    visible_school_ids,
    visible_student_ids,
)
from yincai.i18n import _, pgettext, translate

N_STUDENTS_NAMED = 5  # per row; the rest are counted ("等 40 名学生")
ROLE_WORDS = {
    Role.DISTRICT_ADMIN: pgettext("audit", "区管理员"),
    Role.SCHOOL_ADMIN: pgettext("audit", "学校管理员"),
    Role.TEACHER: pgettext("audit", "教师"),
    Role.STUDENT: pgettext("audit", "学生"),
    Role.PARENT: pgettext("audit", "家长"),
}
_SCOPE_ALONE = {
    "system": pgettext("audit", "系统"),
    "cli": pgettext("audit", "命令行"),
    "job": pgettext("audit", "后台任务"),
    "benchmark": pgettext("audit", "基准测试"),
    "anonymous": pgettext("audit", "未登录"),
}


@dataclass(frozen=True)
class AuditLine:
    """One audit row as a person reads it."""

    event_id: int
    at: datetime
    actor: str
    action: str
    action_code: str
    object: str
    scope: str
    path: str | None
    students: list[str]
    n_students: int


@dataclass
class _Names:
    """Id → words for every object a page of rows mentions."""

    accounts: dict[int, str] = field(default_factory=dict)
    students: dict[int, str] = field(default_factory=dict)
    classes: dict[int, str] = field(default_factory=dict)
    schools: dict[int, str] = field(default_factory=dict)
    districts: dict[int, str] = field(default_factory=dict)
    assessments: dict[int, str] = field(default_factory=dict)
    teachers: dict[int, str] = field(default_factory=dict)


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _wanted(events: list[AuditEvent], shown: dict[int, list[int]]) -> dict[str, set[int]]:
    """The ids of each kind the rows mention: objects, scopes, and the students shown."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.user_account_id is not None:
            ids["account"].add(event.user_account_id)
        kind = {"school_class": "class", "user_account": "account"}.get(
            event.object_type, event.object_type
        )
        if kind in ("account", "student", "class", "school", "district", "assessment"):
            if (number := _int(event.object_id)) is not None:
                ids[kind].add(number)
        elif kind == "exam_report":  # "<assessment>:district|school:<id>|class:<id>"
            parts = event.object_id.split(":")
            if (number := _int(parts[0])) is not None:
                ids["assessment"].add(number)
            if len(parts) == 3 and (number := _int(parts[2])) is not None:
                ids[parts[1]].add(number)
        scope_kind, _colon, scope_id = event.scope.partition(":")
        if (number := _int(scope_id)) is not None:
            ids[{"child": "student"}.get(scope_kind, scope_kind)].add(number)
        ids["student"].update(shown.get(event.id, []))
    return ids


def _names(session: Session, ids: dict[str, set[int]], actor: UserAccount, language: str) -> _Names:
    """Words for the ids in the viewer's own scope; an object outside it (a refused request's
    target in another district) stays a bare id, so the audit page leaks no name."""
    names = _Names()
    if ids["account"]:
        for account in session.scalars(
            select(UserAccount).where(
                UserAccount.id.in_(ids["account"]), UserAccount.district_id == actor.district_id
            )
        ):
            names.accounts[account.id] = translate(
                _("{name}（{role}，{username}）").format(
                    name=account.display_name,
                    role=ROLE_WORDS[account.role],
                    username=account.username,
                ),
                language,
            )
    if ids["student"]:
        for student_id, name, number in session.execute(
            select(Student.id, Student.name, Student.student_number).where(
                Student.id.in_(ids["student"]), Student.id.in_(visible_student_ids(actor))
            )
        ):
            names.students[student_id] = translate(
                _("{name}（学号 {number}）").format(name=name, number=number), language
            )
    if ids["class"]:
        for class_id, class_name, school_name in session.execute(
            select(SchoolClass.id, SchoolClass.name, School.name)
            .join(School, School.id == SchoolClass.school_id)
            .where(SchoolClass.id.in_(ids["class"]), SchoolClass.id.in_(visible_class_ids(actor)))
        ):
            names.classes[class_id] = f"{school_name} {class_name}"
    if ids["school"]:
        for school_id, name in session.execute(
            select(School.id, School.name).where(
                School.id.in_(ids["school"]), School.id.in_(visible_school_ids(actor))
            )
        ):
            names.schools[school_id] = name
    if actor.district_id in ids["district"]:
        names.districts[actor.district_id] = (
            session.scalar(select(District.name).where(District.id == actor.district_id)) or ""
        )
    if ids["teacher"]:
        for teacher_id, name in session.execute(
            select(Teacher.id, Teacher.name).where(
                Teacher.id.in_(ids["teacher"]), Teacher.school_id.in_(visible_school_ids(actor))
            )
        ):
            names.teachers[teacher_id] = name
    if ids["assessment"]:
        for assessment_id, name, code in session.execute(
            select(Assessment.id, Assessment.name, Assessment.code).where(
                Assessment.id.in_(ids["assessment"]),
                Assessment.id.in_(visible_assessment_ids(actor)),
            )
        ):
            names.assessments[assessment_id] = translate(
                _("{name}（{code}）").format(name=name, code=code), language
            )
    return names


def _object(event: AuditEvent, names: _Names, language: str) -> str:
    noun = object_type_words(event.object_type, language)
    number = _int(event.object_id)
    lookup = {
        "student": names.students,
        "school_class": names.classes,
        "class": names.classes,
        "school": names.schools,
        "district": names.districts,
        "assessment": names.assessments,
        "user_account": names.accounts,
    }.get(event.object_type)
    if lookup is not None and number is not None:
        return f"{noun} {lookup.get(number, f'#{number}')}"
    if event.object_type == "exam_report":
        parts = event.object_id.split(":")
        exam = names.assessments.get(_int(parts[0]) or -1, f"#{parts[0]}")
        where = translate(pgettext("audit", "全区"), language)
        if len(parts) == 3:
            table = names.classes if parts[1] == "class" else names.schools
            where = table.get(_int(parts[2]) or -1, f"#{parts[2]}")
        return f"{noun} {exam} · {where}"
    if event.object_type == "route" and event.path:  # the route's template is shown beside
        return noun
    return f"{noun} {event.object_id}"


def _scope(scope: str, names: _Names, language: str) -> str:
    if scope in _SCOPE_ALONE:
        return str(translate(_SCOPE_ALONE[scope], language))
    kind, _colon, raw = scope.partition(":")
    number = _int(raw) or -1
    words = {
        "district": (pgettext("audit scope", "全区"), names.districts),
        "school": (pgettext("audit scope", "本校"), names.schools),
        "teacher": (pgettext("audit scope", "任教班级"), names.teachers),
        "student": (pgettext("audit scope", "本人"), names.students),
        "child": (pgettext("audit scope", "孩子"), names.students),
    }.get(kind)
    if words is None:
        return scope
    line = _("{scope}：{name}").format(scope=words[0], name=words[1].get(number, f"#{raw}"))
    return str(translate(line, language))


def describe(
    session: Session, page: AuditPage, *, actor: UserAccount, language: str = "zh"
) -> list[AuditLine]:
    """The rows of one page of the audit log, in words (names only within ``actor``'s scope)."""
    names = _names(session, _wanted(page.events, page.students), actor, language)
    nobody = "—"
    lines = []
    for event in page.events:
        shown = page.students.get(event.id, [])
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        who = (
            names.accounts.get(event.user_account_id, f"#{event.user_account_id}")
            if event.user_account_id is not None
            else nobody
        )
        lines.append(
            AuditLine(
                event_id=event.id,
                at=at,
                actor=who,
                action=action_words(event.action, language),
                action_code=event.action,
                object=_object(event, names, language),
                scope=_scope(event.scope, names, language),
                path=event.path,
                students=[names.students.get(s, f"#{s}") for s in shown[:N_STUDENTS_NAMED]],
                n_students=len(shown),
            )
        )
    return lines
