"""Personal data kept out of what goes to a language model: the district's names (students,
guardians, staff, account display names) and student and staff numbers, found by the roster,
then ID-card, phone and other long numbers and e-mail addresses, found by their patterns
(``yincai.redaction``).

Names cannot be told by a pattern, so they are looked up: every name of the district's roster is
one alternative of a regular expression, longest first (王小明 before 王小). One-character
names are left out (they would blank ordinary words); a name that is also an ordinary word is
blanked all the same: privacy before fluency. The filter is built per roster version and kept.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yincai.accounts.models import UserAccount
from yincai.domain.models import School, Student, Teacher
from yincai.lru import Lru
from yincai.redaction import REDACTED, redact

NAME_MARK = "[姓名]"
NUMBER_MARK = "[编号]"
MIN_NAME_LENGTH = 2
_FILTERS: Lru[tuple[object, ...], PersonalFilter] = Lru(4)
_BUILD = threading.Lock()


@dataclass(frozen=True)
class PersonalFilter:
    """Blanks the roster's names and numbers, then the patterned personal data."""

    names: re.Pattern[str] | None
    numbers: re.Pattern[str] | None

    def __call__(self, text: str) -> str:
        if self.numbers is not None:
            text = self.numbers.sub(NUMBER_MARK, text)
        if self.names is not None:
            text = self.names.sub(NAME_MARK, text)
        return redact(text)


def build_filter(names: Iterable[str], numbers: Iterable[str]) -> PersonalFilter:
    """A filter of these names and numbers (blank and short entries are ignored)."""
    name_set = {n.strip() for n in names if n and len(n.strip()) >= MIN_NAME_LENGTH}
    number_set = {n.strip() for n in numbers if n and len(n.strip()) >= MIN_NAME_LENGTH}
    return PersonalFilter(_alternation(name_set), _alternation(number_set, is_word=True))


def _alternation(words: set[str], *, is_word: bool = False) -> re.Pattern[str] | None:
    if not words:
        return None
    body = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    if is_word:  # a number inside a longer number or code is another number
        return re.compile(rf"(?<![0-9A-Za-z])(?:{body})(?![0-9A-Za-z])")
    return re.compile(body)


def roster_filter(session: Session, *, district_id: int | None) -> PersonalFilter:
    """The filter of a district's roster (``None``: every district), cached per roster version."""
    bind = session.get_bind()
    key = (str(bind.engine.url), id(bind.engine), district_id, *_version(session))
    found = _FILTERS.get(key)
    if found is not None:
        return found
    with _BUILD:
        found = _FILTERS.get(key)
        if found is None:
            found = _build(session, district_id)
            _FILTERS.put(key, found, replaces=lambda old: old[:3] == key[:3])
    return found


def _version(session: Session) -> tuple[object, ...]:
    """Changes when a student, teacher or account is added or renamed (their count and newest
    id; a rename of an existing row is caught by the sum of the names' lengths)."""
    versions: list[object] = []
    for model, column in (
        (Student, Student.name),
        (Student, func.coalesce(Student.guardian_name, "")),
        (Teacher, Teacher.name),
        (UserAccount, UserAccount.display_name),
    ):
        versions.extend(
            session.execute(
                select(func.count(model.id), func.max(model.id), func.sum(func.length(column)))
            ).one()
        )
    return tuple(versions)


def _build(session: Session, district_id: int | None) -> PersonalFilter:
    students = select(Student.name, Student.guardian_name, Student.student_number).where(
        Student.anonymised_at.is_(None)
    )
    teachers = select(Teacher.name, Teacher.staff_number)
    accounts = select(UserAccount.display_name)
    if district_id is not None:
        students = students.where(Student.district_id == district_id)
        teachers = teachers.where(
            Teacher.school_id.in_(select(School.id).where(School.district_id == district_id))
        )
        accounts = accounts.where(UserAccount.district_id == district_id)
    names: list[str] = []
    numbers: list[str] = []
    for name, guardian, number in session.execute(students):
        names.extend([name, guardian or ""])
        numbers.append(number)
    for name, number in session.execute(teachers):
        names.append(name)
        numbers.append(number)
    names.extend(session.scalars(accounts))
    return build_filter(names, numbers)


__all__ = [
    "NAME_MARK",
    "NUMBER_MARK",
    "REDACTED",
    "PersonalFilter",
    "build_filter",
    "roster_filter",
]
