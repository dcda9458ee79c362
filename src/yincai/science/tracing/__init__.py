"""Knowledge tracing: each student's changing mastery, from their answers over time.

* ``BKT`` — Bayesian knowledge tracing by EM, optionally with forgetting;
* ``PFA``, ``Elo`` — performance factors analysis and an Elo-style online ability model;
* ``FeatureLogistic`` — logistic regression on rich history features (Best-LR style);
* ``OnlineMIRT`` — multidimensional IRT with a static ability tracked by its posterior;
* ``AttentionKT`` — an AKT-style transformer with distance-decayed attention (needs torch);
* ``KTStack`` — a logistic blend of tracing models, fitted on held-out training students;
* ``simulate_bkt`` — data drawn from known BKT parameters.
"""

from yincai.science.tracing.attention import AttentionKT
from yincai.science.tracing.bkt import BKT
from yincai.science.tracing.ensemble import KTStack
from yincai.science.tracing.features import FeatureLogistic
from yincai.science.tracing.irt import OnlineMIRT
from yincai.science.tracing.logistic import PFA, Elo
from yincai.science.tracing.simulate import simulate_bkt

__all__ = [
    "BKT",
    "PFA",
    "AttentionKT",
    "Elo",
    "FeatureLogistic",
    "KTStack",
    "OnlineMIRT",
    "simulate_bkt",
]
