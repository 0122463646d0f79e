"""An agreement read before is taken from the user's cache only while everything that decided
it is unchanged: the file, the GeoJSON files it names, where it was read from; and never from
an entry others could have written."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import EXAMPLE

from jig import load_agreement
from jig.agreement import cache
from jig.agreement.cache import load_agreement_cached
from jig.errors import AgreementError

JIG = str(Path(sys.executable).with_name("jig"))


@pytest.fixture
def copy(tmp_path, monkeypatch):
    """The 2016 example (four GeoJSON files beside it), every read of it kept."""
    monkeypatch.setattr(cache, "MIN_SECONDS", 0.0)
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    return folder / "agreement.yaml"


def entries(directory):
    return sorted((directory / "agreements").glob("*.pickle"))


def plant(directory, path, title):
    """What the cache holds for `path`, replaced by the same agreement under another title:
    reading it back shows whether the entry was used."""
    [entry] = entries(directory)
    a = load_agreement(path)
    object.__setattr__(a, "title", title)
    cache._write(entry, a)


def test_a_second_read_comes_from_the_cache_and_judges_alike(copy, tmp_path):
    store = tmp_path / "cache"
    first = load_agreement_cached(copy, store)
    assert len(entries(store)) == 1
    again = load_agreement_cached(copy, store)
    assert again is not first
    assert again.content_hash == first.content_hash == load_agreement(copy).content_hash
    assert [z.id for z in again.zones] == [z.id for z in first.zones]
    assert again.sources == first.sources and len(first.sources) == 4
    plant(store, copy, "planted")
    assert load_agreement_cached(copy, store).title == "planted"


def test_a_changed_geojson_file_or_agreement_is_read_again(copy, tmp_path):
    store = tmp_path / "cache"
    load_agreement_cached(copy, store)
    plant(store, copy, "planted")
    zones = copy.parent / "zones.geojson"
    zones.write_text(zones.read_text().replace('"DA-1"', '"DA-9"'))
    fresh = load_agreement_cached(copy, store)
    assert fresh.title != "planted" and "DA-9" in {z.id for z in fresh.zones}
    copy.write_text(copy.read_text() + "\n# changed\n")
    assert load_agreement_cached(copy, store).title != "planted"
    assert len(entries(store)) == 2  # one per version of the file


def test_the_same_file_elsewhere_reads_its_own_geojson(copy, tmp_path):
    """The entry is keyed by the folder: a copy beside other zones is not the agreement
    read before."""
    store = tmp_path / "cache"
    load_agreement_cached(copy, store)
    other = tmp_path / "other"
    shutil.copytree(copy.parent, other)
    zones = other / "zones.geojson"
    zones.write_text(zones.read_text().replace('"DA-1"', '"DA-7"'))
    assert "DA-7" in {z.id for z in load_agreement_cached(other / "agreement.yaml", store).zones}


def test_an_entry_others_could_write_is_not_read(copy, tmp_path):
    store = tmp_path / "cache"
    load_agreement_cached(copy, store)
    plant(store, copy, "planted")
    [entry] = entries(store)
    entry.chmod(0o662)
    assert load_agreement_cached(copy, store).title != "planted"
    plant(store, copy, "planted")
    [entry] = entries(store)
    entry.chmod(0o600)
    (store / "agreements").chmod(0o777)
    assert load_agreement_cached(copy, store).title != "planted"


def test_a_damaged_entry_is_read_as_none(copy, tmp_path):
    store = tmp_path / "cache"
    load_agreement_cached(copy, store)
    [entry] = entries(store)
    entry.write_bytes(entry.read_bytes()[:1000])
    assert load_agreement_cached(copy, store).content_hash == load_agreement(copy).content_hash


def test_a_file_with_problems_is_never_kept(copy, tmp_path):
    store = tmp_path / "cache"
    copy.write_text(copy.read_text().replace("jig: 1", "jig: 7", 1))
    for _ in range(2):
        with pytest.raises(AgreementError):
            load_agreement_cached(copy, store)
    assert not entries(store)


def test_only_the_newest_entries_are_kept(copy, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    store = tmp_path / "cache"
    for k in range(4):
        copy.write_text(copy.read_text() + f"\n# version {k}\n")
        load_agreement_cached(copy, store)
    assert len(entries(store)) == 2


def test_jig_check_reads_a_large_agreement_from_the_cache(tmp_path):
    """Through the command, with the user's cache where XDG_CACHE_HOME says: 600 zones of 200
    vertices take well over MIN_SECONDS to read, and the second run writes the same bytes."""
    turn = np.linspace(0, 2 * np.pi, 200, endpoint=False)
    features = []
    for k in range(600):
        lon, lat = 36.0 + (k % 30) * 0.05, 35.0 + (k // 30) * 0.05
        ring = [[round(lon + 0.02 * np.cos(t), 6), round(lat + 0.02 * np.sin(t), 6)]
                for t in turn]
        features.append({"type": "Feature", "properties": {"id": f"Z{k}", "kind": "designated"},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    doc = {"jig": 1, "id": "many", "in_force": {"from": "2016-07-15"}, "timezone": "UTC",
           "parties": {"A": {"name": "A", "answers_for": ["AF"]}},
           "actors": {"AF": {"name": "A forces", "match": ["Government of Syria"]}},
           "zones": {"type": "FeatureCollection", "features": features},
           "clauses": [{"id": "no-strikes", "rule": "no_strikes_in", "bound": ["AF"],
                        "acts": ["air_strike"], "zones": {"kind": "designated"}}]}
    agreement = tmp_path / "many.yaml"
    agreement.write_text(json.dumps(doc))
    jig = [JIG, "check", str(agreement), str(EXAMPLE / "incidents.csv"), "-f", "jsonl"]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "JIG_KERNELS": "off"}
    runs = [subprocess.run(jig, capture_output=True, env=env, check=True) for _ in range(2)]
    assert len(entries(tmp_path / "cache" / "jig")) == 1
    assert runs[0].stdout == runs[1].stdout and b'"verdict"' in runs[0].stdout
