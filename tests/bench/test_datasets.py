from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from yincai.bench.datasets import cell_split, discover, read_diagnosis, read_sequences, read_tracing


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
