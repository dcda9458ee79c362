"""TOTP two-factor login for admin accounts (RFC 6238 with ``pyotp``; 等保 level 3 asks for two
factors for administrators).

Enrolment stores a fresh secret (pending) and shows it as a QR code; the first correct code
confirms it. A code works once (the time step used is kept) and within one step of drift. The
secret is stored encrypted (AES-GCM, key derived from the platform's secret key, the account id
as associated data), never logged; a district admin or ``yincai user reset-two-factor`` clears it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from datetime import UTC, datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from yincai.accounts.models import Role, UserAccount
from yincai.accounts.roles import ADMIN_ROLES, require_role
from yincai.errors import Conflict, Forbidden, Invalid
from yincai.i18n import _

ISSUER = "因材 yincai"
STEP_S = 30
DRIFT_STEPS = 1  # a phone clock 30 s off still works
CODE_DIGITS = 6
_NONCE_BYTES = 12
_VERSION = "v1."


class SecretBox:
    """Encrypts authenticator secrets with a key derived from the platform's secret key."""

    def __init__(self, secret_key: str) -> None:
        key = hmac.new(secret_key.encode(), b"yincai-totp-secret", hashlib.sha256).digest()
        self._aead = AESGCM(key)

    def seal(self, secret: str, *, account_id: int) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, secret.encode(), str(account_id).encode())
        return _VERSION + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, stored: str, *, account_id: int) -> str:
        """The secret; Invalid when it was sealed with another key (the secret key changed)."""
        try:
            raw = base64.urlsafe_b64decode(stored.removeprefix(_VERSION))
            data = self._aead.decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], str(account_id).encode()
            )
        except (InvalidTag, ValueError):
            raise Invalid(
                _("两步验证数据无法读取（密钥已更换），请联系区管理员重置"),
                code="two_factor.unreadable",
            ) from None
        return data.decode()


def is_enrolled(account: UserAccount) -> bool:
    return account.totp_enabled_at is not None and account.totp_secret is not None


def needs_enrolment(account: UserAccount, *, is_required: bool) -> bool:
    """Whether the setting requires this admin to enrol before doing anything else."""
    return is_required and account.role in ADMIN_ROLES and not is_enrolled(account)


def begin_enrolment(session: Session, *, actor: UserAccount, box: SecretBox) -> None:
    """Draw a new secret for the admin (pending until a first code confirms it)."""
    require_role(actor, *ADMIN_ROLES)
    if is_enrolled(actor):
        raise Conflict(_("两步验证已启用"), code="two_factor.enabled")
    actor.totp_secret = box.seal(pyotp.random_base32(), account_id=actor.id)
    actor.totp_enabled_at = None
    actor.totp_last_step = None
    session.flush()


def pending_secret(actor: UserAccount, box: SecretBox) -> str | None:
    """The secret of an enrolment not yet confirmed, to show as a QR code; None otherwise."""
    if actor.totp_secret is None or is_enrolled(actor):
        return None
    return box.open(actor.totp_secret, account_id=actor.id)


def provisioning_uri(actor: UserAccount, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=actor.username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = "".join(code.split())
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_S
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _accept(account: UserAccount, secret: str, code: str, now: datetime) -> bool:
    step = _matching_step(secret, code, now)
    if step is None or step <= (account.totp_last_step or -1):  # each code works once
        return False
    account.totp_last_step = step
    return True


def confirm_enrolment(
    session: Session,
    *,
    actor: UserAccount,
    box: SecretBox,
    code: str,
    now: datetime | None = None,
) -> None:
    """Turn two-factor on once the app shows a correct code for the pending secret."""
    secret = pending_secret(actor, box)
    if secret is None:
        raise Invalid(_("请先开始绑定"), code="two_factor.not_started")
    if not _accept(actor, secret, code, now or datetime.now(UTC)):
        raise Invalid(
            _("验证码不正确，请输入验证器应用当前显示的 6 位数字"), code="two_factor.wrong_code"
        )
    actor.totp_enabled_at = now or datetime.now(UTC)
    session.flush()


def verify_code(
    account: UserAccount, *, box: SecretBox, code: str, now: datetime | None = None
) -> bool:
    """Whether the code is right for the enrolled account (and not used before)."""
    if not is_enrolled(account):
        return False
    assert account.totp_secret is not None
    secret = box.open(account.totp_secret, account_id=account.id)
    return _accept(account, secret, code, now or datetime.now(UTC))


def clear(account: UserAccount) -> None:
    """Forget the authenticator (the account enrols again at its next login if required)."""
    account.totp_secret = None
    account.totp_enabled_at = None
    account.totp_last_step = None


def require_reset_right(actor: UserAccount, account: UserAccount) -> None:
    """Only a district admin resets another account's two-factor (the CLI needs no actor)."""
    require_role(actor, Role.DISTRICT_ADMIN)
    if account.id == actor.id:
        raise Forbidden(_("不能重置自己的两步验证"), code="two_factor.reset_self")
