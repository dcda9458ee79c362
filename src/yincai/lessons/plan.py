"""The lesson plan: its parts, its figures, and the rules that draft it from data. Pure.

``draft`` turns what ``lessons.data`` gathered about one class and one knowledge point (a
``PointContext``) into a ``LessonPlan``: the class's figures (one table, the same on the page,
in the DOCX and in the PDF: ``figure_rows``) and eight sections, each an editable text with the
bank items it names and its state: drafted by the machine (from data, or polished by a model)
until a person confirms it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from yincai.diagnosis.levels import BAND_WORDS, MasteryBand, is_weak
from yincai.i18n import Message, _
from yincai.lessons.exercises import Allocation, Candidate, Level, Relation, allocate
from yincai.reports.formatting import number, percent

Polish = Callable[[str], str]

SECTION_KEYS = (
    "objectives",
    "class_data",
    "mistakes",
    "warm_up",
    "examples",
    "exercises",
    "exit_ticket",
    "homework",
)
SECTION_TITLES: dict[str, Message] = {
    "objectives": _("教学目标"),
    "class_data": _("学情分析"),
    "mistakes": _("常见错误"),
    "warm_up": _("课前热身"),
    "examples": _("例题讲解"),
    "exercises": _("分层练习"),
    "exit_ticket": _("课堂小测（出门条）"),
    "homework": _("课后作业"),
}
POLISHED = ("objectives", "class_data", "mistakes")  # prose a model may reword; items stay
LEVEL_WORDS: dict[Level, Message] = {
    Level.BASIC: _("【基础】"),
    Level.CORE: _("【提高】"),
    Level.STRETCH: _("【拓展】"),
}
NEUTRAL_SUCCESS = 0.5  # an item without a prediction is placed in the middle
MAX_SECTION_CHARS = 6000  # what a teacher may save in one section
N_MISTAKE_ITEMS = 3
STEM_CHARS = 60
OPTION_LETTERS = "ABCDEFGHIJ"  # a stem quoted in the mistakes section is cut here
_BOLD = re.compile(r"\*\*(.+?)\*\*")


class Origin(StrEnum):
    """Who wrote a section's current text."""

    DATA = "data"  # drafted by rules from the curriculum, the library and the class's data
    MODEL = "model"  # reworded by the configured language model
    TEACHER = "teacher"  # written or confirmed by a person


ORIGIN_WORDS: dict[Origin, Message] = {
    Origin.DATA: _("机器草拟，待教师确认"),
    Origin.MODEL: _("AI 润色，待教师确认"),
    Origin.TEACHER: _("教师已确认"),
}


def identity(text: str) -> str:
    """No model configured: the drafted text stays as it is."""
    return text


# ---- what the builder reads ----------------------------------------------------------------


@dataclass(frozen=True)
class PointRef:
    kp_id: int
    code: str
    name: str


@dataclass(frozen=True)
class PointState:
    """The class on one point: the level over students with evidence and the bands' counts
    (``diagnosis.levels``)."""

    point: PointRef
    mean_level: float | None
    n_needs_work: int
    n_basic: int
    n_proficient: int
    n_no_evidence: int
    is_taught: bool

    @property
    def n_with_evidence(self) -> int:
        return self.n_needs_work + self.n_basic + self.n_proficient


@dataclass(frozen=True)
class BankItem:
    """A bank item on the point or a neighbour, with the class's answers to it."""

    item_id: int
    kp_id: int
    kp_name: str
    relation: Relation
    stem: str
    options: tuple[str, ...]
    answer: str
    success: float | None  # the class's mean predicted chance of answering it right
    rank: int = 0  # among neighbours of one relation (prerequisites: weakest first)
    n_answers: int = 0  # the class's scored answers
    score_sum: float = 0.0  # their scores ÷ full marks, summed
    wrong_answers: tuple[tuple[str, int], ...] = ()  # most frequent first (analysis.review)


@dataclass(frozen=True)
class Note:
    """The library's lesson note on the point: its three parts as text."""

    code: str
    title: str
    key_points: str
    examples: str
    pitfalls: str


@dataclass(frozen=True)
class PointContext:
    school_class_id: int
    class_name: str
    school_name: str
    grade_level: int
    subject_code: str
    subject_name: str
    point: PointRef
    path: str  # where the point sits: 七年级上册 · 有理数 · 有理数
    state: PointState
    prerequisites: list[PointState]  # weakest first
    dependants: list[PointRef]
    items: list[BankItem]
    note: Note | None
    n_students: int  # students whose data may be used
    n_without_consent: int
    has_class_data: bool  # whether the class's estimates were available


# ---- the plan --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The class's figures on the point when the draft was made."""

    n_students: int
    n_without_consent: int
    mean_level: float | None
    n_needs_work: int
    n_basic: int
    n_proficient: int
    n_no_evidence: int
    n_point_items: int  # bank items whose main point it is
    n_answers: int  # the class's scored answers to them
    score_rate: float | None
    n_weak_prerequisites: int


@dataclass(frozen=True)
class PlanItem:
    item_id: int
    kp_id: int
    kp_name: str
    relation: str
    stem: str
    options: tuple[str, ...]
    answer: str
    success: float | None  # None where the class had no estimates


@dataclass(frozen=True)
class Section:
    key: str
    text: str
    item_ids: tuple[int, ...] = ()
    origin: Origin = Origin.DATA
    confirmed_by: str | None = None
    confirmed_at: str | None = None  # ISO time, UTC

    @property
    def is_confirmed(self) -> bool:
        return self.origin is Origin.TEACHER

    @property
    def title(self) -> Message:
        return SECTION_TITLES[self.key]

    @property
    def state_words(self) -> Message:
        return ORIGIN_WORDS[self.origin]


@dataclass(frozen=True)
class LessonPlan:
    school_class_id: int
    class_name: str
    school_name: str
    grade_level: int
    subject_code: str
    subject_name: str
    kp_id: int
    kp_code: str
    kp_name: str
    path: str
    drafted_on: str  # ISO date
    figures: Figures
    items: tuple[PlanItem, ...]
    note_code: str | None
    note_title: str | None
    sections: tuple[Section, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return f"{self.kp_name} · {self.class_name}"

    @property
    def n_unconfirmed(self) -> int:
        return sum(not s.is_confirmed for s in self.sections)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LessonPlan:
        values = dict(data)
        values["figures"] = Figures(**values["figures"])
        values["items"] = tuple(
            PlanItem(**{**i, "options": tuple(i["options"])}) for i in values["items"]
        )
        values["sections"] = tuple(
            Section(**{**s, "item_ids": tuple(s["item_ids"]), "origin": Origin(s["origin"])})
            for s in values["sections"]
        )
        return cls(**values)


def figure_rows(figures: Figures) -> list[tuple[Message, str]]:
    """The figures table: one rule for the page, the DOCX and the PDF."""
    return [
        (_("计入的学生"), str(figures.n_students)),
        (_("平均掌握水平"), number(figures.mean_level, 2)),
        (BAND_WORDS[MasteryBand.NEEDS_WORK], str(figures.n_needs_work)),
        (BAND_WORDS[MasteryBand.BASIC], str(figures.n_basic)),
        (BAND_WORDS[MasteryBand.PROFICIENT], str(figures.n_proficient)),
        (BAND_WORDS[MasteryBand.NO_EVIDENCE], str(figures.n_no_evidence)),
        (_("本知识点题目（题库）"), str(figures.n_point_items)),
        (_("本班作答次数"), str(figures.n_answers)),
        (_("本班得分率"), percent(figures.score_rate)),
        (_("薄弱的先修知识点"), str(figures.n_weak_prerequisites)),
    ]


def confirmed_time(section: Section) -> str:
    """When a person confirmed the section, to the minute (UTC), as every surface shows it."""
    return (section.confirmed_at or "").replace("T", " ")[:16]


# ---- drafting ------------------------------------------------------------------------------


def draft(
    context: PointContext, *, drafted_on: date, language: str, polish: Polish = identity
) -> LessonPlan:
    """The machine's draft of the lesson: every section filled from data, none confirmed."""

    def say(message: Message) -> str:
        return message.render(language)

    allocation = allocate([_candidate(i) for i in context.items])
    by_id: dict[int, BankItem] = {}
    for item in context.items:  # the point's own items come first: an item keeps its closest tie
        by_id.setdefault(item.item_id, item)
    shown = context.has_class_data and context.n_students > 0  # predictions for this class
    figures = _figures(context)
    sections = [
        Section("objectives", _objectives(context, say)),
        Section("class_data", _class_data(context, figures, say)),
        _mistakes(context, say),
        _items_section("warm_up", allocation.warm_up, by_id, shown, say, _warm_up_lead(context)),
        _examples(context, allocation, by_id, say),
        _exercises(allocation, by_id, shown, say),
        _items_section(
            "exit_ticket",
            allocation.exit_ticket,
            by_id,
            shown,
            say,
            _exit_lead(allocation, by_id, shown),
        ),
        _items_section("homework", allocation.homework, by_id, shown, say, _homework_lead(context)),
    ]
    sections = [replace(s, text=normalise(s.text)) for s in sections]
    sections = [_polished(s, polish) if s.key in POLISHED else s for s in sections]
    named = dict.fromkeys(item_id for s in sections for item_id in s.item_ids)
    items = tuple(_plan_item(by_id[item_id], shown) for item_id in named)
    return LessonPlan(
        school_class_id=context.school_class_id,
        class_name=context.class_name,
        school_name=context.school_name,
        grade_level=context.grade_level,
        subject_code=context.subject_code,
        subject_name=context.subject_name,
        kp_id=context.point.kp_id,
        kp_code=context.point.code,
        kp_name=context.point.name,
        path=context.path,
        drafted_on=drafted_on.isoformat(),
        figures=figures,
        items=items,
        note_code=context.note.code if context.note else None,
        note_title=context.note.title if context.note else None,
        sections=tuple(sections),
    )


def edited(
    plan: LessonPlan,
    texts: Mapping[str, str],
    confirmed: Iterable[str],
    *,
    by: str,
    at: datetime,
) -> LessonPlan:
    """The plan after a person's edit: a section whose text changed, or that they confirmed,
    becomes theirs (教师已确认); the others keep their state."""
    confirm = set(confirmed)
    sections = []
    for section in plan.sections:
        text = normalise(texts.get(section.key, section.text))
        if text != section.text or (section.key in confirm and not section.is_confirmed):
            section = replace(
                section,
                text=text,
                origin=Origin.TEACHER,
                confirmed_by=by,
                confirmed_at=at.isoformat(timespec="seconds"),
            )
        sections.append(section)
    return replace(plan, sections=tuple(sections))


def normalise(text: str) -> str:
    """A section's text as stored: Unix line ends, no trailing spaces, no blank ends."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _candidate(item: BankItem) -> Candidate:
    success = NEUTRAL_SUCCESS if item.success is None else item.success
    return Candidate(item.item_id, item.relation, success, item.rank)


def _polished(section: Section, polish: Polish) -> Section:
    text = normalise(polish(section.text))
    if not text or text == section.text:
        return section
    return replace(section, text=text, origin=Origin.MODEL)


def _figures(context: PointContext) -> Figures:
    own = [i for i in context.items if i.relation is Relation.POINT]
    n_answers = sum(i.n_answers for i in own)
    state = context.state
    return Figures(
        n_students=context.n_students,
        n_without_consent=context.n_without_consent,
        mean_level=state.mean_level,
        n_needs_work=state.n_needs_work,
        n_basic=state.n_basic,
        n_proficient=state.n_proficient,
        n_no_evidence=state.n_no_evidence,
        n_point_items=len(own),
        n_answers=n_answers,
        score_rate=sum(i.score_sum for i in own) / n_answers if n_answers else None,
        n_weak_prerequisites=sum(_is_weak(p) for p in context.prerequisites),
    )


def _is_weak(state: PointState) -> bool:
    return state.mean_level is not None and is_weak(state.mean_level)


def _names(points: Sequence[PointRef]) -> str:
    return "、".join(f"「{p.name}」" for p in points)


def _first_paragraph(text: str) -> str:
    for paragraph in text.split("\n\n"):
        cleaned = _BOLD.sub(r"\1", paragraph).strip()
        if cleaned and not cleaned.startswith(">"):
            return cleaned
    return ""


def _objectives(context: PointContext, say: Callable[[Message], str]) -> str:
    point = context.point.name
    idea = _first_paragraph(context.note.key_points) if context.note else ""
    lines = [
        say(_("理解「{point}」：{idea}").format(point=point, idea=idea))
        if idea
        else say(
            _("理解「{point}」（{path}）的含义与方法。").format(point=point, path=context.path)
        )
    ]
    prerequisites = [p.point for p in context.prerequisites]
    if prerequisites:
        lines.append(
            say(_("在已学的{names}的基础上学习本课。").format(names=_names(prerequisites)))
        )
    lines.append(say(_("能独立完成基础题和提高题，学有余力的学生完成拓展题。")))
    if context.state.n_needs_work:
        lines.append(
            say(_("重点帮助本知识点「需要巩固」的 {n} 名学生过关。").format(
                n=context.state.n_needs_work
            ))
        )  # fmt: skip
    if context.dependants:
        lines.append(say(_("为后续学习{names}打好基础。").format(names=_names(context.dependants))))
    return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))


def _class_data(context: PointContext, figures: Figures, say: Callable[[Message], str]) -> str:
    state = context.state
    point = context.point.name
    lines = []
    if not context.has_class_data:
        lines.append(say(_("本学科的掌握度估计尚未算出，以下学情只依据本班的作答记录。")))
    elif state.n_with_evidence:
        lines.append(
            say(_(
                "本班 {n} 名学生在「{point}」上：需要巩固 {weak} 人，基本掌握 {basic} 人，"
                "熟练 {fluent} 人，暂无作答 {none} 人；平均掌握水平 {mean}。"
            ).format(
                n=context.n_students, point=point, weak=state.n_needs_work, basic=state.n_basic,
                fluent=state.n_proficient, none=state.n_no_evidence,
                mean=number(state.mean_level, 2),
            ))
        )  # fmt: skip
    elif state.is_taught:
        lines.append(
            say(_("本班在「{point}」上暂无作答记录；学情依据先修知识点。").format(point=point))
        )
    else:
        lines.append(
            say(
                _("本班尚未学习「{point}」，暂无作答记录；学情依据先修知识点。").format(point=point)
            )
        )
    if figures.n_answers:
        lines.append(
            say(_("本班在本知识点的 {k} 道题上共作答 {n} 次，得分率 {rate}。").format(
                k=sum(i.n_answers > 0 for i in context.items if i.relation is Relation.POINT),
                n=figures.n_answers,
                rate=percent(figures.score_rate),
            ))
        )  # fmt: skip
    for prerequisite in context.prerequisites:
        if prerequisite.mean_level is None:
            lines.append(
                say(_("先修「{point}」：本班暂无作答。").format(point=prerequisite.point.name))
            )
            continue
        line = _("先修「{point}」：平均掌握水平 {mean}，需要巩固 {n} 人。").format(
            point=prerequisite.point.name,
            mean=number(prerequisite.mean_level, 2),
            n=prerequisite.n_needs_work,
        )
        if _is_weak(prerequisite):
            line = _("{line}本班薄弱，课前复习。").format(line=line)
        lines.append(say(line))
    if not context.prerequisites:
        lines.append(say(_("本知识点没有先修知识点。")))
    if context.n_without_consent:
        lines.append(
            say(_("另有 {n} 名学生未获监护人同意使用诊断数据，未计入以上人数。").format(
                n=context.n_without_consent
            ))
        )  # fmt: skip
    return "\n".join(lines)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= STEM_CHARS else flat[:STEM_CHARS] + "…"


def _mistakes(context: PointContext, say: Callable[[Message], str]) -> Section:
    wrong = sorted(
        (i for i in context.items if i.relation is Relation.POINT and i.wrong_answers),
        key=lambda i: (-sum(n for _answer, n in i.wrong_answers), i.item_id),
    )[:N_MISTAKE_ITEMS]
    lines = []
    for item in wrong:
        answers = "、".join(
            say(_("{answer}（{n} 人次）").format(answer=answer, n=n))
            for answer, n in item.wrong_answers
        )
        lines.append(
            say(_("「{stem}」正确答案 {key}，本班得分率 {rate}；常见错误答案：{answers}。").format(
                stem=_short(item.stem), key=item.answer,
                rate=percent(item.score_sum / item.n_answers if item.n_answers else None),
                answers=answers,
            ))
        )  # fmt: skip
    if not wrong:
        lines.append(say(_("本班在本知识点的题目上暂无错误答案记录。")))
    pitfall = _first_paragraph(context.note.pitfalls) if context.note else ""
    if context.note and pitfall:
        lines.append(
            say(_("资源库《{title}》的易错提醒：{text}").format(
                title=context.note.title, text=pitfall
            ))
        )  # fmt: skip
    text = "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))
    return Section("mistakes", text, tuple(i.item_id for i in wrong))


def _options(options: Sequence[str]) -> str:
    """Choice options on one line, lettered as on the paper (the bank stores them bare)."""
    letters = [
        OPTION_LETTERS[n] if n < len(OPTION_LETTERS) else str(n + 1) for n in range(len(options))
    ]
    return "  ".join(f"{letter}. {option}" for letter, option in zip(letters, options, strict=True))


def _item_text(item: BankItem, number_: int, shown: bool, say: Callable[[Message], str]) -> str:
    lines = [f"{number_}. {' '.join(item.stem.split())}"]
    if item.options:
        lines.append("   " + _options(item.options))
    tail = [say(_("答案：{answer}").format(answer=item.answer))]
    if item.relation is not Relation.POINT:
        tail.append(say(_("知识点：{point}").format(point=item.kp_name)))
    if shown and item.success is not None:
        tail.append(say(_("本班预计答对率 {rate}").format(rate=percent(item.success, 0))))
    lines.append("   " + say(_("（{parts}）").format(parts="；".join(tail))))
    return "\n".join(lines)


def _items_section(
    key: str,
    chosen: Sequence[Candidate],
    by_id: Mapping[int, BankItem],
    shown: bool,
    say: Callable[[Message], str],
    lead: tuple[Message, Message],
) -> Section:
    """A lead line, then the items; without items the second lead says why."""
    with_items, without = lead
    if not chosen:
        return Section(key, say(without))
    lines = [say(with_items)]
    lines += [_item_text(by_id[c.item_id], n, shown, say) for n, c in enumerate(chosen, start=1)]
    return Section(key, "\n".join(lines), tuple(c.item_id for c in chosen))


def _warm_up_lead(context: PointContext) -> tuple[Message, Message]:
    if context.prerequisites:
        return (
            _("课前 5 分钟，复习先修知识点{names}：").format(
                names=_names([p.point for p in context.prerequisites])
            ),
            _("题库中没有先修知识点{names}的题目：课前请学生口述它们的要点。").format(
                names=_names([p.point for p in context.prerequisites])
            ),
        )
    return (_("课前 5 分钟："), _("本知识点没有先修知识点，可直接从例题导入新课。"))


def _exit_lead(
    allocation: Allocation, by_id: Mapping[int, BankItem], shown: bool
) -> tuple[Message, Message]:
    known = [s for c in allocation.exit_ticket if (s := by_id[c.item_id].success) is not None]
    lead = _("下课前 5 分钟独立完成，当堂批改：")
    if shown and known:
        mean = sum(known) / len(known)
        lead = _("下课前 5 分钟独立完成，当堂批改（本班预计平均答对率 {rate}）：").format(
            rate=percent(mean, 0)
        )
    return lead, _("本知识点的题目已全部用于课堂练习：请从分层练习中选 1–2 题作为出门条。")


def _homework_lead(context: PointContext) -> tuple[Message, Message]:
    lead = _("课后完成：")
    if context.state.n_needs_work:
        lead = _("课后完成；需要巩固的 {n} 名学生先订正课堂练习中的基础题：").format(
            n=context.state.n_needs_work
        )
    return lead, _("题库中没有余下的题目：请从分层练习的拓展题中布置。")


def _examples(
    context: PointContext,
    allocation: Allocation,
    by_id: Mapping[int, BankItem],
    say: Callable[[Message], str],
) -> Section:
    note = context.note
    if note and note.examples.strip():
        body = "\n".join(
            line.strip() for line in _BOLD.sub(r"\1", note.examples).split("\n") if line.strip()
        )
        return Section(
            "examples", say(_("选自资源库《{title}》：").format(title=note.title)) + "\n" + body
        )
    chosen = allocation.levels[Level.CORE] or allocation.levels[Level.BASIC]
    if not chosen:
        return Section("examples", say(_("资源库和题库中都没有本知识点的例题，请教师补充。")))
    lines = [say(_("选自题库（讲解时先让学生说出思路）："))]
    for n, candidate in enumerate(chosen, start=1):
        item = by_id[candidate.item_id]
        lines.append(say(_("例 {n}").format(n=n)) + " " + " ".join(item.stem.split()))
        if item.options:
            lines.append("   " + _options(item.options))
        lines.append("   " + say(_("答案：{answer}").format(answer=item.answer)))
    return Section("examples", "\n".join(lines))


def _exercises(
    allocation: Allocation,
    by_id: Mapping[int, BankItem],
    shown: bool,
    say: Callable[[Message], str],
) -> Section:
    lines: list[str] = []
    ids: list[int] = []
    for level in Level:
        lines.append(say(LEVEL_WORDS[level]))
        chosen = allocation.levels[level]
        if not chosen:
            lines.append(say(_("（题库中没有这一层的题目）")))
        for n, candidate in enumerate(chosen, start=1):
            lines.append(_item_text(by_id[candidate.item_id], n, shown, say))
            ids.append(candidate.item_id)
    return Section("exercises", "\n".join(lines), tuple(ids))


def _plan_item(item: BankItem, shown: bool) -> PlanItem:
    return PlanItem(
        item_id=item.item_id,
        kp_id=item.kp_id,
        kp_name=item.kp_name,
        relation=item.relation.value,
        stem=item.stem,
        options=item.options,
        answer=item.answer,
        success=item.success if shown else None,
    )
