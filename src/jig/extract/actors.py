"""Who acted and who was hit: the actors a sentence names, found by the agreement's own names
and patterns and the lexicon's phrases, and their roles towards an act. Pure."""

from __future__ import annotations

import re
from typing import Any

from jig.agreement import Agreement
from jig.extract.lexicon import Hit, Lexicon, Matcher, alternation


def actor_hits(sent: str, lang: str, lex: Lexicon, agreement: Agreement,
               acts: list[Hit]) -> list[tuple[str, Hit]]:
    """(actor id, hit) for every actor named as one who may act: the agreement's own names and
    patterns first, then the lexicon's phrases, whose names go through the agreement's
    patterns. One who only reports ("the Russian Defence Ministry said ...") and one named as
    another's backer ("Russian-backed forces") are left out."""
    table: dict[str, list[str]] = {}
    for a in agreement.actors.values():
        phrases = [a.name, *(p.replace("*", "").strip(" ,") for p in a.patterns)]
        table[a.id] = [p for p in phrases if len(p) > 3]
    hits = [(h.key, h) for h in _case_exact(sent, agreement)]
    hits += [(h.key, h) for h in _matcher_for(table, lang).find(sent)]
    names = lex.data.get("actor_names") or {}
    for h in lex.matcher("actors", lang).find(sent):
        actor = None
        for name in names.get(h.key) or [h.key]:
            actor = agreement.match_actor(name)[0] or agreement.match_actor(name + " ")[0]
            if actor is not None:
                break
        if actor is not None:
            hits.append((actor, h))
    # The longest name at a place wins: "US-led coalition" over its "US".
    hits.sort(key=lambda ah: (ah[1].start, ah[1].start - ah[1].end))
    kept: list[tuple[str, Hit]] = []
    for a, h in hits:
        if not any(k.start < h.end and h.start < k.end for _, k in kept):
            kept.append((a, h))
    return [(a, h) for a, h in kept
            if not _speaker(sent, h, lang, lex, acts) and not _BACKER.match(sent, h.end)]


# A Russian passive: "были поражены", "был обстрелян", "подверглись ударам".
_RU_PASSIVE = re.compile(r"(?i)\b(?:был[аио]?|были)\s+[а-яё]+(?:ны|ен|ена|ено|ан|ана|ано|аны|ят|ит)\b"
                         r"|\bподверг(?:л[аио]?сь|лись|ается|аются|ся)")
# "Russian-backed government forces": the first name says who backs the second, who acted.
_BACKER = re.compile(r"-(?:backed|supported|allied|sponsored)\b", re.I)


def _speaker(sent: str, h: Hit, lang: str, lex: Lexicon, acts: list[Hit]) -> bool:
    """Whether the actor named at `h` only reports: the subject of "said" (up to four words
    between: "the Russian Defence Ministry said"), the one "according to" names, or in
    Arabic the subject right after "قالت"."""
    reporting = alternation(lex.words("reporting", lang))
    according = alternation(lex.words("according_to", lang))
    if according and re.search(rf"(?:{according})\s*(?:\w+\s+){{0,2}}$", sent[:h.start],
                               re.I):
        return True
    if not reporting:
        return False
    if lang == "ar":
        # "قالت وزارة الدفاع الروسية": up to two words between, then the name's glued prefix.
        # Not once "أن" / "إن" has opened what was reported ("أفاد ناشطون بأن قوات النظام").
        said = re.search(rf"(?:^|\s)(?:{reporting})\s+(?:\w+\s+){{0,2}}[وفبلك]?(?:ال)?$",
                         sent[:h.start])
        return bool(said) and not re.search(r"(?:^|\s)[بل]?[أإا]ن(?:\s|$)", said.group())
    said = re.match(rf"(?:[\s'’-]*[^\W\d_][\w'’-]*){{0,4}}?\s+(?:{reporting})(?!\w)",
                    sent[h.end:], re.I)
    # Not when an act comes between: "Russian jets struck Idlib today the ministry said".
    return bool(said) and not any(h.end <= a.start < h.end + said.end() for a in acts)


def _case_exact(sent: str, agreement: Agreement) -> list[Hit]:
    """Actor ids ("RU", "IS") and short patterns ("HTS", "SDF") only in capitals: "is" is an
    English word, and a three-letter pattern matched in any case would match inside many."""
    words: dict[str, str] = {i: i for i in agreement.actors if len(i) >= 2 and i.isupper()}
    for a in agreement.actors.values():
        for p in a.patterns:
            w = p.replace("*", "").strip(" ,")
            if 2 <= len(w) <= 3 and w.isupper():
                words.setdefault(w, a.id)
    if not words:
        return []
    return [Hit(m.start(), m.end(), m.group(), words[m.group()])
            for m in re.finditer(rf"\b(?:{'|'.join(map(re.escape, words))})\b", sent)]


_MATCHERS: dict[tuple[str, str], Any] = {}


def _matcher_for(table: dict[str, list[str]], lang: str) -> Any:
    key = (repr(sorted(table.items())), lang)
    if key not in _MATCHERS:
        _MATCHERS[key] = Matcher(table, lang)
    return _MATCHERS[key]


Role = tuple[str, Hit]


def roles(sent: str, act: Hit, actors: list[Role], lang: str,
          acts: list[Hit] = ()) -> tuple[Role | None, Role | None]:  # type: ignore[assignment]
    """(who acted, who was hit) for `act`: one marked as its doer after it acted, though
    named after it; else one named before the act (or part of its words, "طيران التحالف");
    who was hit is named after the act, or before it when another is marked as the doer.
    A mark belongs to the act nearest before it: "shelled Saraqib to repel an attack by
    Nusra" is the government's shelling, Nusra's attack (`acts`, every act of the sentence)."""
    def own(h: Hit) -> bool:
        # After this act, and no other act between: the mark is this act's.
        return h.start >= act.start and not any(
            a is not act and act.end <= a.start and a.end <= h.start for a in acts)

    def by(h: Hit) -> bool:
        # "struck by Russian jets", "fire from Nusra" (not "fighters from Nusra": "from"
        # only after fire), "со стороны бандформирований Нусры", "من قبل"; Arabic: the
        # subject follows its verb ("قصفت قوات النظام"), and a glued "ل" marks the doer of a
        # noun ("قصف مدفعي لقوات النظام", shelling by the regime).
        if not own(h):
            return False
        gap = sent[act.end:h.start]
        # Close after the act: "were struck by", "was shelled heavily by", "12 обстрелов со
        # стороны бандформирований", "mortar fire from" (right after: "struck Saraqib in
        # response to fire from Nusra" is Nusra's fire, not its strike).
        return (len(gap.split()) <= 5 and bool(re.search(
            r"(?:\bby|со стороны(?:\s+[а-яё-]+){0,2}|من قبل)\s*$", gap, re.I))) \
            or bool(re.fullmatch(r"\s+from\s+(?:the\s+)?", gap, re.I)) or (
            lang == "ar" and (not sent[act.end:h.start].strip() or h.text.startswith("ل")
                              or bool(re.search(r"(?:^|\s)[وف]?لل?$", sent[:h.start]))))

    marked = [(a, h) for a, h in actors if by(h)]
    passive = lang == "ru" and any(act.start - 30 <= m.end() <= act.end
                                   for m in _RU_PASSIVE.finditer(sent))
    if not marked and passive:
        # "Позиции Нусры были поражены ударами ВКС России": the doer stands after the act,
        # in the instrumental, with no word for "by".
        marked = [(a, h) for a, h in actors if h.start >= act.end and own(h)]
    doer = marked[0] if marked else next(((a, h) for a, h in actors if h.start < act.end), None)
    target = None
    for a, h in actors:
        if doer is not None and a == doer[0]:
            continue
        if marked or h.start >= act.end:
            target = (a, h)
            break
    if doer is None and actors and (target is None or actors[0][0] != target[0]):
        doer = actors[0]
    return doer, target
