"""Setting up the marking of an assessment: mode and per-item tasks (tolerance, markers, leader),
the students' crops, seeded check answers, labelled machine proposals, and the setup page's view."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yincai.accounts.actors import Actor
from yincai.accounts.models import UserAccount
from yincai.domain.models import Assessment, AssessmentItem, Item, Sitting, Student
from yincai.errors import Conflict, Invalid
from yincai.governance import service as governance_service
from yincai.i18n import Message, _
from yincai.marking.access import get_session, load_task, require_leader, require_open
from yincai.marking.models import (
    AnswerStatus,
    MarkingAnswer,
    MarkingMark,
    MarkingMode,
    MarkingSession,
    MarkingTask,
    MarkingTaskMarker,
    SessionStatus,
    TaskStatus,
)
from yincai.marking.quality import TaskProgress, progress_of
from yincai.marking.rules import BASE_MARKS, check_score, check_tolerance

DEFAULT_CLAIM_TIMEOUT_S = 20 * 60  # a marker who walks away for 20 minutes loses the answer
MACHINE_VERDICTS = ("equal", "different", "uncertain")
Judge = Callable[[str, str], str]
"""``judge(answer_text, key) -> "equal" | "different" | "uncertain"`` (machine help)."""


@dataclass(frozen=True)
class TaskSpec:
    """One item to mark: its tolerance, markers and item leader (user account ids)."""

    assessment_item_id: int
    tolerance: float
    marker_ids: tuple[int, ...]
    leader_id: int | None = None
    answer_key: str | None = None


@dataclass(frozen=True)
class AnswerInput:
    """One student's crop of one item: PNG bytes or a path under the data folder."""

    student_id: int
    image: bytes | None = None
    image_path: str | None = None
    recognised_text: str | None = None


def setup_session(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    mode: MarkingMode | str,
    tasks: Sequence[TaskSpec],
    claim_timeout_s: int = DEFAULT_CLAIM_TIMEOUT_S,
) -> MarkingSession:
    """Create or change the marking of an assessment: mode, and per item its tolerance,
    markers and leader. The mode cannot change once marks exist."""
    governance_service.require_score_editor(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get_one(Assessment, assessment_id)
    try:
        mode = MarkingMode(mode)
    except ValueError:
        raise Invalid(_("请选择阅卷模式"), code="marking.mode_invalid") from None
    if not 60 <= claim_timeout_s <= 24 * 3600:
        raise Invalid(_("领取超时应在 1 分钟到 24 小时之间"), code="marking.timeout_invalid")
    if not tasks:
        raise Invalid(_("请至少选择一道主观题"), code="marking.no_items")
    items = {item.id: item for item in assessment.items}
    staff = _staff_ids(session, assessment.district_id)
    needed = {MarkingMode.SINGLE: 1, MarkingMode.DOUBLE: 2, MarkingMode.DOUBLE_THIRD: 3}[mode]
    problems: list[str] = []
    for spec in tasks:
        item = items.get(spec.assessment_item_id)
        if item is None:
            problems.append(_("小题 {id} 不属于本次考试").format(id=spec.assessment_item_id))
            continue
        try:
            check_tolerance(spec.tolerance, item.full_score)
        except Invalid as problem:
            problems.append(_("第{label}题：").format(label=item.label) + problem.message)
        if len(set(spec.marker_ids)) < needed:
            problems.append(
                _("第{label}题：该模式至少需要 {n} 位阅卷教师").format(label=item.label, n=needed)
            )
        if any(marker not in staff for marker in spec.marker_ids) or (
            spec.leader_id is not None and spec.leader_id not in staff
        ):
            problems.append(_("第{label}题：阅卷教师须为本区的教职工账号").format(label=item.label))
    if problems:
        raise Invalid("；".join(problems), code="marking.setup_invalid", details=problems)
    marking = session.scalar(
        select(MarkingSession).where(MarkingSession.assessment_id == assessment_id)
    )
    if marking is None:
        marking = MarkingSession(
            assessment_id=assessment_id,
            mode=mode,
            status=SessionStatus.OPEN,
            claim_timeout_s=claim_timeout_s,
            created_by=actor.id if isinstance(actor, UserAccount) else None,
            created_at=datetime.now(UTC),
        )
        session.add(marking)
        session.flush()
    elif marking.mode is not mode and _has_marks(session, marking.id):
        raise Conflict(_("已经开始评分，不能再更改阅卷模式"), code="marking.mode_locked")
    marking.mode = mode
    marking.claim_timeout_s = claim_timeout_s
    for spec in tasks:
        _upsert_task(session, marking, spec, items[spec.assessment_item_id])
    session.flush()
    governance_service.audit(
        session,
        actor=actor,
        action="marking_setup",
        object_type="assessment",
        object_id=assessment_id,
    )
    return marking


def _staff_ids(session: Session, district_id: int) -> set[int]:
    return set(
        session.scalars(
            select(UserAccount.id).where(
                UserAccount.district_id == district_id,
                UserAccount.is_active.is_(True),
                UserAccount.role.in_(governance_service.STAFF_ROLES),
            )
        )
    )


def _has_marks(session: Session, marking_session_id: int) -> bool:
    tasks = select(MarkingTask.id).where(MarkingTask.marking_session_id == marking_session_id)
    answers = select(MarkingAnswer.id).where(MarkingAnswer.marking_task_id.in_(tasks))
    found = session.scalar(
        select(MarkingMark.id).where(MarkingMark.marking_answer_id.in_(answers)).limit(1)
    )
    return found is not None


def _upsert_task(
    session: Session, marking: MarkingSession, spec: TaskSpec, item: AssessmentItem
) -> None:
    task = session.scalar(
        select(MarkingTask).where(
            MarkingTask.marking_session_id == marking.id,
            MarkingTask.assessment_item_id == item.id,
        )
    )
    key = spec.answer_key
    if key is None and item.item_id is not None:
        bank_item = session.get(Item, item.item_id)
        if bank_item is not None and bank_item.item_type.value == "fill_in":
            key = bank_item.answer
    if task is None:
        task = MarkingTask(
            marking_session_id=marking.id,
            assessment_item_id=item.id,
            status=TaskStatus.OPEN,
            tolerance=spec.tolerance,
        )
        session.add(task)
        session.flush()
    elif task.status is TaskStatus.CLOSED:
        raise Conflict(
            _("第{label}题已结束阅卷，不能再更改").format(label=item.label),
            code="marking.task_closed",
        )
    task.tolerance = spec.tolerance
    task.leader_id = spec.leader_id
    task.answer_key = key
    session.execute(delete(MarkingTaskMarker).where(MarkingTaskMarker.marking_task_id == task.id))
    session.add_all(
        MarkingTaskMarker(marking_task_id=task.id, user_account_id=marker)
        for marker in sorted(set(spec.marker_ids))
    )


def add_answers(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    answers: Sequence[AnswerInput],
    seed: int | None = None,
) -> int:
    """Add students' crops to a task (students who sat the assessment); how many were added."""
    task, marking, _item = load_task(session, task_id)
    governance_service.require_score_editor(
        session, actor=actor, assessment_id=marking.assessment_id
    )
    require_open(task)
    district_id = session.get_one(Assessment, marking.assessment_id).district_id
    wanted = [a.student_id for a in answers]
    known = set(
        session.scalars(
            select(Student.id).where(Student.district_id == district_id, Student.id.in_(wanted))
        )
    )
    absent = set(
        session.scalars(
            select(Sitting.student_id).where(
                Sitting.assessment_id == marking.assessment_id,
                Sitting.is_absent.is_(True),
                Sitting.student_id.in_(wanted),
            )
        )
    )
    problems = [
        _("学生 {id} 不在本区名单中").format(id=a.student_id)
        for a in answers
        if a.student_id not in known
    ]
    problems += [
        _("学生 {id} 记为缺考").format(id=a.student_id) for a in answers if a.student_id in absent
    ]
    for a in answers:
        if (a.image is None) == (a.image_path is None):
            problems.append(_("学生 {id} 的答题图片缺失").format(id=a.student_id))
        elif a.image_path is not None:
            _check_image_path(a.image_path, problems)
    if problems:
        raise Invalid("；".join(problems[:20]), code="marking.answers_invalid", details=problems)
    rng = random.Random(seed)
    base = BASE_MARKS[marking.mode]
    rows = [
        MarkingAnswer(
            marking_task_id=task.id,
            student_id=a.student_id,
            queue_position=rng.randrange(1_000_000_000),
            image=a.image,
            image_path=a.image_path,
            recognised_text=a.recognised_text,
            is_check=False,
            n_required=base,
            status=AnswerStatus.MARKING,
        )
        for a in answers
    ]
    try:
        with session.begin_nested():  # flushes what is pending first: add the rows inside
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        raise Conflict(_("有学生的答卷已经加入这道题"), code="marking.answer_duplicate") from None
    return len(rows)


def _check_image_path(path: str, problems: list[Message]) -> None:
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or not parts:
        problems.append(_("图片路径须在数据目录之内：{path}").format(path=path))


def add_check_answer(
    session: Session,
    *,
    actor: Actor,
    task_id: int,
    image: bytes,
    known_score: float,
    recognised_text: str | None = None,
    seed: int | None = None,
) -> MarkingAnswer:
    """Seed a check answer with a known score: every marker gets it, unaware, once."""
    task, marking, item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
    check_score(known_score, item.full_score)
    answer = MarkingAnswer(
        marking_task_id=task.id,
        student_id=None,
        queue_position=random.Random(seed).randrange(1_000_000_000),
        image=image,
        recognised_text=recognised_text,
        is_check=True,
        known_score=known_score,
        n_required=0,
        status=AnswerStatus.MARKING,
    )
    session.add(answer)
    session.flush()
    return answer


def propose_machine_scores(session: Session, *, actor: Actor, task_id: int, judge: Judge) -> int:
    """Machine help for a fill-in item with a key: propose full marks where ``judge`` finds the
    recognised answer equal to the key, 0 where different; uncertain ones get no proposal.
    A proposal is shown to markers labelled as the machine's and counts only through their
    mark. Returns how many answers got a proposal."""
    task, marking, item = load_task(session, task_id)
    require_leader(session, actor, task, marking)
    require_open(task)
    if not task.answer_key:
        raise Invalid(_("这道题没有标准答案，无法机器辅助评分"), code="marking.no_key")
    n = 0
    answers = session.scalars(
        select(MarkingAnswer).where(
            MarkingAnswer.marking_task_id == task.id,
            MarkingAnswer.recognised_text.is_not(None),
        )
    )
    for answer in answers:
        verdict = judge(answer.recognised_text or "", task.answer_key)
        if verdict not in MACHINE_VERDICTS:
            raise ValueError(f"judge returned {verdict!r}, not one of {MACHINE_VERDICTS}")
        answer.machine_verdict = verdict
        answer.machine_score = {"equal": item.full_score, "different": 0.0}.get(verdict)
        n += answer.machine_score is not None
    session.flush()
    return n


def task_marker_ids(session: Session, task_id: int) -> set[int]:
    """The accounts assigned to mark a task (for the setup form)."""
    return set(
        session.scalars(
            select(MarkingTaskMarker.user_account_id).where(
                MarkingTaskMarker.marking_task_id == task_id
            )
        )
    )


@dataclass(frozen=True)
class SetupView:
    """What the setup page shows: the items, the current setup and the staff to choose from."""

    assessment: Assessment
    items: list[AssessmentItem]
    marking: MarkingSession | None
    tasks: dict[int, MarkingTask]  # by assessment item id
    markers: dict[int, set[int]]  # task id → marker account ids
    progress: list[TaskProgress]
    staff: list[UserAccount]


def setup_view(session: Session, *, actor: Actor, assessment_id: int) -> SetupView:
    """The marking setup of an assessment, for those who may set it up."""
    marking = get_session(session, actor=actor, assessment_id=assessment_id)
    assessment = session.get_one(Assessment, assessment_id)
    tasks: dict[int, MarkingTask] = {}
    progress: list[TaskProgress] = []
    if marking is not None:
        tasks = {
            task.assessment_item_id: task
            for task in session.scalars(
                select(MarkingTask).where(MarkingTask.marking_session_id == marking.id)
            )
        }
        progress = progress_of(session, marking.id)
    staff = session.scalars(
        select(UserAccount)
        .where(
            UserAccount.district_id == assessment.district_id,
            UserAccount.is_active.is_(True),
            UserAccount.role.in_(governance_service.STAFF_ROLES),
        )
        .order_by(UserAccount.display_name)
    ).all()
    return SetupView(
        assessment=assessment,
        items=list(assessment.items),
        marking=marking,
        tasks=tasks,
        markers={task.id: task_marker_ids(session, task.id) for task in tasks.values()},
        progress=progress,
        staff=list(staff),
    )
