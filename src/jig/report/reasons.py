"""Reasons in the reader's language, translated at the edge from what the engine wrote.

The engine stays pure and writes its reasons in English. Each English sentence shape it writes
is a msgid below, with `%(name)s` where a value goes; the msgid doubles as the pattern that
reads the values back out of an English reason. The placeholder's name says what the value is,
so it can be translated too: `reason`, `why`, `doubts` are whole reasons again (translated
recursively), `who` an act phrase, `dist…` a distance, `hours` a duration, `what`, `side`,
`where` and `zones` fixed words; every other value (ids, labels, times, percentages) is kept
as written. A reason that matches no shape is shown in English, never dropped; the tests
check that every reason of the example and of the real extracts has a translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

from babel.numbers import get_decimal_symbol

from jig.findings import Finding
from jig.i18n import translations


def N_(message: str) -> str:
    """Marks a msgid for extraction (pybabel -k N_) without translating it here."""
    return message


# Whole reasons and their parts, most specific first.
SENTENCES = (
    # Commitments with deadlines (jig.engine.commitments): the obligation, then its state.
    N_("%(bound)s must %(obligation)s by %(due)s: %(reason)s"),
    N_("%(bound)s's obligation by %(due)s: %(reason)s"),
    N_("verified done by %(said)s, by the deadline"),
    N_("verified done by %(said)s, %(days)s before the deadline"),
    N_("overdue: %(said)s recorded it not done, %(days)s after the deadline"),
    N_("overdue: %(said)s recorded it not done once the deadline had passed"),
    N_("first verified done only by %(said)s, %(days)s after the deadline"),
    N_("first verified done only by %(said)s"),
    N_("verified done by %(said)s, a time that straddles the deadline, so whether it was done "
       "in time cannot be settled"),
    N_("first verified done by %(said)s, after the deadline, and no record shows whether it "
       "was done by then"),
    N_("pending: not verified done as of %(time)s, %(days)s before the deadline"),
    N_("pending: not verified done as of %(time)s"),
    N_("%(said)s recorded it not yet done"),
    N_("claimed done by %(said)s, not verified"),
    N_("overdue since %(due)s, but no status record after the deadline says whether it was "
       "done"),
    # A zone drawn without an official map, near its edge (jig.engine.approximate).
    N_("%(reason)s; %(id)s is approximate (no official map was published): its edge may be "
       "off by up to %(dist)s, so this act may lie on the other side"),
    N_("%(doubts)s. If it were a bound actor's act of a covered kind: %(reason)s"),
    N_("%(doubts)s. If it were an act of a covered kind: %(reason)s"),
    N_("%(doubts)s. If it were a bound actor's act: %(reason)s"),
    N_("%(reason)s; excepted under %(exception)s: %(why)s"),
    N_("%(reason)s; it may be excepted under %(exception)s: %(why)s"),
    N_("the act's target is not named, and %(exception)s is for acts against %(targets)s; "
       "%(why)s"),
    N_("%(who)s: %(why)s; estimated probability %(p)s that it lies %(side)s"),
    N_("%(who)s: %(why)s; estimated probability %(p)s that it fell within those times and lies "
       "%(side)s"),
    # Flights into barred zones (jig.air.flights): the air desk's reasons.
    N_("%(who)s: %(why)s; estimated probability %(p)s that it flies inside"),
    N_("%(doubts)s. If it were a bound actor's: %(reason)s"),
    N_("%(who)s keeps %(dist)s clear of the selected zones in effect (nearest: %(label)s)"),
    N_("%(why)s, which is in effect for %(p)s of the notified window"),
    N_("%(why)s; the agreement is in force for %(p)s of the notified window"),
    N_("its route enters %(label)s"),
    N_("its route's %(dist)s corridor reaches into %(label)s, though the route itself stays "
       "out"),
    N_("its area overlaps %(label)s by %(area)s km²"),
    N_("the notice names no actor"),
    # Undetermined as if by a bound actor: no probability is estimated then.
    N_("%(who)s: %(why)s"),
    N_("%(who)s lies inside %(ids)s taken together: its location disc (%(dist)s) straddles "
       "their shared edge and they cover all of it"),
    N_("%(who)s lies inside %(label)s, %(dist)s from its edge; its whole location disc "
       "(%(dist2)s) does"),
    N_("%(who)s lies inside %(label)s, %(dist)s from its edge"),
    N_("%(who)s lies outside %(zones)s in effect, even allowing for its %(dist)s location "
       "uncertainty; the nearest, %(label)s, is %(dist2)s away"),
    N_("%(who)s lies outside %(zones)s in effect; the nearest, %(label)s, is %(dist)s away"),
    N_("%(who)s lies within the %(dist)s protected radius of %(label)s, %(dist2)s from the site"),
    N_("%(who)s lies %(dist)s from protected site %(label)s, outside its %(dist2)s radius"),
    N_("%(who)s is at agreed target %(label)s, within its %(dist)s tolerance"),
    N_("%(who)s is at agreed target %(label)s"),
    N_("%(who)s struck while no agreed target was in effect; it is at %(label)s, which only "
       "%(parties)s agreed"),
    N_("%(who)s struck while no agreed target was in effect; it is at %(label)s, which no "
       "party agreed"),
    N_("%(who)s struck while no agreed target was in effect"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s beyond its "
       "%(dist2)s tolerance; it is at %(label2)s, which only %(parties)s agreed"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s away; it is "
       "at %(label2)s, which only %(parties)s agreed"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s beyond its "
       "%(dist2)s tolerance; it is at %(label2)s, which no party agreed"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s away; it is "
       "at %(label2)s, which no party agreed"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s beyond its "
       "%(dist2)s tolerance"),
    N_("%(who)s is not at an agreed target: the nearest, %(label)s, lies %(dist)s away"),
    # Why a finding is undetermined.
    N_("its location is known only to within %(dist)s, and that disc straddles the edge of "
       "%(what)s %(label)s: the reported point is %(dist2)s %(where)s"),
    N_("its time is known only as %(span)s, and the agreement is in force only from %(start)s "
       "until %(end)s"),
    N_("its time is known only as %(span)s, and %(what)s %(label)s is in effect only from "
       "%(start)s until %(end)s"),
    N_("actor %(actor)s matches no actor of the agreement, and the record names it as one of "
       "the two sides"),
    N_("actor %(actor)s matches no actor of the agreement"),
    N_("the record names no actor"),
    N_("the kind of act is unknown"),
    # Exceptions: the notices and evidence they rest on.
    N_("notice %(id)s from %(party)s names the incident, dated %(time)s, within %(hours)s of "
       "the act"),
    N_("notice %(id)s from %(party)s covers the location (%(dist)s from its centre), dated "
       "%(time)s, within %(hours)s of the act"),
    N_("notice %(id)s from %(party)s names the incident, but its date %(time)s may be more "
       "than %(hours)s after the act, whose time is not known exactly"),
    N_("notice %(id)s from %(party)s covers the location (%(dist)s from its centre), but its "
       "date %(time)s may be more than %(hours)s after the act, whose time is not known "
       "exactly"),
    N_("incident %(id)s shows %(actor)s %(where_zones)s, %(dist)s away, %(hours)s before"),
    N_("no notice from %(parties)s naming %(exception)s for this incident or its location "
       "within %(hours)s"),
    N_("no evidence: an incident by %(actor)s %(where_zones)s, within %(dist)s and at most "
       "%(hours)s before the act"),
    N_("it has no further requirements"),
    # An evidence incident's note, as the panel lists it (jig.engine.exceptions): last, as
    # the whole sentences above hold the same words.
    N_("%(actor)s %(where_zones)s, %(dist)s away, %(hours)s before"),
    N_("%(actor)s %(where_zones)s, %(dist)s away, timing uncertain"),
    # A notice's note, as the evidence column lists it (jig.engine.exceptions).
    N_("from %(party)s, dated %(time)s, names the incident"),
    N_("from %(party)s, dated %(time)s, covers the location (%(dist)s from its centre)"),
    N_("timing uncertain"),
    # An exception not met, as the dossier and the UI list them (jig.engine.check): last, as
    # any exception's reason may follow its id.
    N_("the act's target (%(hit)s) is not %(targets)s"),
    N_("%(exception)s: %(why)s"),
)
# The outcomes of a verdict and of a finding, by their codes.
VERDICT_NAMES = {"breach": N_("breach"), "undetermined": N_("undetermined"),
                 "excepted": N_("excepted"), "complies": N_("complies"),
                 "not_applicable": N_("not applicable")}
# The ends of a window that has none (`jig.times.format_instant`: "open", "always").
UNBOUNDED = {"open": N_("open"), "always": N_("always")}
# The fields of the log's signed head a report was built on, by their names in the JSON
# (`GET /audit/head`), which the report shows beside them for checking.
AUDIT_HEAD_LABELS = {"tree_size": N_("Entries"), "root_hash": N_("Root hash"),
                     "timestamp": N_("Signed at"), "public_key": N_("Server key"),
                     "signature": N_("Signature")}
# What the terminal prints for people (`--lang`, jig.cli.words), by the English it prints:
# headings as the reports word them, and the terminal's own lines.
TERMINAL_WORDS = {
    "verdict": N_("Verdict"), "clause": N_("Clause"), "outcome": N_("Outcome"),
    "actor": N_("Actor"), "zone": N_("Zone"),
    "findings": N_("Number of findings"),  # the count column, not the list of findings
    "no clause applies": N_("no clause applies"),
    "findings by outcome, clause and actor": N_("findings by outcome, clause and actor"),
    "findings by outcome and zone": N_("findings by outcome and zone"),
    "incidents by verdict:": N_("incidents by verdict:"),
    # The commitments' block after the verdicts: its heading, and "due" before a deadline.
    "commitments": N_("Commitments"), "due": N_("due"),
}
# The evidence column's labels: what kind of evidence, and its id.
EVIDENCE_LABELS = {"notice": N_("notice %(id)s"), "incident": N_("incident %(id)s")}

# The steps of an explanation (`jig explain`, GET /incidents/{id}/explain, the UI's reasoning
# panel): the record as read, then each clause's steps, in the words of jig.engine.check and
# jig.engine.rules. Tried before the reasons above, the most specific first.
STEPS = (
    # A record that names two sides but not which acted, judged as the act of each
    # (jig.engine.sides): its finding's reason, then its steps. First of all the shapes, as
    # a reading's reason may end like a step ("... is not bound by this clause (...)").
    N_("%(reason)s; the record names two sides, not which acted, and as an act of %(actor)s it "
       "is the same"),
    N_("the record names two sides, not which acted: as an act of %(actor)s, %(outcome)s: "
       "%(reason)s; as an act of %(actor2)s, %(outcome2)s: %(reason2)s"),
    N_("the record names two sides, not which acted: judged as an act of %(actor)s, then of "
       "%(actor2)s"),
    # The verdict of such a record, over every clause (after the finding's shape it is a
    # shorter form of).
    N_("the record names two sides, not which acted: as an act of %(actor)s, %(outcome)s; as "
       "an act of %(actor2)s, %(outcome2)s"),
    N_("as an act of %(actor)s:"),
    N_("→ %(outcome)s, as the two readings together give it"),
    # A clause that covers only acts against some actors (`against`), and a record that does
    # not say whom the act hit, or names another.
    N_("%(reason)s; the record names no target, and this clause covers only acts against "
       "%(ids)s"),
    N_("its target %(actor)s is not one this clause protects (against: %(ids)s)"),
    N_("the target is %(ident)s, whom this clause protects"),
    N_("the record names no target; this clause covers only acts against %(ids)s"),
    N_("→ undetermined: the act may not be against a protected actor"),
    # The record as read.
    N_("incident %(incident)s (%(origin)s)"),
    N_("incident %(id)s"),
    N_("time %(quoted)s read as %(span)s (%(zone)s)"),
    N_("location %(coords)s, known to within %(dist)s"),
    N_("location %(coords)s, exact"),
    N_("actor: the record names none"),
    N_("target: the record names none"),
    N_("actor %(name)s → %(ident)s (by %(how)s)"),
    N_("target %(name)s → %(ident)s (by %(how)s)"),
    N_("actor %(name)s → no actor of the agreement"),
    N_("target %(name)s → no actor of the agreement"),
    N_("act %(act)s, weapon %(weapon)s"),
    N_("act %(act)s"),
    N_("the agreement is not in force at that time (in force from %(start)s until %(end)s): "
       "no clause applies"),
    # Who and what a clause binds.
    N_("→ not applicable: %(reason)s"),
    N_("judged on air-activity notices (jig deconflict), not on incidents"),
    N_("an obligation to act by a deadline, judged on status records, not on incidents"),
    N_("%(actor)s is not bound by this clause (bound: %(ids)s)"),
    N_("%(doubts)s; it might be one of the bound actors (%(ids)s)"),
    N_("actor %(name)s is %(ident)s (by %(how)s), bound by this clause"),
    N_("act %(act)s is covered (acts: %(acts)s)"),
    N_("act %(act)s is not one of %(acts)s"),
    N_("the kind of act is unknown; it might be one of %(acts)s"),
    N_("the record names no weapon"),
    N_("weapon %(weapon)s is one of the weapons the clause restricts"),
    N_("weapon %(weapon)s is not one of %(weapons)s"),
    N_("%(doubts)s, and it would comply in any case"),
    N_("→ undetermined: had a bound actor done it, the finding would be %(outcome)s"),
    N_("→ undetermined: were the act of a covered kind, the finding would be %(outcome)s"),
    N_("→ undetermined: were it a bound actor's act of a covered kind, the finding would be "
       "%(outcome)s"),
    N_("→ undetermined, p = %(prob)s"),
    # Where it lies.
    N_("zones selected (%(selector)s): %(ids)s; in effect at the time: %(ids2)s"),
    N_("no selected zone was in effect at the time"),
    N_("the location disc straddles edges, but %(joined)s together cover it → breach"),
    N_("the location lies inside %(id)s, %(dist)s from its edge → breach"),
    N_("the location lies outside every selected zone in effect; nearest %(id)s at %(dist)s → "
       "complies"),
    N_("protected sites in effect at the time: %(ids)s; within %(dist)s of the act: %(ids2)s"),
    N_("no protected site in effect lies within %(dist)s"),
    N_("the location lies within the protected radius of %(id)s → breach"),
    N_("the location lies outside every protected radius; nearest %(id)s → complies"),
    N_("targets in effect at the time: %(ids)s; agreed by every party: %(ids2)s"),
    N_("the location lies within the tolerance of agreed target %(id)s → complies"),
    N_("no agreed target was in effect at the time → breach"),
    N_("the location is outside every agreed target's tolerance; nearest %(id)s → breach"),
    # Each exception tried.
    N_("exception %(exception)s: not open to %(anyone)s (for: %(ids)s)"),
    N_("exception %(exception)s: does not apply: %(exception2)s: the act's target (%(hit)s) is "
       "not %(targets)s"),
    N_("exception %(exception)s: %(status)s: %(why)s"),
    N_("→ excepted under %(exception)s"),
    N_("no notice from %(parties)s naming %(exception)s for this incident or its location "
       "within %(hours)s (%(seen)s)"),
    N_("%(id)s is from %(party)s, which does not answer for %(actor)s"),
    N_("%(id)s covers %(dist)s around a point %(dist2)s away"),
    N_("%(id)s is dated %(time)s, more than %(hours)s after the act"),
    N_("no evidence: an incident by %(actor)s against %(targets)s %(where_zones)s, within "
       "%(dist)s and at most %(hours)s before the act"),
    N_("incident %(id)s shows %(actor)s %(where_zones)s, %(dist)s away, but may have happened "
       "after the act: it starts at %(time)s, after the act's start (%(time2)s), whose time is "
       "not known exactly"),
)

# Who did it: the act phrases of jig.engine.wording.
ACTS = {
    "air strike": N_("air strike by %(actor)s"), "shelling": N_("shelling by %(actor)s"),
    "ground attack": N_("ground attack by %(actor)s"), "explosion": N_("explosion by %(actor)s"),
    "act": N_("act by %(actor)s"), "act of unknown kind": N_("act of unknown kind by %(actor)s"),
    # Kinds of flight an air notice gives (docs/air.md); another kind stays as written.
    "transit": N_("transit by %(actor)s"), "patrol": N_("patrol by %(actor)s"),
    "unmanned": N_("unmanned by %(actor)s"), "flight": N_("flight by %(actor)s"),
}
WEAPON = N_("%(weapon)s of %(actor)s")
# Only ever the actor of an act phrase ("air strike by an unnamed actor"): a translation
# gives it in the form the phrase needs (Russian: the genitive).
UNNAMED = N_("an unnamed actor")
WORDS = {
    "what": {"zone": N_("zone"), "protected site": N_("protected site"),
             "agreed target": N_("agreed target")},
    "side": {"inside the zones": N_("inside the zones"),
             "within a protected radius": N_("within a protected radius"),
             "away from every agreed target": N_("away from every agreed target")},
    "where": {"inside": N_("inside"), "outside": N_("outside")},
    "outcome": {"breach": N_("breach"), "undetermined": N_("undetermined"),
                "excepted": N_("excepted"), "complies": N_("complies"),
                "not applicable": N_("not applicable")},
    "status": {"met": N_("met"), "unmet": N_("unmet"), "unsure": N_("unsure")},
    "anyone": {"an unidentified actor": N_("an unidentified actor")},
    "hit": {"not named": N_("not named")},
    # The kinds of act as records give them (jig.records.INCIDENT_ACTS).
    "act": {"air_strike": N_("air_strike"), "shelling": N_("shelling"),
            "ground_attack": N_("ground_attack"), "explosion": N_("explosion"),
            "other": N_("other"), "unknown": N_("unknown")},
}
# Parts of the steps' values.
NONE, ANY_ACT, AND = N_("none"), N_("any"), N_(" and ")
ACTOR_ID, PATTERN = N_("actor id"), N_("pattern %(pattern)s")
ALL_ZONES, ALL, KIND, ID = N_("all zones"), N_("all"), N_("kind %(kinds)s"), N_("id %(ids)s")
ZONES_ALL = N_("the zones")
ZONES_KIND = N_("the %(kinds)s zones")
ZONES_IDS = N_("zone %(ids)s")
INSIDE_ZONES, OUTSIDE_ZONES, ANYWHERE = N_("inside %(zones)s"), N_("outside %(zones)s"), \
    N_("anywhere")
KM, M, H = N_("%(n)s km"), N_("%(n)s m"), N_("%(n)s h")
# An air-desk conflict's margins: metres, feet and minutes inside the minima.
MARGINS = N_("%(m)s m, %(ft)s ft, %(min)s min")
SEPARATOR = N_("; ")
# Between the items of a list (ids, kinds of act): Arabic writes its own comma.
LIST_SEPARATOR = N_(", ")
# Where a record came from (jig.records.Origin), in the record's reading and the sources.
AT_LINE, AT_FEATURE = N_("%(file)s, line %(line)s"), N_("%(file)s, feature %(feature)s")

END_OF = N_("the end of %(date)s")
DAYS = ("%(num)s day", "%(num)s days")  # the template's ngettext msgid, translated there

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_PATTERNS = {
    "who": r"(?:\S+(?: \S+)* by (?:[\w-]+|'[^']*'|an unnamed actor)|\S+ of (?:[\w-]+|'[^']*'))",
    "dist": r"\d+(?:\.\d+)? k?m",
    "hours": r"\d+(?:\.\d+)? h",
    "p": r"[<>]?[\d.]+%",
    "what": "|".join(WORDS["what"]),
    "side": "|".join(WORDS["side"]),
    "where": "inside|outside",
    "exception": r"[\w.-]+",
    "id": r"\S+",
    "party": r"\S+",
    "span": r"\S+",
    "start": r"\S+",
    "end": r"\S+",
    "time": r"\S+",
    # Commitments: who is bound, a deadline, a status record as cited, a number of days.
    "bound": r"\S+",
    "due": r"the end of \d{4}-\d\d-\d\d|\S+",
    "said": r"[^;]+? \(\S+, \S+\)",  # one record: two claims are joined by "; "
    "days": r"\d+ days?",
    # The steps': an act's code, lists of ids, how an actor was matched, a probability.
    "act": r"\S+",
    "ident": r"\S+",
    "ids": r"none|[^\s,;]+(?:, [^\s,;]+)*",
    "acts": r"[^\s,;]+(?:, [^\s,;]+)*",
    "how": r"actor id|pattern '.*?'|pattern \".*?\"",
    "hit": r"not named|'.*?'|\".*?\"",
    "prob": r"[\d.e+-]+",
    "outcome": "|".join(WORDS["outcome"]),
    "status": "|".join(WORDS["status"]),
}


def _kind(name: str) -> str:
    return name.rstrip("0123456789")


def _regex(msgid: str) -> re.Pattern[str]:
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(msgid):
        out.append(re.escape(msgid[pos:m.start()]))
        out.append(f"(?P<{m[1]}>{_PATTERNS.get(_kind(m[1]), '.+?')})")
        pos = m.end()
    out.append(re.escape(msgid[pos:]))
    return re.compile("".join(out), re.DOTALL)


_COMPILED = tuple((msgid, _regex(msgid)) for msgid in STEPS + SENTENCES)


class _Translator:
    def __init__(self, lang: str):
        self.gettext: Callable[[str], str] = translations(lang).gettext
        self.ngettext: Callable[[str, str, int], str] = translations(lang).ngettext
        # The engine writes "5.3 km" and "0.4%"; a Russian reader writes 5,3 (as the report's
        # own counts are written, by Babel). The digits stay the engine's.
        self.decimal = get_decimal_symbol(lang)

    def number(self, text: str) -> str:
        return text.replace(".", self.decimal)

    def sentence(self, text: str) -> str | None:
        """A whole reason (or part of one) translated, or None if no shape fits."""
        for msgid, pattern in _COMPILED:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            values = {}
            for name, value in m.groupdict().items():
                got = self.value(_kind(name), value)
                if got is None:
                    break
                values[name] = got
            else:
                return self.gettext(msgid) % values
        # Parts a rule joins with "; " (reasons for doubt, requirements of an exception).
        start = 0
        while (i := text.find("; ", start)) >= 0:
            left, right = self.sentence(text[:i]), self.sentence(text[i + 2:])
            if left is not None and right is not None:
                return left + self.gettext(SEPARATOR) + right
            start = i + 2
        return None

    def value(self, kind: str, value: str) -> str | None:
        if kind in ("reason", "why", "doubts", "seen"):
            return self.sentence(value)
        if kind == "ids":
            return self.gettext(NONE) if value == "none" else \
                self.gettext(LIST_SEPARATOR).join(value.split(", "))
        if kind == "acts":  # a clause's kinds of act, by the names the records use
            return self.gettext(LIST_SEPARATOR).join(self.gettext(ANY_ACT) if a == "any" else
                             self.gettext(WORDS["act"][a]) if a in WORDS["act"] else a
                             for a in value.split(", "))
        if kind == "how":
            return self.gettext(ACTOR_ID) if value == "actor id" else \
                self.gettext(PATTERN) % {"pattern": value[len("pattern "):]}
        if kind == "joined":
            return self.gettext(AND).join(value.split(" and "))
        if kind == "selector":
            return self.selector(value)
        if kind == "who":
            return self.who(value)
        if kind == "dist":
            n, unit = value.split(" ")
            return self.gettext(KM if unit == "km" else M) % {"n": self.number(n)}
        if kind == "due" and value.startswith("the end of "):
            return self.gettext(END_OF) % {"date": value[len("the end of "):]}
        if kind == "days":
            n = int(value.split(" ")[0])
            return self.ngettext(*DAYS, n) % {"num": n}
        if kind == "hours":
            return self.gettext(H) % {"n": self.number(value.split(" ")[0])}
        if kind in ("p", "prob"):  # a share (35%) or a probability (0.35): the decimal sign
            return self.number(value)
        if kind == "origin":
            m = re.fullmatch(r"(.+), (line|feature) (\S+)", value)
            if m is None:
                return value
            msgid = AT_LINE if m[2] == "line" else AT_FEATURE
            return self.gettext(msgid) % {"file": m[1], m[2]: m[3]}
        if kind in WORDS:
            word = WORDS[kind].get(value)
            return self.gettext(word) if word is not None else value
        if kind == "zones":
            return self.zones(value)
        if kind == "where_zones":
            if value == "anywhere":
                return self.gettext(ANYWHERE)
            side, _, zones = value.partition(" ")
            return self.gettext(INSIDE_ZONES if side == "inside" else OUTSIDE_ZONES) % {
                "zones": self.zones(zones)}
        return value

    def selector(self, value: str) -> str:
        """Which zones a clause selects: 'all', 'all zones', 'kind a/b', 'id X', joined by
        'and'."""
        if value in ("all", "all zones"):
            return self.gettext(ALL if value == "all" else ALL_ZONES)
        parts = []
        for part in value.split(" and "):
            word, _, rest = part.partition(" ")
            parts.append(self.gettext(KIND) % {"kinds": rest} if word == "kind" else
                         self.gettext(ID) % {"ids": rest} if word == "id" else part)
        return self.gettext(AND).join(parts)

    def who(self, value: str) -> str | None:
        for act, msgid in ACTS.items():
            if value.startswith(act + " by "):
                actor = value[len(act) + 4:]
                return self.gettext(msgid) % {"actor": self.gettext(UNNAMED)
                                              if actor == UNNAMED else actor}
        weapon, sep, actor = value.partition(" of ")
        return self.gettext(WEAPON) % {"weapon": weapon, "actor": actor} if sep else None

    def zones(self, value: str) -> str:
        if value == "the zones":
            return self.gettext(ZONES_ALL)
        if value.startswith("zone "):
            return self.gettext(ZONES_IDS) % {"ids": value[5:]}
        m = re.fullmatch(r"the (\S+) zones(?: (\S+))?", value)
        if m is None:
            return value
        out = self.gettext(ZONES_KIND) % {"kinds": m[1]}
        return out + (f" {m[2]}" if m[2] else "")


@cache
def _translator(lang: str) -> _Translator:
    return _Translator(lang)


@lru_cache(maxsize=8192)
def translate_text(reason: str, lang: str) -> str | None:
    """`reason` in `lang`, or None when it has a shape the catalog does not know."""
    return _translator(lang).sentence(reason)


def translate_reason(finding: Finding, lang: str) -> str:
    """The finding's reason in `lang`; in English when its shape is unknown (never lost)."""
    if lang == "en":  # the engine's own words
        return finding.reason
    return translate_text(finding.reason, lang) or finding.reason


def incidents_change(n: int, lang: str) -> str:
    """`jig diff`'s count of the incidents whose verdict changes, in `lang` (Russian and
    Arabic have more plural forms than two)."""
    return translations(lang).ngettext("%(num)s incident changes", "%(num)s incidents change",
                                       n) % {"num": n}


def in_language(text: str, lang: str) -> str:
    """One of jig's sentences or words in `lang`; as jig wrote it when the catalog does not
    know its shape (never lost)."""
    return translate_phrase(text, lang) or text


@lru_cache(maxsize=8192)
def translate_phrase(text: str, lang: str) -> str | None:
    """A reason, an act phrase ("air strike by RU") or a word the catalog holds (a field's
    label, a status) in `lang`; None when the catalog knows none of them (the UI keeps the
    English then: never lost)."""
    if lang == "en":
        return text
    t = _translator(lang)
    got = t.sentence(text)
    if got is None and re.fullmatch(_PATTERNS["who"], text):
        got = t.who(text)
    if got is None:
        plain = t.gettext(text)
        got = plain if plain != text else None
    return got
