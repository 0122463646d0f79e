"""Signed tree heads, signed determinations and the server's signed job orders: what is
signed, and how a reader checks it.

Pure: keys come in as objects or as base64 text, nothing is read from disk here. Ed25519
(RFC 8032) from `cryptography`. A signature covers the canonical JSON of a small statement
that names what it is (`v`), so a head's signature can never pass for a determination's.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HEAD = "jig tree head v1"
DETERMINATION = "jig determination v1"
JOB = "jig job v1"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                      ).encode()


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A public key as base64 of its 32 raw bytes (what observers pin)."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return base64.b64encode(pub.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def _valid(public_key: str, signature: str, message: bytes) -> bool:
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        pub.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def head_message(tree_size: int, root_hash: str, timestamp: str) -> bytes:
    return canonical({"v": HEAD, "tree_size": tree_size, "root_hash": root_hash,
                      "timestamp": timestamp})


def sign_head(key: Ed25519PrivateKey, tree_size: int, root_hash: str, timestamp: str
              ) -> dict[str, Any]:
    """A signed tree head: size, root (hex), time, the server's public key and signature."""
    sig = key.sign(head_message(tree_size, root_hash, timestamp))
    return {"tree_size": tree_size, "root_hash": root_hash, "timestamp": timestamp,
            "public_key": public_text(key), "signature": base64.b64encode(sig).decode()}


def head_problem(head: Any, public_key: str | None = None) -> str | None:
    """Why `head` is not a valid signed tree head (by `public_key` when given), or None."""
    try:
        size, root, ts = int(head["tree_size"]), str(head["root_hash"]), str(head["timestamp"])
        key, sig = public_key or str(head["public_key"]), str(head["signature"])
    except (KeyError, TypeError, ValueError):
        return "not a signed tree head: it needs tree_size, root_hash, timestamp, public_key " \
               "and signature"
    if public_key is not None and head.get("public_key") not in (None, public_key):
        return "the head is signed by another key than the one expected"
    if not _valid(key, sig, head_message(size, root, ts)):
        return "the head's signature does not verify"
    return None


def determination_statement(d: dict[str, Any]) -> bytes:
    """What a party signs: the review, the incident, its party, outcome, text, who and when."""
    return canonical({"v": DETERMINATION, **{k: d[k] for k in (
        "review", "incident", "party", "outcome", "text", "signed_by", "signed_at")}})


def sign_determination(key: Ed25519PrivateKey, d: dict[str, Any]) -> str:
    return base64.b64encode(key.sign(determination_statement(d))).decode()


def determination_valid(d: dict[str, Any], signature: str, public_key: str) -> bool:
    return _valid(public_key, signature, determination_statement(d))


def job_statement(job: int, kind: str, orders: dict[str, Any]) -> bytes:
    """What the server signs when it queues a job: its number, kind and orders (the file, the
    workspace, the user it acts for), so that a job row written by anyone else is not run."""
    return canonical({"v": JOB, "job": job, "kind": kind, "orders": orders})


def sign_job(key: Ed25519PrivateKey, job: int, kind: str, orders: dict[str, Any]) -> str:
    return base64.b64encode(key.sign(job_statement(job, kind, orders))).decode()


def job_valid(job: int, kind: str, orders: dict[str, Any], signature: str,
              public_key: str) -> bool:
    return _valid(public_key, signature, job_statement(job, kind, orders))
