"""Benchmarks: public datasets read from a folder the user names, models measured side by side."""
