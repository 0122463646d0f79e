"""The Merkle tree of the log against RFC 9162: its definitions written out literally as a
brute-force reference, on random trees, and the properties the proofs must have."""

from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jig.merkle import EMPTY_ROOT, Tree, leaf_hash, node_hash, verify_consistency, verify_inclusion

# -- the RFC's definitions, literally (slices, no caching) -----------------------------------

def k_of(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = k_of(len(d))
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = k_of(len(d))
    if m < k:
        return [*path(m, d[:k]), mth(d[k:])]
    return [*path(m - k, d[k:]), mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [mth(d)]
    k = k_of(len(d))
    if m <= k:
        return [*subproof(m, d[:k], b), mth(d[k:])]
    return [*subproof(m - k, d[k:], False), mth(d[:k])]


def entries(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(rng.randint(0, 40)) for _ in range(n)]


def tree_of(d: list[bytes]) -> Tree:
    return Tree([leaf_hash(e) for e in d])


# -- against the reference ------------------------------------------------------------------

@pytest.mark.parametrize("n", [*range(0, 34), 63, 64, 65, 100, 127, 128, 129])
def test_roots_match_the_rfc_definition_for_every_prefix(n):
    d = entries(n, n)
    t = tree_of(d)
    assert t.root() == mth(d)
    for size in range(n + 1):
        assert t.root(size) == mth(d[:size])
    assert tree_of([]).root() == EMPTY_ROOT
    leaves = [leaf_hash(e) for e in d]
    for cut in range(n + 1):  # a writer's head: kept leaves plus its own, not yet kept
        assert Tree(leaves[:cut]).root_with(leaves[cut:]) == mth(d)


@given(st.integers(1, 80), st.integers(0, 10_000))
@settings(max_examples=60, deadline=None)
def test_inclusion_proofs_match_the_reference_and_verify(n, seed):
    d = entries(n, seed)
    t = tree_of(d)
    root = mth(d)
    for m in range(n):
        proof = t.inclusion(m)
        assert proof == path(m, d)
        assert verify_inclusion(leaf_hash(d[m]), m, n, proof, root)


@given(st.integers(1, 80), st.integers(0, 10_000))
@settings(max_examples=60, deadline=None)
def test_consistency_proofs_match_the_reference_and_verify(n, seed):
    d = entries(n, seed)
    t = tree_of(d)
    for m in range(1, n + 1):
        proof = t.consistency(m, n)
        assert proof == (subproof(m, d, True) if m < n else [])
        assert verify_consistency(m, n, mth(d[:m]), mth(d), proof)
    assert verify_consistency(0, n, EMPTY_ROOT, mth(d), [])


def test_every_inclusion_in_every_smaller_tree_holds():
    d = entries(40, 7)
    t = tree_of(d)
    for size in range(1, 41):
        root = mth(d[:size])
        for m in range(size):
            assert verify_inclusion(leaf_hash(d[m]), m, size, t.inclusion(m, size), root)


# -- what the proofs must refuse ------------------------------------------------------------

def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


@given(st.integers(2, 70), st.integers(0, 10_000), st.data())
@settings(max_examples=80, deadline=None)
def test_an_altered_inclusion_proof_fails(n, seed, data):
    d = entries(n, seed)
    t = tree_of(d)
    root = t.root()
    m = data.draw(st.integers(0, n - 1))
    proof = t.inclusion(m)
    leaf = leaf_hash(d[m])
    assert not verify_inclusion(flip(leaf), m, n, proof, root)  # another entry
    assert not verify_inclusion(leaf, m, n, proof, flip(root))  # another tree
    for i in range(len(proof)):  # any step of the path changed
        bad = list(proof)
        bad[i] = flip(bad[i])
        assert not verify_inclusion(leaf, m, n, bad, root)
    assert not verify_inclusion(leaf, m, n, proof[:-1], root)  # shortened
    assert not verify_inclusion(leaf, m, n, [*proof, root], root)  # lengthened
    other = data.draw(st.integers(0, n - 1))
    if d[other] != d[m]:
        assert not verify_inclusion(leaf, other, n, proof, root)  # at another index
    assert not verify_inclusion(leaf, n, n, proof, root)  # outside the tree


@given(st.integers(2, 70), st.integers(0, 10_000), st.data())
@settings(max_examples=80, deadline=None)
def test_an_altered_or_forked_log_fails_consistency(n, seed, data):
    d = entries(n, seed)
    t = tree_of(d)
    m = data.draw(st.integers(1, n - 1))
    proof = t.consistency(m, n)
    old, new = mth(d[:m]), mth(d)
    assert verify_consistency(m, n, old, new, proof)
    assert not verify_consistency(m, n, flip(old), new, proof)
    assert not verify_consistency(m, n, old, flip(new), proof)
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = flip(bad[i])
        assert not verify_consistency(m, n, old, new, bad)
    assert not verify_consistency(m, n, old, new, [])
    # A log that rewrote one of the first m entries cannot prove it extends the old head.
    i = data.draw(st.integers(0, m - 1))
    forked = list(d)
    forked[i] = forked[i] + b"!"
    ft = tree_of(forked)
    assert not verify_consistency(m, n, old, ft.root(), ft.consistency(m, n))
    assert not verify_consistency(n, m, new, old, proof)  # backwards


def test_equal_sizes_need_equal_roots():
    d = entries(5, 1)
    root = mth(d)
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, flip(root), [])
    assert not verify_consistency(0, 5, flip(EMPTY_ROOT), root, [])


def test_proofs_outside_the_tree_are_refused():
    t = tree_of(entries(4, 2))
    with pytest.raises(ValueError, match="not in a tree of 4"):
        t.inclusion(4)
    with pytest.raises(ValueError, match="has 4 leaves, not 5"):
        t.root(5)
    with pytest.raises(ValueError, match="from 3 to 2"):
        t.consistency(3, 2)


def test_the_known_answer_of_a_small_tree():
    # Written out by hand from the definitions: three leaves split 2 + 1.
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    t = Tree([a, b, c])
    assert t.root() == node_hash(node_hash(a, b), c)
    assert t.inclusion(2) == [node_hash(a, b)]
    assert t.inclusion(0) == [b, c]
    assert t.consistency(2, 3) == [c]
    assert t.consistency(1, 3) == [b, c]
