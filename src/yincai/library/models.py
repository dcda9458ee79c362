"""The library's own table: the chunks of each resource, in reading order. The resource itself
and its knowledge points are the domain's ``resource`` and ``resource_kp`` tables."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yincai.db import Base


class ResourceChunk(Base):
    """One passage of a resource: the text under one heading (or a part of a long one).

    Its key, ``<resource code>#<position>``, is what citations and the labelled questions name.
    """

    __tablename__ = "resource_chunk"
    __table_args__ = (UniqueConstraint("resource_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resource.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1, 2, … in reading order
    heading: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    # the search tokens of title, heading and text, space-separated: jieba runs once, on import
    tokens: Mapped[str] = mapped_column(Text)
