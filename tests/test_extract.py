"""`jig extract`: prose in English, Russian and Arabic to candidate incidents, each field with
the span it came from; the CLI end to end; and the evaluation on the real CJTF-OIR releases."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from tests.conftest import EXAMPLE, SHARED_DATA

from jig.extract import PlaceIndex, extract
from jig.extract.lexicon import default_lexicon
from jig.extract.times import find_times
from jig.geo import geodesic_m
from jig.readers import Gazetteer

SYRIAN_ARCHIVE = SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv"
ADM3 = SHARED_DATA / "admin_boundaries" / "syr_adm3_subdistricts_ocha_2016.geojson"
JIG = str(Path(sys.executable).with_name("jig"))
# Town centres as the Syrian Archive gives them.
RAQQA = (38.99709, 35.95883)
MANBIJ = (37.95593, 36.52692)


@pytest.fixture(scope="module")
def index(request) -> PlaceIndex:
    from jig.agreement import load_agreement

    a = load_agreement(EXAMPLE / "agreement.yaml")
    return PlaceIndex(a, [Gazetteer.from_files([SYRIAN_ARCHIVE, ADM3])])


@pytest.fixture(scope="module")
def agreement():
    from jig.agreement import load_agreement

    return load_agreement(EXAMPLE / "agreement.yaml")


def km(lon, lat, point) -> float:
    return float(geodesic_m(point[0], point[1], [lon], [lat])[0]) / 1000


def spans_hold_their_text(text, c) -> None:
    for name, e in c.evidence.items():
        assert text[e.start:e.end] == e.text, name
        assert 0 <= e.confidence <= 1


def test_a_release_line_gives_one_candidate_with_the_count_as_said(agreement, index):
    text = ("In Syria, Coalition military forces conducted 3 strikes on 17 October 2016:\n"
            "- Near Ar Raqqah, two strikes engaged an ISIL tactical unit.\n"
            "- Near Manbij, one strike destroyed a vehicle.\n")
    found = extract(text, agreement, index)
    assert [c.fields["count"] for c in found] == [2, 1]  # the summary line is not a third act
    raqqa, manbij = found
    assert raqqa.fields["place"] == "Ar Raqqah" and km(raqqa.fields["lon"], raqqa.fields["lat"],
                                                       RAQQA) < 1
    # "near": the town's 5 km and the 10 km the lexicon gives "near".
    assert raqqa.fields["precision_m"] == 15_000
    assert raqqa.evidence["place"].text == "Near Ar Raqqah"
    assert km(manbij.fields["lon"], manbij.fields["lat"], MANBIJ) < 1
    assert {c.fields["act"] for c in found} == {"air_strike"}
    # The list's heading names the actor; its lines inherit it. ISIL is whom they hit.
    assert [c.fields["actor"] for c in found] == ["US", "US"]
    assert raqqa.fields["target"] == "IS"
    assert [c.fields["time"] for c in found] == ["2016-10-17", "2016-10-17"]
    for c in found:
        spans_hold_their_text(text, c)


def test_english_bulletin_relative_day_and_an_unknown_place_kept_not_guessed(agreement, index):
    text = "Russian aircraft struck a hospital in Kafr Nabl yesterday. " \
           "Regime helicopters dropped barrel bombs on Tell Xyzzyq on 2 August."
    first, second = extract(text, agreement, index, doc_date=date(2016, 8, 4))
    assert first.fields["actor"] == "RU" and first.fields["act"] == "air_strike"
    assert first.fields["time"] == "2016-08-03" and first.evidence["time"].text == "yesterday"
    assert km(first.fields["lon"], first.fields["lat"], (36.57, 35.60)) < 5
    assert second.fields["actor"] == "SY_GOV" and second.fields["weapon"] == "barrel_bomb"
    assert second.fields["place"] == "Tell Xyzzyq" and second.fields["lon"] is None
    assert second.evidence["place"].confidence == 0
    assert second.fields["time"] == "2016-08-02"
    for c in (first, second):
        spans_hold_their_text(text, c)


def test_a_monitors_distance_and_direction_become_a_disc_over_the_sector(agreement, index):
    text = "The SMM recorded 23 explosions 3-5 km south-west of Manbij."
    (c,) = extract(text, agreement, index, doc_date=date(2016, 8, 4))
    assert c.fields["act"] == "explosion" and c.fields["count"] == 23
    assert c.fields["actor"] is None  # an observer is not an actor
    lon, lat, r = c.fields["lon"], c.fields["lat"], c.fields["precision_m"]
    # The centre lies south-west of the town, about 4 km out; the disc holds the whole sector
    # (3 to 5 km, south-west +- 22.5 degrees) and the town's own 5 km.
    assert lon < MANBIJ[0] and lat < MANBIJ[1] and 3 < km(lon, lat, MANBIJ) < 5
    for d, bearing in ((3, 202.5), (5, 247.5), (5, 225)):
        b = math.radians(bearing)
        plon = MANBIJ[0] + d * math.sin(b) / (111.32 * math.cos(math.radians(MANBIJ[1])))
        plat = MANBIJ[1] + d * math.cos(b) / 111.32
        assert km(lon, lat, (plon, plat)) * 1000 <= r
    assert r < 5_000 + 3_000  # not the whole ring around the town
    assert c.evidence["place"].text == "3-5 km south-west of Manbij"


def test_russian_bulletin_night_count_and_inflected_place(agreement, index):
    text = "3 августа 2016 года. В ночь на 3 августа ВКС России нанесли три авиаудара " \
           "по позициям боевиков в районе Ракки. Вчера сирийская армия обстреляла из " \
           "минометов Алеппо."
    first, second = extract(text, agreement, index)
    assert first.fields["time"] == "2016-08-02T18:00/2016-08-03T06:00"
    assert first.fields["actor"] == "RU" and first.fields["count"] == 3
    assert first.fields["act"] == "air_strike"
    assert first.fields["place"] == "Ракки" and km(first.fields["lon"], first.fields["lat"],
                                                   RAQQA) < 1
    assert second.fields["actor"] == "SY_GOV" and second.fields["act"] == "shelling"
    assert second.fields["weapon"] == "mortar" and second.fields["time"] == "2016-08-02"
    assert km(second.fields["lon"], second.fields["lat"], (37.166, 36.198)) < 5
    for c in (first, second):
        spans_hold_their_text(text, c)


def test_arabic_press_dual_count_evening_and_qualifying_governorate(agreement, index):
    text = "شنت الطائرات الروسية مساء أمس غارتين على مدينة الرقة.\n" \
           "قصفت قوات النظام بقذائف الهاون بلدة كفرنبل في ريف إدلب يوم 2 آب."
    first, second = extract(text, agreement, index, doc_date=date(2016, 8, 3))
    assert first.fields["count"] == 2 and first.fields["actor"] == "RU"
    assert first.fields["time"] == "2016-08-02T18:00/2016-08-03T00:00"
    assert km(first.fields["lon"], first.fields["lat"], RAQQA) < 1
    # "in rural Idlib" says where Kafr Nabl is: one act, not a second one in Idlib.
    assert second.fields["place"] == "كفرنبل" and second.fields["weapon"] == "mortar"
    assert second.fields["actor"] == "SY_GOV" and second.fields["time"] == "2016-08-02"
    for c in (first, second):
        spans_hold_their_text(text, c)



def test_a_direction_after_a_place_is_part_of_it_not_a_village(agreement, index):
    """"أحياء حلب الشرقية" is Aleppo's eastern districts; the gazetteer's village Sharqiyah,
    120 km away, was a candidate of its own."""
    text = "قصفت قوات النظام بقذائف الهاون أحياء حلب الشرقية يوم 20 أيلول 2016."
    found = extract(text, agreement, index)
    assert [c.fields["place"] for c in found] == ["حلب"]


@pytest.mark.parametrize(("text", "count"), [
    ("في 1 أيلول 2016 شنت الطائرات الروسية غارة جوية على الرقة.", 1),  # the singular: one
    ("On 1 September 2016 strikes hit Raqqa.", None),
])
def test_the_year_after_a_date_is_not_a_count(agreement, index, text, count):
    # The year stood before the act's verb, and was read as 2016 strikes.
    (c,) = extract(text, agreement, index, doc_date=date(2016, 9, 2))
    assert c.fields["count"] == count and c.fields["time"] == "2016-09-01"


def test_a_sentence_without_an_act_gives_no_candidate(agreement, index):
    assert extract("The situation in Raqqa remained calm.", agreement, index,
                   doc_date=date(2016, 8, 3)) == []


@pytest.mark.parametrize("text", [
    "On 3 August 2016 Syrian artillery shelled Kafr Nabl.",
    "Pro-government forces shelled Kafr Nabl on 3 August 2016.",
    "3 августа 2016 года сирийская артиллерия обстреляла Кафр-Набль.",
    "قصفت المدفعية السورية بلدة كفرنبل يوم 3 آب 2016.",
])
def test_an_actor_named_by_its_arm_is_the_actor_it_belongs_to(agreement, index, text):
    # A new user's "Syrian artillery shelled ..." came out with no actor: the agreement's
    # patterns name the government, the prose names its guns.
    (c,) = extract(text, agreement, index)
    assert c.fields["actor"] == "SY_GOV" and c.fields["act"] == "shelling"
    spans_hold_their_text(text, c)


@pytest.mark.parametrize("text,place", [
    ("Syrian government forces shelled Maarat al-Numan last night.", "Maarat al-Numan"),
    ("Вчера сирийская армия обстреляла Кафр-Нубль.", "Кафр-Нубль"),
])
def test_a_place_right_after_the_act_is_kept_as_words_when_no_gazetteer_knows_it(
        agreement, text, place):
    # Only names after "in", "near", ... were kept: "shelled Maarat al-Numan" lost its place.
    (c,) = extract(text, agreement, PlaceIndex(agreement, []), doc_date=date(2016, 8, 4))
    assert c.fields["place"] == place and c.fields["lon"] is None
    assert c.evidence["place"].text == place and c.evidence["place"].confidence == 0


def test_a_monitor_named_syrian_is_not_the_syrian_government(agreement, index):
    text = "The Syrian Observatory for Human Rights said shelling hit Kafr Nabl on 3 August 2016."
    (c,) = extract(text, agreement, index)
    assert c.fields["act"] == "shelling" and c.fields["actor"] is None


def test_times_read_relative_to_the_document_date():
    lex = default_lexicon()
    (h,) = find_times("on 30 December", "en", lex, date(2017, 1, 2))
    assert h.iso() == "2016-12-30"  # a January report's December is last year's
    (h,) = find_times("on the night of 2 to 3 August", "en", lex, date(2016, 8, 4))
    assert h.iso() == "2016-08-02T18:00/2016-08-03T06:00"
    (h,) = find_times("в ночь с 2 на 3 августа", "ru", lex, date(2016, 8, 4))
    assert h.iso() == "2016-08-02T18:00/2016-08-03T06:00"
    (h,) = find_times("ليلة ٢-٣ آب", "ar", lex, date(2016, 8, 4))  # Eastern Arabic digits
    assert h.iso() == "2016-08-02T18:00/2016-08-03T06:00"
    assert find_times("yesterday", "en", lex, None) == []  # no document date: not guessed


@pytest.mark.parametrize(("text", "lang"), [
    ("обстрел от 20.09.2016.", "ru"),             # a Russian bulletin's date
    ("20 أيلول/سبتمبر 2016", "ar"),                # the Levantine and the Egyptian month
    ("في ٢٠١٦/٩/٢٠ قصفت", "ar"),                   # year first, Eastern Arabic digits
    ("on 20/09/2016 shelling", "en"),             # day first: 20 is no month
    ("on 20.09.2016", "en"),
])
def test_dates_written_in_numbers_and_paired_months(text, lang):
    (h,) = find_times(text, lang, default_lexicon(), None)
    assert h.iso() == "2016-09-20"


def test_an_english_date_that_could_be_either_order_is_not_guessed():
    assert find_times("on 03/04/2016", "en", default_lexicon(), None) == []
    (h,) = find_times("от 03.04.2016", "ru", default_lexicon(), None)
    assert h.iso() == "2016-04-03"


def test_cli_writes_jsonl_and_csv_with_spans(tmp_path):
    doc = tmp_path / "bulletin.txt"
    doc.write_text("Russian aircraft struck a hospital in Kafr Nabl yesterday.\n",
                   encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "120", "NO_COLOR": "1"}
    base = [JIG, "extract", str(doc), "--agreement", str(EXAMPLE / "agreement.yaml"),
            "--gazetteer", str(SYRIAN_ARCHIVE), "--date", "2016-08-04"]
    proc = subprocess.run(base, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(line) for line in proc.stdout.splitlines()]
    assert row["id"] == "bulletin-1" and row["time"] == "2016-08-03" and row["actor"] == "RU"
    assert row["evidence"]["place"]["text"] == "Kafr Nabl"
    assert row["document"] == str(doc)
    out = tmp_path / "c.csv"
    proc = subprocess.run([*base, "-f", "csv", "-o", str(out)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8", newline="") as fh:
        (crow,) = list(csv.DictReader(fh))
    assert crow["act"] == "air_strike" and json.loads(crow["evidence"])["actor"]["text"] == \
        "Russian aircraft"


def test_cli_names_the_bad_input(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "120", "NO_COLOR": "1"}
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Frappe a\xe9rienne".encode("latin-1"))
    args = [JIG, "extract", "--agreement", str(EXAMPLE / "agreement.yaml")]
    proc = subprocess.run([*args, str(bad)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "latin1.txt" in proc.stderr and "UTF-8" in proc.stderr
    proc = subprocess.run([*args, str(bad), "--date", "3 Aug"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 2 and "--date: '3 Aug' is not a date" in proc.stderr
    proc = subprocess.run([*args, str(bad), "--date", "2016-13-01"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 2 and "impossible date '2016-13-01'" in proc.stderr
    proc = subprocess.run([*args, str(bad), "--lang", "fr"], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 2 and "--lang 'fr'" in proc.stderr


@pytest.mark.skipif(not (SHARED_DATA / "cjtf_oir_strike_releases").is_dir(),
                    reason="../shared/data is not beside the repository")
def test_every_syrian_release_line_gives_its_place_and_count(agreement):
    from bench.extract_eval import SYRIA_GAZETTEERS, evaluate_releases, releases

    rows = releases()
    assert len(rows) > 1500
    scores = evaluate_releases(rows, agreement, Gazetteer.from_files(SYRIA_GAZETTEERS))
    assert scores["place"].f1 >= 0.95, scores["place"]
    assert scores["count"].f1 >= 0.95, scores["count"]


@pytest.mark.skipif(not (SHARED_DATA / "gazetteer_syrianarchive").is_dir(),
                    reason="../shared/data is not beside the repository")
def test_labelled_passages_reach_the_targets_in_each_language():
    from bench.extract_eval import evaluate_passages

    scores = evaluate_passages()
    assert set(scores) == {"en", "ru", "ar"}
    for lang, s in scores.items():
        assert s["place"].labelled >= 20, lang
        assert s["place"].f1 >= 0.85, (lang, s["place"])
        assert s["time"].f1 >= 0.9, (lang, s["time"])
        assert s["actor"].f1 >= 0.8, (lang, s["actor"])
        assert s["act"].f1 >= 0.8, (lang, s["act"])


def test_two_places_joined_by_and_are_two_acts_and_a_count_after_a_bound_is_not_said(
        agreement, index):
    text = "Regime aircraft struck Saraqib and Binnish yesterday. " \
           "Warplanes conducted more than 30 air strikes on Aleppo on 23 September."
    found = extract(text, agreement, index, doc_date=date(2016, 9, 24))
    assert [c.fields["place"] for c in found] == ["Saraqib", "Binnish", "Aleppo"]
    assert found[2].fields["count"] is None


# -- what a review of realistic press items, bulletins and releases found (3 December) --------

ADM1 = SHARED_DATA / "admin_boundaries" / "syr_adm1_governorates_ocha_2016.geojson"


def one(text, agreement, index, **kw):
    found = extract(text, agreement, index, doc_date=date(2016, 8, 4), **kw)
    assert len(found) == 1, [c.fields for c in found]
    return found[0].fields


@pytest.mark.parametrize(("text", "actor", "target"), [
    # Passive voice: the actor named after "by" acted, wherever the other stands.
    ("Nusra Front positions in Saraqib were struck by Russian jets on 3 August 2016.",
     "RU", "NUSRA"),
    ("Government positions in Saraqib came under mortar fire from Nusra Front fighters.",
     "NUSRA", None),
    ("Позиции Джебхат ан-Нусры в районе Идлиба были поражены ударами ВКС России.",
     "RU", "NUSRA"),
    # The Hmeymim bulletins' own wording: "со стороны" with words between it and the name.
    ("Зафиксировано 12 обстрелов Алеппо со стороны бандформирований Джебхат ан-Нусры.",
     "NUSRA", None),
    # Arabic "ل" glued to the doer of a noun: shelling by the regime's forces.
    ("قصف مدفعي لقوات النظام على بلدة كفرنبل.", "SY_GOV", None),
    # Whoever reports an act did not commit it.
    ("The Russian Defence Ministry said Nusra Front shelled Aleppo.", "NUSRA", None),
    ("Минобороны России сообщило, что боевики Джебхат ан-Нусры обстреляли Алеппо.",
     "NUSRA", None),
    ("قالت وزارة الدفاع الروسية إن جبهة النصرة قصفت مدينة حلب.", "NUSRA", None),
    ("According to the Russian military, Nusra Front shelled Aleppo.", "NUSRA", None),
    # "from" marks the doer only after fire: these fighters were hit.
    ("Russian jets struck Saraqib, killing fighters from Nusra Front.", "RU", "NUSRA"),
    # A backer is not the actor.
    ("Russian-backed government forces shelled Saraqib.", "SY_GOV", None),
])
def test_who_acted_and_who_was_hit(agreement, index, text, actor, target):
    # Each came out with actor and target swapped, or the speaker as the actor, at 0.8.
    f = one(text, agreement, index)
    assert (f["actor"], f["target"]) == (actor, target)


@pytest.mark.parametrize(("text", "actor"), [
    ("Russian warplanes carried out air strikes on Khan Shaykhun on 3 March 2019.", "RU"),
    ("ВКС России нанесли удары по Хан-Шейхуну 3 марта 2019 года.", "RU"),
    ("شن الطيران الروسي غارات على خان شيخون يوم 3 آذار 2019.", "RU"),
    ("HTS fighters shelled Jurin on 3 March 2019.", "NUSRA"),
    ("Hayat Tahrir al-Sham shelled Jurin on 3 March 2019.", "NUSRA"),
    ("Turkish artillery shelled Tal Rifaat on 3 March 2019.", "TR"),
])
def test_actor_phrases_reach_a_library_agreements_actors(text, actor):
    """The lexicon's "Russian warplanes" went through the agreement's patterns as "Russia",
    which only the example agreement matches: six of seven Syrian arrangements got no actor,
    and a short pattern ("HTS") was never tried."""
    from jig.agreement import load_agreement
    from jig.library import agreement_path

    a = load_agreement(agreement_path("sochi-2018"))
    (c,) = extract(text, a, PlaceIndex(a, [Gazetteer.from_files([SYRIAN_ARCHIVE])]))
    assert c.fields["actor"] == actor


@pytest.mark.parametrize(("text", "place", "near"), [
    ("Утром боевики обстреляли Алеппо из минометов.", "Алеппо", (37.16, 36.20)),
    ("Армия Сирии нанесла удар по Серакибу.", "Серакибу", (36.80, 35.86)),
    ("Зафиксирован обстрел населенного пункта Дарайя из РСЗО «Град».", "Дарайя",
     (36.24, 33.45)),
    ("Самолеты нанесли удар по Сармину.", "Сармину", (36.73, 35.90)),
    ("Боевики обстреляли Джиср-эш-Шугур.", "Джиср-эш-Шугур", (36.32, 35.81)),
    ("قالت وزارة الدفاع إن الطيران قصف مدينة حلب.", "حلب", (37.16, 36.20)),
])
def test_words_that_are_not_places_are_not_placed(agreement, index, text, place, near):
    """"Утром" (in the morning) was Al-Thawrah, "Армия" Arima, "وزارة" (ministry) Zara, each a
    candidate of its own; Darayya was Daraa, 90 km away; Sarmin was Sormaniyah, 40 km away."""
    f = one(text, agreement, index)
    assert f["place"] == place and km(f["lon"], f["lat"], near) < 8


@pytest.mark.parametrize(("text", "places"), [
    ("Regime aircraft bombed Kafr Nabl, Maarat al-Numan and Khan Shaykhun on 3 August.",
     ["Kafr Nabl", "Maarat al-Numan", "Khan Shaykhun"]),
    ("شن الطيران الروسي غارات على سراقب، سرمين، بنش.", ["سراقب", "سرمين", "بنش"]),
    ("Обстрелам подверглись Кинсаба, Сальма (провинция Латакия) и Хан-Шейхун.",
     ["Кинсаба", "Сальма", "Хан-Шейхун"]),
    # Two villages apart by a comma are two places (a review of the first fix: Binnish was
    # dropped as if it said where Saraqib is).
    ("Russian jets struck Saraqib, Binnish on 3 August.", ["Saraqib", "Binnish"]),
])
def test_every_place_of_a_list_is_a_candidate(agreement, index, text, places):
    found = extract(text, agreement, index, doc_date=date(2016, 8, 4))
    assert [c.fields["place"] for c in found] == places


@pytest.mark.parametrize(("text", "place", "time"), [
    ("Боевики обстреляли из минометов н.п. Кафр-Нубль 3 августа.", "Кафр-Нубль", "2016-08-03"),
    ("Airstrikes hit Kafr Nabl on Aug. 3, the U.S. Central Command said.", "Kafr Nabl",
     "2016-08-03"),
])
def test_an_abbreviation_does_not_end_the_sentence(agreement, index, text, place, time):
    f = one(text, agreement, index)
    assert (f["place"], f["time"]) == (place, time)


@pytest.mark.parametrize(("text", "count"), [
    ("ВКС России нанесли одиннадцать ударов по Идлибу.", 11),  # was 1: "один*"
    ("Russian jets carried out a dozen strikes on Idlib.", 12),  # was 1: "a"
    ("شن الطيران الروسي أكثر من 20 غارة على إدلب.", None),  # more than 20: a bound
    ("شن الطيران الروسي 11 غارة على إدلب.", 11),
])
def test_counts_as_said(agreement, index, text, count):
    assert one(text, agreement, index)["count"] == count


@pytest.mark.parametrize(("text", "act"), [
    ("A car bomb struck a checkpoint in Azaz.", "explosion"),
    ("A mortar shell struck a school in Aleppo.", "shelling"),
    ("Rockets hit Aleppo.", "shelling"),
    ("Hayat Tahrir al-Sham launched an attack on Aleppo.", "ground_attack"),
    ("سقطت صواريخ على حلب.", "shelling"),
])
def test_act_words_of_the_press(agreement, index, text, act):
    # None of these gave a candidate, or gave an air strike.
    assert one(text, agreement, index)["act"] == act


@pytest.mark.parametrize("text", [
    "Regime aircraft bombed villages in Idlib governorate on 3 August 2016.",
    "Regime aircraft bombed villages in the Idlib countryside on 3 August 2016.",
    "Авиация сирийской армии нанесла удары по селам провинции Идлиб 3 августа 2016 года.",
    "قصف طيران النظام قرى في محافظة إدلب يوم 3 آب 2016.",
    "قصف طيران النظام قرى في ريف إدلب يوم 3 آب 2016.",
])
def test_a_governorate_is_not_its_city(agreement, index, text):
    """Placed at Idlib city ±5 km, a strike on "villages in Idlib governorate" was a breach
    for certain. It is the governorate, when a gazetteer gives its boundary; else unplaced."""
    f = one(text, agreement, index)
    assert f["lon"] is None and "governorate" in f["place_note"]
    wide = PlaceIndex(agreement, [Gazetteer.from_files([SYRIAN_ARCHIVE, ADM3, ADM1])])
    f = one(text, agreement, wide)
    assert "Idleb (syr_adm1" in f["place_ref"] and f["precision_m"] > 50_000


def test_cli_ids_unique_across_files_of_one_name_and_csv_formulas_made_text(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(
            '=HYPERLINK("http://example.com","Russian jets struck Kafr Nabl yesterday.")\n',
            encoding="utf-8")
    out = tmp_path / "c.csv"
    r = subprocess.run([JIG, "extract", str(tmp_path / "a" / "report.txt"),
                        str(tmp_path / "b" / "report.txt"), "-a", str(EXAMPLE / "agreement.yaml"),
                        "-g", str(SYRIAN_ARCHIVE), "-f", "csv", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [row["id"] for row in rows] == ["report-1", "b-report-1"]
    assert all(row["notes"].startswith("'=HYPERLINK") for row in rows)
    # No date in the text and no --date: said, not left for `jig check` to refuse.
    assert "2 without a time" in " ".join(r.stderr.split())


def test_a_gazetteer_lookup_of_an_arabic_name_says_why_it_fails():
    gaz = Gazetteer.from_files([SYRIAN_ARCHIVE])
    with pytest.raises(ValueError, match="no Latin letters"):
        gaz.lookup("دوما")


@pytest.mark.parametrize(("text", "lang", "day"), [
    ("20 ايلول 2016", "ar", "2016-09-20"),  # no hamza, as often written
    ("في 3 اب", "ar", "2016-08-03"),
    ("بتاريخ 3-8-2016", "ar", "2016-08-03"),
    ("HTS attacked on Tuesday", "en", "2016-08-02"),  # the document is of Thursday 4 August
    ("во вторник", "ru", "2016-08-02"),
    ("يوم الاربعاء", "ar", "2016-08-03"),
    ("накануне", "ru", "2016-08-03"),
])
def test_times_of_the_press(text, lang, day):
    # Each fell back to the previous sentence's time or the document's date, unsaid.
    (h,) = find_times(text, lang, default_lexicon(), date(2016, 8, 4))
    assert h.iso() == day


def test_a_month_is_a_whole_word():
    assert find_times("في 3 ابواب", "ar", default_lexicon(), date(2016, 8, 4)) == []


def test_cli_says_which_date_relative_days_were_read_against(tmp_path):
    doc = tmp_path / "truce.txt"
    doc.write_text("Since the truce took effect on 12 September 2016, violations continued. "
                   "Yesterday, Russian jets struck Saraqib.\n", encoding="utf-8")
    r = subprocess.run([JIG, "extract", str(doc), "-a", str(EXAMPLE / "agreement.yaml"),
                        "-g", str(SYRIAN_ARCHIVE)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "read against 2016-09-12" in " ".join(r.stderr.split())
    assert json.loads(r.stdout)["time"] == "2016-09-11"


def test_cli_takes_a_folder_of_texts(tmp_path):
    # "Is a directory", where `jig check` takes folders.
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text("Russian jets struck Kafr Nabl on 3 August 2016.\n",
                                              encoding="utf-8")
    (tmp_path / "notes.md").write_text("not read", encoding="utf-8")
    r = subprocess.run([JIG, "extract", str(tmp_path), "-a", str(EXAMPLE / "agreement.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["a-1", "b-1"]


@pytest.mark.parametrize(("text", "acts"), [
    # "г." after a year ends a Russian bulletin's sentence: two acts, each its own actor.
    ("Боевики Джебхат ан-Нусры обстреляли Алеппо 2 августа 2016 г. Позднее ВКС России нанесли "
     "удар по Сармину.", [("NUSRA", "shelling"), ("RU", "air_strike")]),
    # A mark belongs to the act nearest before it.
    ("Government forces shelled Saraqib to repel an attack by Nusra Front.",
     [("SY_GOV", "shelling")]),
    ("Russian jets struck Saraqib in response to fire from Nusra Front.", [("RU", "air_strike")]),
    # What activists reported: the regime's shelling.
    ("أفاد ناشطون بأن قوات النظام قصفت بلدة كفرنبل.", [("SY_GOV", "shelling")]),
    # A leader is the actor, by its longest name.
    ("US-led coalition forces struck Raqqa.", [("US", "air_strike")]),
    # Weapons named with an air strike do not make it another act.
    ("Russian jets carried out missile strikes on Idlib.", [("RU", "air_strike")]),
    ("Regime helicopters dropped barrel bombs on Saraqib, attacks that killed five.",
     [("SY_GOV", "air_strike")]),
])
def test_what_a_review_of_the_first_fixes_found(agreement, index, text, acts):
    found = extract(text, agreement, index, doc_date=date(2016, 8, 4))
    assert [(c.fields["actor"], c.fields["act"]) for c in found] == acts


def test_words_that_only_look_like_a_weekday_or_a_date():
    lex = default_lexicon()
    assert find_times("загрязняли окружающую среду", "ru", lex, date(2016, 8, 4)) == []
    assert find_times("on 8-3-2016", "en", lex, date(2016, 8, 4)) == []  # March or August?
