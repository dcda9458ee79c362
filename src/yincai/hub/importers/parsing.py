"""Cell parsers for the words teachers type: 七年级, 初一, 男, 对, 城区, 2024-09-01 08:00 ...

Each parser returns the value or raises ``ValueError`` whose text is the reason shown to the user.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import TypeVar

from yincai.domain.models import Gender, ItemType, KpLevel, Setting, Stage
from yincai.i18n import _

E = TypeVar("E", bound=enum.StrEnum)

CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
GRADE_NAMES = {
    **{level: f"{name}年级" for name, level in CHINESE_DIGITS.items()},
    10: "高一",
    11: "高二",
    12: "高三",
}
_GRADE_WORDS = {
    **{name: level for level, name in GRADE_NAMES.items()},
    **{f"初{name}": level + 6 for name, level in CHINESE_DIGITS.items() if level <= 3},
    **{f"高{name}": level + 9 for name, level in CHINESE_DIGITS.items() if level <= 3},
}
_GRADE_NUMBER = re.compile(r"^(?:grade)?\s*(\d{1,2})\s*(?:年级)?$", re.IGNORECASE)


def normalise_word(text: str) -> str:
    return text.strip().lower().replace(" ", "").replace("_", "").replace("-", "")


_SETTINGS = {
    "城区": Setting.URBAN,
    "城市": Setting.URBAN,
    "乡镇": Setting.TOWNSHIP,
    "镇区": Setting.TOWNSHIP,
    "农村": Setting.RURAL,
    "乡村": Setting.RURAL,
}
_STAGES = {
    "小学": Stage.PRIMARY,
    "初中": Stage.JUNIOR,
    "九年一贯制": Stage.NINE_YEAR,
    "九年一贯": Stage.NINE_YEAR,
    "高中": Stage.SENIOR,
}
SETTING_LABELS = {Setting.URBAN: "城区", Setting.TOWNSHIP: "乡镇", Setting.RURAL: "农村"}
STAGE_LABELS = {Stage.PRIMARY: "小学", Stage.JUNIOR: "初中", Stage.NINE_YEAR: "九年一贯制",
                Stage.SENIOR: "高中"}  # fmt: skip
_GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE}
_LEVELS = {
    "学科": KpLevel.SUBJECT,
    "章": KpLevel.CHAPTER,
    "节": KpLevel.SECTION,
    "知识点": KpLevel.POINT,
}
_ITEM_TYPES = {
    "单选题": ItemType.SINGLE_CHOICE,
    "单选": ItemType.SINGLE_CHOICE,
    "选择题": ItemType.SINGLE_CHOICE,
    "多选题": ItemType.MULTIPLE_CHOICE,
    "多选": ItemType.MULTIPLE_CHOICE,
    "不定项选择题": ItemType.MULTIPLE_CHOICE,
    "判断题": ItemType.TRUE_FALSE,
    "判断": ItemType.TRUE_FALSE,
    "填空题": ItemType.FILL_IN,
    "填空": ItemType.FILL_IN,
    "简答题": ItemType.SHORT_ANSWER,
    "计算题": ItemType.SHORT_ANSWER,
    "解答题": ItemType.ESSAY,
    "证明题": ItemType.ESSAY,
    "作文": ItemType.ESSAY,
    "综合题": ItemType.ESSAY,  # labels shown for essay before rules.ITEM_TYPE_LABELS
    "论述题": ItemType.ESSAY,
    "single": ItemType.SINGLE_CHOICE,
    "multiple": ItemType.MULTIPLE_CHOICE,
    "truefalse": ItemType.TRUE_FALSE,
    "fill": ItemType.FILL_IN,
}
_ITEM_TYPE_WORDS = {
    **{normalise_word(word): kind for word, kind in _ITEM_TYPES.items()},
    **{normalise_word(kind.value): kind for kind in ItemType},
}
_TRUE_WORDS = {"1", "对", "正确", "是", "√", "✓", "t", "true", "yes", "y"}
_FALSE_WORDS = {"0", "错", "错误", "否", "×", "✗", "f", "false", "no", "n"}


def _enum_word(text: str, kind: type[E], words: Mapping[str, E], what: str) -> E:
    key = text.strip().lower().replace(" ", "_")
    if key in words:
        return words[key]
    try:
        return kind(key)
    except ValueError:
        raise ValueError(_("无法识别的{what}“{text}”").format(what=what, text=text)) from None


def parse_setting(text: str) -> Setting:
    """城区/乡镇/农村 or urban/township/rural."""
    return _enum_word(text, Setting, _SETTINGS, _("学校类型"))


def parse_stage(text: str) -> Stage:
    """小学/初中/九年一贯制/高中 or primary/junior/nine_year/senior."""
    return _enum_word(text, Stage, _STAGES, _("学段"))


def parse_gender(text: str) -> Gender:
    """男/女, male/female or m/f."""
    return _enum_word(text, Gender, _GENDERS, _("性别"))


def parse_kp_level(text: str) -> KpLevel:
    """学科/章/节/知识点 or subject/chapter/section/point."""
    return _enum_word(text, KpLevel, _LEVELS, _("层级"))


def parse_item_type(text: str) -> ItemType:
    """单选题/多选题/判断题/填空题/简答题/解答题 … or the English enum values."""
    kind = _ITEM_TYPE_WORDS.get(normalise_word(text))
    if kind is None:
        raise ValueError(_("无法识别的题型“{text}”").format(text=text))
    return kind


def parse_grade(text: str) -> int:
    """A grade level 1..12 from 七年级, 初一, 高二, 7, "7年级" or "grade 7"."""
    word = text.strip()
    if word in _GRADE_WORDS:
        return _GRADE_WORDS[word]
    match = _GRADE_NUMBER.match(word)
    if match and 1 <= int(match.group(1)) <= 12:
        return int(match.group(1))
    raise ValueError(_("无法识别的年级“{text}”，应为 1–12 或 七年级/初一").format(text=text))


def grade_prefixes() -> list[str]:
    """Every grade word, longest first, to recognise a class name that already names its grade."""
    return sorted(_GRADE_WORDS, key=len, reverse=True)


def parse_year(text: str, *, low: int = 1950, high: int = 2100) -> int:
    """A calendar year such as 2012."""
    try:
        year = int(float(text))
    except ValueError:
        raise ValueError(_("“{text}”不是年份").format(text=text)) from None
    if not low <= year <= high:
        raise ValueError(_("年份 {year} 超出 {low}–{high}").format(year=year, low=low, high=high))
    return year


def parse_number(text: str) -> float:
    """A finite decimal number."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(_("“{text}”不是数字").format(text=text)) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(_("“{text}”不是数字").format(text=text))
    return value


def parse_bool(text: str) -> bool:
    """对/错, 是/否, 1/0, true/false, √/×."""
    word = text.strip().lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ValueError(_("“{text}”应为 对/错 或 1/0").format(text=text))


def parse_timestamp(text: str) -> datetime:
    """ISO 8601 with or without a zone (none means Beijing time), returned in UTC."""
    word = text.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(word)
    except ValueError:
        raise ValueError(_("“{text}”不是 ISO 8601 时间").format(text=text)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)
    return moment.astimezone(UTC)


_CLASS_BRACKETS = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None})


def canonical_class_name(text: str) -> str:
    """A class name in its one stored form: full-width brackets, no spaces — ``七年级(1)班``,
    ``七年级 （1）班`` and ``七年级（1）班`` are the same class."""
    return text.strip().translate(_CLASS_BRACKETS)


def split_list(text: str) -> list[str]:
    """Split "a;b；c、d,e" into its non-empty parts."""
    return [part.strip() for part in re.split(r"[;；,，、\n]", text) if part.strip()]
