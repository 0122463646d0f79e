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
# A record that names two sides, either of which may have done what makes its verdict, when
# different parties answer for them: one row of its own ("RU|TR": either RU or TR), so that
# no party is blamed for the other side's act and the rows add up to the incidents. An actor
# several parties answer for jointly is one row too ("RU&TR"). Party ids cannot hold | or &.
EITHER = "|"
JOINTLY = "&"
# A share of a period's rows rejected at which the report warns that its counts miss much of
# what was reported (Airwars' strikes without coordinates were 20 of April 2019's 31).
REJECTED_WARNING = 0.1


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


def party_key(parties: tuple[str, ...], joiner: str) -> str:
    """One row's key for several parties (EITHER or JOINTLY); a lone party's id as it is."""
    return joiner.join(parties)


def key_parties(key: str) -> tuple[str, tuple[str, ...]]:
    """A party row's key read back: (EITHER, JOINTLY or "", the parties)."""
    for joiner in (EITHER, JOINTLY):
        if joiner in key:
            return joiner, tuple(key.split(joiner))
    return "", (key,)


@dataclass
class Tally:
    """The counts of one period."""

    verdicts: Counter[str] = field(default_factory=Counter)
    clause: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Each incident once: under its party, or a row of several (EITHER, JOINTLY).
    party: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    actor: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Findings naming a zone, site or target, by outcome: where breaches happen.
    place: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    day: defaultdict[date, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    day_party: defaultdict[date, Counter[str]] = field(
        default_factory=lambda: defaultdict(Counter))
    # Breaches on records naming two sides, a breach whichever acted though no finding on them
    # is (each clause binds one side): the verdict table counts them, findings by clause, the
    # annex and `check --summary`'s zones do not, so the report says how many (a review).
    either_breaches: int = 0
    # Of the places' breaches, those counted from such records (once at each zone).
    either_place_breaches: int = 0

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
    """One input file: rows judged and rejected, and those of the period: a monthly reader
    must see what was dropped from the month, not from the whole file (a review: 20 of April's
    31 Airwars strikes had no coordinates, and the header showed the file's 1,517)."""

    judged: int = 0
    rejected: int = 0
    judged_now: int = 0
    rejected_now: int = 0
    rejected_before: int = 0  # in the comparison period
    undated: int = 0  # rejected, and no date could be read from the row
    reasons_now: Counter[str] = field(default_factory=Counter)  # reject codes of the period

    @property
    def rejected_share(self) -> float:
        """The period's rejected rows as a share of the period's rows (0 with none)."""
        rows = self.judged_now + self.rejected_now
        return self.rejected_now / rows if rows else 0.0


class ReportBuilder:
    """Takes verdicts (and rejects) one at a time; keeps counts, the annex and the map's points.

    Memory grows with the breaches and undetermined findings of the period (the annex must list
    them all) and with one point per incident of the period, not with the whole input.
    """

    def __init__(self, agreement: Agreement, period: Period, compare: Period | None,
                 inputs: list[str] | None = None, whole_inputs: bool = True):
        """`whole_inputs`: the verdicts are every record of the inputs (files), so their dates
        tell what the inputs cover; False when only the two periods' records are fed (the
        store's report)."""
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
        self.whole_inputs = whole_inputs
        # The earliest and latest record time seen (judged, or rejected with a date).
        self.first_seen = math.inf
        self.last_seen = -math.inf
        # What the judged records say they come from (`dataset`), for the credits.
        self.datasets: Counter[str] = Counter()
        self.dataset_files: dict[str, str] = {}  # the first input each dataset came from

    def _input(self, name: str | None) -> InputCount:
        key = name or "-"
        found = self.inputs.get(key)
        if found is None:
            found = self.inputs[key] = InputCount()
        return found

    def add_reject(self, reject: Reject, when: float | None = None) -> None:
        """A rejected row; `when`, the time its row gives (None: none could be read)."""
        count = self._input(reject.origin.file)
        count.rejected += 1
        if when is None or math.isnan(when):
            count.undated += 1
            return
        self._seen(when)
        if self.period.contains(when):
            count.rejected_now += 1
            count.reasons_now[reject.code] += 1
        elif self.compare is not None and self.compare.contains(when):
            count.rejected_before += 1

    def _seen(self, t: float) -> None:
        self.first_seen = min(self.first_seen, t)
        self.last_seen = max(self.last_seen, t)

    def comparison(self) -> str:
        """Whether the comparison period can be compared with: "none" (there is none),
        "empty" (no input row, judged or rejected, falls in it: the inputs do not reach it,
        and "+44" against it would be a surge that never was), "partial" (the inputs begin
        after its first day, so it is only partly covered), or "ok"."""
        before = self.compare
        if before is None:
            return "none"
        rows = self.before.incidents + sum(c.rejected_before for c in self.inputs.values())
        if rows == 0:
            return "empty"
        if self.whole_inputs and self.first_seen > before.start + 86400:
            return "partial"
        return "ok"

    def parties_of(self, actor: str | None) -> tuple[str, ...]:
        """The parties answering for an actor id, in the agreement's order (or none)."""
        key = actor or ""
        hit = self._parties.get(key)
        if hit is None:
            answering = self.agreement.parties_answering_for(actor) if actor else frozenset()
            hit = self._parties[key] = tuple(p for p in self.agreement.parties if p in answering)
        return hit

    def answering(self, v: Verdict, ids: tuple[str | None, ...]) -> str:
        """The party row an incident counts under (its key). A record naming two sides counts
        only for the parties of the sides whose act would give its verdict (the readings that
        breach or are undetermined, for such a verdict): a clash that is a breach as the
        government's act and not applicable as the opposition's is not Turkey's (a review:
        TR showed 61 undetermined, none of them its side's). When both sides would, and
        different parties answer for them, it is a row of its own, either one or the other."""
        verdict = v.verdict
        readings = v.readings
        if v.incident.either_side and len(ids) == 2:
            if readings is None:  # no clause applies either way: both sides alike
                sides = list(ids)
            else:
                grave = ("breach", "undetermined") if verdict in ("breach", "undetermined") \
                    else (verdict,)
                sides = [i for i, r in zip(ids, readings, strict=True) if r.outcome in grave] \
                    or list(ids)
        else:
            sides = [ids[0]]
        each = [self.parties_of(i) or (NO_PARTY,) for i in sides]
        if len(set(each)) > 1:
            order = {p: k for k, p in enumerate((*self.agreement.parties, NO_PARTY))}
            found = sorted({p for ps in each for p in ps}, key=order.__getitem__)
            return party_key(tuple(found), EITHER) if len(found) > 1 else found[0]
        return party_key(each[0], JOINTLY)

    def add(self, v: Verdict) -> None:
        inc = v.incident
        count = self._input(inc.origin.file if inc.origin else None)
        count.judged += 1
        dataset = inc.extra.get("dataset") if inc.extra else None
        if dataset:
            self.datasets[str(dataset)] += 1
            if inc.origin is not None:
                self.dataset_files.setdefault(str(dataset), inc.origin.file)
        t = inc.span.start
        self._seen(t)
        if self.period.contains(t):
            count.judged_now += 1
            tally = self.now
        elif self.compare is not None and self.compare.contains(t):
            tally = self.before
        else:
            self.outside += 1
            return
        verdict = v.verdict
        # A record naming two sides but not which acted: both, as counts by actor name them.
        ids = possible_actors(self.agreement, inc)
        actor = " or ".join(i for i in ids if i) if inc.either_side else ids[0]
        tally.verdicts[verdict] += 1
        tally.actor[actor or ""][verdict] += 1
        # Once, under one row: the rows add up to the incidents, and the chart by party
        # stacks each incident once (it stacked a two-sided clash under both parties).
        party = self.answering(v, ids)
        tally.party[party][verdict] += 1
        day = datetime.fromtimestamp(t, self.agreement.tz).date()
        tally.day[day][verdict] += 1
        if verdict in ("breach", "undetermined"):
            tally.day_party[day][party] += 1
        either = v.readings is not None and verdict == "breach"
        if either and not any(f.outcome == "breach" for f in v.findings):
            tally.either_breaches += 1
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
                if where is not None and outcome != "breach":
                    tally.either_place_breaches += 1
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
