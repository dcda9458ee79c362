"""``yincai privacy …``: the operator's commands for subject access, erasure, consent, retention
and field keys. Every one is audited; output names counts and ids, never a student's name."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session, settings_of
from yincai.consent.models import ConsentPurpose
from yincai.privacy import service
from yincai.privacy.registry import REGISTRY

app = command_app(
    help="个人信息保护：查阅副本、删除、监护人同意、保存期限 / privacy: access, erasure, consent, "
    "retention.",
    no_args_is_help=True,
)
console = Console()

StudentNumber = Annotated[str, typer.Argument(help="学号 / student number")]
District = Annotated[
    str | None, typer.Option("--district", help="区县代码（学号重复时）/ district code")
]


@app.command("export")
def export(
    ctx: typer.Context,
    student_number: StudentNumber,
    output: Annotated[Path, typer.Option("--output", "-o", help="ZIP 文件 / the ZIP to write")],
    district: District = None,
) -> None:
    """导出某学生的全部数据（ZIP）/ export everything held about a student."""
    with command_session(ctx) as session:
        student = service.find_student(
            session, student_number=student_number, district_code=district
        )
        result = service.export_for(session, actor=CLI, student_id=student.id)
        output.write_bytes(result.data)
    table = Table("数据表 table", "行数 rows", title=f"已写入 / written: {output}")
    for name, count in result.counts.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command("erase")
def erase(
    ctx: typer.Context,
    student_number: StudentNumber,
    district: District = None,
    yes: Annotated[bool, typer.Option("--yes", help="不再确认 / do not ask")] = False,
) -> None:
    """删除某学生的身份与联系信息（学习记录假名化保留）/ erase a student's personal data."""
    with command_session(ctx) as session:
        student_id = service.find_student(
            session, student_number=student_number, district_code=district
        ).id
        if not yes:
            typer.confirm(
                f"将匿名化学生 {student_id}（学号 {student_number}）：删除姓名、学号、出生年份、"
                "监护人与电话、成长档案，注销其账号；成绩等学习记录假名化保留。此操作不可撤销，"
                "继续吗？/ This cannot be undone. Continue?",
                abort=True,
            )
        changed = service.erase(
            session, student_id=student_id, data_dir=Path(settings_of(ctx).data_dir)
        )
    table = Table("数据表 table", "处理 action", "行数 rows", title=f"已匿名化学生 {student_id}")
    for entry in REGISTRY:
        table.add_row(entry.name, entry.erasure.value, str(changed[entry.name]))
    console.print(table)


@app.command("mark-left")
def mark_left(
    ctx: typer.Context,
    student_number: StudentNumber,
    on: Annotated[
        datetime | None, typer.Option("--on", formats=["%Y-%m-%d"], help="离校日期 / day left")
    ] = None,
    back: Annotated[bool, typer.Option("--back", help="撤销：学生已返校 / clear it")] = False,
    district: District = None,
) -> None:
    """记录学生离校（保存期满后由 purge 匿名化）/ record that a student left."""
    left_on = None if back else (on.date() if on else datetime.now(UTC).date())
    with command_session(ctx) as session:
        student = service.find_student(
            session, student_number=student_number, district_code=district
        )
        service.mark_left(session, student_id=student.id, left_on=left_on)
    console.print(
        f"学生 {student.id}："
        + (f"离校日期 {left_on.isoformat()} / left on {left_on}" if left_on else "已返校 / back")
    )


@app.command("purge")
def purge(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只统计，不删除 / count only")] = False,
) -> None:
    """按保存期限清理：过期上传、离校多年的学生 / apply the retention periods."""
    settings = settings_of(ctx)
    with command_session(ctx) as session:
        report = service.purge(session, settings, dry_run=dry_run)
    verb = "将" if report.is_dry_run else "已"
    console.print(
        f"上传文件（保留 {settings.upload_keep_minutes} 分钟）：{verb}删除 {report.n_uploads} 个"
    )
    console.print(
        f"离校学生（保留 {settings.left_student_retention_years} 年）：{verb}匿名化 "
        f"{report.n_students} 名"
    )
    console.print(
        f"审计记录（保留 {settings.audit_retention_days} 天，审计链仍可校验）：{verb}清理 "
        f"{report.n_audit_events} 条"
    )
    console.print(
        f"助教对话（最后一次提问后保留 {settings.assistant_retention_days} 天）：{verb}删除 "
        f"{report.n_conversations} 个"
    )
    if report.is_dry_run:
        console.print("（试运行，未做任何更改 / dry run: nothing changed）")


@app.command("consent")
def consent(
    ctx: typer.Context,
    student_number: StudentNumber,
    withdraw: Annotated[bool, typer.Option("--withdraw", help="撤回同意 / withdraw")] = False,
    given_on: Annotated[
        datetime | None,
        typer.Option("--given-on", formats=["%Y-%m-%d"], help="同意书签署日期 / day signed"),
    ] = None,
    purpose: Annotated[ConsentPurpose, typer.Option(help="用途 / purpose")] = (
        ConsentPurpose.DIAGNOSIS
    ),
    district: District = None,
) -> None:
    """录入监护人签署的纸质同意书（或撤回）/ record a guardian's signed paper consent."""
    with command_session(ctx) as session:
        student = service.find_student(
            session, student_number=student_number, district_code=district
        )
        if withdraw:
            n_withdrawn = service.withdraw_consent(
                session, actor=CLI, student_id=student.id, purpose=purpose
            )
            message = f"已撤回 {n_withdrawn} 项同意 / withdrawn"
        else:
            given_at = given_on.replace(tzinfo=UTC) if given_on else None
            service.give_consent(
                session, actor=CLI, student_id=student.id, purpose=purpose, given_at=given_at
            )
            message = "已录入同意 / consent recorded"
    console.print(f"学生 {student.id}（{purpose.value}）：{message}")


@app.command("encrypt-fields")
def encrypt_fields(ctx: typer.Context) -> None:
    """用当前密钥加密（或重新加密）监护人电话等字段 / (re-)encrypt fields with the current key."""
    with command_session(ctx) as session:
        n_rewritten = service.encrypt_fields(session)
    console.print(f"已加密 {n_rewritten} 个字段值 / values rewritten under the current key")
