"""Field types of the JSON API that keep answers true to their OpenAPI schemas.

SQLite hands datetimes back without a time zone (every stored time is UTC): ``UtcDateTime``
makes them aware, so they serialise as RFC 3339 ``date-time``. A float that is NaN or infinite
has no JSON number: ``FiniteFloat`` turns it into null, and its schema says so.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
FiniteFloat = Annotated[float | None, AfterValidator(_finite)]
