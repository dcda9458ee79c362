"""``yincai bench``: measure the platform and its science on generated and public data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from yincai.cli_support import command_app, settings_of

app = command_app(help="基准测试 / benchmarks", no_args_is_help=True)
console = Console(width=150)  # wide enough for every metric column, also when piped

DatasetsOption = Annotated[
    Path,
    typer.Option("--datasets", help="公开数据集目录 / folder of public datasets", exists=True),
]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="把结果写成 JSON / write the rows as JSON")
]


def print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    """One table per suite: the case columns, then every metric."""
    suites = list(dict.fromkeys(str(row.get("suite", "")) for row in rows))
    if len(suites) > 1:
        for suite in suites:
            print_rows(f"{title} · {suite}", [r for r in rows if r.get("suite", "") == suite])
        return
    if not rows:
        return
    keys = [k for k in ("dataset", "case", "kind", "model") if any(k in row for row in rows)]
    metrics: list[str] = []
    for row in rows:
        metrics.extend(m for m in row["metrics"] if m not in metrics)
    errors = ["error"] if any("error" in row for row in rows) else []  # a model that failed
    table = Table(title=title)
    for key in keys:
        table.add_column(key)
    for metric in metrics:
        table.add_column(metric, justify="right")
    for key in errors:
        table.add_column(key, overflow="fold")
    for row in rows:
        values = [row["metrics"].get(m) for m in metrics]
        table.add_row(
            *(str(row.get(k, "")) for k in keys),
            *(_cell(v) for v in values),
            *(str(row.get(k, "")) for k in errors),
        )
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | dict):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.4f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return f"{value:,}"


def write_json(path: Path | None, rows: list[dict[str, Any]]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    console.print(f"写入 / wrote {path}")


@app.command("import")
def bench_import(
    students: Annotated[int, typer.Option(help="考生人数 / examinees")] = 100_000,
    json_path: JsonOption = None,
) -> None:
    """成绩导入吞吐量 / score import throughput into SQLite (rows per second)."""
    from yincai.bench import imports

    rows = imports.run(n_students=students)
    print_rows("成绩导入 / score import", rows)
    write_json(json_path, rows)


@app.command("marking-workflow")
def bench_marking_workflow(
    answers: Annotated[int, typer.Option("--answers", min=10, help="答卷数 / answers")] = 600,
    markers: Annotated[int, typer.Option("--markers", min=3, help="阅卷教师 / markers")] = 20,
    json_path: JsonOption = None,
) -> None:
    """网络阅卷吞吐 / online marking: concurrent markers in 2+1 mode, marks per second."""
    from yincai.bench import marking_workflow

    rows = marking_workflow.run(n_answers=answers, n_markers=markers)
    print_rows("网络阅卷 / online marking", rows)
    write_json(json_path, rows)


@app.command("irt")
def bench_irt(json_path: JsonOption = None) -> None:
    """IRT 2PL 标定速度与参数还原 / 2PL calibration speed and parameter recovery."""
    from yincai.bench import irt

    rows = irt.run()
    print_rows("IRT 2PL (MML-EM)", rows)
    write_json(json_path, rows)


@app.command("diagnosis")
def bench_diagnosis(
    datasets: DatasetsOption,
    json_path: JsonOption = None,
    deep: Annotated[
        bool,
        typer.Option(
            "--deep",
            help="也单独跑 DKT 与 AttentionKT（需 torch）/ also the torch models on their own",
        ),
    ] = False,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol",
            help="知识追踪：full（完整序列）、chunks（DKVMN 的 200 次切段）或 both / "
            "knowledge tracing on full histories, DKVMN's chunks of 200, or both",
        ),
    ] = "both",
) -> None:
    """诊断模型基准：知识追踪与认知诊断 / every diagnosis model on every dataset folder in DIR."""
    from yincai.bench import diagnosis

    chosen = {"full": (diagnosis.FULL_HISTORIES,), "chunks": (diagnosis.DKVMN_CHUNKS,)}
    if protocol not in (*chosen, "both"):
        raise typer.BadParameter("full | chunks | both", param_hint="--protocol")
    rows = diagnosis.run(datasets, deep=deep, protocols=chosen.get(protocol, diagnosis.PROTOCOLS))
    print_rows("诊断模型 / diagnosis models", rows)
    write_json(json_path, rows)


@app.command("cdm-scale")
def bench_cdm_scale(
    kps: Annotated[int, typer.Option("--kps", min=2, help="知识点数 / knowledge points")] = 100,
    items: Annotated[int, typer.Option("--items", min=2, help="题目数 / items")] = 600,
    students: Annotated[int, typer.Option("--students", min=10, help="学生数 / students")] = 50_000,
    models: Annotated[
        list[str] | None, typer.Option("--model", help="DINA / GDINA（可重复 / repeatable）")
    ] = None,
    json_path: JsonOption = None,
) -> None:
    """区县规模认知诊断 / DINA and G-DINA on a simulated district exam with a prerequisite graph."""
    from yincai.bench import cdm_scale

    rows = cdm_scale.run(
        n_kps=kps, n_items=items, n_students=students, models=models or ("DINA", "GDINA")
    )
    print_rows("区县规模认知诊断 / cognitive diagnosis at district size", rows)
    write_json(json_path, rows)


@app.command("reports")
def bench_reports(ctx: typer.Context, json_path: JsonOption = None) -> None:
    """考试报告生成速度 / every exam's reports at district, school and class scope (built demo)."""
    from yincai.bench import reports

    rows = reports.run(settings_of(ctx).data_dir)
    print_rows("考试报告 / exam reports", rows)
    write_json(json_path, rows)


@app.command("mastery")
def bench_mastery(ctx: typer.Context, json_path: JsonOption = None) -> None:
    """掌握度诊断对照示范区真值 / mastery against the demo district's hidden ground truth."""
    from yincai.bench import mastery

    rows = mastery.run(settings_of(ctx).data_dir)
    print_rows("知识点掌握 vs 真值 / mastery vs ground truth", rows)
    write_json(json_path, rows)


@app.command("fairness")
def bench_fairness(ctx: typer.Context, json_path: JsonOption = None) -> None:
    """公平性：各组掌握度与预警的 AUC、校准与误差差距 / fairness gaps against the demo truth."""
    from yincai.bench import fairness

    settings = settings_of(ctx)
    rows = fairness.run(settings.data_dir, settings)
    print_rows("公平性 / fairness by group", fairness.display_rows(rows))
    write_json(json_path, rows)


@app.command("practice")
def bench_practice(ctx: typer.Context, json_path: JsonOption = None) -> None:
    """个性化练习：推荐质量与 50 人耗时 / practice quality and timing (built demo)."""
    from yincai.bench import practice

    rows = practice.run(settings_of(ctx).data_dir)
    print_rows("个性化练习 / personalised practice", rows)
    write_json(json_path, rows)


@app.command("cockpit")
def bench_cockpit(
    ctx: typer.Context,
    json_path: JsonOption = None,
    think_s: Annotated[
        float | None,
        typer.Option(
            "--think-s",
            min=0.0,
            help="用户阅读页面的平均秒数（默认 5；0 为压力测试）/ mean think time (0: stress)",
        ),
    ] = None,
) -> None:
    """预警对照真值与各页并发延迟 / early warnings vs planted cases, every page's p95."""
    from yincai.bench import cockpit

    think = cockpit.THINK_S if think_s is None else think_s
    rows = cockpit.run(settings_of(ctx).data_dir, think_s=think)
    print_rows("驾驶舱预警与并发 / cockpit warnings and latency", rows)
    write_json(json_path, rows)


@app.command("assistant")
def bench_assistant(
    json_path: JsonOption = None,
    questions: Annotated[
        Path, typer.Option("--questions", help="标注问题集 / labelled questions (JSON lines)")
    ] = Path("tests/library/questions.jsonl"),
) -> None:
    """资源库检索：recall@5、MRR 与回答 p95 / library retrieval on the labelled questions."""
    from yincai.bench import assistant

    rows = assistant.run(questions)
    print_rows("资源库检索 / library retrieval", rows)
    write_json(json_path, rows)


@app.command("marking")
def bench_marking(
    sheets: Annotated[int, typer.Option(help="每种情形的答题卡数 / sheets per case")] = 20,
    json_path: JsonOption = None,
) -> None:
    """答题卡识别：气泡准确率、复核率、单核每秒张数 / sheet reading accuracy and speed."""
    from yincai.bench import marking

    rows = marking.run(n_sheets=sheets)
    print_rows("答题卡识别 / answer-sheet reading", rows)
    write_json(json_path, rows)


@app.command("all")
def bench_all(
    datasets: DatasetsOption,
    json_path: JsonOption = None,
    demo_dir: Annotated[
        Path, typer.Option("--demo-dir", help="示范区数据目录（没有就生成）/ demo district folder")
    ] = Path("bench-results/demo"),
) -> None:
    """全部基准 / every benchmark: imports, IRT, diagnosis datasets, then the demo district."""
    from yincai.bench import (
        assistant,
        cockpit,
        diagnosis,
        fairness,
        imports,
        irt,
        marking,
        mastery,
        practice,
        reports,
    )

    _ensure_demo(demo_dir)
    rows: list[dict[str, Any]] = []
    suites: tuple[tuple[str, Callable[[], list[dict[str, Any]]]], ...] = (
        ("成绩导入 / score import", lambda: imports.run(n_students=100_000)),
        ("IRT 2PL (MML-EM)", irt.run),
        ("答题卡识别 / answer-sheet reading", marking.run),
        ("资源库检索 / library retrieval", assistant.run),
        ("诊断模型 / diagnosis models", lambda: diagnosis.run(datasets)),
        ("知识点掌握 vs 真值 / mastery vs ground truth", lambda: mastery.run(demo_dir)),
        ("公平性 / fairness by group", lambda: fairness.run(demo_dir)),
        ("考试报告 / exam reports", lambda: reports.run(demo_dir)),
        ("个性化练习 / personalised practice", lambda: practice.run(demo_dir)),
        ("驾驶舱预警与并发 / cockpit warnings and latency", lambda: cockpit.run(demo_dir)),
    )
    for title, run in suites:
        suite = run()
        is_fairness = any(row.get("suite") == "fairness" for row in suite)
        print_rows(title, fairness.display_rows(suite) if is_fairness else suite)
        rows.extend(suite)
    write_json(json_path, rows)


def _ensure_demo(demo_dir: Path) -> None:
    """The seeded 6,500-student demo district the demo-based suites measure (built once)."""
    from yincai.cli_support import prepared_engine
    from yincai.config import Settings
    from yincai.db import session_scope
    from yincai.demo.build import build_demo_district

    settings = Settings(data_dir=demo_dir)
    if settings.ground_truth_path.is_file():
        return
    engine = prepared_engine(settings)
    try:
        with (
            console.status("生成示范区 / building the demo district"),
            session_scope(engine) as session,
        ):
            build_demo_district(session, ground_truth_path=settings.ground_truth_path, seed=0)
    finally:
        engine.dispose()
