"""Subjects named the way teachers write them (数学) or by code (math), created on first use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yincai.domain.models import Subject

KNOWN_SUBJECTS = {
    "语文": "chinese",
    "数学": "math",
    "英语": "english",
    "物理": "physics",
    "化学": "chemistry",
    "生物": "biology",
    "生物学": "biology",
    "历史": "history",
    "地理": "geography",
    "道德与法治": "ethics",
    "思想政治": "politics",
    "政治": "politics",
    "科学": "science",
    "信息技术": "it",
    "信息科技": "it",
    "体育": "pe",
    "体育与健康": "pe",
    "音乐": "music",
    "美术": "art",
    "劳动": "labour",
}
_NAMES_BY_CODE = {code: name for name, code in reversed(KNOWN_SUBJECTS.items())}


class SubjectBook:
    """The stored subjects plus those an import will create, looked up by code or name."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_key: dict[str, Subject] = {}
        for subject in session.scalars(select(Subject)):
            self._by_key[subject.code.lower()] = subject
            self._by_key[subject.name] = subject

    def code_of(self, text: str) -> str:
        """The subject code ``text`` names; ``ValueError`` with a reason if it names none."""
        key = text.strip()
        if key.lower() in self._by_key:
            return self._by_key[key.lower()].code
        if key in self._by_key:
            return self._by_key[key].code
        if key in KNOWN_SUBJECTS:
            return KNOWN_SUBJECTS[key]
        if key.lower() in _NAMES_BY_CODE:
            return key.lower()
        raise ValueError(f"未知学科“{text}” / unknown subject")

    def get(self, code: str) -> Subject:
        """The subject with ``code`` (one ``code_of`` returned), created if it is not stored yet."""
        subject = self._by_key.get(code.lower())
        if subject is None:
            subject = Subject(code=code, name=_NAMES_BY_CODE.get(code, code))
            self._session.add(subject)
            self._session.flush()
            self._by_key[code.lower()] = subject
            self._by_key[subject.name] = subject
        return subject
