"""The demo district's resource library: one Markdown lesson note per knowledge point of every
subject (知识要点, 例题讲解, 易错提醒), written to ``content/library/<subject>/`` and imported by
the demo build through the library's own importer.

The notes are assembled from the curriculum (where the point sits, what it needs, what needs it),
the teachers' key ideas and typical mistakes in ``content/<subject>/lesson_notes.yaml``, and the
item material of the point: the true statements become facts, the false ones mistakes to avoid,
the value and solution drafts worked examples with their answers and steps. ``write_library``
regenerates the files (``python -m yincai.demo.library``); a test checks they are current.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy.orm import Session

from yincai.demo.curriculum import KnowledgePointSpec, load_curriculum
from yincai.demo.itembank.bank import _registry as math_registry
from yincai.demo.itembank.drafts import BLANK, Draft, SolutionDraft, StatementDraft, ValueDraft
from yincai.demo.subjects import MATH, SUBJECTS, DemoSubject
from yincai.library.chunking import passages_of
from yincai.library.documents import read_file
from yincai.library.service import LibraryImport, import_resources
from yincai.retrieval import Document, Index

LIBRARY = resources.files("yincai.demo") / "content" / "library"
LICENCE = "CC BY 4.0 · 因材项目编写"
MAX_EXAMPLES = 3
MAX_FACTS = 8
MAX_MISTAKES = 6
SEED = 2026
MISTAKE_LABEL = "常见错误："
WRONG_LABEL = "错误说法："
_SEMESTER = {1: "上册", 2: "下册"}
_GRADE = {7: "七年级", 8: "八年级", 9: "九年级"}
_HINT = re.compile(r"(?<=____) ?\([A-Za-z ]+\)")


@dataclass(frozen=True)
class LessonNote:
    """What the teachers wrote for one point: the key idea and the typical mistake."""

    idea: str = ""
    mistake: str = ""


def library_files() -> Iterator[tuple[str, Traversable]]:
    """The demo library's Markdown files as (``library/<folder>/<name>``, file), subject by
    subject, in code order."""
    for subject in SUBJECTS:
        folder = LIBRARY / subject.folder
        for file in sorted(
            (f for f in folder.iterdir() if f.name.endswith(".md")), key=lambda f: f.name
        ):
            yield f"library/{subject.folder}/{file.name}", file


def demo_index() -> Index:
    """The demo library's retrieval index built straight from its files, without a database:
    the same passages, keys and tags the library stores when the demo imports them."""
    points = {
        node.code: node.name
        for subject in SUBJECTS
        for node in load_curriculum(subject.curriculum_source)
    }
    codes = {subject.name: subject.code for subject in SUBJECTS}
    documents = []
    for name, file in library_files():
        parsed = read_file(Path(name), file.read_bytes())
        kp_codes = tuple(str(code) for code in parsed.meta["knowledge_points"])
        for passage in passages_of(parsed):
            documents.append(
                Document(
                    key=f"{parsed.meta['code']}#{passage.position}",
                    text=f"{parsed.title}\n{passage.heading}\n{passage.text}",
                    subject=codes[str(parsed.meta["subject"])],
                    grade=int(parsed.meta["grade"]),
                    kp_codes=kp_codes,
                    kp_names=tuple(points[code] for code in kp_codes),
                )
            )
    return Index(documents)


def import_demo_library(session: Session) -> LibraryImport:
    """Import the demo library through the library's importer (subjects and curricula first)."""
    return import_resources(session, [(name, file.read_bytes()) for name, file in library_files()])


def render_library() -> dict[str, str]:
    """Every note of the demo library as ``<folder>/<code>.md`` → Markdown text."""
    files: dict[str, str] = {}
    for subject in SUBJECTS:
        nodes = load_curriculum(subject.curriculum_source)
        notes = _lesson_notes(subject)
        registry = math_registry() if subject is MATH else subject.registry()
        by_code = {node.code: node for node in nodes}
        needed_by: dict[str, list[str]] = {}
        for node in nodes:
            for code in node.prerequisites:
                needed_by.setdefault(code, []).append(node.code)
        for index, node in enumerate(n for n in nodes if n.level == "point"):
            rng = np.random.default_rng([SEED, index, sum(map(ord, subject.code))])
            drafts = [template(rng) for template in registry.get(node.name, [])]
            files[f"{subject.folder}/{node.code}.md"] = _note(
                subject,
                node,
                by_code,
                [by_code[c].name for c in needed_by.get(node.code, [])],
                notes.get(node.name, LessonNote()),
                drafts,
            )
    return files


def write_library(folder: Path) -> int:
    """Write the rendered notes under ``folder`` (replacing what is there); the number written."""
    files = render_library()
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def _lesson_notes(subject: DemoSubject) -> dict[str, LessonNote]:
    source = resources.files("yincai.demo") / "content" / subject.folder / "lesson_notes.yaml"
    if not source.is_file():
        return {}
    document = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    return {
        str(name): LessonNote(str(entry.get("要点", "")), str(entry.get("易错", "")))
        for name, entry in document.items()
    }


def _note(
    subject: DemoSubject,
    node: KnowledgePointSpec,
    by_code: dict[str, KnowledgePointSpec],
    later: list[str],
    note: LessonNote,
    drafts: list[Draft],
) -> str:
    section = by_code[node.parent_code] if node.parent_code else None
    chapter = by_code[section.parent_code] if section and section.parent_code else None
    where = " · ".join(
        part
        for part in (
            f"{_GRADE.get(node.grade, f'{node.grade}年级')}{_SEMESTER.get(node.semester, '')}",
            chapter.name if chapter and chapter.level == "chapter" else "",
            section.name if section and section.level == "section" else "",
        )
        if part
    )
    facts: list[str] = []
    wrong: list[str] = []
    examples: list[str] = []
    slips: list[str] = []
    for draft in drafts:
        if isinstance(draft, StatementDraft):
            lead = _lead(draft.lead)
            claim = draft.claim
            facts.extend(f"{lead}{s}{claim}" for s in draft.true)
            wrong.extend(f"{lead}{s}{claim}" for s in draft.false)
        elif isinstance(draft, ValueDraft) and len(examples) < MAX_EXAMPLES:
            examples.append(_value_example(draft))
            if draft.distractors:
                slips.append(
                    _slip(draft.question, draft.answer, draft.distractors[0], draft.has_blank)
                )
        elif isinstance(draft, SolutionDraft) and len(examples) < MAX_EXAMPLES:
            examples.append(_solution_example(draft))
    if not examples:  # a point taught through statements: a choice question with its reasons
        statement_sets = [d for d in drafts if isinstance(d, StatementDraft)]
        examples = [_choice_example(d) for d in statement_sets[:2] if d.true and d.false]
    lines = [
        "---",
        f"code: LIB-{node.code}",
        f"title: {node.name}",
        "kind: 讲义",
        f"subject: {subject.name}",
        f"grade: {node.grade}",
        f"knowledge_points: [{node.code}]",
        f"licence: {LICENCE}",
        "---",
        "",
        f"# {node.name}",
        "",
        f"> {subject.name} · {where}",
        "",
        "## 知识要点",
        "",
    ]
    if note.idea:
        lines += [note.idea, ""]
    needs = [by_code[c].name for c in node.prerequisites if c in by_code]
    if needs:
        lines += [f"学习“{node.name}”之前，要先掌握：{'、'.join(needs)}。", ""]
    if later:
        lines += [f"“{node.name}”是后面学习{'、'.join(later[:4])}的基础。", ""]
    if facts:
        lines += ["要记住的结论：", ""]
        lines += [f"- {_sentence(f)}" for f in dict.fromkeys(facts[:MAX_FACTS])]
        lines.append("")
    lines += ["## 例题讲解", ""]
    if examples:
        for number, example in enumerate(examples, start=1):
            lines += [f"**例 {number}** {example}", ""]
    else:
        lines += [f"本知识点以理解和运用为主，请结合课本中“{node.name}”的练习巩固。", ""]
    lines += ["## 易错提醒", ""]
    if note.mistake:  # labelled in the sentence itself: a quoted mistake must read as one
        lines += [f"{MISTAKE_LABEL}{note.mistake}", ""]
    if wrong:
        lines += ["下面的说法是错误的，做题时不要上当：", ""]
        lines += [f"- ✗ {WRONG_LABEL}{_sentence(w)}" for w in dict.fromkeys(wrong[:MAX_MISTAKES])]
        lines.append("")
    if slips:
        lines += ["练习中常见的错误答案：", ""]
        lines += [f"- {slip}" for slip in slips]
        lines.append("")
    if not (note.mistake or wrong or slips):
        lines += [f"学习“{node.name}”时，注意把概念和课本上的例子对照起来理解。", ""]
    return "\n".join(lines).rstrip() + "\n"


def _lead(lead: str) -> str:
    """A statement set's lead as the start of each statement: its "下列说法中" part dropped,
    e.g. "两条直线被第三条直线所截，下列说法中" reads "两条直线被第三条直线所截，"."""
    kept = re.sub(r"^关于[^，,]*[，,]\s*(?=下列)", "", lead.strip())  # 关于常见的酸，下列…
    kept = re.sub(r"[，,]?\s*下列[^，,]*$", "", kept).strip("，, ")
    return f"{kept}，" if kept else ""


def _sentence(text: str) -> str:
    text = text.strip().replace("\n", " ")
    return text if text.endswith(("。", "！", "？", ".", "?", "!", "$")) else f"{text}。"


def _value_example(draft: ValueDraft) -> str:
    if draft.has_blank:
        return f"填空：{draft.question}\n\n答案：{draft.answer}（完整句子：{_filled(draft)}）"
    question = draft.question.rstrip("：:，, ")
    return f"{question}____。\n\n答案：{draft.answer}。"


def _filled(draft: ValueDraft) -> str:
    """The sentence with its answer in the blank, the word hint after it, e.g. (heavy), dropped."""
    return _HINT.sub("", draft.question.replace(BLANK, f"{BLANK}", 1), count=1).replace(
        BLANK, draft.answer, 1
    )


def _choice_example(draft: StatementDraft) -> str:
    """A single-choice question from a statement set: one true option among up to three false
    ones (their order fixed by the set), with the answer and why each other option is wrong."""
    options = [draft.true[0], *draft.false[:3]]
    order = sorted(range(len(options)), key=lambda k: (k * 7 + len(options[k])) % len(options))
    letters = "ABCD"
    shown = [options[k] for k in order]
    answer = letters[order.index(0)]
    lead = draft.lead.strip().rstrip("，,")
    stem = f"{lead}，{draft.ask_true}（　）" if lead else f"{draft.ask_true}（　）"
    lines = [stem, ""] + [f"{letters[k]}. {text}{draft.claim}" for k, text in enumerate(shown)]
    wrong = "；".join(f"{letters[k]} 错误" for k in range(len(shown)) if letters[k] != answer)
    return "\n".join(lines) + f"\n\n答案：{answer}。解析：{answer} 的说法正确；{wrong}。"


def _solution_example(draft: SolutionDraft) -> str:
    steps = "\n".join(f"{k}. {step.text}" for k, step in enumerate(draft.steps, start=1))
    stem = draft.stem.strip().replace("\n", "\n\n")
    return f"{stem}\n\n{draft.opening}\n\n{steps}"


def _slip(question: str, answer: str, wrong: str, has_blank: bool) -> str:
    shown = question if has_blank else f"{question.rstrip('：:，, ')}____"
    return f"“{shown}”一题，有同学误答 {wrong.rstrip('。')}，正确答案是 {answer.rstrip('。')}。"


if __name__ == "__main__":  # python -m yincai.demo.library [FOLDER]
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(str(LIBRARY))
    sys.stdout.write(f"{write_library(target)} notes written to {target}\n")
