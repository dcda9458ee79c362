"""The one paging rule: 50 rows a page, ``?page=`` read leniently, links keep the filters."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from starlette.datastructures import QueryParams

from yincai.web.paging import PAGE_SIZE, Page, page_number, page_url, paginate
from yincai.web.templating import templates


@pytest.mark.parametrize(
    ("text", "number"),
    [("", 1), ("2", 2), ("0", 1), ("-3", 1), ("abc", 1), ("99999999999999", 1), (" 3 ", 3)],
)
def test_a_page_number_is_read_leniently(text: str, number: int) -> None:
    assert page_number({"page": text}) == number


def test_a_list_is_cut_in_pages_of_fifty_and_past_the_end_shows_the_last() -> None:
    rows = list(range(123))
    first, third, beyond = paginate(rows, 1), paginate(rows, 3), paginate(rows, 9)
    assert PAGE_SIZE == 50
    assert first.items == list(range(50)) and first.n_pages == 3
    assert not first.has_previous and first.has_next
    assert third.items == list(range(100, 123)) and (third.first, third.last) == (101, 123)
    assert beyond.number == 3 and not beyond.has_next
    assert paginate([], 4).number == 1 and paginate([], 1).n_pages == 1
    assert paginate(rows, {"page": "2"}).items[0] == 50


def test_a_page_link_keeps_the_other_query_parameters() -> None:
    query = QueryParams("kind=&school_id=3&page=2")
    assert page_url("/cockpit/warnings", query, 3) == "/cockpit/warnings?kind=&school_id=3&page=3"
    assert page_url("/home", QueryParams("page=2"), 1) == "/home"


def _render(page: Page[int], query: str) -> str:
    request = SimpleNamespace(url=SimpleNamespace(path="/home"), query_params=QueryParams(query))
    macro = templates.env.get_template("_paging.html").module.pager  # type: ignore[attr-defined]
    return str(macro(page, request))


def test_the_pager_shows_previous_next_and_the_page_count_only_when_needed() -> None:
    middle = _render(paginate(list(range(160)), 2), "grade=8&page=2")
    assert 'href="/home?grade=8"' in middle and 'href="/home?grade=8&amp;page=3"' in middle
    assert "上一页" in middle and "下一页" in middle
    assert "第 2 / 4 页" in middle and "共 160 条" in middle
    assert _render(paginate(list(range(50)), 1), "").strip() == ""
