"""Pages a teacher uses between exams: the class's mastery heatmap (and its workbook), growth of
standard scores (a class's, a student's), and a student's 错题本 with similar items (and its PDF).

Scope checks and audit rows are ``analysis.learner``'s; the charts' options
``analysis.learner_charts``'s. The pages parse, call the service, commit and render.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from yincai.analysis import learner
from yincai.analysis.growth import GROWTH_STEP_T, GROWTH_WORDS
from yincai.analysis.learner_charts import (
    BAND_COLOURS,
    class_growth_chart,
    heatmap_height,
    mastery_heatmap,
    student_growth_chart,
)
from yincai.analysis.learner_xlsx import mastery_workbook_bytes
from yincai.analysis.mistake_book import MAX_PDF_ENTRIES
from yincai.analysis.page_support import XLSX_TYPE, kept_views
from yincai.diagnosis import levels
from yincai.diagnosis import service as diagnosis_service
from yincai.errors import NotFound
from yincai.i18n import _
from yincai.reports.maths import page_text_html
from yincai.web.deps import CurrentUser, DbSession, FormId
from yincai.web.fragments import FragmentCache
from yincai.web.i18n import language_of
from yincai.web.templating import KIND_NAMES, templates

router = APIRouter(include_in_schema=False)


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _subject(
    session: DbSession, user: CurrentUser, school_class_id: int, subject: str | None
) -> str:
    if subject:
        return subject
    chosen = learner.default_subject(session, actor=user, school_class_id=school_class_id)
    if chosen is None:
        raise NotFound(_("本班没有可查看掌握度的学科"), code="school_class.no_subject")
    return chosen


@router.get("/classes/{school_class_id}/mastery", response_class=HTMLResponse)
def class_mastery_page(
    request: Request,
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: str | None = None,
    show_all: Annotated[int, Query(alias="all")] = 0,
) -> Response:
    """The class's mastery heatmap of one subject (staff of the class, admins in scope)."""
    code = _subject(session, user, school_class_id, subject)
    view = learner.class_mastery_map(
        session,
        actor=user,
        school_class_id=school_class_id,
        subject_code=code,
        include_not_taught=bool(show_all),
        kept_views=kept_views(request),
    )
    state = diagnosis_service.refresh_if_stale(
        session, subject_code=code, request_refresh=request.app.state.jobs.request_mastery_refresh
    )
    subjects = learner.class_subjects(session, school_class_id=school_class_id)
    session.commit()
    language = language_of(request, request.app.state.settings.language)

    def render_body() -> str:
        return templates.get_template("learner/_class_mastery_body.html").render(
            view=view,
            chart=mastery_heatmap(view) if view.rows and view.columns else None,
            height=heatmap_height(view),
            lang=language,
        )

    fragments: FragmentCache = request.app.state.fragments
    return templates.TemplateResponse(
        request,
        "learner/class_mastery.html",
        {
            "view": view,
            "subjects": subjects,
            "body": fragments.get(view, ("class_mastery", language), render_body),
            "band_words": levels.BAND_WORDS,
            "band_colours": BAND_COLOURS,
            "mastery_state": state,
        },
    )


@router.get("/classes/{school_class_id}/mastery.xlsx")
def class_mastery_xlsx(
    school_class_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: str | None = None,
    show_all: Annotated[int, Query(alias="all")] = 0,
) -> Response:
    """The same matrix as a workbook."""
    code = _subject(session, user, school_class_id, subject)
    view = learner.class_mastery_map(
        session,
        actor=user,
        school_class_id=school_class_id,
        subject_code=code,
        surface="xlsx",
        include_not_taught=bool(show_all),
    )
    session.commit()
    filename = f"class-{school_class_id}-{view.subject_code}-mastery.xlsx"
    return _download(mastery_workbook_bytes(view), XLSX_TYPE, filename)


@router.get("/classes/{school_class_id}/growth", response_class=HTMLResponse)
def class_growth_page(
    request: Request, school_class_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """The class's mean standard score per subject across its exams."""
    view = learner.class_growth(
        session, actor=user, school_class_id=school_class_id, kept_views=kept_views(request)
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "learner/class_growth.html",
        {
            "view": view,
            "charts": [class_growth_chart(curve) for curve in view.curves],
            "words": GROWTH_WORDS,
            "step": GROWTH_STEP_T,
        },
    )


@router.get("/students/{student_id}/growth", response_class=HTMLResponse)
def student_growth_page(
    request: Request, student_id: int, session: DbSession, user: CurrentUser
) -> Response:
    """A student's standard score per subject across the semester beside the class's mean."""
    view = learner.student_growth(
        session, actor=user, student_id=student_id, kept_views=kept_views(request)
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "learner/student_growth.html",
        {
            "view": view,
            "charts": [
                student_growth_chart(curve, shows_numbers=view.shows_numbers)
                for curve in view.curves
            ],
            "words": GROWTH_WORDS,
            "step": GROWTH_STEP_T,
        },
    )


@router.get("/students/{student_id}/mistakes", response_class=HTMLResponse)
def mistake_book_page(
    request: Request,
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: str | None = None,
    kp: FormId = None,
    page: int = 1,
) -> Response:
    """A student's 错题本 across the semester, grouped by knowledge point, with similar items."""
    book = learner.mistake_book(
        session,
        actor=user,
        student_id=student_id,
        subject_code=subject or None,
        kp_id=kp,
        page=page,
    )
    session.commit()
    return templates.TemplateResponse(
        request,
        "learner/mistakes.html",
        {
            "book": book,
            "maths": page_text_html,
            "kind_names": KIND_NAMES,
            "max_pdf": MAX_PDF_ENTRIES,
            "filter_query": _filter_query(subject or None, kp),
        },
    )


def _filter_query(subject: str | None, kp: int | None) -> str:
    parts = [f"subject={subject}"] if subject else []
    if kp is not None:
        parts.append(f"kp={kp}")
    return "&".join(parts)


@router.get("/students/{student_id}/mistakes.pdf")
def mistake_book_pdf(
    student_id: int,
    session: DbSession,
    user: CurrentUser,
    subject: str | None = None,
    kp: FormId = None,
) -> Response:
    """The 错题本 under the same filter as a short PDF (its first entries)."""
    from yincai.analysis.mistake_pdf import mistake_book_pdf as render  # WeasyPrint on demand

    book = learner.mistake_book(
        session,
        actor=user,
        student_id=student_id,
        subject_code=subject or None,
        kp_id=kp,
        page=1,
        page_size=MAX_PDF_ENTRIES,
        surface="pdf",
    )
    session.commit()
    return _download(render(book), "application/pdf", f"{book.student_number}-mistakes.pdf")
