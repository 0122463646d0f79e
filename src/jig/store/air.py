"""Air-activity notices in the store, deconflicted as they arrive; alerts for the air desks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import shapely
from sqlalchemy import Text, cast, or_, select

from jig.agreement.model import Agreement
from jig.air.deconflict import Conflict, deconflict, party_margin
from jig.air.model import FEET, AirNotice
from jig.air.reading import to_air_notice
from jig.store import audit
from jig.store.revisions import Stored, store_revision
from jig.store.sealing import SEALED, key_for, require_open
from jig.store.secrets import workspace_secret
from jig.store.store import Store, now
from jig.store.tables import AirAlert, AirNoticeHead, AirNoticeRevision
from jig.times import Span, format_span


def air_record(n: AirNotice) -> dict[str, Any]:
    """The notice as fields `to_air_notice` reads back: geometry as GeoJSON, band in metres."""
    out: dict[str, Any] = {"id": n.id, "party": n.party, "kind": n.kind, "time": n.time_text,
                           "geometry": shapely.geometry.mapping(n.geometry),
                           "half_width_m": n.half_width_m, "alt_low": n.alt_low_m,
                           "alt_high": n.alt_high_m, "alt_unit": "m", "alt_ref": "AMSL"}
    if n.actor is not None:
        out["actor"] = n.actor
    return out | {k: v for k, v in n.extra.items() if k not in out}


@dataclass(frozen=True)
class AirIntake:
    stored: list[Stored]
    conflicts: list[Conflict]  # new conflicts involving the notices sent


def add_air_notices(store: Store, agreement: Agreement, notices: Sequence[AirNotice],
                    user: str = "local") -> AirIntake:
    """Store notices (idempotent by content) and record the conflicts they bring, atomically."""
    out: list[Stored] = []
    fresh: list[tuple[AirNoticeRevision, AirNotice]] = []
    replaced: dict[int, int] = {}  # a revised notice's new row: the row it replaces
    with store.writing() as s:
        for n in notices:
            head = s.get(AirNoticeHead, (n.party, n.id))
            before = head.row if head is not None else None
            # An air notice is its party's secret but for where and when: its content hash is
            # a commitment under the party's secret, like a workspace's records.
            row, stored = store_revision(s, AirNoticeRevision, AirNoticeHead, "notice_id", n.id,
                                         air_record(n), party=n.party,
                                         secret=workspace_secret(s, n.party),
                                         t_start=n.window.start, t_end=n.window.end)
            out.append(stored)
            if stored.status != "unchanged":
                fresh.append((row, n))
                if before is not None:
                    replaced[row.row] = before
        if not fresh:
            return AirIntake(out, [])
        s.flush()
        _every_notice_opens(s)
        sep = agreement.separation
        lo = min(n.window.start for _, n in fresh) - sep.time_s
        hi = max(n.window.end for _, n in fresh) + sep.time_s
        rows = {r.row: r for r, _ in fresh}
        for r in s.scalars(select(AirNoticeRevision).join(
                AirNoticeHead, AirNoticeHead.row == AirNoticeRevision.row).where(
                AirNoticeRevision.t_end >= lo, AirNoticeRevision.t_start <= hi)):
            rows.setdefault(r.row, r)
        by_id = {(r.party, r.notice_id): r for r in rows.values()}
        parsed = [n for _, n in fresh] + [to_air_notice(require_open(r).record, agreement)
                                          for r in rows.values() if r.row not in
                                          {f.row for f, _ in fresh}]
        new_ids = {(n.party, n.id) for _, n in fresh}
        found = [c for c in deconflict(agreement, parsed)
                 if (c.a.party, c.a.id) in new_ids or (c.b.party, c.b.id) in new_ids]
        for c in found:
            alert = AirAlert(a_row=by_id[c.a.party, c.a.id].row,
                             b_row=by_id[c.b.party, c.b.id].row, a_party=c.a.party,
                             b_party=c.b.party, lon=c.lon, lat=c.lat, t_start=c.when.start,
                             t_end=c.when.end, detail={"horizontal_m": max(c.horizontal_m, 0.0),
                                                       "vertical_ft": round(c.vertical_m / FEET),
                                                       "time_min": round(c.time_s / 60.0, 1),
                                                       "margin": c.margins(sep)},
                             detected_at=now())
            if not _raised_before(s, alert) and not _same_alert_carried_over(
                    s, alert, replaced, agreement.tz):
                s.add(alert)
        audit.append(s, user, "air.intake", "air notices",
                     {"notices": [[r.notice_id, r.revision, r.content_hash] for r, _ in fresh],
                      "conflicts": len(found)})
    return AirIntake(out, found)


def _raised_before(s: Any, alert: AirAlert) -> bool:
    """Whether these two revisions' conflict has an alert already: a notice restored to an
    earlier revision brings back the alert that revision raised, not a second one."""
    pair = {alert.a_row, alert.b_row}
    return any({was.a_row, was.b_row} == pair for was in s.scalars(
        select(AirAlert).where(AirAlert.a_row.in_(pair), AirAlert.b_row.in_(pair))))


def _same_alert_carried_over(s: Any, alert: AirAlert, replaced: dict[int, int],
                             tz: tzinfo) -> bool:
    """A revision that leaves a conflict as it was (its notes changed, say) keeps the alert
    the conflict raised, moved to the new revision: a new alert, with a new id and time,
    told the other desk that the party had edited its notice, and when."""
    old = {replaced.get(alert.a_row, alert.a_row), replaced.get(alert.b_row, alert.b_row)}
    if old == {alert.a_row, alert.b_row}:
        return False  # neither notice was revised: a new conflict
    for was in s.scalars(select(AirAlert).where(AirAlert.a_row.in_(old),
                                                AirAlert.b_row.in_(old))):
        if {was.a_row, was.b_row} == old and shown(was, tz) == shown(alert, tz):
            rows = {was.a_party: was.a_row, was.b_party: was.b_row} | {
                alert.a_party: alert.a_row, alert.b_party: alert.b_row}
            was.a_row, was.b_row = rows[was.a_party], rows[was.b_party]
            # The row keeps what the conflict now is; the desks see no change.
            was.lon, was.lat, was.detail = alert.lon, alert.lat, alert.detail
            return True
    return False


def shown(alert: AirAlert, tz: tzinfo) -> dict[str, Any]:
    """What an air desk is shown of an alert besides its id, notice and time of detection:
    where (to 0.001°), when (to the minute) and the margins it may see. A revision is judged
    by this alone: compared on more (the exact point, the vertical gap), a revision of the
    other party's band or a metre's nudge of its route raised a new alert, telling the desk
    of an edit to what it is never shown."""
    return {"where": {"lon": round(alert.lon, 3), "lat": round(alert.lat, 3)},
            "when": format_span(Span(alert.t_start, alert.t_end), tz),
            "margin": party_margin(alert.detail["margin"])}


def _every_notice_opens(s: Any) -> None:
    """Refuse to deconflict while any party's stored notices are sealed under a key the
    server lacks: whatever the new notice's time. Refused only when the window met a sealed
    notice, the answer told the other side when that party flies (and the message named its
    notice)."""
    parties = set(s.scalars(select(AirNoticeRevision.party).join(
        AirNoticeHead, AirNoticeHead.row == AirNoticeRevision.row).distinct()))
    for party in sorted(p for p in parties if key_for(s, p) is None):
        # One sealed notice is enough to refuse; a store without keys holds none, and its
        # notices are not read for this.
        sealed = s.scalar(select(AirNoticeRevision).join(
            AirNoticeHead, AirNoticeHead.row == AirNoticeRevision.row).where(
            AirNoticeRevision.party == party,
            cast(AirNoticeRevision.record, Text).contains(f'"{SEALED}"')).limit(1))
        if sealed is not None:
            require_open(sealed)


def alerts_for(store: Store, agreement: Agreement, party: str, own_desk: bool = True
               ) -> list[dict[str, Any]]:
    """The conflicts of one party's air desk's current notices: its own notice, and of the
    other side's activity only where and when (no id, actor, kind, shape, band or notes).
    Asked by someone else than the party's own desk (the joint reviewer), its own notice is
    not named either: a notice's id is the party's, as the rest of it.

    An alert raised by a notice the other side has since revised stays, `current: false`: a
    desk that probed by revising one notice again and again left no alert behind before (an
    adversarial review), though the docs promise the other desk sees every probe. Its own
    revised notices' alerts go: the revision brought its own."""
    with store.sessions() as s:
        heads = set(s.scalars(select(AirNoticeHead.row)))
        alerts = s.scalars(select(AirAlert).where(or_(AirAlert.a_party == party,
                                                      AirAlert.b_party == party))
                           .order_by(AirAlert.t_start, AirAlert.row))
        out = []
        for a in alerts:
            own_row, other_row = (a.a_row, a.b_row) if a.a_party == party else (a.b_row, a.a_row)
            if own_row not in heads:
                continue
            own = s.get(AirNoticeRevision, own_row)
            assert own is not None
            out.append({"alert": a.row, "notice": own.notice_id if own_desk else None,
                        "other_party": a.b_party if a.a_party == party else a.a_party,
                        **shown(a, agreement.tz),
                        "detected_at": a.detected_at.isoformat(),
                        "current": other_row in heads})
        return out


def own_notices(store: Store, agreement: Agreement, party: str) -> list[AirNotice]:
    """The party's notices (newest revision of each), read back as the engine takes them."""
    return [to_air_notice(r, agreement) for r in notices_of(store, party)]


def notices_of(store: Store, party: str) -> list[dict[str, Any]]:
    with store.sessions() as s:
        rows = s.scalars(select(AirNoticeRevision).join(
            AirNoticeHead, AirNoticeHead.row == AirNoticeRevision.row).where(
            AirNoticeRevision.party == party).order_by(AirNoticeRevision.row))
        return [r.record | {"revision": r.revision} for r in rows]
