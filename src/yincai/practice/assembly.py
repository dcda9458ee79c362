"""Shaping choices into what the capability hands out: practice sets and diagnostic items."""

from __future__ import annotations

from datetime import date

import numpy as np

from yincai.diagnosis import levels
from yincai.diagnosis.service import MasteryTable
from yincai.i18n import _, join
from yincai.practice.data import Catalogue, StudentInfo
from yincai.practice.estimates import IntArray, item_information, predicted_success
from yincai.practice.plans import DiagnosticItem, PracticeItem, PracticeSet, TargetPoint
from yincai.practice.reteach import DiagnosticCandidate, pick_diagnostic
from yincai.practice.selection import TYPE_NAMES, Selection, SelectionPolicy


def build_practice_set(
    student: StudentInfo,
    selection: Selection,
    catalogue: Catalogue,
    estimate: MasteryTable,
    row: int,
    counts: IntArray,
    policy: SelectionPolicy,
    *,
    as_of: date | None,
    reference_on: date,
) -> PracticeSet:
    """The practice set of one student (row ``row`` of the estimate) from its selection."""
    kp_position = {kp: k for k, kp in enumerate(catalogue.kp_ids)}
    point_levels = estimate.mastery[row]
    names, codes = catalogue.fitted.kp_names, catalogue.fitted.kp_codes
    low, high = levels.interval(estimate.logit_mean[row], estimate.logit_sd[row])
    item_by_id = {item.item_id: item for item in catalogue.items}
    targets = []
    for target in selection.targets:
        k = kp_position[target.kp_id]
        targets.append(
            TargetPoint(
                kp_id=target.kp_id,
                kp_code=codes[k],
                kp_name=names[k],
                role=target.role,
                rank=target.rank,
                priority=target.priority,
                level=float(point_levels[k]),
                level_low=float(low[k]),
                level_high=float(high[k]),
                band_word=levels.band_word(float(point_levels[k]), n_evidence=int(counts[k])),
                n_evidence=int(counts[k]),
                needed_by=[names[kp_position[d]] for d in target.needed_by],
                n_items=target.n_items,
                reason=target.reason,
            )
        )
    by_kp = {t.kp_id: t for t in targets}
    items = []
    for position, choice in enumerate(selection.items, start=1):
        item = item_by_id[choice.item_id]
        k = kp_position[choice.kp_id]
        target_point = by_kp[choice.kp_id]
        items.append(
            PracticeItem(
                position=position,
                item_id=item.item_id,
                item_code=item.code,
                item_type=item.item_type.value,
                type_name=TYPE_NAMES.get(item.item_type.value, item.item_type.value),
                stem=item.stem,
                options=item.options,
                answer=item.answer,
                full_score=item.full_score,
                kp_codes=[codes[j] for j in item.all_kps],
                kp_names=[names[j] for j in item.all_kps],
                target_kp_code=codes[k],
                target_kp_name=names[k],
                predicted_success=choice.predicted_success,
                is_in_band=choice.is_in_band,
                reason=choice.reason,
                student_reason=_student_reason(target_point),
            )
        )
    return PracticeSet(
        student_id=student.student_id,
        student_number=student.student_number,
        student_name=student.name,
        school_code=student.school_code,
        school_name=student.school_name,
        class_name=student.class_name,
        grade_level=student.grade_level,
        as_of=as_of,
        reference_on=reference_on,
        success_band=policy.success_band,
        targets=targets,
        items=items,
        summary=_summary(targets, items, policy),
    )


def _student_reason(target: TargetPoint) -> str:
    """Why the item is set, in words a student reads: no model numbers."""
    if target.role == "prerequisite" and target.needed_by:
        return _("先练「{point}」（{band}），为「{next}」打基础").format(
            point=target.kp_name, band=target.band_word, next=target.needed_by[0]
        )
    return _("练习「{point}」（{band}）").format(point=target.kp_name, band=target.band_word)


def _summary(targets: list[TargetPoint], items: list[PracticeItem], policy: SelectionPolicy) -> str:
    if not items:
        return _("暂无可练习的题目：还没有已学知识点的作答记录或题库题目")
    weak = sorted((t for t in targets if t.role == "weak"), key=lambda t: t.rank)
    foundations = [t for t in targets if t.role == "prerequisite"]
    low, high = policy.success_band
    points = join([t.kp_name for t in weak], "、")
    if foundations:
        text = _("针对 {n} 个薄弱知识点（{points}）及 {n_foundations} 个先修（{foundations}）")
    else:
        text = _("针对 {n} 个薄弱知识点（{points}）")
    text = text.format(
        n=len(weak),
        points=points,
        n_foundations=len(foundations),
        foundations=join([t.kp_name for t in foundations], "、"),
    )
    in_band = sum(item.is_in_band for item in items)
    types = len({item.item_type for item in items})
    return _(
        "{targets}，共 {n} 题、{n_types} 种题型；{n_in_band} 题预计答对率在 {low}–{high} 之间"
    ).format(
        targets=text,
        n=len(items),
        n_types=types,
        n_in_band=in_band,
        low=f"{low:.2f}",
        high=f"{high:.2f}",
    )


def build_diagnostic_items(
    catalogue: Catalogue, estimate: MasteryTable, on_point: list[int], k: int
) -> list[DiagnosticItem]:
    """The most diagnostic of the bank items ``on_point`` about point ``k`` for the class."""
    if not on_point or estimate.logit_mean.shape[0] == 0:
        return []
    indices = np.array(on_point, dtype=np.int64)
    information = item_information(catalogue.params, estimate.logit_mean, indices, k).mean(axis=0)
    success = predicted_success(
        catalogue.params, estimate.logit_mean, estimate.logit_sd, indices
    ).mean(axis=0)
    params = catalogue.params
    candidates = [
        DiagnosticCandidate(
            item_id=catalogue.items[i].item_id,
            information=float(information[j]),
            class_success=float(success[j]),
            discrimination=float(params.discrimination[i]),
            difficulty=float(params.difficulty[i]),
        )
        for j, i in enumerate(on_point)
    ]
    by_id = {catalogue.items[i].item_id: i for i in on_point}
    chosen = []
    for choice in pick_diagnostic(candidates):
        i = by_id[choice.item_id]
        item = catalogue.items[i]
        chosen.append(
            DiagnosticItem(
                item_id=item.item_id,
                item_code=item.code,
                item_type=item.item_type.value,
                type_name=TYPE_NAMES.get(item.item_type.value, item.item_type.value),
                stem=item.stem,
                options=item.options,
                answer=item.answer,
                full_score=item.full_score,
                discrimination=float(params.discrimination[i]),
                difficulty=float(params.difficulty[i]),
                class_success=choice.class_success,
                information=choice.information,
                reason=choice.reason,
            )
        )
    return chosen
