"""API tokens entered in the admin, encrypted at rest (Fernet: AES-128-CBC and HMAC-SHA256).

The keys come from `ORG_TOKEN_KEYS`, comma-separated: the first encrypts, every one decrypts, so
a key is rotated by putting a new one first and re-saving the organizations (`manage.py
rotate_org_tokens`) before dropping the old one.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class TokenKeyMissing(Exception):
    """No ORG_TOKEN_KEYS to encrypt or decrypt with; `str()` says what to do."""


KEYS_MISSING = (
    "ORG_TOKEN_KEYS is not set: tokens entered in the admin are encrypted with it. Generate one "
    "with `python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
)


def _keys() -> MultiFernet:
    if not settings.ORG_TOKEN_KEYS:
        raise TokenKeyMissing(KEYS_MISSING)
    return MultiFernet([Fernet(key) for key in settings.ORG_TOKEN_KEYS])


def encrypt(token: str) -> str:
    return _keys().encrypt(token.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """The token; raises TokenKeyMissing, or InvalidToken when no key in ORG_TOKEN_KEYS made it."""
    return _keys().decrypt(ciphertext.encode()).decode()


def rotate(ciphertext: str) -> str:
    """The token encrypted again with the first key."""
    return _keys().rotate(ciphertext.encode()).decode()


__all__ = ["KEYS_MISSING", "InvalidToken", "TokenKeyMissing", "decrypt", "encrypt", "rotate"]
