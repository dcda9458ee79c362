"""The science core: psychometrics, cognitive diagnosis and knowledge tracing.

Arrays in, arrays or dataclasses out; scikit-learn-style ``fit`` / ``predict``. This package
imports nothing from the rest of yincai and no web, database or file-format code, so it can be
used on its own.
"""

from yincai.science.base import ConvergenceWarning, Estimator, NotFittedError

__all__ = ["ConvergenceWarning", "Estimator", "NotFittedError"]
