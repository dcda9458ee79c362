"""Templates for 初中化学 calculations: relative formula mass, mass fractions and reacting
masses from a chemical equation."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from yincai.demo.itembank.drafts import (
    Draft,
    Registry,
    SolutionDraft,
    Step,
    dec,
    pick,
    randint,
    registrar,
    value_draft,
)

TEMPLATES: Registry = {}
register = registrar(TEMPLATES)
MASS = {
    "H": 1,
    "C": 12,
    "N": 14,
    "O": 16,
    "Na": 23,
    "Mg": 24,
    "S": 32,
    "Cl": 35.5,
    "Ca": 40,
    "Fe": 56,
}
# (formula in LaTeX, atoms, name)
COMPOUNDS = (
    ("H_2O", {"H": 2, "O": 1}, "水"),
    ("CO_2", {"C": 1, "O": 2}, "二氧化碳"),
    ("CaCO_3", {"Ca": 1, "C": 1, "O": 3}, "碳酸钙"),
    ("NH_4NO_3", {"N": 2, "H": 4, "O": 3}, "硝酸铵"),
    ("Fe_2O_3", {"Fe": 2, "O": 3}, "氧化铁"),
    ("C_6H_{12}O_6", {"C": 6, "H": 12, "O": 6}, "葡萄糖"),
    ("MgO", {"Mg": 1, "O": 1}, "氧化镁"),
    ("H_2SO_4", {"H": 2, "S": 1, "O": 4}, "硫酸"),
)


def _formula_mass(atoms: dict[str, int]) -> Fraction:
    return sum((Fraction(str(MASS[e])) * n for e, n in atoms.items()), Fraction(0))


@register("相对分子质量的计算")
def _relative_mass(rng: np.random.Generator) -> Draft:
    formula, atoms, name = pick(rng, COMPOUNDS)
    mass = _formula_mass(atoms)
    wrong = [
        f"${dec(sum(Fraction(str(MASS[e])) for e in atoms))}$",
        f"${dec(mass + 16)}$",
        f"${dec(mass)}$ g",
    ]
    question = f"{name}（${formula}$）的相对分子质量是"
    return value_draft(rng, question, f"${dec(mass)}$", wrong, difficulty=-0.4)


@register("相对分子质量的计算")
def _mass_fraction(rng: np.random.Generator) -> Draft:
    formula, atoms, name = pick(rng, COMPOUNDS[2:6])
    element = pick(rng, sorted(atoms))
    mass = _formula_mass(atoms)
    part = Fraction(str(MASS[element])) * atoms[element]
    percent = round(part / mass * 1000) / Fraction(10)
    steps = (
        Step(f"${formula}$ 的相对分子质量为 ${dec(mass)}$", "相对分子质量", 2),
        Step(
            f"{element} 元素的质量分数为 "
            f"$\\frac{{{dec(part)}}}{{{dec(mass)}}}\\times100\\%\\approx{dec(percent)}\\%$",
            "元素质量分数",
            3,
        ),
    )
    stem = f"计算{name}（${formula}$）中 {element} 元素的质量分数（结果精确到 $0.1\\%$）。"
    return SolutionDraft(stem, steps, difficulty=0.1, opening="答：")


@register("利用化学方程式的简单计算")
def _limestone(rng: np.random.Generator) -> Draft:
    carbonate = randint(rng, 2, 10) * 10
    dioxide = Fraction(44, 100) * carbonate
    steps = (
        Step(
            "设生成二氧化碳的质量为 $x$；$CaCO_3+2HCl=CaCl_2+H_2O+CO_2\\uparrow$",
            "设未知数并写出化学方程式",
            2,
        ),
        Step(f"$\\frac{{100}}{{44}}=\\frac{{{carbonate}\\ g}}{{x}}$", "找出相关物质的质量比", 2),
        Step(f"$x={dec(dioxide)}$ g", "求解", 2),
        Step(f"答：生成二氧化碳 ${dec(dioxide)}$ g。", "作答", 1),
    )
    stem = f"实验室用 ${carbonate}$ g 碳酸钙与足量稀盐酸反应，最多可制得二氧化碳多少克？"
    return SolutionDraft(stem, steps, difficulty=0.4)


@register("利用化学方程式的简单计算")
def _hydrogen(rng: np.random.Generator) -> Draft:
    water = pick(rng, (9, 18, 36, 72, 90))
    hydrogen = Fraction(4, 36) * water
    question = f"电解 ${water}$ g 水，完全分解后可得到氢气的质量是"
    wrong = [f"${dec(hydrogen * 8)}$ g", f"${dec(hydrogen * 2)}$ g", f"${dec(hydrogen / 2)}$ g"]
    return value_draft(rng, question, f"${dec(hydrogen)}$ g", wrong, difficulty=0.2)


@register("质量守恒定律")
def _conservation(rng: np.random.Generator) -> Draft:
    a, b = randint(rng, 5, 20), randint(rng, 2, 10)
    c = randint(rng, 1, a + b - 1)
    question = (
        f"在反应 $A+B=C+D$ 中，${a}$ g A 与 ${b}$ "
        f"g B 恰好完全反应，生成 ${c}$ g C，则生成 D 的质量是"
    )
    wrong = [
        f"${a + b + c}$ g",
        f"${abs(a - b)}$ g" if abs(a - b) != a + b - c else f"${a}$ g",
        f"${c}$ g" if c != a + b - c else f"${b}$ g",
    ]
    return value_draft(rng, question, f"${a + b - c}$ g", wrong, difficulty=-0.2, numeric=a + b - c)
