"""``yincai practice …``: personalised practice sets and re-teaching plans in the terminal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from yincai.accounts.actors import CLI
from yincai.cli_support import command_app, command_session
from yincai.practice import service
from yincai.practice.plans import PracticeSet, ReteachPlan

app = command_app(
    help="个性化练习与补教建议 / personalised practice and re-teaching", no_args_is_help=True
)
console = Console()
STEM_WIDTH = 60

ItemsOption = Annotated[int, typer.Option("-n", "--items", min=1, help="题目数 / items per set")]
AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="截至日期 / as of this day (YYYY-MM-DD)"),
]
BandOption = Annotated[
    str, typer.Option("--band", help="目标答对率区间 / desirable predicted success, e.g. 0.6-0.8")
]
SchoolOption = Annotated[str, typer.Option("--school", help="学校代码 / school code")]
ClassOption = Annotated[str, typer.Option("--class", help="班级 / class name")]
SubjectOption = Annotated[str, typer.Option("--subject", help="科目代码 / subject code")]


def _band(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.replace("–", "-").split("-"))
    except ValueError:
        console.print(f"[red]区间格式应为 0.6-0.8 / band must look like 0.6-0.8, got {text}[/]")
        raise typer.Exit(code=2) from None
    return low, high


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.date()


def _short(text: str, width: int = STEM_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@app.command("student")
def student(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="学号 / student number")],
    n_items: ItemsOption = 10,
    band: BandOption = "0.6-0.8",
    as_of: AsOfOption = None,
    subject: SubjectOption = "MATH",
) -> None:
    """一名学生的个性化练习（含答案）/ one student's practice set with its answer key."""
    with command_session(ctx) as session:
        practice = service.student_practice(
            session,
            student_number=number,
            n_items=n_items,
            success_band=_band(band),
            as_of=_day(as_of),
            subject_code=subject,
            actor=CLI,
        )
    print_practice(practice)


@app.command("class")
def school_class(
    ctx: typer.Context,
    school: SchoolOption,
    class_name: ClassOption,
    n_items: ItemsOption = 10,
    band: BandOption = "0.6-0.8",
    as_of: AsOfOption = None,
    subject: SubjectOption = "MATH",
    detail: Annotated[
        bool, typer.Option("--detail", help="逐个打印每人的练习 / print every set in full")
    ] = False,
) -> None:
    """全班每人一份练习 / a practice set for every student of a class."""
    with command_session(ctx) as session:
        sets = service.class_practice(
            session,
            school_code=school,
            class_name=class_name,
            n_items=n_items,
            success_band=_band(band),
            as_of=_day(as_of),
            subject_code=subject,
            actor=CLI,
        )
    table = Table(title=f"{school} {class_name} 个性化练习 / practice sets ({len(sets)})")
    for column in ("学号", "姓名", "薄弱知识点（按优先级）", "先修", "题数", "题型", "区间内"):
        table.add_column(column)
    for practice in sets:
        weak = sorted((t for t in practice.targets if t.role == "weak"), key=lambda t: t.rank)
        table.add_row(
            practice.student_number,
            practice.student_name,
            "、".join(t.kp_name for t in weak),
            "、".join(t.kp_name for t in practice.targets if t.role == "prerequisite"),
            str(len(practice.items)),
            str(len({item.item_type for item in practice.items})),
            str(sum(item.is_in_band for item in practice.items)),
        )
    console.print(table)
    if detail:
        for practice in sets:
            print_practice(practice)


@app.command("reteach")
def reteach(
    ctx: typer.Context,
    school: SchoolOption,
    class_name: ClassOption,
    as_of: AsOfOption = None,
    subject: SubjectOption = "MATH",
) -> None:
    """班级补教建议：需重讲的知识点与诊断题 / points to re-teach and their diagnostic items."""
    with command_session(ctx) as session:
        plan = service.reteach_plan(
            session,
            school_code=school,
            class_name=class_name,
            as_of=_day(as_of),
            subject_code=subject,
            actor=CLI,
        )
    print_reteach(plan)


def print_practice(practice: PracticeSet) -> None:
    """A practice set as three tables: targets, items with reasons, answer key."""
    console.print(
        f"[bold]{practice.student_name}[/]（{practice.student_number}）"
        f"{practice.school_name} {practice.class_name} — 截至 {practice.reference_on}"
    )
    console.print(practice.summary)
    targets = Table(title="练习的知识点 / targeted points")
    for column in ("知识点", "类型", "优先级", "掌握水平", "80% 区间", "作答", "题数", "理由"):
        targets.add_column(column)
    for target in practice.targets:
        targets.add_row(
            target.kp_name,
            "薄弱" if target.role == "weak" else "先修",
            str(target.rank) if target.rank else "—",
            f"{target.level:.2f}",
            f"{target.level_low:.2f}–{target.level_high:.2f}",
            str(target.n_evidence),
            str(target.n_items),
            target.reason,
        )
    console.print(targets)
    items = Table(title="题目 / items")
    for column in ("序号", "题型", "题目", "知识点", "预计答对率", "理由"):
        items.add_column(column)
    for item in practice.items:
        stem = _short(item.stem)
        if item.options:
            stem += "\n" + _short("  ".join(item.options))
        items.add_row(
            str(item.position),
            item.type_name,
            stem,
            "、".join(item.kp_names),
            f"{item.predicted_success:.2f}" + ("" if item.is_in_band else " *"),
            item.reason,
        )
    console.print(items)
    key = Table(title="答案 / answer key")
    for column in ("序号", "题号", "答案", "满分"):
        key.add_column(column)
    for item in practice.items:
        key.add_row(str(item.position), item.item_code, item.answer, f"{item.full_score:g}")
    console.print(key)


def print_reteach(plan: ReteachPlan) -> None:
    """A re-teaching plan: one row per point, then its diagnostic items."""
    console.print(
        f"[bold]{plan.school_name} {plan.class_name}[/] 补教建议 / re-teaching plan "
        f"（{plan.n_students} 人）"
    )
    points = Table(title="需重讲的知识点 / points to re-teach")
    for column in ("#", "知识点", "平均掌握水平", "低于 0.5", "后续依赖", "理由"):
        points.add_column(column)
    for place, point in enumerate(plan.points, start=1):
        points.add_row(
            str(place),
            point.kp_name,
            f"{point.mean_level:.2f}",
            f"{point.n_below}/{point.n_students}",
            str(point.n_dependants),
            point.reason,
        )
    console.print(points)
    items = Table(title="诊断题 / diagnostic items")
    for column in ("知识点", "题号", "题型", "题目", "答案", "理由"):
        items.add_column(column)
    for point in plan.points:
        for item in point.items:
            items.add_row(
                point.kp_name,
                item.item_code,
                item.type_name,
                _short(item.stem),
                item.answer,
                item.reason,
            )
    console.print(items)
