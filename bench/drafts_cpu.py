"""CPU time of `POST /drafts` at its bound: 100,000 characters of CJTF-OIR release lines (the
real ones, `../shared/data/cjtf_oir_strike_releases`) read into candidates against the 2016
example with the Syrian Archive gazetteer, then kept as drafts in a SQLite store. CPU time
of this process (time.process_time), so a shared machine's load changes it little.

Run: .venv/bin/python bench/drafts_cpu.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from jig import load_agreement
from jig.extract import PlaceIndex, extract
from jig.readers import Gazetteer
from jig.store import Store, drafts

ROOT = Path(__file__).resolve().parents[1]
DATA = next((p / "shared" / "data" for p in ROOT.parents if (p / "shared" / "data").is_dir()),
            ROOT.parent / "shared" / "data")
MAX_TEXT = 100_000


def release_text() -> str:
    """Release lines, as a release prints them, up to the bound."""
    path = DATA / "cjtf_oir_strike_releases" / "centcom_oir_strikes_all-edited-refined.csv"
    text = ""
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            line = row["line"].strip() + "\n"
            if len(text) + len(line) > MAX_TEXT:
                break
            text += line
    return text


def main() -> None:
    agreement_path = ROOT / "examples" / "syria-2016-jig" / "agreement.yaml"
    agreement = load_agreement(agreement_path)
    gazetteer = Gazetteer.from_files(
        [DATA / "gazetteer_syrianarchive" / "syrianarchive_locations_2015.csv"])
    index = PlaceIndex(agreement, [gazetteer])
    text = release_text()
    cpu = time.process_time()
    found = extract(text, agreement, index, lang="en")
    read = time.process_time() - cpu
    folder = Path(tempfile.mkdtemp())
    store = Store.open(f"sqlite:///{folder / 'jig.db'}", key_folder=folder)
    try:
        cpu = time.process_time()
        made = drafts.create(store, "US", "bench", text, "en", None, found)
        kept = time.process_time() - cpu
        size = sum(len(v.text) for v in made)
    finally:
        store.close()
    print(f"{len(text):,} characters: {len(found)} candidates read in {read:.2f} s CPU; kept as "
          f"{len(made)} drafts in {kept:.2f} s CPU, holding {size:,} characters of text "
          f"({size / len(text):.2f}× the document)")


if __name__ == "__main__":
    main()
