"""Classes and schools of a joint exam compared on the mean 总分 and on the subject-balanced
index (the mean over subjects of the group's mean z), so that a harder paper or a larger full
score does not decide the order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yincai.analysis.joint_scores import JointData, JointScores, group_ranks, tidy
from yincai.analysis.totals import optional
from yincai.rules import BoolArray, IntArray, group_means


@dataclass(frozen=True)
class BalanceRow:
    """A class or school compared on the mean 总分 and on the subject-balanced index."""

    group_id: int
    name: str
    school_name: str
    n_students: int
    n_complete: int
    total_mean: float | None
    balanced_index: float | None  # mean over subjects of the group's mean z
    subject_z: list[float | None]
    total_rank: int | None
    balanced_rank: int | None
    is_current: bool


def balance_rows(
    data: JointData,
    computed: JointScores,
    group_of_student: IntArray,
    group_ids: list[int],
    current: int | None,
    *,
    by_school: bool = False,
) -> list[BalanceRow]:
    """Each group's mean 总分 and balanced index, sorted by the balanced index (best first)."""
    if not group_ids:
        return []
    ids = np.array(group_ids, dtype=np.int64)
    position = np.searchsorted(ids, group_of_student)
    member = (position < ids.size) & (ids[np.minimum(position, ids.size - 1)] == group_of_student)
    codes = np.where(member, position, -1)
    n_groups = ids.size
    totals = group_means(computed.totals, codes, n_groups)
    subject_means = (
        np.column_stack(
            [group_means(computed.z[:, k], codes, n_groups).mean for k in range(data.n_subjects)]
        )
        if data.n_subjects
        else np.zeros((n_groups, 0))
    )
    has_all: BoolArray = np.asarray(
        np.isfinite(subject_means).all(axis=1) & (data.n_subjects > 0), dtype=bool
    )
    balanced = np.where(
        has_all, np.nanmean(np.where(has_all[:, None], subject_means, 0.0), axis=1), np.nan
    )
    n_students = np.bincount(codes[codes >= 0], minlength=n_groups)
    total_rank = group_ranks(
        totals.mean, np.isfinite(totals.mean), np.zeros(n_groups, dtype=np.int64)
    )
    balanced_rank = group_ranks(balanced, np.isfinite(balanced), np.zeros(n_groups, dtype=np.int64))
    rows = []
    for k, group_id in enumerate(group_ids):
        if by_school:
            name, school_name = (
                data.school_names.get(group_id, ""),
                data.school_names.get(group_id, ""),
            )
        else:
            school = data.school_of_class.get(group_id)
            name = data.class_names.get(group_id, "")
            school_name = data.school_names.get(school, "") if school is not None else ""
        rows.append(
            BalanceRow(
                group_id=group_id,
                name=name,
                school_name=school_name,
                n_students=int(n_students[k]),
                n_complete=int(totals.n[k]),
                total_mean=optional(float(totals.mean[k])),
                balanced_index=tidy(float(balanced[k])),
                subject_z=[tidy(float(x)) for x in subject_means[k]],
                total_rank=int(total_rank[k]) or None,
                balanced_rank=int(balanced_rank[k]) or None,
                is_current=group_id == current,
            )
        )
    return sorted(
        rows,
        key=lambda row: (
            row.balanced_rank is None,
            row.balanced_rank or 0,
            row.school_name,
            row.name,
        ),
    )
