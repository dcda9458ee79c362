"""The fairness page on the demo district: the job stores the report and the page reads it (its
figures are ``science.fairness`` on the held-out arrays); the button queues a new computation
when the data changed; only district administrators see any of it."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session

from tests.web.clients import csrf_token, logged_in
from tests.web.test_browser import DEMO_PASSWORD, _usernames
from yincai.accounts.models import Role
from yincai.app import create_app
from yincai.config import Settings
from yincai.domain.models import District, Student
from yincai.fairness import outcomes
from yincai.fairness.models import FairnessReport, ReportState
from yincai.jobs import Jobs
from yincai.science import fairness

POLLING = 'hx-trigger="every 1s"'
CJK = re.compile(r"[\u4e00-\u9fff]")


def _report(engine: Engine, report_id: int) -> FairnessReport:
    with Session(engine) as session:
        found = session.get_one(FairnessReport, report_id)
        session.refresh(found, attribute_names=["result"])
        session.expunge(found)
        return found


def test_the_job_stores_the_report_and_the_page_shows_science_fairness_of_the_outcomes(
    demo_settings: Settings, computed: tuple[Engine, int]
) -> None:
    engine, report_id = computed
    stored = _report(engine, report_id)
    assert stored.state is ReportState.DONE and stored.result is not None
    content = json.loads(stored.result)
    rows = {(r["section"], r["metric"], r["dimension"]): r for r in content["rows"]}
    with Session(engine) as session:
        district_id = session.scalars(select(District.id)).one()
        groups = outcomes.student_groups(session, district_id)
        held_out = outcomes.mastery_outcomes(session, district_id, "MATH", groups)
        warned = outcomes.warning_outcomes(session, district_id, groups)
        names = list(session.scalars(select(Student.name).limit(20)))
    assert held_out is not None and warned is not None
    mastery, exam = held_out
    assert content["mastery_exams"][0]["n_responses"] == exam.n_responses > 1000
    for metric, of in (
        ("auc", fairness.group_auc),
        ("calibration_error", fairness.group_calibration_error),
        ("mean_error", fairness.group_mean_error),
    ):
        expected = of(mastery.truth, mastery.predicted, mastery.groups["setting"])
        shown = {g["label"]: g["value"] for g in rows[("mastery", metric, "setting")]["groups"]}
        assert shown == {k: round(v, 4) for k, v in expected.items()}
    recall = fairness.by_group(
        fairness.recall,
        warned.decline.truth,
        warned.decline.predicted,
        warned.decline.groups["gender"],
    )
    decline = rows[("decline", "recall", "gender")]
    assert {g["label"]: g["value"] for g in decline["groups"]} == {
        k: round(v, 4) for k, v in recall.items() if k in {g["label"] for g in decline["groups"]}
    }
    mean_error = rows[("mastery", "mean_error", "setting")]
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, _usernames(demo_settings)[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
        page = client.get("/governance/fairness")
        english = client.get("/governance/fairness?lang=en")
        cockpit = client.get("/cockpit")
    assert page.status_code == 200 and "计算时间" in page.text and POLLING not in page.text
    for group in mean_error["groups"]:
        assert f"{group['value']:.3f} ({group['n']})" in page.text
    if mean_error["meets_target"] is False:
        assert "被低估" in page.text and "⚠" in page.text
    assert "重新计算" in page.text and "文体活动多" in page.text  # the demo's growth records
    assert "没有艺术或体育方面的成长记录" not in page.text
    assert ("mastery", "auc", "activities") in rows and "activities" in groups.dimensions
    assert not any(name in page.text for name in names)  # aggregates only
    assert 'href="/governance/fairness"' in cockpit.text  # where district admins find it
    assert english.status_code == 200 and "Recompute" in english.text
    assert "Largest gap" in english.text and "township" in english.text
    table = english.text.split('<table class="fairness"', 1)[1]  # no names of data there
    assert not CJK.search(table)


def test_the_button_queues_a_report_of_new_data_which_the_worker_computes(
    demo_settings: Settings, computed: tuple[Engine, int]
) -> None:
    engine, report_id = computed
    original = _report(engine, report_id).version
    with Session(engine) as session, session.begin():  # as if the data had changed since
        session.execute(
            update(FairnessReport).where(FairnessReport.id == report_id).values(version="f1-old")
        )
    try:
        with TestClient(create_app(demo_settings)) as client:
            logged_in(client, _usernames(demo_settings)[Role.DISTRICT_ADMIN], DEMO_PASSWORD)
            stale = client.get("/governance/fairness")
            posted = client.post(
                "/governance/fairness/refresh",
                data={"csrf_token": csrf_token(client, "/governance/fairness")},
                follow_redirects=False,
            )
            queued = client.get("/governance/fairness")
            progress = client.get("/governance/fairness/progress")
            pending = client.app.state.jobs.pending()  # type: ignore[attr-defined]
            client.app.state.jobs.queue.flush()  # type: ignore[attr-defined]
            with Session(engine) as session:
                new_id = session.scalars(
                    select(FairnessReport.id).where(FairnessReport.state == ReportState.QUEUED)
                ).one()
            worker = Jobs(demo_settings)
            worker.queue.immediate = True  # the worker's task, run here at once
            worker.queue_fairness(new_id)
            state = _report(engine, new_id).state
            done = client.get("/governance/fairness")
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(FairnessReport).where(FairnessReport.id != report_id))
            session.execute(
                update(FairnessReport)
                .where(FairnessReport.id == report_id)
                .values(version=original)
            )
    assert "不是最新的" in stale.text and POLLING not in stale.text
    assert posted.status_code == 303 and posted.headers["location"] == "/governance/fairness"
    assert pending == 1
    assert "排队中" in queued.text and POLLING in queued.text and "计算时间" in queued.text
    assert "排队中" in progress.text and "HX-Refresh" not in progress.headers
    assert state is ReportState.DONE  # the worker's task computed it
    assert "计算时间" in done.text and "不是最新的" not in done.text and POLLING not in done.text


@pytest.mark.parametrize("role", [Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT, Role.PARENT])
def test_only_district_administrators_see_or_start_the_report(
    demo_settings: Settings, role: Role
) -> None:
    username = _usernames(demo_settings).get(role)
    if username is None:
        pytest.skip(f"the demo has no {role} account")
    with TestClient(create_app(demo_settings)) as client:
        logged_in(client, username, DEMO_PASSWORD)
        token = csrf_token(client, "/account/password")
        page = client.get("/governance/fairness")
        progress = client.get("/governance/fairness/progress")
        posted = client.post("/governance/fairness/refresh", data={"csrf_token": token})
    assert (page.status_code, progress.status_code, posted.status_code) == (403, 403, 403)
