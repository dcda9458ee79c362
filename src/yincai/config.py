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
    # Research exports (governance.privacy, governance.research): pseudonym key, smallest count.
    pseudonym_key: str | None = Field(
        default=None,
        description="HMAC key of export pseudonyms; unset: <data_dir>/pseudonym.key (mode 600)",
    )
    export_min_group: int = Field(
        default=10, ge=2, le=1000, description="smallest count a research export publishes"
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
    def ground_truth_path(self) -> Path:
        """The demo district's hidden ground truth, kept apart from the platform tables."""
        return self.data_dir / "demo_ground_truth.npz"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.sqlite_path.resolve()}"
