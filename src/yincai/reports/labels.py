"""Chinese labels shared by the print templates."""

from __future__ import annotations

ITEM_TYPES = {
    "single_choice": "单选",
    "multiple_choice": "多选",
    "true_false": "判断",
    "fill_in": "填空",
    "short_answer": "解答",
    "essay": "论述",
}
