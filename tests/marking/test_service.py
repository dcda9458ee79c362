"""The marking service on one database: hand-out rules, 2+1 with arbitration, flags, send-back,
machine proposals, marker quality, and closing an item into the hub's score import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.governance.world import actor
from tests.marking.world import MarkingWorld, build_marking_world
from yincai.accounts.models import UserAccount
from yincai.domain.models import AssessmentItem, ImportBatch, Score, Sitting
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.hub import service as hub_service
from yincai.marking import service
from yincai.marking.demo import build_demo_marking, crop_png
from yincai.marking.models import AnswerStatus, MarkingAnswer, MarkingMode


def _account(session: Session, account_id: int) -> UserAccount:
    return session.get_one(UserAccount, account_id)


def _setup(
    session: Session,
    mode: MarkingMode,
    *,
    n_students: int = 6,
    n_checks: int = 0,
    tolerance: float = 1.0,
) -> tuple[MarkingWorld, int, dict[int, float]]:
    mw = build_marking_world(session, n_students=n_students)
    admin = actor(session, mw.world, "district_admin")
    demo = build_demo_marking(
        session,
        actor=admin,
        assessment_id=mw.assessment_id,
        mode=mode,
        marker_ids=tuple(mw.marker_ids),
        leader_id=mw.leader_id,
        tolerance=tolerance,
        n_checks=n_checks,
        item_ids=[mw.item_ids[0]],
    )
    return mw, demo.task_ids[0], demo.true_scores


def _mark_all(session: Session, task_id: int, marker_id: int, score: float) -> int:
    n = 0
    while (
        claim := service.next_answer(session, actor=_account(session, marker_id), task_id=task_id)
    ) is not None:
        service.submit_mark(
            session,
            actor=_account(session, marker_id),
            mark_id=claim.mark_id,
            answer_id=claim.answer_id,
            score=score,
        )
        n += 1
    return n


def test_single_marking_hands_each_answer_once_and_closing_writes_the_hub(
    session: Session,
) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.SINGLE)
    first, second = mw.marker_ids[:2]
    assert _mark_all(session, task_id, first, 7.0) == 6
    assert _mark_all(session, task_id, second, 5.0) == 0  # nothing left for anyone
    first_item = session.scalar(
        select(AssessmentItem.id).where(
            AssessmentItem.assessment_id == mw.assessment_id, AssessmentItem.label == "1"
        )
    )
    session.add(Score(assessment_item_id=first_item, student_id=mw.student_ids[0], score=2.0))
    session.flush()
    leader = _account(session, mw.leader_id)
    summary = service.close_task(session, actor=leader, task_id=task_id)
    assert summary.batch_id is not None
    scores = dict(
        session.execute(
            select(Score.student_id, Score.score).where(Score.assessment_item_id == mw.item_ids[0])
        ).all()
    )
    assert scores == dict.fromkeys(mw.student_ids, 7.0)
    totals = dict(
        session.execute(
            select(Sitting.student_id, Sitting.total_score).where(
                Sitting.assessment_id == mw.assessment_id
            )
        ).all()
    )
    assert totals == {s: (9.0 if s == mw.student_ids[0] else 7.0) for s in mw.student_ids}
    batch = session.get_one(ImportBatch, summary.batch_id)
    assert (batch.kind, batch.origin, batch.file_name) == ("scores", "marking", "网络阅卷 第13题")
    history = hub_service.import_history(
        session, assessment_ids=select(ImportBatch.assessment_id), with_district_data=False
    )
    assert any(row.id == batch.id and row.is_revertible for row in history.rows)
    hub_service.revert_last_import(session, assessment_code="W-MK1")
    assert (
        session.scalars(select(Score).where(Score.assessment_item_id == mw.item_ids[0])).all() == []
    )
    with pytest.raises(Conflict):
        service.next_answer(session, actor=_account(session, first), task_id=task_id)
    service.reopen_task(session, actor=leader, task_id=task_id)
    again = service.close_task(session, actor=leader, task_id=task_id)
    assert again.batch_id is not None and again.batch_id != summary.batch_id
    assert (
        len(session.scalars(select(Score).where(Score.assessment_item_id == mw.item_ids[0])).all())
        == 6
    )


def test_two_plus_one_sends_disagreements_to_a_third_marker_then_to_the_leader(
    session: Session,
) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.DOUBLE_THIRD, n_students=2)
    a, b, c, d = (_account(session, m) for m in mw.marker_ids)
    claim_a = service.next_answer(session, actor=a, task_id=task_id)
    assert claim_a is not None
    assert service.next_answer(session, actor=a, task_id=task_id) == claim_a  # holds it
    service.submit_mark(
        session, actor=a, mark_id=claim_a.mark_id, answer_id=claim_a.answer_id, score=2.0
    )
    claims_b = []
    while (claim := service.next_answer(session, actor=b, task_id=task_id)) is not None:
        claims_b.append(claim)
        score = 9.0 if claim.answer_id == claim_a.answer_id else 4.0
        decision = service.submit_mark(
            session, actor=b, mark_id=claim.mark_id, answer_id=claim.answer_id, score=score
        )
    assert {c.answer_id for c in claims_b} == {
        row.id
        for row in session.scalars(
            select(MarkingAnswer).where(MarkingAnswer.marking_task_id == task_id)
        )
    }
    answer = session.get_one(MarkingAnswer, claim_a.answer_id)
    assert (answer.status, answer.n_required) == (AnswerStatus.MARKING, 3)
    third = service.next_answer(session, actor=a, task_id=task_id)  # a marks the other one
    assert third is not None and third.answer_id != claim_a.answer_id
    service.submit_mark(
        session, actor=a, mark_id=third.mark_id, answer_id=third.answer_id, score=4.5
    )
    assert service.next_answer(session, actor=a, task_id=task_id) is None  # never the same twice
    third = service.next_answer(session, actor=c, task_id=task_id)
    assert third is not None and third.answer_id == claim_a.answer_id
    decision = service.submit_mark(
        session, actor=c, mark_id=third.mark_id, answer_id=third.answer_id, score=5.5
    )
    assert decision is not None and decision.status is AnswerStatus.ARBITRATION
    assert service.next_answer(session, actor=d, task_id=task_id) is None
    leader = _account(session, mw.leader_id)
    queue = service.arbitration_queue(
        session, actor=leader, task_id=task_id, status=AnswerStatus.ARBITRATION
    )
    assert [[m[1] for m in e.marks] for e in queue] == [[2.0, 9.0, 5.5]]
    with pytest.raises(Forbidden):
        service.arbitrate(session, actor=a, answer_id=claim_a.answer_id, score=5.0)
    with pytest.raises(Invalid):
        service.arbitrate(session, actor=leader, answer_id=claim_a.answer_id, score=10.5)
    service.arbitrate(session, actor=leader, answer_id=claim_a.answer_id, score=5.0)
    service.close_task(session, actor=leader, task_id=task_id)
    scores = sorted(
        session.scalars(select(Score.score).where(Score.assessment_item_id == mw.item_ids[0]))
    )
    assert scores == [4.25, 5.0]


def test_flags_go_to_the_leader_and_can_be_returned(session: Session) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.SINGLE, n_students=1)
    marker, leader = _account(session, mw.marker_ids[0]), _account(session, mw.leader_id)
    claim = service.next_answer(session, actor=marker, task_id=task_id)
    assert claim is not None
    with pytest.raises(Invalid):
        service.submit_mark(
            session,
            actor=marker,
            mark_id=claim.mark_id,
            answer_id=claim.answer_id,
            score=None,
            flag="odd",
        )
    service.submit_mark(
        session,
        actor=marker,
        mark_id=claim.mark_id,
        answer_id=claim.answer_id,
        score=None,
        flag="blank",
    )
    with pytest.raises(Conflict):  # a submitted mark cannot be submitted again
        service.submit_mark(
            session, actor=marker, mark_id=claim.mark_id, answer_id=claim.answer_id, score=3.0
        )
    problems = service.arbitration_queue(
        session, actor=leader, task_id=task_id, status=AnswerStatus.PROBLEM
    )
    assert [e.answer_id for e in problems] == [claim.answer_id]
    with pytest.raises(Conflict):
        service.close_task(session, actor=leader, task_id=task_id)
    service.return_problem(session, actor=leader, answer_id=claim.answer_id)
    again = service.next_answer(session, actor=marker, task_id=task_id)
    assert again is not None and again.answer_id == claim.answer_id


def test_an_abandoned_claim_expires_and_goes_to_another_marker(session: Session) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.SINGLE, n_students=1)
    first, second = (_account(session, m) for m in mw.marker_ids[:2])
    claim = service.next_answer(session, actor=first, task_id=task_id)
    assert claim is not None
    assert service.next_answer(session, actor=second, task_id=task_id) is None
    later = datetime.now(UTC) + timedelta(hours=1)
    taken = service.next_answer(session, actor=second, task_id=task_id, now=later)
    assert taken is not None and taken.answer_id == claim.answer_id
    with pytest.raises(Conflict):
        service.submit_mark(
            session, actor=first, mark_id=claim.mark_id, answer_id=claim.answer_id, score=1.0
        )
    service.submit_mark(
        session, actor=second, mark_id=taken.mark_id, answer_id=taken.answer_id, score=1.0
    )


def test_only_assigned_markers_mark(session: Session) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.SINGLE, n_students=1)
    with pytest.raises(Forbidden):
        service.next_answer(session, actor=actor(session, mw.world, "teacher"), task_id=task_id)
    with pytest.raises(Forbidden):
        service.next_answer(session, actor=_account(session, mw.leader_id), task_id=task_id)


def test_setup_refuses_bad_input_in_chinese(session: Session) -> None:
    mw = build_marking_world(session)
    admin = actor(session, mw.world, "district_admin")
    spec = service.TaskSpec(mw.item_ids[0], 11.0, tuple(mw.marker_ids[:2]), mw.leader_id)
    with pytest.raises(Invalid) as problem:
        service.setup_session(
            session,
            actor=admin,
            assessment_id=mw.assessment_id,
            mode=MarkingMode.DOUBLE_THIRD,
            tasks=[spec],
        )
    assert "误差范围" in problem.value.message and "至少需要 3 位" in problem.value.message
    with pytest.raises(Forbidden):
        service.setup_session(
            session,
            actor=actor(session, mw.world, "teacher3"),
            assessment_id=mw.assessment_id,
            mode="single",
            tasks=[spec],
        )


def test_send_back_voids_a_markers_work_and_the_answers_are_marked_again(
    session: Session,
) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.DOUBLE, n_students=3)
    a, b, c = (_account(session, m) for m in mw.marker_ids[:3])
    _mark_all(session, task_id, a.id, 1.0)
    _mark_all(session, task_id, b.id, 6.0)  # every answer in arbitration now
    leader = _account(session, mw.leader_id)
    assert service.task_progress(session, actor=leader, task_id=task_id).n_arbitration == 3
    assert service.send_back(session, actor=leader, task_id=task_id, marker_id=a.id) == 3
    assert service.task_progress(session, actor=leader, task_id=task_id).n_arbitration == 0
    assert _mark_all(session, task_id, c.id, 6.5) == 3
    progress = service.task_progress(session, actor=leader, task_id=task_id)
    assert (progress.n_done, progress.n_answers) == (3, 3)


def test_marker_quality_compares_markers_and_scores_the_check_answers(session: Session) -> None:
    mw, task_id, truth = _setup(
        session, MarkingMode.DOUBLE, n_students=4, n_checks=2, tolerance=0.5
    )
    a, b = (_account(session, m) for m in mw.marker_ids[:2])
    for marker, bias in ((a, 0.0), (b, 2.0)):
        while (claim := service.next_answer(session, actor=marker, task_id=task_id)) is not None:
            score = min(10.0, truth[claim.answer_id] + bias)
            service.submit_mark(
                session, actor=marker, mark_id=claim.mark_id, answer_id=claim.answer_id, score=score
            )
    quality = {
        q.user_account_id: q
        for q in service.marker_quality(
            session, actor=_account(session, mw.leader_id), task_id=task_id
        )
    }
    assert quality[a.id].n_checks == quality[b.id].n_checks == 2
    assert quality[a.id].check_accuracy == 1.0
    assert quality[a.id].n_compared == quality[b.id].n_compared == 4
    assert quality[b.id].mean_difference is not None and quality[b.id].mean_difference > 0
    assert quality[a.id].mean_difference == -quality[b.id].mean_difference
    assert quality[a.id].median_seconds is not None


def test_machine_proposals_are_labelled_and_count_only_through_a_person(
    session: Session,
) -> None:
    mw = build_marking_world(session, n_students=3)
    admin = actor(session, mw.world, "district_admin")
    spec = service.TaskSpec(
        mw.item_ids[1], 0.0, tuple(mw.marker_ids[:1]), mw.leader_id, answer_key="1/2"
    )
    service.setup_session(
        session, actor=admin, assessment_id=mw.assessment_id, mode="single", tasks=[spec]
    )
    task_id = service.progress(session, actor=admin, assessment_id=mw.assessment_id)[0].task_id
    texts = ["0.5", "1/3", "x"]
    service.add_answers(
        session,
        actor=admin,
        task_id=task_id,
        answers=[
            service.AnswerInput(s, image=crop_png(i), recognised_text=t)
            for i, (s, t) in enumerate(zip(mw.student_ids, texts, strict=True))
        ],
    )
    verdicts = {"0.5": "equal", "1/3": "different"}
    n = service.propose_machine_scores(
        session,
        actor=admin,
        task_id=task_id,
        judge=lambda text, key: verdicts.get(text, "uncertain"),
    )
    assert n == 2
    marker = _account(session, mw.marker_ids[0])
    seen = {}
    while (claim := service.next_answer(session, actor=marker, task_id=task_id)) is not None:
        seen[claim.recognised_text] = claim.machine_score
        answer = session.get_one(MarkingAnswer, claim.answer_id)
        assert answer.status is AnswerStatus.MARKING and answer.final_score is None
        service.submit_mark(
            session, actor=marker, mark_id=claim.mark_id, answer_id=claim.answer_id, score=4.0
        )
    assert seen == {"0.5": 6.0, "1/3": 0.0, "x": None}
    finals = set(
        session.scalars(
            select(MarkingAnswer.final_score).where(MarkingAnswer.marking_task_id == task_id)
        )
    )
    assert finals == {4.0}  # the person's mark counts, not the proposal


def test_answers_are_checked_before_anything_is_added(session: Session) -> None:
    mw, task_id, _truth = _setup(session, MarkingMode.SINGLE, n_students=2)
    admin = actor(session, mw.world, "district_admin")
    again = [service.AnswerInput(mw.student_ids[0], image=crop_png(1))]
    with pytest.raises(Conflict):
        service.add_answers(session, actor=admin, task_id=task_id, answers=again)
    outsider = mw.world["X9"]  # a student of another district
    with pytest.raises(Invalid) as problem:
        service.add_answers(
            session,
            actor=admin,
            task_id=task_id,
            answers=[
                service.AnswerInput(outsider, image=crop_png(2)),
                service.AnswerInput(mw.student_ids[1], image_path="../../etc/passwd"),
            ],
        )
    assert "不在本区名单中" in problem.value.message
    assert "数据目录之内" in problem.value.message
    n = session.scalar(
        select(func.count())
        .select_from(MarkingAnswer)
        .where(MarkingAnswer.marking_task_id == task_id, MarkingAnswer.is_check.is_(False))
    )
    assert n == 2
