"""The store: agreements as versions, records as revisions, verdicts as decision records.

Every write happens in one transaction with the judging it causes: a record is stored with its
verdicts or not at all, and once `add_incidents` returns, both are on disk. Judging calls the
pure engine with what the store holds: the agreement version, the notices, and the incidents
that could be evidence (by the evidence actors, in the time window that matters).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from jig.agreement import Agreement
from jig.records import Incident, Notice
from jig.store import audit, bulk, mapcounts, sealing
from jig.store.bulk import Revision, RevisionRow
from jig.store.db import make_engine, migrate
from jig.store.judging import JOINT, Judging, chunks, now
from jig.store.keys import Keys
from jig.store.parsed import ParsedIncidents
from jig.store.records import content_hash, incident_record, notice_record
from jig.store.revisions import Stored, store_revision
from jig.store.secrets import workspace_secret
from jig.store.tables import (
    AgreementVersion,
    IncidentHead,
    IncidentRevision,
    NoticeHead,
    NoticeRevision,
    Release,
    WorkspaceSecret,
)
from jig.store.together import Together
from jig.store.versions import Catalog
from jig.times import zone_info

DAY = 86_400.0
CONFLICT_RETRIES = 8
T = TypeVar("T")
# PostgreSQL's unique violation, serialization failure and deadlock: a concurrent writer won.
CONFLICT_STATES = frozenset({"23505", "40001", "40P01"})


def conflict(exc: DBAPIError) -> bool:
    """Whether a failed transaction lost a race to a concurrent one (worth running again)."""
    state = getattr(exc.orig, "sqlstate", None)
    if state is not None:
        return state in CONFLICT_STATES
    # SQLite: another process held the write lock past the busy timeout, or took the id.
    text = str(exc.orig)
    return (isinstance(exc, IntegrityError) and "UNIQUE" in text) or "database is locked" in text



class Store(Judging):
    def __init__(self, engine: Engine, default_timezone: str = "UTC", keys: Keys | None = None):
        self.engine = engine
        self.log = audit.TreeCache()
        self._keys = keys
        # Every session carries what writing the log needs; every write goes into the log.
        info = {audit.LOG: audit.Log(self.log, keys)} if keys is not None else {}
        self.sessions = sessionmaker(engine, expire_on_commit=False, info=info)
        audit.watch(self.sessions)
        mapcounts.watch(self.sessions)  # after the log's: its lock first
        self.default_tz = zone_info(default_timezone)
        self.catalog = Catalog()
        self.parse_cache = ParsedIncidents()
        self._actor_names = {}
        # SQLite has one writer: queueing writers here is fairer and faster than letting them
        # collide and sleep in SQLite's busy handler.
        self._writing = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self._together = Together(self.transaction, self._add_incidents)

    def writing(self) -> AbstractContextManager[Session]:
        """A write transaction (serialised on SQLite)."""
        return _Writing(self)

    def transaction(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in a write transaction, run again from the start when it collided
        with a concurrent one: two servers taking the same new id at once both insert it, and
        the loser's unique violation would otherwise be a 500 where the answer is
        "unchanged". On the second run the winner's rows are there to be found."""
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                with self.writing() as s:
                    return work(s)
            except DBAPIError as exc:
                if attempt == CONFLICT_RETRIES or not conflict(exc):
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def open(cls, url: str, sqlite_synchronous: str = "FULL", default_timezone: str = "UTC",
             key_folder: Path | None = None, server_key: Path | None = None,
             at_rest: Mapping[str, bytes] | None = None, pool_size: int = 20) -> Store:
        """Open (and migrate) the store at `url`. Signing keys live in `key_folder`: by
        default the SQLite file's folder; a PostgreSQL store needs one named to sign.
        `at_rest`: workspaces' keys for their withheld fields (`sealing`). `pool_size`: the
        PostgreSQL connections, at least the threads that use the store at once."""
        engine = make_engine(url, sqlite_synchronous, pool_size)
        migrate(engine)
        sealing.configure(engine, at_rest or {})
        if key_folder is None and url.startswith("sqlite:///") and not url.endswith(":memory:"):
            key_folder = Path(url.split("///", 1)[1]).parent
        store = cls(engine, default_timezone,
                    Keys(key_folder, server_key) if key_folder is not None else None)
        audit.snapshot_if_upgraded(store.sessions)
        # Commitment secrets joined the log after it bound the other tables.
        audit.adopt(store.sessions, WorkspaceSecret)
        return store

    @property
    def keys(self) -> Keys:
        if self._keys is None:
            raise LookupError("this store has no key folder: open it with one (jig serve "
                              "--data) to sign heads and determinations")
        return self._keys

    def close(self) -> None:
        self.engine.dispose()

    # -- agreements -------------------------------------------------------------------------

    def load(self, version: AgreementVersion) -> Agreement:
        """A version parsed (once per content hash in this process)."""
        a = self.catalog.parsed(version)
        if a is None:
            with self.sessions() as s:  # a version not listed yet: never inside a write
                self.catalog.rows(s)
            a = self.catalog.parsed(version)
            if a is None:
                raise KeyError(f"agreement version {version.row} is not stored")
        return a

    def document(self, version: AgreementVersion) -> str:
        """A version's stored document (read only when asked for: it can be megabytes)."""
        with self.sessions() as s:
            return s.scalar(select(AgreementVersion.document).where(
                AgreementVersion.row == version.row)) or ""

    def add_agreement(self, agreement: Agreement, document: str,
                      effective_from: datetime | None = None, user: str = "local"
                      ) -> tuple[AgreementVersion, bool]:
        """Store a new version (or find the same content stored before: returns created=False).
        Servers started together with the same agreement store it once."""
        row, created = self.transaction(
            lambda s: self.add_agreement_in(s, agreement, document, effective_from, user))
        self.agreement_added(row, agreement, created, user)
        return row, created

    def agreement_added(self, row: AgreementVersion, agreement: Agreement, created: bool,
                        user: str) -> None:
        """What follows a version's commit: the catalog knows it, and if it is in force now
        its deadlines are judged."""
        self.catalog.remember(row, agreement)
        if created and row.effective_from <= now():
            from jig.store.commitments import rejudge_commitments  # builds on Store

            rejudge_commitments(self, row, user)

    def add_agreement_in(self, s: Session, agreement: Agreement, document: str,
                         effective_from: datetime | None, user: str
                         ) -> tuple[AgreementVersion, bool]:
        """`add_agreement` inside the caller's transaction (call `agreement_added` after its
        commit)."""
        same = s.scalar(select(AgreementVersion).where(
            AgreementVersion.agreement_id == agreement.id,
            AgreementVersion.content_hash == agreement.content_hash))
        if same is not None:
            return same, False
        last = s.scalar(select(func.max(AgreementVersion.version)).where(
            AgreementVersion.agreement_id == agreement.id)) or 0
        eff = effective_from or now()
        row = AgreementVersion(agreement_id=agreement.id, version=last + 1,
                               content_hash=agreement.content_hash, title=agreement.title,
                               document=document, created_at=now(),
                               effective_from=eff if eff.tzinfo else eff.replace(tzinfo=UTC))
        s.add(row)
        s.flush()
        audit.append(s, user, "agreement", f"agreement {agreement.id}",
                     {"version": last + 1, "content_hash": agreement.content_hash})
        return row, True

    def agreement_ids(self) -> list[str]:
        """Every agreement the store holds a version of, in force yet or not."""
        with self.sessions() as s:
            return sorted({r.agreement_id for r in self.catalog.rows(s)})

    def versions(self, agreement_id: str) -> list[AgreementVersion]:
        with self.sessions() as s:
            return self.catalog.history(s, agreement_id)

    def current_versions(self, at: datetime | None = None, s: Session | None = None
                         ) -> list[AgreementVersion]:
        """The version of each agreement in force at `at` (now): the newest effective by then.
        Inside a transaction, pass its session: a second connection is never taken."""
        if s is not None:
            return self.catalog.current(s, at or now())
        with self.sessions() as s:
            return self.catalog.current(s, at or now())

    def version(self, agreement_id: str | None, number: int | None = None,
                s: Session | None = None) -> AgreementVersion:
        """A given version, or the current one; `agreement_id` may be omitted when the store
        holds one agreement. KeyError says what is there. `s`: read through this session."""
        current = self.current_versions(s=s)
        if agreement_id is None:
            if len(current) != 1:
                raise KeyError("name the agreement: the store holds "
                               + (", ".join(v.agreement_id for v in current) or "none"))
            agreement_id = current[0].agreement_id
        if number is None:
            found = [v for v in current if v.agreement_id == agreement_id]
        else:
            found = [v for v in self.versions(agreement_id) if v.version == number]
        if not found:
            raise KeyError(f"no agreement {agreement_id!r}"
                           + (f" version {number}" if number is not None else ""))
        return found[0]

    def intake_tz(self, s: Session | None = None) -> tzinfo:
        """Times without a zone are read in the current agreement's timezone (the first, when
        several), or the store's default timezone when it holds none. `s`: read through this
        session."""
        current = self.current_versions(s=s)
        return self.load(current[0]).tz if current else self.default_tz

    # -- intake -----------------------------------------------------------------------------

    def add_incidents(self, incidents: Sequence[Incident], origin: str | None = None,
                      workspace: str = JOINT, user: str = "local",
                      read_in: tzinfo | None = None) -> list[Stored]:
        """Store incidents (idempotent by content) in a workspace and judge the new revisions
        with what that workspace sees, atomically, with an audit entry. Ids are the
        workspace's own: the same id in another workspace is another incident. Small intakes
        made at the same moment from several threads share a transaction (`together`).

        `read_in`: the time zone the incidents were read in from records of format 1 (the
        readers' incidents, `to_incident`): judging in that zone then takes them as they
        are, without reading each stored record back into what it would give again. Only
        for incidents that are what their stored record reads back to in that zone
        (`tests/test_bulk_intake.py` pins it for the readers): anything else would be judged
        as given, not as stored, into a verdict that judging the stored record again (when
        a new version of the agreement is stored, `rejudge`) would not give."""
        return self._together.add_incidents(incidents, origin, workspace, user, read_in)

    def _add_incidents(self, s: Session, incidents: Sequence[Incident], origin: str | None,
                       workspace: str, user: str, read_in: tzinfo | None = None
                       ) -> list[Stored]:
        fresh: list[RevisionRow] = []
        given: list[Incident] = []  # fresh's incidents
        out: list[Stored] = []
        ids = list({inc.id for inc in incidents})
        secret = workspace_secret(s, workspace)
        records = [(inc, incident_record(inc)) for inc in incidents]
        hashes = [content_hash(r, secret) for _, r in records]
        known: dict[tuple[str, str], Revision] = {}
        last: dict[str, int] = {}
        heads: dict[str, IncidentHead] = {}
        for chunk in chunks(ids, 500):
            for r in s.scalars(select(IncidentRevision).where(
                    IncidentRevision.workspace == workspace,
                    IncidentRevision.incident_id.in_(chunk))):
                known[(r.incident_id, r.content_hash)] = r
                last[r.incident_id] = max(last.get(r.incident_id, 0), r.revision)
            heads.update({h.incident_id: h for h in s.scalars(select(IncidentHead).where(
                IncidentHead.workspace == workspace, IncidentHead.incident_id.in_(chunk)))})
        # Each id's head as the batch goes: a content stored before is `unchanged` only when
        # it is the head's; an earlier revision's is restored (the head goes back to it).
        by_row = {r.row: r for r in known.values()}
        current: dict[str, Revision] = {i: by_row[h.row] for i, h in heads.items()
                                        if h.row in by_row}
        restored: list[Revision] = []
        received = now()
        for (inc, record), h in zip(records, hashes, strict=True):
            same = known.get((inc.id, h))
            if same is not None:
                if current.get(inc.id) is same:
                    out.append(Stored(inc.id, "unchanged", same.revision, same.row))
                else:
                    current[inc.id] = same
                    restored.append(same)
                    out.append(Stored(inc.id, "restored", same.revision, same.row))
                continue
            revision = last.get(inc.id, 0) + 1
            row = RevisionRow(
                incident_id=inc.id, revision=revision, content_hash=h, record=record,
                lon=inc.lon, lat=inc.lat, precision_m=inc.precision_m,
                t_start=inc.span.start, t_end=inc.span.end, actor=inc.actor,
                received_at=received,
                origin=origin or (str(inc.origin) if inc.origin else None),
                workspace=workspace)
            known[(inc.id, h)] = row
            last[inc.id] = revision
            current[inc.id] = row
            fresh.append(row)
            given.append(inc)
            out.append(Stored(inc.id, "stored" if revision == 1 else "revised", revision, 0))
        # In bulk (a few statements a batch, not an ORM object a row), each row still logged.
        values = [r.values(sealing.as_stored(s, r)) for r in fresh]
        bulk.insert_rows(s, IncidentRevision, values)
        for row, v, inc in zip(fresh, values, given, strict=True):
            row.row = v["row"]
            if read_in is not None:  # where it came from is not part of what it says
                self.parse_cache.put((row.row, row.content_hash, read_in),
                                     replace(inc, origin=None, extra=dict(inc.extra)))
        new_heads: dict[str, dict[str, object]] = {}
        for ident in dict.fromkeys([r.incident_id for r in (*fresh, *restored)]):
            head = heads.get(ident)
            if head is not None:
                head.row = current[ident].row  # a correction, or an earlier revision again
            else:
                new_heads[ident] = {"workspace": workspace, "incident_id": ident,
                                    "row": current[ident].row}
        bulk.insert_rows(s, IncidentHead, list(new_heads.values()))
        # Judged in order, so each id's verdict is its head's: the fresh rows, then any head
        # that is not its id's last fresh row (restored, or restored after a later revision).
        last_fresh = {r.incident_id: r for r in fresh}
        judged = fresh + [current[i] for i in dict.fromkeys(r.incident_id for r in restored)
                          if last_fresh.get(i) is not current[i]]
        for version in self.current_versions(s=s):
            self._judge_rows(s, version, judged, only_if_changed=False, scope=workspace)
            self._rejudge_for_evidence(s, version, judged, workspace)
        if fresh or restored:
            audit.append(s, user, "intake", f"workspace {workspace}", {
                "records": [[r.incident_id, r.revision, r.content_hash] for r in fresh]}
                | ({"restored": [[r.incident_id, r.revision, r.content_hash]
                                 for r in restored]} if restored else {}))
        rows = {(r.incident_id, r.revision): r.row for r in fresh}
        return [Stored(o.id, o.status, o.revision, o.row or rows.get((o.id, o.revision), 0))
                for o in out]

    def add_notices(self, notices: Sequence[Notice], user: str = "local") -> list[Stored]:
        """Store notices. A notice is a party's formal act towards the cell: it goes to the
        joint centre at once, and what it names or covers is judged again."""
        return self.transaction(lambda s: self._add_notices(s, notices, user))

    def _add_notices(self, s: Session, notices: Sequence[Notice], user: str) -> list[Stored]:
        out: list[Stored] = []
        new: list[Notice] = []
        replaced: list[dict[str, Any]] = []  # what revised notices said before
        for n in notices:
            head = s.get(NoticeHead, (n.party, n.id))
            was = s.get(NoticeRevision, head.row) if head is not None else None
            _, stored = store_revision(s, NoticeRevision, NoticeHead, "notice_id", n.id,
                                       notice_record(n), party=n.party)
            out.append(stored)
            if stored.status != "unchanged":
                new.append(n)
                if was is not None:
                    replaced.append(was.record)
        s.flush()
        if not new:
            return out
        ids = [n.id for n in new]
        scopes = self._scopes(s)
        mine = [x for x in scopes if x == JOINT or x in {n.party for n in new}]
        versions = self.current_versions(s=s)
        # What a revised notice named or covered before is judged again too: corrected to name
        # another incident, it left the first one excused by what it no longer says.
        touched = {v.row: new + self._as_notices(replaced, self.load(v)) for v in versions}
        for version in versions:
            for n in touched[version.row]:
                self._rejudge_for_notice(s, version, n, mine)
        audit.append(s, user, "notice", "joint", {"notices": ids})
        # Another party's view is judged again in an entry of its own, written whether or not
        # anything there changed: in the notice's entry, its verdicts were parts of a proof
        # the notice's party is given (their number told it where the other party holds
        # records), and an entry only when something changed would tell it by the log's size.
        for scope in scopes:
            if scope not in mine:
                for version in versions:
                    for n in touched[version.row]:
                        self._rejudge_for_notice(s, version, n, [scope])
                audit.append(s, "system", "notice.rejudge", f"workspace {scope}",
                             {"notices": ids})
        return out

    def rejudge(self, version: AgreementVersion, batch: int = 2000, user: str = "system"
                ) -> dict[str, int]:
        """Judge every incident's newest revision (in its own workspace) and every released
        revision (in the joint centre) against `version`; new verdicts are added only where
        the findings differ from the current ones. Returns the number added in each scope:
        each side may learn its own and the joint centre's, never the other side's."""
        added: dict[str, int] = {}
        for scope_rows in (self._all_heads, self._all_released):
            after = 0
            while True:
                with self.writing() as s:
                    rows = scope_rows(s, after, batch)
                    if not rows:
                        break
                    here = 0
                    for scope, group in _by_scope(rows).items():
                        n = self._judge_rows(s, version, group, only_if_changed=True,
                                             scope=scope)
                        added[scope] = added.get(scope, 0) + n
                        here += n
                    # Verdicts added by re-judging are writes too: one entry a batch, written
                    # whether or not anything changed. Only when something did, the log's
                    # growth told a party that the other held records the new version judged
                    # differently (their number of batches is no more than intake showed).
                    audit.append(s, user, "rejudge",
                                 f"agreement {version.agreement_id} v{version.version}",
                                 {"verdicts_added": here, "through_row": rows[-1][1].row})
                    after = rows[-1][1].row
        return added

    def _all_heads(self, s: Session, after: int, batch: int
                   ) -> list[tuple[str, IncidentRevision]]:
        rows = s.scalars(select(IncidentRevision).join(
            IncidentHead, IncidentHead.row == IncidentRevision.row).where(
            IncidentRevision.row > after).order_by(IncidentRevision.row).limit(batch))
        return [(r.workspace, r) for r in rows]

    def _all_released(self, s: Session, after: int, batch: int
                      ) -> list[tuple[str, IncidentRevision]]:
        rows = s.scalars(select(IncidentRevision).where(
            IncidentRevision.row.in_(self._released_rows()), IncidentRevision.row > after,
            IncidentRevision.workspace != JOINT).order_by(IncidentRevision.row).limit(batch))
        return [(JOINT, r) for r in rows]

    def release(self, incident_id: str, party: str, withheld: Sequence[str], user: str
                ) -> Release:
        """Release the newest revision of a party's incident to the joint centre, some fields
        withheld, and judge it there with what the joint centre sees."""
        with self.writing() as s:
            head = s.get(IncidentHead, (party, incident_id))
            row = s.get(IncidentRevision, head.row) if head is not None else None
            if row is None:
                raise KeyError(incident_id)
            rel = Release(incident_id=incident_id, incident_row=row.row, workspace=party,
                          withheld=sorted(set(withheld)), released_by=user, released_at=now())
            s.add(rel)
            s.flush()
            for version in self.current_versions(s=s):
                self._judge_rows(s, version, [row], only_if_changed=False, scope=JOINT)
                self._rejudge_for_evidence(s, version, [row], JOINT)
                # Released, the record may be named by the other party's notices: its
                # owner's view is judged again so both views read the same notices.
                self._judge_rows(s, version, [row], only_if_changed=True, scope=party)
            audit.append(s, user, "release", f"incident {incident_id}",
                         {"revision": row.revision, "content_hash": row.content_hash,
                          "withheld": rel.withheld})
            # Every other party's headquarters sees what is released: an act there that the
            # record could excuse is judged again (the US view kept A-12 a breach while the
            # joint centre, with Russia's released report, had it excepted). In an entry of
            # its own, written whether or not a verdict changed, as for notices.
            for scope in self._scopes(s):
                if scope not in (JOINT, party):
                    for version in self.current_versions(s=s):
                        self._rejudge_for_evidence(s, version, [row], scope)
                    audit.append(s, "system", "release.rejudge", f"workspace {scope}",
                                 {"released": incident_id})
            return rel


def _by_scope(rows: list[tuple[str, IncidentRevision]]) -> dict[str, list[IncidentRevision]]:
    out: dict[str, list[IncidentRevision]] = {}
    for scope, r in rows:
        out.setdefault(scope, []).append(r)
    return out


class _Writing:
    def __init__(self, store: Store):
        self.store = store

    def __enter__(self) -> Session:
        self.store._writing.__enter__()
        self._tx = self.store.sessions.begin()
        return self._tx.__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            self._tx.__exit__(*exc)
        finally:
            self.store._writing.__exit__(*exc)
