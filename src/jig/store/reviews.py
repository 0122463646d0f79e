"""The review of a released incident: query, answer, determinations, publication.

queried -> answered (lead of the queried party, citing evidence) -> determined (when a lead
of every party has signed: jointly if all agree, else separately) -> published (joint
reviewer). docs/joint-cell.md has the table of states and who may move them.

Every step is an audit entry, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from jig.signing import sign_determination
from jig.store import audit
from jig.store.queries import Ambiguous, incident, verdicts_of
from jig.store.store import JOINT, Store, now
from jig.store.tables import Determination, IncidentRevision, NoticeHead, Release, Review

OUTCOMES = ("breach", "no_breach", "excepted", "unresolved")


class ReviewError(ValueError):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code = status, code
        super().__init__(message)


def open_review(store: Store, incident_id: str, query: str, user: str,
                party: str | None = None, workspace: str | None = None) -> Review:
    version = store.version(None)
    agreement = store.load(version)
    with store.writing() as s:
        audit.hold_end(s)  # two reviews of one incident opened at once: one is refused
        try:
            seen = incident(s, incident_id, JOINT, workspace)
        except Ambiguous as exc:
            raise ReviewError(409, "incident.ambiguous", str(exc)) from None
        except KeyError:
            raise ReviewError(404, "not_found", f"no released incident {incident_id!r}") \
                from None
        rows = verdicts_of(s, incident_id, JOINT, seen.workspace)
        joint = [r for r in rows if r.verdict is not None and r.verdict.scope == JOINT
                 and r.version is not None and r.version.agreement_id == agreement.id]
        if not joint:
            raise ReviewError(404, "not_found", f"no released incident {incident_id!r}")
        current = joint[-1]
        assert current.verdict is not None
        # An exception rests on one party's notice or evidence: the other may contest it (a
        # notice dated before the act can reach the cell after it).
        if current.verdict.verdict not in ("breach", "undetermined", "excepted"):
            raise ReviewError(409, "review.verdict", f"incident {incident_id!r} is "
                              f"{current.verdict.verdict} in the joint centre: only a breach, an "
                              "undetermined or an excepted verdict is reviewed")
        # One review of an incident at a time: two in progress could be determined apart and
        # only one published. A published one may be followed by another (new evidence).
        if s.scalar(select(Review.row).where(
                Review.incident_id == incident_id, Review.incident_workspace == seen.workspace,
                Review.state != "published").limit(1)) is not None:
            raise ReviewError(409, "review.open", f"incident {incident_id!r} is under review "
                              "already: the review in progress is determined and published "
                              "first")
        actor = agreement.match_actor(current.incident.actor)[0]
        answering = sorted(agreement.parties_answering_for(actor)) if actor else []
        queried = party or (answering[0] if answering else None)
        if queried is None or queried not in agreement.parties:
            raise ReviewError(422, "review.party", "the incident's actor is not one a party "
                              "answers for: name the party to query (`party`)")
        review = Review(incident_id=incident_id, incident_workspace=seen.workspace,
                        agreement_id=agreement.id, state="queried", queried_party=queried,
                        query=query, answer_evidence=[], opened_by=user, opened_at=now(),
                        parties=sorted(agreement.parties))
        s.add(review)
        s.flush()
        audit.append(s, user, "review.open", f"review {review.row}",
                     {"incident": incident_id, "queried_party": queried, "query": query,
                      "verdict": current.verdict.verdict})
        return review


def _get(s: Any, review_id: int) -> Review:
    review = s.get(Review, review_id)
    if review is None:
        raise ReviewError(404, "not_found", f"no review {review_id}")
    return review


def answer(store: Store, review_id: int, party: str, text: str,
           evidence: Sequence[dict[str, str]], user: str) -> Review:
    with store.writing() as s:
        review = _get(s, review_id)
        if review.queried_party != party:
            raise ReviewError(403, "forbidden", f"the query is addressed to "
                              f"{review.queried_party}, not {party}")
        if review.state != "queried":
            raise ReviewError(409, "review.state", f"review {review_id} is {review.state}, "
                              "not queried")
        for ev in evidence:
            kind, ident = ev.get("kind"), ev.get("id")
            ok = (kind == "notice" and s.scalar(select(NoticeHead.row).where(
                NoticeHead.notice_id == ident).limit(1)) is not None) or (
                kind == "incident" and s.scalar(select(Release.row).where(
                    Release.incident_id == ident).limit(1)) is not None) or (
                kind == "incident" and s.scalar(select(IncidentRevision.row).where(
                    IncidentRevision.incident_id == ident,
                    IncidentRevision.workspace == JOINT).limit(1)) is not None)
            if not ok:
                raise ReviewError(422, "review.evidence", f"evidence {kind} {ident!r} is not in "
                                  "the joint centre: release it first")
        review.answer, review.answer_evidence, review.state = text, list(evidence), "answered"
        audit.append(s, user, "review.answer", f"review {review_id}",
                     {"party": party, "answer": text, "evidence": list(evidence)})
        return review


def determine(store: Store, review_id: int, party: str, outcome: str, text: str,
              user: str) -> Review:
    if outcome not in OUTCOMES:
        raise ReviewError(422, "review.outcome", f"outcome {outcome!r}: use one of "
                          f"{', '.join(OUTCOMES)}")
    with store.writing() as s:
        # Held before the signatures are counted: two leads signing at the same moment on
        # PostgreSQL each counted only their own, neither moved the review to determined,
        # and signing again was refused.
        audit.hold_end(s)
        review = _get(s, review_id)
        # The quorum is fixed when the review opens: an amendment adding or dropping a party
        # afterwards does not change who must sign.
        parties = set(review.parties or store.load(store.version(review.agreement_id)).parties)
        if party not in parties:
            raise ReviewError(403, "forbidden", f"{party} is not a party of this review")
        if review.state != "answered":
            raise ReviewError(409, "review.state", f"review {review_id} is {review.state}: "
                              "determinations follow the queried party's answer")
        if s.scalar(select(Determination).where(Determination.review_row == review_id,
                                                Determination.party == party)) is not None:
            raise ReviewError(409, "review.signed", f"{party} has signed this review already")
        det = Determination(review_row=review_id, party=party, outcome=outcome, text=text,
                            signed_by=user, signed_at=now())
        # Signed with the party's key: the statement is what a reader checks the text by.
        det.signature = sign_determination(store.keys.party(party), statement(review, det))
        s.add(det)
        s.flush()
        signed = {d.party for d in s.scalars(select(Determination).where(
            Determination.review_row == review_id))}
        if signed >= parties:
            review.state = "determined"
        audit.append(s, user, "review.determination", f"review {review_id}",
                     {"party": party, "outcome": outcome, "text": text})
        return review


def publish(store: Store, review_id: int, user: str) -> Review:
    with store.writing() as s:
        audit.hold_end(s)
        review = _get(s, review_id)
        if review.state != "determined":
            raise ReviewError(409, "review.state", f"review {review_id} is {review.state}: "
                              "only a determined review is published")
        review.state, review.published_at = "published", now()
        # Its entry's signed head, the log with the publication in it, is the head frozen at
        # publication (`audit.publication`).
        audit.append(s, user, "review.publish", f"review {review_id}", {})
        return review


def statement(review: Review, d: Determination) -> dict[str, Any]:
    """What a party's determination says, as it signs it (`jig.signing`)."""
    return {"review": review.row, "incident": review.incident_id, "party": d.party,
            "outcome": d.outcome, "text": d.text, "signed_by": d.signed_by,
            "signed_at": audit.plain(d.signed_at)}


# Who sees every party's determination while a review is still being signed: the operator's
# own tools (reports from the store, a store without users).
EVERYONE = "*"


def sealed_for(review: Review, party: str, viewer: str | None) -> bool:
    """Whether `viewer` (a party, None for a neutral role, EVERYONE) may not yet read the
    determination `party` signed: until every party has signed, each signs without seeing
    the other's outcome and text, so that a determination is its party's own judgement."""
    return review.state not in ("determined", "published") and viewer != EVERYONE \
        and viewer != party


def review_dict(s: Any, review: Review, viewer: str | None = EVERYONE) -> dict[str, Any]:
    """A review as the API shows it to `viewer` (see `sealed_for`): another party's
    determination in progress shows only that it was signed, and when."""
    dets = list(s.scalars(select(Determination).where(Determination.review_row == review.row)
                          .order_by(Determination.signed_at, Determination.row)))
    outcomes = {d.outcome for d in dets}
    kind = None
    if review.state in ("determined", "published"):
        kind = "joint" if len(outcomes) == 1 else "separate"
    return {"id": review.row, "incident": review.incident_id,
            "workspace": review.incident_workspace, "parties": review.parties,
            "state": review.state,
            "queried_party": review.queried_party, "query": review.query,
            "answer": review.answer, "answer_evidence": review.answer_evidence,
            "opened_by": review.opened_by, "opened_at": review.opened_at.isoformat(),
            "published_at": review.published_at.isoformat() if review.published_at else None,
            "determination": kind, "outcome": dets[0].outcome if kind == "joint" else None,
            "determinations": [_determination(d, sealed_for(review, d.party, viewer))
                               for d in dets]}


def _determination(d: Determination, sealed: bool) -> dict[str, Any]:
    if sealed:
        return {"id": d.row, "party": d.party, "sealed": True, "outcome": None, "text": None,
                "signed_by": None, "signed_at": audit.plain(d.signed_at), "signature": None}
    return {"id": d.row, "party": d.party, "sealed": False, "outcome": d.outcome,
            "text": d.text, "signed_by": d.signed_by, "signed_at": audit.plain(d.signed_at),
            "signature": d.signature}
