"""The multi-subject demo: every subject's curriculum and bank, joint exams with a 总分, and a
ground truth per subject whose abilities are correlated but not identical (偏科)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select

from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.demo.curriculum import KnowledgePointSpec, load_curriculum, points_of
from yincai.demo.itembank import ItemSpec
from yincai.demo.subjects import OTHER_SUBJECTS, SUBJECTS, DemoSubject, draw_bank, subject_rng
from yincai.demo.truth import load_ground_truth, stored_subjects
from yincai.domain.models import (
    Assessment,
    AssessmentKind,
    KnowledgePoint,
    KpLevel,
    Sitting,
    Subject,
)

GRADE_SUBJECTS = {
    7: {"MATH", "CHN", "ENG"},
    8: {"MATH", "CHN", "ENG", "PHY"},
    9: {"MATH", "CHN", "ENG", "PHY", "CHEM"},
}
ESSAY_SCORE = {"CHN": 50, "ENG": 15}  # 作文 and 书面表达

by_code = pytest.mark.parametrize("subject", SUBJECTS, ids=[s.code for s in SUBJECTS])
others = pytest.mark.parametrize("subject", OTHER_SUBJECTS, ids=[s.code for s in OTHER_SUBJECTS])


def _curriculum(subject: DemoSubject) -> list[KnowledgePointSpec]:
    return load_curriculum(subject.curriculum_source)


@pytest.fixture(scope="module")
def banks() -> dict[str, list[ItemSpec]]:
    return {s.code: draw_bank(s, subject_rng(0, s.code)) for s in OTHER_SUBJECTS}


@by_code
def test_every_subject_has_a_curriculum_whose_prerequisites_exist_and_are_taught_earlier(
    subject: DemoSubject,
) -> None:
    nodes = _curriculum(subject)
    by_code = {node.code: node for node in nodes}
    assert len(by_code) == len(nodes)
    points = points_of(nodes)
    assert len({p.name for p in points}) == len(points)  # names are unique within a subject
    assert {p.grade for p in points} == set(subject.grades)
    for grade in subject.grades:  # the autumn semester teaches every grade something
        assert sum(1 for p in points if (p.grade, p.semester) == (grade, 1)) >= 10
    n_edges = n_across_grades = 0
    for point in points:
        assert point.code.startswith(nodes[0].code)
        for code in point.prerequisites:
            prerequisite = by_code[code]
            assert prerequisite.level == "point"
            assert (prerequisite.grade, prerequisite.semester, prerequisite.order) < (
                point.grade,
                point.semester,
                point.order,
            )
            n_edges += 1
            n_across_grades += prerequisite.grade < point.grade
    assert n_edges >= len(points) // 2
    if len(subject.grades) > 1:
        assert n_across_grades >= 3


@others
def test_every_point_has_items_tagging_existing_points_with_fitting_keys(
    subject: DemoSubject, banks: dict[str, list[ItemSpec]]
) -> None:
    points = {p.code: p for p in points_of(_curriculum(subject))}
    bank = banks[subject.code]
    assert len(bank) == 3 * len(points)
    assert len({item.code for item in bank}) == len(bank)
    assert {code for item in bank for code, _ in item.kp_weights} == set(points)
    for item in bank:
        assert item.code.startswith(subject.code)
        assert all(code in points for code, _ in item.kp_weights)
        assert np.isclose(sum(weight for _, weight in item.kp_weights), 1.0)
        assert points[item.kp_weights[0][0]].grade == item.grade
        assert item.full_score >= 1 and float(item.full_score).is_integer()
        if item.item_type in ("single_choice", "multiple_choice"):
            assert len(item.options) == 4 and len(set(item.options)) == 4
            assert set(item.answer) <= set("ABCD")
        elif item.item_type == "true_false":
            assert item.answer in ("正确", "错误")
        else:
            assert item.options == () and item.answer
        if item.item_type in ("short_answer", "essay"):
            marks = [int(m) for m in re.findall(r"，(\d+)分", item.answer.split("评分要点")[1])]
            assert sum(marks) == item.full_score
    essays = {item.full_score for item in bank if item.item_type == "essay"}
    if subject.code in ESSAY_SCORE:
        assert essays == {ESSAY_SCORE[subject.code]}


def test_subjects_have_the_item_types_that_fit_them(banks: dict[str, list[ItemSpec]]) -> None:
    types = {code: {item.item_type for item in bank} for code, bank in banks.items()}
    assert {"single_choice", "fill_in", "short_answer", "essay"} <= types["CHN"]  # 默写, 阅读, 作文
    assert {"single_choice", "fill_in", "essay"} <= types["ENG"]
    assert {"single_choice", "multiple_choice", "fill_in", "short_answer"} <= types["PHY"]
    assert {"single_choice", "fill_in", "short_answer"} <= types["CHEM"]
    reading = [i for i in banks["CHN"] if i.item_type == "short_answer" and "阅读" in i.stem]
    assert reading and all(i.answer.startswith("答：") for i in reading)
    cloze = [i for i in banks["ENG"] if i.stem.startswith("完形填空")]
    assert cloze and all("____" in i.stem for i in cloze)


def test_a_subject_bank_is_deterministic_for_a_seed() -> None:
    physics = OTHER_SUBJECTS[2]
    first = draw_bank(physics, subject_rng(3, physics.code))
    again = draw_bank(physics, subject_rng(3, physics.code))
    other = draw_bank(physics, subject_rng(4, physics.code))
    assert first == again and first != other


def test_each_grade_sits_joint_exams_in_all_its_subjects_with_one_name(
    demo_settings: Settings,
) -> None:
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        rows = session.execute(
            select(Assessment.id, Assessment.name, Assessment.grade_level, Assessment.held_on)
            .add_columns(Subject.code, Subject.name)
            .join(Subject, Subject.id == Assessment.subject_id)
            .where(Assessment.kind == AssessmentKind.EXAM)  # homework has its own names
        ).all()
        sittings = session.execute(
            select(Sitting.assessment_id, Sitting.student_id, Sitting.total_score)
        ).all()
    engine.dispose()
    events: dict[tuple[int, str], dict[str, tuple[int, date]]] = defaultdict(dict)
    for assessment_id, name, grade, held_on, code, subject_name in rows:
        prefix = f"{'七八九'[grade - 7]}年级{subject_name}"
        assert name.startswith(prefix)
        events[(grade, name.removeprefix(prefix))][code] = (assessment_id, held_on)
    assert {name for _, name in events} == {"第一次月考", "期中考试", "第二次月考", "期末考试"}
    assert len(events) == 4 * 3
    totals: dict[tuple[int, str], dict[int, float]] = {}
    by_assessment: dict[int, dict[int, float | None]] = defaultdict(dict)
    for assessment_id, student_id, total in sittings:
        by_assessment[assessment_id][student_id] = total
    for (grade, name), papers in events.items():
        assert set(papers) == GRADE_SUBJECTS[grade], (grade, name)
        days = sorted(held_on for _, held_on in papers.values())
        assert (days[-1] - days[0]).days <= 1  # Thursday and Friday of one week
        present = [
            {s for s, total in by_assessment[a].items() if total is not None}
            for a, _ in papers.values()
        ]
        complete = set.intersection(*present)  # sat every subject: a 总分 exists
        totals[(grade, name)] = {
            s: sum(by_assessment[a][s] or 0.0 for a, _ in papers.values()) for s in complete
        }
        assert len(complete) > 0.7 * max(len(p) for p in present)
    final = totals[(9, "期末考试")]
    assert max(final.values()) > 2 * min(final.values())


def test_every_subject_has_its_truth_stored_and_loadable(demo_settings: Settings) -> None:
    path = demo_settings.ground_truth_path
    assert stored_subjects(path) == [s.code for s in SUBJECTS]
    maths = load_ground_truth(path)
    assert maths.subject == "MATH" and load_ground_truth(path, "MATH").kp_codes == maths.kp_codes
    engine = make_engine(demo_settings)
    with session_scope(engine) as session:
        points = defaultdict(set)
        for code, subject in session.execute(
            select(KnowledgePoint.code, Subject.code)
            .join(Subject, Subject.id == KnowledgePoint.subject_id)
            .where(KnowledgePoint.level == KpLevel.POINT)
        ):
            points[subject].add(code)
    engine.dispose()
    for subject in SUBJECTS:
        truth = load_ground_truth(path, subject.code)
        assert set(truth.kp_codes) == points[subject.code]
        assert truth.student_numbers == maths.student_numbers
        assert truth.declining_students == maths.declining_students
        assert truth.mastery.shape == (5, len(maths.student_numbers), len(truth.kp_codes))
        assert ((truth.mastery >= 0) & (truth.mastery <= 1)).all()
    with pytest.raises(KeyError, match="BIO"):
        load_ground_truth(path, "BIO")


def test_subject_abilities_are_correlated_but_some_students_lean_to_one(
    demo_settings: Settings,
) -> None:
    path = demo_settings.ground_truth_path
    ability = {s.code: load_ground_truth(path, s.code).ability for s in SUBJECTS}
    general = load_ground_truth(path).general_ability
    assert general is not None
    for first in ("MATH", "CHN"):
        for second in ("ENG", "PHY"):
            r = float(np.corrcoef(ability[first], ability[second])[0, 1])
            assert 0.55 < r < 0.9, (first, second, r)
        assert 0.75 < float(np.corrcoef(ability[first], general)[0, 1]) < 0.98
    lean = ability["MATH"] - ability["CHN"]  # 偏科: clearly stronger in one of the two
    assert 0.005 < float(np.mean(np.abs(lean) > 1.5)) < 0.2


def _key(item: ItemSpec) -> str:
    return item.options["ABCD".index(item.answer)] if item.options else item.answer


def test_physics_and_chemistry_calculation_keys_are_correct(
    banks: dict[str, list[ItemSpec]],
) -> None:
    checked = 0
    for item in banks["PHY"]:
        ohm = re.search(r"阻值为 \$(\d+)\$ Ω，通过它的电流为 \$([\d.]+)\$ A", item.stem)
        if ohm and item.item_type in ("single_choice", "fill_in"):
            volts = float(_key(item).strip("$ V"))
            assert volts == pytest.approx(int(ohm.group(1)) * float(ohm.group(2)))
            checked += 1
    masses = {"H_2O": 18, "CO_2": 44, "CaCO_3": 100, "NH_4NO_3": 80, "Fe_2O_3": 160,
              "C_6H_{12}O_6": 180, "MgO": 40, "H_2SO_4": 98}  # fmt: skip
    for item in banks["CHEM"]:
        formula = re.search(r"（\$(.+)\$）的相对分子质量是", item.stem)
        if formula and item.item_type in ("single_choice", "fill_in"):
            assert _key(item) == f"${masses[formula.group(1)]}$"
            checked += 1
    assert checked >= 2
