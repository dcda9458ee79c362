"""A warning's reason says which way a measure moved: a rise never reads as a fall (作业量由本班
中位数的 86% 降至 87% was a bug)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.orm import Session

from yincai.accounts.actors import CLI
from yincai.cockpit import service
from yincai.cockpit.detection import describe_change
from yincai.i18n import translate

CHANGE = re.compile(r"由[^0-9-]*(-?[0-9.]+)%? (降至|升至) (-?[0-9.]+)%?")


@pytest.mark.parametrize(
    ("before", "after", "words"),
    [
        (0.86, 0.87, "作业量由本班中位数的 86% 升至 87%"),
        (0.87, 0.86, "作业量由本班中位数的 87% 降至 86%"),
        (0.864, 0.861, "作业量保持在本班中位数的 86%"),  # the same once rounded as shown
    ],
)
def test_a_change_reads_in_the_direction_it_went(before: float, after: float, words: str) -> None:
    assert str(describe_change("share", before, after, "{:.0%}")) == words


def test_a_rise_in_english_is_a_rise_too() -> None:
    rose = describe_change("accuracy", 0.5, 0.75, "{:.0%}")
    assert "50%" in translate(rose, "en") and "75%" in translate(rose, "en")
    assert translate(rose, "en") != translate(
        describe_change("accuracy", 0.75, 0.5, "{:.0%}"), "en"
    )


def test_no_demo_warning_calls_a_rise_a_fall(demo_session: Session) -> None:
    found = service.early_warnings(demo_session, actor=CLI, is_sensitive=True)
    changes = [m for w in found for m in CHANGE.finditer(str(w.reason))]
    assert changes, "the demo's warnings describe changes"
    for before, direction, after in (m.groups() for m in changes):
        if direction == "降至":
            assert float(after) < float(before), (before, direction, after)
        else:
            assert float(after) > float(before), (before, direction, after)
