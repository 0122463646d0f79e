"""Amendments are not retroactive (ruling 9): each act is judged under the agreement version in
effect at its time, and an act whose time straddles an amendment under each version for its
share, as a span straddling a zone's validity is.

Pure: the caller judges the parts (with whatever notices and evidence each version sees) and
this module cuts the spans and puts the verdicts back together.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence

from jig.engine.wording import percent
from jig.findings import SEVERITY, Finding, Reading, Verdict
from jig.records import Incident
from jig.times import Span, Window


def governing_windows(effective_from: Sequence[float]) -> list[Window]:
    """The time each version governs, for versions in the order they were made, given when
    each takes effect: from its `effective_from` until a later version takes effect (the
    newest version in effect wins). The first version also governs everything before: what
    came before it is no version at all, and its own `in_force` says when it applies."""
    out = []
    for i, start in enumerate(effective_from):
        begin = -math.inf if i == 0 else start
        end = min(effective_from[i + 1:], default=math.inf)
        out.append(Window(begin, max(begin, end)))
    return out


def split(span: Span, windows: Sequence[Window]) -> list[tuple[int, float, Span]]:
    """(version, share of the span, the part of the span) for each version the span meets."""
    if span.exact:
        return [(i, 1.0, span) for i, w in enumerate(windows) if w.contains(span.start)][:1]
    out = []
    for i, w in enumerate(windows):
        lo, hi = max(span.start, w.start), min(span.end, w.end)
        if hi > lo:
            out.append((i, (hi - lo) / span.length, Span(lo, hi)))
    return out


def main_version(parts: Sequence[tuple[int, float, Span]]) -> int:
    """Of `split`'s parts, the version governing the largest share (the later on a tie): the
    one a verdict is recorded, and an act explained, under."""
    return max(parts, key=lambda p: (p[1], p[0]))[0]


Judge = Callable[[int, list[Incident]], list[Verdict]]


def judge_versions(incidents: Sequence[Incident], windows: Sequence[Window], labels: Sequence[str],
                   judge: Judge) -> list[tuple[Verdict, int]]:
    """Each incident's verdict, and the version it is recorded under (the one governing the
    largest share of its time; the later on a tie).

    `judge(version, incidents)` judges incidents (their spans cut to the version's window)
    under one version; `labels` name the versions in reasons.
    """
    parts = [split(inc.span, windows) for inc in incidents]
    verdicts: dict[tuple[int, int], Verdict] = {}
    for v in sorted({i for p in parts for i, _, _ in p}):
        ks = [k for k, p in enumerate(parts) if any(i == v for i, _, _ in p)]
        cut = [incidents[k] if len(parts[k]) == 1 else
               dataclasses.replace(incidents[k], span=next(s for i, _, s in parts[k] if i == v))
               for k in ks]
        for k, verdict in zip(ks, judge(v, cut), strict=True):
            verdicts[(k, v)] = verdict
    out = []
    for k, inc in enumerate(incidents):
        if not parts[k]:  # no version at all (no windows): nothing governs it
            out.append((Verdict(inc, ()), len(windows) - 1))
            continue
        shares = [(labels[i], w, verdicts[(k, i)]) for i, w, _ in parts[k]]
        out.append((combine(inc, shares), main_version(parts[k])))
    return out


def combine(incident: Incident, parts: Sequence[tuple[str, float, Verdict]]) -> Verdict:
    """One verdict from the verdicts under each version the incident's span meets, each with
    its share of the span. Clauses on which the versions agree keep their finding; where they
    differ, the finding is `undetermined` with p = Σ share × p of breach under each version
    (1 for a breach, 0 for any other outcome; unknown when an undetermined part has none)."""
    if len(parts) == 1:
        return Verdict(incident, parts[0][2].findings)
    clauses: list[str] = []
    for _, _, v in parts:
        clauses += [f.clause for f in v.findings if f.clause not in clauses]
    findings = []
    for clause in clauses:
        per = [(label, share, next((f for f in v.findings if f.clause == clause), None))
               for label, share, v in parts]
        outcomes = {f.outcome if f is not None else "not_applicable" for _, _, f in per}
        if len(outcomes) == 1 and "undetermined" not in outcomes:
            # The same outcome under every version: the finding of the version governing most.
            best = max(per, key=lambda x: x[1])[2]
            if best is not None:
                findings.append(best)
            continue
        findings.append(_straddling(clause, per))
    return Verdict(incident, tuple(findings))


def _straddling(clause: str, per: list[tuple[str, float, Finding | None]]) -> Finding:
    p: float | None = 0.0
    for _, share, f in per:
        if f is None or f.outcome not in ("breach", "undetermined"):
            continue
        q = 1.0 if f.outcome == "breach" else f.p
        p = None if p is None or q is None else p + share * q
    said = "; ".join(
        f"under {label}, for {percent(share)} of its time: "
        + (f"{f.outcome}: {f.reason}" if f is not None else "not applicable")
        for label, share, f in per)
    worst = min((f for _, _, f in per if f is not None), key=lambda f: SEVERITY[f.outcome])
    reason = f"its time straddles an amendment of the agreement: {said}"
    if p is not None:
        reason += f"; estimated probability {percent(p)} of a breach"
    return Finding(clause, "undetermined", reason, zone=worst.zone, site=worst.site,
                   target=worst.target, p=p, readings=_readings_across(per))


def _readings_across(per: list[tuple[str, float, Finding | None]]) -> tuple[Reading, ...]:
    """For a record naming two sides: each side's reading over the versions, the same under
    every one or else undetermined, so that the verdict still weighs each side's act over
    every clause (without them a clash breaching under every version became undetermined
    once an amendment, even of the title alone, fell within its time)."""
    two = next((f.readings for _, _, f in per if f is not None and len(f.readings) == 2), None)
    if two is None:
        return ()
    out = []
    for i, side in enumerate(two):
        outcomes = {f.readings[i].outcome if f is not None and f.readings else
                    (f.outcome if f is not None else "not_applicable") for _, _, f in per}
        out.append(Reading(side.actor, outcomes.pop() if len(outcomes) == 1 else "undetermined"))
    return tuple(out)
