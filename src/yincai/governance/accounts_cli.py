"""``yincai accounts bulk``: create the accounts of everyone on the roster who has none, with a
PDF of account slips (temporary passwords) written to a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session, prepared_engine, settings_of
from yincai.domain.models import District, School
from yincai.errors import Invalid, NotFound
from yincai.governance import bulk_accounts
from yincai.governance.models import AccountSlips
from yincai.i18n import _, translate

app = command_app(help="批量开户 / bulk accounts.", no_args_is_help=True)


@app.callback()
def accounts() -> None:
    """批量开户 / bulk accounts."""


@app.command("bulk")
def bulk(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="账号条 PDF / slips PDF")],
    school: Annotated[
        str | None, typer.Option(help="学校代码；省略则为全区 / school code (none: district)")
    ] = None,
    district: Annotated[str | None, typer.Option(help="区县代码 / district code")] = None,
    url: Annotated[
        str, typer.Option(help="印在账号条上的登录地址 / login address printed on the slips")
    ] = "http://127.0.0.1:8000/",
) -> None:
    """为还没有账号的教师、学生、家长批量创建账号并生成账号条 / create the missing accounts
    and their slips (whole or nothing; running it again creates nobody twice)."""
    settings = settings_of(ctx)
    console = Console()
    with command_session(ctx) as session:
        district_id, school_id = _where(session, district, school)
        batch = bulk_accounts.request_slips(
            session, actor=CLI, school_id=school_id, login_url=url, district_id=district_id
        )
        slips_id = batch.id
    engine = prepared_engine(settings)
    try:

        def show(n_done: int, n_total: int) -> None:
            console.print(f"{n_done} / {n_total}", end="\r")

        bulk_accounts.build_slips(
            engine, slips_id, error_log=settings.error_log_path, on_progress=show
        )
        with Session(engine) as session:
            batch_row = session.get(AccountSlips, slips_id)
            assert batch_row is not None
            if batch_row.state != bulk_accounts.DONE:
                console.print(f"[red]{batch_row.message}[/red]")
                raise typer.Exit(code=1)
            n_accounts = batch_row.n_accounts
            session.refresh(batch_row, attribute_names=["content"])
            assert batch_row.content is not None
            output.write_bytes(batch_row.content)  # first: the only copy of the passwords
        with Session(engine) as session:
            # the file is now the slips document: no copy of the passwords stays in the database
            bulk_accounts.delete_slips(session, actor=CLI, slips_id=slips_id)
            session.commit()
    finally:
        engine.dispose()
    message = _("已创建 {n} 个账号，账号条已写入 {path}").format(n=n_accounts, path=str(output))
    console.print(str(translate(message, settings.language)))


def _where(session: Session, district: str | None, school: str | None) -> tuple[int, int | None]:
    query = select(District.id).order_by(District.id)
    if district is not None:
        query = query.where(District.code == district)
    district_id = session.scalars(query).first()
    if district_id is None:
        raise NotFound(_("还没有区县数据，请先导入花名册"), code="district.none")
    if school is None:
        return district_id, None
    school_id = session.scalar(
        select(School.id).where(School.code == school, School.district_id == district_id)
    )
    if school_id is None:
        raise Invalid(_("找不到学校 {school}").format(school=school), code="school.not_found")
    return district_id, school_id
