"""What a report counts: verdicts tallied by period as they stream past. No I/O here.

An incident belongs to the period in which its time starts (an incident known only as an
interval is counted once, on its first possible day), in the agreement's timezone.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from jig.agreement.model import Agreement
from jig.engine.sides import possible_actors
from jig.findings import Finding, Verdict
from jig.readers.rejects import Reject
from jig.records import Incident, Notice
from jig.times import _day_start, parse_day

# The columns of the summary tables; not_applicable (no clause applies) is counted apart.
VERDICTS = ("breach", "undetermined", "excepted", "complies")
CODES = {v: i for i, v in enumerate((*VERDICTS, "not_applicable"))}
NO_PARTY = ""  # an incident by an actor no party answers for (or an unknown actor)


@dataclass(frozen=True)
class Period:
    """Whole days, first and last included, in the agreement's timezone."""

    first: date
    last: date
    start: float  # epoch seconds, inclusive
    end: float  # exclusive

    @classmethod
    def of_days(cls, first: date, last: date, agreement: Agreement) -> Period:
        if last < first:
            raise ValueError(f"the period ends ({last}) before it starts ({first})")
        tz = agreement.tz
        return cls(first, last, _day_start(first, tz), _day_start(last + timedelta(days=1), tz))

    def previous(self, agreement: Agreement) -> Period:
        """The period of as many days just before this one (ACLED's comparison)."""
        n = self.days
        return Period.of_days(self.first - timedelta(days=n), self.first - timedelta(days=1),
                              agreement)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end

    def day_list(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


@dataclass
class Tally:
    """The counts of one period."""

    verdicts: Counter[str] = field(default_factory=Counter)
    clause: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    party: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    actor: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Findings naming a zone, site or target, by outcome: where breaches happen.
    place: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    day: defaultdict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    day_party: defaultdict[date, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter))

    @property
    def incidents(self) -> int:
        return sum(self.verdicts.values())


@dataclass(frozen=True, slots=True)
class Row:
    """A finding the annex lists, with its incident."""

    incident: Incident
    actor: str | None  # the agreement's actor id(s) ("SY_GOV or OPP" for two sides), when matched
    finding: Finding


@dataclass
class InputCount:
    """One input file: rows judged and rejected."""

    judged: int = 0
    rejected: int = 0


class ReportBuilder:
    """Takes verdicts (and rejects) one at a time; keeps counts, the annex and the map's points.

    Memory grows with the breaches and undetermined findings of the period (the annex must list
    them all) and with one point per incident of the period, not with the whole input.
    """

    def __init__(self, agreement: Agreement, period: Period, compare: Period | None,
                 inputs: list[str] | None = None):
        self.agreement = agreement
        self.period = period
        self.compare = compare
        self.now = Tally()
        self.before = Tally()
        self.annex: list[Row] = []
        self.excepted: list[Row] = []
        self.inputs: dict[str, InputCount] = {name: InputCount() for name in inputs or ()}
        self.outside = 0  # judged incidents outside both periods
        self._lon: list[float] = []
        self._lat: list[float] = []
        self._code: list[int] = []
        self._parties: dict[str, tuple[str, ...]] = {}

    def _input(self, name: str | None) -> InputCount:
        key = name or "-"
        found = self.inputs.get(key)
        if found is None:
            found = self.inputs[key] = InputCount()
        return found

    def add_reject(self, reject: Reject) -> None:
        self._input(reject.origin.file).rejected += 1

    def parties_of(self, actor: str | None) -> tuple[str, ...]:
        """The parties answering for an actor id, in the agreement's order (or none)."""
        key = actor or ""
        hit = self._parties.get(key)
        if hit is None:
            answering = self.agreement.parties_answering_for(actor) if actor else frozenset()
            hit = self._parties[key] = tuple(p for p in self.agreement.parties if p in answering)
        return hit

    def add(self, v: Verdict) -> None:
        inc = v.incident
        self._input(inc.origin.file if inc.origin else None).judged += 1
        t = inc.span.start
        if self.period.contains(t):
            tally = self.now
        elif self.compare is not None and self.compare.contains(t):
            tally = self.before
        else:
            self.outside += 1
            return
        verdict = v.verdict
        # A record naming two sides but not which acted counts for either side's parties.
        ids = possible_actors(self.agreement, inc)
        actor = " or ".join(i for i in ids if i) if inc.either_side else ids[0]
        tally.verdicts[verdict] += 1
        tally.actor[actor or ""][verdict] += 1
        parties = tuple(dict.fromkeys(p for i in ids for p in self.parties_of(i))) or (NO_PARTY,)
        for p in parties:
            tally.party[p][verdict] += 1
        day = datetime.fromtimestamp(t, self.agreement.tz).date()
        tally.day[day][verdict] += 1
        if verdict in ("breach", "undetermined"):
            for p in parties:
                tally.day_party[day][p] += 1
        either = v.readings is not None and verdict == "breach"
        placed: set[str] = set()
        for f in v.findings:
            tally.clause[f.clause][f.outcome] += 1
            # Where the act was: a zone or a site. An agreed target a finding names is the
            # nearest place strikes were allowed, away from which it breached: ranked as a
            # place, "T-2: 3 breaches" read as breaches at T-2 (a new user's review).
            where = f.zone or f.site
            outcome = f.outcome
            if either and any(r.outcome == "breach" for r in f.readings):
                # A breach whichever side acted, at this place: one breach there, though each
                # clause's finding is undetermined (Idlib showed none of its 112).
                if where in placed:
                    continue
                outcome = "breach"
            if where is not None and outcome in ("breach", "undetermined"):
                tally.place[where][outcome] += 1
                placed.add(where)
        if tally is not self.now:
            return
        self._lon.append(inc.lon)
        self._lat.append(inc.lat)
        self._code.append(CODES[verdict])
        for f in v.findings:
            if f.outcome in ("breach", "undetermined"):
                self.annex.append(Row(inc, actor, f))
            elif f.outcome == "excepted":
                self.excepted.append(Row(inc, actor, f))

    def points(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lon, lat and verdict code (index into VERDICTS, then not_applicable) of each incident."""
        return (np.asarray(self._lon, dtype=float), np.asarray(self._lat, dtype=float),
                np.asarray(self._code, dtype=np.int8))

    def notices_in_period(self, notices: list[Notice]) -> list[Notice]:
        return sorted((n for n in notices if self.period.contains(n.span.start)),
                      key=lambda n: (n.span.start, n.id))


def report_periods(agreement: Agreement, first: str | None, last: str | None,
                   compare: str = "previous", names: tuple[str, str, str] = ("from", "to",
                                                                            "compare")
                   ) -> tuple[Period, Period | None]:
    """The period (default: the agreement's days in force) and what it is compared with:
    `previous` (as many days just before, unless the agreement is in force at no moment of
    them: then nothing, as a change against days without the agreement means nothing), `none`,
    or `FROM/TO`. ValueError names the bad value with `names` (how the caller calls from, to
    and compare)."""

    def day(text: str, name: str) -> date:
        try:
            return parse_day(text)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    def days(first: date, last: date, name: str) -> Period:
        try:
            return Period.of_days(first, last, agreement)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None

    tz, window = agreement.tz, agreement.in_force
    if first is not None:
        a = day(first, names[0])
    elif math.isinf(window.start):
        raise ValueError(f"{names[0]}: the agreement has no start; give the first day")
    else:
        a = datetime.fromtimestamp(window.start, tz).date()
    if last is not None:
        b = day(last, names[1])
    elif math.isinf(window.end):
        raise ValueError(f"{names[1]}: the agreement has no end; give the last day")
    else:  # `until` is exclusive: the last day in force is the one before
        b = datetime.fromtimestamp(window.end, tz).date() - timedelta(days=1)
    period = days(a, b, f"{names[0]}/{names[1]}")
    if compare == "previous":
        before = period.previous(agreement)
        in_force = before.start < window.end and window.start < before.end
        return period, before if in_force else None
    if compare == "none":
        return period, None
    left, sep, right = compare.partition("/")
    if not sep:
        raise ValueError(f"{names[2]} {compare!r}: use previous, none or FROM/TO "
                         "(2016-06-01/2016-06-30)")
    return period, days(day(left, names[2]), day(right, names[2]), names[2])


def change(now: int, before: int) -> tuple[int, float | None]:
    """The change against the comparison period: absolute, and relative (None from zero)."""
    return now - before, ((now - before) / before if before else None)
