"""Field encryption: AES-GCM values bound to their column, key rotation, the generated key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from yincai.field_encryption import FieldKeyError, FieldKeyring, generate_key, key_from_file

PHONE = "13812345678"
CONTEXT = "student.guardian_phone"


def test_a_value_round_trips_and_is_never_stored_plain_or_twice_the_same() -> None:
    keyring = FieldKeyring.from_text(generate_key())
    first = keyring.encrypt(PHONE, context=CONTEXT)
    second = keyring.encrypt(PHONE, context=CONTEXT)
    assert first != second  # a fresh nonce per value: equal phones are not linkable
    assert PHONE not in first and first.startswith(f"enc1:{keyring.primary_id}:")
    assert keyring.decrypt(first, context=CONTEXT) == PHONE


def test_a_value_copied_to_another_column_or_altered_does_not_decrypt() -> None:
    keyring = FieldKeyring.from_text(generate_key())
    stored = keyring.encrypt(PHONE, context=CONTEXT)
    with pytest.raises(FieldKeyError):
        keyring.decrypt(stored, context="teacher.phone")
    tampered = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]
    with pytest.raises(FieldKeyError):
        keyring.decrypt(tampered, context=CONTEXT)


def test_after_a_rotation_old_values_decrypt_only_with_the_previous_key_kept() -> None:
    old, new = generate_key(), generate_key()
    stored = FieldKeyring.from_text(old).encrypt(PHONE, context=CONTEXT)
    rotated = FieldKeyring.from_text(new, [old])
    assert rotated.decrypt(stored, context=CONTEXT) == PHONE
    assert not rotated.is_current(stored)
    assert rotated.is_current(rotated.encrypt(PHONE, context=CONTEXT))
    with pytest.raises(FieldKeyError, match="不在密钥环中"):
        FieldKeyring.from_text(new).decrypt(stored, context=CONTEXT)


def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(FieldKeyError):
        FieldKeyring.from_text("too-short")


def test_the_key_file_is_made_once_with_mode_600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "field.key"
    key = key_from_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_from_file(path) == key
    assert FieldKeyring.from_text(key).primary_id
    assert [p.name for p in path.parent.iterdir()] == ["field.key"]  # no draft left behind
