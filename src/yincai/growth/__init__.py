"""Growth archive (综合素质评价 · 成长档案): evidence in the five dimensions, read and added."""
