"""The exam report (district, school or class) as a PDF for teachers and leaders."""

from __future__ import annotations

from datetime import UTC, datetime

from yincai.analysis import pdf_charts as charts
from yincai.analysis.details import ExamDetails
from yincai.analysis.exam import ExamReport
from yincai.reports import pdf
from yincai.reports.labels import ITEM_TYPES

MAX_GROUP_COLUMNS = 8  # more class columns than this do not fit an A4 table


def exam_report_pdf(
    report: ExamReport, *, organisation: str | None = None, details: ExamDetails | None = None
) -> bytes:
    """The report's PDF: summary, distribution chart, items, knowledge points, comparisons;
    with ``details`` also the 分数段统计表, the 临界生 per class and the 试卷讲评 per item.
    The 一分一段表 appears only where ``report.shows_ranks``."""
    rates = report.summary.rates
    distribution = charts.distribution_svg(
        report.distribution,
        cutoffs=[
            ("及格", rates.pass_cutoff),
            ("良好", rates.good_cutoff),
            ("优秀", rates.excellent_cutoff),
        ],
    )
    kp_rows = report.knowledge.rows
    kp_chart = (
        charts.svg_img(
            charts.kp_rates_svg(
                kp_rows,
                scope_title=report.scope_title,
                reference_title=None if report.scope.kind == "district" else "全体",
            ),
            alt="知识点得分率",
        )
        if any(row.score_rate is not None for row in kp_rows)
        else None
    )
    groups = report.knowledge.groups
    context = {
        "report": report,
        "organisation": organisation or report.scope_title,
        "distribution_chart": charts.svg_img(distribution, alt="总分分布"),
        "kp_chart": kp_chart,
        "kp_groups": groups if 1 < len(groups) <= MAX_GROUP_COLUMNS else [],
        "item_types": ITEM_TYPES,
        "has_options": any(item.options for item in report.items.items),
        "generated_on": datetime.now(UTC).date().isoformat(),
        "details": details,
        "band_columns": (
            list(range(len(details.bands.groups)))
            if details is not None and len(details.bands.groups) <= MAX_GROUP_COLUMNS + 1
            else [0]
        ),
        "borderline_rows": [] if details is None else borderline_summary(details),
    }
    return pdf.render("exam_report.html", context)


def borderline_summary(details: ExamDetails) -> list[tuple[str, str, int, int]]:
    """(class, line, how many just below, how many just above) for every class and line."""
    return [
        (group.class_name, f"{group.line} {group.cutoff:g}", len(group.below), len(group.above))
        for group in details.borderline.groups
    ]
