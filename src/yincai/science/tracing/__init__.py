"""Knowledge tracing: each student's changing mastery, from their answers over time.

* ``BKT`` — Bayesian knowledge tracing by EM, optionally with forgetting;
* ``PFA``, ``Elo`` — performance factors analysis and an Elo-style online ability model;
* ``FeatureLogistic`` — logistic regression on rich history features (Best-LR style);
* ``simulate_bkt`` — data drawn from known BKT parameters.
"""

from yincai.science.tracing.bkt import BKT
from yincai.science.tracing.features import FeatureLogistic
from yincai.science.tracing.logistic import PFA, Elo
from yincai.science.tracing.simulate import simulate_bkt

__all__ = ["BKT", "PFA", "Elo", "FeatureLogistic", "simulate_bkt"]
