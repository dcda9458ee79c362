"""The demo content generators: curriculum tree, item bank answer keys, and names."""

from __future__ import annotations

import math
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from yincai.demo import itembank
from yincai.demo.curriculum import KnowledgePointSpec, junior_math_curriculum, points_of
from yincai.demo.itembank import TYPE_MIX, ItemSpec, build_item_bank
from yincai.demo.itembank.drafts import StatementDraft, item_material
from yincai.demo.names import (
    SURNAMES,
    Locale,
    Stage,
    class_name,
    person_name,
    school_names,
    teacher_name,
)

CHAPTERS = (
    "有理数", "整式的加减", "一元一次方程", "几何图形初步",
    "相交线与平行线", "实数", "平面直角坐标系", "二元一次方程组", "不等式与不等式组",
    "数据的收集、整理与描述",
    "三角形", "全等三角形", "轴对称", "整式的乘法与因式分解", "分式",
    "二次根式", "勾股定理", "平行四边形", "一次函数", "数据的分析",
    "一元二次方程", "二次函数", "旋转", "圆", "概率初步",
    "反比例函数", "相似", "锐角三角函数", "投影与视图",
)  # fmt: skip


@pytest.fixture(scope="module")
def curriculum() -> list[KnowledgePointSpec]:
    return junior_math_curriculum()


@pytest.fixture(scope="module")
def bank(curriculum: list[KnowledgePointSpec]) -> list[ItemSpec]:
    return build_item_bank(curriculum, np.random.default_rng(2024))


def _by_point(
    bank: list[ItemSpec], curriculum: list[KnowledgePointSpec], name: str
) -> list[ItemSpec]:
    code = next(node.code for node in curriculum if node.name == name)
    return [item for item in bank if item.kp_weights[0][0] == code]


def _key_text(item: ItemSpec) -> str:
    """The text of the keyed answer: the chosen option for a single choice, else the answer."""
    if item.item_type == "single_choice":
        return item.options["ABCD".index(item.answer)]
    return item.answer


def _number(text: str) -> Fraction:
    """A number written as ``$-3$`` or ``$-\\frac{3}{4}$``."""
    text = text.strip().strip("$").replace("x=", "")
    match = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", text)
    if match:
        sign = -1 if match.group(1) else 1
        return sign * Fraction(int(match.group(2)), int(match.group(3)))
    return Fraction(text)


def _polynomial(text: str) -> dict[int, Fraction]:
    """Coefficients by degree of a LaTeX polynomial in x such as ``-3x^{2}+x-12``."""
    coefficients: dict[int, Fraction] = {}
    for term in re.findall(r"[+-]?[^+-]+", text):
        match = re.fullmatch(r"([+-]?)(\d*)(x(?:\^\{(\d+)\})?)?", term)
        assert match, term
        sign, digits, has_x, power = match.groups()
        value = Fraction(int(digits) if digits else 1) * (-1 if sign == "-" else 1)
        degree = (int(power) if power else 1) if has_x else 0
        coefficients[degree] = coefficients.get(degree, Fraction(0)) + value
    return coefficients


def _evaluate(coefficients: dict[int, Fraction], x: Fraction) -> Fraction:
    return sum((c * x**d for d, c in coefficients.items()), Fraction(0))


def _is_balanced(text: str) -> bool:
    if text.count("$") % 2:
        return False
    depth = 0
    for character in text.replace("\\{", "").replace("\\}", ""):
        depth += (character == "{") - (character == "}")
        if depth < 0:
            return False
    return depth == 0


# --- curriculum --------------------------------------------------------------------------------


def test_curriculum_codes_are_unique_and_parents_come_first(
    curriculum: list[KnowledgePointSpec],
) -> None:
    codes = [node.code for node in curriculum]
    assert len(codes) == len(set(codes))
    seen: set[str] = set()
    for node in curriculum:
        assert node.parent_code is None or node.parent_code in seen
        seen.add(node.code)
    assert [node.order for node in curriculum] == list(range(len(curriculum)))


def test_every_textbook_chapter_is_present_in_teaching_order(
    curriculum: list[KnowledgePointSpec],
) -> None:
    chapters = [node for node in curriculum if node.level == "chapter"]
    assert tuple(node.name for node in chapters) == CHAPTERS
    assert [(node.grade, node.semester) for node in chapters] == sorted(
        (node.grade, node.semester) for node in chapters
    )
    assert chapters[0].code == "M7A.01" and chapters[-1].code == "M9B.29"


def test_sections_hold_two_to_four_points_and_codes_nest(
    curriculum: list[KnowledgePointSpec],
) -> None:
    points = points_of(curriculum)
    assert 150 <= len(points) <= 220
    per_section = Counter(node.parent_code for node in points)
    assert set(per_section.values()) <= {2, 3, 4}
    for node in curriculum:
        if node.parent_code:
            assert node.code.startswith(node.parent_code + ".") or node.parent_code == "M"


def test_prerequisites_form_a_dag_running_forward_in_teaching_order(
    curriculum: list[KnowledgePointSpec],
) -> None:
    by_code = {node.code: node for node in curriculum}
    n_edges = 0
    for node in curriculum:
        if node.level != "point":
            assert node.prerequisites == ()
        for prerequisite in node.prerequisites:
            assert by_code[prerequisite].level == "point"
            assert by_code[prerequisite].order < node.order
            n_edges += 1
    assert n_edges >= 150
    names = {node.code: node.name for node in curriculum}
    edges = {(names[p], node.name) for node in curriculum for p in node.prerequisites}
    assert ("有理数的加法法则", "有理数的减法法则") in edges
    assert ("合并同类项", "去括号") in edges
    assert ("勾股定理", "正弦") in edges


# --- item bank ---------------------------------------------------------------------------------


def test_bank_is_large_and_covers_every_point(
    bank: list[ItemSpec], curriculum: list[KnowledgePointSpec]
) -> None:
    assert len(bank) >= 300
    assert len({item.code for item in bank}) == len(bank)
    covered = {code for item in bank for code, _ in item.kp_weights}
    assert covered >= {node.code for node in points_of(curriculum)}


def test_bank_is_deterministic_for_a_seed(curriculum: list[KnowledgePointSpec]) -> None:
    first = build_item_bank(curriculum, np.random.default_rng(7))
    second = build_item_bank(curriculum, np.random.default_rng(7))
    other = build_item_bank(curriculum, np.random.default_rng(8))
    assert first == second
    assert first != other


def test_kp_weights_are_point_codes_summing_to_one(
    bank: list[ItemSpec], curriculum: list[KnowledgePointSpec]
) -> None:
    by_code = {node.code: node for node in curriculum}
    for item in bank:
        assert 1 <= len(item.kp_weights) <= 3
        assert math.isclose(sum(weight for _, weight in item.kp_weights), 1.0)
        assert all(by_code[code].level == "point" for code, _ in item.kp_weights)
        assert by_code[item.kp_weights[0][0]].grade == item.grade


def test_answer_keys_fit_the_item_type(bank: list[ItemSpec]) -> None:
    for item in bank:
        if item.item_type == "single_choice":
            assert len(item.options) == 4 and len(set(item.options)) == 4
            assert item.answer in "ABCD" and len(item.answer) == 1
        elif item.item_type == "multiple_choice":
            assert len(item.options) == 4 and len(set(item.options)) == 4
            assert 2 <= len(item.answer) <= 3 and set(item.answer) <= set("ABCD")
            assert list(item.answer) == sorted(item.answer)
        elif item.item_type == "true_false":
            assert item.options == ("正确", "错误") and item.answer in item.options
        else:
            assert item.options == () and item.answer
        if item.item_type in ("short_answer", "essay"):
            assert "评分要点" in item.answer
            marks = [int(m) for m in re.findall(r"，(\d+)分", item.answer.split("评分要点")[1])]
            assert sum(marks) == item.full_score
            assert (
                (6 <= item.full_score <= 9)
                if item.item_type == "short_answer"
                else (10 <= item.full_score <= 12)
            )


def test_type_mix_is_realistic(bank: list[ItemSpec]) -> None:
    shares = Counter(item.item_type for item in bank)
    for item_type, target in TYPE_MIX.items():
        assert abs(shares[item_type] / len(bank) - target) < 0.05, item_type


def test_irt_parameters_are_in_designed_ranges(bank: list[ItemSpec]) -> None:
    assert all(-2.5 <= item.difficulty <= 2.5 for item in bank)
    assert all(0.6 <= item.discrimination <= 2.0 for item in bank)
    mean = {t: np.mean([i.difficulty for i in bank if i.item_type == t]) for t in TYPE_MIX}
    assert mean["essay"] > mean["single_choice"] > mean["true_false"]


def test_latex_is_balanced_everywhere(bank: list[ItemSpec]) -> None:
    for item in bank:
        for text in (item.stem, item.answer, *item.options):
            assert _is_balanced(text), (item.code, text)


def test_rational_addition_and_subtraction_keys_are_correct(
    bank: list[ItemSpec], curriculum: list[KnowledgePointSpec]
) -> None:
    checked = 0
    for name, operation in (("有理数的加法法则", "+"), ("有理数的减法法则", "-")):
        for item in _by_point(bank, curriculum, name):
            pattern = r"\$\(([+-]\d+)\)" + re.escape(operation) + r"\(([+-]\d+)\)\$"
            match = re.search(pattern, item.stem)
            if match and item.item_type in ("single_choice", "fill_in"):
                p, q = int(match.group(1)), int(match.group(2))
                assert _number(_key_text(item)) == (p + q if operation == "+" else p - q)
                checked += 1
    assert checked >= 2


def test_linear_equation_keys_satisfy_the_equation(
    bank: list[ItemSpec], curriculum: list[KnowledgePointSpec]
) -> None:
    checked = 0
    for name in ("移项解方程", "合并同类项解方程"):
        for item in _by_point(bank, curriculum, name):
            match = re.search(r"方程 \$(.+)=(.+)\$ 的解是", item.stem)
            assert match and item.item_type in ("single_choice", "fill_in")
            root = _number(_key_text(item))
            left, right = _polynomial(match.group(1)), _polynomial(match.group(2))
            assert _evaluate(left, root) == _evaluate(right, root)
            checked += 1
    assert checked >= 3


def test_vertex_and_pythagoras_keys_are_correct(bank: list[ItemSpec]) -> None:
    checked = 0
    for item in bank:
        if item.item_type not in ("single_choice", "fill_in"):
            continue
        vertex = re.search(r"二次函数 \$y=(.+)\$ 的图象的顶点坐标是", item.stem)
        if vertex:
            c = _polynomial(vertex.group(1))
            a, b, c0 = c.get(2, Fraction(0)), c.get(1, Fraction(0)), c.get(0, Fraction(0))
            h = -b / (2 * a)
            assert _key_text(item) == f"$({h},{a * h * h + b * h + c0})$"
            checked += 1
        legs = re.search(r"\$AC=(\d+)\$，\$BC=(\d+)\$，则 \$AB\$ 的长是", item.stem)
        if legs:
            ac, bc = int(legs.group(1)), int(legs.group(2))
            assert _number(_key_text(item)) ** 2 == ac * ac + bc * bc
            checked += 1
    assert checked >= 1


def test_unknown_point_is_reported() -> None:
    stray = KnowledgePointSpec("X.01", "不存在的知识点", "point", None, 7, 1, 0)
    with pytest.raises(ValueError, match="不存在的知识点"):
        build_item_bank([stray], np.random.default_rng(0))


# --- names -------------------------------------------------------------------------------------


def test_person_names_are_deterministic_and_plausible() -> None:
    first = [person_name(np.random.default_rng(5), "女") for _ in range(3)]
    assert len(set(first)) == 1
    rng = np.random.default_rng(11)
    names = [person_name(rng, "男" if i % 2 else "女") for i in range(6000)]
    assert all(2 <= len(name) <= 3 and name[0] in SURNAMES for name in names)
    surnames = Counter(name[0] for name in names)
    for common in ("王", "李", "张"):
        assert 0.05 < surnames[common] / len(names) < 0.10
    assert surnames["王"] > surnames["黄"] > surnames["孔"]
    assert len(set(names)) > 0.6 * len(names)
    assert teacher_name(np.random.default_rng(1), "男")[0] in SURNAMES


def test_school_names_mix_locales_and_are_distinct() -> None:
    schools = school_names(np.random.default_rng(3), 14)
    assert schools == school_names(np.random.default_rng(3), 14)
    assert len({school.name for school in schools}) == 14
    locales = Counter(school.locale for school in schools)
    assert locales["urban"] >= 4 and locales["township"] >= 3 and locales["rural"] >= 2
    assert all(school.stage in ("junior", "nine_year") for school in schools)
    assert any(school.name.startswith("示范区") for school in schools)
    with_primary = school_names(np.random.default_rng(3), 30, stages=("primary", "junior"))
    assert {school.stage for school in with_primary} == {"primary", "junior"}
    assert class_name(7, 3) == "七年级（3）班"


def test_school_names_follow_a_locale_and_stage_plan() -> None:
    plan: list[tuple[Locale, Stage]] = [
        ("urban", "junior"),
        ("urban", "junior"),
        ("rural", "primary"),
        ("township", "nine_year"),
    ]
    names = school_names(np.random.default_rng(4), plan)
    assert len(names) == 4 and len(set(names)) == 4
    assert names[2].endswith("小学") and "镇" in names[3] and names[3].endswith("学校")
    with pytest.raises(ValueError, match="urban"):
        school_names(np.random.default_rng(4), [("urban", "nine_year")] * 10)


def test_every_fixed_draft_of_the_item_material_is_filed_once_under_a_curriculum_point(
    curriculum: list[KnowledgePointSpec],
) -> None:
    folder = Path(itembank.__file__).parent
    filed = [
        name
        for module in sorted(folder.glob("*.py"))
        for name in re.findall(r'^fixed\("([^"]+)"\)$', module.read_text(encoding="utf-8"), re.M)
    ]
    material = item_material()
    assert sorted(filed) == sorted(material)
    points = {node.name for node in points_of(curriculum)}
    for point, draft in material.values():
        assert point in points
        assert set(draft.extra_kps) <= points
        if isinstance(draft, StatementDraft):
            assert draft.true and draft.false
