"""Student mode: a question about an item of the student's open homework or an open exam gets
hints and guiding questions, never the answer (the 2025 guidance on pupils' use of generative
AI: hints rather than finished answers).

- **open items**: the items of homework set to the student's class, already set and not yet
  due, and of exams (and quizzes) of the class held today or later;
- **matching**: character-pair overlap of the question with each item's stem (maths written in
  LaTeX reduced to its characters), so a stem typed again, with or without words around it,
  is found;
- **the key** of an item is its answer, and for a choice item also the text of the options it
  names; ``reveals_key`` finds it in a reply (a short ASCII key as a separate token, anything
  else as a substring, a long key by any stretch of ``KEY_WINDOW`` characters), and
  ``withhold_key`` removes every sentence that holds it, whoever wrote the reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentItem,
    AssessmentKind,
    Item,
    ItemKp,
    KnowledgePoint,
    Student,
)
from yincai.homework.data import SCHOOL_TIME, due_of
from yincai.i18n import Message, _

MATCH_CONTAINMENT = 0.6  # share of the stem's character pairs found in the question
MIN_PAIRS = 4  # a stem shorter than this cannot be told apart from ordinary questions
TIE = 0.02  # stems the question repeats about as well as the best one
KEY_WINDOW = 12  # a long key (a written answer) shows by any stretch this long
LETTERS = "ABCDEFGH"
_LATEX = re.compile(r"\\[A-Za-z]+|[{}$\\]")
_NOISE = re.compile(r"[\s，。、；：？！,.;:?!（）()\[\]【】“”\"'《》<>_]+")
_CITATION = re.compile(r"\[\d{1,2}\]")  # [1]: a link to a passage, not a number of the answer
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?\n?")


@dataclass(frozen=True)
class OpenItem:
    """An item the student is working on now (homework) or will sit (exam)."""

    item_id: int
    assessment_id: int
    is_exam: bool
    item_type: str
    stem: str
    key: tuple[str, ...]  # the answer and, for choice items, the keyed options' text
    kp_names: tuple[str, ...]
    subject_id: int


def open_items(session: Session, *, student_id: int, now: datetime) -> list[OpenItem]:
    """The items of the student's open homework and open exams (``now`` is UTC-aware)."""
    class_id = session.scalar(select(Student.school_class_id).where(Student.id == student_id))
    if class_id is None:
        return []
    today = now.astimezone(SCHOOL_TIME).date()
    assessments = session.execute(
        select(Assessment.id, Assessment.kind, Assessment.held_on, Assessment.due_at)
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .where(
            AssessmentClass.school_class_id == class_id,
            or_(
                # homework set by today, and due within the default week or its own due time
                (Assessment.kind == AssessmentKind.HOMEWORK)
                & (Assessment.held_on <= today)
                & (Assessment.held_on > today - timedelta(days=60)),
                (Assessment.kind != AssessmentKind.HOMEWORK) & (Assessment.held_on >= today),
            ),
        )
    ).all()
    is_exam = {
        assessment_id: kind != AssessmentKind.HOMEWORK
        for assessment_id, kind, held_on, due_at in assessments
        if kind != AssessmentKind.HOMEWORK or due_of(held_on, due_at) > now
    }
    if not is_exam:
        return []
    rows = session.execute(
        select(AssessmentItem.assessment_id, Item)
        .join(Item, Item.id == AssessmentItem.item_id)
        .where(AssessmentItem.assessment_id.in_(list(is_exam)))
        .order_by(AssessmentItem.assessment_id, AssessmentItem.position)
    ).all()
    # an item set both as homework and on an open exam is an exam item: it never leaves
    on_exam = {item.id for assessment_id, item in rows if is_exam[assessment_id]}
    points: dict[int, list[str]] = {}
    for item_id, name in session.execute(
        select(ItemKp.item_id, KnowledgePoint.name)
        .join(KnowledgePoint, KnowledgePoint.id == ItemKp.knowledge_point_id)
        .where(ItemKp.item_id.in_([item.id for _a, item in rows]))
        .order_by(ItemKp.item_id, ItemKp.weight.desc(), KnowledgePoint.code)
    ):
        points.setdefault(item_id, []).append(name)
    return [
        OpenItem(
            item_id=item.id,
            assessment_id=assessment_id,
            is_exam=item.id in on_exam,
            item_type=str(item.item_type),
            stem=item.stem,
            key=keys_of(item.answer, item.options or []),
            kp_names=tuple(points.get(item.id, [])),
            subject_id=item.subject_id,
        )
        for assessment_id, item in rows
    ]


def keys_of(answer: str, options: list[str]) -> tuple[str, ...]:
    """What would give an item away: its answer, and the text of the options it names."""
    keys = [answer.strip()]
    letters = answer.strip().upper()
    if options and letters and all(c in LETTERS[: len(options)] for c in letters):
        keys.extend(options[LETTERS.index(c)].strip() for c in letters)
    return tuple(k for k in dict.fromkeys(keys) if k)


# ---- matching --------------------------------------------------------------------------------


def _plain(text: str) -> str:
    return _NOISE.sub("", _LATEX.sub("", text)).lower()


def _pairs(text: str) -> set[str]:
    plain = _plain(text)
    return {plain[i : i + 2] for i in range(len(plain) - 1)}


def match_item(question: str, items: list[OpenItem]) -> OpenItem | None:
    """The open item whose stem the question repeats best, if any repeats enough of one.

    Items whose stems the question repeats as well (two items may share a stem such as
    "下列说法中，错误的是") are merged into it: their keys are all withheld, and if any is on an
    open exam, the match is an exam item."""
    asked = _pairs(question)
    shares: list[tuple[float, OpenItem]] = []
    for item in items:
        stem = _pairs(item.stem)
        if len(stem) >= MIN_PAIRS:
            shares.append((len(stem & asked) / len(stem), item))
    if not shares:
        return None
    best_share = max(share for share, _item in shares)
    if best_share < MATCH_CONTAINMENT:
        return None
    tied = [item for share, item in shares if share >= best_share - TIE]
    best = next(item for share, item in shares if share == best_share)
    return replace(
        best,
        key=tuple(dict.fromkeys(key for item in tied for key in item.key)),
        is_exam=any(item.is_exam for item in tied),
    )


# ---- the key ---------------------------------------------------------------------------------


def _key_pattern(key: str) -> re.Pattern[str] | None:
    plain = re.sub(r"\s+", "", key.replace("$", ""))
    if not plain:
        return None
    if len(plain) > KEY_WINDOW:
        return None  # looked for by windows
    if plain.isascii():
        # a letter or number as a token of its own: "B" is not the B of "AB", 3 not of 30
        return re.compile(rf"(?<![0-9A-Za-z.]){re.escape(plain)}(?![0-9A-Za-z])", re.IGNORECASE)
    return re.compile(re.escape(plain))


def reveals_key(text: str, keys: tuple[str, ...]) -> bool:
    """Whether ``text`` holds any of ``keys`` (spaces, ``$`` and citation marks ignored)."""
    squeezed = re.sub(r"\s+", "", _CITATION.sub(" ", text).replace("$", ""))
    for key in keys:
        pattern = _key_pattern(key)
        if pattern is not None:
            if pattern.search(squeezed):
                return True
            continue
        plain = re.sub(r"\s+", "", key.replace("$", ""))
        windows = {plain[i : i + KEY_WINDOW] for i in range(len(plain) - KEY_WINDOW + 1)}
        if any(window in squeezed for window in windows):
            return True
    return False


def withhold_key(text: str, keys: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` without the sentences that hold a key; whether any was removed."""
    kept, removed = [], False
    for match in _SENTENCE.finditer(text):
        sentence = match.group(0)
        if reveals_key(sentence, keys):
            removed = True
        else:
            kept.append(sentence)
    result = "".join(kept).strip()
    if removed and reveals_key(result, keys):  # a key spread across sentences
        return "", True
    return result, removed


# ---- hints -----------------------------------------------------------------------------------

_GUIDING: dict[str, tuple[Message, ...]] = {
    "single_choice": (
        _("先不看选项，用自己的话说出题目在问什么。"),
        _("逐个检查选项：它和“{kp}”的定义或性质相符吗？能举出反例的选项先排除。"),
        _("剩下的选项里，哪一个每个条件都满足？"),
    ),
    "multiple_choice": (
        _("多选题要对每个选项单独判断，不要找到一个就停下。"),
        _("对每个选项问自己：根据“{kp}”，它一定成立吗？有没有反例？"),
        _("最后再读一遍题干，确认每个选中的选项都满足题目的全部条件。"),
    ),
    "true_false": (
        _("找出这句话里的关键词和限定词（如“一定”“所有”“只有”）。"),
        _("回忆“{kp}”的定义，这句话和定义在哪一点上一致或不一致？"),
        _("试着举一个例子或反例来检验这句话。"),
    ),
    "fill_in": (
        _("题目给了哪些已知条件？要求的是什么？"),
        _("“{kp}”中哪条公式或性质能把已知和所求联系起来？"),
        _("算出结果后，把它代回题目检验一下是否合理。"),
    ),
}
_GUIDING_WRITTEN: tuple[Message, ...] = (
    _("题目要求你说明或完成什么？先把要点列出来。"),
    _("“{kp}”里有哪些概念、方法或例子可以用来支持你的每个要点？"),
    _("写完后对照题目逐条检查：每个要求都回应了吗？"),
)


@dataclass(frozen=True)
class Hints:
    """The hints of one item: what it is about and the questions that lead to the answer."""

    notice: Message
    about: Message | None
    questions: list[Message]


def hints_for(item: OpenItem) -> Hints:
    """Hints and guiding questions for an open item (they never state its answer)."""
    kp = "、".join(item.kp_names[:2]) or _("本题相关的知识点")
    notice = (
        _("这道题是你即将参加的考试中的题目：助教不会讲解它，也不会把它发给任何语言模型。")
        if item.is_exam
        else _("这道题是你当前作业中的题目：助教只给提示和引导问题，不直接给出答案。")
    )
    about = (
        _("这道题考查的知识点：{points}").format(points="、".join(item.kp_names))
        if item.kp_names
        else None
    )
    guiding = _GUIDING.get(item.item_type, _GUIDING_WRITTEN)
    return Hints(notice, about, [q.format(kp=kp) if "{kp}" in q.msgid else q for q in guiding])
