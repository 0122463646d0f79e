"""Loading agreements: the example, and every kind of error named with its place and a fix."""

from __future__ import annotations

import copy
import json

import pytest
from tests.conftest import BASE, EXAMPLE, ROOT, box, collection, feature

from jig import AgreementError, json_schema, load_agreement

ONE_CLAUSE = """\
zones: zones.geojson
clauses:
  - id: c1
    rule: no_strikes_in
    bound: [BF]
    zones: {kind: designated}
"""
GOOD_ZONES = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"))


def problems(write_agreement, extra, base=BASE, **geojson):
    with pytest.raises(AgreementError) as info:
        load_agreement(write_agreement(extra, base=base, **geojson))
    return info.value.problems


def test_the_example_loads_with_everything_the_terms_name(example):
    assert example.id == "syria-2016-jig"
    assert set(example.parties) == {"US", "RU"}
    assert {c.rule for c in example.clauses} == {"no_strikes_in", "only_agreed_targets",
                                                 "no_strikes_near_sites", "no_weapons_in",
                                                 "no_flights_in"}
    assert set(example.exceptions) == {"imminent-threat", "advance-beyond-areas",
                                       "attack-from-areas"}
    assert {z.kind for z in example.zones} >= {"designated"}
    assert len(example.content_hash) == 64


def test_content_hash_ignores_formatting_but_not_content(write_agreement, tmp_path):
    a = load_agreement(write_agreement(ONE_CLAUSE, zones=GOOD_ZONES))
    path = write_agreement("# a comment\n" + ONE_CLAUSE.replace("bound: [BF]", "bound:  [ BF ]"),
                           zones=GOOD_ZONES)
    assert load_agreement(path).content_hash == a.content_hash
    path = write_agreement(ONE_CLAUSE.replace("[BF]", "[BF, BPROXY]"), zones=GOOD_ZONES)
    assert load_agreement(path).content_hash != a.content_hash


def test_yaml_syntax_error_names_the_line(write_agreement):
    [p] = problems(write_agreement, "clauses:\n  - id: [unclosed\n")
    assert p.code == "yaml.syntax" and p.where.line is not None and p.where.line >= 15


def test_unknown_key_names_its_line_and_the_allowed_keys(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("    rule:", "    rulez: x\n    rule:"),
                   zones=GOOD_ZONES)
    assert p.code == "agreement.unknown_key"
    assert p.where.line == 16 and p.where.path == "clauses[0].rulez"
    assert "rule" in p.hint and "bound" in p.hint


def test_wrong_rule_name_lists_the_valid_rules(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("no_strikes_in", "no_strike_in"),
                   zones=GOOD_ZONES)
    assert p.where.line == 16 and "only_agreed_targets" in p.message
    assert p.hint == "did you mean 'no_strikes_in'?"


def test_a_word_far_from_every_choice_gets_no_guess(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("no_strikes_in", "forbid"),
                   zones=GOOD_ZONES)
    assert "no_strikes_in" in p.message and p.hint is None


def test_one_actor_where_a_list_is_asked_says_how_to_write_it(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("[BF]", "BF"), zones=GOOD_ZONES)
    assert p.where.path == "clauses[0].bound" and p.hint == "write it as a list: [BF]"


def test_missing_required_key(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE, base=BASE.replace("id: test-agreement\n", ""),
                   zones=GOOD_ZONES)
    assert p.code == "agreement.missing" and "`id` is required" in p.message


def test_duplicate_yaml_key_is_an_error_not_silently_overwritten(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("    bound: [BF]", "    bound: [BF]\n    bound: [AF]"),
                   zones=GOOD_ZONES)
    assert p.code == "yaml.duplicate_key" and p.where.line == 18


def test_unknown_actor_and_exception_are_named_with_their_lines(write_agreement):
    extra = ONE_CLAUSE.replace("[BF]", "[BF, NOBODY]") + "    exceptions: [nope]\n"
    ps = problems(write_agreement, extra, zones=GOOD_ZONES)
    by_code = {p.code: p for p in ps}
    assert "unknown actor 'NOBODY'" in by_code["agreement.unknown_actor"].message
    assert by_code["agreement.unknown_actor"].where.line == 17
    assert "BF" in by_code["agreement.unknown_actor"].hint
    assert by_code["agreement.unknown_exception"].where.line == 19
    # A slip of a letter is named as the one it most likely meant.
    [p] = problems(write_agreement, ONE_CLAUSE.replace("[BF]", "[BFF]"), zones=GOOD_ZONES)
    assert p.code == "agreement.unknown_actor" and p.hint == "did you mean 'BF'?"
    # And so is one in the wrong case (a new user wrote SY_Gov for SY_GOV).
    [p] = problems(write_agreement, ONE_CLAUSE.replace("[BF]", "[bproxy]"), zones=GOOD_ZONES)
    assert p.hint == "did you mean 'BPROXY'?"
    # Two as near are both named, not the first of them.
    from jig.errors import did_you_mean

    assert did_you_mean("RUS", ["US", "RU", "SY_GOV"]) == "did you mean 'RU' or 'US'?"


def test_selector_that_selects_nothing(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE.replace("designated}", "designatd}"),
                   zones=GOOD_ZONES)
    assert p.code == "agreement.empty_selector" and "designated" in p.hint


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "Polygon", "coordinates": [[[36, 35], [36.2, 35], [36.2, 35.2], [36, 35.2]]]},
     "ring 0 is not closed"),
    ({"type": "Polygon", "coordinates": [[[36, 35], [36.2, 35.2], [36.2, 35], [36, 35.2], [36, 35]]]},
     "Self-intersection"),
    ({"type": "Polygon", "coordinates": [[[35, 36], [35.2, 36], [35.2, 95], [35, 95], [35, 36]]]},
     "latitude 95.0 is out of range"),
    ({"type": "Polygon", "coordinates": [[[35.1, 136.1], [35.2, 136.1], [35.2, 136.3], [35.1, 136.1]]]},
     "looks swapped"),
    ({"type": "LineString", "coordinates": [[36, 35], [36.2, 35]]}, "zones cannot be a LineString"),
])
def test_invalid_geometry_is_explained_and_names_the_feature(write_agreement, geometry, expected):
    zones = collection(feature(geometry, id="BAD-1", kind="designated"),
                       feature(box(36.0, 35.0, 36.2, 35.2), id="OK-1", kind="designated"))
    [p] = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert p.where.feature == "BAD-1" and p.where.file.endswith("zones.geojson")
    assert expected in p.message


def test_a_zone_or_site_wholly_outside_the_area_is_refused_and_a_swapped_one_said_so(
        write_agreement):
    """Written latitude first, Syria's zone lands in Turkey, in range: only the agreement's
    own `area` shows it. It validated before, and its incidents were set aside unjudged."""
    area = collection(feature(box(35.5, 34.5, 37.5, 36.5), id="AREA"))
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
                       feature(box(35.0, 36.8, 35.3, 37.0), id="SWAPPED", kind="designated"),
                       feature(box(40.0, 35.0, 40.2, 35.2), id="FAR", kind="designated"),
                       feature(box(37.55, 35.0, 37.6, 35.2), id="MARGIN", kind="designated"))
    extra = "area: area.geojson\n" + ONE_CLAUSE
    swapped, far = problems(write_agreement, extra, zones=zones, area=area)
    assert (swapped.code, swapped.where.feature) == ("geojson.outside_area", "SWAPPED")
    assert "lies wholly outside the agreement's area" in swapped.message
    assert "look swapped" in swapped.hint
    assert (far.where.feature, far.hint) == ("FAR", "move it into the area, or widen the area")
    # A version a store took before this check still loads from the store.
    from jig.agreement.load import parse_agreement

    path = write_agreement(extra, zones=zones, area=area)
    stored = parse_agreement(path.read_text(), base_dir=path.parent, stored=True)
    assert [z.id for z in stored.zones] == ["Z-1", "SWAPPED", "FAR", "MARGIN"]
    # Within the 10 km margin is inside (MARGIN, 5 km east of the area), as for incidents.
    assert load_agreement(write_agreement(extra, zones=collection(*zones["features"][::3]),
                                          area=area)).zones[1].id == "MARGIN"


def test_duplicate_and_missing_feature_ids(write_agreement):
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"),
                       feature(box(36.3, 35.0, 36.5, 35.2), id="Z-1", kind="designated"),
                       feature(box(36.6, 35.0, 36.8, 35.2), kind="designated"))
    ps = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert {p.code for p in ps} == {"geojson.duplicate_id", "geojson.properties"}
    assert any(p.where.feature == "#2" and "no `id`" in p.message for p in ps)


def test_missing_geojson_file_names_the_yaml_line(write_agreement):
    [p] = problems(write_agreement, ONE_CLAUSE)
    assert p.code == "geojson.unreadable" and p.where.line == 13


def test_inline_features_are_accepted_and_errors_name_the_yaml_line(write_agreement):
    inline = ONE_CLAUSE.replace("zones: zones.geojson", """\
zones:
  - type: Feature
    properties: {id: Z-1, kind: designated}
    geometry: {type: Polygon, coordinates: [[[36, 35], [36.2, 35], [36.2, 35.2], [36, 35.2], [36, 35]]]}""")
    assert load_agreement(write_agreement(inline)).zones[0].id == "Z-1"
    [p] = problems(write_agreement, inline.replace("[36, 35]]]", "[36, 35.1]]]"))
    assert p.where.line == 14 and p.where.feature == "Z-1" and "not closed" in p.message


def test_an_agreement_written_as_json_loads_and_its_errors_still_name_lines(tmp_path):
    """JSON (a machine's agreement, zones inline) is read by the JSON parser; a problem in it
    is still placed on its line, and a repeated key is still refused."""
    doc = {"jig": 1, "id": "as-json", "in_force": {"from": "2016-07-15"}, "timezone": "UTC",
           "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
           "actors": {"AF": {"name": "A forces", "match": ["A forces"]}},
           "zones": copy.deepcopy(GOOD_ZONES),  # its ring is broken below
           "clauses": [{"id": "c1", "rule": "no_strikes_in", "bound": ["AF"],
                        "zones": {"kind": "designated"}}]}
    path = tmp_path / "agreement.json"
    path.write_text(json.dumps(doc, indent=1))
    assert load_agreement(path).zones[0].id == "Z-1"
    ring = doc["zones"]["features"][0]["geometry"]["coordinates"][0]
    ring[-1] = [36.0, 35.1]
    path.write_text(json.dumps(doc, indent=1))
    with pytest.raises(AgreementError) as info:
        load_agreement(path)
    [p] = info.value.problems
    text = path.read_text().splitlines()
    assert "not closed" in p.message and p.where.feature == "Z-1"
    # The line where that feature's object opens.
    assert text[p.where.line - 1].strip() == "{" and '"type": "Feature"' in text[p.where.line]
    path.write_text('{"jig": 1, "id": "a",\n "id": "b"}')
    with pytest.raises(AgreementError) as info:
        load_agreement(path)
    assert info.value.problems[0].code == "yaml.duplicate_key"
    assert info.value.problems[0].where.line == 2


def test_impossible_dates_and_unknown_timezone(write_agreement):
    base = BASE.replace("until: 2016-10-03", "until: 2016-02-30").replace(
        "Asia/Damascus", "Asia/Atlantis")
    ps = problems(write_agreement, ONE_CLAUSE, base=base, zones=GOOD_ZONES)
    messages = " | ".join(p.message for p in ps)
    assert "impossible date '2016-02-30'" in messages
    assert "unknown timezone 'Asia/Atlantis'" in messages


def test_a_date_yaml_reads_as_a_number_is_the_basic_date_it_looks_like(write_agreement):
    """Unquoted, `20160715` is a YAML integer; pydantic would read it as seconds after 1970,
    putting the agreement in force 46 years early. In the agreement and in GeoJSON it is the
    ISO 8601 basic date (ruling 7); a number that is no date is refused, naming its key."""
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                               valid_from=20160801))
    basic = load_agreement(write_agreement(
        ONE_CLAUSE, base=BASE.replace("from: 2016-07-15", "from: 20160715"), zones=zones))
    zones["features"][0]["properties"]["valid_from"] = "2016-08-01"
    extended = load_agreement(write_agreement(ONE_CLAUSE, zones=zones))
    assert basic.in_force == extended.in_force
    assert basic.zones[0].window == extended.zones[0].window
    assert basic.zones[0].window.start > basic.in_force.start > 1.4e9

    [p] = problems(write_agreement, ONE_CLAUSE, base=BASE.replace("from: 2016-07-15",
                                                                  "from: 2016"), zones=GOOD_ZONES)
    assert p.where.path == "in_force.from" and "'2016'" in p.message
    zones["features"][0]["properties"]["valid_until"] = 1.5
    [p] = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert p.where.feature == "Z-1" and p.message.startswith("valid_until: ")


def test_a_judged_property_spelt_wrong_is_refused_not_kept_unread(write_agreement):
    """A new user's review: a site's `radius` (for `radius_m`) was kept as an extra property,
    the site read as having no radius and a strike 204 m from a hospital complied; so too
    `valid_form` and `agred_by`. A property a slip away from a judged one the feature lacks
    is refused, naming both; any other extra property is kept as before."""
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                               valid_form="2016-08-01", valid_to="2016-09-01",
                               ADM2_PCODE="SY0702", note="kept"))
    ps = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert {(p.where.feature, p.code) for p in ps} == {("Z-1", "geojson.misspelt")}
    assert sorted(p.message for p in ps) == [
        "property `valid_form` is not one jig reads, and `valid_from` is missing: did you mean "
        "`valid_from`?",
        "property `valid_to` is not one jig reads, and `valid_until` is missing: did you mean "
        "`valid_until`?"]
    # Beside the real one, a look-alike is somebody's own property.
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                               valid_from="2016-08-01", valid_form="typed twice"))
    assert load_agreement(write_agreement(ONE_CLAUSE, zones=zones)).zones[0].id == "Z-1"


def test_a_feature_without_id_is_told_which_code_could_be_one(write_agreement):
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), ADM2_PCODE="SY0702", kind="designated"))
    [p] = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert "has no `id` property" in p.message and p.hint == (
        "it has `ADM2_PCODE`: copy one into an `id` property")


def test_validity_of_features_must_be_ordered(write_agreement):
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated",
                               valid_from="2016-09-01", valid_until="2016-08-01"))
    [p] = problems(write_agreement, ONE_CLAUSE, zones=zones)
    assert p.where.feature == "Z-1" and "not after" in p.message


def test_committed_json_schema_is_current():
    committed = json.loads((ROOT / "docs" / "agreement.schema.json").read_text())
    assert committed == json_schema(), "run: jig schema -o docs/agreement.schema.json"


def test_json_schema_describes_the_example_keys():
    schema = json_schema()
    assert set(schema["required"]) >= {"jig", "id", "in_force", "parties", "actors", "clauses"}
    assert "no_weapons_in" in json.dumps(schema)
    assert EXAMPLE.joinpath("agreement.yaml").exists()


def test_the_examples_actors_are_named_as_the_real_exports_name_them(example):
    # Airwars names the coalition "U.S.-led Coalition": the example did not match it, and
    # 51 coalition strikes of 2016-2019 were undetermined under Russia's clause as acts of
    # an unknown actor. (A belligerent list, "Russian Military, Iranian Military", is a
    # contested attribution and stays unknown.)
    named = {"U.S.-led Coalition": "US", "Russian Military": "RU",
             "Military Forces of Syria (2000-)": "SY_GOV", "Government of Syria": "SY_GOV",
             "Jabhat Fateh al-Sham": "NUSRA", "IS": "IS",
             "Russian Military, Iranian Military": None}
    assert {name: example.match_actor(name)[0] for name in named} == named


@pytest.mark.parametrize(("selector", "message", "hint"), [
    ("{id: [Z-1, ZZ-1]}", "zone selector names 'ZZ-1', which no zone is",
     "did you mean 'Z-1'?"),
    ("{id: [Z-1, Z-9]}", "zone selector names 'Z-9', which no zone is", "zone ids: Z-1"),
    ("{id: ZZZZ}", "zone selector names 'ZZZZ', which no zone is", "zone ids: Z-1"),
    ("{kind: buffer}", "zone selector (kind buffer) selects no zone",
     "zone kinds present: designated"),
])
def test_a_zone_selector_names_zones_that_exist(write_agreement, selector, message, hint):
    # A list of ids with one slip was accepted: the clause covered less than it said.
    zones = collection(feature(box(36.0, 35.0, 36.2, 35.2), id="Z-1", kind="designated"))
    [p] = problems(write_agreement, ONE_CLAUSE.replace("{kind: designated}", selector),
                   zones=zones)
    assert p.message == message and p.hint == hint and p.where.path == "clauses[0].zones"
