"""Documents on the shared demo district (each test starts with none stored), and small fresh
districts for the tests that import or run a worker (both backends)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.documents.models import GeneratedDocument, GeneratedDocumentStudent
from yincai.domain.models import SchoolClass, Student
from yincai.jobs import Jobs

SMALL_DISTRICT = 200  # students: every grade still gets classes


def clear_documents(engine: Engine, settings: Settings) -> None:
    """No documents stored and none queued (a copy of the demo's data folder copies its queue)."""
    Jobs(settings).queue.flush()
    with session_scope(engine) as session:
        session.execute(delete(GeneratedDocumentStudent))
        session.execute(delete(GeneratedDocument))


@pytest.fixture
def demo_engine(demo_settings: Settings) -> Iterator[Engine]:
    """The shared demo district with no documents stored (before and after the test)."""
    engine = make_engine(demo_settings)
    clear_documents(engine, demo_settings)
    yield engine
    clear_documents(engine, demo_settings)
    engine.dispose()


@pytest.fixture
def small_district(make_database: Callable[[], Settings]) -> Settings:
    """A fresh small demo district with its estimates, to import into or run a worker on."""
    from yincai.demo.build import build_demo_district
    from yincai.diagnosis.refresh import refresh_mastery

    settings = make_database()
    engine = make_engine(settings)
    with session_scope(engine) as session:
        build_demo_district(
            session, ground_truth_path=settings.ground_truth_path, n_students=SMALL_DISTRICT, seed=1
        )
    refresh_mastery(engine, subject_code="MATH")
    engine.dispose()
    return settings


def smallest_junior_class(engine: Engine) -> tuple[int, list[str]]:
    """The smallest class of a junior grade (its students are practised on): id, names."""
    with Session(engine) as session:
        size = func.count(Student.id)
        class_id = session.scalars(
            select(SchoolClass.id)
            .join(Student, Student.school_class_id == SchoolClass.id)
            .where(SchoolClass.name.like("%七年级%"))
            .group_by(SchoolClass.id)
            .order_by(size, SchoolClass.id)
            .limit(1)
        ).one()
        names = list(
            session.scalars(
                select(Student.name)
                .where(Student.school_class_id == class_id)
                .order_by(Student.student_number)
            )
        )
    return class_id, names


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
