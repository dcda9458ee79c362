"""学情分析 / analysis: exam reports (totals, 三率, 一分一段表, items, knowledge points, class and
school comparison, value added) and student reports. Other capabilities use ``service``."""
