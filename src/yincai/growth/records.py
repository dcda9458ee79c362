"""What a growth record may hold, checked alike by the page's form and by the import: the
dimension (its code, its words or the one character of 德智体美劳), the day (not after today),
the evidence (not empty, at most ``MAX_EVIDENCE_CHARS``). Each check returns the value or raises
``Invalid`` with the reason in words; nothing here reads the database."""

from __future__ import annotations

from datetime import date

from yincai.domain.models import Dimension
from yincai.errors import Invalid
from yincai.i18n import Message, _

MAX_EVIDENCE_CHARS = 500  # a record is a sentence or two of evidence, not an essay
MAX_RECORDER_CHARS = 50  # growth_record.recorded_by
DIMENSION_WORDS: dict[Dimension, Message] = {
    Dimension.MORAL: _("品德发展"),
    Dimension.ACADEMIC: _("学业发展"),
    Dimension.HEALTH: _("身心健康"),
    Dimension.ARTS: _("艺术素养"),
    Dimension.LABOUR: _("劳动实践"),
}
_SHORT = {"德": Dimension.MORAL, "智": Dimension.ACADEMIC, "体": Dimension.HEALTH,
          "美": Dimension.ARTS, "劳": Dimension.LABOUR}  # fmt: skip
_BY_WORD = {
    **{str(words): dimension for dimension, words in DIMENSION_WORDS.items()},
    **_SHORT,
    **{dimension.value: dimension for dimension in Dimension},
}


def parse_dimension(text: str) -> Dimension:
    found = _BY_WORD.get(text.strip().lower())
    if found is None:
        raise Invalid(
            _("方面“{value}”无效，应为品德发展、学业发展、身心健康、艺术素养或劳动实践之一").format(
                value=text[:20]
            ),
            code="growth.bad_dimension",
        )
    return found


def parse_recorded_on(text: str, *, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip().removesuffix("T00:00:00"))  # a spreadsheet date
    except ValueError:
        raise Invalid(
            _("日期“{value}”无效，请按“年-月-日”填写，例如 2026-09-01").format(value=text[:20]),
            code="growth.bad_date",
        ) from None
    if day > today:
        raise Invalid(
            _("日期 {day} 晚于今天，成长记录只记已经发生的事").format(day=day.isoformat()),
            code="growth.future_date",
        )
    return day


def check_evidence(text: str) -> str:
    evidence = text.strip()
    if not evidence:
        raise Invalid(_("请填写记录内容"), code="growth.empty_evidence")
    if len(evidence) > MAX_EVIDENCE_CHARS:
        raise Invalid(
            _("记录内容过长：{n} 字，最多 {max} 字").format(
                n=len(evidence), max=MAX_EVIDENCE_CHARS
            ),
            code="growth.long_evidence",
        )
    return evidence
