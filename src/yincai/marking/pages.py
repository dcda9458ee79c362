"""Marking pages: the marker's page (one crop at a time, blind: no student name or number), the
item leader's page (progress, arbitration and problem queues, marker quality with send-back,
closing the item) and the setup page of an assessment's marking.

Scope checks live in ``marking.service``; forms post back and redirect (303). Bad input comes
back as a 4xx page with a Chinese message (``web/errors.py``), never a 500.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from yincai.errors import Invalid
from yincai.i18n import _
from yincai.marking import scans, service
from yincai.marking.models import AnswerStatus, MarkFlag, MarkingMode
from yincai.marking.rules import MODE_NAMES, parse_score
from yincai.web.deps import CurrentUser, DbSession
from yincai.web.paging import paginate
from yincai.web.templating import templates

router = APIRouter(include_in_schema=False)
FLAG_NAMES = {
    MarkFlag.BLANK: _("空白卷"),
    MarkFlag.ILLEGIBLE: _("字迹无法辨认"),
    MarkFlag.WRONG_REGION: _("切割错误"),
}
SmallText = Annotated[str, Form(max_length=40)]


def _data_uri(image: bytes | None) -> str | None:
    return None if image is None else "data:image/png;base64," + base64.b64encode(image).decode()


def _number(text: str, what: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise Invalid(_("{what}应为数字").format(what=what), code="marking.not_number") from None


@router.get("/marking", response_class=HTMLResponse)
def my_tasks_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The items the teacher marks or leads."""
    tasks = service.my_tasks(session, actor=user)
    return templates.TemplateResponse(request, "marking/tasks.html", {"tasks": tasks})


@router.get("/marking/tasks/{task_id}/mark", response_class=HTMLResponse)
def mark_page(request: Request, task_id: int, session: DbSession, user: CurrentUser) -> Response:
    """The next answer to mark: the crop only, scored with the keyboard."""
    claim = service.next_answer(session, actor=user, task_id=task_id)
    session.commit()
    image = None
    if claim is not None:
        image = service.answer_image(claim, Path(request.app.state.settings.data_dir))
    return templates.TemplateResponse(
        request,
        "marking/mark.html",
        {"task_id": task_id, "claim": claim, "image": _data_uri(image), "flags": FLAG_NAMES},
    )


@router.post("/marking/tasks/{task_id}/mark")
def submit_mark(
    task_id: int,
    session: DbSession,
    user: CurrentUser,
    mark_id: Annotated[int, Form()],
    answer_id: Annotated[int, Form()],
    full_score: Annotated[float, Form()],
    score: SmallText = "",
    flag: SmallText = "",
) -> Response:
    """Record the score (or flag) and hand out the next answer."""
    value = None if flag else parse_score(score, full_score)
    service.submit_mark(
        session, actor=user, mark_id=mark_id, answer_id=answer_id, score=value, flag=flag or None
    )
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/mark", status_code=303)


@router.get("/marking/tasks/{task_id}/lead", response_class=HTMLResponse)
def lead_page(request: Request, task_id: int, session: DbSession, user: CurrentUser) -> Response:
    """The item leader's desk: progress, queues, marker quality."""
    progress = service.task_progress(session, actor=user, task_id=task_id)
    queues = {
        status: [
            (entry, _data_uri(_entry_image(request, entry)))
            for entry in service.arbitration_queue(
                session, actor=user, task_id=task_id, status=status
            )
        ]
        for status in (AnswerStatus.ARBITRATION, AnswerStatus.PROBLEM)
    }
    quality = service.marker_quality(session, actor=user, task_id=task_id)
    session.commit()
    return templates.TemplateResponse(
        request,
        "marking/lead.html",
        {
            "task_id": task_id,
            "progress": progress,
            "arbitration": queues[AnswerStatus.ARBITRATION],
            "problems": queues[AnswerStatus.PROBLEM],
            "quality": quality,
            "flags": FLAG_NAMES,
            "message": request.query_params.get("done", ""),
            "n_proposed": request.query_params.get("n", ""),
        },
    )


def _entry_image(request: Request, entry: service.QueueEntry) -> bytes | None:
    if entry.image is not None:
        return entry.image
    if entry.image_path is None:
        return None
    data_dir = Path(request.app.state.settings.data_dir).resolve()
    path = (data_dir / entry.image_path).resolve()
    return path.read_bytes() if path.is_relative_to(data_dir) and path.is_file() else None


@router.post("/marking/answers/{answer_id}/arbitrate")
def arbitrate(
    answer_id: int,
    session: DbSession,
    user: CurrentUser,
    task_id: Annotated[int, Form()],
    score: SmallText = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """The leader's final score for an answer."""
    service.arbitrate(
        session, actor=user, answer_id=answer_id, score=_number(score, _("分数")), note=note
    )
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/lead", status_code=303)


@router.post("/marking/answers/{answer_id}/return")
def return_problem(
    answer_id: int, session: DbSession, user: CurrentUser, task_id: Annotated[int, Form()]
) -> Response:
    """Send a flagged answer back to the markers."""
    service.return_problem(session, actor=user, answer_id=answer_id)
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/lead", status_code=303)


@router.post("/marking/tasks/{task_id}/send-back")
def send_back(
    task_id: int, session: DbSession, user: CurrentUser, marker_id: Annotated[int, Form()]
) -> Response:
    """Void a marker's marks on this item: their answers are marked again."""
    service.send_back(session, actor=user, task_id=task_id, marker_id=marker_id)
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/lead?done=sent_back", status_code=303)


@router.post("/marking/tasks/{task_id}/machine")
def propose_machine_scores(task_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Machine help for a fill-in item: the recognised answers compared with the key by value;
    markers see each proposal labelled as the machine's, and only their own mark counts."""
    from yincai.science.answer_equivalence import judge  # sympy: loaded when first asked

    n = service.propose_machine_scores(
        session, actor=user, task_id=task_id, judge=lambda text, key: judge(text, key).verdict
    )
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/lead?done=machine&n={n}", status_code=303)


@router.post("/marking/tasks/{task_id}/close")
def close_task(request: Request, task_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Close the item: its scores go into the hub as a score import."""
    service.close_task(session, actor=user, task_id=task_id)
    session.commit()
    request.app.state.jobs.after_import(session)  # mastery estimates refresh in the background
    return RedirectResponse(f"/marking/tasks/{task_id}/lead?done=closed", status_code=303)


@router.post("/marking/tasks/{task_id}/reopen")
def reopen_task(task_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Open a closed item again; closing it again writes a new import."""
    service.reopen_task(session, actor=user, task_id=task_id)
    session.commit()
    return RedirectResponse(f"/marking/tasks/{task_id}/lead", status_code=303)


@router.get("/assessments/{assessment_id}/marking", response_class=HTMLResponse)
def setup_page(
    request: Request, assessment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The marking setup of an assessment: mode, and per item tolerance, markers, leader."""
    view = service.setup_view(session, actor=user, assessment_id=assessment_id)
    session.commit()
    return templates.TemplateResponse(
        request, "marking/setup.html", {"view": view, "modes": MODE_NAMES}
    )


@router.post("/assessments/{assessment_id}/marking")
async def setup(
    request: Request, assessment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Save the marking setup (bad input: a 4xx page with the problem in words)."""
    service.get_session(session, actor=user, assessment_id=assessment_id)  # scope first
    form = await request.form()
    mode = str(form.get("mode", ""))
    if mode not in {m.value for m in MarkingMode}:
        raise Invalid(_("请选择阅卷模式"), code="marking.mode_invalid")
    specs = []
    for key in form:
        if not key.startswith("item_"):
            continue
        item_id = int(key.removeprefix("item_")) if key.removeprefix("item_").isdigit() else 0
        markers = [
            int(v) for v in form.getlist(f"markers_{item_id}") if isinstance(v, str) and v.isdigit()
        ]
        leader = str(form.get(f"leader_{item_id}", ""))
        specs.append(
            service.TaskSpec(
                assessment_item_id=item_id,
                tolerance=_number(str(form.get(f"tolerance_{item_id}", "")), _("误差范围")),
                marker_ids=tuple(markers),
                leader_id=int(leader) if leader.isdigit() else None,
            )
        )
    service.setup_session(session, actor=user, assessment_id=assessment_id, mode=mode, tasks=specs)
    session.commit()
    return RedirectResponse(f"/assessments/{assessment_id}/marking", status_code=303)


# --- scanned answer sheets (扫描上传与复核) ------------------------------------------------------

FLAG_WORDS = {"doubtful": _("涂写不清"), "multiple": _("多涂")}


@router.get("/assessments/{assessment_id}/scans", response_class=HTMLResponse)
def scans_page(
    request: Request, assessment_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """Upload scanned sheets; the batches with their progress."""
    batches = scans.list_batches(session, actor=user, assessment_id=assessment_id)
    session.commit()
    return templates.TemplateResponse(
        request,
        "marking/scans.html",
        {"assessment_id": assessment_id, "batches": batches},
    )


@router.post("/assessments/{assessment_id}/scans")
def upload_scans(
    request: Request,
    assessment_id: int,
    session: DbSession,
    user: CurrentUser,
    files: Annotated[list[UploadFile] | None, File()] = None,
    paper: Annotated[str, Form(max_length=4)] = "A4",
) -> Response:
    """Keep the uploaded scans and queue their reading (the worker reads, never this request).
    No file is a refusal of the service (after its scope check), not a form error."""
    uploaded = [(Path(f.filename or "scan").name, f.file.read()) for f in files or []]
    batch = scans.start_batch(
        session,
        actor=user,
        assessment_id=assessment_id,
        files=uploaded,
        data_dir=Path(request.app.state.settings.data_dir),
        paper="A3" if paper == "A3" else "A4",
    )
    session.commit()
    request.app.state.jobs.queue_scans(batch.id)
    return RedirectResponse(f"/scans/{batch.id}", status_code=303)


@router.get("/scans/{batch_id}", response_class=HTMLResponse)
def scan_batch_page(
    request: Request, batch_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A batch: progress, problems, the review queue, the apply button."""
    view = scans.batch_view(session, actor=user, batch_id=batch_id)
    session.commit()
    return templates.TemplateResponse(
        request,
        "marking/scan_batch.html",
        {
            "view": view,
            "sheet_rows": paginate(
                [
                    (s, list(json.loads(s.sources).values()), scans.problems_of(s.problems))
                    for s in view.sheets
                ],
                request.query_params,
            ),
            "flags": FLAG_WORDS,
            "images": {
                (e.sheet_id, e.label): _data_uri(
                    scans.review_image(e, Path(request.app.state.settings.data_dir))
                )
                for e in view.queue
            },
            "n_imported": request.query_params.get("n", ""),
            "n_crops": request.query_params.get("crops", ""),
        },
    )


@router.post("/scans/sheets/{sheet_id}/resolve")
def resolve_field(
    sheet_id: int,
    session: DbSession,
    user: CurrentUser,
    label: SmallText,
    value: SmallText = "",
) -> Response:
    """A person's value for a doubtful field (empty: blank)."""
    sheet = scans.resolve(session, actor=user, sheet_id=sheet_id, label=label, value=value)
    session.commit()
    return RedirectResponse(f"/scans/{sheet.scan_batch_id}", status_code=303)


@router.post("/scans/{batch_id}/apply")
def apply_scans(request: Request, batch_id: int, session: DbSession, user: CurrentUser) -> Response:
    """Score the choice items into the hub and hand the crops to marking."""
    applied = scans.apply_batch(
        session, actor=user, batch_id=batch_id, data_dir=Path(request.app.state.settings.data_dir)
    )
    session.commit()
    return RedirectResponse(
        f"/scans/{batch_id}?n={applied.n_students}&crops={applied.n_crops}", status_code=303
    )
