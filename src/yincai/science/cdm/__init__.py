"""Cognitive diagnosis with a Q-matrix: latent-class models (DINA, G-DINA) and QMIRT.

* ``DINA`` and ``GDINA`` give each student a posterior over the ``2**n_kps`` mastery patterns;
* ``QMIRT`` gives continuous kp abilities with uncertainty and predicts partial-credit scores.

Every model has ``fit(responses, q_matrix)``, ``predict_mastery(responses)`` (n_students, n_kps)
and ``predict_proba(responses)`` (n_students, n_items).
"""

from yincai.science.cdm.dina import DINA, ideal_response, simulate_dina
from yincai.science.cdm.gdina import GDINA, reduced_groups
from yincai.science.cdm.latent_class import LatentClassModel, attribute_patterns
from yincai.science.cdm.qmirt import QMIRT

__all__ = [
    "DINA",
    "GDINA",
    "QMIRT",
    "LatentClassModel",
    "attribute_patterns",
    "ideal_response",
    "reduced_groups",
    "simulate_dina",
]
