"""The OneRoster 1.2 CSV export of the demo district: the binding's headers, references that
hold, counts equal to the database, no names unless asked (the request, its job, the download
and the command: tests/exports/test_service.py, tests/api/test_oneroster_export.py)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import func, select

from yincai.accounts.actors import CLI
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.domain.models import Sitting, Student, Teacher
from yincai.exports.oneroster import HEADERS, MANIFEST_FILES, export_oneroster

# The OneRoster 1.2 CSV binding's columns, written out here once more so that a slip in
# ``HEADERS`` shows (users.csv lost ``role`` and ``orgSourcedIds`` to roles.csv in 1.2).
SPEC = {
    "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear",
    "courses.csv": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,"
    "grades,orgSourcedId,subjects,subjectCodes",
    "classes.csv": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods",
    "users.csv": "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,"
    "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
    "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
    "preferredFamilyName,primaryOrgSourcedId,pronouns",
    "roles.csv": "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,"
    "endDate,orgSourcedId,userProfileSourcedId",
    "enrollments.csv": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate",
    "categories.csv": "sourcedId,status,dateLastModified,title,weight",
    "lineItems.csv": "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,"
    "classSourcedId,categorySourcedId,gradingPeriodSourcedIds,academicSessionSourcedId,"
    "scoreScaleSourcedId,resultValueMin,resultValueMax,schoolSourcedId",
    "results.csv": "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,"
    "scoreScaleSourcedId,scoreStatus,score,textScore,scoreDate,comment,inProgress,incomplete,"
    "late,missing",
}

Tables = dict[str, list[dict[str, str]]]


def _read(content: bytes) -> tuple[dict[str, list[str]], Tables]:
    headers: dict[str, list[str]] = {}
    tables: Tables = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            reader = csv.DictReader(io.StringIO(text, newline=""))
            tables[name] = list(reader)
            headers[name] = list(reader.fieldnames or [])
    return headers, tables


@pytest.fixture(scope="module")
def exported(demo_settings: Settings) -> tuple[bytes, dict[str, int]]:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        export = export_oneroster(session, actor=CLI)
        session.rollback()  # the fixture database stays read-only
        counts = {
            "students": session.scalar(select(func.count()).where(Student.anonymised_at.is_(None))),
            "teachers": session.scalar(select(func.count()).select_from(Teacher)),
            "sittings": session.scalar(select(func.count()).select_from(Sitting)),
        }
    engine.dispose()
    return export.content, {k: int(v or 0) for k, v in counts.items()}


def test_every_file_has_the_bindings_header(exported: tuple[bytes, dict[str, int]]) -> None:
    headers, tables = _read(exported[0])
    assert set(headers) == {"manifest.csv", *SPEC}
    for name, header in SPEC.items():
        assert headers[name] == header.split(","), name
        assert list(HEADERS[name]) == header.split(","), name
        assert all(row["status"] == "active" for row in tables[name]), name
        assert all(row["dateLastModified"].endswith("Z") for row in tables[name]), name
        assert all(row["sourcedId"] for row in tables[name]), name
    manifest = {row["propertyName"]: row["value"] for row in tables["manifest.csv"]}
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["manifest.version"] == "1.0"
    for name in MANIFEST_FILES:
        expected = "bulk" if f"{name}.csv" in SPEC else "absent"
        assert manifest[f"file.{name}"] == expected, name


def test_references_hold_and_counts_equal_the_database(
    exported: tuple[bytes, dict[str, int]],
) -> None:
    _, t = _read(exported[0])
    counts = exported[1]
    users = {u["sourcedId"]: u for u in t["users.csv"]}
    roles = {r["userSourcedId"]: r["role"] for r in t["roles.csv"]}
    classes = {c["sourcedId"]: c for c in t["classes.csv"]}
    orgs = {o["sourcedId"] for o in t["orgs.csv"]}
    courses = {c["sourcedId"] for c in t["courses.csv"]}
    line_items = {li["sourcedId"]: li for li in t["lineItems.csv"]}
    sessions = {s["sourcedId"] for s in t["academicSessions.csv"]}
    assert len(users) == len(t["users.csv"]) == counts["students"] + counts["teachers"]
    assert sum(r == "student" for r in roles.values()) == counts["students"]
    assert set(roles) == set(users)
    assert len(t["results.csv"]) == counts["sittings"]
    for user in t["users.csv"]:
        assert user["primaryOrgSourcedId"] in orgs
    for row in t["classes.csv"]:
        assert row["courseSourcedId"] in courses and row["schoolSourcedId"] in orgs
        assert row["termSourcedIds"] in sessions
    for row in t["enrollments.csv"]:
        assert row["userSourcedId"] in users and row["classSourcedId"] in classes
        assert row["role"] == roles[row["userSourcedId"]]
    for row in t["lineItems.csv"]:
        assert row["classSourcedId"] in classes
        assert row["academicSessionSourcedId"] in sessions
        assert float(row["resultValueMax"]) > 0
    enrolled = {(e["userSourcedId"], e["classSourcedId"]) for e in t["enrollments.csv"]}
    for row in t["results.csv"]:
        line = line_items[row["lineItemSourcedId"]]
        assert roles[row["studentSourcedId"]] == "student"
        assert (row["studentSourcedId"], line["classSourcedId"]) in enrolled
        assert (row["score"] == "") == (row["scoreStatus"] == "not submitted")
    assert len({r["sourcedId"] for r in t["results.csv"]}) == len(t["results.csv"])
    assert len({e["sourcedId"] for e in t["enrollments.csv"]}) == len(t["enrollments.csv"])


def test_names_leave_only_when_asked(demo_settings: Settings) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        without = _read(export_oneroster(session, actor=CLI, with_results=False).content)[1]
        named = _read(export_oneroster(session, actor=CLI, with_names=True).content)[1]
        student = session.scalars(select(Student).order_by(Student.id)).first()
        assert student is not None
        student_id, name, number = student.id, student.name, student.student_number
        session.rollback()
    engine.dispose()
    assert all(u["givenName"] == u["familyName"] == "" for u in without["users.csv"])
    assert "results.csv" not in without and "lineItems.csv" not in without
    row = next(u for u in named["users.csv"] if u["sourcedId"] == f"stu-{student_id}")
    assert row["familyName"] + row["givenName"] == name
    assert row["identifier"] == number
    assert all(u["phone"] == u["email"] == "" for u in named["users.csv"])
