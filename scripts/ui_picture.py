"""docs/ui-map.png: the 2016 example in the web UI (A-12 open, the zones of 20 September),
taken in Debian's Chromium as the browser tests drive it. Run: .venv/bin/python scripts/ui_picture.py"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.conftest import EXAMPLE, Server, wait_for_job  # noqa: E402
from tests.test_ui import ARGS, CHROMIUM  # noqa: E402

from jig.service import Settings  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", agreements=[EXAMPLE / "agreement.yaml"])
        with Server(settings) as srv, httpx.Client(base_url=srv.url, timeout=300) as c, \
                sync_playwright() as p:
            r = c.post("/incidents/bulk?filename=incidents.csv",
                       content=(EXAMPLE / "incidents.csv").read_bytes(),
                       headers={"content-type": "text/csv"})
            wait_for_job(c, r.json()["job"])
            with (EXAMPLE / "notices.csv").open() as fh:
                c.post("/notices", json=[{k: v for k, v in row.items() if v}
                                         for row in csv.DictReader(fh)])
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 850}, bypass_csp=True)
            page.goto(f"{srv.url}/#day=2016-09-20&at=37.40000,35.60000,7.900&incident=A-12")
            page.wait_for_function("state.linkRead && state.map.points.length > 0 && "
                                   "document.querySelector('#reasoning.done')")
            page.screenshot(path=str(ROOT / "docs" / "ui-map.png"))
            browser.close()


if __name__ == "__main__":
    main()
