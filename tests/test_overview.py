"""The map's overview over HTTP on each backend: counts per grid cell and per day equal what
`GET /incidents` lists for the same asker and filters, at every cell size, on real data; and
no count reveals another party's unreleased record."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from tests.conftest import EXAMPLE, ROOT, wait_for_job
from tests.test_joint_cell import STRIKE, cell, ok  # noqa: F401 - the fixture

UCDP = ROOT / "tests" / "data" / "ucdp_ged_syria_2016.csv"
AIRWARS = ROOT / "tests" / "data" / "airwars_syria_2016.csv"
PERIOD = {"from": "2016-07-15", "to": "2016-10-02"}  # the example's time in force (until 3 October)


def listed(c: httpx.Client, **params: str) -> Counter[str]:
    """Verdicts of every incident `GET /incidents` lists, page by page."""
    out: Counter[str] = Counter()
    cursor = None
    while True:
        page = ok(c.get("/incidents", params=params | {"limit": 1000}
                        | ({"cursor": cursor} if cursor else {})))
        out.update(i["verdict"]["verdict"] for i in page["items"])
        cursor = page["next"]
        if cursor is None:
            return out


def test_counts_equal_the_listing_at_every_cell_size_on_real_data(client):
    for path in (EXAMPLE / "incidents.csv", UCDP, AIRWARS):
        r = client.post(f"/incidents/bulk?filename={path.name}", content=path.read_bytes(),
                        headers={"content-type": "text/csv"})
        assert wait_for_job(client, r.json()["job"])["status"] == "done"
    # Without a period: the agreement's time in force, said in the answer.
    default = ok(client.get("/incidents/overview"))
    assert default["from"].startswith("2016-07-14T21:00") and default["to"]
    expected = listed(client, **PERIOD)
    assert sum(expected.values()) > 50 and len(expected) >= 3  # real rows, several verdicts
    everything = listed(client)
    assert sum(everything.values()) > sum(expected.values())  # 2016 data outside the period
    assert ok(client.get("/incidents/overview", params={"all_time": "true"}))[
        "by_verdict"] == dict(everything)
    for cells in (1, 8, 64, 256):
        got = ok(client.get("/incidents/overview", params={"cells": cells}))
        assert got["by_verdict"] == dict(expected), cells
        assert sum(c["n"] for c in got["cells"]) == got["total"] == sum(expected.values())
        for c in got["cells"]:  # each cell's marker inside the cell
            assert c["lon"] <= c["at"][0] <= c["lon"] + got["cell"]
            assert c["lat"] <= c["at"][1] <= c["lat"] + got["cell"]
    # A view and filters: the same rows as the listing, in the database and by listing.
    box = "36.0,35.0,37.5,36.5"
    for extra in ({}, {"verdict": "breach"}, {"clause": "no-bombing-in-designated-areas",
                                               "outcome": "undetermined"},
                  {"source": "UCDP GED"}, {"actor": "RU"}):
        want = listed(client, bbox=box, **PERIOD, **extra)
        got = ok(client.get("/incidents/overview", params={"bbox": box, "cells": 16}
                            | PERIOD | extra))
        assert got["by_verdict"] == dict(want), extra
    # The histogram: by day, adding up to the same counts.
    days = ok(client.get("/incidents/histogram", params={"bbox": box}))
    assert days["timezone"] == "Asia/Damascus"
    assert sum((Counter(d["counts"]) for d in days["days"]), Counter()) == \
        listed(client, bbox=box, **PERIOD)
    assert all("2016-07-15" <= d["day"] < "2016-10-03" for d in days["days"])
    # A bad view is named.
    bad = client.get("/incidents/overview", params={"bbox": "37,36,36,35"})
    assert bad.status_code == 422 and "bbox" in bad.text
    assert client.get("/incidents/overview", params={"cells": 100_000}).status_code == 422


def test_no_count_reveals_another_partys_unreleased_record(cell):  # noqa: F811
    c, _ = cell
    ok(c["us-analyst"].post("/incidents", json=STRIKE))
    # Each side's view: the US its own record, Russia nothing until it is released.
    view = {"bbox": "36.5,35.3,37.5,36.0"}
    assert ok(c["us-analyst"].get("/incidents/overview", params=view))["total"] == 1
    for who in ("ru-analyst", "ru-lead", "reviewer"):
        got = ok(c[who].get("/incidents/overview", params=view))
        assert got["total"] == 0 and got["cells"] == [], who
        assert ok(c[who].get("/incidents/histogram", params=view))["days"] == [], who
        # Nor through a filter the database cannot apply: the source guessed.
        assert ok(c[who].get("/incidents/overview", params=view | {
            "source": STRIKE["source"]}))["total"] == 0
    ok(c["us-lead"].post("/incidents/US-7/release", json={"withhold": ["source", "notes"]}))
    for who in ("ru-analyst", "reviewer"):
        assert ok(c[who].get("/incidents/overview", params=view))["total"] == 1, who
        assert sum(d["n"] for d in ok(c[who].get("/incidents/histogram",
                                                 params=view))["days"]) == 1
        # The withheld source still matches nothing for them.
        assert ok(c[who].get("/incidents/overview", params=view | {
            "source": STRIKE["source"]}))["total"] == 0, who
    assert ok(c["us-analyst"].get("/incidents/overview", params=view | {
        "source": STRIKE["source"]}))["total"] == 1
    assert c["observer"].get("/incidents/overview").status_code == 403
    assert c["none"].get("/incidents/overview").status_code == 401


@pytest.mark.parametrize("cells", [1, 7])
def test_cell_sides_are_powers_of_two_of_a_degree(cells):
    from jig.store.overview import cell_size

    size = cell_size((35.0, 32.0, 42.0, 37.0), cells)
    assert size <= 7.0 / cells < 2 * size
    assert float(size).hex().startswith("0x1.0000000000000p")
