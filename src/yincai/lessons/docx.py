"""A lesson plan as a Word document (.docx), written directly as WordprocessingML.

The document has a title, a line of facts, the figures table (``plan.figure_rows``, the same as
the page and the PDF) and one ``Heading 1`` per section with its state and its text, a paragraph
per line. Headings carry Word's own style names, so the library's DOCX reader (and Word's
navigation pane) finds the sections. Maths stays as written in the item bank (``$…$``).
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from yincai.i18n import SOURCE_LANGUAGE, _, translate
from yincai.lessons.plan import LessonPlan, confirmed_time, figure_rows

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""  # noqa: E501
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""  # noqa: E501
_DOCUMENT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""  # noqa: E501
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FONTS = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="SimSun"/>'
_STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{_W}">
<w:docDefaults><w:rPrDefault><w:rPr>{_FONTS}<w:sz w:val="22"/><w:lang w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="80" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/>
<w:pPr><w:spacing w:after="120"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/>
<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="0"/></w:pPr>
<w:rPr><w:b/><w:color w:val="2F6DB5"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="State"><w:name w:val="Section State"/><w:basedOn w:val="Normal"/>
<w:rPr><w:i/><w:color w:val="777777"/><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders>
<w:top w:val="single" w:sz="4" w:color="A8B3C2"/><w:left w:val="single" w:sz="4" w:color="A8B3C2"/>
<w:bottom w:val="single" w:sz="4" w:color="A8B3C2"/><w:right w:val="single" w:sz="4" w:color="A8B3C2"/>
<w:insideH w:val="single" w:sz="4" w:color="A8B3C2"/><w:insideV w:val="single" w:sz="4" w:color="A8B3C2"/>
</w:tblBorders></w:tblPr></w:style>
</w:styles>"""  # noqa: E501


def _paragraph(text: str, style: str | None = None) -> str:
    properties = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{properties}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f'<w:tr><w:tc><w:tcPr><w:tcW w:w="3600" w:type="dxa"/></w:tcPr>{_paragraph(label)}'
        f'</w:tc><w:tc><w:tcPr><w:tcW w:w="2400" w:type="dxa"/></w:tcPr>{_paragraph(value)}'
        "</w:tc></w:tr>"
        for label, value in rows
    )
    return f'<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/></w:tblPr>{cells}</w:tbl>'


def _core(title: str, at: datetime) -> str:
    stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>yincai</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        "</cp:coreProperties>"
    )


def lesson_plan_docx(plan: LessonPlan, *, language: str = SOURCE_LANGUAGE) -> bytes:
    """The plan as .docx bytes, its labels in ``language``."""

    def say(text: object) -> str:
        return str(translate(text, language))

    facts = [
        plan.school_name,
        plan.class_name,
        plan.subject_name,
        say(_("知识点：{point}").format(point=plan.kp_name)),
        plan.path,
        say(_("草拟于 {day}").format(day=plan.drafted_on)),
    ]
    body = [
        _paragraph(plan.title, "Title"),
        _paragraph(" · ".join(f for f in facts if f)),
        _paragraph(say(_("本班数据")), "Heading1"),
        _table([(say(label), value) for label, value in figure_rows(plan.figures)]),
    ]
    if plan.figures.n_without_consent:
        body.append(
            _paragraph(
                say(
                    _("另有 {n} 名学生未获监护人同意使用诊断数据，未计入。").format(
                        n=plan.figures.n_without_consent
                    )
                )
            )
        )
    for section in plan.sections:
        body.append(_paragraph(say(section.title), "Heading1"))
        state = say(section.state_words)
        if section.is_confirmed and section.confirmed_by:
            state = say(
                _("{state}（{who}，{at}）").format(
                    state=state, who=section.confirmed_by, at=confirmed_time(section)
                )
            )
        body.append(_paragraph(state, "State"))
        body += [_paragraph(line) for line in section.text.split("\n") if line.strip()]
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{"".join(body)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1300" '
        'w:bottom="1440" w:left="1300" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr>'
        "</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/_rels/document.xml.rels", _DOCUMENT_RELS)
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", _STYLES)
        archive.writestr("docProps/core.xml", _core(plan.title, datetime.now(UTC)))
    return buffer.getvalue()
