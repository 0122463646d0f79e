"""`check(agreement, incidents, notices) -> verdicts`: the whole engine, pure and explainable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa

from jig.agreement.model import Agreement, Clause
from jig.engine.context import Batch
from jig.engine.exceptions import (
    MET,
    UNSURE,
    Notices,
    check_exception,
    could_be_evidence,
    exception_rules,
)
from jig.engine.fast import (
    BREACH,
    COMPLIES,
    NONE,
    SLOW,
    UNDETERMINED,
    ZoneColumns,
    zone_columns,
)
from jig.engine.places import windows_of
from jig.engine.render import joined, jsonl_lines
from jig.engine.render_csv import csv_lines
from jig.engine.rules import (
    ZONES_SIDE,
    Judgement,
    inside_reason,
    judge_clause,
    outside_reason,
    selected_zones,
    straddle_phrase,
    undetermined_tail,
    zone_actor_phrase,
)
from jig.engine.sides import (
    DOUBT,
    SAID,
    OtherReading,
    one_finding,
    other_reading,
    side_name,
    verdict_reason,
)
from jig.engine.wording import act_phrase, window_phrase
from jig.findings import OUTCOMES, SEVERITY, Finding, Verdict
from jig.geo import point_text
from jig.readers.columns import IncidentColumns
from jig.records import Incident, Notice
from jig.times import format_span


@dataclass(frozen=True)
class ClauseExplanation:
    clause: Clause
    outcome: str
    finding: Finding | None
    steps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Explanation:
    """Every clause's reasoning for one incident, step by step (what `jig explain` prints)."""

    verdict: Verdict
    preamble: list[str]
    clauses: list[ClauseExplanation]

    @property
    def verdict_reason(self) -> str | None:
        """Why the verdict is what it is when it is no finding's outcome: a record naming two
        sides, judged as each side's act over every clause (`sides.verdict_reason`)."""
        readings = self.verdict.readings
        return verdict_reason(readings) if readings is not None else None


def _feature_keys(j: Judgement) -> dict[str, str]:
    f = j.feature
    if f is None:
        return {}
    return {{"zones": "zone", "sites": "site", "targets": "target"}[f.collection]: f.id}


def _finding(batch: Batch, k: int, clause: Clause, notices: Notices,
             steps: list[str] | None) -> Finding:
    j = judge_clause(batch, k, clause, steps)
    keys = _feature_keys(j)
    if j.outcome not in ("breach", "undetermined") or not clause.exceptions:
        return Finding(clause.id, j.outcome, j.reason, p=j.p, **keys)
    inc = batch.incidents[k]
    actor, target = batch.actor[k][0], batch.target[k][0]
    missing: list[str] = []
    unsure = None
    for exc in exception_rules(batch.agreement, clause.exceptions):
        if actor is None or actor not in exc.for_:
            if steps is not None:
                steps.append(f"exception {exc.id}: not open to "
                             f"{actor or 'an unidentified actor'} (for: {', '.join(sorted(exc.for_))})")
            continue
        # Whom an act hit, when the record does not say, may be whom the exception allows.
        unnamed = bool(exc.against) and not inc.target
        if exc.against and target not in exc.against and not unnamed:
            why = (f"{exc.id}: the act's target ({inc.target!r}) is not "
                   f"{'/'.join(sorted(exc.against))}")
            missing.append(why)
            if steps is not None:
                steps.append(f"exception {exc.id}: does not apply: {why}")
            continue
        result = check_exception(batch, k, exc, notices)
        if unnamed and result.status in (MET, UNSURE):
            # Met or not, it is not certainly open to the act: a breach is not certain.
            result = replace(result, status=UNSURE, why=(
                f"the act's target is not named, and {exc.id} is for acts against "
                f"{'/'.join(sorted(exc.against))}; {result.why}"))
        if steps is not None:
            steps.append(f"exception {exc.id}: {result.status}: {result.why}")
        if result.status == MET:
            if steps is not None:
                steps.append(f"→ excepted under {exc.id}")
            return Finding(clause.id, "excepted", f"{j.reason}; excepted under {exc.id}: "
                           f"{result.why}", p=j.p, exception=exc.id, evidence=result.evidence,
                           **keys)
        if result.status == UNSURE and unsure is None:
            unsure = (exc, result)
        missing.append(f"{exc.id}: {result.why}")
    if unsure is not None and j.outcome == "breach":
        exc, result = unsure
        return Finding(clause.id, "undetermined", f"{j.reason}; it may be excepted under "
                       f"{exc.id}: {result.why}", exception=exc.id, evidence=result.evidence,
                       missing=tuple(missing), **keys)
    return Finding(clause.id, j.outcome, j.reason, p=j.p, missing=tuple(missing), **keys)


def _judged(batch: Batch, k: int, clause: Clause, notices: Notices, steps: list[str] | None,
            other: OtherReading | None) -> Finding:
    """The clause's finding on incident k; for a record that names two sides but not which
    acted (in `other`), the findings of both readings made one (`jig.engine.sides`)."""
    if other is None or k not in other.at:
        return _finding(batch, k, clause, notices, steps)
    j = other.at[k]
    sides = side_name(batch, k, "actor"), side_name(batch, k, "target")
    labels = side_name(batch, k, "actor", False), side_name(batch, k, "target", False)
    first: list[str] | None = [] if steps is not None else None
    second: list[str] | None = [] if steps is not None else None
    f = one_finding(_finding(batch, k, clause, notices, first),
                    _finding(other.batch, j, clause, notices, second), *sides, labels)
    if steps is not None and first is not None and second is not None:
        steps.append(f"{DOUBT}: judged as an act of {sides[0]}, then of {sides[1]}")
        for side, lines in zip(sides, (first, second), strict=True):
            steps.append(f"as an act of {side}:")
            steps.extend(lines)
        steps.append(f"→ {SAID[f.outcome]}, as the two readings together give it")
    return f


def _judge(batch: Batch, k: int, notices: Notices, other: OtherReading | None) -> Verdict:
    inc = batch.incidents[k]
    if batch.agreement.in_force.misses(inc.span):
        return Verdict(inc, ())
    findings = []
    for clause in batch.agreement.clauses:
        f = _judged(batch, k, clause, notices, None, other)
        if f.outcome != "not_applicable":
            findings.append(f)
    return Verdict(inc, tuple(findings))


@dataclass(frozen=True)
class Judged:
    """Every incident's findings: the zone rules' plain cases as columns (`ZoneColumns`), the
    rest as `Finding`s from the straightforward path. `verdicts()` gives the objects."""

    batch: Batch
    in_force: np.ndarray  # False: the agreement is not in force at any moment of the span
    columns: dict[int, ZoneColumns]  # by clause position
    singles: dict[tuple[int, int], Finding]  # (clause position, incident) -> finding

    def _column_finding(self, k: int, ci: int, cols: ZoneColumns) -> Finding:
        batch = self.batch
        clause = batch.agreement.clauses[ci]
        inc = batch.incidents[k]
        who = zone_actor_phrase(clause, inc, batch.actor[k][0])
        zone = batch.agreement.zones[int(cols.zone[k])]
        metres = float(cols.metres[k])
        if cols.outcome[k] == BREACH:
            return Finding(clause.id, "breach", inside_reason(who, zone, metres, inc.precision_m),
                           zone=zone.id)
        if cols.outcome[k] == UNDETERMINED:
            p = float(cols.p[k])
            reason = (f"{act_phrase(inc, batch.actor[k][0])}: "
                      + straddle_phrase(inc.precision_m, "zone", zone, metres)
                      + undetermined_tail(p, ZONES_SIDE))
            return Finding(clause.id, "undetermined", reason, p=p, zone=zone.id)
        return Finding(clause.id, "complies",
                       outside_reason(who, clause, zone, metres, inc.precision_m))

    def findings(self, k: int) -> tuple[Finding, ...]:
        if not self.in_force[k]:
            return ()
        out = []
        for ci in range(len(self.batch.agreement.clauses)):
            cols = self.columns.get(ci)
            code = SLOW if cols is None else cols.outcome[k]
            if code == SLOW:
                f = self.singles.get((ci, k))
                if f is not None:
                    out.append(f)
            elif code != NONE:
                out.append(self._column_finding(k, ci, cols))  # type: ignore[arg-type]
        return tuple(out)

    def verdicts(self) -> list[Verdict]:
        return [Verdict(inc, self.findings(k)) for k, inc in enumerate(self.batch.incidents)]

    def worst(self) -> np.ndarray:
        """Each incident's verdict as its position in OUTCOMES, without a finding object."""
        worst = np.full(len(self.batch), SEVERITY["not_applicable"], dtype=np.int8)
        two_sided: set[int] = set()
        for (_, k), f in self.singles.items():
            worst[k] = min(worst[k], SEVERITY[f.outcome])
            if f.readings:
                two_sided.add(k)
        for k in two_sided:  # weighed over every clause per reading, as `Verdict` does
            worst[k] = SEVERITY[Verdict(self.batch.incidents[k], self.findings(k)).verdict]
        for cols in self.columns.values():
            decided = np.isin(cols.outcome, (BREACH, UNDETERMINED, COMPLIES))
            # The codes are positions in OUTCOMES.
            sev = np.where(decided, cols.outcome, SEVERITY["not_applicable"])
            worst = np.minimum(worst, sev)
        worst[~self.in_force] = SEVERITY["not_applicable"]
        return worst

    def verdict_counts(self) -> dict[str, int]:
        """How many incidents have each verdict, without building a finding object."""
        counts = np.bincount(self.worst(), minlength=len(OUTCOMES))
        return {o: int(c) for o, c in zip(OUTCOMES, counts, strict=True)}

    def lines(self, fmt: str, keep: frozenset[str] | None = None) -> pa.Array:
        """The text `jsonl` or `csv` gives, as a column of lines (for `render.write_lines`)."""
        if fmt == "csv":
            return csv_lines(self, keep)
        lines = jsonl_lines(self)
        if keep is not None:
            lines = lines.filter(pa.array(np.isin(self.worst(), [SEVERITY[o] for o in keep])))
        return lines

    def jsonl(self, keep: frozenset[str] | None = None) -> str:
        """Every incident's line of JSON Lines (or those with a verdict in `keep`), rendered
        from the columns (`jig.engine.render`): the same bytes as writing each verdict's
        `as_dict()` with `json.dumps`."""
        return joined(self.lines("jsonl", keep))

    def csv(self, keep: frozenset[str] | None = None) -> str:
        """Every finding's CSV row (`jig check -f csv`, after its header), or those of the
        incidents with a verdict in `keep`, rendered from the columns
        (`jig.engine.render_csv`): the same bytes as `jig.output.write_csv`."""
        return joined(self.lines("csv", keep))


_ZONE_RULES = ("no_strikes_in", "no_weapons_in")


def judge(agreement: Agreement, incidents: Sequence[Incident] | IncidentColumns,
          notices: Sequence[Notice] = (), evidence: Sequence[Incident] | None = None) -> Judged:
    """Judge every incident against every clause (see `check`), keeping the findings of the
    zone rules' plain cases as arrays: what judging a million incidents needs."""
    pool = Batch(agreement, evidence) if evidence is not None else None
    batch = Batch(agreement, incidents, pool)
    index = Notices(notices)
    in_force = ~agreement.in_force.misses_many(batch.start, batch.end)
    columns: dict[int, ZoneColumns] = {}
    one_by_one: dict[int, np.ndarray] = {}
    for ci, clause in enumerate(agreement.clauses):
        if clause.rule in _ZONE_RULES:
            windows = windows_of(batch, "zones", selected_zones(batch, clause))
            columns[ci] = zone_columns(batch, clause, windows)
            one_by_one[ci] = np.flatnonzero(columns[ci].outcome == SLOW)
        elif clause.rule not in ("no_flights_in", "must_by"):  # never apply to incidents
            one_by_one[ci] = np.flatnonzero(in_force)
    singles: dict[tuple[int, int], Finding] = {}
    todo = np.unique(np.concatenate([*one_by_one.values(), np.zeros(0, dtype=np.int64)]))
    if todo.size:
        # The others judged one by one, in a batch of their own: its spatial work covers
        # only them, and exceptions still look for evidence in the whole input.
        sub = batch if todo.size == len(batch) else Batch(
            agreement, batch.columns.take(todo), batch.evidence)
        at = {k: j for j, k in enumerate(todo.tolist())}
        other = other_reading(sub)
        for ci, ks in one_by_one.items():
            clause = agreement.clauses[ci]
            for k in ks.tolist():
                f = _judged(sub, at[k], clause, index, None, other)
                if f.outcome != "not_applicable":
                    singles[(ci, k)] = f
    return Judged(batch, in_force, columns, singles)


def check(agreement: Agreement, incidents: Sequence[Incident],
          notices: Sequence[Notice] = (), evidence: Sequence[Incident] | None = None
          ) -> list[Verdict]:
    """Judge every incident against every clause; one verdict per incident, in input order.

    Exceptions look for evidence among `incidents`, or among `evidence` when given: judging a
    long input in chunks passes every incident that could be evidence (`evidence_pool`) here,
    so that each chunk gets the same findings as the whole input at once.
    """
    return judge(agreement, incidents, notices, evidence).verdicts()


def check_one_by_one(agreement: Agreement, incidents: Sequence[Incident],
                     notices: Sequence[Notice] = (), evidence: Sequence[Incident] | None = None
                     ) -> list[Verdict]:
    """`check` by the straightforward path alone, every incident and clause one by one: the
    reference the array path is tested against."""
    pool = Batch(agreement, evidence) if evidence is not None else None
    batch = Batch(agreement, incidents, pool)
    index = Notices(notices)
    other = other_reading(batch)
    return [_judge(batch, k, index, other) for k in range(len(batch))]


def evidence_pool(agreement: Agreement, incidents: Iterable[Incident]) -> list[Incident]:
    """The incidents that could serve as evidence for an exception: those by an actor that an
    evidence requirement names. Small next to a whole input, so it can be held in memory."""
    actors = agreement.evidence_actors()
    if not actors:
        return []
    return [i for i in incidents if agreement.match_actor(i.actor)[0] in actors]


def possible_evidence(agreement: Agreement, incidents: Sequence[Incident]) -> list[bool]:
    """Whether each incident, by itself, meets one of the agreement's evidence requirements:
    one that does not can excuse no act, so its arrival changes no verdict."""
    return could_be_evidence(Batch(agreement, incidents)).tolist() if incidents else []


def explain(agreement: Agreement, incidents: Sequence[Incident], incident_id: str,
            notices: Sequence[Notice] = ()) -> Explanation:
    """The step-by-step reasoning for one incident (the others serve as possible evidence)."""
    batch = Batch(agreement, incidents)
    if incident_id not in batch.index:
        raise KeyError(incident_id)
    k = batch.index[incident_id]
    inc = incidents[k]
    index = Notices(notices)
    tz = agreement.tz
    actor, how = batch.actor[k]
    target, thow = batch.target[k]
    preamble = [
        f"incident {inc.id}" + (f" ({inc.origin})" if inc.origin else ""),
        f"time {inc.time_text!r} read as {format_span(inc.span, tz)} ({agreement.timezone_name})",
        f"location {point_text(inc.lon, inc.lat)}"
        + (f", known to within {inc.precision_m:.0f} m" if inc.precision_m else ", exact"),
        _named("actor", inc.actor, actor, how),
        _named("target", inc.target, target, thow),
        f"act {inc.act}" + (f", weapon {inc.weapon}" if inc.weapon else ""),
    ]
    explained: list[ClauseExplanation] = []
    if agreement.in_force.misses(inc.span):
        preamble.append(f"the agreement is not in force at that time (in force "
                        f"{window_phrase(agreement.in_force, tz)}): no clause applies")
        return Explanation(Verdict(inc, ()), preamble, explained)
    other = other_reading(batch)
    findings = []
    for clause in agreement.clauses:
        steps: list[str] = []
        f = _judged(batch, k, clause, index, steps, other)
        explained.append(ClauseExplanation(clause, f.outcome,
                                           f if f.outcome != "not_applicable" else None, steps))
        if f.outcome != "not_applicable":
            findings.append(f)
    return Explanation(Verdict(inc, tuple(findings)), preamble, explained)


def _named(what: str, name: str | None, ident: str | None, how: str | None) -> str:
    """The explanation's line on the record's actor or target, which it may leave out."""
    if name is None:
        return f"{what}: the record names none"
    return f"{what} {name!r} → " + (f"{ident} (by {how})" if ident else "no actor of the agreement")
