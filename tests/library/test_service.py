"""Importing resources (all or nothing, idempotent), browsing and reading them, searching their
passages and answering from them without a language model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.library.conftest import ABS, OPPOSITE, note
from yincai.accounts.actors import CLI
from yincai.domain.models import Resource, ResourceKp, Subject
from yincai.errors import Invalid, NotFound
from yincai.library import service
from yincai.library.models import ResourceChunk
from yincai.library.search import library_index
from yincai.retrieval import Query


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_import_stores_the_resource_its_tags_and_its_passages(
    session: Session, curriculum: Subject
) -> None:
    result = service.import_resources(session, [("abs.md", ABS), ("opp.md", OPPOSITE)])
    assert result.created == ["T-ABS", "T-OPP"] and result.n_chunks == 3
    view = service.get_resource(
        session,
        actor=CLI,
        resource_id=session.scalar(select(Resource.id).where(Resource.code == "T-ABS")),
    )
    assert view.resource.title == "绝对值" and view.resource.grade_level == 7
    assert view.resource.licence == "CC BY 4.0" and view.resource.kind == "讲义"
    assert view.subject_name == "测试学科" and [kp.code for kp in view.knowledge_points] == [
        "T7.01"
    ]
    assert [(c.position, c.heading) for c in view.chunks] == [(1, "知识要点"), (2, "易错提醒")]
    assert "绝对值" in view.chunks[0].tokens.split()  # tokenised once, on import


def test_reimporting_the_same_file_changes_nothing_and_a_changed_one_replaces_its_passages(
    session: Session, curriculum: Subject
) -> None:
    service.import_resources(session, [("abs.md", ABS)])
    before = session.scalars(select(ResourceChunk.id).order_by(ResourceChunk.id)).all()
    again = service.import_resources(session, [("abs.md", ABS)])
    assert again.unchanged == ["T-ABS"] and not again.created and not again.updated
    assert session.scalars(select(ResourceChunk.id).order_by(ResourceChunk.id)).all() == before
    regraded = service.import_resources(
        session, [("abs.md", ABS)], tags=service.ResourceTags(grade="八年级")
    )
    assert regraded.updated == ["T-ABS"]  # same text, other tags: updated
    changed = ABS.replace(
        "正确结果是 -7。".encode(), "正确结果是 -7。\n\n## 例题\n\n求 |-3|。".encode()
    )
    result = service.import_resources(session, [("abs.md", changed)])
    assert result.updated == ["T-ABS"] and result.n_chunks == 3
    assert _count(session, ResourceChunk) == 3 and _count(session, Resource) == 1
    assert _count(session, ResourceKp) == 1


def test_bad_files_are_each_reported_and_nothing_is_written(
    session: Session, curriculum: Subject
) -> None:
    files = [
        ("abs.md", ABS),
        ("unknown-kp.md", note("T-X", "x", "## a\n\ntext", kp="NOPE")),
        ("no-subject.md", b"# x\n\n## a\n\ntext"),
        ("slides.pptx", b"x"),
        ("twin.md", note("T-ABS", "twin", "## a\n\ntext")),
    ]
    with pytest.raises(Invalid) as caught:
        service.import_resources(session, files)
    reasons = caught.value.details_in("zh")
    assert len(reasons) == 4
    assert any("unknown-kp.md" in r and "NOPE" in r for r in reasons)
    assert any("no-subject.md" in r and "学科" in r for r in reasons)
    assert any("slides.pptx" in r and "不支持" in r for r in reasons)
    assert any("twin.md" in r and "T-ABS" in r for r in reasons)
    assert _count(session, Resource) == 0 and _count(session, ResourceChunk) == 0


def test_command_line_tags_replace_the_files_own_and_folders_are_read(
    session: Session, curriculum: Subject, tmp_path: Path
) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "plain.md").write_text(
        "# 相反数小结\n\n## 要点\n\n互为相反数的两数和为 0。"
    )
    (tmp_path / "notes" / "ignored.png").write_bytes(b"\x89PNG")
    tags = service.ResourceTags(subject="TST", grade="7", knowledge_points=("相反数",))
    result = service.import_paths(session, [tmp_path / "notes"], tags=tags)
    assert result.created == ["plain"]
    resource = session.scalars(select(Resource)).one()
    assert resource.kind == service.DEFAULT_KIND and resource.licence == service.DEFAULT_LICENCE
    with pytest.raises(Invalid, match="找不到文件"):
        service.import_paths(session, [tmp_path / "missing.md"])


def test_browse_filters_by_subject_grade_and_knowledge_point(
    session: Session, curriculum: Subject
) -> None:
    service.import_resources(session, [("abs.md", ABS), ("opp.md", OPPOSITE)])
    everything = service.browse(session, actor=CLI)
    assert [r.resource.code for r in everything.rows] == ["T-ABS", "T-OPP"]
    assert [r.n_chunks for r in everything.rows] == [2, 1]
    assert [r.resource.code for r in service.browse(session, actor=CLI, grade=8).rows] == ["T-OPP"]
    assert [r.resource.code for r in service.browse(session, actor=CLI, kp_code="T7.01").rows] == [
        "T-ABS"
    ]
    assert service.browse(session, actor=CLI, subject_id=curriculum.id + 99).n_total == 0
    with pytest.raises(NotFound):
        service.get_resource(session, actor=CLI, resource_id=10**6)


def test_search_and_answer_cite_the_passage_and_the_index_follows_imports(
    session: Session, curriculum: Subject
) -> None:
    service.import_resources(session, [("abs.md", ABS)])
    first = library_index(session)
    assert library_index(session) is first  # same data version: the index is reused
    found = service.search(session, Query("负数的绝对值是什么", subject="测试学科"))
    assert found[0].chunk.key == "T-ABS#1" and found[0].citation == "绝对值 › 知识要点"
    service.import_resources(session, [("opp.md", OPPOSITE)])
    assert library_index(session) is not first and len(library_index(session)) == 3
    answer = service.answer(session, Query("0 的相反数是多少", boost_grade=8))
    assert answer.passages[0].chunk.key == "T-OPP#1"
    assert answer.sentences[0] == ("只有符号不同的两个数互为相反数，0 的相反数是 0。", 1)
    assert service.search(session, Query("光的折射")) == []


def test_without_a_configured_model_search_is_bm25_alone_and_a_missing_one_is_reported(
    tmp_path: Path,
) -> None:
    from yincai.config import Settings
    from yincai.library.embeddings import embedder_of

    assert embedder_of(Settings(data_dir=tmp_path)) is None
    with pytest.raises(Invalid, match="嵌入模型"):
        embedder_of(Settings(data_dir=tmp_path, embedding_model=str(tmp_path / "no-model")))
