"""Merkle trees in the manner of Certificate Transparency (RFC 9162, section 2.1).

Pure functions over leaf hashes: the tree head, inclusion and consistency proofs, and the
RFC's algorithms to verify them. The log (`jig.store.audit`) feeds them; observers run the
verifiers on what the service gives them (`jig audit check-proof`, `check-consistency`).

    leaf hash  = SHA-256(0x00 || entry)
    node hash  = SHA-256(0x01 || left || right)
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two smaller than n
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): the RFC's split point."""
    return 1 << ((n - 1).bit_length() - 1)


class Tree:
    """A Merkle tree over a list of leaf hashes that only grows.

    Subtrees of a power-of-two size never change once full, so their hashes are kept: after
    the first head, each new head or proof costs O(log n) hashes, not O(n).
    """

    def __init__(self, leaves: Sequence[bytes] = ()):
        self.leaves: list[bytes] = list(leaves)
        self._full: dict[tuple[int, int], bytes] = {}

    def __len__(self) -> int:
        return len(self.leaves)

    def append(self, leaf: bytes) -> None:
        self.leaves.append(leaf)

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (all by default)."""
        size = len(self.leaves) if size is None else size
        self._check(size)
        return self._mth(0, size) if size else EMPTY_ROOT

    def root_with(self, extra: Sequence[bytes]) -> bytes:
        """MTH of these leaves followed by `extra`, without adding them: a writer's head
        before its entries commit. Only subtrees within the kept leaves are remembered."""
        base, n = len(self.leaves), len(self.leaves) + len(extra)

        def mth(lo: int, hi: int) -> bytes:
            if hi <= base:
                return self._mth(lo, hi)
            if hi - lo == 1:
                return extra[lo - base]
            k = split(hi - lo)
            return node_hash(mth(lo, lo + k), mth(lo + k, hi))

        return mth(0, n) if n else EMPTY_ROOT

    def inclusion(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[size]): the audit path of leaf `index` in the tree of `size` leaves."""
        size = len(self.leaves) if size is None else size
        self._check(size)
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        return self._path(index, 0, size)

    def consistency(self, first: int, second: int | None = None) -> list[bytes]:
        """PROOF(first, D[second]): that the tree of `second` leaves extends the one of `first`
        (empty when first is 0 or equal to second, which need no proof)."""
        second = len(self.leaves) if second is None else second
        self._check(second)
        if not 0 <= first <= second:
            raise ValueError(f"no consistency proof from {first} to {second} leaves")
        if first in (0, second):
            return []
        return self._subproof(first, 0, second, True)

    def _check(self, size: int) -> None:
        if not 0 <= size <= len(self.leaves):
            raise ValueError(f"the tree has {len(self.leaves)} leaves, not {size}")

    def _mth(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 1:
            return self.leaves[lo]
        full = n & (n - 1) == 0
        if full and (lo, n) in self._full:
            return self._full[(lo, n)]
        k = split(n)
        h = node_hash(self._mth(lo, lo + k), self._mth(lo + k, hi))
        if full:
            self._full[(lo, n)] = h
        return h

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = split(n)
        if m < k:
            return [*self._path(m, lo, lo + k), self._mth(lo + k, hi)]
        return [*self._path(m - k, lo + k, hi), self._mth(lo, lo + k)]

    def _subproof(self, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if whole else [self._mth(lo, hi)]
        k = split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, whole), self._mth(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self._mth(lo, lo + k)]


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes],
                     root: bytes) -> bool:
    """RFC 9162, 2.1.3.2: whether `path` proves leaf `index` in the tree of `size` with `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: Sequence[bytes]) -> bool:
    """RFC 9162, 2.1.4.2: whether `proof` shows the tree of `second` leaves with `second_root`
    extends the one of `first` leaves with `first_root`. Equal sizes need equal roots and no
    proof; the empty tree is extended by every tree."""
    if not 0 <= first <= second:
        return False
    if first == 0:
        return first_root == EMPTY_ROOT and not proof
    if first == second:
        return first_root == second_root and not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
