"""The optional local embedding model of the library's hybrid search.

``YINCAI_EMBEDDING_MODEL`` names the folder of a sentence-transformers model on this server
(e.g. a bge-small-zh copy the school approved); it is loaded once per process, from that folder
only (no download: schools run offline), and needs the ``sentence-transformers`` package.
Without the setting the library ranks by BM25 alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from yincai.config import Settings
from yincai.errors import Invalid
from yincai.i18n import _
from yincai.retrieval.ranking import Embedder

_MODELS: dict[str, Embedder] = {}
_LOCK = threading.Lock()


def embedder_of(settings: Settings) -> Embedder | None:
    """The configured model as texts → vectors, or None when none is configured."""
    if not settings.embedding_model:
        return None
    folder = settings.embedding_model
    with _LOCK:
        if folder not in _MODELS:
            _MODELS[folder] = _load(Path(folder))
        return _MODELS[folder]


def _load(folder: Path) -> Embedder:
    if not folder.is_dir():
        raise Invalid(
            _("找不到嵌入模型文件夹 {folder}").format(folder=str(folder)),
            code="library.embedding_model_missing",
        )
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise Invalid(
            _("配置了嵌入模型，但没有安装 sentence-transformers"),
            code="library.embedding_package_missing",
        ) from None
    model: Any = SentenceTransformer(str(folder), local_files_only=True)

    def embed(texts: Sequence[str]) -> NDArray[np.floating]:
        return np.asarray(model.encode(list(texts), normalize_embeddings=True))

    return embed
