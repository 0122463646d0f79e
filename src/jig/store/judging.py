"""Judging what the store holds: which records a scope sees, the evidence and notices it
judges with, and judging again when evidence, notices or releases arrive late.

A scope is a party's headquarters (its workspace, the joint centre's records and everything
released) or the joint centre (its records and everything released). `Store` mixes this in.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np
from sqlalchemy import and_, bindparam, exists, func, literal_column, or_, select
from sqlalchemy.orm import Session

from jig.agreement import Agreement
from jig.engine import check, possible_evidence
from jig.engine.amendments import governing_windows, judge_versions, main_version, split
from jig.errors import RowError
from jig.findings import Verdict
from jig.geo import geodesic_m
from jig.readers.fields import to_incident, to_notice
from jig.records import Incident, Notice
from jig.store import bulk, cells, mapcounts, nearby
from jig.store.bulk import Revision
from jig.store.parsed import ParsedIncidents
from jig.store.tables import (
    AgreementVersion,
    FindingRecord,
    IncidentHead,
    IncidentRevision,
    NoticeHead,
    NoticeRevision,
    Release,
    VerdictHead,
    VerdictRecord,
)
from jig.times import Span, format_instant

JOINT = "joint"  # the shared centre's workspace and judging scope
# Revisions by row number, the list bound once (an IN of literal values was built and
# compiled again for every query).
LOAD = select(IncidentRevision).where(IncidentRevision.row.in_(bindparam("rows", expanding=True))
                                      ).order_by(IncidentRevision.row)
# Stored actor names listed in a search's condition, at most (see ActorNames).
MAX_NAMES = 500
# What a search returns of each row: all held by the cell index, so no table row is read.
SEARCHED = (IncidentRevision.row, IncidentRevision.actor, IncidentRevision.lon,
            IncidentRevision.lat, IncidentRevision.t_start, IncidentRevision.t_end)
# The same and the content hash, which reads the table's row (no record is decoded): asked
# for by a second query, the candidates' numbers made an IN list that cost more to build
# than the lookups.
HASHED = (*SEARCHED, IncidentRevision.content_hash)
# A record that names two sides but not which acted (`sides: either`, kept in clear).
TWO_SIDED = IncidentRevision.record["sides"].as_string() == "either"
# Acts longer than this (two days) are found through the partial index of migration 0007,
# whose condition is this text.
LONG_SPAN = "172800"
LONG_SPAN_S = float(LONG_SPAN)


def now() -> datetime:
    return datetime.now(UTC)


def _findings_hash(v: Verdict) -> str:
    return hashlib.sha256(json.dumps(v.as_dict()["findings"], sort_keys=True).encode()).hexdigest()


class Judging:
    """The judging half of `Store`, which provides `load(version)` and `writing()`."""

    load: Any
    catalog: Any
    parse_cache: ParsedIncidents
    _actor_names: dict[tuple[int, frozenset[str]], ActorNames]

    def _released_rows(self) -> Any:
        """The revision rows released last for each incident (a subquery)."""
        latest = select(func.max(Release.row)).group_by(Release.workspace,
                                                        Release.incident_id).scalar_subquery()
        return select(Release.incident_row).where(Release.row.in_(latest))

    def parse(self, row: Revision, tz: tzinfo) -> Incident:
        """A stored record as an incident (what `parse_cache` keeps)."""
        return to_incident(row.record, tz, stored=True)

    def _parsed(self, row: Revision, tz: tzinfo) -> Incident:
        key = (row.row, row.content_hash, tz)
        return self.parse_cache.get(key) or self.parse_cache.put(key, self.parse(row, tz))

    def _incidents(self, s: Session, hashes: dict[int, str], tz: tzinfo) -> list[Incident]:
        """These incident revisions (row number: content hash) as incidents, in row order: a
        record is read and decoded only when the process has not parsed it already."""
        found = {k: self.parse_cache.get((k, h, tz)) for k, h in hashes.items()}
        for r in self._load(s, [k for k, inc in found.items() if inc is None]):
            found[r.row] = self._parsed(r, tz)
        return [found[k] for k in sorted(found)]  # type: ignore[misc]

    def notices(self, s: Session, agreement: Agreement,
                barred: frozenset[tuple[str, str]] = frozenset()) -> list[Notice]:
        """Every notice, as of its newest revision, but those `barred` (see barred_notices)."""
        rows = s.scalars(select(NoticeRevision).join(NoticeHead,
                                                     NoticeHead.row == NoticeRevision.row))
        return self._as_notices((r.record for r in rows if (r.record.get("party"),
                                                             r.record.get("id")) not in barred),
                                agreement)

    @staticmethod
    def _as_notices(records: Iterable[dict[str, Any]], agreement: Agreement) -> list[Notice]:
        """Stored notice records as `agreement` reads them (those it cannot read left out)."""
        out = []
        for record in records:
            try:
                out.append(to_notice(record, agreement.tz, parties=set(agreement.parties),
                                     exceptions=set(agreement.exceptions)))
            except RowError:
                continue  # a notice for another agreement's parties or exceptions
        return out

    def barred_notices(self, s: Session, rows: Sequence[Revision]
                       ) -> list[frozenset[tuple[str, str]]]:
        """For each row, the notices (party, id) naming its incident that must leave it alone.
        A notice naming an incident is its party's act on a record that party can see: its
        own, the joint centre's, or one released to the joint centre. Ids are scoped by
        workspace, so another party's unreleased record with the same id is another record,
        and a notice naming it by chance must not change its verdict."""
        named: dict[str, list[tuple[str, str]]] = {}
        for n in s.scalars(select(NoticeRevision).join(NoticeHead,
                                                       NoticeHead.row == NoticeRevision.row)):
            record = n.record
            if record.get("incident"):
                named.setdefault(record["incident"], []).append((record["party"], record["id"]))
        none: frozenset[tuple[str, str]] = frozenset()
        suspect = {r.incident_id for r in rows
                   if r.incident_id in named and r.workspace != JOINT}
        if not suspect:
            return [none] * len(rows)
        released: set[tuple[str, str]] = set()
        for ids in chunks(sorted(suspect), 500):
            released.update(s.execute(select(Release.workspace, Release.incident_id)
                                      .where(Release.incident_id.in_(ids))).all())
        return [frozenset(k for k in named[r.incident_id] if k[0] != r.workspace)
                if r.incident_id in suspect and (r.workspace, r.incident_id) not in released
                else none for r in rows]

    def visible_parts(self, scope: str) -> list[Any]:
        """Conditions on IncidentRevision: the rows a scope sees, as separate conditions (own
        rows, released rows), each searched on its own (under an OR, SQLite read every row of
        the workspace instead of a time range). A party's headquarters sees its own newest
        revisions and the joint centre's; the joint centre its own and those released to it."""
        spaces = (JOINT,) if scope == JOINT else (scope, JOINT)
        return [and_(is_head(), IncidentRevision.workspace.in_(spaces)),
                and_(IncidentRevision.row.in_(self._released_rows()),
                     IncidentRevision.workspace != scope)]

    def _search(self, s: Session, parts: list[Any], *where: Any,
                boxes: Sequence[tuple[float, float, float, float]] = (),
                columns: Sequence[Any] = SEARCHED) -> dict[int, Any]:
        """The rows meeting `where` and any of `parts`, each part one query, and when `boxes`
        are given lying in one of them, by row number: their actor, time and place. Columns
        only (all in the cell index): callers narrow by actor, distance (and verdict) before
        a record is read and decoded, which was most of a single intake's cost in a dense
        store."""
        if boxes:
            # Searched cell by cell through the cell index (see `cells`); the boxes are
            # still tested on the columns, which the index holds.
            near = cells.cells_in(boxes)
            if near is not None:
                where += (cells.in_cells(s.get_bind().dialect.name, near),)
        rows: dict[int, Any] = {}
        for part in parts:
            rows.update((r.row, r) for r in s.execute(select(*columns).where(part, *where)))
        return rows

    def _load(self, s: Session, rows: Iterable[int]) -> list[IncidentRevision]:
        """These incident revisions, by row number."""
        out: list[IncidentRevision] = []
        for chunk in chunks(sorted(rows), 500):
            out += s.scalars(LOAD, {"rows": chunk})
        return out

    def evidence(self, s: Session, agreement: Agreement, t_from: float, t_to: float,
                 scope: str = JOINT, near: Sequence[Incident] = ()) -> list[Incident]:
        """Incidents the scope sees that could be evidence for the acts `near` (for any act
        between t_from and t_to anywhere, when none is given): by an evidence actor, within
        an evidence requirement's time and distance of one of the acts. Found through the
        cell index and decided from the columns it holds, so that the cost of judging one
        record does not grow with the store (reading and parsing every incident of a 72-hour
        window made intake 7x slower at 20,000 incidents), and only incidents the engine can
        use are read and parsed."""
        actors = agreement.evidence_actors()
        reqs = [e.evidence for e in agreement.exceptions.values() if e.evidence is not None]
        if not actors or not reqs:
            return []
        before = max(r.before_s for r in reqs)
        reach = max(r.within_m for r in reqs)
        by = self.actor_names(agreement, actors)
        found: dict[int, Any] = {}
        for t0, t1, acts in nearby.groups(near, before, reach) if near else [(t_from, t_to, ())]:
            where = [IncidentRevision.t_start >= t0 - before, IncidentRevision.t_start <= t1]
            # A box around each act, a little wider than the reach: a candidate outside
            # them all cannot be evidence.
            boxes = [nearby.bbox_around(x.lon, x.lat, reach * 1.01 + 100.0) for x in acts]
            if boxes:
                where += [IncidentRevision.lon >= min(b[0] for b in boxes),
                          IncidentRevision.lat >= min(b[1] for b in boxes),
                          IncidentRevision.lon <= max(b[2] for b in boxes),
                          IncidentRevision.lat <= max(b[3] for b in boxes)]
            found.update(self._search(s, self.visible_parts(scope), *where, *by.condition(),
                                      boxes=boxes, columns=HASHED))
        rows = [r for r in found.values() if by(r.actor)]
        if near:
            rows = nearby.within_reach(rows, near, before, reach)
        return self._incidents(s, {r.row: r.content_hash for r in rows}, agreement.tz)

    def actor_names(self, agreement: Agreement, ids: Iterable[str]) -> ActorNames:
        """The process's ActorNames for these actors of this agreement (an agreement version
        is parsed once per process, see `versions`)."""
        key = (id(agreement), frozenset(ids))
        hit = self._actor_names.get(key)
        if hit is None or hit.agreement is not agreement:
            hit = self._actor_names[key] = ActorNames(agreement, key[1])
        return hit

    def history(self, s: Session, agreement_id: str) -> list[AgreementVersion]:
        """Every version of an agreement, in the order they were made."""
        return self.catalog.history(s, agreement_id)

    def governing(self, s: Session, version: AgreementVersion, span: Span) -> AgreementVersion:
        """The version of `version`'s agreement governing most of the span (ruling 9)."""
        history = self.history(s, version.agreement_id) or [version]
        parts = split(span, governing_windows([v.effective_from.timestamp() for v in history]))
        return history[main_version(parts)] if parts else version

    def governing_versions(self, at: float) -> list[AgreementVersion]:
        """The version of each agreement that governs acts at instant `at` (ruling 9)."""
        with self.sessions() as s:  # type: ignore[attr-defined]
            return self.catalog.governing(s, at)

    def _judge_rows(self, s: Session, version: AgreementVersion, rows: Sequence[Revision],
                    only_if_changed: bool, scope: str = JOINT) -> int:
        """Judge rows under the versions of `version`'s agreement in effect at their times
        (ruling 9: amendments are not retroactive), each verdict recorded under the version
        that governs most of the act's time."""
        if not rows:
            return 0
        history = self.history(s, version.agreement_id) or [version]
        windows = governing_windows([v.effective_from.timestamp() for v in history])
        tz = self.load(version).tz
        incidents = [self._parsed(r, tz) for r in rows]
        labels = [f"version {v.version}" + (f" (in force from {format_instant(w.start, tz)})"
                                            if math.isfinite(w.start) else "")
                  for v, w in zip(history, windows, strict=True)]
        groups: dict[frozenset[tuple[str, str]], list[int]] = {}
        for k, bar in enumerate(self.barred_notices(s, rows)):
            groups.setdefault(bar, []).append(k)
        judged: list[tuple[Verdict, int]] = [None] * len(rows)  # type: ignore[list-item]
        for bar, ks in groups.items():  # nearly always one group: no notice barred
            def judge(i: int, part: list[Incident], bar: frozenset = bar) -> list[Verdict]:
                agreement = self.load(history[i])
                pool = self.evidence(s, agreement, min(x.span.start for x in part),
                                     max(x.span.end for x in part), scope, near=part)
                return check(agreement, part, self.notices(s, agreement, bar), evidence=pool)

            for k, out in zip(ks, judge_versions([incidents[k] for k in ks], windows, labels,
                                                 judge), strict=True):
                judged[k] = out
        return self._record_verdicts(s, [history[i] for _, i in judged], rows,
                                     [v for v, _ in judged], only_if_changed, scope)

    def _record_verdicts(self, s: Session, versions: Sequence[AgreementVersion],
                         rows: Sequence[Revision], verdicts: Sequence[Verdict],
                         only_if_changed: bool, scope: str = JOINT) -> int:
        """Record each row's verdict (under the version of one agreement that judged it) and
        its findings, and move its head: the heads and current verdicts read in a few queries,
        the new records flushed together (a query and a flush per verdict made intake
        11x slower than judging to JSON Lines)."""
        if not rows:
            return 0
        agreement_id = versions[0].agreement_id
        # Keyed by workspace and id: ids are scoped, and one scope judges several workspaces'.
        heads: dict[tuple[str, str], VerdictHead] = {}
        for chunk in chunks(sorted({r.incident_id for r in rows}), 500):
            heads.update({(h.workspace, h.incident_id): h for h in s.scalars(select(VerdictHead).where(
                VerdictHead.incident_id.in_(chunk),
                VerdictHead.agreement_id == agreement_id, VerdictHead.scope == scope))})
        current: dict[int, VerdictRecord] = {}
        if only_if_changed:
            for chunk in chunks(sorted({h.verdict_row for h in heads.values()}), 500):
                current.update({v.row: v for v in s.scalars(
                    select(VerdictRecord).where(VerdictRecord.row.in_(chunk)))})
        todo: list[tuple[Revision, Verdict, dict[str, Any]]] = []
        # Unchanged findings are skipped against the head as it stands before this batch, and
        # as earlier rows of the batch move it.
        moved: dict[tuple[str, str], tuple[int, str]] = {}
        for row, verdict, version in zip(rows, verdicts, versions, strict=True):
            fh = _findings_hash(verdict)
            key = (row.workspace, row.incident_id)
            if only_if_changed:
                was = moved.get(key)
                if was is None and key in heads:
                    head = heads[key]
                    cur = current.get(head.verdict_row)
                    was = (head.incident_row, cur.findings_hash) if cur is not None and \
                        cur.agreement_row == version.row else None
                if was == (row.row, fh):
                    continue
            moved[key] = (row.row, fh)
            todo.append((row, verdict, dict(
                incident_row=row.row, agreement_row=version.row,
                agreement_hash=version.content_hash, incident_id=row.incident_id,
                verdict=verdict.verdict, actor_id=self.load(version).match_actor(row.actor)[0],
                findings_hash=fh, judged_at=now(), scope=scope)))
        if not todo:
            return 0
        mapcounts.move(s, agreement_id, scope, heads, [(r, v.verdict) for r, v, _ in todo])
        # In bulk: a few INSERTs for all the verdicts, their findings and new heads (an ORM
        # object per row cost more than judging); `bulk` logs every row as the ORM would.
        made = [t[2] for t in todo]
        bulk.insert_rows(s, VerdictRecord, made)
        findings: list[dict[str, Any]] = []
        new_heads: dict[tuple[str, str], dict[str, Any]] = {}
        for (row, verdict, _), vr in zip(todo, made, strict=True):
            for f in verdict.findings:
                d = f.as_dict()
                detail = {k: v for k, v in d.items()
                          if k not in ("clause", "outcome", "reason", "p")}
                findings.append({"verdict_row": vr["row"], "clause": f.clause,
                                 "outcome": f.outcome, "reason": f.reason, "p": f.p,
                                 "detail": detail})
            key = (row.workspace, row.incident_id)
            head = heads.get(key)
            if head is not None:
                head.verdict_row, head.incident_row = vr["row"], row.row
            else:
                new_heads[key] = {"incident_id": row.incident_id, "agreement_id": agreement_id,
                                  "scope": scope, "workspace": row.workspace,
                                  "verdict_row": vr["row"], "incident_row": row.row}
        bulk.insert_rows(s, FindingRecord, findings)
        bulk.insert_rows(s, VerdictHead, list(new_heads.values()))
        return len(todo)

    def _heads_in(self, s: Session, t_from: float, t_to: float,
                  bbox: tuple[float, float, float, float] | None, scope: str
                  ) -> list[IncidentRevision]:
        return self._load(s, self._head_rows_in(s, t_from, t_to, bbox, scope))

    def _head_rows_in(self, s: Session, t_from: float, t_to: float,
                      bbox: tuple[float, float, float, float] | None, scope: str,
                      *more: Any, columns: Sequence[Any] = SEARCHED) -> dict[int, Any]:
        """Rows judged in `scope` (its own workspace's, or for the joint centre also the
        released ones) whose time overlaps a window, in a box, meeting `more`. Two index searches: acts of
        up to LONG_SPAN_S start at most that long before the window (a bounded range of the
        time index, where `t_start <= t_to` alone read every earlier record), longer ones
        come from their own small index."""
        parts = self.visible_parts(JOINT) if scope == JOINT else \
            [and_(is_head(), IncidentRevision.workspace == scope)]
        where = [IncidentRevision.t_end >= t_from, IncidentRevision.t_start <= t_to, *more]
        boxes = [bbox] if bbox is not None else []
        if bbox is not None:
            where += [IncidentRevision.lon >= bbox[0], IncidentRevision.lat >= bbox[1],
                      IncidentRevision.lon <= bbox[2], IncidentRevision.lat <= bbox[3]]
        # Written as the partial index's condition, literally: the planners match its text.
        long_ = IncidentRevision.t_end - IncidentRevision.t_start > literal_column(LONG_SPAN)
        return self._search(s, parts, *where, IncidentRevision.t_start >= t_from - LONG_SPAN_S,
                            boxes=boxes, columns=columns) | \
            self._search(s, parts, *where, long_, columns=columns)

    def _rejudge_for_evidence(self, s: Session, version: AgreementVersion,
                              rows: Iterable[Revision], scope: str) -> None:
        """A report that arrives after the act it excuses: re-judge the acts it could excuse
        (by an actor an exception is for, with a finding an exception could change)."""
        agreement = self.load(version)
        actors = agreement.evidence_actors()
        reqs = [e.evidence for e in agreement.exceptions.values() if e.evidence is not None]
        if not actors or not reqs:
            return
        excusable = frozenset(a for e in agreement.exceptions.values() for a in e.for_)
        before = max(r.before_s for r in reqs)
        reach = max(r.within_m for r in reqs)
        rows = list(rows)
        fresh = {r.row for r in rows}
        evidence, excused = (self.actor_names(agreement, actors),
                             self.actor_names(agreement, excusable))
        # A new record that meets no evidence requirement by itself (its actor, target, side
        # of the zones) can excuse nothing: the acts near it were re-judged for nothing (8 a
        # record, none changed, in the load bench). A correction is searched for all the
        # same: the revision it replaces may have excused them.
        by_actor = [r for r in rows if evidence(r.actor)]
        usable = possible_evidence(agreement, [self._parsed(r, agreement.tz) for r in by_actor])
        targets: set[int] = set()
        for r, alone in zip(by_actor, usable, strict=True):
            if r.revision == 1 and not alone:
                continue
            # A record naming two sides but not which acted is judged as its target's act too,
            # whom an exception may be for: its actor column says nothing of that.
            cond = excused.condition()
            found = self._head_rows_in(s, r.t_start, r.t_start + before,
                                       nearby.bbox_around(r.lon, r.lat, reach), scope,
                                       *((or_(*cond, TWO_SIDED),) if cond else ()),
                                       columns=(*SEARCHED, TWO_SIDED.label("two_sided")))
            # Only acts `r` can be evidence for, by the engine's test (`nearby.within_reach`): in
            # their time window, within the reach.
            acts = [x for k, x in found.items() if k not in fresh
                    and (excused(x.actor) or x.two_sided)
                    and x.t_start - before <= r.t_start <= x.t_end]
            if acts:
                d = geodesic_m(r.lon, r.lat, np.array([x.lon for x in acts]),
                               np.array([x.lat for x in acts]))
                targets.update(x.row for x, far in zip(acts, d > reach * (1 + 1e-9),
                                                       strict=True) if not far)
        if targets:
            open_ = self._open_findings(s, version, sorted(targets), scope)
            self._judge_rows(s, version, self._load(s, open_), only_if_changed=True,
                             scope=scope)

    def _open_findings(self, s: Session, version: AgreementVersion, rows: list[int],
                       scope: str) -> set[int]:
        """Of these incident revisions, those whose current verdict an exception could change."""
        out: set[int] = set()
        for chunk in chunks(rows, 500):
            out.update(s.scalars(select(VerdictHead.incident_row).join(
                VerdictRecord, VerdictRecord.row == VerdictHead.verdict_row).where(
                VerdictHead.agreement_id == version.agreement_id, VerdictHead.scope == scope,
                VerdictHead.incident_row.in_(chunk),
                VerdictRecord.verdict.in_(("breach", "undetermined")))))
        return out

    def _rejudge_for_notice(self, s: Session, version: AgreementVersion, n: Notice,
                            scopes: Iterable[str]) -> None:
        """A notice is joint: what it names or covers is judged again wherever it is judged
        (in `scopes`: the caller writes each party's view in an entry of its own)."""
        agreement = self.load(version)
        exc = agreement.exceptions.get(n.exception)
        if exc is None or exc.notice is None:
            return
        for scope in scopes:
            if n.incident is not None:
                parts = self.visible_parts(JOINT) if scope == JOINT else \
                    [and_(is_head(), IncidentRevision.workspace == scope)]
                targets = self._load(s, self._search(
                    s, parts, IncidentRevision.incident_id == n.incident))
            else:
                assert n.lon is not None and n.lat is not None
                targets = self._heads_in(s, n.span.start - exc.notice.within_s, math.inf,
                                         nearby.bbox_around(n.lon, n.lat, n.radius_m), scope)
            targets = [r for r, bar in zip(targets, self.barred_notices(s, targets),
                                           strict=True) if (n.party, n.id) not in bar]
            self._judge_rows(s, version, targets, only_if_changed=True, scope=scope)

    def _scopes(self, s: Session) -> list[str]:
        """Every view an incident is judged in: the joint centre and each party's workspace,
        whether or not it holds a record (which one does is not for the others to learn)."""
        spaces = set(s.scalars(select(IncidentRevision.workspace).distinct()))
        parties = {x for v in self.current_versions(s=s) for x in self.load(v).parties}
        return sorted(spaces | parties | {JOINT})


def is_head() -> Any:
    """A condition on IncidentRevision: the row is its incident's newest revision. A lookup
    in the heads' index for each candidate row (`row IN (SELECT row FROM incident_heads)` read
    every head of the store for every query)."""
    return exists().where(IncidentHead.row == IncidentRevision.row)


class ActorNames:
    """Whether a stored actor name is one of an agreement's actors `ids`, each name matched
    once and remembered for the process (a store holds few distinct names): a search then
    asks the database only for rows by a name among them or by a name not met yet, and gets
    back no row the caller would drop (two thirds of the rows near a record, in the bench)."""

    def __init__(self, agreement: Agreement, ids: Iterable[str]):
        self.agreement, self.wanted = agreement, frozenset(ids)
        self.seen: dict[str, bool] = {}

    def __call__(self, actor: str | None) -> bool:
        if actor is None:
            return False  # matches no actor
        hit = self.seen.get(actor)
        if hit is None:
            hit = self.seen[actor] = self.agreement.match_actor(actor)[0] in self.wanted
        return hit

    def condition(self) -> tuple[Any, ...]:
        """Conditions on IncidentRevision: the actor is among `ids` or not met yet (none when
        too many names were met to list them in a query)."""
        met = list(self.seen.items())  # a copy: other threads add names
        if not met or len(met) > MAX_NAMES:
            return ()
        return (or_(IncidentRevision.actor.in_([n for n, ok in met if ok]),
                    IncidentRevision.actor.not_in([n for n, _ in met])),)


def chunks(items: list, size: int) -> Iterable[list]:
    for k in range(0, len(items), size):
        yield items[k:k + size]
