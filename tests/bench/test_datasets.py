from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from yincai.bench.datasets import (
    Sequences,
    cell_split,
    chunked,
    discover,
    read_diagnosis,
    read_sequences,
    read_tracing,
)
from yincai.science import tracing


def _write_tracing(folder: Path) -> None:
    folder.mkdir()
    (folder / "train.csv").write_text("3\n1,2,2,\n1,0,1,\n2\n3,1\n0,1\n", encoding="utf-8")
    (folder / "test.csv").write_text("1\n5\n1\n", encoding="utf-8")


def _write_diagnosis(folder: Path) -> None:
    folder.mkdir()
    (folder / "data.txt").write_text("1\t0.5\t0\n0\t1\t1\n", encoding="utf-8")
    (folder / "q.txt").write_text("1\t0\n0\t1\n1\t1\n", encoding="utf-8")
    (folder / "problemdesc.txt").write_text(
        "No.\tType\tFull Score\n1\tObj\t1\n2\tSub\t6\n3\tObj\t1\n", encoding="utf-8"
    )


def test_three_line_format_becomes_long_format_with_zero_based_ids(tmp_path: Path) -> None:
    _write_tracing(tmp_path / "kt")
    dataset = read_tracing(tmp_path / "kt")
    assert dataset.train.students.tolist() == [0, 0, 0, 1, 1]
    assert dataset.train.skills.tolist() == [0, 1, 1, 2, 0]
    assert dataset.train.correct.tolist() == [1, 0, 1, 0, 1]
    assert dataset.test.skills.tolist() == [4]
    assert dataset.n_skills == 5


def test_a_sequence_whose_length_disagrees_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("3\n1,2\n1,0\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv:1"):
        read_sequences(path)


def test_diagnosis_folder_reads_scores_q_matrix_and_problem_types(tmp_path: Path) -> None:
    _write_diagnosis(tmp_path / "cd")
    dataset = read_diagnosis(tmp_path / "cd")
    assert dataset.scores.shape == (2, 3)
    assert dataset.q_matrix.tolist() == [[1, 0], [0, 1], [1, 1]]
    assert dataset.full_scores.tolist() == [1, 6, 1]
    assert dataset.is_objective.tolist() == [True, False, True]


def test_discover_finds_any_folder_by_its_files_not_its_name(tmp_path: Path) -> None:
    _write_tracing(tmp_path / "my-kt-data")
    _write_diagnosis(tmp_path / "an-exam")
    (tmp_path / "notes").mkdir()
    found = [(kind, folder.name) for kind, folder in discover(tmp_path)]
    assert found == [("diagnosis", "an-exam"), ("tracing", "my-kt-data")]


def test_cell_split_is_seeded_and_holds_out_about_a_fifth() -> None:
    train, test = cell_split(500, 20, seed=0)
    again, _ = cell_split(500, 20, seed=0)
    assert (train == again).all()
    assert not (train & test).any()
    assert 0.18 < test.mean() < 0.22
    assert not np.array_equal(cell_split(500, 20, seed=1)[0], train)


def simulated(n_students: int, seed: int) -> Sequences:
    """A small seeded BKT dataset over three skills (every skill is practised)."""
    students, skills, correct = tracing.simulate_bkt(
        n_students=n_students,
        n_attempts=12,
        prior=np.array([0.3, 0.6, 0.4]),
        learn=np.array([0.2, 0.1, 0.15]),
        slip=np.array([0.1, 0.1, 0.05]),
        guess=np.array([0.2, 0.25, 0.3]),
        random_state=seed,
    )
    return Sequences(students=students, skills=skills, correct=correct)


def write_three_line(path: Path, data: Sequences, *, base: int, trailing: str = "") -> None:
    lines = []
    for student in range(data.n_students):
        mine = data.students == student
        lines.append(f"{mine.sum()}{trailing}")
        lines.append(",".join(str(s + base) for s in data.skills[mine]) + trailing)
        lines.append(",".join(str(int(c)) for c in data.correct[mine]) + trailing)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_pybkt(path: Path, data: Sequences) -> None:
    """pyBKT's columns, 1-based skill ids as names, rows by a global order id (interleaved)."""
    step = np.arange(data.students.size) - np.searchsorted(data.students, data.students)
    order = step * 1000 + data.students
    rows = sorted(zip(order, data.students, data.skills, data.correct, strict=True))
    text = ["user_id,skill_name,correct,order_id"]
    text.extend(f"u{u},{s + 1},{int(c)},{o}" for o, u, s, c in rows)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")


def write_forms(root: Path) -> list[str]:
    """One generated dataset as a 1-based three-line folder, a 0-based one with trailing commas,
    and pyBKT-layout CSVs; returns their folder names."""
    train, test = simulated(60, 0), simulated(30, 1)
    for name, write in (
        ("one-based", lambda path, data: write_three_line(path, data, base=1)),
        ("zero-based", lambda path, data: write_three_line(path, data, base=0, trailing=",")),
        ("pybkt", write_pybkt),
    ):
        (root / name).mkdir()
        write(root / name / "train.csv", train)
        write(root / name / "test.csv", test)
    return ["one-based", "zero-based", "pybkt"]


def test_every_form_of_a_dataset_reads_as_the_same_sequences(tmp_path: Path) -> None:
    forms = [read_tracing(tmp_path / name) for name in write_forms(tmp_path)]
    expected = simulated(60, 0)
    for dataset in forms:
        assert dataset.n_skills == 3
        assert np.array_equal(dataset.train.students, expected.students)
        assert np.array_equal(dataset.train.skills, expected.skills)
        assert np.array_equal(dataset.train.correct, expected.correct)
        assert np.array_equal(dataset.test.skills, forms[0].test.skills)


def test_train_and_test_share_the_base_of_their_ids(tmp_path: Path) -> None:
    (tmp_path / "kt").mkdir()
    (tmp_path / "kt" / "train.csv").write_text("2\n1,2,\n1,0,\n", encoding="utf-8")
    (tmp_path / "kt" / "test.csv").write_text("2\n0,2\n1,1\n", encoding="utf-8")
    dataset = read_tracing(tmp_path / "kt")
    assert dataset.train.skills.tolist() == [1, 2]  # 0-based, as the test file shows
    assert dataset.test.skills.tolist() == [0, 2]
    assert dataset.n_skills == 3


def test_an_assistments_export_in_one_file_is_split_by_student(tmp_path: Path) -> None:
    folder = tmp_path / "assist"
    folder.mkdir()
    rows = ["order_id,assignment_id,user_id,problem_id,correct,skill_id,skill_name"]
    for user in range(10):
        rows.append(f"{100 + user},7,{user},p1,1,10_13,a_b")
        rows.append(f"{200 + user},7,{user},p2,0,13,b")
        rows.append(f"{200 + user},7,{user},p2,0,,")  # the same attempt, its skill left out
    rows.append("300,7,9,p3,1,5,Fraction \xe9")  # Latin-1, as the 2009 export is
    text = "\n".join(rows) + "\n\n"  # a blank line at the end
    (folder / "skill_builder_data.csv").write_bytes(text.encode("latin-1"))
    assert discover(tmp_path) == [("tracing", folder)]
    dataset = read_tracing(folder)
    assert (dataset.train.n_students, dataset.test.n_students) == (8, 2)
    assert dataset.train.skills.tolist()[:3] == [1, 2, 2]  # 5, 10, 13 ranked; 10_13 then 13
    assert dataset.train.correct.tolist()[:3] == [1, 1, 0]


def test_a_bad_row_of_a_long_layout_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("user_id,skill_name,correct,order_id\nu1,s1,2,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"log.csv 第 2 行，correct 列"):
        read_sequences(path)


def test_dkvmn_chunks_cut_each_history_into_pieces_of_at_most_two_hundred() -> None:
    students = np.repeat([0, 1], [450, 30])
    data = Sequences(students=students, skills=np.zeros(480, np.int64), correct=np.ones(480))
    pieces = chunked(data)
    assert np.bincount(pieces.students).tolist() == [200, 200, 50, 30]
    assert np.array_equal(pieces.skills, data.skills)
