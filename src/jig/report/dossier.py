"""The one-incident dossier: the record, its revisions, every clause's finding with the full
explanation and evidence, and (from the store) the verdicts recorded and the review."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from jig.agreement.model import Agreement
from jig.engine.check import ClauseExplanation, Explanation
from jig.findings import Evidence
from jig.i18n import check_language, direction, translations
from jig.report.reasons import N_, SEPARATOR, WORDS, in_language, translate_reason
from jig.report.render import environment, evidence_entry, origin_text


@dataclass
class DossierExtras:
    """What the store adds to what the engine explains."""

    revisions: list[dict[str, Any]] = field(default_factory=list)  # revision, received, hash
    history: list[dict[str, Any]] = field(default_factory=list)  # at, verdict, version
    reviews: list[dict[str, Any]] = field(default_factory=list)
    audit_head: dict[str, Any] | None = None


# The record's fields by the names the UI's record panel gives them; another field of the input
# is named as the file names it.
FIELD_LABELS = {
    "id": N_("id"), "time": N_("time"), "lon": N_("longitude"), "lat": N_("latitude"),
    "precision_m": N_("precision (m)"), "actor": N_("actor"), "target": N_("target"),
    "act": N_("act"), "weapon": N_("weapon"), "origin": N_("origin of the record"),
    "source": N_("source"), "notes": N_("notes"), "dataset": N_("dataset"), "grade": N_("grade"),
}


def record_rows(explanation: Explanation, lang: str = "en") -> list[tuple[str, str]]:
    """The record's fields as a person reads them, jig's own first, then the input's, by their
    names in the file and the API; the kind of act and where it came from in `lang`."""
    inc = explanation.verdict.incident
    own = [("id", inc.id), ("time", inc.time_text), ("lon", f"{inc.lon:.5f}"),
           ("lat", f"{inc.lat:.5f}"), ("precision_m", f"{inc.precision_m:g}"),
           ("actor", inc.actor), ("target", inc.target),
           ("act", in_language(inc.act, lang) if inc.act in WORDS["act"] else inc.act),
           ("weapon", inc.weapon),
           ("origin", origin_text(inc.origin, lang) if inc.origin else None)]
    rows = [(k, str(v)) for k, v in own if v not in (None, "")]
    # A structured field (a confirmed draft's `provenance`: its text and spans) as JSON, the
    # form it was sent and is served in, not as Python writes a dict.
    rows += [(k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v))
             for k, v in inc.extra.items() if v not in (None, "")]
    return rows


def render_dossier(agreement: Agreement, explanation: Explanation, lang: str = "en",
                   extras: DossierExtras | None = None) -> str:
    """The dossier as one self-contained HTML page in `lang`."""
    check_language(lang)
    extras = extras or DossierExtras()
    return environment(lang).get_template("dossier.html.j2").render(
        lang=lang, dir=direction(lang), agreement=agreement, explanation=explanation,
        incident=explanation.verdict.incident, record=record_rows(explanation, lang),
        labels={k: translations(lang).gettext(v) for k, v in FIELD_LABELS.items()},
        clauses=[_clause(c, lang) for c in explanation.clauses],
        preamble=[in_language(s, lang) for s in explanation.preamble],
        verdict_reason=(in_language(explanation.verdict_reason, lang)
                        if explanation.verdict_reason is not None else None),
        revisions=extras.revisions, history=extras.history,
        reviews=[_review(r, lang) for r in extras.reviews], audit_head=extras.audit_head)


def _review(r: dict[str, Any], lang: str) -> dict[str, Any]:
    """A review as `review_dict` gives it, with the evidence its answer cites labelled in
    `lang` ("notice N-1")."""
    return r | {"answer_evidence": [evidence_entry(Evidence(e["kind"], e["id"], ""), lang)
                                    for e in r.get("answer_evidence") or ()]}


def _clause(c: ClauseExplanation, lang: str) -> dict[str, Any]:
    """A clause's part of the dossier in `lang`: the finding's reason, evidence, exceptions
    not met and the explanation's steps, all in the reader's language as the annex and the
    UI's reasoning panel give them."""
    f = c.finding
    return {"clause": c.clause, "outcome": c.outcome, "finding": f,
            "reason": translate_reason(f, lang) if f else "",
            "evidence": [evidence_entry(e, lang) for e in f.evidence] if f else [],
            "missing": translations(lang).gettext(SEPARATOR).join(
                in_language(m, lang) for m in f.missing) if f else "",
            "steps": [in_language(s, lang) for s in c.steps]}
