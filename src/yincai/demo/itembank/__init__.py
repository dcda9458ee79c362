"""The demo item bank: junior-high maths items generated from templates with computed keys.

One module of templates per chapter group (``rational`` = 七上 第一章, ``grade7a`` = 七上
第二、三章, ``geometry7a`` = 七上 第四章, …); ``bank.build_item_bank`` turns them into
``ItemSpec`` rows.
"""

from yincai.demo.itembank.bank import TYPE_MIX, ItemSpec, ItemType, build_item_bank

__all__ = ["TYPE_MIX", "ItemSpec", "ItemType", "build_item_bank"]
