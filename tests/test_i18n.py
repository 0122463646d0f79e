"""Message catalogs: complete, compiled from their sources, and the reasons' wording covered.

The reasons are the engine's English; the report reads each back through the catalog's
shapes. If the engine's wording changes, these tests name the reason that no longer reads back.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from tests.conftest import EXAMPLE

from jig import check, load_agreement, read_incidents, read_notices
from jig.engine import explain
from jig.i18n import LANGUAGES, LOCALES, direction, negotiate, translations
from jig.library import entry
from jig.report.reasons import _Translator, translate_phrase, translate_text

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"


def _reasons() -> list[str]:
    """Every reason jig gives on the example and on the real UCDP/Airwars/CJTF extracts."""
    agreement = load_agreement(EXAMPLE / "agreement.yaml")
    notices = read_notices([EXAMPLE / "notices.csv"], agreement).records
    out = []
    for files in ([EXAMPLE / "incidents.csv"], sorted(DATA.glob("*.csv"))):
        incidents = read_incidents(files, agreement).records
        out += [f.reason for v in check(agreement, incidents, notices) for f in v.findings]
    return out


REASONS = _reasons()


def _steps() -> list[str]:
    """Every line of the step-by-step explanation (`explain`) of each example incident and of
    every 10th of the real extracts, each judged among its own file's incidents."""
    agreement = load_agreement(EXAMPLE / "agreement.yaml")
    notices = read_notices([EXAMPLE / "notices.csv"], agreement).records
    out: set[str] = set()
    for k, files in enumerate([[EXAMPLE / "incidents.csv"], *([p] for p in sorted(
            DATA.glob("*.csv")))]):
        incidents = read_incidents(files, agreement).records
        for inc in incidents[::1 if k == 0 else 10]:
            ex = explain(agreement, incidents, inc.id, notices)
            out.update([*ex.preamble, *(step for c in ex.clauses for step in c.steps)])
    return sorted(out)


def test_every_reason_reads_back_exactly_in_english():
    english = _Translator("en")
    assert len(REASONS) > 50
    for reason in REASONS:
        assert english.sentence(reason) == reason, reason


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_every_reason_has_a_translation(lang):
    script = {"ru": "[а-яё]", "ar": "[\u0600-\u06ff]"}[lang]
    for reason in REASONS:
        got = translate_text(reason, lang)
        assert got is not None, reason
        assert re.search(script, got), got
        # The English wording is gone; only values (ids, labels, times) stay as written.
        for word in (" lies ", " is at agreed target", "estimated probability", "excepted under"):
            assert word not in got, got


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_the_caveat_of_a_zone_drawn_without_a_map_has_a_translation(lang, tmp_path):
    """Every zone of the library is approximate: an act near its edge has a reason that ends
    with the caveat, which left the whole reason in English before."""
    a = load_agreement(entry("astana-2017").agreement_path)
    idlib = next(z for z in a.zones if z.id == "idlib").geometry
    outline = max(getattr(idlib, "geoms", [idlib]), key=lambda g: g.area).exterior
    points = [outline.interpolate(f, normalized=True) for f in (0.1, 0.4, 0.7)]
    rows = tmp_path / "near-the-edge.csv"
    rows.write_text("id,time,lon,lat,actor,target,act\n" + "".join(
        f"E-{k},2018-01-10,{p.x + dx:.5f},{p.y:.5f},Military Forces of Syria,"
        "Syrian insurgents,air_strike\n"
        for k, (p, dx) in enumerate((p, dx) for p in points for dx in (-0.01, 0.01))))
    incidents = read_incidents([rows], a).records
    reasons = [f.reason for v in check(a, incidents) for f in v.findings]
    caveats = [r for r in reasons if "is approximate (no official map" in r]
    assert caveats
    script = {"ru": "[а-яё]", "ar": "[\u0600-\u06ff]"}[lang]
    for reason in reasons:
        got = translate_text(reason, lang)
        assert got is not None and re.search(script, got), reason
        assert "approximate" not in got and " lies " not in got, got


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_every_step_of_an_explanation_has_a_translation(lang):
    script = {"ru": "[а-яё]", "ar": "[\u0600-\u06ff]"}[lang]
    steps = _steps()
    assert len(steps) > 200 and any(s.startswith("exception ") for s in steps)
    for step in steps:
        got = translate_phrase(step, lang)
        assert got is not None and got != step and re.search(script, got), step
        for word in (" lies ", "not applicable", "exception ", " is covered", "in effect"):
            assert word not in got, got


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_evidence_notes_and_kinds_of_act_have_a_translation(lang):
    """What the incident panel shows beside a finding's reason: each evidence incident's note
    (the example's and the real extracts'), and the kind of act of the record and its steps."""
    script = {"ru": "[а-яё]", "ar": "[\u0600-\u06ff]"}[lang]
    agreement = load_agreement(EXAMPLE / "agreement.yaml")
    notices = read_notices([EXAMPLE / "notices.csv"], agreement).records
    notes = set()
    for files in ([EXAMPLE / "incidents.csv"], sorted(DATA.glob("*.csv"))):
        incidents = read_incidents(files, agreement).records
        notes |= {e.note for v in check(agreement, incidents, notices) for f in v.findings
                  for e in f.evidence if e.kind == "incident" and e.note}
    assert notes
    for note in notes:
        got = translate_phrase(note, lang)
        assert got is not None and re.search(script, got), note
        assert " away" not in got and " before" not in got, got
    for act in ("air_strike", "shelling", "ground_attack", "explosion", "other", "unknown"):
        assert re.search(script, translate_phrase(act, lang) or ""), act
        assert act not in (translate_phrase(f"act {act}", lang) or act), act


def test_a_reason_s_values_are_kept_and_its_units_translated():
    reason = ("air strike by RU is not at an agreed target: the nearest, T-2 (Nusra-held hills "
              "west of Jisr al-Shughur), lies 14.7 km away; excepted under imminent-threat: "
              "notice N-1 from RU names the incident, dated 2016-08-05T08:00+03:00, within 24 h "
              "of the act")
    ru = translate_text(reason, "ru")
    assert ru == ("авиаудар RU: не на согласованной цели; ближайшая, T-2 (Nusra-held hills west "
                  "of Jisr al-Shughur), в 14,7 км; исключение по imminent-threat: уведомление "
                  "N-1 от RU называет инцидент, датировано 2016-08-05T08:00+03:00, в пределах "
                  "24 ч от действия")
    ar = translate_text(reason, "ar")
    assert "14.7 كم" in ar and "24 س " in ar and "N-1" in ar and "؛" in ar


def test_an_unknown_shape_is_kept_in_english_not_lost():
    from jig.findings import Finding
    from jig.report.reasons import translate_reason

    f = Finding("c", "breach", "something the catalog has never seen")
    assert translate_reason(f, "ru") == "something the catalog has never seen"


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_catalog_is_complete_and_its_mo_compiled_from_it(lang):
    po_path = LOCALES / lang / "LC_MESSAGES" / "jig.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    untranslated = [m.id for m in catalog if m.id and not (
        all(m.string) if isinstance(m.string, tuple) else m.string)]
    assert not untranslated
    assert not [m.id for m in catalog if m.id and "fuzzy" in m.flags]
    # Every message the code and templates use is in the catalog (scripts/i18n extracts them).
    used = set()
    for sub, method in (("src/jig/report", "python"), ("src/jig/report/templates", "jinja2")):
        mapping = [("**.py", "python")] if method == "python" else [
            ("**.j2", "jinja2")]
        for _, _, message, _, _ in extract_from_dir(
                ROOT / sub, mapping, keywords={"_": None, "N_": None, "ngettext": (1, 2)},
                options_map={"**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}):
            used.add(message if isinstance(message, str) else message[0])
    missing = sorted(m for m in used if m not in catalog)
    assert not missing
    # The compiled .mo that jig loads is this .po, compiled.
    buf = io.BytesIO()
    write_mo(buf, catalog)
    assert (po_path.with_suffix(".mo")).read_bytes() == buf.getvalue(), \
        "run scripts/i18n compile"


def test_languages_and_direction():
    assert LANGUAGES == ("en", "ru", "ar")
    assert direction("ar") == "rtl" and direction("ru") == "ltr"
    assert translations("ru").gettext("Summary") == "Сводка"
    assert translations("ar").gettext("Summary") == "الملخص"
    with pytest.raises(ValueError, match="unknown language 'de': use one of en, ru, ar"):
        translations("de")


@pytest.mark.parametrize(("header", "lang"), [
    (None, "en"), ("", "en"), ("ru", "ru"), ("ar-SY,ar;q=0.9,en;q=0.5", "ar"),
    ("de-DE,de;q=0.9,ru;q=0.8,en;q=0.7", "ru"), ("fr, en;q=0.1", "en"),
    ("ru;q=0.2, ar;q=0.8", "ar"), ("ru;q=0", "en"), ("ru;q=bad, ar", "ar"),
])
def test_accept_language_picks_the_best_language_we_speak(header, lang):
    assert negotiate(header) == lang


def test_a_clauses_kinds_of_act_are_named_in_the_language():
    # The UI's reasoning said "(действия: air_strike)" beside "авиаудар" in the same step.
    from jig.report.reasons import translate_phrase

    step = "act air_strike is covered (acts: air_strike, shelling)"
    assert translate_phrase(step, "ru") == \
        "действие авиаудар охвачено пунктом (действия: авиаудар, обстрел)"
    assert "air_strike" not in translate_phrase(step, "ar")


def test_the_air_desks_flight_reasons_have_shapes_the_catalog_knows(example, tmp_path):
    from jig.air.flights import check_flights
    from jig.air.reading import read_air_notices

    # The example's flights, and what they leave out: an area over DA-1, a flight by an actor
    # the agreement does not know and one naming none, an unmanned one, a window running past
    # the agreement's end.
    head = "id,party,actor,kind,time,geometry,half_width_m,alt_low,alt_high,alt_unit,alt_ref\n"
    area = '"POLYGON ((36.6 35.7, 36.8 35.7, 36.8 35.9, 36.6 35.9, 36.6 35.7))"'
    route = '"LINESTRING (36.71 35.12, 36.64 35.93)"'
    rows = [f"X-1,RU,SY_GOV,patrol,2016-09-20T10:00/2016-09-20T11:00,{area},0,1,2,ft,AMSL",
            f"X-2,RU,Someone,transit,2016-09-20T10:00/2016-09-20T11:00,{route},3000,1,2,ft,AMSL",
            f"X-3,RU,,transit,2016-09-20T10:00/2016-09-20T11:00,{route},3000,1,2,ft,AMSL",
            f"X-4,RU,SY_GOV,unmanned,2016-10-02T12:00/2016-10-04T12:00,{route},3000,1,2,ft,AMSL"]
    mine = tmp_path / "air.csv"
    mine.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    read = read_air_notices([EXAMPLE / "air-notices.csv", mine], example)
    assert read.rejects == []
    notices = read.records
    reasons = [f.reason for v in check_flights(example, notices) for f in v.findings]
    assert len(reasons) >= 6
    for lang in ("ru", "ar"):
        assert [r for r in reasons if translate_text(r, lang) is None] == [], lang


def test_the_charts_periods_take_the_languages_plural_forms():
    """"Incidents per 1 day" read "for 1 day" in Russian and "for each 1 day" in Arabic, whose
    six forms were one."""
    def caption(lang: str, n: int) -> str:
        return translations(lang).ngettext("Incidents per day by verdict.",
                                           "Incidents per %(num)s days by verdict.", n) % {"num": n}

    assert caption("ar", 1) == "الحوادث يوميًا حسب الحكم."
    assert caption("ar", 2) == "الحوادث لكل يومين حسب الحكم."
    assert caption("ar", 3) == "الحوادث لكل 3 أيام حسب الحكم."
    assert caption("ar", 14) == "الحوادث لكل 14 يومًا حسب الحكم."
    assert caption("ru", 1) == "Инциденты по вердиктам, по интервалам в 1 день."
    assert caption("ru", 7) == "Инциденты по вердиктам, по интервалам в 7 дней."
