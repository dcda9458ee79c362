"""The operator's commands: accounts, diagnosis and warnings, with errors as exit code 1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from tests.hub.builders import roster_file
from yincai.accounts.models import UserAccount
from yincai.cockpit import cli as cockpit_cli
from yincai.config import Settings
from yincai.db import make_engine, session_scope
from yincai.diagnosis import cli as diagnosis_cli
from yincai.governance import cli as governance_cli
from yincai.hub import cli as hub_cli


def test_accounts_are_added_listed_and_disabled_and_mistakes_change_nothing(
    make_database: Callable[[], Settings], tmp_path: Path
) -> None:
    settings = make_database()
    runner = CliRunner()

    def add(username: str, school: str) -> tuple[int, str]:
        arguments = ["add", username, "--role", "school_admin", "--school", school]
        result = runner.invoke(
            governance_cli.app, [*arguments, "--password", "correct horse 1"], obj=settings
        )
        return result.exit_code, result.output

    assert add("early", "S01")[0] == 1  # no district yet
    roster = ["roster", str(roster_file(tmp_path)), "--district", "D1"]
    result = runner.invoke(hub_cli.app, roster, obj=settings)
    assert result.exit_code == 0, result.output
    assert add("lead01", "S01")[0] == 0
    code, output = add("lead02", "S99")
    assert code == 1 and "S99" in output
    assert runner.invoke(governance_cli.app, ["disable", "lead01"], obj=settings).exit_code == 0
    assert runner.invoke(governance_cli.app, ["disable", "nobody"], obj=settings).exit_code == 1
    listed = runner.invoke(governance_cli.app, ["list"], obj=settings)
    assert "lead01" in listed.output and "lead02" not in listed.output
    engine = make_engine(settings)
    with session_scope(engine) as session:
        accounts = session.execute(select(UserAccount.username, UserAccount.is_active)).all()
    engine.dispose()
    assert accounts == [("lead01", False)]


def test_diagnosis_and_warnings_name_what_is_missing(
    make_database: Callable[[], Settings],
) -> None:
    settings = make_database()
    runner = CliRunner()
    result = runner.invoke(diagnosis_cli.app, ["student", "20990000001"], obj=settings)
    assert result.exit_code == 1 and "20990000001" in result.output
    result = runner.invoke(diagnosis_cli.app, ["assessment", "NOPE"], obj=settings)
    assert result.exit_code == 1 and "考试 NOPE 不存在" in result.output
    english = settings.model_copy(update={"language": "en"})  # YINCAI_LANGUAGE=en
    result = runner.invoke(diagnosis_cli.app, ["assessment", "NOPE"], obj=english)
    assert result.exit_code == 1 and "Assessment NOPE does not exist" in result.output
    # a one-command app: Typer runs "warnings" itself
    result = runner.invoke(cockpit_cli.app, ["--district", "ZZ"], obj=settings)
    assert result.exit_code == 1 and "ZZ" in result.output
