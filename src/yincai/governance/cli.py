"""``yincai user ...``: the operator's account commands (add, passwd, list, disable,
reset-two-factor)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.cli_support import command_app, command_session
from yincai.domain.models import District, School, Student, Teacher
from yincai.errors import Invalid, NotFound
from yincai.governance import service
from yincai.i18n import _

app = command_app(help="账号管理 / user accounts.", no_args_is_help=True)


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    role: Annotated[Role, typer.Option(help="角色 / role")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="密码")
    ],
    display_name: Annotated[str, typer.Option(help="显示名 / display name")] = "",
    school: Annotated[str | None, typer.Option(help="学校代码（学校管理员）/ school code")] = None,
    staff_number: Annotated[str | None, typer.Option(help="工号（教师）/ staff number")] = None,
    student_number: Annotated[
        str | None, typer.Option(help="学号（学生、家长）/ student number")
    ] = None,
    temporary: Annotated[
        bool,
        typer.Option(
            "--temporary",
            help="临时密码：首次登录须修改 / temporary password, changed at first login",
        ),
    ] = False,
) -> None:
    """新建账号 / create an account."""
    with command_session(ctx) as session:
        district_id = session.scalar(select(District.id).order_by(District.id))
        if district_id is None:
            raise NotFound(_("还没有区县数据，请先导入花名册"), code="district.none")
        school_id = teacher_id = student_id = None
        if school:
            school_id = session.scalar(select(School.id).where(School.code == school))
            if school_id is None:
                raise Invalid(
                    _("找不到学校 {school}").format(school=school), code="school.not_found"
                )
        if staff_number:
            teacher = session.scalar(select(Teacher).where(Teacher.staff_number == staff_number))
            if teacher is None:
                raise Invalid(
                    _("找不到工号 {staff_number}").format(staff_number=staff_number),
                    code="teacher.not_found",
                )
            teacher_id, school_id = teacher.id, teacher.school_id
        if student_number:
            student = session.scalar(
                select(Student).where(Student.student_number == student_number)
            )
            if student is None:
                raise Invalid(
                    _("找不到学号 {student_number}").format(student_number=student_number),
                    code="student.not_found",
                )
            student_id, school_id = student.id, student.school_class.school_id
        service.create_account(
            session,
            username=username,
            password=password,
            role=role,
            display_name=display_name or username,
            district_id=district_id,
            school_id=school_id,
            teacher_id=teacher_id,
            student_id=student_id,
            must_change_password=temporary,
        )
    Console().print(f"账号已创建 / account created: {username} ({role.value})")


def _account(session: Session, username: str) -> UserAccount:
    account = session.scalar(select(UserAccount).where(UserAccount.username == username))
    if account is None:
        raise NotFound(
            _("账号 {username} 不存在").format(username=username), code="account.not_found"
        )
    return account


@app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="新密码")
    ],
    temporary: Annotated[
        bool,
        typer.Option(
            "--temporary",
            help="临时密码：下次登录须修改 / temporary password, changed at the next login",
        ),
    ] = False,
) -> None:
    """重设密码 / set a new password (the account's sessions end)."""
    with command_session(ctx) as session:
        account = _account(session, username)
        service.set_password(session, account=account, password=password, is_temporary=temporary)
        service.audit(
            session,
            actor=None,
            action="password_reset",
            object_type="user_account",
            object_id=account.id,
            scope="cli",
        )
    Console().print(f"密码已重设 / password set: {username}")


@app.command("disable")
def disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名 / username")],
    enable: Annotated[bool, typer.Option("--enable", help="重新启用 / enable again")] = False,
) -> None:
    """停用（或重新启用）账号 / disable (or enable) an account."""
    with command_session(ctx) as session:
        account = _account(session, username)
        account.is_active = enable
        if not enable:
            service.revoke_sessions(session, account=account)
        service.audit(
            session,
            actor=None,
            action="account_enable" if enable else "account_disable",
            object_type="user_account",
            object_id=account.id,
            scope="cli",
        )
    Console().print(f"{username}: {'已启用 / enabled' if enable else '已停用 / disabled'}")


@app.command("reset-two-factor")
def reset_two_factor(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="用户名 / username")]
) -> None:
    """重置两步验证（手机丢失）/ clear an account's authenticator (lost phone)."""
    with command_session(ctx) as session:
        account = _account(session, username)
        service.reset_two_factor(session, actor=None, user_account_id=account.id)
    Console().print(f"两步验证已重置 / two-factor reset: {username}")


@app.command("list")
def list_accounts(ctx: typer.Context) -> None:
    """列出账号 / list the accounts."""
    with command_session(ctx) as session:
        accounts = session.scalars(
            select(UserAccount).order_by(UserAccount.role, UserAccount.username)
        ).all()
        table = Table("用户名 username", "角色 role", "姓名 name", "状态 active")
        for account in accounts:
            table.add_row(
                account.username,
                account.role.value,
                account.display_name,
                "✓" if account.is_active else "✗",
            )
    Console().print(table)
