"""The UI's commitments panel in a real browser (Debian's Chromium through Playwright) against
a running server holding the library's Hodeidah agreement and its sourced status records."""

from __future__ import annotations

import csv
import re

import httpx
from tests.conftest import Server
from tests.test_ui import browser, page_for  # noqa: F401  (the module's browser fixture)

from jig.library import entry
from jig.service import Settings


def test_the_agreement_view_lists_each_commitment_with_deadline_verdict_and_reason(
        browser, tmp_path):  # noqa: F811
    hod = entry("hodeidah-2018")
    settings = Settings(data_dir=tmp_path / "data", agreements=[hod.agreement_path])
    with Server(settings) as srv:
        with hod.status_records.open(encoding="utf-8") as f:
            rows = [{k: v for k, v in r.items() if v} for r in csv.DictReader(f)]
        httpx.post(f"{srv.url}/status", json=rows, timeout=60).raise_for_status()
        page, _ = page_for(browser, srv.url)
        # The tabs work once the page has wired its controls: a click before that is lost.
        page.wait_for_selector("html[data-ready=true]", state="attached")
        page.click("[data-view=agreement]")
        page.wait_for_selector("#commitments-panel tr[data-outcome]")
        got = page.eval_on_selector_all(
            "#commitments-panel tr[data-outcome]",
            "rows => rows.map(r => [r.dataset.commitment, r.dataset.actor, r.dataset.outcome])")
        assert got == [["hodeidah-2-redeploy-from-ports", "HOUTHI", "breach"],
                       ["hodeidah-3-full-redeployment", "HOUTHI", "breach"],
                       ["hodeidah-3-full-redeployment", "YE_GOV", "breach"]]
        text = page.text_content("#commitments-panel")
        assert "2019-01-01T00:00+03:00" in text and "HOD-S4: done" in text
        assert "133 days after the deadline" in text
        page.select_option("#lang", "ar")
        page.wait_for_function("document.querySelector('#commitments-panel h3')"
                               ".textContent === 'الالتزامات'")
        assert page.text_content("#commitments-panel th") == "البند"
        # The reasons too, through the catalogs: none of the engine's English left (the
        # obligation's own words and the records' sources are the agreement's, as written).
        page.wait_for_function("[...document.querySelectorAll('#commitments-panel td[data-tr]')]"
                               ".every((td) => td.lang === 'ar')")
        reasons = page.eval_on_selector_all("#commitments-panel td[data-tr]",
                                            "tds => tds.map(td => td.textContent)")
        assert len(reasons) == 3 and all(re.search("[\u0600-\u06ff]", r) for r in reasons)
        engine = re.compile(r"\b(must|deadline|overdue|verified|recorded|pending)\b")
        assert not any(engine.search(r) for r in reasons), reasons
        page.close()
