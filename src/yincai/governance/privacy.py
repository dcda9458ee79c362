"""Pseudonyms for exports: HMAC-SHA256 tokens under the district's key, and where that key lives.

The same identifier gives the same token under the same key, so a researcher can link the
exports of one district over the years; under another key the tokens are unrelated, and without
the key a token cannot be turned back into a student number (student numbers are few enough to
try them all, which is why the hash is keyed and the key must stay secret).

The key is ``YINCAI_PSEUDONYM_KEY`` when set (at least 32 characters; several servers must share
it), else ``<data dir>/pseudonym.key``: 32 random bytes written once, readable by the owner only
(mode 600). Losing it unlinks every later export from earlier ones; leaking it lets whoever
holds an export and a list of student numbers re-identify the export.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from yincai.config import Settings
from yincai.errors import Invalid
from yincai.i18n import _

PSEUDONYM_HEX_DIGITS = 16  # 64 bits: collisions stay negligible at district scale (≤ 10⁶ students)
MIN_KEY_LENGTH = 32
KEY_FILE_NAME = "pseudonym.key"
KEY_BYTES = 32


def pseudonymise(identifier: str, key: str, *, prefix: str = "S") -> str:
    """A stable token for one identifier under one key, e.g. ``S-3f9c…``; ``prefix`` names the
    kind of thing (students S, schools K) and separates the kinds' token spaces."""
    if not key:
        raise ValueError("key must not be empty: an unkeyed hash of a student number is reversible")
    message = f"{prefix}:{identifier}".encode()
    digest = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:PSEUDONYM_HEX_DIGITS]}"


def pseudonym_key(settings: Settings) -> str:
    """The district's pseudonym key: the setting, or the key file (created on first use)."""
    if settings.pseudonym_key is not None:
        if len(settings.pseudonym_key) < MIN_KEY_LENGTH:
            raise Invalid(
                _("YINCAI_PSEUDONYM_KEY 至少 {n} 个字符").format(n=MIN_KEY_LENGTH),
                code="pseudonym_key.too_short",
            )
        return settings.pseudonym_key
    return _key_file(settings.data_dir / KEY_FILE_NAME)


def _key_file(path: Path) -> str:
    if not path.exists():
        _create_key_file(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise Invalid(
            _("密钥文件 {path} 权限过宽，请执行 chmod 600").format(path=path),
            code="pseudonym_key.open_permissions",
        )
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_KEY_LENGTH:
        raise Invalid(_("密钥文件 {path} 内容无效").format(path=path), code="pseudonym_key.damaged")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key under a temporary name, then link it into place: a process that loses
    the race reads the winner's complete file instead of writing its own."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(KEY_BYTES) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: keep theirs
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
