"""A student of the scope world with rows in every table of the privacy registry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.governance.world import World, actor
from yincai.accounts.models import Role, UserAccount
from yincai.assistant.models import AssistantConversation, AssistantMessage
from yincai.classroom.models import ClassroomAnswer, ClassroomPractice, Stage, Verdict
from yincai.cockpit.models import WarningAcknowledgement
from yincai.consent.models import ConsentPurpose
from yincai.diagnosis import store
from yincai.documents.models import (
    DocumentKind,
    DocumentState,
    GeneratedDocument,
    GeneratedDocumentStudent,
)
from yincai.domain.models import (
    AssessmentItem,
    Dimension,
    GrowthRecord,
    Item,
    ItemType,
    LearningEvent,
    Score,
    Student,
    Subject,
)
from yincai.governance import service as governance_service
from yincai.marking.models import (
    AnswerStatus,
    MarkingAnswer,
    MarkingArbitration,
    MarkingMark,
    MarkingMode,
    MarkingSession,
    MarkingTask,
    ScanBatch,
    ScanSheet,
    ScanStatus,
    SessionStatus,
    TaskStatus,
)
from yincai.privacy import service as privacy_service

GUARDIAN = ("甲一家长", "13912345678")
EVIDENCE = "甲一同学在运动会上帮助受伤的同学"
DOCUMENT_CONTENT = b"%PDF- the booklet also names classmates"


def fill_student(session: Session, world: World, key: str = "A1") -> int:
    """Give the world's student ``key`` a guardian, consent, a score, a learning event, a growth
    record, an acknowledged warning and audit rows; its id."""
    student_id = world[key]
    student = session.get(Student, student_id)
    assert student is not None
    student.birth_year = 2013
    student.guardian_name, student.guardian_phone = GUARDIAN
    item_id = session.scalar(
        select(AssessmentItem.id).where(AssessmentItem.assessment_id == world["E1"])
    )
    assert item_id is not None
    session.add(Score(assessment_item_id=item_id, student_id=student_id, score=88.0))
    session.add(
        LearningEvent(student_id=student_id, activity="hw-1", is_correct=True, score=1.0,
                      occurred_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), source="homework")
    )  # fmt: skip
    session.add(
        GrowthRecord(student_id=student_id, dimension=Dimension.MORAL, evidence=EVIDENCE,
                     recorded_on=date(2026, 11, 3), recorded_by="教师T1")
    )  # fmt: skip
    admin = actor(session, world, "district_admin")
    warning = f"declining_student:{student_id}"
    session.add(
        WarningAcknowledgement(district_id=world["D1"], warning_key=warning,
                               acknowledged_by=admin.id, acknowledged_at=datetime.now(UTC),
                               note="已家访")
    )  # fmt: skip
    privacy_service.give_consent(
        session, actor=actor(session, world, "parent"), student_id=student_id,
        purpose=ConsentPurpose.DIAGNOSIS,
    )  # fmt: skip
    governance_service.audit(
        session, actor=admin, action="view_student", object_type="student", object_id=student_id
    )
    policy = governance_service.SessionPolicy(
        idle=timedelta(minutes=30), lifetime=timedelta(hours=8)
    )
    governance_service.open_session(session, account=actor(session, world, "parent"), policy=policy)
    subject_id = session.scalar(select(Subject.id).order_by(Subject.id))
    assert subject_id is not None
    run = store.start_run(session, subject_id, "test")
    store.finish_run(
        session, run, fitted=None, fit_seconds=0.0, student_ids=[student_id],
        logit_mean=np.zeros((1, 2)), logit_sd=np.ones((1, 2)), n_evidence=np.ones((1, 2), int),
    )  # fmt: skip
    now = datetime.now(UTC)
    document = GeneratedDocument(
        kind=DocumentKind.CLASS_BOOKLET, school_class_id=student.school_class_id,
        options="n_items=10;subject=MATH", request_key="test", version="test", hub_version=0,
        state=DocumentState.DONE, n_done=1, n_total=1, message="", filename="test.pdf",
        content=DOCUMENT_CONTENT, n_bytes=len(DOCUMENT_CONTENT), created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(document)
    session.flush()
    session.add(GeneratedDocumentStudent(document_id=document.id, student_id=student_id))
    session.flush()
    _fill_marking(session, world, student_id, item_id, admin.id)
    _fill_classroom(session, world, student_id, subject_id)
    _fill_assistant(session, student_id)
    return student_id


def _fill_classroom(session: Session, world: World, student_id: int, subject_id: int) -> None:
    """An answer to a classroom quiz (with its learning event) and an after-class practice item."""
    item = Item(code="PRIV-CL", subject_id=subject_id, item_type=ItemType.SINGLE_CHOICE,
                stem="题", options=["1", "2"], answer="A", full_score=1.0)  # fmt: skip
    event = LearningEvent(
        student_id=student_id, activity="cq-1", is_correct=False, score=0.0,
        occurred_at=datetime(2026, 11, 4, 9, 0, tzinfo=UTC), source="classroom",
    )  # fmt: skip
    session.add_all([item, event])
    session.flush()
    now = datetime.now(UTC)
    session.add(
        ClassroomAnswer(assessment_id=world["E1"], student_id=student_id, stage=Stage.QUIZ,
                        item_id=item.id, answer="B", verdict=Verdict.WRONG,
                        learning_event_id=event.id, answered_at=now)
    )  # fmt: skip
    session.add(
        ClassroomPractice(assessment_id=world["E1"], student_id=student_id, item_id=item.id,
                          position=1)
    )  # fmt: skip


def _fill_assistant(session: Session, student_id: int) -> None:
    """A conversation of the student with the assistant: a question and its answer."""
    account_id = session.scalar(
        select(UserAccount.id).where(
            UserAccount.student_id == student_id, UserAccount.role == Role.STUDENT
        )
    )
    assert account_id is not None
    now = datetime.now(UTC)
    conversation = AssistantConversation(
        user_account_id=account_id, student_id=student_id, started_at=now, last_at=now
    )
    session.add(conversation)
    session.flush()
    turns = (("user", "question", "什么是绝对值？"),
             ("assistant", "extractive", "绝对值是数轴上的点到原点的距离。"))  # fmt: skip
    for role, kind, text in turns:
        session.add(
            AssistantMessage(
                conversation_id=conversation.id, role=role, kind=kind, text=text,
                is_ai_generated=False, details={}, created_at=now,
            )
        )  # fmt: skip
    session.flush()


def _fill_marking(
    session: Session, world: World, student_id: int, item_id: int, marker_id: int
) -> None:
    """An online-marking answer of the student, marked and arbitrated."""
    now = datetime.now(UTC)
    marking = MarkingSession(
        assessment_id=world["E1"],
        mode=MarkingMode.SINGLE,
        status=SessionStatus.OPEN,
        claim_timeout_s=600,
        created_at=now,
    )
    session.add(marking)
    session.flush()
    task = MarkingTask(
        marking_session_id=marking.id,
        assessment_item_id=item_id,
        tolerance=1.0,
        status=TaskStatus.OPEN,
    )
    session.add(task)
    session.flush()
    answer = MarkingAnswer(
        marking_task_id=task.id,
        student_id=student_id,
        queue_position=1,
        image=b"PNG",
        recognised_text="x=1",
        is_check=False,
        n_required=1,
        status=AnswerStatus.DONE,
        final_score=80.0,
    )
    session.add(answer)
    session.flush()
    session.add(
        MarkingMark(
            marking_answer_id=answer.id,
            marker_id=marker_id,
            slot=1,
            live_slot=1,
            live_marker_id=marker_id,
            claimed_at=now,
            submitted_at=now,
            score=80.0,
        )
    )
    session.add(
        MarkingArbitration(
            marking_answer_id=answer.id,
            leader_id=marker_id,
            reason="problem",
            score=80.0,
            note="",
            decided_at=now,
        )
    )
    batch = ScanBatch(
        assessment_id=world["E1"], uploaded_by=marker_id, status=ScanStatus.DONE, n_done=1,
        n_total=1, layout_json="{}", folder="scans/1", file_names="[]", problems="[]", message="",
        n_pages=1, n_sheets=1, n_problems=0, created_at=now,
    )  # fmt: skip
    session.add(batch)
    session.flush()
    session.add(
        ScanSheet(
            scan_batch_id=batch.id, student_id=student_id, student_number="S1", answers="{}",
            review="{}", problems="[]", sources="{}", crops="{}",
        )
    )  # fmt: skip
    session.flush()
