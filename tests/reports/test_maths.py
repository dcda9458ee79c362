"""The maths renderer: the TeX that school items use becomes baseline-aligned SVG."""

from __future__ import annotations

import re

import numpy as np
import pytest

from yincai.demo.curriculum import junior_math_curriculum
from yincai.demo.itembank import build_item_bank
from yincai.reports.maths import (
    MATH,
    math_html,
    normalise,
    page_text_html,
    render_math,
    text_html,
)

REQUIRED = [
    r"\frac{1}{2}",
    r"\sqrt{2}",
    r"x^{2}",
    r"\angle A",
    r"\triangle ABC",
    r"AB\parallel CD",
    r"\because",
    r"\therefore",
    r"90^{\circ}",
    r"\pi",
    r"x\le 3",
    r"x\ge 3",
    r"a\ne b",
    r"2\times 3",
    r"6\div 2",
    r"\pm 1",
    r"P(\text{小亮胜})=1",
]


@pytest.mark.parametrize("tex", REQUIRED)
def test_required_school_maths_renders_as_svg_paths(tex: str) -> None:
    image = render_math(tex)
    assert image is not None
    assert image.svg.startswith("<svg") and "<path d=" in image.svg
    assert image.width > 0 and image.height > image.depth >= 0


def test_fraction_hangs_below_the_baseline_and_plain_digits_do_not() -> None:
    fraction, digit = render_math(r"\frac{1}{2}"), render_math("7")
    assert fraction is not None and digit is not None
    assert fraction.depth > 0.2
    assert digit.depth < 0.05


def test_aliases_and_bare_chinese_are_rewritten_for_mathtext() -> None:
    assert normalise(r"x\le 3") == r"x\leq {\mathrm{3}}"
    assert normalise("甲=2") == r"\text{甲}={\mathrm{2}}"
    assert normalise(r"\text{小亮2}") == r"\text{小亮2}"


def test_unparseable_tex_falls_back_to_a_monospace_span() -> None:
    assert render_math(r"\frac{1}{") is None
    html = str(math_html(r"\frac{1}{<b>"))
    assert html == '<span class="math-raw">\\frac{1}{&lt;b&gt;</span>'


def test_item_text_is_escaped_around_its_maths() -> None:
    html = str(text_html("若 $x=1$，则 <x> 的值\n是"))
    assert html.startswith('若 <img class="math"')
    assert "&lt;x&gt;" in html and "<br>" in html


def test_at_least_95_percent_of_the_demo_item_banks_maths_renders() -> None:
    bank = build_item_bank(junior_math_curriculum(), np.random.default_rng(0))
    expressions = sorted(
        {
            match.group(1)
            for item in bank
            for text in (item.stem, item.answer, *item.options)
            for match in MATH.finditer(text)
        }
    )
    sample = expressions[:: max(1, len(expressions) // 400)]
    rendered = [tex for tex in sample if render_math(tex) is not None]
    assert len(sample) >= 200
    assert len(rendered) / len(sample) >= 0.95, sorted(set(sample) - set(rendered))[:20]


def test_web_pages_get_maths_sized_by_data_attributes_and_print_by_style() -> None:
    """A page's Content-Security-Policy refuses style attributes; WeasyPrint runs no script."""
    image = render_math("x^2")
    assert image is not None
    page = str(page_text_html("若 $x^2$ 则"))
    printed = str(text_html("若 $x^2$ 则"))
    sizes = f"{image.width:.3f} {image.height:.3f} {image.depth:.3f}"
    assert f'data-em="{sizes}"' in page and "style=" not in page
    assert f"width:{image.width:.3f}em" in printed and "data-em" not in printed


def test_every_dollar_pair_of_a_stem_is_drawn() -> None:
    html = str(text_html("在 $-\\frac{1}{5}$，$-4$ 中"))
    assert len(re.findall(r'<img class="math"', html)) == 2
