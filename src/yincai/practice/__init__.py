"""Personalised practice (精准练习): practice sets per student and re-teaching plans per class.

``selection`` and ``reteach`` hold the pure choices (arrays and dataclasses in, choices with
reasons out), ``estimates`` the numbers they rest on (mastery level, predicted success, item
information), ``service`` loads the data and is the capability's one door.
"""
