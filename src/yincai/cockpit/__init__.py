"""Cockpit (数据驾驶舱): quality, equity and trend indicators and early warnings for leaders."""
