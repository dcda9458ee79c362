"""Rendered fragments: rendered once per source object and key, never served for another."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from markupsafe import Markup

from yincai.web.fragments import FragmentCache


@dataclass(frozen=True)
class Report:
    mean: float


def test_a_fragment_is_rendered_once_per_source_and_key() -> None:
    cache = FragmentCache()
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return f"<b>{text}</b>"

    report = Report(mean=71.5)
    first = cache.get(report, "zh", lambda: render("71.5"))
    again = cache.get(report, "zh", lambda: render("never"))
    english = cache.get(report, "en", lambda: render("71.5 en"))
    assert isinstance(first, Markup) and first == again == "<b>71.5</b>"
    assert english == "<b>71.5 en</b>"
    assert calls == ["71.5", "71.5 en"]


def test_an_equal_but_new_source_is_rendered_again() -> None:
    # A rebuilt report (new data) is a new object even when it compares equal to the old one.
    cache = FragmentCache()
    cache.get(Report(mean=1.0), "zh", lambda: "old")
    assert cache.get(Report(mean=1.0), "zh", lambda: "new") == "new"


def test_the_oldest_fragment_leaves_a_full_cache() -> None:
    cache = FragmentCache(capacity=2)
    sources = [Report(mean=float(k)) for k in range(3)]
    for k, source in enumerate(sources):
        cache.get(source, "zh", lambda k=k: f"v{k}")
    assert cache.get(sources[0], "zh", lambda: "rendered again") == "rendered again"
    assert cache.get(sources[2], "zh", lambda: "not again") == "v2"
    with pytest.raises(ValueError, match="capacity"):
        FragmentCache(capacity=0)
