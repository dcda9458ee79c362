"""Settings travel to the server's worker processes through the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from yincai.config import DEFAULT_SECRET_KEY, Settings


def test_settings_rebuild_from_their_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(
        data_dir=Path("/srv/yincai"),
        secret_key="k" * 40,
        show_ranks=False,
        web_threads=3,
        web_workers=2,
    )
    for name, value in settings.as_environment().items():
        monkeypatch.setenv(name, value)
    assert "YINCAI_DATABASE_URL" not in settings.as_environment()  # unset stays unset
    assert Settings() == settings


def test_workers_follow_the_setting_or_the_cpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings(web_workers=3).workers() == 3
    monkeypatch.setattr("os.cpu_count", lambda: 16)
    assert Settings(web_workers=0).workers() == 4
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert Settings(web_workers=0).workers() == 1


def test_the_published_default_key_is_never_used_to_sign() -> None:
    drawn = Settings(secret_key=DEFAULT_SECRET_KEY).effective_secret_key()
    assert drawn != DEFAULT_SECRET_KEY and len(drawn) == 64
    assert Settings(secret_key="s" * 40).effective_secret_key() == "s" * 40


def test_the_audit_key_is_the_setting_or_one_private_file_made_once(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path, audit_key="k" * 40).audit_chain_key() == b"k" * 40
    first = Settings(data_dir=tmp_path / "a").audit_chain_key()
    again = Settings(data_dir=tmp_path / "a").audit_chain_key()
    other = Settings(data_dir=tmp_path / "b").audit_chain_key()
    assert first == again and len(first) == 64 and first != other
    assert (tmp_path / "a" / "audit.key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["audit.key"]  # no draft left
