"""Where a run of letters is glue: the evidence rules of the run-together splitter.

:mod:`cleaners.joined_words` finds the tokens wordfreq does not know and asks
:func:`split_run` where, if anywhere, a space belongs in each.  A cut is made only
where both sides are known words and the evidence is strong:

* a function word on one side (``volta|nel``, ``per|attacchi``), or two content
  words in a language that writes compounds apart;
* the junction is no productive pattern of the language.  That is measured, not
  listed: how many frequent words ``x`` make a known word ``left + x``
  (``mit|arbeiten``, ``nie|możliwe``) or ``x + right`` (``Kind|er``,
  ``hacer|lo``), among words of the same ending as the other side.  A token that
  some cut reads as word + productive affix (``natural|idade``) is a rare real word;
* no known word runs on across the cut: ``jack|fruits`` beside ``jackfruit``,
  ``boat|lifts`` beside ``boatlift`` are compounds the language has;
* in compounding languages (German, Dutch, Nordic, Finnish, Hungarian, Turkish)
  two content words are a compound unless neither ever takes part in one, and a
  token that also reads as two content words (``onder|bouwlocatie``: ``onderbouw|locatie``)
  is one;
* two function words glued (``decir|los``) are the likeliest glue, unless wordfreq
  knows the token as a common word with an ending (``decirlo|s``);
* capitals: a capitalised token mid-sentence is a name (``Zaporozhye``,
  ``Lindenstrasse``) and only loses a function word from its end; camel case is a
  brand or code (``iPhone``, ``YouTube``, ``targetPort``) unless a function word or
  a non-English pair shows the glue (``mitdemAuto``, ``TribunalSupremo``);
* single letters: where articles elide (``l'uomo``), a lone consonant is never a word.

The thresholds and language tables are in :mod:`cleaners.worddata`; the word
statistics come from :class:`cleaners.lexicon.Lexicon`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from cleaners import worddata as wd
from cleaners.lexicon import Lexicon, is_english

__all__ = ["split_run"]


@dataclass(frozen=True, slots=True)
class _Rules:
    """What evidence a token needs, from its case and its neighbours."""

    #: Limits on compound evidence for two content words; None: never two content words.
    limits: tuple[int, int] | None
    #: A capitalised token: two content words only when not both English (no brand).
    capital: bool = False
    #: The cut is at a case change (``mitdemAuto``): no compound or affix has one.
    camel: bool = False
    #: An apostrophe follows: the last letter may be an elided word (``dopol'``).
    elided: bool = False


def _content_ok(part: str, z: float) -> bool:
    """A content part must be a frequent word; short ones more so."""
    need = max(wd.CONTENT_FLOOR, wd.CONTENT_ZIPF + wd.LENGTH_STEP * (6 - len(part)))
    return len(part) >= 3 and z >= need


def _consonant(part: str) -> bool:
    """True for a single consonant: where articles elide, only ever ``l'``, ``c'``, ``d'``."""
    return len(part) == 1 and unicodedata.normalize("NFD", part)[0] not in wd.VOWELS


def _junction(
    lex: Lexicon, left: str, right: str, whole_z: float, rules: _Rules, cheap: bool = False
) -> float | None:
    """Score of reading lower-case ``left + right`` as two words; None when unconvincing.

    ``cheap`` skips the costly affix and compound tests: an upper bound, for ranking.
    """
    zl, zr = lex.zipf(left), lex.zipf(right)
    fl, fr = left in lex.function_words, right in lex.function_words
    if rules.camel:
        if fl and not whole_z and len(right) >= wd.CAMEL_NAME:
            return zl + max(zr, 1.0)  # ``istMüllerhausen``: a name after a function word
        return zl + zr if zl and zr else None
    if not zl or not zr:
        return None
    if lex.eliding and (_consonant(left) or (_consonant(right) and not rules.elided)):
        return None  # wordfreq counts the ``l`` of ``l'est``: alone it is no word (``l|est``)
    if not (fl or _content_ok(left, zl)) or not (fr or _content_ok(right, zr)):
        return None
    if whole_z:
        # A known but rare token (``ofthe``, ``dela``): only function-word glue counts.
        if whole_z >= wd.KNOWN_ZIPF or not (fl or fr) or zl + zr - whole_z < wd.KNOWN_MARGIN:
            return None
        if not (fl and fr) and not cheap:
            return None if _productive(lex, left, right, _most_rate(lex)) else zl + zr
        return zl + zr
    if (fl and fr) or cheap:
        return zl + zr
    if fl or fr:
        return None if _productive(lex, left, right, _most_rate(lex)) else zl + zr
    # Two content words.  In a compounding language a compound (``Bundes|regierung``)
    # unless neither side takes part in compounds: inflected forms (``moeilijke``,
    # ``loopt``) never start a longer word and seldom end one.  Elsewhere the same test,
    # looser, keeps closed compounds whole (``bird|cages``).  Names and brands are made
    # of English words (``Green|wood``), and in English text every content word is one.
    if rules.limits is None or (
        rules.capital and (lex.code == "en" or (is_english(left) and is_english(right)))
    ):
        return None
    most_left, most_right = rules.limits
    if lex.compounds(left, True) > most_left or lex.compounds(right, False) > most_right:
        return None
    if lex.compounding:
        return zl + zr
    return None if _productive(lex, left, right, wd.MAX_RATE_CONTENT) else zl + zr


def _most_rate(lex: Lexicon) -> float:
    """The highest productivity a junction of a function word and a content word may have.

    Less in compounding languages, where verb particles are prepositions (``mit|streiten``).
    """
    return wd.MAX_RATE_COMPOUNDING if lex.compounding else wd.MAX_RATE_FUNCTION


def _productive(lex: Lexicon, left: str, right: str, limit: float) -> bool:
    """Whether the junction ``left|right`` is at least ``limit`` productive, as a prefix
    (``left`` + probe words) or as a suffix (probe words + ``right``).

    The longer side is measured first: it has fewer known extensions, so it is quicker.
    """
    sides = [(left, True, right), (right, False, left)]
    if len(right) > len(left):
        sides.reverse()
    return any(lex.productivity(part, prefix, other) >= limit for part, prefix, other in sides)


def _derived(lex: Lexicon, low: str, base_zipf: float = 0.0) -> bool:
    """True when some cut of ``low`` reads as a known word plus a productive affix.

    ``natural|idade``, ``boek|en``, ``dom|u``: a token that a common pattern of
    the language builds from a known word is a rare real word, whatever other reading
    it has.  ``base_zipf``: the longer side must be a content word this frequent.
    """
    for i in range(2, len(low)):
        left, right = low[:i], low[i:]
        zl, zr = lex.zipf(left), lex.zipf(right)
        if not zl or not zr:
            continue
        if min(zl, zr) < wd.DERIVATION_ZIPF and min(len(left), len(right)) == 1:
            continue  # a one-letter affix on a web typo (``aufde|n``) shows no pattern
        if base_zipf:
            base = max(left, right, key=len)
            if base in lex.function_words or lex.zipf(base) < base_zipf:
                continue
        if _productive(lex, left, right, wd.DERIVATION_RATE):
            return True
    return False


def _lexicalised(lex: Lexicon, low: str, cut: int) -> bool:
    """True when the language knows a word that runs across the cut of ``low``.

    After a content word: a known word that starts the token and goes on at least
    ``wd.SPAN_TAIL`` letters past the cut, maybe with a short ending the token lacks
    (``jack|fruit|s``, ``boat|lift|s``).  In a compounding language: a reading as two
    content words at another cut (``onder|bouwlocatie`` is ``onderbouw|locatie``).
    Glue of a function word is not tested the first way: names are made of such glue
    (``LaForce``, ``ElMundo``) and wordfreq knows them.
    """
    fw = lex.function_words
    if low[:cut] not in fw:
        for j in range(cut + wd.SPAN_TAIL, len(low)):
            _, words = lex.extensions(low[:j], True, len(lex.probes))
            if any(w != low and len(w) - j <= wd.SPAN_ENDING for w in words):
                return True
    if lex.compounding and (low[:cut] in fw or low[cut:] in fw):
        for k in range(2, len(low) - 2):
            left, right = low[:k], low[k:]
            if abs(k - cut) < wd.SPAN_TAIL or left in fw or right in fw:
                continue
            if _content_ok(left, lex.zipf(left)) and _content_ok(right, lex.zipf(right)):
                return True
    return False


def _ranked(
    lex: Lexicon, low: str, whole_z: float, rules: _Rules, cuts: tuple[int, ...]
) -> tuple[int, ...]:
    """The ``cuts`` of ``low`` that pass the cheap tests, the likeliest first.

    Except at a case change, those tests read the letters alone (and whether the last
    is elided), not the case or the context: the ranking of every cut is remembered,
    since a token is judged in several contexts.
    """
    if rules.camel:
        bounds = ((_junction(lex, low[:i], low[i:], whole_z, rules, True), i) for i in cuts)
        return tuple(i for _, i in sorted((-b, i) for b, i in bounds if b is not None))
    key = (low, rules.elided)
    every = lex.ranks.get(key)
    if every is None:
        ranked = []
        # Most cuts leave a side wordfreq does not know: only the others are tested.
        for i in lex.freq.cuts(low):
            bound = _junction(lex, low[:i], low[i:], whole_z, rules, cheap=True)
            if bound is not None:
                ranked.append((-bound, i))
        every = tuple(i for _, i in sorted(ranked))
        if len(lex.ranks) >= wd.MAX_DECISIONS:
            lex.ranks.clear()
        lex.ranks[key] = every
    if len(cuts) == len(low) - 1:
        return every  # every cut is allowed
    allowed = set(cuts)
    return tuple(i for i in every if i in allowed)


def _best_split(
    lex: Lexicon, run: str, cuts: Iterable[int], rules: _Rules, three: bool = False
) -> tuple[int, ...]:
    """Best cut of ``run`` into 2 known words (``three``: else into 3); () for none."""
    low = run.lower()
    whole_z = lex.zipf(low)
    cuts = tuple(cuts)
    best: tuple[float, tuple[int, ...]] = (0.0, ())
    # Rank the cuts on the cheap tests, then run the costly ones from the top down.
    ranked = _ranked(lex, low, whole_z, rules, cuts)
    for i in ranked:
        score = _junction(lex, low[:i], low[i:], whole_z, rules)
        if score is not None:
            best = (score, (i,))
            break
    if best[1]:
        cut = best[1][0]
        if rules.camel:
            return best[1]
        if _lexicalised(lex, low, cut):
            return ()
        if low[:cut] in lex.function_words and low[cut:] in lex.function_words:
            # Two function words glued are the likeliest glue; a rare word wordfreq knows
            # that reads as a common word with an ending (``decirlo|s``) is that word.
            return () if whole_z and _derived(lex, low, wd.FUNCTION_PAIR_BASE_ZIPF) else best[1]
        return () if _derived(lex, low) else best[1]
    if whole_z or not three or ranked:
        return ()  # a near miss in two parts (``wegen|der``) is no licence for three
    # Three words glued (``oneofthe``): each junction needs a function word.
    fw = lex.function_words
    # Every part must be a known word of 2 letters or more: only cuts after such a
    # word (``i``) and before one (``j``) are tried, in the order of
    # ``itertools.combinations(cuts, 2)``.
    lefts, rights = lex.freq.sides(low)
    allowed = set(cuts)
    pairs = [
        (i, j)
        for i in lefts
        if i >= 2 and i in allowed
        for j in rights
        if j - i >= 2 and len(low) - j >= 2 and j in allowed
    ]
    for i, j in pairs:
        left, mid, right = low[:i], low[i:j], low[j:]
        if not ((left in fw or mid in fw) and (mid in fw or right in fw)):
            continue
        first = _junction(lex, left, mid, lex.zipf(left + mid), _Rules(None))
        second = _junction(lex, mid, right, lex.zipf(mid + right), _Rules(None))
        if first is not None and second is not None and first + second > best[0]:
            best = (first + second, (i, j))
    return () if best[1] and _derived(lex, low) else best[1]


def split_run(
    lex: Lexicon, run: str, sentence_start: bool, hyphenated: bool, elided: bool
) -> tuple[int, ...]:
    """Offsets inside a run of letters where a space belongs; () for none.

    ``elided``: an apostrophe follows the run, so its last letter may be an elided word.
    """
    key = (run, sentence_start, hyphenated, elided)
    cached = lex.decisions.get(key)
    if cached is not None:
        return cached
    if len(run.lower()) != len(run):
        return ()  # ``İ`` lower-cases to two characters: offsets would not line up
    title = run[0].isupper() and run[1:].islower()
    if hyphenated:
        rules = _Rules(None, elided=elided)  # a part of a compound: only a function word comes off
    elif title:
        # A name or a brand (``Brightwise``) as often as glued words.
        limits = wd.COMPOUND_LIMITS if lex.compounding else wd.CAPITAL_COMPOUND_LIMITS
        rules = _Rules(limits, capital=True, elided=elided)
    elif lex.compounding:
        # Where nouns are capitalised, a lower-case token is no noun compound.
        limits = wd.LOOSE_COMPOUND_LIMITS if lex.noun_capitals else wd.COMPOUND_LIMITS
        rules = _Rules(limits, elided=elided)
    else:
        rules = _Rules(wd.OPEN_COMPOUND_LIMITS, elided=elided)
    n = len(run)
    result: tuple[int, ...] = ()
    if run.islower() or (title and sentence_start):
        result = _best_split(lex, run, range(1, n), rules, three=run.islower())
    elif title:
        # Mid-sentence: a name (``Zaporozhye``, ``Delgado``, ``Shipon``) or, in German,
        # a noun.  No function word comes off its front, and off its end only after a
        # long enough head.
        fw = lex.function_words
        cuts = (
            i
            for i in range(wd.TITLE_HEAD, n - 1)
            if run[:i].lower() not in fw
            and (run[i:].lower() not in fw or n - i >= wd.TITLE_TAIL or i >= wd.TITLE_LONG_HEAD)
        )
        result = _best_split(lex, run, cuts, rules)
    else:
        cut = _camel_cut(lex, run, sentence_start)
        if cut:
            result = _best_split(lex, run, (cut,), _Rules(rules.limits, camel=True))
    if len(lex.decisions) >= wd.MAX_DECISIONS:
        lex.decisions.clear()
    lex.decisions[key] = result
    return result


def _camel_cut(lex: Lexicon, run: str, sentence_start: bool) -> int:
    """The cut of ``mitdemAuto``, ``TribunalSupremo``; 0 for brands and code (``iPhone``)."""
    bounds = [i for i in range(1, len(run)) if run[i - 1].islower() and run[i].isupper()]
    if len(bounds) != 1:
        return 0
    i = bounds[0]
    left, right = run[:i], run[i:]
    if len(left) < 2 or len(right) < 2 or not left[1:].islower():
        return 0
    if lex.zipf(run.lower()) or is_english(run):
        return 0  # a known brand or name (``PowerPoint``, ``YouTube``)
    function_word = left.lower() in lex.function_words
    foreign = lex.code != "en" and not (is_english(left) and is_english(right))
    if left[0].isupper():
        # Two capitalised words: a brand or a class name (``ValueError``), unless a sentence
        # starts with a function word (``DieSitzung``) or long non-English words meet.
        ok = right[1:].islower() and (
            (sentence_start and function_word)
            or (foreign and min(len(left), len(right)) >= wd.CAMEL_TITLE)
        )
    elif function_word or lex.noun_capitals or foreign:
        # ``mitdemAuto``, ``theBeatles``; camelCase of English words is code (``regionId``).
        ok = right[1:].islower() or (right.isupper() and function_word)
    else:
        ok = False
    return i if ok else 0
