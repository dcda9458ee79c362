from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from yincai.cli import app


def test_demo_without_serving_builds_the_district_prints_logins_and_exits_zero(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    args = ["--data-dir", str(tmp_path), "demo", "--no-serve", "--students", "300", "--seed", "1"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "示范区已生成" in first.output
    assert "yincai-demo-2026" in first.output  # the demo password of the printed logins
    assert (tmp_path / "yincai.sqlite").is_file()
    assert (tmp_path / "demo_ground_truth.npz").is_file()

    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "already built" in again.output
