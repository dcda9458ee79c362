"""Reading a resource file into its title, its metadata and its sections (heading + text).

Markdown (``.md``): an optional YAML front matter between ``---`` lines holds the metadata
(``code``, ``title``, ``kind``, ``subject``, ``grade``, ``knowledge_points``, ``licence``); ``#``
is the title, ``##`` and deeper headings start sections. HTML: ``<title>``/``<h1>`` and
``<meta name="subject" …>`` tags, sections at ``<h2>``–``<h6>``. DOCX: the document's core
title and its paragraphs styled as headings. PDF: one section per page. Anything unreadable
raises ValueError with a reason a teacher can act on.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from yincai.i18n import _

MEDIA_TYPES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
MAX_FILE_BYTES = 20 * 2**20  # a lesson note or a textbook chapter, not a scanned book
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10× faster
_HEADING_STYLE = re.compile(r"^(heading|title|标题)\s*(\d*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass
class ParsedFile:
    """What a file says: ``meta`` as written in it (front matter, HTML meta tags)."""

    title: str
    media_type: str
    sections: list[Section]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(
            f"{s.heading}\n{s.text}" if s.heading else s.text for s in self.sections
        ).strip()


def media_type_of(path: Path) -> str:
    """The format of ``path`` by its extension; ValueError for one the library cannot read."""
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        known = "、".join(sorted(MEDIA_TYPES))
        raise ValueError(
            _("不支持的文件类型“{suffix}”，可导入：{known}").format(
                suffix=path.suffix or path.name, known=known
            )
        )
    return media_type


def read_file(path: Path, data: bytes) -> ParsedFile:
    """Parse ``data`` (the bytes of ``path``) by its format."""
    media_type = media_type_of(path)
    if not data.strip():
        raise ValueError(_("文件是空的"))
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(_("文件超过 {n} MB").format(n=MAX_FILE_BYTES // 2**20))
    if media_type == "pdf":
        parsed = _read_pdf(data)
    elif media_type == "docx":
        parsed = _read_docx(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError(_("文件不是 UTF-8 编码的文本")) from None
        parsed = _read_html(text) if media_type == "html" else read_markdown(text)
    if not parsed.title:
        parsed.title = path.stem
    if not any(s.text.strip() for s in parsed.sections):
        raise ValueError(_("文件里没有可读的文字"))
    return parsed


def read_markdown(text: str) -> ParsedFile:
    """Markdown with optional YAML front matter; sections at ``##`` and deeper headings."""
    meta: dict[str, Any] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        try:
            loaded = yaml.load(match.group(1), Loader=_YAML_LOADER)
        except yaml.YAMLError as problem:
            raise ValueError(
                _("文件开头的元数据不是有效的 YAML：{problem}").format(
                    problem=str(problem).splitlines()[0]
                )
            ) from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ValueError(_("文件开头的元数据应为“键: 值”的列表"))
        meta = loaded or {}
        text = text[match.end() :]
    title = ""
    sections: list[Section] = []
    heading, lines = "", list[str]()
    path: list[tuple[int, str]] = []
    for line in text.splitlines():
        found = _HEADING.match(line)
        if found and len(found.group(1)) == 1 and not title:
            title = found.group(2)
            continue
        if found:
            _close(sections, heading, lines)
            level = len(found.group(1))
            path = [(lv, name) for lv, name in path if lv < level] + [(level, found.group(2))]
            heading, lines = " › ".join(name for _level, name in path), []
            continue
        lines.append(line)
    _close(sections, heading, lines)
    return ParsedFile(title=str(meta.get("title") or title), media_type="markdown",
                      sections=_merge_preamble(sections), meta=meta)  # fmt: skip


def _close(sections: list[Section], heading: str, lines: list[str]) -> None:
    body = "\n".join(lines).strip()
    if body:  # a heading with nothing under it (before its subheadings) is no passage
        sections.append(Section(heading, body))


def _merge_preamble(sections: list[Section]) -> list[Section]:
    """Text before the first heading joins the first section: a subtitle is no passage."""
    if len(sections) > 1 and not sections[0].heading:
        first, second = sections[0], sections[1]
        return [Section(second.heading, f"{first.text}\n\n{second.text}"), *sections[2:]]
    return sections


class _HtmlText(HTMLParser):
    BLOCKS = frozenset({"p", "div", "li", "br", "tr", "section", "article", "table", "ul", "ol"})
    SKIP = frozenset({"script", "style", "nav", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.meta: dict[str, str] = {}
        self.sections: list[Section] = []
        self._heading = ""
        self._parts: list[str] = []
        self._capture: str | None = None  # "title", "h1" or "h2".."h6" while inside one
        self._captured: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = dict(attrs)
            name, content = values.get("name"), values.get("content")
            if name and content:
                self.meta[name.lower()] = content
        elif tag in self.SKIP and tag != "head":
            self._skipping += 1
        elif tag == "title" or re.fullmatch(r"h[1-6]", tag):
            self._capture, self._captured = tag, []
        elif tag in self.BLOCKS:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and tag != "head":
            self._skipping = max(0, self._skipping - 1)
        elif tag == self._capture:
            words = " ".join("".join(self._captured).split())
            if tag in ("title", "h1"):  # the title, not a section: its text joins the preamble
                self.title = self.title or words
            else:
                self._flush()
                self._heading = words
            self._capture = None
        elif tag in self.BLOCKS:
            self._parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        (self._captured if self._capture else self._parts).append(data)

    def _flush(self) -> None:
        text = re.sub(r"\n\s*\n+", "\n\n", "".join(self._parts)).strip()
        text = "\n".join(" ".join(line.split()) for line in text.splitlines())
        if text:
            self.sections.append(Section(self._heading, text))
        self._parts = []

    def result(self) -> tuple[str, dict[str, str], list[Section]]:
        self._flush()
        return self.title, self.meta, _merge_preamble(self.sections)


def _read_html(text: str) -> ParsedFile:
    parser = _HtmlText()
    parser.feed(text)
    parser.close()
    title, meta, sections = parser.result()
    meta_values: dict[str, Any] = dict(meta)
    if "knowledge_points" in meta_values:
        meta_values["knowledge_points"] = re.split(r"[,，、\s]+", meta["knowledge_points"])
    return ParsedFile(title=title, media_type="html", sections=sections, meta=meta_values)


def _read_docx(data: bytes) -> ParsedFile:
    try:
        with zipfile.ZipFile(_bytes_file(data)) as archive:
            document = ElementTree.fromstring(archive.read("word/document.xml"))
            styles = _docx_style_names(archive)
            core = (
                archive.read("docProps/core.xml")
                if "docProps/core.xml" in archive.namelist()
                else b""
            )
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise ValueError(_("无法读取 Word 文件：文件已损坏或不是 .docx 格式")) from None
    title = ""
    if core:
        node = ElementTree.fromstring(core).find(_DC_TITLE)
        title = (node.text or "").strip() if node is not None else ""
    sections: list[Section] = []
    heading, lines = "", list[str]()
    for paragraph in document.iter(f"{_WORD_NS}p"):
        text = "".join(t.text or "" for t in paragraph.iter(f"{_WORD_NS}t")).strip()
        if not text:
            continue
        style = paragraph.find(f"{_WORD_NS}pPr/{_WORD_NS}pStyle")
        style_id = style.get(f"{_WORD_NS}val", "") if style is not None else ""
        level = _heading_level(styles.get(style_id, style_id))
        if level == 0:
            title = title or text
        elif level is not None:
            _close(sections, heading, lines)
            heading, lines = text, []
        else:
            lines.append(text)
    _close(sections, heading, lines)
    return ParsedFile(title=title, media_type="docx", sections=_merge_preamble(sections))


def _docx_style_names(archive: zipfile.ZipFile) -> dict[str, str]:
    if "word/styles.xml" not in archive.namelist():
        return {}
    root = ElementTree.fromstring(archive.read("word/styles.xml"))
    names = {}
    for style in root.iter(f"{_WORD_NS}style"):
        name = style.find(f"{_WORD_NS}name")
        if name is not None:
            names[style.get(f"{_WORD_NS}styleId", "")] = name.get(f"{_WORD_NS}val", "")
    return names


def _heading_level(style_name: str) -> int | None:
    """0 for a title style, n for "heading n", None for body text."""
    match = _HEADING_STYLE.match(style_name.strip())
    if not match:
        return None
    if match.group(1).lower() == "title":
        return 0
    return int(match.group(2) or 1)


def _read_pdf(data: bytes) -> ParsedFile:
    import pypdfium2 as pdfium  # only when a PDF comes: it loads a native library

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise ValueError(_("无法读取 PDF 文件：文件已损坏或有密码保护")) from None
    try:
        sections = []
        for number in range(len(document)):
            page = document[number]
            text_page = page.get_textpage()
            text = text_page.get_text_range().replace("\r\n", "\n").strip()
            text_page.close()
            page.close()
            if text:
                sections.append(Section(_("第 {n} 页").format(n=number + 1), text))
        title = str(document.get_metadata_dict().get("Title", "") or "").strip()
    finally:
        document.close()
    if not sections:
        raise ValueError(_("PDF 里没有文字层（扫描件需要先做文字识别）"))
    return ParsedFile(title=title, media_type="pdf", sections=sections)


def _bytes_file(data: bytes) -> Any:
    import io

    return io.BytesIO(data)
