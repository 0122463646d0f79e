"""Commitments with deadlines (`must_by`, a documented extension): pure, like the rest of the
engine. Given the agreement, the status records and the moment of judging, say for each must_by
clause and each actor it binds whether the obligation `complies` (verified done in time), is in
`breach` (verified not done once overdue) or is `undetermined` (pending, or the records cannot
settle it), with a reason that says which. Rules in docs/rules.md#commitments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from jig.agreement.model import Agreement, Clause
from jig.findings import Evidence
from jig.records import StatusRecord
from jig.times import Span, format_instant, format_span


@dataclass(frozen=True, slots=True)
class Commitment:
    """One obligation (a must_by clause, for one bound actor) judged as of a moment."""

    clause: str
    actor: str
    outcome: str  # complies, breach, undetermined
    reason: str
    deadline: str  # ISO 8601, in the agreement's timezone
    evidence: tuple[Evidence, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"commitment": self.clause, "actor": self.actor,
                               "deadline": self.deadline, "outcome": self.outcome,
                               "reason": self.reason}
        if self.evidence:
            out["evidence"] = [e.as_dict() for e in self.evidence]
        return out


def _before(span: Span, t: float) -> bool:
    """The whole span lies before instant t."""
    return span.start < t if span.exact else span.end <= t


def _gap(seconds: float, side: str) -> str:
    """', 12 days after the deadline'; '' within a day of it (a day's record is no finer)."""
    days = seconds / 86400.0
    if days < 1:
        return ""
    return f", {days:.0f} day{'s' if round(days) != 1 else ''} {side} the deadline"


def _due(t: float, tz: Any) -> str:
    """A deadline for people: 'the end of 2018-10-10' for a date, else the instant."""
    dt = datetime.fromtimestamp(t, tz)
    if dt.time() == dtime(0):
        return f"the end of {(dt - timedelta(days=1)).date().isoformat()}"
    return format_instant(t, tz)


def judge_commitments(agreement: Agreement, records: Sequence[StatusRecord], as_of: float
                      ) -> list[Commitment]:
    """Every must_by clause, for each actor it binds, judged on the records known at `as_of`
    (records that start after it are not yet known)."""
    out = []
    for clause in agreement.clauses:
        if clause.rule != "must_by" or clause.deadline is None:
            continue
        for actor in sorted(clause.bound):
            mine = sorted((r for r in records if r.clause == clause.id
                           and r.actor in (None, actor) and r.span.start <= as_of),
                          key=lambda r: (r.span.start, r.id))
            out.append(_judge(agreement, clause, actor, mine, as_of))
    return out


def _judge(agreement: Agreement, clause: Clause, actor: str, records: list[StatusRecord],
           as_of: float) -> Commitment:
    tz = agreement.tz
    deadline = clause.deadline
    assert deadline is not None
    due = _due(deadline, tz)
    what = f"{actor} must {clause.obligation}" if clause.obligation else f"{actor}'s obligation"

    def when(r: StatusRecord) -> str:
        return format_span(r.span, tz)

    def said(r: StatusRecord) -> str:
        return f"{r.source} ({r.id}, {when(r)})"

    def result(outcome: str, reason: str, used: list[StatusRecord]) -> Commitment:
        return Commitment(clause.id, actor, outcome, f"{what} by {due}: {reason}",
                          format_instant(deadline, tz),
                          tuple(Evidence("status", r.id, r.status) for r in used))

    done = [r for r in records if r.status == "done"]
    in_time = [r for r in done if _before(r.span, deadline)]
    if in_time:
        r = in_time[0]
        return result("complies", f"verified done by {said(r)}"
                      + (_gap(deadline - r.span.end, "before") or ", by the deadline"), [r])
    overdue_not_done = [r for r in records if r.status == "not_done" and r.span.start >= deadline]
    if overdue_not_done:
        r = overdue_not_done[0]
        late = [d for d in done if d.span.start >= r.span.start]
        tail = (f"; first verified done only by {said(late[0])}"
                + _gap(late[0].span.start - deadline, "after") if late else "")
        return result("breach", f"overdue: {said(r)} recorded it not done"
                      + (_gap(r.span.start - deadline, "after") or " once the deadline had passed")
                      + tail, [r, *late[:1]])
    claims = [r for r in records if r.status == "claimed"]
    claimed = ("; " + "; ".join(f"claimed done by {said(r)}, not verified" for r in claims)
               if claims else "")
    straddling = [r for r in done if r.span.start < deadline < r.span.end]
    if straddling:
        r = straddling[0]
        return result("undetermined", f"verified done by {said(r)}, a time that straddles the "
                      "deadline, so whether it was done in time cannot be settled" + claimed,
                      [r, *claims])
    if done:
        r = done[0]
        return result("undetermined", f"first verified done by {said(r)}, after the deadline, "
                      "and no record shows whether it was done by then" + claimed, [r, *claims])
    if as_of < deadline:
        earlier = [r for r in records if r.status == "not_done"]
        seen = f"; {said(earlier[-1])} recorded it not yet done" if earlier else ""
        return result("undetermined", f"pending: not verified done as of "
                      f"{format_instant(as_of, tz)}" + _gap(deadline - as_of, "before")
                      + seen + claimed, [*earlier[-1:], *claims])
    return result("undetermined", f"overdue since {due}, but no status record after the deadline "
                  "says whether it was done" + claimed, claims)
