"""The assistant's service on the demo district (writes rolled back): student mode over every
item of a demo student's open homework, the payload sent to the model, grounded answers with
citations, questions the library does not cover, the fallback when the model is away, the
worked maths, who may read a conversation, and retention."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.assistant.fake_model import FakeModel, completion, fake_model
from yincai.accounts.models import Role, UserAccount
from yincai.assistant import service
from yincai.assistant.llm import ChatModel
from yincai.assistant.models import AssistantConversation, AssistantMessage
from yincai.assistant.student_mode import OpenItem, match_item, open_items
from yincai.config import Settings
from yincai.domain.models import (
    Assessment,
    AssessmentClass,
    AssessmentKind,
    Student,
    Teacher,
    TeachingAssignment,
)
from yincai.errors import Forbidden, NotFound
from yincai.governance.models import AuditEvent
from yincai.homework.data import SCHOOL_TIME
from yincai.privacy.erasure import erase_student
from yincai.privacy.retention import purge

KEY_WINDOW = 12


@dataclass(frozen=True)
class World:
    student: UserAccount  # the demo student's account
    teacher: UserAccount  # a teacher of the student's class (an account made for the test)
    other_teacher: UserAccount  # a teacher of the same school who does not teach the class
    other_student: UserAccount  # a student account of another class
    now: datetime  # a Wednesday noon with the week's homework open
    items: list[OpenItem]


def _teacher_account(session: Session, teacher_id: int, username: str) -> UserAccount:
    teacher = session.get_one(Teacher, teacher_id)
    existing = session.scalars(
        select(UserAccount).where(UserAccount.teacher_id == teacher_id)
    ).first()
    if existing is not None:
        return existing
    account = UserAccount(
        username=username, password_hash="!", role=Role.TEACHER, display_name=teacher.name,
        district_id=1, teacher_id=teacher_id, is_active=True, created_at=datetime.now(UTC),
    )  # fmt: skip
    account.district_id = session.scalars(select(Student.district_id)).first() or 1
    session.add(account)
    session.flush()
    return account


@pytest.fixture
def world(scoped_session: Session) -> World:
    session = scoped_session
    student = session.scalars(
        select(UserAccount).where(UserAccount.role == Role.STUDENT).order_by(UserAccount.id)
    ).first()
    assert student is not None and student.student_id is not None
    class_id = session.get_one(Student, student.student_id).school_class_id
    set_on = session.scalar(
        select(func.max(Assessment.held_on))
        .join(AssessmentClass, AssessmentClass.assessment_id == Assessment.id)
        .where(
            AssessmentClass.school_class_id == class_id,
            Assessment.kind == AssessmentKind.HOMEWORK,
        )
    )
    assert set_on is not None
    now = datetime.combine(set_on + timedelta(days=2), time(12, 0), SCHOOL_TIME).astimezone(UTC)
    items = open_items(session, student_id=student.student_id, now=now)
    teachers = select(TeachingAssignment.teacher_id).where(
        TeachingAssignment.school_class_id == class_id
    )
    teacher_id = session.scalars(teachers.order_by(TeachingAssignment.teacher_id)).first()
    assert teacher_id is not None
    school_id = session.get_one(Teacher, teacher_id).school_id
    other_id = session.scalars(
        select(Teacher.id)
        .where(Teacher.school_id == school_id, Teacher.id.not_in(teachers))
        .order_by(Teacher.id)
    ).first()
    assert other_id is not None
    other_student = session.scalars(
        select(UserAccount)
        .join(Student, Student.id == UserAccount.student_id)
        .where(UserAccount.role == Role.STUDENT, Student.school_class_id != class_id)
        .order_by(UserAccount.id)
    ).first()
    if other_student is None:  # the demo makes one student account: make another
        other = session.scalars(
            select(Student).where(Student.school_class_id != class_id).order_by(Student.id)
        ).first()
        assert other is not None
        other_student = UserAccount(
            username="assistant-other-student", password_hash="!", role=Role.STUDENT,
            display_name=other.name, district_id=other.district_id, student_id=other.id,
            is_active=True, created_at=datetime.now(UTC),
        )  # fmt: skip
        session.add(other_student)
        session.flush()
    return World(
        student=student,
        teacher=_teacher_account(session, teacher_id, "assistant-teacher"),
        other_teacher=_teacher_account(session, other_id, "assistant-other-teacher"),
        other_student=other_student,
        now=now,
        items=items,
    )


@pytest.fixture
def model() -> Iterator[FakeModel]:
    with fake_model() as server:
        yield server


def _chat(server: FakeModel) -> ChatModel:
    return ChatModel(url=server.url, model="test-model", timeout_seconds=10)


def _contains_key(text: str, key: str) -> bool:
    """The acceptance check, written apart from the service's: a short ASCII key as a token of
    its own, another short key anywhere, a long one by any stretch of 12 characters."""
    squeezed = re.sub(r"\s+", "", re.sub(r"\[\d{1,2}\]", " ", text).replace("$", ""))
    plain = re.sub(r"\s+", "", key.replace("$", ""))
    if not plain:
        return False
    if len(plain) > KEY_WINDOW:
        return any(
            plain[i : i + KEY_WINDOW] in squeezed for i in range(len(plain) - KEY_WINDOW + 1)
        )
    if plain.isascii():
        pattern = rf"(?<![0-9A-Za-z.]){re.escape(plain)}(?![0-9A-Za-z])"
        return re.search(pattern, squeezed, re.IGNORECASE) is not None
    return plain in squeezed


def _shown(message: AssistantMessage) -> str:
    """Every text the page shows of a reply (the citations' links are ids, not text)."""
    details = message.details
    texts = [message.text, details.get("notice", ""), details.get("note", ""),
             *details.get("questions", [])]  # fmt: skip
    texts += [f"{c['title']} › {c['heading']}" for c in details.get("citations", [])]
    return "\n".join(texts)


def test_the_demo_student_has_open_homework_with_items(world: World) -> None:
    homework = [i for i in world.items if not i.is_exam]
    assert len(homework) >= 3
    assert len({i.assessment_id for i in homework}) >= 2  # several subjects' homework


def test_every_open_item_gets_hints_never_its_key_without_a_model(
    scoped_session: Session, world: World
) -> None:
    for item in world.items:
        reply = service.ask(
            scoped_session, actor=world.student, question=f"这道题怎么做？{item.stem}",
            model=None, now=world.now,
        )  # fmt: skip
        assert reply.message.kind == "hints", item.stem
        assert reply.message.is_ai_generated is False
        assert len(reply.message.details["questions"]) >= 3
        for key in item.key:
            assert not _contains_key(_shown(reply.message), key), (item.stem, key)


def test_every_open_item_gets_hints_never_its_key_even_when_the_model_gives_it(
    scoped_session: Session, world: World, model: FakeModel
) -> None:
    for item in world.items:
        key = item.key[0]
        is_exam = (match_item(item.stem, world.items) or item).is_exam  # a shared stem: merged
        model.answer = lambda _payload, key=key: (
            200, completion(f"先回忆这个知识点的定义 [1]。这道题的答案是 {key}。再代回题目检验。")
        )  # fmt: skip
        n_sent = len(model.payloads)
        reply = service.ask(
            scoped_session, actor=world.student, question=item.stem, model=_chat(model),
            now=world.now,
        )  # fmt: skip
        assert reply.message.kind == "hints"
        for each in item.key:
            assert not _contains_key(_shown(reply.message), each), (item.stem, each)
        if is_exam:  # a live exam item never goes to the model
            assert len(model.payloads) == n_sent
        else:
            assert len(model.payloads) == n_sent + 1
            assert reply.message.is_ai_generated and reply.message.details["withheld"]
            assert "先回忆这个知识点的定义" in reply.message.text
            assert "再代回题目检验" in reply.message.text
            sent = model.payloads[-1]["messages"][1]["content"]
            assert all(
                not _contains_key(sent, each) or _contains_key(item.stem, each) for each in item.key
            )  # the key goes out only where the student's own question holds it
    assert any(not item.is_exam for item in world.items)


def test_the_payload_holds_no_name_or_number_of_the_roster(
    scoped_session: Session, world: World, model: FakeModel
) -> None:
    session = scoped_session
    roster = session.execute(
        select(Student.name, Student.student_number, Student.guardian_name)
    ).all()
    me = session.get_one(Student, world.student.student_id)
    classmate = session.scalars(
        select(Student).where(Student.school_class_id == me.school_class_id, Student.id != me.id)
    ).first()
    assert classmate is not None
    model.answer = lambda _payload: (200, completion("绝对值是数轴上的点到原点的距离 [1]。"))
    for question in (
        f"我是{me.name}，学号{me.student_number}，负数的绝对值怎么求？",
        f"{classmate.name}（{classmate.student_number}）说相反数就是倒数，对吗？我的电话13812345678",
        f"我和{classmate.name}都不会解方程 2x+3=7，我的身份证号 110105201001011234",
    ):
        reply = service.ask(
            session, actor=world.student, question=question, model=_chat(model), now=world.now
        )
        assert reply.message.kind == "model"
    sent = model.user_text()
    assert len(model.payloads) == 3 and "[姓名]" in sent and "绝对值" in sent
    leaked = [
        word
        for name, number, guardian in roster
        for word in (name, number, guardian or "")
        if len(word) >= 2 and word in sent
    ]
    assert leaked == []
    assert "13812345678" not in sent and "110105201001011234" not in sent


def test_a_model_answer_is_grounded_in_the_passages_it_cites(
    scoped_session: Session, world: World, model: FakeModel
) -> None:
    model.answer = lambda _payload: (
        200, completion("负数的绝对值是它的相反数 [1]，例如 $|-3| = 3$ [2]。[7]")
    )  # fmt: skip
    reply = service.ask(
        scoped_session, actor=world.teacher, question="负数的绝对值怎么求？", model=_chat(model)
    )
    message = reply.message
    assert message.kind == "model" and message.is_ai_generated
    assert message.details["cited"] == [1, 2] and "[7]" not in message.text
    citations = message.details["citations"]
    assert len(citations) == 3 and citations[0]["number"] == 1
    system, user = model.payloads[0]["messages"]
    assert "只根据下面编号的资料回答" in system["content"] and "NOT_COVERED" in system["content"]
    for citation in citations:  # each passage cited is in the prompt under its number
        assert (
            f"[{citation['number']}] {citation['title']} › {citation['heading']}" in user["content"]
        )
    assert "绝对值" in citations[0]["title"] + citations[0]["heading"]
    assert user["content"].endswith("问题：负数的绝对值怎么求？")


def test_the_model_saying_not_covered_is_shown_as_not_covered(
    scoped_session: Session, world: World, model: FakeModel
) -> None:
    model.answer = lambda _payload: (200, completion("NOT_COVERED"))
    reply = service.ask(
        scoped_session, actor=world.teacher, question="负数的绝对值怎么求？", model=_chat(model)
    )
    assert reply.message.kind == "not_covered" and not reply.message.is_ai_generated
    assert "没有能回答这个问题的资料" in reply.message.text


def test_without_a_model_the_answer_quotes_passages_or_says_they_do_not_cover_it(
    scoped_session: Session, world: World
) -> None:
    covered = service.ask(
        scoped_session, actor=world.teacher, question="负数的绝对值怎么求？", model=None
    ).message
    assert covered.kind == "extractive" and covered.details["sentences"]
    numbers = {number for _sentence, number in covered.details["sentences"]}
    assert numbers <= {c["number"] for c in covered.details["citations"]}
    for question in ("光合作用的暗反应在叶绿体的哪个部位进行？", "唐朝的首都长安有多少人口"):
        missing = service.ask(scoped_session, actor=world.teacher, question=question, model=None)
        assert missing.message.kind == "not_covered", question


def test_an_unreachable_model_falls_back_to_the_extractive_answer_with_a_note(
    scoped_session: Session, world: World
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    away = ChatModel(url=f"http://127.0.0.1:{port}/v1", model="m", timeout_seconds=2)
    reply = service.ask(
        scoped_session, actor=world.teacher, question="负数的绝对值怎么求？", model=away
    )
    assert reply.message.kind == "extractive"
    assert "语言模型暂时无法连接" in reply.message.details["note"]


def test_a_computation_gets_a_checked_worked_solution(
    scoped_session: Session, world: World
) -> None:
    reply = service.ask(
        scoped_session, actor=world.teacher, question="解方程 x^2-5x+6=0", model=None
    )
    assert reply.message.kind == "maths" and reply.message.text == ""
    worked = reply.message.details["worked"]
    assert worked["result"] == "$x_{1} = 2$，$x_{2} = 3$" and len(worked["checks"]) == 2
    english = service.ask(
        scoped_session, actor=world.teacher, question="解方程 2x+3=7", model=None,
        language="en", conversation_id=reply.conversation_id,
    ).message  # fmt: skip
    assert english.details["worked"]["result"] == "$x = 2$"
    assert english.conversation_id == reply.conversation_id


def test_a_students_conversation_is_for_the_student_and_their_teachers_only(
    scoped_session: Session, world: World
) -> None:
    session = scoped_session
    reply = service.ask(session, actor=world.student, question="什么是绝对值？", model=None)
    conversation_id = reply.conversation_id
    own = service.get_conversation(session, actor=world.student, conversation_id=conversation_id)
    assert [m.role for m in own.messages] == ["user", "assistant"] and own.student_name is None
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and last.action == "assistant_conversation_view"
    assert last.user_account_id == world.student.id  # the student's own read is audited too
    before = session.scalar(select(func.count(AuditEvent.id)))
    seen = service.get_conversation(session, actor=world.teacher, conversation_id=conversation_id)
    assert seen.student_name is not None
    audit = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert audit is not None and audit.action == "assistant_conversation_view"
    assert audit.object_id == str(world.student.student_id)
    assert session.scalar(select(func.count(AuditEvent.id))) == (before or 0) + 1
    listed = service.student_conversations(
        session, actor=world.teacher, student_id=world.student.student_id or 0
    )
    assert [c.id for c in listed] == [conversation_id]
    rows = service.students_with_conversations(session, actor=world.teacher).rows
    assert [row[0] for row in rows] == [world.student.student_id]
    for outsider in (world.other_teacher, world.other_student):
        with pytest.raises(NotFound):
            service.get_conversation(session, actor=outsider, conversation_id=conversation_id)
        with pytest.raises(Forbidden):
            service.student_conversations(
                session, actor=outsider, student_id=world.student.student_id or 0
            )
        with pytest.raises(NotFound):  # nor may they add to it
            service.ask(
                session, actor=outsider, question="什么是绝对值？", model=None,
                conversation_id=conversation_id,
            )  # fmt: skip
    assert service.students_with_conversations(session, actor=world.other_teacher).rows == []


def test_conversations_leave_after_their_retention_and_with_an_erased_student(
    scoped_session: Session, world: World
) -> None:
    session = scoped_session
    settings = Settings(assistant_retention_days=30)
    now = datetime.now(UTC)
    old = service.ask(
        session, actor=world.student, question="什么是绝对值？", model=None,
        now=now - timedelta(days=31),
    ).conversation_id  # fmt: skip
    recent = service.ask(
        session, actor=world.teacher, question="什么是相反数？", model=None, now=now
    ).conversation_id
    assert service.expired_conversations(
        session, before=service.retention_cutoff(settings, now)
    ) == [old]
    assert purge(session, settings, now=now, dry_run=True).n_conversations == 1
    service.delete_conversations(session, [old])
    assert session.get(AssistantConversation, old) is None
    assert (
        session.scalar(
            select(func.count(AssistantMessage.id)).where(AssistantMessage.conversation_id == old)
        )
        == 0
    )
    assert session.get(AssistantConversation, recent) is not None
    mine = service.ask(session, actor=world.student, question="什么是绝对值？", model=None)
    erase_student(session, student_id=world.student.student_id or 0)
    assert session.get(AssistantConversation, mine.conversation_id) is None
