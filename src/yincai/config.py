"""Settings, read once from the environment (prefix ``YINCAI_``) and passed down.

Nothing reads the environment at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-in-production"
MAX_AUTO_WORKERS = 4


class Settings(BaseSettings):
    """Where the data lives and how the platform behaves.

    ``database_url`` wins over ``data_dir``; without it the embedded SQLite file
    ``<data_dir>/yincai.sqlite`` is used.
    """

    model_config = SettingsConfigDict(env_prefix="YINCAI_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="folder for the SQLite file and outputs"
    )
    database_url: str | None = Field(default=None, description="SQLAlchemy URL, e.g. PostgreSQL")
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema to use (tests run each in a fresh one)"
    )
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="signs session cookies")
    language: str = Field(default="zh", description="interface language: zh or en")
    show_ranks: bool = Field(
        default=True,
        description="district setting: ranks and 一分一段表 on staff copies only",
    )
    cookie_secure: bool = Field(default=False, description="mark session cookies Secure (HTTPS)")
    web_threads: int = Field(
        default=4, ge=1, le=256, description="threads that run the web routes (per process)"
    )
    web_workers: int = Field(
        default=0, ge=0, le=64, description="server processes; 0: one per CPU core, at most 4"
    )
    # Privacy (issue 10): the key of encrypted fields, and how long data is kept.
    field_key: str | None = Field(
        default=None,
        description="AES-256 key (URL-safe base64) of encrypted fields; unset: data_dir/field.key",
    )
    field_keys_previous: str = Field(
        default="", description="earlier field keys, comma-separated, still read after a rotation"
    )
    upload_retention_hours: int = Field(
        default=24, ge=1, description="hours an uploaded file waits for confirmation"
    )
    audit_retention_days: int = Field(
        default=365, ge=183, description="days audit events are kept (等保 level 3: ≥ 6 months)"
    )
    left_student_retention_years: int = Field(
        default=3, ge=0, description="years after leaving before a student's record is anonymised"
    )

    def workers(self) -> int:
        """Server processes: the setting, or one per CPU core (at most 4) when it is 0."""
        return self.web_workers or max(1, min(os.cpu_count() or 1, MAX_AUTO_WORKERS))

    def effective_secret_key(self) -> str:
        """The configured key, or a random one when the published default was left in place
        (sessions then end when the server restarts)."""
        if self.secret_key == DEFAULT_SECRET_KEY:
            return secrets.token_hex(32)
        return self.secret_key

    def as_environment(self) -> dict[str, str]:
        """``YINCAI_*`` variables that rebuild these settings in another process."""
        out = {}
        for name, value in self.model_dump().items():
            if value is None:
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            out[f"YINCAI_{name.upper()}"] = text
        return out

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "yincai.sqlite"

    @property
    def field_key_path(self) -> Path:
        """The generated field key, used when ``field_key`` is not set."""
        return self.data_dir / "field.key"

    @property
    def error_log_path(self) -> Path:
        """Tracebacks of unexpected errors (no locals, personal data redacted; mode 600)."""
        return self.data_dir / "errors.log"

    @property
    def ground_truth_path(self) -> Path:
        """The demo district's hidden ground truth, kept apart from the platform tables."""
        return self.data_dir / "demo_ground_truth.npz"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.sqlite_path.resolve()}"
