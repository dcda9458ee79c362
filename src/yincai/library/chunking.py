"""Cutting a parsed file into passages: one per section, long sections at paragraph breaks.

A passage should answer one question and fit on a screen: at most ``MAX_CHARS`` characters,
cut between paragraphs, or between sentences inside a paragraph that is longer on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yincai.library.documents import ParsedFile

MAX_CHARS = 900  # about a screen of Chinese text
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Passage:
    position: int  # 1, 2, … in reading order
    heading: str
    text: str


def passages_of(parsed: ParsedFile, *, max_chars: int = MAX_CHARS) -> list[Passage]:
    """The file's passages in reading order; a section cut in parts keeps its heading."""
    passages: list[Passage] = []
    for section in parsed.sections:
        for text in _parts(section.text, max_chars):
            passages.append(Passage(len(passages) + 1, section.heading or parsed.title, text))
    return passages


def _parts(text: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        paragraph = paragraph.strip()
        if len(paragraph) <= max_chars:
            pieces.append(paragraph)
        else:
            pieces.extend(_pack([s for s in _SENTENCE_END.split(paragraph) if s], max_chars, ""))
    return [p for p in _pack([p for p in pieces if p], max_chars, "\n\n") if p.strip()]


def _pack(pieces: list[str], max_chars: int, joiner: str) -> list[str]:
    """Consecutive pieces joined while they fit; a single piece longer than that is cut."""
    packed: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > max_chars:
            if current:
                packed.append(current)
                current = ""
            packed.append(piece[:max_chars])
            piece = piece[max_chars:]
        candidate = f"{current}{joiner}{piece}" if current else piece
        if len(candidate) <= max_chars:
            current = candidate
        else:
            packed.append(current)
            current = piece
    if current:
        packed.append(current)
    return packed
