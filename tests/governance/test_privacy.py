"""Pseudonyms under the district's key, and the key itself: setting first, else a private file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from yincai.config import Settings
from yincai.errors import Invalid
from yincai.governance.privacy import KEY_FILE_NAME, pseudonym_key, pseudonymise

NUMBERS = [f"2026{n:07d}" for n in range(500)]


def test_pseudonym_is_stable_per_key_and_hides_the_number() -> None:
    token = pseudonymise("20260100001", "district-key")
    assert token == pseudonymise("20260100001", "district-key")
    assert token != pseudonymise("20260100002", "district-key")
    assert token.startswith("S-") and "20260100001" not in token
    assert pseudonymise("20260100001", "district-key", prefix="K").startswith("K-")
    assert (
        pseudonymise("X", "district-key", prefix="K")[2:] != pseudonymise("X", "district-key")[2:]
    )
    with pytest.raises(ValueError, match="key"):
        pseudonymise("20260100001", "")


def test_different_keys_give_unlinkable_pseudonyms() -> None:
    first = [pseudonymise(number, "a" * 32) for number in NUMBERS]
    second = [pseudonymise(number, "b" * 32) for number in NUMBERS]
    assert len(set(first)) == len(NUMBERS)
    assert not set(first) & set(second)
    # Neither the order of the tokens nor the numbers' order carries over from one key to another.
    ranks = spearmanr(np.argsort(np.argsort(first)), np.argsort(np.argsort(second)))
    assert abs(ranks.statistic) < 0.2
    assert abs(spearmanr(np.arange(len(NUMBERS)), np.argsort(first)).statistic) < 0.2


def test_without_a_setting_the_key_is_made_once_readable_by_the_owner_only(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", pseudonym_key=None)
    key = pseudonym_key(settings)
    path = tmp_path / "data" / KEY_FILE_NAME
    assert len(key) == 64 and path.read_text().strip() == key
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pseudonym_key(settings) == key  # kept, not drawn again
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE_NAME]  # no draft left behind
    assert pseudonym_key(Settings(data_dir=tmp_path / "other", pseudonym_key=None)) != key


def test_the_setting_wins_and_must_be_long(tmp_path: Path) -> None:
    configured = "k" * 40
    assert pseudonym_key(Settings(data_dir=tmp_path, pseudonym_key=configured)) == configured
    assert not (tmp_path / KEY_FILE_NAME).exists()
    with pytest.raises(Invalid, match="32"):
        pseudonym_key(Settings(data_dir=tmp_path, pseudonym_key="short"))


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, pseudonym_key=None)
    pseudonym_key(settings)
    (tmp_path / KEY_FILE_NAME).chmod(0o644)
    with pytest.raises(Invalid, match="chmod 600"):
        pseudonym_key(settings)
