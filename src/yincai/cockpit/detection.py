"""From a district's arrays to early warnings a leader can act on: the detectors of
``cockpit.warnings`` applied to the data, each finding worded in Chinese with its numbers and a
link to the page that shows the evidence."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from yincai.cockpit import warnings as detect
from yincai.cockpit.data import DistrictData
from yincai.cockpit.indicators import Standing, round_label, round_mean, rounds
from yincai.cockpit.warnings import FloatArray
from yincai.domain.models import Setting
from yincai.i18n import Message, _, join
from yincai.rules import group_means

SEVERE_DECLINE = -6.0  # combined z: beyond this a decline is marked high severity
SEVERE_CLASS = -4.5  # robust z of a class's shortfall
SEVERE_GAP_CHANGE = 0.3  # SD of standing a school lost
N_RECENT_EXAMS = 2  # the latest exams averaged into a student's current standing


class WarningKind(enum.StrEnum):
    DECLINING_STUDENT = "declining_student"
    CHRONIC_ABSENCE = "chronic_absence"
    UNDERPERFORMING_CLASS = "underperforming_class"
    WIDENING_GAP = "widening_gap"
    MISSING_SCORES = "missing_scores"


KIND_NAMES = {
    WarningKind.DECLINING_STUDENT: _("学业下滑"),
    WarningKind.CHRONIC_ABSENCE: _("长期缺考"),
    WarningKind.UNDERPERFORMING_CLASS: _("班级落后"),
    WarningKind.WIDENING_GAP: _("差距扩大"),
    WarningKind.MISSING_SCORES: _("成绩缺失"),
}


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"


@dataclass(frozen=True)
class WarningSubject:
    """The ids a warning is about (those that apply)."""

    school_id: int
    school_class_id: int | None = None
    student_id: int | None = None
    assessment_id: int | None = None


@dataclass(frozen=True)
class Acknowledgement:
    acknowledged_by: int
    acknowledged_at: datetime
    note: str


@dataclass(frozen=True)
class EarlyWarning:
    """One warning: what it is about, why (a sentence a leader can read), the numbers behind it
    and where to look; ``key`` is stable across recomputations, for acknowledgements."""

    key: str
    kind: WarningKind
    severity: Severity
    subject: WarningSubject
    title: str
    reason: str
    evidence: dict[str, float]
    link: str
    acknowledgement: Acknowledgement | None = None


def detect_all(
    data: DistrictData, view: Standing, limits: detect.Limits = detect.STANDARD
) -> list[EarlyWarning]:
    """Every warning of the district, unscoped."""
    return [
        *decline_warnings(data, view, limits),
        *absence_warnings(data, limits),
        *class_warnings(data, view, limits),
        *school_warnings(data, view, limits),
        *missing_score_warnings(data, view),
    ]


def _class_title(data: DistrictData, class_index: int) -> str:
    school = data.school_names[int(data.class_school[class_index])]
    return f"{school} {data.class_names[class_index]}"


def _student_title(data: DistrictData, row: int) -> str:
    return f"{data.student_names[row]}（{_class_title(data, int(data.student_class[row]))}）"


def _short(data: DistrictData, exam_index: int) -> str:
    """An exam's name without grade and subject when its round shares one (期中考试)."""
    exam = data.exams[exam_index]
    same_round = [k for k, e in enumerate(data.exams) if e.round == exam.round]
    return round_label(data, same_round) if len(same_round) > 1 else exam.name


# What a change reads as, by its direction once both values are rounded as shown: a rise is
# never described as a fall (作业量 86% → 87% is "升至", not "降至").
_CHANGES = {
    "z": (
        _("标准分由 {before} 降至 {after}（{first}→{last}）"),
        _("标准分由 {before} 升至 {after}（{first}→{last}）"),
        _("标准分保持在 {after}（{first}→{last}）"),
    ),
    "share": (
        _("作业量由本班中位数的 {before} 降至 {after}"),
        _("作业量由本班中位数的 {before} 升至 {after}"),
        _("作业量保持在本班中位数的 {after}"),
    ),
    "accuracy": (
        _("作业正确率由 {before} 降至 {after}"),
        _("作业正确率由 {before} 升至 {after}"),
        _("作业正确率保持在 {after}"),
    ),
    "school": (
        _("全校平均标准分由 {before} 降至 {after}（{first}→{last}）"),
        _("全校平均标准分由 {before} 升至 {after}（{first}→{last}）"),
        _("全校平均标准分保持在 {after}（{first}→{last}）"),
    ),
}


def describe_change(measure: str, before: float, after: float, shown: str, **names: str) -> Message:
    """ "由 a 降至 b", "由 a 升至 b" or "保持在 b" for one of ``_CHANGES``, by the direction of the
    values as shown (``shown`` formats a value: ``"{:.0%}"``)."""
    fell, rose, same = _CHANGES[measure]
    before_text, after_text = shown.format(before), shown.format(after)
    words = same if before_text == after_text else fell if after < before else rose
    return words.format(before=before_text, after=after_text, **names)


def _standing_change(
    view: Standing, data: DistrictData
) -> tuple[FloatArray, FloatArray, list[tuple[int, int]]]:
    """Per student: standing at the first exam sat, mean standing over the latest
    ``N_RECENT_EXAMS`` exams sat after it, and (first exam, last exam) indices."""
    n_students = data.student_ids.size
    before = np.full(n_students, np.nan)
    after = np.full(n_students, np.nan)
    spans = [(-1, -1)] * n_students
    present = np.isfinite(view.z)
    for column in np.flatnonzero(present.sum(axis=0) >= 2).tolist():
        sat = np.flatnonzero(present[:, column])
        recent = sat[1:][-N_RECENT_EXAMS:]
        before[column] = view.z[sat[0], column]
        after[column] = view.z[recent, column].mean()
        spans[column] = (int(sat[0]), int(sat[-1]))
    return before, after, spans


def decline_signals(
    data: DistrictData, view: Standing, limits: detect.Limits = detect.STANDARD
) -> detect.DeclineSignals:
    """Every student's decline signals (``combined``: the lower, the steeper the fall), the
    score behind the decline warnings (the fairness benchmark ranks students by it)."""
    before, after, _spans = _standing_change(view, data)
    done_before, correct_before, done_after, correct_after = data.homework
    return detect.detect_decline(
        z_before=before,
        z_after=after,
        done_before=done_before,
        done_after=done_after,
        correct_before=correct_before,
        correct_after=correct_after,
        class_of_student=data.student_class,
        limit=limits.decline,
    )


def decline_warnings(
    data: DistrictData, view: Standing, limits: detect.Limits = detect.STANDARD
) -> list[EarlyWarning]:
    """Students whose exam standing and homework fall together."""
    before, after, spans = _standing_change(view, data)
    done_before, correct_before, done_after, correct_after = data.homework
    signals = decline_signals(data, view, limits)
    found = []
    for row in np.flatnonzero(signals.is_flagged).tolist():
        parts = []
        evidence: dict[str, float] = {"combined_z": round(float(signals.combined[row]), 2)}
        first, last = spans[row]
        if np.isfinite(before[row]) and np.isfinite(after[row]):
            parts.append(
                describe_change(
                    "z",
                    float(before[row]),
                    float(after[row]),
                    "{:.1f}",
                    first=_short(data, first),
                    last=_short(data, last),
                )
            )
            evidence |= {
                "z_before": round(float(before[row]), 2),
                "z_after": round(float(after[row]), 2),
            }
        if done_before[row] > 0:
            kept = float(done_after[row] / max(_class_median(data, done_after, row), 1.0))
            was = float(done_before[row] / max(_class_median(data, done_before, row), 1.0))
            accuracy_before = float(correct_before[row] / done_before[row])
            accuracy_after = float(correct_after[row] / max(done_after[row], 1.0))
            parts.append(describe_change("share", was, kept, "{:.0%}"))
            parts.append(describe_change("accuracy", accuracy_before, accuracy_after, "{:.0%}"))
            evidence |= {
                "homework_share_before": round(was, 3),
                "homework_share_after": round(kept, 3),
                "homework_accuracy_before": round(accuracy_before, 3),
                "homework_accuracy_after": round(accuracy_after, 3),
            }
        class_index = int(data.student_class[row])
        student_id = int(data.student_ids[row])
        found.append(
            EarlyWarning(
                key=f"{WarningKind.DECLINING_STUDENT}:{student_id}",
                kind=WarningKind.DECLINING_STUDENT,
                severity=Severity.HIGH
                if signals.combined[row] <= SEVERE_DECLINE
                else Severity.MEDIUM,
                subject=WarningSubject(
                    school_id=data.school_ids[int(data.class_school[class_index])],
                    school_class_id=data.class_ids[class_index],
                    student_id=student_id,
                ),
                title=_student_title(data, row),
                reason=_("成绩与作业同时下滑：{details}").format(details=join(parts)),
                evidence=evidence,
                link=f"/students/{student_id}",
            )
        )
    return found


def _class_median(data: DistrictData, counts: FloatArray, row: int) -> float:
    members = data.student_class == data.student_class[row]
    return float(np.median(counts[members]))


def absence_warnings(
    data: DistrictData, limits: detect.Limits = detect.STANDARD
) -> list[EarlyWarning]:
    """Students absent from more exams than ordinary absence explains. An exam is a round: the
    papers of a joint exam (one per subject) are one occasion, missed when every paper is."""
    by_round = rounds(data)
    expected = np.array([data.expected[exams].any(axis=0) for exams in by_round], dtype=bool)
    sat = np.array(
        [(data.expected[exams] & ~data.is_absent[exams]).any(axis=0) for exams in by_round],
        dtype=bool,
    )
    absent = expected & ~sat if by_round else np.zeros((0, data.student_ids.size), dtype=bool)
    n_absent = absent.sum(axis=0).astype(np.int64)
    n_expected = expected.sum(axis=0).astype(np.int64) if by_round else n_absent
    is_flagged, rate = detect.detect_chronic_absence(
        n_absent, n_expected, false_alarms=limits.absence_false_alarms
    )
    found = []
    for row in np.flatnonzero(is_flagged).tolist():
        class_index = int(data.student_class[row])
        student_id = int(data.student_ids[row])
        missed = [round_label(data, by_round[r]) for r in np.flatnonzero(absent[:, row]).tolist()]
        found.append(
            EarlyWarning(
                key=f"{WarningKind.CHRONIC_ABSENCE}:{student_id}",
                kind=WarningKind.CHRONIC_ABSENCE,
                severity=Severity.HIGH if n_absent[row] == n_expected[row] else Severity.MEDIUM,
                subject=WarningSubject(
                    school_id=data.school_ids[int(data.class_school[class_index])],
                    school_class_id=data.class_ids[class_index],
                    student_id=student_id,
                ),
                title=_student_title(data, row),
                reason=_(
                    "{n_exams} 次考试缺考 {n_absent} 次（{missed}），全区平均缺考率 {rate}"
                ).format(
                    n_exams=n_expected[row],
                    n_absent=n_absent[row],
                    missed=join(missed, "、"),
                    rate=f"{rate:.1%}",
                ),
                evidence={
                    "n_absent": float(n_absent[row]),
                    "n_exams": float(n_expected[row]),
                    "district_absence_rate": round(rate, 4),
                },
                link=f"/students/{student_id}",
            )
        )
    return found


def class_warnings(
    data: DistrictData, view: Standing, limits: detect.Limits = detect.STANDARD
) -> list[EarlyWarning]:
    """Classes far below the other classes of their own school."""
    present = np.isfinite(view.z)
    n_sat = present.sum(axis=0)
    total = np.where(present, view.z, 0.0).sum(axis=0)
    standing = np.divide(total, n_sat, out=np.full(n_sat.shape, np.nan), where=n_sat > 0)
    # A student who sat under half of the class's exams stands on too few of them to speak for
    # the class (and their absence is a warning of its own).
    most_sat = np.zeros(len(data.class_ids), dtype=np.int64)
    np.maximum.at(most_sat, data.student_class, n_sat)
    standing[2 * n_sat < most_sat[data.student_class]] = np.nan
    result = detect.detect_class_shortfall(
        standing, data.student_class, data.class_school, limit=limits.class_z
    )
    found = []
    for k in np.flatnonzero(result.is_flagged).tolist():
        school = int(data.class_school[k])
        found.append(
            EarlyWarning(
                key=f"{WarningKind.UNDERPERFORMING_CLASS}:{data.class_ids[k]}",
                kind=WarningKind.UNDERPERFORMING_CLASS,
                severity=Severity.HIGH if result.z[k] <= SEVERE_CLASS else Severity.MEDIUM,
                subject=WarningSubject(
                    school_id=data.school_ids[school], school_class_id=data.class_ids[k]
                ),
                title=_class_title(data, k),
                reason=_(
                    "班级平均标准分 {mean}，比同校其他班级（{others}）低 {shortfall} 个标准差"
                    "（已扣除抽样误差，z = {z}）"
                ).format(
                    mean=f"{result.mean[k]:.2f}",
                    others=f"{result.others[k]:.2f}",
                    shortfall=f"{-result.shortfall[k]:.2f}",
                    z=f"{result.z[k]:.1f}",
                ),
                evidence={
                    "mean_z": round(float(result.mean[k]), 3),
                    "others_z": round(float(result.others[k]), 3),
                    "shortfall": round(float(result.shortfall[k]), 3),
                    "se": round(float(result.se[k]), 3),
                    "z": round(float(result.z[k]), 2),
                    "n_students": float(result.n_students[k]),
                },
                link=f"/classes/{data.class_ids[k]}",
            )
        )
    return found


def _round_z(data: DistrictData, view: Standing, exams: list[int]) -> FloatArray:
    return round_mean(view.z, exams)


def school_warnings(
    data: DistrictData, view: Standing, limits: detect.Limits = detect.STANDARD
) -> list[EarlyWarning]:
    """Schools whose students lose standing over the semester (their gap widens)."""
    by_round = rounds(data)
    if len(by_round) < 2:
        return []
    n_schools = len(data.school_ids)
    school = data.student_school
    z_first, z_last = _round_z(data, view, by_round[0]), _round_z(data, view, by_round[-1])
    result = detect.detect_school_decline(
        z_last - z_first, school, n_schools, alpha=limits.school_alpha
    )
    settings = np.array([s.value for s in data.school_settings])[school]
    is_urban = settings == Setting.URBAN.value
    urban_first = float(np.nanmean(z_first[is_urban])) if is_urban.any() else float("nan")
    urban_last = float(np.nanmean(z_last[is_urban])) if is_urban.any() else float("nan")
    mean_first = group_means(z_first, school, n_schools).mean
    mean_last = group_means(z_last, school, n_schools).mean
    labels = (round_label(data, by_round[0]), round_label(data, by_round[-1]))
    found = []
    for k in np.flatnonzero(result.is_flagged).tolist():
        gap_first, gap_last = urban_first - mean_first[k], urban_last - mean_last[k]
        if data.school_settings[k] is not Setting.URBAN and np.isfinite(gap_first):
            reason = _(
                "与城区学校的差距由 {first} 扩大到 {last} 个标准差（{since}→{until}）"
            ).format(
                first=f"{gap_first:.2f}", last=f"{gap_last:.2f}", since=labels[0], until=labels[1]
            )
        else:
            reason = describe_change(
                "school",
                float(mean_first[k]),
                float(mean_last[k]),
                "{:.2f}",
                first=labels[0],
                last=labels[1],
            )
        found.append(
            EarlyWarning(
                key=f"{WarningKind.WIDENING_GAP}:{data.school_ids[k]}",
                kind=WarningKind.WIDENING_GAP,
                severity=Severity.HIGH
                if -result.change[k] >= SEVERE_GAP_CHANGE
                else Severity.MEDIUM,
                subject=WarningSubject(school_id=data.school_ids[k]),
                title=data.school_names[k],
                reason=_("{reason}，{n} 名学生平均下降 {change}").format(
                    reason=reason, n=result.n_matched[k], change=f"{-result.change[k]:.2f}"
                ),
                evidence={
                    "change_z": round(float(result.change[k]), 3),
                    "t": round(float(result.t[k]), 1),
                    "n_students": float(result.n_matched[k]),
                    "gap_first": round(float(gap_first), 3),
                    "gap_last": round(float(gap_last), 3),
                },
                link=f"/schools/{data.school_ids[k]}",
            )
        )
    return found


def missing_score_warnings(data: DistrictData, view: Standing) -> list[EarlyWarning]:
    """Classes with no scores for an exam of their grade that they sat the others of."""
    n_exams, n_classes = len(data.exams), len(data.class_ids)
    if n_exams == 0 or n_classes == 0:
        return []
    has_students = np.bincount(data.student_class, minlength=n_classes) > 0
    present = np.isfinite(view.z)
    has_scores = np.zeros((n_exams, n_classes), dtype=bool)
    for k in range(n_exams):
        has_scores[k] = (
            np.bincount(
                data.student_class, weights=present[k].astype(np.float64), minlength=n_classes
            )
            > 0
        )
    grade = np.array([exam.grade_level for exam in data.exams])
    subject = np.array([exam.subject_id for exam in data.exams])
    eligible = (grade[:, np.newaxis] == data.class_grade[np.newaxis, :]) & has_students
    missing = np.zeros((n_exams, n_classes), dtype=bool)
    for subject_id in np.unique(subject):
        rows = subject == subject_id
        missing[rows] = detect.detect_missing_classes(has_scores[rows], eligible[rows])
    found = []
    for k, c in zip(*np.nonzero(missing), strict=True):
        exam = data.exams[int(k)]
        school = int(data.class_school[c])
        title = _class_title(data, int(c))
        if data.class_sat[k, c]:
            reason = _("{class_name}缺少 {exam} 成绩（已登记参考，但没有一名学生有成绩）")
        else:
            reason = _("{class_name}缺少 {exam} 成绩")
        reason = reason.format(class_name=data.class_names[c], exam=exam.name)
        found.append(
            EarlyWarning(
                key=f"{WarningKind.MISSING_SCORES}:{exam.id}:{data.class_ids[c]}",
                kind=WarningKind.MISSING_SCORES,
                severity=Severity.HIGH,
                subject=WarningSubject(
                    school_id=data.school_ids[school],
                    school_class_id=data.class_ids[c],
                    assessment_id=exam.id,
                ),
                title=title,
                reason=reason,
                evidence={"exam_round": float(exam.round + 1)},
                link=f"/classes/{data.class_ids[c]}",
            )
        )
    return found
