"""The map at scale in a real browser (Debian's Chromium) against a running server on
PostgreSQL: a store of 100,000 incidents, and the counts the page shows — the total under the
filters, the circles, the histogram — equal the API's, and the store's.

The incidents are written straight into the tables, as bench/map_queries.py fills its store
(storing 100,000 records through intake would take many minutes): what is tested is how the
page counts and shows them, not intake. The screenshot is kept in the test's tmp_path."""

from __future__ import annotations

import httpx
import psycopg
import pytest
from bench.map_queries import FILL, T0
from tests.conftest import EXAMPLE, HTTP_TIMEOUT, Server
from tests.test_ui import browser, page_for  # noqa: F401

from jig.service import Settings
from jig.store import Store, mapcounts

N = 100_000


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_counts_shown_equal_the_api_with_100000_incidents(browser, db_url, tmp_path):  # noqa: F811
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url,
                        agreements=[EXAMPLE / "agreement.yaml"])
    with Server(settings) as srv:
        with psycopg.connect(db_url, autocommit=True) as con:
            for statement in FILL.format(n=N, t0=T0).split(";\n"):
                if statement.strip():
                    con.execute(statement)
        # Written behind the store's back: its derived counts made again, as `jig audit
        # recount` makes them.
        store = Store.open(db_url, key_folder=tmp_path)
        try:
            with store.writing() as s:
                mapcounts.rebuild(s)
        finally:
            store.close()
        page, _ = page_for(browser, srv.url)
        page.wait_for_function("state.overview && state.histogram && state.linkRead")
        # Every synthetic incident lies in the first view and the time in force.
        params = dict(page.evaluate("[...state.selection.entries()]"))
        api = httpx.get(f"{srv.url}/incidents/overview", params=params,
                        timeout=HTTP_TIMEOUT).json()
        shown = page.evaluate("state.overview")
        assert shown["total"] == api["total"] == N
        assert sum(c["n"] for c in shown["cells"]) == N
        drawn = page.evaluate("state.map.cells.reduce((s, c) => s + c.n, 0)")
        assert drawn == N and page.evaluate("state.map.points.length") == 0
        assert page.text_content("#count").startswith(f"0 of {N} incidents shown as points")
        assert sum(d["n"] for d in page.evaluate("state.histogram.days")) == N
        # The verdict filter: the page's count is the API's for that verdict.
        page.select_option("#verdict", "breach")
        page.click("#apply")
        page.wait_for_function("state.selection.get('verdict') === 'breach'")
        breaches = httpx.get(f"{srv.url}/incidents/overview", params=params | {
            "verdict": "breach"}, timeout=HTTP_TIMEOUT).json()["total"]
        assert 0 < breaches < N
        assert page.evaluate("state.overview.total") == breaches
        assert page.text_content("#count").startswith(f"0 of {breaches} ")
        page.screenshot(path=str(tmp_path / "100k.png"))
