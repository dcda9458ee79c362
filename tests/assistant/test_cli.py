"""``yincai assistant check-model`` against the loopback model: answered, away, not configured."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.assistant.fake_model import completion, fake_model
from yincai.cli import app


def test_check_model_reports_an_answer_a_missing_model_and_no_configuration(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"YINCAI_DATA_DIR": str(tmp_path), "YINCAI_LLM_MODEL": "test-model"}
    with fake_model() as model:
        model.answer = lambda _payload: (200, completion("2"))
        answered = runner.invoke(
            app, ["assistant", "check-model"], env={**env, "YINCAI_LLM_URL": model.url}
        )
    away = runner.invoke(
        app, ["assistant", "check-model"], env={**env, "YINCAI_LLM_URL": model.url}
    )
    unset = runner.invoke(app, ["assistant", "check-model"], env={"YINCAI_DATA_DIR": str(tmp_path)})
    assert answered.exit_code == 0 and "'2'" in answered.output
    assert model.payloads[0]["messages"][0]["content"].startswith("1+1")
    assert away.exit_code == 1 and "不可用" in away.output
    assert unset.exit_code == 0 and "未配置语言模型" in unset.output
