"""Item response theory: Rasch, 2PL, 3PL and GPCM by marginal maximum likelihood; EAP/MAP."""

from yincai.science.irt.ability import expected_a_posteriori, maximum_a_posteriori
from yincai.science.irt.dichotomous import Rasch, ThreePL, TwoPL
from yincai.science.irt.model import IRTModel
from yincai.science.irt.polytomous import GPCM

__all__ = [
    "GPCM",
    "IRTModel",
    "Rasch",
    "ThreePL",
    "TwoPL",
    "expected_a_posteriori",
    "maximum_a_posteriori",
]
