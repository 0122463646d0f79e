"""Findings as CSV text, rendered from columns: what `jig check -f csv` writes.

One row per finding, in input order and, within an incident, in the agreement's clause order;
an incident without a finding gets one row with its verdict only (`jig.output.write_csv`, the
reference). The zone rules' plain findings are put together as Arrow string columns, their
reasons by `jig.engine.render.zone_reasons` (the same words as for JSON Lines, without JSON's
escapes); the one-by-one path's findings are written by Python's `csv` module as before. Fields
are quoted as that module quotes them (only those holding a comma, a quote or a line break),
so the bytes are the reference's. Arrow's own CSV writer quotes every string, so it is not
used.
"""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jig.engine.fast import BREACH, COMPLIES, UNDETERMINED
from jig.engine.render import cat, float_text, zone_reasons, zone_texts
from jig.findings import OUTCOMES, SEVERITY
from jig.output import CSV_COLUMNS, FORMULA_PATTERN, finding_fields, spreadsheet_safe

if TYPE_CHECKING:
    from jig.engine.check import Judged

EOL = "\r\n"  # what csv.writer ends a row with
_NEEDS_QUOTES = '[,"\r\n]'


def csv_field(values: pa.Array) -> pa.Array:
    """Each string as a CSV field: after an apostrophe where a spreadsheet would take it for
    a formula (`jig.output.spreadsheet_safe`); quoted, its quotes doubled, where it holds a
    comma, a quote or a line break (csv.QUOTE_MINIMAL); as it is otherwise."""
    values = values.cast(pa.string())
    values = pc.if_else(pc.match_substring_regex(values, FORMULA_PATTERN), cat("'", values),
                        values)
    odd = pc.match_substring_regex(values, _NEEDS_QUOTES)
    quoted = cat('"', pc.replace_substring(values, '"', '""'), '"')
    return pc.if_else(odd, quoted, values)


def _text(value: str) -> str:
    """One constant field as `csv_field` writes it."""
    return csv_field(pa.array([value], pa.string()))[0].as_py()


class _Rows:
    """What csv.writer writes, one string a row (it writes each row with one call)."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def write(self, text: str) -> None:
        self.rows.append(text)


def csv_header() -> str:
    return ",".join(CSV_COLUMNS) + EOL


def csv_lines(judged: Judged, keep: frozenset[str] | None = None) -> pa.Array:
    """Every row of the findings of every incident (or of those with a verdict in `keep`),
    line end included, in the reference's order: by incident, then by clause."""
    batch = judged.batch
    n = len(batch)
    clauses = batch.agreement.clauses
    if n == 0:
        return pa.array([], pa.string())
    live = judged.in_force
    step = len(clauses) + 1
    keys: list[np.ndarray] = []
    tails: list[pa.Array] = []  # each row after its incident and verdict
    zone_ids = zone_texts(batch.agreement, "id")
    for ci, clause in enumerate(clauses):
        cols = judged.columns.get(ci)
        if cols is None:
            continue
        head = f"{_text(clause.id)},"
        for code in (BREACH, UNDETERMINED, COMPLIES):
            ks = np.flatnonzero((cols.outcome == code) & live)
            if not ks.size:
                continue
            # The columns named: clause, outcome, zone, site, target, p, exception, evidence,
            # missing, reason.
            zone: Any = csv_field(zone_ids.take(pa.array(cols.zone[ks]))) if code != COMPLIES \
                else ""
            p: Any = float_text(cols.p[ks]) if code == UNDETERMINED else ""
            reason = csv_field(zone_reasons(judged, ci, cols, ks, code))
            tails.append(cat(head + OUTCOMES[code] + ",", zone, ",,,", p, ",,,,", reason, EOL))
            keys.append(ks * step + ci)
    single = [(k, ci, f) for (ci, k), f in judged.singles.items() if live[k]]
    if single:
        out = _Rows()
        w = csv.writer(out)
        for _, _, f in single:
            w.writerow(spreadsheet_safe(finding_fields(f)))
        tails.append(pa.array(out.rows, pa.string()))
        keys.append(np.array([k * step + ci for k, ci, _ in single], dtype=np.int64))
    has = np.zeros(n, dtype=bool)
    for key in keys:
        has[key // step] = True
    bare = np.flatnonzero(~has)
    if bare.size:  # no finding: the verdict alone, the other fields empty
        tails.append(pa.repeat(pa.scalar("," * (len(CSV_COLUMNS) - 3) + EOL), bare.size))
        keys.append(bare * step + len(clauses))
    key = np.concatenate(keys)
    order = np.argsort(key, kind="stable")
    at = key[order] // step
    worst = judged.worst()
    if keep is not None:
        wanted = np.isin(worst[at], [SEVERITY[o] for o in keep])
        order, at = order[wanted], at[wanted]
    tail = pa.concat_arrays(tails).take(pa.array(order))
    words = pa.array([f"{o}," for o in OUTCOMES], pa.string())
    rows = pa.array(at)
    verdict = words.take(pa.array(worst)).take(rows)
    return cat(csv_field(batch.columns.ids).take(rows), ",", verdict, tail)
