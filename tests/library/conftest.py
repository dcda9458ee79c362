"""A subject with two knowledge points, and lesson notes to import, for the library's tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from yincai.domain.models import KnowledgePoint, KpLevel, Subject


def note(code: str, title: str, body: str, *, kp: str = "T7.01", grade: int = 7) -> bytes:
    return (
        f"---\ncode: {code}\nsubject: 测试学科\ngrade: {grade}\nknowledge_points: [{kp}]\n"
        f"licence: CC BY 4.0\nkind: 讲义\n---\n# {title}\n\n{body}\n"
    ).encode()


ABS = note(
    "T-ABS",
    "绝对值",
    "## 知识要点\n\n负数的绝对值是它的相反数，绝对值总是非负数。\n\n"
    "## 易错提醒\n\n把 -|-7| 算成 7，正确结果是 -7。",
)
OPPOSITE = note(
    "T-OPP",
    "相反数",
    "## 知识要点\n\n只有符号不同的两个数互为相反数，0 的相反数是 0。",
    kp="T7.02",
    grade=8,
)


@pytest.fixture
def curriculum(session: Session) -> Subject:
    """测试学科 (TST) with the points T7.01 绝对值 and T7.02 相反数."""
    subject = Subject(code="TST", name="测试学科")
    session.add(subject)
    session.flush()
    for position, (code, name) in enumerate((("T7.01", "绝对值"), ("T7.02", "相反数"))):
        session.add(
            KnowledgePoint(
                subject_id=subject.id,
                code=code,
                name=name,
                level=KpLevel.POINT,
                grade_level=7,
                position=position,
            )
        )
    session.flush()
    return subject
