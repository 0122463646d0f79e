"""Amendments that need every party: proposed by one party's lead, adopted once every
party's lead has accepted.

In a store with party users, a new version of an agreement is never stored by one side or by
the joint reviewer alone: it is a proposal, visible to both sides with its diff, until the lead
of every party of the version in force and of the proposed one (a party added must agree to
join, a party removed to leave) has accepted it. It then becomes a version governing acts from
its `effective_from` (which both sides accepted: earlier acts too, if that is what they
agreed); before that, nothing is judged under it. Every step is an audit entry.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from jig.agreement import Agreement, parse_agreement
from jig.agreement.diff import diff_documents
from jig.store import audit
from jig.store.store import Store, now
from jig.store.tables import (
    AgreementProposal,
    AgreementVersion,
    ProposalAcceptance,
    User,
)


class ProposalError(ValueError):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code = status, code
        super().__init__(message)


def needs_parties(store: Store) -> bool:
    """Whether amendments need every party: the store has users who act for a party."""
    with store.sessions() as s:
        return bool(s.scalar(select(func.count()).select_from(User)
                             .where(User.party.is_not(None))))


def propose(store: Store, agreement: Agreement, document: str, effective_from: datetime | None,
            party: str, user: str) -> AgreementProposal:
    """A lead of `party` proposes a new version of an agreement the store holds."""
    # The newest version, not the one in force: an amendment adopted to govern from a later
    # day is what this one changes.
    history = store.versions(agreement.id)
    if not history:
        raise ProposalError(404, "not_found", f"no agreement {agreement.id!r} to amend")
    base = history[-1]
    current = store.load(base)
    if party not in current.parties:
        raise ProposalError(403, "forbidden", f"{party} is not a party of {agreement.id}")
    if agreement.content_hash == base.content_hash:
        raise ProposalError(409, "proposal.unchanged", "the proposal is the version in force")
    # A version's document is stored once (one version per content): adopted, this proposal
    # was reported as that old version and never took effect.
    earlier = next((v for v in history if v.content_hash == agreement.content_hash), None)
    if earlier is not None:
        raise ProposalError(409, "proposal.restores", f"the proposal is version "
                            f"{earlier.version}'s document, which a later version replaced: "
                            "jig keeps each document once, so restoring it needs a change "
                            "that tells the two apart (its title, say)")
    when = effective_from or now()
    with store.writing() as s:
        row = AgreementProposal(
            agreement_id=agreement.id, content_hash=agreement.content_hash,
            title=agreement.title, document=document,
            effective_from=when if when.tzinfo else when.replace(tzinfo=UTC),
            base_row=base.row, parties=sorted(set(current.parties) | set(agreement.parties)),
            state="proposed", proposed_by=user, proposed_party=party, proposed_at=now())
        s.add(row)
        s.flush()
        audit.append(s, user, "agreement.propose", f"agreement {agreement.id}",
                     {"proposal": row.row, "content_hash": agreement.content_hash,
                      "parties": row.parties})
    return accept(store, row.row, party, user)


def accept(store: Store, proposal_id: int, party: str, user: str,
           agreement_id: str | None = None) -> AgreementProposal:
    """A lead of `party` accepts; once every party has, the proposal becomes a version."""
    with store.writing() as s:
        # Checked and adopted in one transaction that holds the log's end from the start: two
        # proposals accepted at once were each found not stale, then both adopted, the second
        # undoing the first (and a decline committed between could be overwritten).
        audit.hold_end(s)
        prop = _open(s, proposal_id, party, agreement_id)
        _not_stale(s, prop)
        if s.scalar(select(ProposalAcceptance).where(
                ProposalAcceptance.proposal_row == prop.row,
                ProposalAcceptance.party == party)) is not None:
            raise ProposalError(409, "proposal.accepted", f"{party} has accepted this "
                                "proposal already")
        s.add(ProposalAcceptance(proposal_row=prop.row, party=party, accepted_by=user,
                                 accepted_at=now()))
        s.flush()
        audit.append(s, user, "agreement.accept", f"proposal {prop.row}", {"party": party})
        accepted = set(s.scalars(select(ProposalAcceptance.party).where(
            ProposalAcceptance.proposal_row == prop.row)))
        if accepted < set(prop.parties):
            return prop
        agreement = parse_agreement(prop.document,
                                    name=f"{prop.agreement_id} proposal {prop.row}", stored=True)
        version, created = store.add_agreement_in(s, agreement, prop.document,
                                                  prop.effective_from, user)
        prop.state, prop.version_row = "adopted", version.row
        audit.append(s, user, "agreement.adopt", f"proposal {prop.row}",
                     {"version": version.version})
    store.agreement_added(version, agreement, created, user)
    return prop


def decline(store: Store, proposal_id: int, party: str, user: str,
            agreement_id: str | None = None) -> AgreementProposal:
    """A lead of a party of the proposal declines it: it will not be adopted."""
    with store.writing() as s:
        audit.hold_end(s)  # after an adoption that committed first, it is refused
        prop = _open(s, proposal_id, party, agreement_id)
        prop.state = "declined"
        audit.append(s, user, "agreement.decline", f"proposal {prop.row}", {"party": party})
        return prop


def _open(s: Any, proposal_id: int, party: str, agreement_id: str | None) -> AgreementProposal:
    prop = s.get(AgreementProposal, proposal_id)
    if prop is None or agreement_id not in (None, prop.agreement_id):
        raise ProposalError(404, "not_found", f"no proposal {proposal_id}")
    if party not in prop.parties:
        raise ProposalError(403, "forbidden", f"{party} is not a party of this proposal")
    if prop.state != "proposed":
        raise ProposalError(409, "proposal.state", f"proposal {proposal_id} is {prop.state}")
    return prop


def _not_stale(s: Any, prop: AgreementProposal) -> None:
    """A proposal is a whole new document written against one version: adopted after another
    amendment, it would undo that one's changes without a word (its diff, against the
    version it was written for, does not show them)."""
    base = s.get(AgreementVersion, prop.base_row)
    newer = s.scalar(select(func.max(AgreementVersion.version)).where(
        AgreementVersion.agreement_id == prop.agreement_id,
        AgreementVersion.version > (base.version if base is not None else 0)))
    if newer is not None:
        raise ProposalError(409, "proposal.stale", f"proposal {prop.row} amends version "
                            f"{base.version if base is not None else '?'} of "
                            f"{prop.agreement_id}, and version {newer} was adopted since: "
                            "accepting it would undo that version's changes; propose it "
                            f"again as an amendment of version {newer}")


def proposal_dict(s: Any, prop: AgreementProposal) -> dict[str, Any]:
    base = s.get(AgreementVersion, prop.base_row)
    accepted = list(s.scalars(select(ProposalAcceptance).where(
        ProposalAcceptance.proposal_row == prop.row).order_by(ProposalAcceptance.row)))
    version = s.get(AgreementVersion, prop.version_row) if prop.version_row else None
    return {"id": prop.row, "agreement_id": prop.agreement_id, "state": prop.state,
            "content_hash": prop.content_hash, "title": prop.title,
            "effective_from": prop.effective_from.isoformat(),
            "amends_version": base.version if base else None, "parties": prop.parties,
            "proposed_by": prop.proposed_by, "proposed_party": prop.proposed_party,
            "proposed_at": prop.proposed_at.isoformat(),
            "accepted": [{"party": a.party, "by": a.accepted_by,
                          "at": a.accepted_at.isoformat()} for a in accepted],
            "waiting_for": sorted(set(prop.parties) - {a.party for a in accepted}),
            "version": version.version if version else None,
            "diff": diff_documents(json.loads(base.document), json.loads(prop.document))
            if base else {}}
