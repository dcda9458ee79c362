"""Cognitive diagnosis with a Q-matrix: latent-class models (DINA, G-DINA) and QMIRT.

* ``DINA`` and ``GDINA`` give each student a posterior over the mastery patterns: all
  ``2**n_kps``, or only those a prerequisite hierarchy permits, listed when they are few and
  sampled (Gibbs) when they are not, so any number of kps works;
* ``QMIRT`` gives continuous kp abilities with uncertainty and predicts partial-credit scores.

Every model has ``fit(responses, q_matrix, hierarchy=None)``, ``predict_mastery(responses)``
(n_students, n_kps) and ``predict_proba(responses)`` (n_students, n_items).
"""

from yincai.science.cdm.dina import DINA, ideal_response, simulate_dina
from yincai.science.cdm.gdina import GDINA, reduced_groups
from yincai.science.cdm.hierarchy import check_hierarchy, is_permissible, permissible_patterns
from yincai.science.cdm.latent_class import LatentClassModel, attribute_patterns
from yincai.science.cdm.qmirt import QMIRT
from yincai.science.cdm.simulate import (
    CDMSimulation,
    random_hierarchy,
    random_q_matrix,
    simulate_hierarchical_dina,
)

__all__ = [
    "DINA",
    "GDINA",
    "QMIRT",
    "CDMSimulation",
    "LatentClassModel",
    "attribute_patterns",
    "check_hierarchy",
    "ideal_response",
    "is_permissible",
    "permissible_patterns",
    "random_hierarchy",
    "random_q_matrix",
    "reduced_groups",
    "simulate_dina",
    "simulate_hierarchical_dina",
]
