"""Refusals read as pages for browsers and as ``{code, detail}`` for the JSON API, in the reader's
language: an unknown address, a wrong query value, a wrong method — never Starlette's raw
English JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web.clients import logged_in
from tests.web.conftest import WorldDatabase
from yincai.app import create_app

HTML = {"accept": "text/html"}


def test_an_unknown_address_is_a_chinese_or_english_page_and_a_coded_json_answer(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["teacher"])
        page = client.get("/no/such/page", headers=HTML)
        english = client.get("/no/such/page", params={"lang": "en"}, headers=HTML)
        api = client.get("/api/no/such/route")
        api_english = client.get("/api/no/such/route", params={"lang": "en"})
    assert page.status_code == english.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "地址不存在" in page.text and "返回首页" in page.text
    assert "Not Found" not in page.text and '"detail"' not in page.text
    assert "地址不存在" not in english.text and "home" in english.text.lower()
    assert api.status_code == 404
    assert api.json() == {"code": "not_found", "detail": "地址不存在"}
    assert api_english.json()["code"] == "not_found"
    assert api_english.json()["detail"] != "地址不存在"


def test_an_anonymous_unknown_address_is_a_page_too(world_db: WorldDatabase) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        page = client.get("/nothing-here", headers=HTML)
    assert page.status_code == 404 and "地址不存在" in page.text


def test_a_wrong_value_in_a_query_is_named_in_words_not_raw_json(
    world_db: WorldDatabase,
) -> None:
    with TestClient(create_app(world_db.settings)) as client:
        logged_in(client, world_db.world.usernames["teacher"])
        page = client.get("/classes/abc", headers=HTML)
        api = client.get("/api/hub/classes/abc/students")
        wrong_method = client.get("/cockpit/warnings/acknowledge", headers=HTML)
    assert page.status_code == 422
    assert "输入有误" in page.text and "school_class_id" in page.text
    assert "Input should be" not in page.text
    assert api.status_code == 422
    assert api.json()["code"] == "invalid" and api.json()["detail"] == "输入有误"
    assert api.json()["errors"] and all("Input should" not in e for e in api.json()["errors"])
    assert wrong_method.status_code == 405 and "此地址不接受这种请求" in wrong_method.text
