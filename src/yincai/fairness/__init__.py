"""Fairness of the platform's estimates on a district's own data: observed outcomes by group."""
