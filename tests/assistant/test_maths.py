"""Worked solutions of computation questions: each result is checked before it is shown."""

from __future__ import annotations

import pytest

from yincai.assistant.maths import n_words_beyond, solve_question


def test_a_linear_equation_is_solved_and_checked_by_substitution() -> None:
    worked = solve_question("解方程 2x+3=7")
    assert worked is not None and worked.task == "solve"
    assert worked.result == "$x = 2$"
    assert any("系数化为 1" in step for step in worked.steps)
    assert "左边 = $7$，右边 = $7$" in worked.checks[0]


def test_a_quadratic_is_factored_and_both_roots_checked() -> None:
    worked = solve_question("x²-5x+6=0 怎么解？")
    assert worked is not None
    assert worked.result == "$x_{1} = 2$，$x_{2} = 3$"
    assert any("因式分解" in step for step in worked.steps)
    assert len(worked.checks) == 2


def test_an_irreducible_quadratic_uses_the_discriminant() -> None:
    worked = solve_question("解方程：x^2-2x-1=0")
    assert worked is not None
    assert "\\sqrt{2}" in worked.result
    assert any("Δ" in step and "$8$" in step for step in worked.steps)


def test_a_root_that_zeroes_a_denominator_is_dropped() -> None:
    worked = solve_question("解分式方程 x^2/(x-1) = 1/(x-1)")
    assert worked is not None
    assert worked.result == "$x = -1$"
    assert any("增根" in step for step in worked.steps)


def test_a_system_of_two_equations() -> None:
    worked = solve_question("解方程组 x+y=5，x-y=1")
    assert worked is not None
    assert worked.result == "$x = 3$，$y = 2$"


@pytest.mark.parametrize(
    ("question", "result"),
    [
        ("计算 1/2+1/3", "$\\frac{5}{6}$"),
        ("(-3)^2 - 4×2 等于多少", "$1$"),
        ("化简 (x^2-1)/(x-1)", "$x + 1$"),
        ("因式分解 x^2-9", "$\\left(x - 3\\right) \\left(x + 3\\right)$"),
        ("展开 (a+b)^2", "$a^{2} + 2 a b + b^{2}$"),
    ],
)
def test_expressions_are_evaluated_simplified_factored_or_expanded(
    question: str, result: str
) -> None:
    worked = solve_question(question)
    assert worked is not None
    assert worked.result.startswith(result)


@pytest.mark.parametrize(
    "question",
    [
        "什么是绝对值？",
        "一元二次方程的判别式有什么用",
        "x>3 的解集",
        "第3题怎么做",
        "向西走3米为什么记成-3米？",  # a number, not a computation
        "-3x²y的系数和次数分别是多少",  # a term asked about
        "22/7是不是无理数",
        "列方程是乘(1+x)²还是(1+2x)",  # nothing to simplify
    ],
)
def test_a_question_without_a_computation_gets_none(question: str) -> None:
    assert solve_question(question) is None


def test_the_words_beyond_the_maths_tell_a_bare_computation_from_a_question_about_it() -> None:
    assert n_words_beyond("解方程 x^2-5x+6=0") == 3
    assert n_words_beyond("x²=3x两边能不能同时除以x") == 9
