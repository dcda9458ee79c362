"""A student's 错题本 as a short PDF: the current filter's first ``MAX_PDF_ENTRIES`` entries,
grouped by knowledge point, each with its similar items (a few pages, made in the request)."""

from __future__ import annotations

from datetime import UTC, datetime

from yincai.analysis.mistake_book import MistakeBook
from yincai.reports import pdf


def mistake_book_pdf(book: MistakeBook) -> bytes:
    """The printed book of one page of entries (the service caps the page)."""
    subject_name = next((s.name for s in book.subjects if s.code == book.subject_code), "")
    kp_name = next((k.name for k in book.kps if k.kp_id == book.kp_id), "")
    context = {
        "book": book,
        "subject_name": subject_name,
        "kp_name": kp_name,
        "generated_on": datetime.now(UTC).date().isoformat(),
    }
    return pdf.render("mistake_book.html", context)
