"""The joint cell: sign-in, reviews of released incidents, publication, the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field
from sqlalchemy import select

from jig.service.context import Context, RowNumber, Who, allow, context, viewer
from jig.service.convert import incident_out, verdict_out
from jig.service.errors import ERRORS, ApiError
from jig.service.schemas import RequestBody
from jig.signing import public_text
from jig.store import audit
from jig.store import queries as q
from jig.store import reviews as rv
from jig.store.people import sign_in
from jig.store.store import JOINT
from jig.store.tables import Review

router = APIRouter(tags=["joint cell"])


class ReviewIn(RequestBody):
    incident: str
    workspace: str | None = Field(None, description="Whose released incident, when several "
                                  "parties released one with this id.")
    query: str = Field(description="What the queried party is asked.")
    party: str | None = Field(None, description="The party to query; default: the one that "
                              "answers for the incident's actor.")


class AnswerIn(RequestBody):
    answer: str
    evidence: list[dict[str, str]] = Field(default_factory=list, description="Notices and "
                                           "released incidents: [{kind, id}]")


class DeterminationIn(RequestBody):
    outcome: str = Field(description="breach, no_breach, excepted or unresolved")
    text: str


def _run(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except rv.ReviewError as exc:
        raise ApiError(exc.status, exc.code, str(exc)) from None
    except KeyError as exc:
        raise ApiError(409, "agreement.unknown", str(exc.args[0])) from None


@router.get("/me", responses=ERRORS)
def me(p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """Sign in: who the token belongs to, its role and party. Recorded in the audit trail
    (once an hour per token at most)."""
    if p.role != "open":
        sign_in(ctx.store, p)
    return {"name": p.name, "role": p.role, "party": p.party, "scope": p.scope}


@router.post("/reviews", status_code=201, responses=ERRORS)
def open_review(body: ReviewIn, p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """Open the review of a released incident's breach or undetermined verdict, querying the
    party that answers for its actor."""
    allow(p, "reviewer")
    review = _run(rv.open_review, ctx.store, body.incident, body.query, p.name, body.party,
                  body.workspace)
    return _dict(ctx, review.row, p)


@router.get("/reviews", responses=ERRORS)
def list_reviews(p: Who, ctx: Context = Depends(context)) -> list[dict[str, Any]]:
    """Every review and its state."""
    allow(p, "analyst", "lead", "reviewer")
    with ctx.store.sessions() as s:
        return [rv.review_dict(s, r, viewer(p)) for r in s.scalars(
            select(Review).order_by(Review.opened_at, Review.row))]


@router.get("/reviews/{review_id}", responses=ERRORS)
def get_review(review_id: RowNumber, p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    allow(p, "analyst", "lead", "reviewer")
    return _dict(ctx, review_id, p)


@router.post("/reviews/{review_id}/answer", responses=ERRORS)
def answer(review_id: RowNumber, body: AnswerIn, p: Who, ctx: Context = Depends(context)
           ) -> dict[str, Any]:
    """The queried party's answer, by its lead, with evidence."""
    allow(p, "lead")
    _run(rv.answer, ctx.store, review_id, p.party or "", body.answer, body.evidence, p.name)
    return _dict(ctx, review_id, p)


@router.post("/reviews/{review_id}/determinations", responses=ERRORS)
def determine(review_id: RowNumber, body: DeterminationIn, p: Who, ctx: Context = Depends(context)
              ) -> dict[str, Any]:
    """A party lead signs its party's determination; once every party has, the review is
    determined (jointly when they agree, separately when they do not)."""
    allow(p, "lead")
    _run(rv.determine, ctx.store, review_id, p.party or "", body.outcome, body.text, p.name)
    return _dict(ctx, review_id, p)


@router.post("/reviews/{review_id}/publish", responses=ERRORS)
def publish(review_id: RowNumber, p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """Publish a determined review to observers."""
    allow(p, "reviewer")
    _run(rv.publish, ctx.store, review_id, p.name)
    return _dict(ctx, review_id, p)


@router.get("/published", responses=ERRORS)
def published(p: Who, ctx: Context = Depends(context)) -> dict[str, Any]:
    """Published determinations, each with the incident as released, its joint verdict, and
    the signed head of the log frozen at its publication (check it with `jig audit
    check-proof` and `check-consistency`)."""
    key = public_text(ctx.store.keys.server())
    with ctx.store.sessions() as s:
        out = []
        for review in s.scalars(select(Review).where(Review.state == "published")
                                .order_by(Review.opened_at, Review.row)):
            view = q.incident(s, review.incident_id, JOINT, review.incident_workspace)
            newest, number = view.newest, view.number
            history = [r for r in q.verdicts_of(s, review.incident_id, JOINT, view.workspace)
                       if r.verdict is not None and r.incident.row == newest.row]
            verdict = verdict_out(history[-1].verdict, history[-1].version,  # type: ignore[arg-type]
                                  history[-1].findings, number) if history else None
            record = incident_out(newest, verdict, view.withheld, number)
            frozen = audit.publication(s, review.row)
            out.append(rv.review_dict(s, review) | {
                "incident_record": record.model_dump(mode="json"),
                "head": audit.head_of(frozen, key) if frozen is not None else None})
        return {"determinations": out}


def _dict(ctx: Context, review_id: int, p: Any) -> dict[str, Any]:
    with ctx.store.sessions() as s:
        review = s.get(Review, review_id)
        if review is None:
            raise ApiError(404, "not_found", f"no review {review_id}")
        return rv.review_dict(s, review, viewer(p))

