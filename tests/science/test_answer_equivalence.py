"""Fill-in answer equivalence: a table of how students write maths, the rules, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yincai.science.answer_equivalence import REASONS, AnswerRules, Judgement, judge

EQUAL, DIFFERENT, UNCERTAIN = "equal", "different", "uncertain"

CASES: list[tuple[str, str, str]] = [
    # the same number in its spellings
    ("1/2", "0.5", EQUAL),
    ("0.5", "1/2", EQUAL),
    ("\\frac{1}{2}", "1/2", EQUAL),
    ("$\\dfrac{1}{2}$", "0.5", EQUAL),
    ("１／２", "0.5", EQUAL),
    ("－\\frac{1}{2}", "-0.5", EQUAL),
    ("2/4", "1/2", EQUAL),
    ("50%", "0.5", EQUAL),
    ("５０％", "1/2", EQUAL),
    ("1又1/2", "3/2", EQUAL),
    ("1\\frac{1}{2}", "1.5", EQUAL),
    ("√2/2", "\\frac{\\sqrt{2}}{2}", EQUAL),
    ("1/√2", "√2/2", EQUAL),
    ("2√3", "\\sqrt{12}", EQUAL),
    ("\\sqrt[3]{8}", "2", EQUAL),
    ("2\\pi", "2π", EQUAL),
    ("lg100", "2", EQUAL),
    ("e^2", "e*e", EQUAL),
    ("1+i", "i+1", EQUAL),
    ("0.3333", "1/3", DIFFERENT),
    ("\\pi", "3.14", DIFFERENT),
    ("3", "4", DIFFERENT),
    ("1。5", "1.5", EQUAL),  # the decimal point as a Chinese input method types it
    ("1.5。", "3/2", EQUAL),
    ("-1/2", "1/2", DIFFERENT),
    # expressions
    ("2x+1", "1+2x", EQUAL),
    ("x²", "x^2", EQUAL),
    ("x**2", "x^2", EQUAL),
    ("(x+1)^2", "x^2+2x+1", EQUAL),
    ("(x-1)(x+1)", "x^2-1", EQUAL),
    ("2(x+1)", "2x+2", EQUAL),
    ("x2", "2x", DIFFERENT),  # x2 is x₂, as students type subscripts
    ("x1=1,x2=2", "x=1或x=2", EQUAL),
    ("x_{1}+x^{2}", "x₁+x²", EQUAL),
    ("1.5.2", "0.3", UNCERTAIN),
    ("\\frac{x^2-1}{x-1}", "x+1", EQUAL),
    ("|x|", "sqrt(x^2)", EQUAL),
    ("sin^2x+cos^2x", "1", EQUAL),
    ("2sin x cos x", "sin2x", EQUAL),
    ("sin30°", "1/2", EQUAL),
    ("(x+1)^2", "x^2+1", DIFFERENT),
    ("2x+1", "2x-1", DIFFERENT),
    ("ab", "ba", EQUAL),
    ("a+b", "a-b", DIFFERENT),
    # units and degrees
    ("5cm", "5", EQUAL),
    ("5 cm", "5cm", EQUAL),
    ("30度", "30°", EQUAL),
    ("30°", "π/6", EQUAL),
    ("12元", "12", EQUAL),
    ("5cm", "6", DIFFERENT),
    ("5cm", "5m", UNCERTAIN),
    ("5光年", "5", UNCERTAIN),
    ("2m", "m+m", EQUAL),  # the key uses m as a variable: no metres here
    ("3m", "m+m", DIFFERENT),
    # equations and named values
    ("x=2", "2", EQUAL),
    ("2", "x=2", EQUAL),
    ("x＝2", "x=2", EQUAL),
    ("y=2", "x=2", DIFFERENT),
    ("y=2x+1", "2x-y+1=0", EQUAL),
    ("y=2x+1", "y=2x-1", DIFFERENT),
    ("x+y=1", "2x+2y=2", EQUAL),
    # roots in any order, Chinese punctuation
    ("x=1,x=2", "{2,1}", EQUAL),
    ("x₁=2，x₂=1", "x=1或x=2", EQUAL),
    ("1、2", "2,1", EQUAL),
    ("x=1；x=2", "x=1,x=2", EQUAL),
    ("x=1", "x=1,x=2", DIFFERENT),
    ("x=±2", "x=2或x=-2", EQUAL),
    ("\\pm\\sqrt{3}", "x₁=√3，x₂=-√3", EQUAL),
    ("x=±2", "x=2", DIFFERENT),
    ("x=1,x=3", "x=1,x=2", DIFFERENT),
    ("{1,2}", "{1,2,3}", DIFFERENT),
    # sets of reals: inequalities and intervals
    ("x≥3", "[3,+∞)", EQUAL),
    ("x\\geq 3", "x>=3", EQUAL),
    ("3≤x", "x⩾3", EQUAL),
    ("x>3", "x>=3", DIFFERENT),
    ("2<x<5", "(2,5)", EQUAL),
    ("[1,2)", "1<=x<2", EQUAL),
    ("[1,2]", "[1,2)", DIFFERENT),
    ("-2x>4", "x<-2", EQUAL),
    ("x<1或x>2", "(-∞,1)∪(2,+∞)", EQUAL),
    ("x^2>4", "x<-2或x>2", EQUAL),
    ("x^2-3x+2<=0", "[1,2]", EQUAL),
    ("x^2+1>0", "(-∞,+∞)", EQUAL),
    ("(x-1)^2>0", "x≠1", EQUAL),
    ("x^2<4", "x<2", DIFFERENT),
    ("x≠1", "(-∞,1)∪(1,+∞)", EQUAL),
    ("{x|x>2}", "x>2", EQUAL),
    ("x∈[1,2)", "[1,2)", EQUAL),
    ("x>=\\sqrt{2}", "[√2,+∞)", EQUAL),
    ("（1，2）", "(1,2)", EQUAL),
    ("无解", "∅", EQUAL),
    ("x=1", "无解", DIFFERENT),
    ("x>3", "3", UNCERTAIN),
    # ratios
    ("2:4", "1:2", EQUAL),
    ("1∶2", "1:2", EQUAL),
    ("2:1", "1:2", DIFFERENT),
    ("1:2", "1/2", UNCERTAIN),
    # blank, malformed, hostile
    ("", "1", DIFFERENT),
    ("   ", "1", DIFFERENT),
    ("1/", "1", UNCERTAIN),
    ("(1+2", "3", UNCERTAIN),
    ("1/0", "1", UNCERTAIN),
    ("我不会", "1", UNCERTAIN),
    ("log2", "1", UNCERTAIN),
    ("\\unknowncommand{1}", "1", UNCERTAIN),
    ("__import__('os')", "1", UNCERTAIN),
    ("__import__('os').system('ls')", "0", UNCERTAIN),
    ("().__class__", "1", UNCERTAIN),
    ("lambda: 1", "1", UNCERTAIN),
    ("9**9**9**9", "1", UNCERTAIN),
    ("9^9^9", "1", UNCERTAIN),
    ("x^(x^(x^x))", "x", UNCERTAIN),
    ("e^e^e^e^x", "1", UNCERTAIN),
    ("exp(exp(exp(exp(99))))", "1", UNCERTAIN),
    ("0.0001^1000", "0", UNCERTAIN),
    ("2^(2^3)", "256", EQUAL),
    ("1" * 10_000, "1", UNCERTAIN),
    ("(" * 150 + "1" + ")" * 150, "1", UNCERTAIN),
    ("(" * 30 + "1" + ")" * 30, "1", UNCERTAIN),
    ("x+" * 90 + "x", "x", DIFFERENT),
]


@pytest.mark.parametrize(("answer", "key", "expected"), CASES)
def test_table_of_written_answers(answer: str, key: str, expected: str) -> None:
    judgement = judge(answer, key)
    assert judgement.verdict == expected, judgement
    assert REASONS[judgement.reason] == judgement.verdict


def test_the_table_is_large_enough_to_mean_something() -> None:
    assert len(CASES) >= 60
    assert {expected for _, _, expected in CASES} == {EQUAL, DIFFERENT, UNCERTAIN}


def test_reducible_fraction_is_different_only_when_the_simplest_form_is_required() -> None:
    assert judge("2/4", "1/2").verdict == EQUAL
    simplest = AnswerRules(require_simplest=True)
    assert judge("2/4", "1/2", simplest) == Judgement(DIFFERENT, "not_simplest", "1/2")
    assert judge("1/2", "1/2", simplest).verdict == EQUAL
    assert judge("√8", "2√2", simplest).reason == "not_simplest"
    assert judge("1/√2", "√2/2", simplest).reason == "not_simplest"
    assert judge("2:4", "1:2", simplest).reason == "not_simplest"
    assert judge("1:2", "2:4", simplest).verdict == EQUAL


def test_decimal_for_a_fraction_key_follows_the_rule() -> None:
    strict = AnswerRules(accept_decimal_for_fraction=False)
    assert judge("0.5", "1/2", strict) == Judgement(DIFFERENT, "decimal_not_accepted", "1/2")
    assert judge("1/2", "1/2", strict).verdict == EQUAL
    assert judge("2.0", "2", strict).verdict == EQUAL  # an integer key is no fraction


def test_tolerance_accepts_close_numbers_and_labels_them() -> None:
    assert judge("3.14", "\\pi").verdict == DIFFERENT
    assert judge("3.14", "\\pi", AnswerRules(tolerance=0.01)).reason == "within_tolerance"
    assert judge("3.1", "\\pi", AnswerRules(tolerance=0.01)).verdict == DIFFERENT


def test_order_of_roots_matters_only_when_the_rules_say_so() -> None:
    ordered = AnswerRules(ordered=True)
    assert judge("x=2,x=1", "x=1,x=2", ordered) == Judgement(DIFFERENT, "order_differs", "x=2, x=1")
    assert judge("x=1,x=2", "x=1,x=2", ordered).verdict == EQUAL
    assert judge("x=2,x=1", "x=1,x=2").verdict == EQUAL
    assert judge("{2,1}", "{1,2}", ordered).verdict == EQUAL  # braces are a set


def test_case_of_variables_follows_the_rule() -> None:
    assert judge("X+1", "x+1").verdict == DIFFERENT
    assert judge("X+1", "x+1", AnswerRules(case_sensitive=False)).verdict == EQUAL
    assert judge("5L", "5", AnswerRules(case_sensitive=False)).verdict == EQUAL


def test_units_outside_the_list_are_not_ignored() -> None:
    assert judge("5cm", "5", AnswerRules(units=())).verdict != EQUAL
    assert judge("5寸", "5", AnswerRules(units=("寸",))).verdict == EQUAL


def test_judgement_carries_the_answer_as_read() -> None:
    judgement = judge("１／２", "0.5")
    assert judgement.normalised_answer == "1/2"
    assert judge("1/", "1").normalised_answer is None


def test_a_key_it_cannot_read_sends_every_answer_to_a_person() -> None:
    assert judge("1", "1/").reason == "key_unparsed"
    assert judge("1", "x" * 500).verdict == UNCERTAIN


def test_hostile_input_is_refused_with_a_reason() -> None:
    assert judge("9**9**9**9", "1").reason == "too_large"
    assert judge("1" * 10_000, "1").reason == "too_long"
    assert judge("__import__('os')", "1").reason == "unparsed"


@st.composite
def _expressions(draw: st.DrawFn, depth: int = 0) -> str:
    leaf = st.one_of(st.integers(0, 50).map(str), st.sampled_from(["x", "y", "a", "\\pi", "√2"]))
    if depth >= 2 or draw(st.booleans()):
        return draw(leaf)
    left = draw(_expressions(depth + 1))
    right = draw(_expressions(depth + 1))
    operator = draw(st.sampled_from(["+", "-", "*", "/", "^"]))
    if operator == "^":
        right = str(draw(st.integers(0, 3)))
    return f"({left}){operator}({right})"


@settings(max_examples=60, deadline=None)
@given(_expressions())
def test_every_expression_equals_itself(text: str) -> None:
    judgement = judge(text, text)
    # dividing by an expression that is identically 0 makes no value: the key itself is refused
    assert judgement.verdict in (EQUAL, UNCERTAIN)
    if judgement.verdict == UNCERTAIN:
        assert judgement.reason == "key_unparsed"
        assert "/" in text


@settings(max_examples=60, deadline=None)
@given(st.integers(-10_000, 10_000), st.integers(-10_000, 10_000))
def test_different_integers_are_different(first: int, second: int) -> None:
    expected = EQUAL if first == second else DIFFERENT
    assert judge(str(first), str(second)).verdict == expected
