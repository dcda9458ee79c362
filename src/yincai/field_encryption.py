"""Field-level encryption at rest: AES-256-GCM for columns that must never hold plain text.

A column typed :class:`EncryptedString` stores ``enc1:<key id>:<base64 nonce‖ciphertext‖tag>``;
the ORM and Core encrypt on write and decrypt on read, so importers and pages keep handling plain
values. The key belongs to the engine: :func:`yincai.db.make_engine` binds a keyring (the setting
``field_key``, or a key file generated once in the data dir with mode 600) to the engine's dialect,
which is all a SQLAlchemy type sees. An engine without a keyring refuses to read or write such a
column rather than store plain text.

Each value is bound to its column (GCM associated data ``table.column``): a ciphertext copied into
another column does not decrypt. Rotation: the new key encrypts, the previous keys (setting
``field_keys_previous``) still decrypt, and ``yincai privacy encrypt-fields`` rewrites every value
under the new key.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import os
import secrets
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per value (2⁻³² collision risk after 2³² writes)
KEY_ID_HEX = 8
KEY_FILE_MODE = 0o600


class FieldKeyError(Exception):
    """The key needed to encrypt or decrypt a field is missing, malformed or not the right one."""


def generate_key() -> str:
    """A new random key, as the setting and the key file hold it (URL-safe base64)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def _decode_key(text: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as problem:
        raise FieldKeyError("字段密钥不是合法的 base64 / the field key is not base64") from problem
    if len(key) != KEY_BYTES:
        raise FieldKeyError(f"字段密钥须为 {KEY_BYTES} 字节 / the field key must be 32 bytes")
    return key


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"yincai field key id\0" + key).hexdigest()[:KEY_ID_HEX]


@dataclass(frozen=True)
class FieldKeyring:
    """The key that encrypts, and older keys that still decrypt, each known by a short id."""

    primary: bytes
    previous: tuple[bytes, ...] = ()

    @classmethod
    def from_text(cls, primary: str, previous: Sequence[str] = ()) -> FieldKeyring:
        return cls(_decode_key(primary), tuple(_decode_key(k) for k in previous if k.strip()))

    @property
    def primary_id(self) -> str:
        return _key_id(self.primary)

    @functools.cached_property
    def _ciphers(self) -> dict[str, AESGCM]:
        return {_key_id(key): AESGCM(key) for key in (*self.previous, self.primary)}

    def encrypt(self, plain: str, *, context: str) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[self.primary_id].encrypt(nonce, plain.encode(), context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{PREFIX}:{self.primary_id}:{body}"

    def decrypt(self, stored: str, *, context: str) -> str:
        try:
            prefix, key_id, body = stored.split(":", 2)
            blob = base64.urlsafe_b64decode(body.encode())
        except (ValueError, binascii.Error) as problem:
            raise FieldKeyError("加密字段格式不对 / malformed encrypted field") from problem
        cipher = self._ciphers.get(key_id)
        if prefix != PREFIX or cipher is None:
            raise FieldKeyError(
                f"加密字段用的密钥 {key_id} 不在密钥环中（轮换后请在 YINCAI_FIELD_KEYS_PREVIOUS "
                f"中保留旧密钥）/ field key {key_id} is not in the keyring"
            )
        try:
            return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode()).decode()
        except InvalidTag as problem:
            raise FieldKeyError(
                "加密字段无法解密（密钥或字段不符）/ field does not decrypt"
            ) from problem

    def is_current(self, stored: str) -> bool:
        """Whether ``stored`` is already encrypted under the primary key."""
        return stored.startswith(f"{PREFIX}:{self.primary_id}:")


def is_encrypted(stored: str) -> bool:
    return stored.startswith(f"{PREFIX}:")


def key_from_file(path: Path) -> str:
    """The key in ``path``, created (random, mode 600) on first use, atomically: of several
    processes starting at once, the first to link its file wins and the others read it."""
    with contextlib.suppress(FileNotFoundError):
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KEY_FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(generate_key() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip()


# Keyrings by engine dialect: a TypeDecorator sees only the dialect, and each engine has its own.
_KEYRINGS: weakref.WeakKeyDictionary[Dialect, Callable[[], FieldKeyring]] = (
    weakref.WeakKeyDictionary()
)


def bind_keyring(engine: Engine, source: Callable[[], FieldKeyring]) -> None:
    """Give ``engine`` its keyring, loaded on first use (engines that never touch an encrypted
    column never create a key file)."""
    _KEYRINGS[engine.dialect] = functools.cache(source)


def keyring_of(dialect: Dialect) -> FieldKeyring:
    source = _KEYRINGS.get(dialect)
    if source is None:
        raise FieldKeyError(
            "此数据库连接没有字段密钥（请用 yincai.db.make_engine 创建）/ no field key is bound "
            "to this engine"
        )
    return source()


class EncryptedString(TypeDecorator[str]):
    """A text column stored encrypted; ``length`` is the stored length (≈ 2 × plain + 60)."""

    impl = String
    cache_ok = True

    def __init__(self, length: int, *, context: str) -> None:
        super().__init__(length)
        self.length = length
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        stored = keyring_of(dialect).encrypt(value, context=self.context)
        if len(stored) > self.length:  # the value itself stays out of the message
            raise ValueError(f"{self.context}: value too long to store encrypted")
        return stored

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not is_encrypted(value):
            return str(value)  # written before encryption; `yincai privacy encrypt-fields`
        return keyring_of(dialect).decrypt(value, context=self.context)
