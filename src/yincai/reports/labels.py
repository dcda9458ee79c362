"""Chinese labels shared by the print templates."""

from __future__ import annotations

from yincai.rules import ITEM_TYPE_SHORT_LABELS

ITEM_TYPES = ITEM_TYPE_SHORT_LABELS  # 单选, 多选 …: the platform's labels without the 题
