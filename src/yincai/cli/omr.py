"""``yincai omr read``: read a folder of scanned answer sheets against a template, to JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from yincai.cli_support import command_app, settings_of
from yincai.i18n import translate
from yincai.omr.batch import Batch, Sheet
from yincai.omr.batch import read_files as read_scan_files
from yincai.omr.read import PageReading
from yincai.omr.scans import scan_files
from yincai.omr.templates import load_layout

app = command_app(help="答题卡识别 / answer-sheet reading", no_args_is_help=True)
console = Console()


def _page_json(page: PageReading) -> dict[str, Any]:
    return {
        "source": page.source,
        "page": page.page,
        "student_source": page.student_source,
        "calibration": {"empty": page.calibration.empty, "filled": page.calibration.filled},
        "flags": list(page.flags),
        "fields": {
            f.label: {"value": f.value, "confidence": list(f.confidence), "flags": list(f.flags)}
            for f in page.fields
        },
        "joined": page.joined,
    }


def _sheet_json(sheet: Sheet) -> dict[str, Any]:
    return {
        "roll_number": sheet.student_number,
        "answers": sheet.answers(),
        "review": {label: list(flags) for label, flags in sheet.review().items()},
        "missing_pages": list(sheet.missing_pages),
        "pages": [_page_json(sheet.pages[n]) for n in sorted(sheet.pages)],
    }


def batch_json(batch: Batch, language: str = "zh") -> dict[str, Any]:
    """The batch as JSON-ready data: sheets, unidentified pages, problems."""
    return {
        "n_pages": batch.n_pages,
        "sheets": [_sheet_json(s) for s in batch.sheets],
        "unidentified": [_page_json(p) for p in batch.unidentified],
        "problems": [
            {"source": p.source, "code": p.code, "reason": str(translate(p.reason, language))}
            for p in batch.problems
        ],
    }


@app.command("read")
def read(
    ctx: typer.Context,
    scans: Annotated[list[Path], typer.Argument(help="扫描文件或文件夹（PNG/JPEG/PDF）/ scans")],
    template: Annotated[
        Path, typer.Option("--template", help="版式 JSON 或 OMRChecker template.json", exists=True)
    ],
    json_path: Annotated[Path, typer.Option("--json", help="结果 JSON 文件 / output JSON")],
    workers: Annotated[int, typer.Option(help="并行进程数 / processes")] = 1,
) -> None:
    """识别答题卡：考号、答案、每个选项的置信度、待复核项 / read sheets to JSON."""
    layout = load_layout(template)
    files = scan_files(scans)
    with console.status("识别中 / reading"):
        batch = read_scan_files(files, layout, workers=workers, with_crops=False)
    result = batch_json(batch, settings_of(ctx).language)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    n_review = sum(1 for s in batch.sheets if s.review())
    console.print(
        f"{len(batch.sheets)} 份答题卡 / sheets · {n_review} 份待复核 / to review · "
        f"{len(batch.problems)} 个问题 / problems → {json_path}"
    )
