"""Online marking (网络阅卷): the one door of the capability.

Setting up (``setup_session``, ``add_answers``, ``add_check_answer``), handing out and scoring
(``next_answer``, ``submit_mark``), the item leader's work (``arbitrate``, ``return_problem``,
``send_back``, ``close_task``) and the reports (``progress``, ``marker_quality``, re-exported from
``marking.quality``). Services check scope and never commit.

Concurrency, on SQLite and PostgreSQL alike: a claim is an INSERT guarded by two unique keys
(one live mark per slot, one live mark per marker on an answer), retried on the next answer when
another marker got there first; a submission is a conditional UPDATE (``submitted_at IS NULL``)
whose row count says whether the claim was still held; the answer's decision is taken under its
row lock, after every mark it depends on is committed. Claims left unsubmitted for the session's
``claim_timeout_s`` are deleted by the next hand-out and the answer goes to someone else.
"""

from __future__ import annotations

from yincai.marking.access import get_session
from yincai.marking.handout import (
    Claim,
    answer_image,
    my_tasks,
    next_answer,
    submit_mark,
)
from yincai.marking.leader import (
    QueueEntry,
    arbitrate,
    arbitration_queue,
    close_task,
    marker_quality,
    progress,
    reopen_task,
    return_problem,
    send_back,
    task_progress,
)
from yincai.marking.models import MarkingSession
from yincai.marking.quality import MarkerQuality, TaskProgress
from yincai.marking.setup import (
    AnswerInput,
    SetupView,
    TaskSpec,
    add_answers,
    add_check_answer,
    propose_machine_scores,
    setup_session,
    setup_view,
    task_marker_ids,
)

__all__ = [
    "AnswerInput",
    "Claim",
    "MarkerQuality",
    "MarkingSession",
    "QueueEntry",
    "SetupView",
    "TaskProgress",
    "TaskSpec",
    "add_answers",
    "add_check_answer",
    "answer_image",
    "arbitrate",
    "arbitration_queue",
    "close_task",
    "get_session",
    "marker_quality",
    "my_tasks",
    "next_answer",
    "progress",
    "propose_machine_scores",
    "reopen_task",
    "return_problem",
    "send_back",
    "setup_session",
    "setup_view",
    "submit_mark",
    "task_marker_ids",
    "task_progress",
]
