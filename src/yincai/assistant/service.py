"""The assistant (AI 助教 / 学伴): answers from the library, with or without a language model,
and the conversations it keeps.

An answer:

1. the library finds the passages (``library.service``), with the asker's grade as a boost;
2. a student's question that repeats an item of their open homework or an open exam gets hints
   and guiding questions (``student_mode``); an exam item never goes to a model;
3. otherwise, with a model configured, the model answers from the passages, citing them, or says
   they do not cover the question; without one — or when it does not answer — the best
   sentences of the passages, each citing its passage;
4. a computation (an equation, an expression) also gets a worked solution from sympy, checked.

Everything sent to a model goes through the personal-data filter of the district's roster
(``personal``). Conversations (``conversations``, re-exported here) are the asker's; a
student's are also readable by the teachers of the student's class (each read audited); the
retention purge removes them ``assistant_retention_days`` after their last message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.assistant import prompting, student_mode
from yincai.assistant.conversations import (
    ConversationView,
    StudentConversations,
    delete_conversations,
    expired_conversations,
    get_conversation,
    own_conversations,
    retention_cutoff,
    student_conversations,
    students_with_conversations,
)
from yincai.assistant.llm import ChatModel, ModelUnavailable
from yincai.assistant.maths import WorkedSolution, n_words_beyond, solve_question
from yincai.assistant.models import AssistantConversation, AssistantMessage
from yincai.assistant.personal import roster_filter
from yincai.config import Settings
from yincai.domain.models import Grade, SchoolClass, Student, Subject
from yincai.errors import Invalid, NotFound
from yincai.i18n import Message, _, translate
from yincai.library import service as library_service
from yincai.library.search import Found
from yincai.retrieval import Query, content_tokens
from yincai.retrieval.ranking import Embedder

MAX_QUESTION = 500
N_PASSAGES = 3
COVERAGE_MIN = 0.5  # share of the question's content words the passages must hold
BARE_COMPUTATION_WORDS = 6  # 解方程, 计算, 到底等于多少: the question is the computation
STEM_OVERLAP_MAX = 0.5  # a passage repeating this much of an open item's stem is not cited
# words of asking, not of the topic: a passage need not hold them to cover the question
QUESTION_WORDS = frozenset(
    [
        "怎么",
        "怎样",
        "如何",
        "什么",
        "为什么",
        "请问",
        "请",
        "一下",
        "讲讲",
        "讲解",
        "解释",
        "求",
        "计算",
        "是",
        "吗",
        "呢",
        "多少",
        "哪些",
        "哪个",
        "意思",
        "问题",
        "知道",
        "告诉",
        "我",
        "你",
        "能",
        "可以",
        "会",
        "做",
        "题",
        "这道",
    ]
)


@dataclass(frozen=True)
class Reply:
    """One answer as stored and shown."""

    message: AssistantMessage
    conversation_id: int


def model_of(settings: Settings) -> ChatModel | None:
    """The configured language model, or None (the assistant then answers from the library)."""
    if not settings.llm_url or not settings.llm_model:
        return None
    return ChatModel(
        url=settings.llm_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout_seconds=settings.llm_timeout_seconds,
    )


def ask(
    session: Session,
    *,
    actor: UserAccount,
    question: str,
    model: ChatModel | None,
    conversation_id: int | None = None,
    subject_id: int | None = None,
    now: datetime | None = None,
    language: str = "zh",
    embed: Embedder | None = None,
) -> Reply:
    """Answer ``question`` for ``actor`` and keep both in their conversation."""
    question = question.strip()
    if not question:
        raise Invalid(_("请输入问题"), code="assistant.empty")
    if len(question) > MAX_QUESTION:
        raise Invalid(_("问题最长 {n} 个字").format(n=MAX_QUESTION), code="assistant.too_long")
    now = now or datetime.now(UTC)
    conversation = _conversation_for(session, actor, conversation_id, now)
    subject = session.get(Subject, subject_id) if subject_id is not None else None
    if subject_id is not None and subject is None:
        raise NotFound(_("学科 {id} 不存在").format(id=subject_id), code="subject.not_found")
    grade = _grade_of(session, actor)
    query = Query(question, subject=subject.code if subject else None, boost_grade=grade)
    item = None
    if actor.role is Role.STUDENT and actor.student_id is not None:
        items = student_mode.open_items(session, student_id=actor.student_id, now=now)
        item = student_mode.match_item(question, items)
    if item is not None:
        kind, text, is_ai, details = _hints(session, actor, question, item, model, embed)
    else:
        kind, text, is_ai, details = _answer(session, actor, question, query, model, embed)
    details = _rendered(details, language)
    session.add(
        AssistantMessage(
            conversation_id=conversation.id, role="user", kind="question", text=question,
            is_ai_generated=False, details={}, created_at=now,
        )
    )  # fmt: skip
    message = AssistantMessage(
        conversation_id=conversation.id,
        role="assistant",
        kind=kind,
        text=str(translate(text, language)),
        is_ai_generated=is_ai,
        details=details,
        created_at=now,
    )
    session.add(message)
    conversation.last_at = now
    session.flush()
    return Reply(message, conversation.id)


# ---- answering -------------------------------------------------------------------------------


def _answer(
    session: Session,
    actor: UserAccount,
    question: str,
    query: Query,
    model: ChatModel | None,
    embed: Embedder | None,
) -> tuple[str, str, bool, dict[str, Any]]:
    found = library_service.answer(session, query, n_passages=N_PASSAGES, embed=embed)
    passages = found.passages
    worked = solve_question(question)
    details: dict[str, Any] = {"citations": [_citation(n, f) for n, f in _numbered(passages)]}
    if worked is not None:
        details["worked"] = _worked(worked)
    is_covered = _is_covered(question, passages) or worked is not None
    if model is not None:
        scrub = roster_filter(session, district_id=actor.district_id)
        try:
            reply = model.chat(prompting.messages(question, passages, scrub=scrub, worked=worked))
        except ModelUnavailable:
            details["note"] = _("语言模型暂时无法连接，以下是资源库中的摘录。")
        else:
            if prompting.is_not_covered(reply):
                return "not_covered", _not_covered_text(worked), False, details
            reply = prompting.strip_unknown_citations(reply, len(passages))
            details["cited"] = prompting.cited(reply, len(passages))
            return "model", reply, True, details
    if not is_covered:
        return "not_covered", _not_covered_text(worked), False, details
    if worked is not None and n_words_beyond(question) <= BARE_COMPUTATION_WORDS:
        return "maths", "", False, details  # the checked solution answers it
    details["sentences"] = [[sentence, number] for sentence, number in found.sentences]
    text = "\n".join(sentence for sentence, _number in found.sentences)
    if not text:
        return "not_covered", _not_covered_text(worked), False, details
    return "extractive", text, False, details


def _not_covered_text(worked: WorkedSolution | None) -> Message:
    if worked is not None:
        return _("资源库中没有讲解这道题的资料；下面是计算机代数系统给出并检验过的解答。")
    return _("资源库中没有能回答这个问题的资料。请换个说法，或向老师请教。")


def _is_covered(question: str, passages: list[Found]) -> bool:
    """Whether the passages hold most of the question's topic words."""
    asked = {w for w in content_tokens(question) if w not in QUESTION_WORDS}
    if not passages:
        return False
    if not asked:
        return True
    held: set[str] = set()
    for found in passages:
        held |= set(content_tokens(f"{found.chunk.title}\n{found.chunk.heading}\n{found.text}"))
    return len(asked & held) / len(asked) >= COVERAGE_MIN


def _hints(
    session: Session,
    actor: UserAccount,
    question: str,
    item: student_mode.OpenItem,
    model: ChatModel | None,
    embed: Embedder | None,
) -> tuple[str, str, bool, dict[str, Any]]:
    hints = student_mode.hints_for(item)
    lines: list[str] = [
        line for line in [hints.about, *hints.questions]
        if line is not None and not student_mode.reveals_key(str(line), item.key)
    ]  # fmt: skip
    found = library_service.search(
        session,
        Query("，".join(item.kp_names) or question, boost_grade=_grade_of(session, actor)),
        k=N_PASSAGES + 3,
        embed=embed,
    )
    passages = [
        f
        for f in found
        if not student_mode.reveals_key(f"{f.chunk.title} {f.chunk.heading} {f.text}", item.key)
        and _stem_overlap(item.stem, f.text) < STEM_OVERLAP_MAX
    ][:N_PASSAGES]
    details: dict[str, Any] = {
        "notice": "" if student_mode.reveals_key(hints.notice, item.key) else hints.notice,
        "questions": lines,
        "citations": [_citation(n, f) for n, f in _numbered(passages)],
        "is_exam": item.is_exam,
    }
    if model is not None and not item.is_exam:  # an exam item never leaves the school
        scrub = roster_filter(session, district_id=actor.district_id)
        about = str(hints.about) if hints.about in lines else None
        try:
            reply = model.chat(
                prompting.messages(question, passages, scrub=scrub, is_hints=True, about=about)
            )
        except ModelUnavailable:
            details["note"] = _("语言模型暂时无法连接，以下是助教准备的提示。")
        else:
            kept, removed = student_mode.withhold_key(reply, item.key)
            if removed:
                details["withheld"] = True  # the model gave the answer away: its sentences go
            if kept and not prompting.is_not_covered(kept):
                kept = prompting.strip_unknown_citations(kept, len(passages))
                details["cited"] = prompting.cited(kept, len(passages))
                return "hints", kept, True, details
    return "hints", "\n".join(str(line) for line in lines), False, details


def _stem_overlap(stem: str, text: str) -> float:
    pairs = student_mode._pairs(stem)
    return len(pairs & student_mode._pairs(text)) / len(pairs) if pairs else 0.0


def _numbered(passages: list[Found]) -> list[tuple[int, Found]]:
    return list(enumerate(passages, start=1))


def _citation(number: int, found: Found) -> dict[str, Any]:
    position = int(found.chunk.key.rsplit("#", 1)[1])
    return {
        "number": number,
        "resource_id": found.chunk.resource_id,
        "position": position,
        "title": found.chunk.title,
        "heading": found.chunk.heading,
        "key": found.chunk.key,
    }


def _worked(worked: WorkedSolution) -> dict[str, Any]:
    return {"task": worked.task, "steps": worked.steps, "result": worked.result,
            "checks": worked.checks}  # fmt: skip


def _rendered(value: Any, language: str) -> Any:
    """The details with every message rendered in the asker's language (stored as shown)."""
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, dict):
        return {key: _rendered(item, language) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rendered(item, language) for item in value]
    return value


def _grade_of(session: Session, actor: UserAccount) -> int | None:
    if actor.student_id is None:
        return None
    return session.scalar(
        select(Grade.level)
        .join(SchoolClass, SchoolClass.grade_id == Grade.id)
        .join(Student, Student.school_class_id == SchoolClass.id)
        .where(Student.id == actor.student_id)
    )


def _conversation_for(
    session: Session, actor: UserAccount, conversation_id: int | None, now: datetime
) -> AssistantConversation:
    if conversation_id is not None:
        conversation = session.get(AssistantConversation, conversation_id)
        if conversation is None or conversation.user_account_id != actor.id:
            raise NotFound(
                _("对话 {id} 不存在").format(id=conversation_id), code="assistant.not_found"
            )
        return conversation
    conversation = AssistantConversation(
        user_account_id=actor.id,
        student_id=actor.student_id if actor.role is Role.STUDENT else None,
        started_at=now,
        last_at=now,
    )
    session.add(conversation)
    session.flush()
    return conversation


__all__ = [
    "ConversationView",
    "Reply",
    "StudentConversations",
    "ask",
    "delete_conversations",
    "expired_conversations",
    "get_conversation",
    "model_of",
    "own_conversations",
    "retention_cutoff",
    "student_conversations",
    "students_with_conversations",
]
