"""Findings as JSON Lines text, rendered from columns: what `jig check -f jsonl` writes.

Rendering one finding object per incident and one `json.dumps` per line cost about 16 s per
million incidents, more than judging them. Here the plain cases' reasons are put together as
Arrow string columns (`pyarrow.compute`), from the same words as `jig.engine.rules` and
`jig.engine.wording`, and each line of JSON from them; the findings of the one-by-one path are
encoded one by one as before. The bytes are the same as `json.dumps(verdict.as_dict(),
ensure_ascii=False)` for every line (`tests/test_columnar.py` checks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jig.engine.fast import BREACH, COMPLIES, UNDETERMINED, ZoneColumns
from jig.engine.rules import ZONES_SIDE, zone_actor_phrase
from jig.engine.wording import act_phrase, percent
from jig.findings import OUTCOMES
from jig.records import Incident

if TYPE_CHECKING:
    from jig.agreement.model import Agreement
    from jig.engine.check import Judged

Part = pa.Array | str

# What `json.dumps` escapes when ensure_ascii is off: the quote, the backslash and controls.
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'


def _esc(text: str) -> str:
    """A string's JSON encoding, without the quotes."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def cat(*parts: Part) -> pa.Array:
    """Element-wise concatenation of string columns and constant strings."""
    return pc.binary_join_element_wise(*parts, "")


def json_quoted(values: pa.Array) -> pa.Array:
    """Each string as a JSON string (quotes included), as `json.dumps` writes it."""
    values = values.cast(pa.string())
    odd = pc.match_substring_regex(values, _NEEDS_ESCAPE).to_numpy(zero_copy_only=False)
    plain = cat('"', values, '"')
    if not odd.any():
        return plain
    ks = np.flatnonzero(odd)
    fixed = [json.dumps(v, ensure_ascii=False) for v in values.take(pa.array(ks)).to_pylist()]
    return patched(plain, ks, fixed)


def distance_text(metres: np.ndarray) -> pa.Array:
    """`jig.engine.wording.distance` for every value: "850 m", "12.3 km"."""
    m = np.abs(np.asarray(metres, dtype=float))
    small = m < 1000
    # Whole metres: rint rounds the exact double half to even, as format(m, ".0f") does.
    whole = np.rint(m)
    # Tenths of a km: m / 1000 * 10 may round; where it lands near a half, the exact decimal
    # decides, so those few are formatted by Python itself.
    km = m / 1000
    tenths = km * 10
    frac = tenths - np.floor(tenths)
    unsure = ~small & (~np.isfinite(tenths) | (np.abs(frac - 0.5) < 1e-6))
    t = np.rint(np.where(np.isfinite(tenths), tenths, 0)).astype(np.int64)
    near, far = np.flatnonzero(small), np.flatnonzero(~small & ~unsure)
    odd = np.flatnonzero(unsure)
    return in_order(len(m), [
        (near, cat(pa.array(whole[near].astype(np.int64)).cast(pa.string()), " m")),
        (far, cat(pa.array(t[far] // 10).cast(pa.string()), ".",
                  pa.array(t[far] % 10).cast(pa.string()), " km")),
        (odd, pa.array([f"{v:.1f} km" for v in km[odd].tolist()], pa.string()))])


def patched(texts: pa.Array, ks: np.ndarray, fixed: list[str]) -> pa.Array:
    """`texts` with those at positions `ks` replaced by `fixed` (the few a column's quick
    formatting cannot write as Python would)."""
    return in_order(len(texts), [(np.arange(len(texts)), texts),
                                 (ks, pa.array(fixed, pa.string()))])


def in_order(n: int, parts: list[tuple[np.ndarray, pa.Array]]) -> pa.Array:
    """n texts from parts of (positions, their texts), null where no part has one (a later
    part's text wins): one `take`, where `replace_with_mask` per part costs five times as
    much."""
    where = np.full(n, -1, np.int64)
    made = 0
    for ks, _ in parts:
        where[ks] = made + np.arange(len(ks))
        made += len(ks)
    texts = [texts for _, texts in parts if len(texts)]
    if not texts:
        return pa.nulls(n, pa.string())
    return pa.concat_arrays([t.cast(pa.string()) for t in texts]).take(
        pa.array(where, mask=where < 0))


def _when(cond: np.ndarray, then: Part, otherwise: Part = "") -> pa.Array:
    return pc.if_else(pa.array(cond), then, otherwise)


def _who(judged: Judged, ks: np.ndarray, phrase: Callable[[Incident, str | None], str],
         esc: Callable[[str], str]) -> pa.Array:
    """`phrase(incident, actor id)` for incidents `ks` (each through `esc`), asked once for
    each distinct (actor, act, weapon) among them (on an incident object built for it)."""
    batch = judged.batch
    texts = batch.columns.text
    # One integer per (actor, act, weapon) of codes (a missing value coded 0): np.unique of
    # an integer is a sort, of rows (axis=1) a much slower sort of byte strings.
    key = np.zeros(len(ks), np.int64)
    for name in ("actor", "act", "weapon"):
        col = texts[name]
        codes = col.indices.fill_null(-1).to_numpy(zero_copy_only=False)[ks].astype(np.int64)
        key = key * (len(col.dictionary) + 1) + codes + 1
    actor_ids = batch.actor_ids(ks)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    words = [esc(phrase(batch.incidents[int(ks[j])], actor_ids[j])) for j in first.tolist()]
    return pa.array(words, pa.string()).take(pa.array(np.asarray(inverse).ravel()))


def float_text(values: np.ndarray) -> pa.Array:
    """`repr` of each float, as `json.dumps` writes it: Arrow's shortest round-trip digits,
    which equal Python's from 1e-4 up to 1e16; the few others are written by Python."""
    v = np.asarray(values, dtype=float)
    out = pa.array(v).cast(pa.string())
    odd = ~((np.abs(v) >= 1e-4) & (np.abs(v) < 1e16))
    whole = np.isfinite(v) & (v == np.floor(v))  # Python writes "1.0", Arrow "1"
    odd |= whole
    if odd.any():
        out = patched(out, np.flatnonzero(odd), [repr(x) for x in v[odd].tolist()])
    return out


def percent_text(p: np.ndarray) -> pa.Array:
    """`jig.engine.wording.percent` for every value. Between 1 % and 99 % it is
    format(p * 100, ".0f"): the double p * 100 rounded half to even, as rint rounds it."""
    p = np.asarray(p, dtype=float)
    middle = (p >= 0.01) & (p <= 0.99)
    out = cat(pa.array(np.rint(np.where(middle, p * 100, 0)).astype(np.int64)).cast(pa.string()),
              "%")
    if (~middle).any():
        out = patched(out, np.flatnonzero(~middle), [percent(x) for x in p[~middle].tolist()])
    return out


def _plain(text: str) -> str:
    return text


def zone_texts(agreement: Agreement, attribute: str,
               esc: Callable[[str], str] = _plain) -> pa.Array:
    """Every zone's `attribute` (label or id) through `esc`, as a column to `take` from: made
    once per agreement, not for every chunk and outcome (a thousand zones escaped each time
    was a third of the rendering's time)."""
    key = ("zone-texts", attribute, esc)
    hit = agreement.indexes.get(key)
    if hit is None:
        hit = agreement.indexes[key] = pa.array([esc(getattr(z, attribute))
                                                 for z in agreement.zones], pa.string())
    return hit


def zone_reasons(judged: Judged, ci: int, cols: ZoneColumns, ks: np.ndarray, outcome: int,
                 esc: Callable[[str], str] = _plain) -> pa.Array:
    """The reasons of clause `ci`'s column findings with `outcome`, for incidents `ks`: the
    words of `jig.engine.rules`, the names in them passed through `esc` (JSON's escapes for
    JSON Lines, none for CSV)."""
    return cat(*reason_parts(judged, ci, cols, ks, outcome, esc))


def reason_parts(judged: Judged, ci: int, cols: ZoneColumns, ks: np.ndarray, outcome: int,
                 esc: Callable[[str], str] = _plain) -> list[Part]:
    """`zone_reasons` as the pieces to join, so that a caller putting the reason in a longer
    text joins it once, not once for the reason and again for the text."""
    batch = judged.batch
    agreement = batch.agreement
    clause = agreement.clauses[ci]
    label = zone_texts(agreement, "label", esc).take(pa.array(cols.zone[ks]))
    dist = distance_text(cols.metres[ks])
    prec = batch.r[ks]
    disc = distance_text(prec)
    has_disc = prec > 0
    if outcome == UNDETERMINED:
        # rules.straddle_phrase and undetermined_tail, as columns.
        where = _when(cols.metres[ks] >= 0, "inside", "outside")
        return [_who(judged, ks, act_phrase, esc), ": its location is known only to within ",
                disc, ", and that disc straddles the edge of zone ", label,
                ": the reported point is ", dist, " ", where, "; estimated probability ",
                percent_text(cols.p[ks]), f" that it lies {ZONES_SIDE}"]
    who = _who(judged, ks, lambda inc, actor: zone_actor_phrase(clause, inc, actor), esc)
    if outcome == BREACH:
        return [who, " lies inside ", label, ", ", dist, " from its edge",
                _when(has_disc, cat("; its whole location disc (", disc, ") does"))]
    assert outcome == COMPLIES
    phrase = esc(clause.selector.phrase() if clause.selector else "the zones")
    return [who, f" lies outside {phrase} in effect",
            _when(has_disc, cat(", even allowing for its ", disc, " location uncertainty")),
            "; the nearest, ", label, ", is ", dist, " away"]


def zone_findings(judged: Judged, ci: int, cols: ZoneColumns, ks: np.ndarray,
                  outcome: int) -> pa.Array:
    """The JSON objects of clause `ci`'s column findings with `outcome`, for incidents `ks`."""
    clause = judged.batch.agreement.clauses[ci]
    zone = zone_texts(judged.batch.agreement, "id", _esc).take(pa.array(cols.zone[ks]))
    reason = reason_parts(judged, ci, cols, ks, outcome, _esc)
    head = f'{{"clause": {json.dumps(clause.id, ensure_ascii=False)}, "outcome": '
    if outcome == UNDETERMINED:
        return cat(head + '"undetermined", "zone": "', zone, '", "p": ', float_text(cols.p[ks]),
                   ', "reason": "', *reason, '"}')
    if outcome == BREACH:
        return cat(head + '"breach", "zone": "', zone, '", "reason": "', *reason, '"}')
    return cat(head + '"complies", "reason": "', *reason, '"}')


def jsonl_lines(judged: Judged) -> pa.Array:
    """Every incident's line of JSON Lines (newline included), in input order."""
    batch = judged.batch
    n = len(batch)
    if n == 0:
        return pa.array([], pa.string())
    live = judged.in_force
    per_clause: list[pa.Array] = []
    singles: dict[int, list[tuple[int, str]]] = {}
    for (ci, k), f in judged.singles.items():
        singles.setdefault(ci, []).append((k, json.dumps(f.as_dict(), ensure_ascii=False)))
    for ci in range(len(batch.agreement.clauses)):
        # The clause's findings, made for the incidents of each outcome in turn, then those
        # judged one by one, put in input order.
        parts: list[tuple[np.ndarray, pa.Array]] = []
        cols = judged.columns.get(ci)
        if cols is not None:
            for code in (BREACH, UNDETERMINED, COMPLIES):
                ks = np.flatnonzero((cols.outcome == code) & live)
                if len(ks):
                    parts.append((ks, zone_findings(judged, ci, cols, ks, code)))
        got = [(k, t) for k, t in sorted(singles.get(ci, ())) if live[k]]
        if got:
            parts.append((np.array([k for k, _ in got], np.int64),
                          pa.array([t for _, t in got], pa.string())))
        per_clause.append(in_order(n, parts))
    if len(per_clause) == 1:
        findings = pc.fill_null(per_clause[0], "")
    else:
        # Each finding followed by ", ", and the last one trimmed: (an object ends with "}").
        findings = pc.utf8_rtrim(cat(*(pc.fill_null(cat(c, ", "), "") for c in per_clause)),
                                 characters=", ") if per_clause else pa.array([""] * n)
    verdict = pa.array([f'"{o}"' for o in OUTCOMES], pa.string()).take(pa.array(judged.worst()))
    return cat('{"incident": ', json_quoted(batch.columns.ids), ', "verdict": ', verdict,
               ', "findings": [', findings, "]}\n")


def joined(lines: pa.Array | Sequence[str]) -> str:
    """The lines as one string (each ends with its newline), without a Python string each."""
    arr = lines if isinstance(lines, pa.Array) else pa.array(list(lines), pa.string())
    return _utf8(arr).to_pybytes().decode("utf-8")


def write_lines(lines: pa.Array, fh: IO[str]) -> None:
    """Write the lines to a text file: their UTF-8 bytes straight into its binary buffer when
    it writes UTF-8 (a million lines are 200 MB: decoded into one string, then encoded again
    by the file, they cost a second pass each), else as text."""
    data = _utf8(lines)
    buffer = getattr(fh, "buffer", None)
    encoding = (getattr(fh, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    if buffer is None or encoding != "utf8":
        fh.write(data.to_pybytes().decode("utf-8"))
        return
    fh.flush()  # what the text layer holds goes first
    buffer.write(data)


def _utf8(arr: pa.Array) -> pa.Buffer:
    """The bytes of a string column's values, end to end."""
    if len(arr) == 0:
        return pa.py_buffer(b"")
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - compute gives arrays here
        arr = arr.combine_chunks()
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    return arr.buffers()[2][int(offsets[0]):int(offsets[-1])]
