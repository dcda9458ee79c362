"""Reading resource files: Markdown with front matter, HTML, DOCX and PDF, and a clear reason
for each file the library cannot read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import matplotlib
import pytest

from yincai.library.chunking import passages_of
from yincai.library.documents import ParsedFile, Section, read_file

matplotlib.use("Agg")

NOTE = """---
code: LIB-ABS
subject: 数学
grade: 7
knowledge_points: [M7A.01.02.04]
---
# 绝对值

> 七年级上册

## 知识要点

负数的绝对值是它的相反数。

### 几何意义

数轴上的点到原点的距离。

## 易错提醒

把 -|-7| 算成 7。
"""


def test_markdown_gives_front_matter_title_and_a_section_per_heading() -> None:
    parsed = read_file(Path("abs.md"), NOTE.encode())
    assert parsed.meta["code"] == "LIB-ABS" and parsed.meta["grade"] == 7
    assert parsed.title == "绝对值" and parsed.media_type == "markdown"
    assert [s.heading for s in parsed.sections] == ["知识要点", "知识要点 › 几何意义", "易错提醒"]
    assert parsed.sections[0].text.startswith("> 七年级上册")  # the subtitle joins the first
    assert "负数的绝对值是它的相反数。" in parsed.sections[0].text


def test_html_sections_start_at_subheadings_and_meta_tags_are_tags() -> None:
    html = """<html><head><title>光的折射</title><meta name="subject" content="物理">
    <meta name="knowledge_points" content="PHY8A.04.02.01, PHY8A.04.02.02"></head>
    <body><h1>光的折射</h1><p>引言</p><h2>规律</h2><p>折射角小于入射角。</p>
    <script>var x = 1;</script><h2>现象</h2><ul><li>池水变浅</li><li>筷子“折断”</li></ul>
    </body></html>"""
    parsed = read_file(Path("refraction.html"), html.encode())
    assert parsed.title == "光的折射" and parsed.meta["subject"] == "物理"
    assert parsed.meta["knowledge_points"] == ["PHY8A.04.02.01", "PHY8A.04.02.02"]
    assert [s.heading for s in parsed.sections] == ["规律", "现象"]
    assert "折射角小于入射角" in parsed.sections[0].text and "var x" not in parsed.text
    assert "池水变浅" in parsed.sections[1].text and "筷子“折断”" in parsed.sections[1].text


def _docx(paragraphs: list[tuple[str, str]], title: str = "") -> bytes:
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>'
        if style
        else f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"
        for style, text in paragraphs
    )
    styles = (
        f"<w:styles {ns}><w:style w:styleId='1'><w:name w:val='heading 1'/></w:style></w:styles>"
    )
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{title}</dc:title></cp:coreProperties>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "word/document.xml", f"<w:document {ns}><w:body>{body}</w:body></w:document>"
        )
        archive.writestr("word/styles.xml", styles)
        archive.writestr("docProps/core.xml", core)
    return buffer.getvalue()


def test_docx_paragraphs_styled_as_headings_start_sections() -> None:
    data = _docx(
        [
            ("", "导语"),
            ("1", "质量守恒定律"),
            ("", "反应前后原子的种类不变。"),
            ("Heading2", "应用"),
        ],
        title="化学讲义",
    )
    parsed = read_file(Path("chem.docx"), data)
    assert parsed.title == "化学讲义" and parsed.media_type == "docx"
    assert [s.heading for s in parsed.sections] == ["质量守恒定律"]
    assert parsed.sections[0].text == "导语\n\n反应前后原子的种类不变。"


def test_pdf_text_is_read_page_by_page(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure()
    figure.text(0.1, 0.5, "Ohm law: I = U / R")
    path = tmp_path / "ohm.pdf"
    figure.savefig(path, format="pdf")
    parsed = read_file(path, path.read_bytes())
    assert [s.heading for s in parsed.sections] == ["第 1 页"]
    assert "Ohm law" in parsed.sections[0].text and parsed.title == "ohm"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("notes.pptx", b"x", "不支持的文件类型"),
        ("empty.md", b"  \n", "文件是空的"),
        ("gbk.md", "绝对值".encode("gbk"), "UTF-8"),
        ("bad.md", b"---\nsubject: [\n---\n# x\n\ntext", "YAML"),
        ("heading.md", b"# only a title\n", "没有可读的文字"),
        ("broken.docx", b"not a zip", "Word"),
        ("broken.pdf", b"%PDF-1.4 broken", "PDF"),
    ],
)
def test_a_file_the_library_cannot_read_gets_a_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_file(Path(name), data)


def test_a_long_section_is_cut_between_paragraphs_and_keeps_its_heading() -> None:
    paragraphs = [f"第{n}段。" + "很长的说明文字。" * 20 for n in range(5)]
    parsed = ParsedFile("长文", "markdown", [Section("要点", "\n\n".join(paragraphs))])
    passages = passages_of(parsed, max_chars=400)
    assert len(passages) > 1 and all(len(p.text) <= 400 for p in passages)
    assert [p.position for p in passages] == list(range(1, len(passages) + 1))
    assert {p.heading for p in passages} == {"要点"}
    assert "".join(p.text.replace("\n\n", "") for p in passages) == "".join(paragraphs)
