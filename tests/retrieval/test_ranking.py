"""Ranking passages: BM25 over jieba tokens, filters, boosts for grade, knowledge point and the
points a question names, and hybrid ranking with an embedding."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from yincai.retrieval import Document, Index, Query, tokenize

DOCUMENTS = [
    Document("abs#1", "绝对值 知识要点 负数的绝对值是它的相反数，绝对值总是非负数。", "MATH", 7,
             ("M7.1",), ("绝对值",)),
    Document("opp#1", "相反数 知识要点 只有符号不同的两个数互为相反数，0 的相反数是 0。", "MATH", 7,
             ("M7.2",), ("相反数",)),
    Document("root#1", "二次根式 知识要点 二次根式的被开方数是非负数。", "MATH", 8,
             ("M8.1",), ("二次根式的概念",)),
    Document("lens#1", "凸透镜成像 物距大于二倍焦距时成倒立、缩小的实像，照相机如此。", "PHY", 8,
             ("P8.1",), ("凸透镜成像的规律",)),
    Document("lens9#1", "凸透镜成像 复习：物距在一倍和二倍焦距之间成倒立、放大的实像。", "PHY", 9,
             ("P9.1",), ("凸透镜成像复习",)),
]  # fmt: skip


def keys(index: Index, query: Query, k: int = 5) -> list[str]:
    return [hit.key for hit in index.search(query, k=k)]


def test_tokens_are_jieba_words_without_function_words_or_punctuation() -> None:
    tokens = tokenize("负数的绝对值是多少？一元二次方程")
    assert "绝对值" in tokens and "负数" in tokens
    assert "一元二次方程" in tokens and "方程" in tokens  # search mode: the words inside too
    assert "的" not in tokens and "？" not in tokens and "是" not in tokens


def test_maths_signs_read_as_the_words_students_type() -> None:
    assert {"根号", "平方"} <= set(tokenize("√2 与 a²"))
    assert "根号" in tokenize("根号2加根号3")


def test_the_passage_sharing_the_questions_words_comes_first() -> None:
    index = Index(DOCUMENTS)
    assert keys(index, Query("负数的绝对值怎么求"))[0] == "abs#1"
    assert keys(index, Query("什么叫互为相反数"))[0] == "opp#1"
    assert keys(index, Query("xyz")) == []  # nothing shares a word: nothing is returned


def test_filters_keep_only_the_subject_grade_and_knowledge_points_asked_for() -> None:
    index = Index(DOCUMENTS)
    assert set(keys(index, Query("非负数", subject="MATH", grade=8))) == {"root#1"}
    assert set(keys(index, Query("非负数", kp_prefix="M7"))) == {"abs#1"}
    assert keys(index, Query("凸透镜", subject="MATH")) == []


def test_the_askers_grade_and_knowledge_points_are_boosted_not_filtered() -> None:
    index = Index(DOCUMENTS)
    question = "凸透镜成像 实像"
    assert keys(index, Query(question, boost_grade=9))[0] == "lens9#1"
    assert keys(index, Query(question, boost_grade=8))[0] == "lens#1"
    assert keys(index, Query(question, boost_kps=("P9",)))[0] == "lens9#1"
    assert set(keys(index, Query(question, boost_grade=8))) == {"lens#1", "lens9#1"}


def test_a_knowledge_point_named_in_the_question_is_reported_and_lifts_its_passages() -> None:
    index = Index(DOCUMENTS)
    hits = index.search(Query("二次根式的概念是什么"))
    assert hits[0].key == "root#1" and hits[0].mentioned == ("M8.1",)
    plain = Index(
        [Document(d.key, d.text, d.subject, d.grade) for d in DOCUMENTS]  # untagged
    ).search(Query("二次根式的概念是什么"))
    assert hits[0].score > plain[0].score


def test_k_limits_the_hits_and_must_be_positive() -> None:
    index = Index(DOCUMENTS)
    assert len(index.search(Query("非负数 相反数 实像"), k=2)) == 2
    with pytest.raises(ValueError, match="k must be at least 1"):
        index.search(Query("绝对值"), k=0)
    assert Index([]).search(Query("绝对值")) == []


def _embed_by_topic(texts: Sequence[str]) -> np.ndarray:
    """A stand-in embedding: one axis per topic word, so 'lens' questions meet 'lens' passages
    even without a shared BM25 word."""
    topics = (("透镜", "照相机", "相机"), ("绝对值", "非负"), ("相反数",))
    return np.array(
        [[float(any(w in t for w in words)) for words in topics] + [0.1] for t in texts]
    )


def test_hybrid_ranking_adds_the_embedding_similarity_to_bm25() -> None:
    lexical = Index(DOCUMENTS)
    hybrid = Index(DOCUMENTS, embed=_embed_by_topic)
    question = Query("照相机 倒立")
    assert lexical.search(question)[0].dense is None
    best = hybrid.search(question)[0]
    assert best.key == "lens#1" and best.dense is not None and best.dense > 0.9
    with pytest.raises(ValueError, match="embeddings must be"):
        Index(DOCUMENTS, embed=lambda texts: np.zeros(len(texts)))
