"""``yincai library …``: import teaching material into the resource library and search it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from yincai.cli_support import command_app, command_session, settings_of
from yincai.errors import Invalid
from yincai.library import service
from yincai.library.embeddings import embedder_of
from yincai.retrieval import Query

app = command_app(
    help="资源库：导入与检索 / resource library: import and search", no_args_is_help=True
)
console = Console()


@app.command("import")
def import_files(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="文件或文件夹（.md .html .pdf .docx）/ files or folders")
    ],
    subject: Annotated[
        str | None, typer.Option("--subject", help="学科名称或代码 / subject name or code")
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="年级 / grade, e.g. 7")] = None,
    kp: Annotated[
        list[str] | None,
        typer.Option("--kp", help="知识点编码或名称，可重复 / knowledge point, repeatable"),
    ] = None,
    licence: Annotated[
        str | None, typer.Option("--licence", help="许可 / licence, e.g. CC BY 4.0")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="类型 / kind, e.g. 讲义")] = None,
) -> None:
    """导入资源（同一文件再导入不变）/ import resources; options replace the files' own tags."""
    tags = service.ResourceTags(
        subject=subject, grade=grade, knowledge_points=tuple(kp or ()), licence=licence, kind=kind
    )
    with command_session(ctx) as session:
        try:
            result = service.import_paths(session, paths, tags=tags)
        except Invalid as problem:  # each file's reason, then the summary (command_session)
            for line in problem.details_in(settings_of(ctx).language):
                Console(stderr=True).print(f"[red]· {escape(line)}[/]", highlight=False)
            raise
    console.print(
        f"新增 / new {len(result.created)} · 更新 / updated {len(result.updated)} · "
        f"未变 / unchanged {len(result.unchanged)} · 段落 / passages {result.n_chunks}"
    )


@app.command("search")
def search(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="问题 / the question")],
    subject: Annotated[str | None, typer.Option("--subject", help="学科 / subject")] = None,
    grade: Annotated[
        int | None, typer.Option("--grade", help="提问者的年级（优先）/ asker's grade (boost)")
    ] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="条数 / passages")] = 5,
) -> None:
    """检索资源库并给出摘录式回答 / search the library; an extractive answer with citations."""
    query = Query(question, subject=subject, boost_grade=grade)
    with command_session(ctx) as session:
        found = service.answer(session, query, n_passages=k, embed=embedder_of(settings_of(ctx)))
    table = Table(title=question)
    for column in ("#", "段落 / passage", "分数 / score", "摘要 / text"):
        table.add_column(column)
    for number, passage in enumerate(found.passages, start=1):
        flat = " ".join(passage.text.split())
        table.add_row(
            str(number),
            f"{passage.citation}\n{passage.chunk.key}",
            f"{passage.hit.score:.2f}",
            flat[:80] + ("…" if len(flat) > 80 else ""),
        )
    console.print(table)
    for sentence, number in found.sentences:
        console.print(f"· {sentence} [dim][{number}][/]")
