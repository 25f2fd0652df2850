"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from salesdev.core.errors import ErrorDetail, InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128
# The most common passwords and obvious product words; length alone does not stop these.
_COMMON = frozenset(
    {
        "123456789012",
        "password1234",
        "passwordpassword",
        "qwertyuiopas",
        "letmeinletmein",
        "administrator",
        "salesdevsalesdev",
        "changemechangeme",
        "welcome12345",
        "iloveyou1234",
    }
)

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def use_fast_hashing_for_tests() -> None:
    """Real argon2id with minimal cost, so test suites that create many users stay quick."""
    global _hasher, DUMMY_HASH
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    DUMMY_HASH = _hasher.hash("salesdev-dummy-password-for-timing")


def check_policy(password: str, *, login: str, location: str = "password") -> None:
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"must be at most {MAX_LENGTH} characters")
    if login and login.lower() in password.lower():
        problems.append("must not contain the login name")
    if password.lower() in _COMMON or len(set(password)) < 4:
        problems.append("is too easy to guess")
    if problems:
        raise InvalidInput(
            "Password does not meet the policy", [ErrorDetail(location, p) for p in problems]
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password``; with no hash (unknown login) verify against a dummy to keep timing alike."""
    try:
        if password_hash is None:
            _hasher.verify(DUMMY_HASH, password)
            return False
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verifying against this when the login is unknown keeps response times alike,
# so timing does not reveal which logins exist.
DUMMY_HASH = _hasher.hash("salesdev-dummy-password-for-timing")
