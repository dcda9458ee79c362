"""The fairness page for district administrators: the newest report of their district, when it
was computed, its progress while the job computes a newer one, and a button to recompute."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.fairness import report, service
from yincai.fairness.models import ReportState
from yincai.i18n import Message, _
from yincai.science.fairness import TARGET_GAP
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.templating import GENDER_NAMES, SETTING_NAMES, STAGE_NAMES, templates

router = APIRouter(prefix="/governance/fairness", include_in_schema=False)

SECTION_NAMES = {
    "mastery": _("掌握度：预测答对率与之后考试的实际得分"),
    "decline": _("学业下滑预警：预警与之后考试标准分是否下降"),
    "decline_score": _("下滑综合信号：排序与之后考试标准分是否下降"),
    "absence": _("长期缺考预警：预警与之后考试是否缺考"),
}
METRIC_NAMES = {
    "auc": _("区分度 AUC"),
    "calibration_error": _("校准误差 ECE"),
    "mean_error": _("平均误差"),
    "recall": _("检出率"),
    "precision": _("精确率"),
    "false_positive_rate": _("误报率"),
}
DIMENSION_NAMES = {
    "setting": _("学校所在地"),
    "stage": _("学校类型"),
    "gender": _("性别"),
    "activities": _("文体活动"),
}
GROUP_NAMES: dict[str, Message] = {
    **SETTING_NAMES,
    **STAGE_NAMES,
    **GENDER_NAMES,
    "many": _("文体活动多"),
    "others": _("其他学生"),
}


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _display(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's rows by section, with names and the words for each gap above the target."""
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in content["rows"]:
        low, high = row["low"], row["high"]
        words = None
        if row["meets_target"] is False and low is not None and high is not None:
            words = report.GAP_WORDS[(row["section"], row["metric"])].format(
                low=GROUP_NAMES[low], high=GROUP_NAMES[high], gap=_number(row["max_gap"])
            )
        sections.setdefault(row["section"], []).append(
            {
                "metric": METRIC_NAMES[row["metric"]],
                "dimension": DIMENSION_NAMES[row["dimension"]],
                "groups": [
                    {"name": GROUP_NAMES[g["label"]], "value": _number(g["value"]), "n": g["n"]}
                    for g in row["groups"]
                ],
                "hidden": [GROUP_NAMES[g] for g in row["hidden"]],
                "max_gap": _number(row["max_gap"]),
                "meets_target": row["meets_target"],
                "words": words,
            }
        )
    return [
        {"key": key, "title": SECTION_NAMES[key], "rows": rows} for key, rows in sections.items()
    ]


def _context(request: Request, session: DbSession, user: CurrentUser) -> dict[str, Any]:
    settings = request.app.state.settings
    view = service.report_view(session, actor=user, min_group=settings.export_min_group)
    session.commit()
    pending = view.pending
    return {
        "view": view,
        "sections": _display(view.content) if view.content else [],
        "content": view.content,
        "pending": pending,
        "is_finished": pending is None or pending.state is ReportState.FAILED or view.is_stalled,
        "is_worker_running": request.app.state.jobs.is_worker_running(),
        "has_activities": view.content is not None and "activities" in view.content["dimensions"],
        "target_gap": TARGET_GAP,
    }


@router.get("", response_class=HTMLResponse)
def fairness_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The fairness of the mastery estimates and early warnings across groups of students."""
    context = _context(request, session, user)
    return templates.TemplateResponse(request, "fairness/index.html", context)


@router.get("/progress", response_class=HTMLResponse)
def fairness_progress(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The progress part of the page, which polls it until the computation ends."""
    context = _context(request, session, user)
    response = templates.TemplateResponse(request, "fairness/_progress.html", context)
    if context["is_finished"]:
        response.headers["HX-Refresh"] = "true"  # the whole page again, with the new report
    return response


@router.post("/refresh")
def refresh(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """Compute the report of the current data (in the job worker) and follow it."""
    settings = request.app.state.settings
    requested = service.request_report(session, actor=user, min_group=settings.export_min_group)
    session.commit()
    if requested.needs_queue:
        request.app.state.jobs.queue_fairness(requested.report.id)
    return RedirectResponse("/governance/fairness", status_code=303)
