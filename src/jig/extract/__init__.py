"""`jig extract`: candidate incidents from prose (English, Russian, Arabic), offline."""

from jig.extract.extract import Candidate, Evidence, detect_language, extract
from jig.extract.lexicon import Lexicon, default_lexicon, parse_lexicon
from jig.extract.places import PlaceIndex

__all__ = ["Candidate", "Evidence", "Lexicon", "PlaceIndex", "default_lexicon", "detect_language",
           "extract", "parse_lexicon"]
