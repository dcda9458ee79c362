"""Offline retrieval for Chinese teaching material: jieba tokens, BM25 (``bm25s``), filters and
boosts by subject, grade and knowledge point, optional dense embeddings fused with BM25.

Pure: plain Python, numpy, jieba and bm25s; no web, database or file code. ``yincai.library``
feeds it the chunks it stores and asks it the questions.
"""

from yincai.retrieval.ranking import Document, Hit, Index, Query
from yincai.retrieval.tokens import content_tokens, tokenize

__all__ = ["Document", "Hit", "Index", "Query", "content_tokens", "tokenize"]
