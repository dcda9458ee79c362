"""Settings, read once from the environment (prefix ``YINCAI_``) and passed down.

Nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    secret_key: str = Field(default="change-me-in-production", description="signs session cookies")
    language: str = Field(default="zh", description="interface language: zh or en")
    show_ranks: bool = Field(
        default=True,
        description="district setting: ranks and 一分一段表 on staff copies only",
    )
    cookie_secure: bool = Field(default=False, description="mark session cookies Secure (HTTPS)")
    web_threads: int = Field(
        default=8, ge=1, le=256, description="threads that run the web routes (per process)"
    )

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
