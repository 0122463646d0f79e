"""The "From text" view in a real browser (Debian's Chromium): a party's analyst pastes an
Arabic press item, sees the candidate beside the text with its spans marked, edits a field,
confirms, and finds the incident listed and judged."""

from __future__ import annotations

from tests.conftest import EXAMPLE, Server, seed_users
from tests.test_drafts import GAZETTEER, passage
from tests.test_ui import browser, page_for, sign_in, wait_count  # noqa: F401

from jig.service import Settings


def test_an_arabic_item_pasted_edited_confirmed_and_judged(browser, tmp_path):  # noqa: F811
    settings = Settings(data_dir=tmp_path / "data", agreements=[EXAMPLE / "agreement.yaml"],
                        gazetteer=[GAZETTEER])
    ar = passage("ar-06")  # three Russian strikes on Kafr Nabl, 24 July 2016
    with Server(settings) as srv:
        tokens = seed_users(settings.url, {"us-analyst": ("analyst", "US"),
                                           "reviewer": ("reviewer", None)}, settings.data_dir)
        page, _ = page_for(browser, srv.url)
        sign_in(page, tokens["us-analyst"])
        wait_count(page)
        page.select_option("#lang", "ar")
        page.click("[data-view=drafts]")
        assert page.text_content("[data-view=drafts]") == "من نص"
        # A Telegram-style red circle first: outside the Basic Multilingual Plane, it is two
        # UTF-16 units to the browser and one character to the server, and shifted every mark.
        page.fill("#draft-text", "🔴 " + ar["text"])
        page.fill("#draft-date", "2016-07-25")
        page.click("#draft-read")
        card = page.locator("article.draft")
        card.wait_for()
        # The candidate beside its text: the act, the place and the count marked where read.
        marks = {m.get_attribute("data-fields"): m.text_content()
                 for m in card.locator("mark").all()}
        assert "كفرنبل" in marks.get("place", "") and "غارات" in "".join(
            t for f, t in marks.items() if "act" in f.split())
        field = card.locator("input[data-field]")
        values = {f.get_attribute("data-field"): f.input_value() for f in field.all()}
        assert (values["actor"], values["act"], values["count"]) == ("RU", "air_strike", "3")
        # A person corrects the id and what the text does not give (the weapon), and confirms.
        card.locator("input[data-field=id]").fill("US-AR-6")
        card.locator("input[data-field=weapon]").fill("aircraft_bomb")
        card.locator("button.draft-confirm").click()
        done = page.locator("p.draft-done[data-incident='US-AR-6']")
        done.wait_for()
        assert "US-AR-6" in done.text_content()
        # Listed on the map's list with its verdict, as any incident of the workspace.
        page.click("[data-view=map]")
        item = page.locator("#incident-list li[data-id='US-AR-6']")
        item.wait_for()
        verdict = item.locator(".badge").get_attribute("class").split()[-1]
        assert verdict in ("breach", "undetermined", "excepted", "complies")
        assert done.get_attribute("data-verdict") == verdict  # as the confirmation said
        page.close()
        # The reviewer has no drafts: the view is not offered.
        page, _ = page_for(browser, srv.url)
        sign_in(page, tokens["reviewer"])
        assert page.is_hidden("[data-view=drafts]")
        page.close()
