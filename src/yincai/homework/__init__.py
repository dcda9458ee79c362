"""Homework: assignments, completion, late and missing work, accuracy by knowledge point."""
