"""Creating an exam, homework or quiz on the web: its items with full scores and the classes
that sit it. Teachers create them for the classes where they teach the subject, school admins
for their school's classes, district admins for any class (joint exams, 联考). A form with
errors comes back filled in, with the reasons."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.domain.models import District, Grade, School, SchoolClass, Subject
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.governance import service as governance_service
from yincai.hub import service as hub_service
from yincai.hub.importers.assessments import KIND_WORDS
from yincai.hub.importers.parsing import CHINA_TIME
from yincai.hub.schemas import AssessmentItemSpec
from yincai.i18n import _, join
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import templates

router = APIRouter(prefix="/assessments", include_in_schema=False)

MAX_ITEMS = 200
_ITEM_LINE = re.compile(r"^\s*(\S+)\s+([0-9]+(?:\.[0-9]+)?)(?:\s+(\S+))?\s*$")


def _classes(session: Session, user: UserAccount) -> list[tuple[int, str, str, int]]:
    """(id, school name, class name, grade level) of the classes in the user's sight."""
    return [
        (class_id, school, name, level)
        for class_id, school, name, level in session.execute(
            select(SchoolClass.id, School.name, SchoolClass.name, Grade.level)
            .join(School, School.id == SchoolClass.school_id)
            .join(Grade, Grade.id == SchoolClass.grade_id)
            .where(SchoolClass.id.in_(governance_service.visible_class_ids(user)))
            .order_by(School.code, Grade.level, SchoolClass.name)
        )
    ]


def _form(
    request: Request,
    session: Session,
    user: UserAccount,
    *,
    status_code: int = 200,
    **context: object,
) -> Response:
    subjects = session.execute(select(Subject.code, Subject.name).order_by(Subject.id)).all()
    return templates.TemplateResponse(
        request,
        "imports/assessment_form.html",
        {
            "subjects": subjects,
            "classes": _classes(session, user),
            "kinds": {"考试": "exam", "作业": "homework", "测验": "quiz"},
            "values": context.pop("values", {}),
            **context,
        },
        status_code=status_code,
    )


@router.get("/new", response_class=HTMLResponse)
def new_assessment(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The form for a new assessment."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    today = datetime.now(CHINA_TIME).date()
    return _form(request, session, user, values={"held_on": today.isoformat()})


@router.post("/new", response_class=HTMLResponse)
def create(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    code: Annotated[str, Form(max_length=40)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    kind: Annotated[str, Form(max_length=20)] = "exam",
    held_on: Annotated[str, Form(max_length=10)] = "",
    subject: Annotated[str, Form(max_length=32)] = "",
    grade: Annotated[str, Form(max_length=4)] = "",
    items: Annotated[str, Form(max_length=20_000)] = "",
    class_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create the assessment; the form comes back with every problem if anything is wrong."""
    governance_service.require_role(user, *governance_service.STAFF_ROLES)
    chosen = [int(value) for value in class_ids or [] if value.isdigit()]
    values: dict[str, object] = {"code": code, "name": name, "kind": kind, "held_on": held_on,
              "subject": subject, "grade": grade, "items": items, "class_ids": chosen}  # fmt: skip
    try:
        assessment = _create(session, user, values, chosen)
    except (Invalid, Conflict, Forbidden) as problem:
        session.rollback()
        status = {Invalid: 422, Conflict: 409, Forbidden: 403}[type(problem)]
        return _form(
            request, session, user, status_code=status, values=values, error=problem.message
        )
    governance_service.audit(
        session, actor=user, action="assessment_create", object_type="assessment",
        object_id=assessment,
    )  # fmt: skip
    session.commit()
    return RedirectResponse(f"/imports?created={code.strip()}", status_code=303)


def _create(
    session: Session, user: UserAccount, values: dict[str, object], chosen: list[int]
) -> int:
    problems: list[str] = []
    specs = _items(str(values["items"]), problems)
    try:
        day = date.fromisoformat(str(values["held_on"]))
    except ValueError:
        problems.append(_("请填写正确的日期"))
        day = datetime.now(CHINA_TIME).date()
    grade = int(str(values["grade"])) if str(values["grade"]).isdigit() else 0
    if not 1 <= grade <= 12:
        problems.append(_("请选择年级"))
    kind = KIND_WORDS.get(str(values["kind"]))
    if kind is None:
        problems.append(_("请选择类型"))
    subject = session.scalar(select(Subject).where(Subject.code == values["subject"]))
    if subject is None:
        problems.append(_("请选择学科"))
    if problems:
        raise Invalid(join(problems, "；"), details=problems)
    assert subject is not None and kind is not None
    writable = set(session.scalars(governance_service.score_editor_class_ids(user, subject.id)))
    outside = [class_id for class_id in chosen if class_id not in writable]
    if outside:
        raise Forbidden(
            _("您不能为所选的 {n} 个班级布置{subject}考试（须为您任教该学科的班级）").format(
                n=len(outside), subject=subject.name
            ),
            code="assessment.classes_not_yours",
        )
    if not chosen and user.role is not Role.DISTRICT_ADMIN:
        raise Invalid(_("请至少选择一个参考班级"), code="assessment.no_class")
    pairs = [
        (school_code, class_name)
        for school_code, class_name in session.execute(
            select(School.code, SchoolClass.name)
            .join(SchoolClass, SchoolClass.school_id == School.id)
            .where(SchoolClass.id.in_(chosen))
        )
    ]
    district_code = session.scalar(select(District.code).where(District.id == user.district_id))
    assessment = hub_service.create_assessment(
        session,
        code=str(values["code"]).strip(),
        name=str(values["name"]).strip(),
        held_on=day,
        subject_code=subject.code,
        grade_level=grade,
        items=specs,
        kind=kind,
        classes=pairs,
        district_code=district_code,
    )
    return assessment.id


def _items(text: str, problems: list[str]) -> list[AssessmentItemSpec]:
    """One item per line: label, full score and optionally the bank item code."""
    specs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _ITEM_LINE.match(line.replace("，", " ").replace(",", " ").replace("\t", " "))
        if match is None or float(match.group(2)) <= 0 or len(match.group(1)) > 20:
            problems.append(
                _("小题第 {number} 行应写作“题号 满分 [题目编码]”，如 13(1) 8").format(
                    number=number
                )
            )
            continue
        specs.append(
            AssessmentItemSpec(
                label=match.group(1), full_score=float(match.group(2)), item_code=match.group(3)
            )
        )
    if len(specs) > MAX_ITEMS:
        problems.append(_("小题不能超过 {n} 道").format(n=MAX_ITEMS))
    return specs
