"""Safety of flight: air-activity notices in, conflicts out to each party's air desk.

A party's air desk sees its own notices in full and, of the other side's, only that it flies
at a place and time closer than the minima. A party's users get their own party's desk; the
joint reviewer names the party.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from jig.air.flights import FlightVerdict, check_flights
from jig.air.model import AirNotice
from jig.air.reading import to_air_notice
from jig.errors import Location, Problem, RowError
from jig.service.context import Context, Who, allow, context, own_party
from jig.service.convert import as_records
from jig.service.errors import ERRORS, ApiError
from jig.store.air import add_air_notices, alerts_for, notices_of, own_notices

router = APIRouter(tags=["safety of flight"])
EXAMPLE = {"id": "US-1", "party": "US", "actor": "US", "kind": "transit",
           "time": "2016-09-20T07:00/2016-09-20T09:00",
           "geometry": "LINESTRING (37.4 35.6, 37.6 34.6)", "half_width_m": 5000,
           "alt_low": 24000, "alt_high": 26000, "alt_unit": "ft", "alt_ref": "AMSL"}


def _agreement(ctx: Context) -> Any:
    versions = ctx.store.current_versions()
    if not versions:
        raise ApiError(409, "agreement.none", "the store holds no agreement: upload one first")
    return ctx.store.load(versions[0])


def _desk(ctx: Context, p: Any, party: str | None, what: str) -> tuple[str, Any]:
    """The air desk asking (a party's users get their own; another party's is refused) and
    the agreement it works under; 422 for a party the agreement does not have."""
    party = own_party(p, party, f"an air desk sees its own party's {what}")
    a = _agreement(ctx)
    if party not in a.parties:
        raise ApiError(422, "query.party", f"party {party!r}: parties are "
                       f"{', '.join(sorted(a.parties))}")
    return party, a


@router.post("/air/notices", responses=ERRORS)
def post_air_notices(body: Annotated[Any, Body(examples=[EXAMPLE])], p: Who,
                     ctx: Context = Depends(context)) -> dict[str, Any]:
    """Take one air-activity notice or a list; answer with each one's status, the new
    conflicts as the sending party's air desk sees them, and flights into barred zones."""
    allow(p, "analyst", "lead")
    items = as_records(body, "notice")
    for fields in items:
        own_party(p, str(fields.get("party")), "an air notice is its party's")
    a = _agreement(ctx)
    notices, problems = [], []
    for i, fields in enumerate(items):
        try:
            notices.append(to_air_notice(fields, a))
        except RowError as exc:
            problems.append(Problem(exc.code, str(exc), Location(path=f"[{i}].{exc.field}")))
    if problems:
        raise ApiError(422, "records.invalid", f"{len(problems)} of {len(items)} notices are "
                       "invalid; nothing was stored", problems)
    intake = add_air_notices(ctx.store, a, notices, user=p.name)
    senders = {n.party for n in notices}
    return {
        "results": [{"id": r.id, "status": r.status, "revision": r.revision}
                    for r in intake.stored],
        "conflicts": [c.seen_by(p, a) for c in intake.conflicts for p in senders
                      if p in (c.a.party, c.b.party)],
        "flights": [v.as_dict() for v in _flights(ctx, notices) if v.findings],
    }


def _flights(ctx: Context, notices: list[AirNotice]) -> list[FlightVerdict]:
    """`no_flights_in` for each notice under the agreement version in force for most of its
    window (ruling 9: amendments are not retroactive), in input order."""
    current = ctx.store.current_versions()[0]
    with ctx.store.sessions() as s:
        governing = [ctx.store.governing(s, current, n.window) for n in notices]
    out: list[FlightVerdict] = [FlightVerdict(n) for n in notices]
    for row in dict.fromkeys(v.row for v in governing):
        at = [k for k, v in enumerate(governing) if v.row == row]
        verdicts = check_flights(ctx.store.load(governing[at[0]]), [notices[k] for k in at])
        for k, verdict in zip(at, verdicts, strict=True):
            out[k] = verdict
    return out


@router.get("/air/alerts", responses=ERRORS)
def get_alerts(p: Who, party: str | None = Query(None, description="The air desk asking (a "
                                                "party id; a party's users get their own)"),
               ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """Current conflicts involving the party's notices, the other side reduced to where and
    when."""
    allow(p, "analyst", "lead", "reviewer")
    party, a = _desk(ctx, p, party, "alerts")
    return alerts_for(ctx.store, a, party, own_desk=p.party == party or p.role == "open")


@router.get("/air/notices", responses=ERRORS)
def get_air_notices(p: Who, party: str | None = Query(None, description="The air desk asking"),
                    ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """The party's own notices (newest revision of each); never the other side's."""
    allow(p, "analyst", "lead")
    party, _ = _desk(ctx, p, party, "notices")
    return notices_of(ctx.store, party)


@router.get("/air/flights", responses=ERRORS)
def get_flights(p: Who, party: str | None = Query(None, description="The air desk asking"),
                ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """The party's own notified flights that enter a zone barred to them (`no_flights_in`),
    each with its findings, as `POST /air/notices` answers them: a breach, or undetermined
    (only its corridor reaches in, or the zone holds for part of its window); flights that
    keep clear are left out. Judged as asked, so that an amendment's zones apply at once."""
    allow(p, "analyst", "lead")
    party, a = _desk(ctx, p, party, "flights")
    return [v.as_dict() for v in _flights(ctx, own_notices(ctx.store, a, party))
            if v.verdict in ("breach", "undetermined")]
