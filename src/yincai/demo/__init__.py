"""Seeded content for the demo district (示范区): curriculum, item bank and names.

Pure Python (stdlib and numpy only): every generator takes a ``numpy.random.Generator`` and
returns plain dataclasses, so the same seed always builds the same district.
"""
