"""The report's data credits: each input the report was built from, cited or credited as its
publisher's terms ask, and nothing that was not used.

A review found none (0 matches for the UCDP citation, Airwars, the boundaries' licence) and a
Methods paragraph naming ACLED and CJTF-OIR, which the report had not read. The credits are
built from what was read: the datasets the judged records name (`dataset`, which the readers
set from the export they recognised), the gazetteers given, the boundaries the map draws, and
the agreement's own features' sources. Bibliographic entries stay as published (they are
cited, not translated); the sentences around them are the catalog's.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from jig.agreement.model import Agreement, Feature
from jig.i18n import translations
from jig.report.reasons import N_

UCDP = "UCDP GED"
AIRWARS = "Airwars"
CJTF = "CJTF-OIR release"
ACLED = "ACLED"

# What each publisher asks for, in its words (shared/data/SOURCES.md): UCDP, its two papers;
# Airwars, credit; ACLED, attribution under its terms of use.
UCDP_PAPER = ("Sundberg, Ralph, and Erik Melander (2013). Introducing the UCDP Georeferenced "
              "Event Dataset. Journal of Peace Research 50(4): 523–532.")
UCDP_CODEBOOK_19_1 = ("Högbladh, Stina (2019). UCDP GED Codebook version 19.1. Department of "
                      "Peace and Conflict Research, Uppsala University.")
AIRWARS_CREDIT = "Airwars (airwars.org): civilian harm incidents in Syria."
CJTF_CREDIT = ("U.S. Central Command / CJTF-OIR daily strike releases (U.S. government press "
               "releases), as scraped by github.com/kevinschaul/uscentcom-isil-airstrikes-scraper "
               "(MIT licence).")
ACLED_CREDIT = "Armed Conflict Location & Event Data Project (ACLED); acleddata.com."
BOUNDARIES = ("OCHA Syria Common Operational Dataset, administrative boundaries (COD-AB, 2016 "
              "edition; United Nations Cartographic Section and OCHA), Humanitarian Data "
              "Exchange (HDX), syr_admin_shp_utf8_18219")
SYRIAN_ARCHIVE = ("Syrian Archive, place gazetteer (2015): github.com/crito/syrianarchive, "
                  "database/data/locations.json")
PAX = "PA-X Peace Agreements Database, University of Edinburgh (peaceagreements.org)"

LEADS = {
    UCDP: N_("Incidents from the UCDP Georeferenced Event Dataset (GED) of the Uppsala Conflict "
             "Data Program (%(rows)s rows judged). UCDP asks that it be cited as:"),
    AIRWARS: N_("Incidents from Airwars (%(rows)s rows judged), which must be credited:"),
    CJTF: N_("Strike reports from the CJTF-OIR releases (%(rows)s rows judged):"),
    ACLED: N_("Events from ACLED (%(rows)s rows judged), credited as its terms of use "
              "require:"),
}
OTHER = N_("Incidents from %(name)s (%(rows)s rows judged): the sources each record names are "
           "in the annex.")
CODEBOOK_UNKNOWN = N_("and the GED codebook of the version read (the files do not say which: "
                      "see ucdp.uu.se).")
MAP_BOUNDARIES = N_("The map's first-level administrative boundaries: %(source)s, simplified; "
                    "used under the licence stated for them on HDX.")
GAZETTEER_SA = N_("Places named without coordinates were placed with %(source)s, under the "
                  "GNU General Public License, version 2.")
GAZETTEER = N_("Places named without coordinates were placed with the gazetteer %(name)s.")
AGREEMENT_TEXT = N_("The agreement's text: %(source)s, agreement %(id)s.")
FEATURE_SOURCES = N_("The zones, sites and targets drawn, as the agreement file's features "
                     "name their sources:")


@dataclass
class Credit:
    """One entry of the credits: a sentence in the report's language, and what it cites."""

    lead: str
    cites: list[str] = field(default_factory=list)


def credits(agreement: Agreement, datasets: dict[str, int], files: dict[str, str],
            gazetteers: Iterable[str], features: Iterable[Feature], lang: str,
            number: Callable[[int], str] = str) -> list[Credit]:
    """The credits of a report in `lang`: `datasets`, rows judged by `dataset`; `files`, the
    input file a dataset was read from (for a version its name gives); `features`, those the
    map draws. `number` writes a count in the language."""
    gettext = translations(lang).gettext
    write = number
    out: list[Credit] = []
    for name, rows in sorted(datasets.items(), key=lambda kv: (kv[0] not in LEADS, kv[0])):
        if name in LEADS:
            credit = Credit(gettext(LEADS[name]) % {"rows": write(rows)})
            if name == UCDP:
                credit.cites.append(UCDP_PAPER)
                if ged_version(files.get(name, "")) == "19.1":
                    credit.cites.append(UCDP_CODEBOOK_19_1)
                else:
                    credit.cites.append(gettext(CODEBOOK_UNKNOWN))
            else:
                credit.cites.append({AIRWARS: AIRWARS_CREDIT, CJTF: CJTF_CREDIT,
                                     ACLED: ACLED_CREDIT}[name])
            out.append(credit)
        else:
            out.append(Credit(gettext(OTHER) % {"name": name, "rows": write(rows)}))
    for path in gazetteers:
        if is_syrian_archive(path):
            out.append(Credit(gettext(GAZETTEER_SA) % {"source": SYRIAN_ARCHIVE}))
        else:
            out.append(Credit(gettext(GAZETTEER) % {"name": Path(path).name}))
    out.append(Credit(gettext(MAP_BOUNDARIES) % {"source": BOUNDARIES}))
    pax = pax_id(agreement)
    if pax is not None:
        out.append(Credit(gettext(AGREEMENT_TEXT) % {"source": PAX, "id": pax}))
    sources = feature_sources(features)
    if sources:
        out.append(Credit(gettext(FEATURE_SOURCES), sources))
    return out


def ged_version(name: str) -> str | None:
    """The GED version a file's name gives ("ged_syria_v19_1_2016-2019.csv", "ged191.csv",
    "GEDEvent_v24_1.csv"), or None."""
    base = Path(name).name.lower()
    m = re.search(r"v(\d{2})[._](\d+)", base) or re.search(r"ged(\d{2})(\d)\b", base)
    return f"{m[1]}.{m[2]}" if m else None


def is_syrian_archive(path: str) -> bool:
    """Whether a gazetteer is the Syrian Archive's (its header: arabic_name and latlon)."""
    try:
        with Path(path).open(encoding="utf-8-sig", newline="", errors="replace") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, csv.Error):
        return False
    return {"arabic_name", "latlon"} <= {h.strip() for h in header}


def pax_id(agreement: Agreement) -> str | None:
    """The PA-X id the library's catalogue gives an arrangement of this id, if any."""
    try:
        from jig.library import entry

        return entry(agreement.id).pax_id
    except (KeyError, ImportError, OSError, ValueError):
        return None


def feature_sources(features: Iterable[Feature]) -> list[str]:
    """The `sources` the features' properties list, each once, in order."""
    seen: dict[str, None] = {}
    for f in features:
        given = f.properties.get("sources")
        for s in [given] if isinstance(given, str) else (given or []):
            # An address's escapes decoded: "%D8%A7…" is Arabic a reader can read.
            text = unquote(str(s).strip())
            if text:
                seen.setdefault(text, None)
    return list(seen)
