"""yincai (因材): assess → mark → diagnose → practise → teach → govern, for districts."""

__version__ = "0.1.0"
