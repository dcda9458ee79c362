"""The password policy and the argon2 hasher: the one place that says what a password must be.

A password needs ``MIN_LENGTH`` characters (10: NIST SP 800-63B asks for 8 at least and 15 when a
password is the only factor; 10 is what primary pupils can still type, and the per-account and
per-address throttling caps online guessing at a few tries per quarter hour), must not be in the
list of 20,000 common passwords that Django ships (BSD licence, see
``data/common-passwords.LICENSE.txt``), and must not contain the username (student usernames are
student numbers, which classmates know). No composition rules: they make passwords harder to
remember, not to guess.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yincai.errors import Invalid
from yincai.i18n import _, join

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 hashes anything; a bound keeps megabyte "passwords" out of the hasher
MIN_USERNAME_TO_MATCH = 3  # "ab" inside a passphrase is chance, not a leak of the username
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt.gz"

_hasher = PasswordHasher()


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def policy_problems(password: str, *, username: str) -> list[str]:
    """Every reason the password is refused (messages); empty when it is fine."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(_("密码至少需要 {n} 个字符").format(n=MIN_LENGTH))
    if len(password) > MAX_LENGTH:
        problems.append(_("密码最多 {n} 个字符").format(n=MAX_LENGTH))
    folded = password.strip().lower()
    if folded in _common_passwords():
        problems.append(_("这是常见密码，很容易被猜中"))
    name = username.strip().lower()
    if len(name) >= MIN_USERNAME_TO_MATCH and name in folded:
        problems.append(_("密码不能包含用户名"))
    return problems


def check_policy(password: str, *, username: str) -> None:
    """Invalid with every reason (one message, reasons joined) when the policy refuses it."""
    problems = policy_problems(password, username=username)
    if problems:
        raise Invalid(
            _("密码不符合要求：{problems}").format(problems=join(problems, "；")),
            code="password.policy",
            details=problems,
        )


def hash_password(password: str, *, username: str) -> str:
    """The argon2 hash of a password the policy accepts for this username."""
    check_policy(password, username=username)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the hasher's current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def rehash(password: str) -> str:
    """A hash with the current parameters of a password just verified (no policy check: the
    login must not fail because the policy grew stricter; the account is asked to change)."""
    return _hasher.hash(password)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong name costs as long as a wrong
    password (no telling which usernames exist)."""
    return _hasher.hash("not-a-real-password")
