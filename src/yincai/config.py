"""Settings, read once from the environment (prefix ``YINCAI_``) and passed down.

Nothing reads the environment at import time.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET_KEY = "change-me-in-production"
MAX_AUTO_WORKERS = 4
AUDIT_KEY_FILE = "audit.key"


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
    timezone: str = Field(
        default="Asia/Shanghai", description="local time zone of the times pages show (IANA)"
    )
    show_ranks: bool = Field(
        default=True,
        description="district setting: ranks and 一分一段表 on staff copies only",
    )
    cookie_secure: bool = Field(
        default=False, description="always mark session cookies Secure (else only over HTTPS)"
    )
    web_threads: int = Field(
        default=4, ge=1, le=256, description="threads that run the web routes (per process)"
    )
    warm_up: bool = Field(
        default=True,
        description="load the maths typesetter when a web process starts, not on its first page, "
        "and read the cockpit's districts in the background",
    )
    web_workers: int = Field(
        default=0, ge=0, le=64, description="server processes; 0: one per CPU core, at most 4"
    )
    sqlite_synchronous: Literal["FULL", "NORMAL"] = Field(
        default="FULL",
        description="SQLite durability: FULL survives power loss; NORMAL may lose the last "
        "commits on power loss (never corrupts)",
    )
    # Data hub uploads and imports
    max_upload_mb: int = Field(
        default=20, ge=1, le=1024, description="largest file accepted by the import page"
    )
    max_request_kb: int = Field(
        default=256, ge=16, description="largest body of any other request (forms, API)"
    )
    upload_keep_minutes: int = Field(
        default=30, ge=1, description="how long a previewed upload waits for confirmation"
    )
    # Security headers (web/headers.py). HSTS is sent only on responses served over HTTPS (the
    # request's scheme, which a trusted proxy's X-Forwarded-Proto may set); 0 turns it off.
    hsts_max_age: int = Field(
        default=31_536_000, ge=0, description="seconds browsers keep to HTTPS (HSTS); 0: off"
    )
    hsts_include_subdomains: bool = Field(
        default=False, description="HSTS also for every subdomain of the platform's host"
    )

    # Logins and sessions (issue 10; docs/security.md#auth): proxies, throttling, sessions, 2FA.
    trusted_proxies: str = Field(
        default="",
        description="reverse proxies whose X-Forwarded-For/-Proto are honoured: IPs or CIDRs, "
        "comma-separated (default: none, the direct peer is the client)",
    )
    login_max_failures_per_account: int = Field(
        default=5, ge=1, description="failed logins of one username (any address) per window"
    )
    login_max_failures_per_address: int = Field(
        default=15, ge=1, description="failed logins from one client address per window"
    )
    login_window_minutes: int = Field(default=15, ge=1, description="throttling window")
    session_idle_minutes: int = Field(
        default=30, ge=1, description="a session ends after this long without a request"
    )
    session_max_hours: int = Field(
        default=8, ge=1, description="a session ends this long after login, however busy"
    )
    require_admin_two_factor: bool = Field(
        default=False, description="admins must enrol a TOTP authenticator before anything else"
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for entry in filter(None, (part.strip() for part in value.split(","))):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or CIDR"
                ) from None
        return value

    @model_validator(mode="after")
    def _two_factor_needs_a_key(self) -> Settings:
        # Authenticator secrets are encrypted with a key derived from the secret key: a random
        # key per start would make every enrolment unreadable after a restart.
        if self.require_admin_two_factor and not self.has_secret_key():
            raise ValueError("require_admin_two_factor needs a configured secret_key")
        return self

    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """The configured proxies as networks (a single address is a /32 or /128)."""
        parts = (part.strip() for part in self.trusted_proxies.split(","))
        return [ipaddress.ip_network(part, strict=False) for part in parts if part]

    def has_secret_key(self) -> bool:
        """Whether a signing key was configured (it then survives restarts)."""
        return self.secret_key != DEFAULT_SECRET_KEY

    # Audit log (issue 10): the key of its hash chain. Someone who can write the database but
    # does not hold this key cannot rebuild the chain after changing a row.
    audit_key: str | None = Field(
        default=None,
        description="HMAC key of the audit hash chain; unset: <data_dir>/audit.key (made once)",
    )
    # Privacy (issue 10): the key of encrypted fields, and how long data is kept.
    field_key: str | None = Field(
        default=None,
        description="AES-256 key (URL-safe base64) of encrypted fields; unset: data_dir/field.key",
    )
    field_keys_previous: str = Field(
        default="", description="earlier field keys, comma-separated, still read after a rotation"
    )
    audit_retention_days: int = Field(
        default=365, ge=183, description="days audit events are kept (等保 level 3: ≥ 6 months)"
    )
    left_student_retention_years: int = Field(
        default=3, ge=0, description="years after leaving before a student's record is anonymised"
    )
    # Research exports (governance.privacy, governance.research): pseudonym key, smallest count.
    pseudonym_key: str | None = Field(
        default=None,
        description="HMAC key of export pseudonyms; unset: <data_dir>/pseudonym.key (mode 600)",
    )
    export_min_group: int = Field(
        default=10, ge=2, le=1000, description="smallest count a research export publishes"
    )
    embedding_model: str | None = Field(
        default=None,
        description="folder of a local sentence-transformers model: the library then ranks by "
        "BM25 and embeddings together (hybrid); without it, BM25 alone. Never downloaded.",
    )

    # The assistant (yincai.assistant, docs/assistant.md): an optional OpenAI-compatible model.
    llm_url: str | None = Field(
        default=None,
        description="base URL of an OpenAI-compatible endpoint (Ollama, vLLM, a cloud provider), "
        "e.g. http://127.0.0.1:11434/v1; unset: the assistant answers from the library alone",
    )
    llm_model: str = Field(default="", description="the model's name at that endpoint")
    llm_api_key: str | None = Field(
        default=None, description="bearer key of the endpoint (never logged, never shown)"
    )
    llm_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="how long one answer may take before the "
        "assistant falls back to the extractive answer",
    )
    assistant_retention_days: int = Field(
        default=180,
        ge=1,
        description="days a conversation with the assistant is kept after "
        "its last message (yincai privacy purge)",
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

    def audit_chain_key(self) -> bytes:
        """The audit chain's key: the setting, else a random key kept in ``<data_dir>/audit.key``
        (made on first use, readable by its owner only; enough for one host, not for several)."""
        if self.audit_key:
            return self.audit_key.encode()
        path = self.data_dir / AUDIT_KEY_FILE
        if not path.exists():
            # Written aside, then linked into place: another process sees no key or a whole one.
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{AUDIT_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
            with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
                f.write(secrets.token_hex(32))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
            finally:
                draft.unlink()
        return path.read_text(encoding="ascii").strip().encode()

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
