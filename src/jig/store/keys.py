"""The signing keys: the server's (tree heads) and each party's (its determinations).

Ed25519 private keys as PKCS#8 PEM files, created on first use with mode 0600 in the key
folder (the store's data folder unless a setting names the server key's file). A key file
that others may read is refused: whoever reads it can sign heads in the server's name.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)


class KeyFileError(ValueError):
    """A key that cannot be used; the message names the file and why."""


def load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(f"{path}: the key file may be read by others (mode {mode:o}); "
                            f"chmod 600 {path}")
        try:
            key = load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            raise KeyFileError(f"{path}: not a PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path}: not an Ed25519 key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # Written whole under another name, then linked into place: a server starting beside
    # this one (jig serve --workers) never reads a key file half written.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:  # another process made it first: use theirs
        return load_or_create(path)
    finally:
        tmp.unlink()
    return key


class Keys:
    """Where the keys are, loaded once each."""

    def __init__(self, folder: Path, server_key: Path | None = None):
        self.folder = folder
        self.server_path = server_key or folder / "log-key.pem"
        self._cache: dict[Path, Ed25519PrivateKey] = {}

    def _get(self, path: Path) -> Ed25519PrivateKey:
        if path not in self._cache:
            self._cache[path] = load_or_create(path)
        return self._cache[path]

    def server(self) -> Ed25519PrivateKey:
        return self._get(self.server_path)

    def party(self, party: str) -> Ed25519PrivateKey:
        """The party's signing key, made on its first determination."""
        return self._get(self._party_path(party))

    def party_if_any(self, party: str) -> Ed25519PrivateKey | None:
        """The party's key if it has one: reading the public keys must not make one (after a
        restore without `party-keys/`, `/audit/keys` made new ones, and every determination
        signed before failed its check as if forged)."""
        return self.party(party) if self.has_party(party) else None

    def missing_for(self, parties: Iterable[str]) -> list[Path]:
        """The key files of these parties (which signed determinations) that are not there."""
        return [self._party_path(p) for p in sorted(set(parties)) if not self.has_party(p)]

    def has_party(self, party: str) -> bool:
        """Whether the party has a key yet (it gets one when its first determination is
        signed); checking must not make one."""
        return self._party_path(party).exists()

    def _party_path(self, party: str) -> Path:
        # A party's name is the agreement's; keep the file name safe whatever it is.
        name = party if re.fullmatch(r"[A-Za-z0-9_-]{1,64}", party) else \
            "p-" + hashlib.sha256(party.encode()).hexdigest()[:24]
        return self.folder / "party-keys" / f"{name}.pem"
