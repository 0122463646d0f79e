"""The one-incident dossier (`jig report --incident ID`): the record, every clause's finding
with its explanation and evidence, in a PDF whose text is read back; from the store, the
revisions and every verdict recorded."""

from __future__ import annotations

from markupsafe import escape
from pypdf import PdfReader
from tests.conftest import EXAMPLE
from tests.test_cli import AGREEMENT, INCIDENTS, NOTICES, jig


def _text(pdf) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())


def test_dossier_of_an_excepted_strike_has_its_record_findings_and_evidence(tmp_path):
    out = tmp_path / "a12.pdf"
    r = jig("report", AGREEMENT, INCIDENTS, "-n", NOTICES, "--incident", "A-12", "-o", str(out))
    assert r.returncode == 0, r.stderr
    text = _text(out)
    assert "Incident dossier" in text and "A-12" in text
    # The record as given, every clause with its outcome, the quote, the reason and evidence.
    assert "Military Forces of Russia (2015-)" in text and "Jabhat Fateh al-Sham" in text
    assert "Russia would limit airstrikes to agreed targets" in text
    assert "excepted under advance-beyond-areas" in text and "incident A-11" in text
    for clause in ("no-bombing-in-designated-areas", "agreed-targets-only", "protected-sites",
                   "castello-road-demilitarised"):
        assert clause in text
    # The steps of the explanation, as jig explain gives them.
    explained = jig("explain", AGREEMENT, INCIDENTS, "-n", NOTICES, "-i", "A-12")
    first_step = next(line.split(". ", 1)[1] for line in explained.stdout.splitlines()
                      if line.strip().startswith("1. "))
    assert " ".join(first_step.split())[:40] in text


def test_dossier_in_arabic_translates_the_reasons(tmp_path):
    out = tmp_path / "a12-ar.html"
    r = jig("report", AGREEMENT, INCIDENTS, "-n", NOTICES, "--incident", "A-12", "--lang", "ar",
            "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert 'dir="rtl"' in html and "مستثنى بموجب" in html and "ملف الحادث" in html



def test_dossier_in_russian_gives_every_step_and_the_evidence_in_russian(example, tmp_path):
    from jig.engine import explain
    from jig.readers import read_incidents, read_notices
    from jig.report.dossier import render_dossier
    from jig.report.reasons import translate_phrase

    records = read_incidents(INCIDENTS, example).records
    notices = read_notices(NOTICES, example).records
    ex = explain(example, records, "A-12", notices)
    html = render_dossier(example, ex, "ru")
    # The evidence's label and note, the exception not met, every step and the record's
    # reading: each as the catalog gives it, none of jig's English sentences left.
    assert "инцидент A-11" in html and "incident A-11" not in html
    steps = [s for c in ex.clauses for s in c.steps] + ex.preamble
    for s in steps:
        assert escape(translate_phrase(s, "ru")) in html and escape(s) not in html
    assert "incidents.csv, строка 13" in html and ", line 13" not in html
    # The record's fields by the UI's names for them, the file's own name kept as a title.
    assert '<th title="lon">долгота</th>' in html and '<th title="act">действие</th>' in html
    assert "<td>авиаудар</td>" in html and ">air_strike<" not in html
    # Every incident of the example: each sentence of its dossier has a shape the catalog
    # knows, in both languages (the exceptions not met and an evidence note whose timing is
    # uncertain were left in English).
    for inc in records:
        ex = explain(example, records, inc.id, notices)
        said = [*ex.preamble] + [s for c in ex.clauses for s in c.steps] + [
            t for c in ex.clauses if c.finding
            for t in (*c.finding.missing, *(e.note for e in c.finding.evidence if e.note))]
        for lang in ("ru", "ar"):
            assert [s for s in said if translate_phrase(s, lang) is None] == [], (inc.id, lang)


def test_dossier_of_an_unknown_incident_says_so(tmp_path):
    r = jig("report", AGREEMENT, INCIDENTS, "--incident", "Z-99", "-o", str(tmp_path / "z.pdf"))
    assert r.returncode == 2 and "no incident 'Z-99' in the input" in r.stderr
    assert not (tmp_path / "z.pdf").exists()


def test_dossier_from_the_store_lists_revisions_and_verdicts(db_url, tmp_path):
    data = tmp_path / "data"
    r = jig("import", "--agreement", str(EXAMPLE / "agreement.yaml"), "--data", str(data),
            "--db", db_url, "-n", NOTICES, str(EXAMPLE / "incidents.csv"))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "a12.html"
    r = jig("report", "--db", db_url, "--data", str(data), "--incident", "A-12", "-o", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert 'id="review"' in html and "Revisions" in html and "Audit log head" in html
    assert "excepted under advance-beyond-areas" in html
    r = jig("report", "--db", db_url, "--data", str(data), "--incident", "Z-99",
            "-o", str(out))
    assert r.returncode == 2 and "no incident 'Z-99'" in r.stderr


def test_a_structured_field_reads_as_json(example):
    from tests.conftest import incident

    from jig.engine import explain
    from jig.report.dossier import record_rows

    # A confirmed draft's provenance: the text it was read from and each field's span.
    inc = incident(example, "D-1", lon=36.6, lat=35.8, actor="RU", act="air_strike",
                   provenance={"text": "в районе Ракки", "edited": ["lon"]})
    rows = dict(record_rows(explain(example, [inc], "D-1", [])))
    assert rows["provenance"] == '{"text": "в районе Ракки", "edited": ["lon"]}'
