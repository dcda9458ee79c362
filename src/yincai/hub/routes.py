"""JSON API of the data hub."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from yincai.hub import directory
from yincai.web.deps import DbSession

router = APIRouter(prefix="/api/hub", tags=["hub"])


class SchoolRead(BaseModel):
    code: str
    name: str
    setting: str
    stage: str
    n_classes: int
    n_students: int
    n_teachers: int


@router.get("/schools")
def list_schools(session: DbSession) -> list[SchoolRead]:
    """The district's schools with their numbers of classes, students and teachers."""
    overview = directory.district_overview(session)
    if overview is None:
        return []
    return [SchoolRead(**vars(school)) for school in overview.schools]
