"""The shared session token, sealed so that only its own login can use it.

The key is derived with scrypt (memory-hard: 16 MiB, about 30-60 ms, once per login and
namespace in a process) from
the username, password, memorable word, base URL and namespace; the token is sealed with
AES-256-GCM (both from the ``cryptography`` library), the namespace as associated data.
A reader of Redis without the credentials cannot use the token, and a client with other
credentials cannot open it: it logs in itself.
"""

from __future__ import annotations

import base64
import hashlib
import os

__all__ = ["Seal", "Unsealable"]

#: scrypt cost: N, r, p (16 MiB of memory per derivation).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: The sealed form's version, first byte of the blob.
VERSION = b"\x01"


class Unsealable(Exception):
    """Internal: a sealed token that these credentials did not seal (or that was damaged)."""


def _import_crypto() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise ImportError(
            "sealing the shared session needs cryptography: pip install 'kashflow-async[redis]'"
        ) from None


class Seal:
    """AES-GCM with a key only these credentials derive, bound to one namespace."""

    __slots__ = ("_aead", "_context")

    def __init__(
        self, *, username: str, password: str, memorable_word: str, base_url: str, namespace: str
    ) -> None:
        _import_crypto()
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        self._context = f"kashflow-async session v1\0{base_url}\0{namespace}".encode()
        # the salt is not secret: it makes the derivation one of this account and namespace
        salt = hashlib.sha256(self._context + b"\0" + username.encode()).digest()
        secret = b"\0".join(s.encode() for s in (username, password, memorable_word))
        key = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, token: str) -> str:
        """The sealed form of `token` (text: version, nonce, ciphertext and tag)."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, token.encode(), self._context)
        return base64.b64encode(VERSION + nonce + sealed).decode("ascii")

    def open(self, blob: str) -> str:
        """The token inside `blob`; raises `Unsealable` when these credentials did not seal
        it."""
        from cryptography.exceptions import InvalidTag

        try:
            raw = base64.b64decode(blob, validate=True)
        except ValueError:
            raise Unsealable("not a sealed token") from None
        if len(raw) < 1 + 12 + 16 or raw[:1] != VERSION:
            raise Unsealable("not a sealed token of this version")
        try:
            return self._aead.decrypt(raw[1:13], raw[13:], self._context).decode()
        except (InvalidTag, UnicodeDecodeError):
            raise Unsealable("sealed with other credentials") from None
