"""Password hashing (argon2) and signed, expiring tokens for the API and the pages."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from jiesu.core.settings import get_settings

# argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane). argon2-cffi's
# default (64 MiB, 3 passes, 4 lanes) cost over a second of CPU per login on a busy two-core
# server: most of the "first page after login" time (docs/decisions/0014). A hash made with
# other parameters still verifies, and is replaced at that login (`needs_rehash`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key, salt=salt)


def issue_token(user_id: int, token_version: int, *, purpose: str = "api") -> str:
    return _serializer(purpose).dumps({"uid": user_id, "tv": token_version})


def read_token(token: str, *, purpose: str = "api", max_age: int | None = None) -> tuple[int, int]:
    """Returns (user_id, token_version); raises ValueError when invalid or expired."""
    settings = get_settings()
    if max_age is None:
        max_age = settings.token_ttl_seconds if purpose == "api" else settings.session_ttl_seconds
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ValueError("expired") from exc
    except BadSignature as exc:
        raise ValueError("invalid") from exc
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise ValueError("invalid")
    return int(data["uid"]), int(data.get("tv", 0))
