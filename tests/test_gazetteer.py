"""Place names to places: tiers of matching, regions, ambiguity, and nothing guessed."""

from __future__ import annotations

import pytest
from tests.conftest import SHARED_DATA

from jig.readers.gazetteer import Gazetteer, normalise, skeleton

OCHA = SHARED_DATA / "admin_boundaries"


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_files([
        SHARED_DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv",
        OCHA / "syr_adm3_subdistricts_ocha_2016.geojson",
        OCHA / "syr_adm2_districts_ocha_2016.geojson",
        OCHA / "syr_adm1_governorates_ocha_2016.geojson"])


def test_spelling_noise_is_removed():
    assert normalise("Ar-Raqqa") == normalise("raqqa") == "raqqa"
    assert skeleton("Deir-ez-Zor") == skeleton("Dayr Az Zawr")
    assert skeleton("Ma'arrat al-Numan") == skeleton("Ma'arrat An Nu'man")
    assert skeleton("Manbij") == skeleton("Menbij")


@pytest.mark.parametrize(("name", "region", "expected", "how"), [
    ("Raqqa", None, "Ar-Raqqa", "name"),          # the subdistrict, most specific of three
    ("Kobani", None, "Ain al Arab", "alias"),
    ("Palmyra", None, "Palmyra", "name"),
    ("Mar’a", None, "Mar'e", "alias"),            # CJTF-OIR's spelling of Mare', north Aleppo
    ("Al Ma'ra", "Idlib", "Al Ma'ra", "name"),    # ... while Idlib's al-Ma'ra stays itself
    ("Tal Abyad", None, "Tell Abiad", "skeleton"),
    ("Ma'arrat al-Numan", "Idlib", "Ma'arrat An Nu'man", "skeleton"),
])
def test_names_are_found_in_tiers(gazetteer, name, region, expected, how):
    m = gazetteer.lookup(name, region)
    assert (m.place.name, m.how) == (expected, how)


def test_the_radius_covers_the_unit_matched(gazetteer):
    raqqa = gazetteer.lookup("Raqqa").place
    assert raqqa.kind == "adm3" and 30_000 < raqqa.radius_m < 90_000
    aleppo = gazetteer.lookup("Aleppo").place
    assert aleppo.kind == "point" and aleppo.radius_m == 5000


def test_a_region_keeps_a_name_in_its_governorate(gazetteer):
    with pytest.raises(ValueError, match="'Raqqa' in Daraa is not in the gazetteer"):
        gazetteer.lookup("Raqqa", "Daraa")


def test_unknown_and_short_names_are_reported_not_guessed(gazetteer):
    with pytest.raises(ValueError, match="'At Tanf' is not in the gazetteer"):
        gazetteer.lookup("At Tanf")
    with pytest.raises(ValueError, match="is not in the gazetteer"):
        gazetteer.lookup("Subha")  # skeleton "sbh" is too short to trust


def test_names_of_places_far_apart_are_ambiguous(tmp_path):
    points = tmp_path / "points.csv"
    points.write_text("name,latitude,longitude,region\n"
                      "Tell Hamra,36.5,37.0,ALEPPO\nTell Hamra,33.0,36.3,DARAA\n")
    gaz = Gazetteer.from_files([points])
    with pytest.raises(ValueError, match=r"ambiguous: it matches Tell Hamra \(ALEPPO\); Tell Hamra"):
        gaz.lookup("Tell Hamra")
    assert gaz.lookup("Tell Hamra", "Daraa").place.lat == 33.0


def test_a_file_that_places_nothing_is_refused_as_a_gazetteer(tmp_path):
    """An incidents file given as --gazetteer was taken, and every place-only row was then
    rejected with "is not in the gazetteer (0 places)"."""
    from tests.test_cli import AGREEMENT, INCIDENTS, jig

    from jig import InputFileError

    empty = tmp_path / "no-coords.csv"
    empty.write_text("name,latitude,longitude\nIdlib,,\n")
    shapes = tmp_path / "shapes.geojson"
    shapes.write_text('{"type": "FeatureCollection", "features": []}')
    for path, said in ((INCIDENTS, "missing: name, latitude, longitude (it has: act, actor"),
                       (empty, "no row has a name and a latitude and longitude"),
                       (shapes, "no feature has a geometry and a NAME_EN or name")):
        with pytest.raises(InputFileError, match="is not a gazetteer") as info:
            Gazetteer.from_files([path])
        assert said in str(info.value)
    r = jig("check", AGREEMENT, INCIDENTS, "-g", INCIDENTS)
    assert r.returncode == 2 and "is not a gazetteer" in r.stderr and r.stdout == ""
