"""``yincai assistant check-model``: whether the configured language model answers, and how fast
(nothing personal is sent: a fixed maths question)."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from yincai.assistant import service
from yincai.assistant.llm import ModelUnavailable
from yincai.cli_support import command_app, settings_of

app = command_app(help="AI 助教 / the assistant", no_args_is_help=True)
console = Console()
PROBE = [{"role": "user", "content": "1+1 等于几？只回答数字。"}]


@app.command("check-model")
def check_model(ctx: typer.Context) -> None:
    """检查语言模型是否可用 / check that the configured model answers."""
    model = service.model_of(settings_of(ctx))
    if model is None:
        console.print("未配置语言模型（YINCAI_LLM_URL、YINCAI_LLM_MODEL）：助教只用资源库回答 / "
                      "no model configured: the assistant answers from the library")  # fmt: skip
        return
    started = time.perf_counter()
    try:
        reply = model.chat(PROBE)
    except ModelUnavailable as problem:
        console.print(f"[red]语言模型不可用 / the model does not answer: {problem}[/]")
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    console.print(f"模型 {model.model} 已回答（{seconds:.1f} 秒）/ answered in {seconds:.1f} s: "
                  f"{reply[:40]!r}")  # fmt: skip
