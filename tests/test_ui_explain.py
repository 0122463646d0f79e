"""The step-by-step reasoning (GET /incidents/{id}/explain) in a real browser (Debian's
Chromium), switched to Arabic and Russian: the record as read and every step of every clause,
the exceptions tried among them, in the page's language through the catalogs, no English
step left. Screenshots are kept in the test's tmp_path."""

from __future__ import annotations

import re

import pytest
from tests.test_ui import browser, open_server, page_for  # noqa: F401
from tests.test_ui_access import ARABIC, CYRILLIC, SETTLED

# The engine's own words; quoted values (an actor's name as recorded) are data, not its words.
ENGLISH = re.compile(r"\b(the|is|not|of|by|within|location|exception|act|actor|target|"
                     r"breach|complies|undetermined|applicable|nearest|zones?|met|unmet|"
                     r"covered|bound|clause|incident|time|read|known|lies|inside|outside|excepted|under)\b")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")


@pytest.mark.parametrize("incident", ["A-14", "A-18"])  # excepted; undetermined twice
def test_the_reasoning_in_arabic_and_russian(browser, open_server, tmp_path, incident):  # noqa: F811
    page, _ = page_for(browser, open_server.url)
    page.wait_for_function(SETTLED)
    page.evaluate(f"openIncident('{incident}')")
    page.wait_for_selector("#reasoning.done")
    page.click("#reasoning details summary")  # the clauses that do not apply, unfolded
    lines = "(ls) => ls.map((l) => [l.textContent, l.lang, l.closest('.steps') !== null])"
    english = page.eval_on_selector_all("#reasoning li", lines)
    steps = [t for t, _, step in english if step]
    assert len(steps) >= 7 and any(t.startswith("exception ") for t in steps), steps
    assert [t for t, _, _ in english if not ENGLISH.search(QUOTED.sub("", t))] == []
    for lang, script in (("ar", ARABIC), ("ru", CYRILLIC)):
        page.select_option("#lang", lang)
        # (The panel is drawn again in the new language: all its lines, each translated.)
        page.wait_for_function("([l, n]) => { const ls = document.querySelectorAll("
                               "'#reasoning.done li'); return ls.length === n && "
                               "[...ls].every((li) => li.lang === l); }", arg=[lang, len(english)])
        shown = page.eval_on_selector_all("#reasoning li", lines)
        assert len(shown) == len(english)
        for (text, _, step), (before, _, _) in zip(shown, english, strict=True):
            assert text != before and script.search(text), (lang, text)
            if step:  # no English left in a step: only ids, codes and data
                assert not ENGLISH.search(QUOTED.sub("", text)), (lang, text)
        if incident == "A-14":
            # Beside the reasons: the evidence incident's note and the record's kind of act.
            shown_too = "#panel .finding li span[data-tr], #panel table.record td[data-tr]"
            page.wait_for_function("([s, l]) => { const ns = document.querySelectorAll(s); "
                                   "return ns.length > 0 && [...ns].every((n) => n.lang === l); }",
                                   arg=[shown_too, lang])
            texts = page.eval_on_selector_all(shown_too, "(ns) => ns.map((n) => n.textContent)")
            asked = page.eval_on_selector_all(shown_too, "(ns) => ns.map((n) => n.dataset.tr)")
            assert "air_strike" in asked and any(" away, " in a for a in asked), asked
            assert len(texts) >= 3 and all(script.search(t) for t in texts), texts
            assert not any(re.search(r"\b(away|before|air_strike)\b", t) for t in texts), texts
            links = page.eval_on_selector_all("#panel .finding li a", "(ns) => ns.map((n) => "
                                              "n.textContent)")
            assert links and all(script.search(t) and "incident" not in t and "notice" not in t
                                 for t in links), links
        page.screenshot(path=str(tmp_path / f"reasoning-{incident}-{lang}.png"), full_page=True)
