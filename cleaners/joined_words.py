"""Split words that scraping ran together: ``una voltanel settembre`` -> ``volta nel``.

What breaks and why: HTML-to-text extraction drops the space that an inline tag,
a line break or a ``&nbsp;`` stood for (``volta<br>nel``, ``per<a>attacchi</a>``),
so two words reach the reader glued into one token that no dictionary knows.

How we repair it without harming correct text: a token is only looked at when
wordfreq does not know it (or knows it only as a rare web typo, like ``ofthe``),
and it is cut only where both sides are known words and the evidence is strong:

* a function word on one side (``volta|nel``, ``per|attacchi``), or two content
  words in a language that writes compounds apart;
* the junction is no productive pattern of the language.  That is measured, not
  listed: how many frequent words ``x`` make a known word ``left + x``
  (``mit|arbeiten``, ``nie|możliwe``) or ``x + right`` (``Kind|er``,
  ``hacer|lo``), among words of the same ending as the other side.  A token that
  some cut reads as word + productive affix (``natural|idade``) is a rare real word;
* no known word runs on across the cut: ``beaver|tails`` beside ``beavertail``,
  ``morpho|métriques`` beside ``morphométrique`` are compounds the language has;
* in compounding languages (German, Dutch, Nordic, Finnish, Hungarian, Turkish)
  two content words are a compound unless neither ever takes part in one, and a
  token that also reads as two content words (``om|bouwkosten``: ``ombouw|kosten``)
  is one;
* capitals: a capitalised token mid-sentence is a name (``Zaporozhye``) and only
  loses a function word from its end; camel case is a brand or code
  (``iPhone``, ``YouTube``, ``targetPort``) unless a function word or a
  non-English pair shows the glue (``mitdemAuto``, ``TribunalSupremo``);
* single letters: where articles elide (``l'uomo``), a lone consonant is never a word;
* URLs, e-mail addresses, hashtags, numbers, code and hyphenated tokens keep their
  content words together.

All word knowledge is derived at run time from wordfreq (its data ships in the
wheel; nothing is downloaded): there is no per-language word list here.  The
thresholds and language tables are in :mod:`cleaners.worddata`.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from itertools import repeat
from operator import itemgetter
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import wordfreq

from cleaners.worddata import (
    ALIASES,
    APOSTROPHES,
    CAMEL_NAME,
    CAMEL_TITLE,
    CAPITAL_COMPOUND_LIMITS,
    CODE_NEIGHBOURS,
    COMPOUND_LIMITS,
    COMPOUND_TAIL,
    COMPOUNDING,
    CONTENT_FLOOR,
    CONTENT_ZIPF,
    DERIVATION_RATE,
    DERIVATION_ZIPF,
    DERIVED_SHARE,
    ELIDING,
    ENGLISH_FREQ,
    FUNCTION_PAIR_BASE_ZIPF,
    FUNCTION_WORDS,
    HYPHENS,
    KNOWN_MARGIN,
    KNOWN_ZIPF,
    LETTER_RE,
    LENGTH_STEP,
    LETTER_RATE_SHARE,
    LOOSE_COMPOUND_LIMITS,
    MAX_DECISIONS,
    MAX_LANGUAGES,
    MAX_LENGTH,
    MAX_RATE_COMPOUNDING,
    MAX_RATE_CONTENT,
    MAX_RATE_FUNCTION,
    MAX_ROUNDS,
    MIN_LENGTH,
    NOUN_CAPITALS,
    OPEN_COMPOUND_LIMITS,
    OPENERS,
    PROBE_COST,
    PROBE_WORDS,
    SENTENCE_END,
    SMOOTHING,
    SPAN_ENDING,
    SPAN_TAIL,
    TITLE_HEAD,
    TITLE_LONG_HEAD,
    TITLE_TAIL,
    UNSUPPORTED,
    VOWELS,
    WORD_RE,
)

__all__ = ["find_splits", "split_joined_words", "wordfreq_language"]

# --------------------------------------------------------------------------- the cache
# The one cache of this module.  Per language: wordfreq's table (shared with wordfreq's
# own cache), what we derive from it (function words, probe words, the known words and
# the word list sorted forwards and backwards) and memo tables for affix counts and for
# decisions on unknown tokens.  Built on first use of a language and kept for the life
# of the process, at most ``MAX_LANGUAGES`` at a time.

_LAST = "\U0010ffff"  # sorts after any letter: ``part + _LAST`` ends the words starting with it


def _backwards(word: str) -> str:
    return word[::-1]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """Word knowledge for one wordfreq language, with its memo tables."""

    code: str
    freq: dict[str, float]
    #: Words at or above ``KNOWN_ZIPF``: never cut (one set lookup per distinct token).
    known: frozenset[str]
    function_words: frozenset[str]
    #: Frequent words that probe affixes, mapped to their last two letters ...
    probes: dict[str, str]
    #: ... and how many probes end in each two letters.
    probe_endings: dict[str, int]
    #: Every known word, sorted forwards and sorted by its reversed spelling.
    forward: list[str]
    backward: list[str]
    compounding: bool
    noun_capitals: bool
    eliding: bool
    affixes: dict[tuple[str, bool], dict[str, int]] = field(default_factory=dict)
    decisions: dict[tuple[str, bool, bool, bool], tuple[int, ...]] = field(default_factory=dict)
    #: Tokens without apostrophes that no context cuts.
    rejected: set[str] = field(default_factory=set)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lower-case word, 0.0 when wordfreq does not know it."""
        f = self.freq.get(word)
        return math.log10(f) + 9.0 if f else 0.0

    def extensions(self, part: str, as_prefix: bool, most: int) -> tuple[int, Sequence[str]]:
        """How many known words start with ``part`` (``as_prefix``) or end with it, and
        those words when there are at most ``most`` (else none: they are not needed).
        """
        if as_prefix:
            table, key = self.forward, part
            low = bisect.bisect_left(table, key)
            high = bisect.bisect_left(table, key + _LAST, lo=low)
        else:
            table, key = self.backward, part[::-1]
            low = bisect.bisect_left(table, key, key=_backwards)
            high = bisect.bisect_left(table, key + _LAST, lo=low, key=_backwards)
        return high - low, table[low:high] if high - low <= most else ()

    def _counts(self, part: str, as_prefix: bool) -> dict[str, int]:
        """Known words that extend ``part`` (after it as a prefix, before it as a suffix).

        Keys: a probe's last two letters -> how many ``part + probe`` (``probe + part``)
        are known words and no rare typos; ``""`` -> their total; ``"*"`` -> how many
        known words extend ``part`` by ``COMPOUND_TAIL`` letters or more (how often it
        starts, or ends, a compound).
        """
        counts = self.affixes.get((part, as_prefix))
        if counts is not None:
            return counts
        n = len(part)
        freq, probes = self.freq, self.probes
        # Either each known word that extends part is split off, or each probe word is
        # joined to part: whichever is fewer strings to make (making one costs more).
        size, words = self.extensions(part, as_prefix, PROBE_COST * len(probes))
        if not words and size:
            joined = (
                map(part.__add__, probes) if as_prefix else map(str.__add__, probes, repeat(part))
            )
            words = list(filter(freq.__contains__, joined))
        if size > len(probes) or (not as_prefix and n < 3):
            # A short, common part (``a``, ``en``): it surely starts or ends more
            # compounds than any limit.
            counts = {"": 0, "*": max(size, len(probes) + 1)}
        else:
            # Words shorter than part + COMPOUND_TAIL letters are no compounds of it.
            short = sum(map((n + COMPOUND_TAIL).__gt__, map(len, words)))
            counts = {"": 0, "*": len(words) - short}
        rests = map(itemgetter(slice(n, None) if as_prefix else slice(None, -n)), words)
        for rest in probes.keys() & set(rests):
            word = part + rest if as_prefix else rest + part
            if freq[word] >= freq[rest] * DERIVED_SHARE:
                end = probes[rest]
                counts[end] = counts.get(end, 0) + 1
                counts[""] += 1
        if len(self.affixes) >= MAX_DECISIONS:
            self.affixes.clear()
        self.affixes[(part, as_prefix)] = counts
        return counts

    def compounds(self, part: str, as_prefix: bool) -> int:
        """How many known words start (or end) with ``part`` and go on for a while."""
        return self._counts(part, as_prefix)["*"]

    def productivity(self, part: str, as_prefix: bool, other: str) -> float:
        """How often ``part`` makes known words with probe words that end like ``other``.

        The ending tells a word's class in most languages (verb, plural, adjective), so
        the share is taken among probes ending like ``other``, smoothed towards the
        share among all probes.
        """
        counts = self._counts(part, as_prefix)
        end = other[-2:]
        overall = counts[""] / len(self.probes)
        same = self.probe_endings.get(end, 0)
        return (counts.get(end, 0) + SMOOTHING * overall) / (same + SMOOTHING)


@functools.lru_cache(maxsize=MAX_LANGUAGES)
def _lexicon(code: str) -> _Lexicon:
    """Build (once per language) the word knowledge for a wordfreq language code."""
    freq = wordfreq.get_frequency_dict(code)
    ranked = [w for bucket in wordfreq.get_frequency_list(code) for w in bucket if w.isalpha()]
    probes = {w: w[-2:] for w in [w for w in ranked if len(w) >= 3][:PROBE_WORDS]}
    endings: dict[str, int] = {}
    for end in probes.values():
        endings[end] = endings.get(end, 0) + 1
    least = 10.0 ** (KNOWN_ZIPF - 9.0)
    return _Lexicon(
        code=code,
        freq=freq,
        known=frozenset(w for w, f in freq.items() if f >= least),
        function_words=frozenset(ranked[:FUNCTION_WORDS]),
        probes=probes,
        probe_endings=endings,
        forward=sorted(freq),
        backward=sorted(freq, key=_backwards),
        compounding=code in COMPOUNDING,
        noun_capitals=code in NOUN_CAPITALS,
        eliding=code in ELIDING,
    )


def _is_english(word: str) -> bool:
    """True for a word of wordfreq's English list: brands and code are made of those."""
    return wordfreq.get_frequency_dict("en").get(word.lower(), 0.0) >= ENGLISH_FREQ


@functools.lru_cache(maxsize=64)
def wordfreq_language(lang: str | None) -> str | None:
    """Return the wordfreq code for ``lang`` (``hr`` -> ``sh``, ``pt-BR`` -> ``pt``), or None.

    None means the language is not supported and its text is left alone.

    >>> wordfreq_language("hr"), wordfreq_language("pt-BR"), wordfreq_language("zh")
    ('sh', 'pt', None)
    """
    if not lang:
        return None
    code = lang.strip().replace("_", "-").split("-")[0].lower()
    code = ALIASES.get(code, code)
    if code in UNSUPPORTED or code not in wordfreq.available_languages("best"):
        return None
    return code


# --------------------------------------------------------------------------- decisions


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
    need = max(CONTENT_FLOOR, CONTENT_ZIPF + LENGTH_STEP * (6 - len(part)))
    return len(part) >= 3 and z >= need


def _consonant(part: str) -> bool:
    """True for a single consonant: where articles elide, only ever ``l'``, ``c'``, ``d'``."""
    return len(part) == 1 and unicodedata.normalize("NFD", part)[0] not in VOWELS


def _junction(
    lex: _Lexicon, left: str, right: str, whole_z: float, rules: _Rules, cheap: bool = False
) -> float | None:
    """Score of reading lower-case ``left + right`` as two words; None when unconvincing.

    ``cheap`` skips the costly affix and compound tests: an upper bound, for ranking.
    """
    zl, zr = lex.zipf(left), lex.zipf(right)
    fl, fr = left in lex.function_words, right in lex.function_words
    if rules.camel:
        if fl and not whole_z and len(right) >= CAMEL_NAME:
            return zl + max(zr, 1.0)  # ``istMüllerhausen``: a name after a function word
        return zl + zr if zl and zr else None
    if not zl or not zr:
        return None
    if lex.eliding and (_consonant(left) or (_consonant(right) and not rules.elided)):
        return None  # wordfreq counts the ``c`` of ``c'è``: alone it is no word (``la|c``)
    if not (fl or _content_ok(left, zl)) or not (fr or _content_ok(right, zr)):
        return None
    if whole_z:
        # A known but rare token (``ofthe``, ``dela``): only function-word glue counts.
        if whole_z >= KNOWN_ZIPF or not (fl or fr) or zl + zr - whole_z < KNOWN_MARGIN:
            return None
        if not (fl and fr) and not cheap:
            return None if _productive(lex, left, right, _most_rate(lex, left, right)) else zl + zr
        return zl + zr
    if (fl and fr) or cheap:
        return zl + zr
    if fl or fr:
        return None if _productive(lex, left, right, _most_rate(lex, left, right)) else zl + zr
    # Two content words.  In a compounding language a compound (``Bundes|regierung``)
    # unless neither side takes part in compounds: inflected forms (``moeilijke``,
    # ``loopt``) never start a longer word and seldom end one.  Elsewhere the same test,
    # looser, keeps closed compounds whole (``bird|cages``).  Names and brands are made
    # of English words (``Green|wood``), and in English text every content word is one.
    if rules.limits is None or (
        rules.capital and (lex.code == "en" or (_is_english(left) and _is_english(right)))
    ):
        return None
    most_left, most_right = rules.limits
    if lex.compounds(left, True) > most_left or lex.compounds(right, False) > most_right:
        return None
    if lex.compounding:
        return zl + zr
    return None if _productive(lex, left, right, MAX_RATE_CONTENT) else zl + zr


def _most_rate(lex: _Lexicon, left: str, right: str) -> float:
    """The highest productivity a junction of a function word and a content word may have.

    Verb particles are prepositions in compounding languages (``mit|streiten``), and a
    single letter is a prefix as often as a word (``a|figure``, ``a|sleep``): both less.
    """
    most = MAX_RATE_COMPOUNDING if lex.compounding else MAX_RATE_FUNCTION
    return most * LETTER_RATE_SHARE if min(len(left), len(right)) == 1 else most


def _productive(lex: _Lexicon, left: str, right: str, limit: float) -> bool:
    """Whether the junction ``left|right`` is at least ``limit`` productive, as a prefix
    (``left`` + probe words) or as a suffix (probe words + ``right``).

    The longer side is measured first: it has fewer known extensions, so it is quicker.
    """
    sides = [(left, True, right), (right, False, left)]
    if len(right) > len(left):
        sides.reverse()
    return any(lex.productivity(part, prefix, other) >= limit for part, prefix, other in sides)


def _derived(lex: _Lexicon, low: str, base_zipf: float = 0.0) -> bool:
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
        if min(zl, zr) < DERIVATION_ZIPF and min(len(left), len(right)) == 1:
            continue  # a one-letter affix on a web typo (``aufde|n``) shows no pattern
        if base_zipf:
            base = max(left, right, key=len)
            if base in lex.function_words or lex.zipf(base) < base_zipf:
                continue
        if _productive(lex, left, right, DERIVATION_RATE):
            return True
    return False


def _lexicalised(lex: _Lexicon, low: str, cut: int) -> bool:
    """True when the language knows a word that runs across the cut of ``low``.

    After a content word: a known word that starts the token and goes on at least
    ``SPAN_TAIL`` letters past the cut, maybe with a short ending the token lacks
    (``beaver|tail|s``, ``morpho|métrique|s``).  In a compounding language: a reading
    as two content words at another cut (``om|bouwkosten`` is ``ombouw|kosten``).
    Glue of a function word is not tested the first way: names are made of such glue
    (``LaForce``, ``ElMundo``) and wordfreq knows them.
    """
    fw = lex.function_words
    if low[:cut] not in fw:
        for j in range(cut + SPAN_TAIL, len(low)):
            _, words = lex.extensions(low[:j], True, len(lex.probes))
            if any(w != low and len(w) - j <= SPAN_ENDING for w in words):
                return True
    if lex.compounding and (low[:cut] in fw or low[cut:] in fw):
        for k in range(2, len(low) - 2):
            left, right = low[:k], low[k:]
            if abs(k - cut) < SPAN_TAIL or left in fw or right in fw:
                continue
            if _content_ok(left, lex.zipf(left)) and _content_ok(right, lex.zipf(right)):
                return True
    return False


def _best_split(
    lex: _Lexicon, run: str, cuts: Iterable[int], rules: _Rules, three: bool = False
) -> tuple[int, ...]:
    """Best cut of ``run`` into 2 known words (``three``: else into 3); () for none."""
    low = run.lower()
    whole_z = lex.zipf(low)
    cuts = tuple(cuts)
    best: tuple[float, tuple[int, ...]] = (0.0, ())
    # Rank the cuts on the cheap tests, then run the costly ones from the top down.
    ranked = []
    for i in cuts:
        bound = _junction(lex, low[:i], low[i:], whole_z, rules, cheap=True)
        if bound is not None:
            ranked.append((bound, -i, i))
    for _, _, i in sorted(ranked, reverse=True):
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
            # that reads as a common word with an ending (``czyni|e``) is that word.
            return () if whole_z and _derived(lex, low, FUNCTION_PAIR_BASE_ZIPF) else best[1]
        return () if _derived(lex, low) else best[1]
    if whole_z or not three or ranked:
        return ()  # a near miss in two parts (``wegen|der``) is no licence for three
    # Three words glued (``oneofthe``): each junction needs a function word.
    fw = lex.function_words
    for i, j in itertools.combinations(cuts, 2):
        left, mid, right = low[:i], low[i:j], low[j:]
        if min(len(left), len(mid), len(right)) < 2:
            continue
        if not ((left in fw or mid in fw) and (mid in fw or right in fw)):
            continue
        first = _junction(lex, left, mid, lex.zipf(left + mid), _Rules(None))
        second = _junction(lex, mid, right, lex.zipf(mid + right), _Rules(None))
        if first is not None and second is not None and first + second > best[0]:
            best = (first + second, (i, j))
    return () if best[1] and _derived(lex, low) else best[1]


def _split_run(
    lex: _Lexicon, run: str, sentence_start: bool, hyphenated: bool, elided: bool
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
        limits = COMPOUND_LIMITS if lex.compounding else CAPITAL_COMPOUND_LIMITS
        rules = _Rules(limits, capital=True, elided=elided)
    elif lex.compounding:
        # Where nouns are capitalised, a lower-case token is no noun compound.
        limits = LOOSE_COMPOUND_LIMITS if lex.noun_capitals else COMPOUND_LIMITS
        rules = _Rules(limits, elided=elided)
    else:
        rules = _Rules(OPEN_COMPOUND_LIMITS, elided=elided)
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
            for i in range(TITLE_HEAD, n - 1)
            if run[:i].lower() not in fw
            and (run[i:].lower() not in fw or n - i >= TITLE_TAIL or i >= TITLE_LONG_HEAD)
        )
        result = _best_split(lex, run, cuts, rules)
    else:
        cut = _camel_cut(lex, run, sentence_start)
        if cut:
            result = _best_split(lex, run, (cut,), _Rules(rules.limits, camel=True))
    if len(lex.decisions) >= MAX_DECISIONS:
        lex.decisions.clear()
    lex.decisions[key] = result
    return result


def _camel_cut(lex: _Lexicon, run: str, sentence_start: bool) -> int:
    """The cut of ``mitdemAuto``, ``TribunalSupremo``; 0 for brands and code (``iPhone``)."""
    bounds = [i for i in range(1, len(run)) if run[i - 1].islower() and run[i].isupper()]
    if len(bounds) != 1:
        return 0
    i = bounds[0]
    left, right = run[:i], run[i:]
    if len(left) < 2 or len(right) < 2 or not left[1:].islower():
        return 0
    if lex.zipf(run.lower()) or _is_english(run):
        return 0  # a known brand or name (``PowerPoint``, ``YouTube``)
    function_word = left.lower() in lex.function_words
    foreign = lex.code != "en" and not (_is_english(left) and _is_english(right))
    if left[0].isupper():
        # Two capitalised words: a brand or a class name (``ValueError``), unless a sentence
        # starts with a function word (``DieSitzung``) or long non-English words meet.
        ok = right[1:].islower() and (
            (sentence_start and function_word)
            or (foreign and min(len(left), len(right)) >= CAMEL_TITLE)
        )
    elif function_word or lex.noun_capitals or foreign:
        # ``mitdemAuto``, ``theBeatles``; camelCase of English words is code (``regionId``).
        ok = right[1:].islower() or (right.isupper() and function_word)
    else:
        ok = False
    return i if ok else 0


# --------------------------------------------------------------------------- context


def _at_sentence_start(text: str, start: int) -> bool:
    """True when only spaces, quotes or brackets stand between ``start`` and a sentence end."""
    i = start - 1
    while i >= 0 and text[i] in OPENERS:
        if text[i] == "\n":
            return True
        i -= 1
    if i < 0:
        return True
    if text[i] == ".":
        # ``S. Pastuszewski``, ``Dr. Kowalski``: an initial or a title, not an end.
        j = i
        while j > 0 and text[j - 1].isalpha():
            j -= 1
        return not (text[j:i][:1].isupper() and i - j <= 3)
    return text[i] in SENTENCE_END


def _is_code_like(text: str, start: int, end: int) -> bool:
    """True for a token inside a URL, e-mail address, hashtag, code or number."""
    if start > 0:
        before = text[start - 1]
        if before in CODE_NEIGHBOURS or before.isdigit():
            return True
        if before == "." and start > 1 and text[start - 2].isalnum():
            return True  # example.com, file.txt, obj.method
    if end < len(text):
        after = text[end]
        if after in CODE_NEIGHBOURS or after.isdigit() or unicodedata.combining(after):
            return True
        follow = text[end + 1 : end + 2]
        if after in ".:(" and follow and (follow.isalnum() or follow in "/)"):
            return True  # www.example, https://, call(x)
    return False


def _is_hyphenated(text: str, start: int, end: int) -> bool:
    """True for a part of a hyphenated compound (``Jong-un``, ``well-known``)."""
    return (start > 0 and text[start - 1] in HYPHENS) or (end < len(text) and text[end] in HYPHENS)


# --------------------------------------------------------------------------- public API


_Split = tuple[int, int, str]


def _runs(lex: _Lexicon, word: str) -> list[tuple[int, str, bool]]:
    """The runs of letters of ``word`` that may be glue: ``(offset, run, elided)``.

    Runs lie between apostrophes (``dell'Ucraina``); ``elided``: an apostrophe follows.
    None is glue in a known elided form (``dell'anno``, ``isn't``), and no run that is
    short or a known word.
    """
    if "'" not in word and "’" not in word:
        return [(0, word, False)]
    if word.lower().replace("’", "'") in lex.freq:
        return []
    out = []
    start = 0
    for k, ch in enumerate(word + "'"):
        if ch in APOSTROPHES:
            run = word[start:k]
            if len(run) >= MIN_LENGTH and run.lower() not in lex.known:
                out.append((start, run, k < len(word)))
            start = k + 1
    return out


def _stays_whole(lex: _Lexicon, word: str, runs: list[tuple[int, str, bool]]) -> bool:
    """True when no run of ``word`` is cut in any context: remembered, not searched again."""
    for offset, run, elided in runs:
        # Only a capital reads differently at the start of a sentence.
        starts = (False, True) if offset == 0 and not run.islower() else (False,)
        for start in starts:
            for hyphen in (False, True):
                if _split_run(lex, run, start, hyphen, elided):
                    return False
    if len(lex.rejected) >= MAX_DECISIONS:
        lex.rejected.clear()
    lex.rejected.add(word)
    return True


def _tokens(
    text: str, lex: _Lexicon, spans: list[tuple[int, int]]
) -> list[tuple[int, str, list[tuple[int, str, bool]]]]:
    """Where the tokens that may be glue stand in ``spans`` of ``text``: start, token, runs.

    Those are the tokens of the right length that wordfreq does not know well and that
    some context may cut.  Over a whole text each distinct token is judged once and
    only the others are searched for: correct text has few.
    """
    known, rejected = lex.known, lex.rejected
    if spans != [(0, len(text))]:
        words = [
            (m.start(), m.group())
            for a, b in spans
            for m in WORD_RE.finditer(text, a, b)
            if MIN_LENGTH <= len(m.group()) <= MAX_LENGTH
            and m.group() not in rejected
            and m.group().lower().replace("’", "'") not in known
        ]
        return [(start, word, runs) for start, word in words if (runs := _runs(lex, word))]
    found = []
    for word in set(WORD_RE.findall(text)) - known - rejected:
        if not MIN_LENGTH <= len(word) <= MAX_LENGTH or word.lower().replace("’", "'") in known:
            continue
        runs = _runs(lex, word)
        if _stays_whole(lex, word, runs):
            continue
        pos = text.find(word)
        while pos >= 0:
            end = pos + len(word)
            match = WORD_RE.match(text, pos)
            if (
                match is not None
                and match.end() == end
                and not (pos and LETTER_RE.match(text, pos - 1))
                and not (
                    pos > 1 and text[pos - 1] in APOSTROPHES and LETTER_RE.match(text, pos - 2)
                )
            ):
                found.append((pos, word, runs))
            pos = text.find(word, pos + 1)
    found.sort()
    return found


def _one_round(text: str, lex: _Lexicon, spans: list[tuple[int, int]]) -> list[_Split]:
    """One pass of ``find_splits`` over the ``spans`` of ``text``."""
    splits: list[_Split] = []
    for start, word, runs in _tokens(text, lex, spans):
        end = start + len(word)
        if _is_code_like(text, start, end):
            continue  # a URL, an e-mail address, code, a number
        hyphenated = _is_hyphenated(text, start, end)
        cuts: list[int] = []
        for offset, run, elided in runs:
            sentence_start = offset == 0 and not run.islower() and _at_sentence_start(text, start)
            found = _split_run(lex, run, sentence_start, hyphenated, elided)
            cuts.extend(offset + c for c in found)
        if cuts:
            pieces = [word[a:b] for a, b in itertools.pairwise([0, *cuts, len(word)])]
            splits.append((start, end, " ".join(pieces)))
    return splits


def _apply(text: str, splits: list[_Split]) -> str:
    """``text`` with each ``(start, end, replacement)`` applied."""
    out: list[str] = []
    pos = 0
    for start, end, replacement in splits:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _moved(splits: list[_Split]) -> list[tuple[int, int]]:
    """Where each replacement of ``splits`` stands once they are applied."""
    spans = []
    shift = 0
    for start, end, replacement in splits:
        spans.append((start + shift, start + shift + len(replacement)))
        shift += len(replacement) - (end - start)
    return spans


def find_splits(text: str, lang: str | None) -> list[_Split]:
    """List the glued words of ``text`` as ``(start, end, replacement)``, left to right.

    ``text[start:end]`` is the glued token; ``replacement`` is the same characters with
    spaces inserted.  Empty when nothing is glued or the language is unsupported.

    >>> find_splits("una voltanel settembre", "it")
    [(4, 12, 'volta nel')]
    """
    code = wordfreq_language(lang)
    if code is None or not text:
        return []
    lex = _lexicon(code)
    splits = _one_round(text, lex, [(0, len(text))])
    for _ in range(MAX_ROUNDS - 1):
        if not splits:
            break
        # A piece may show glue of its own once cut, with new neighbours (``x-yz`` loses
        # its hyphen): look again at the pieces, in the repaired text, until none is cut.
        spans = _moved(splits)
        more = _one_round(_apply(text, splits), lex, spans)
        if not more:
            break
        for start, end, replacement in more:
            k = next((k for k, (a, b) in enumerate(spans) if a <= start and end <= b), -1)
            if k < 0:
                continue  # cannot happen: the second pass only looks inside the spans
            first_start, first_end, old = splits[k]
            offset = start - spans[k][0]
            new = old[:offset] + replacement + old[offset + end - start :]
            splits[k] = (first_start, first_end, new)
    return splits


def split_joined_words(text: str, lang: str | None) -> str:
    """Insert the missing space between words that scraping glued together.

    What breaks and why: extraction drops the space an inline tag or line break stood
    for, leaving ``voltanel`` for ``volta nel``.  Only tokens unknown to wordfreq are
    cut, only into known words, and never where the junction is a productive compound
    or inflection of the language, so names, brands and compounds survive.  Pure,
    idempotent, never raises; an unsupported or missing ``lang`` returns ``text``.

    >>> split_joined_words("Kim Jong Un è venuto in Russia una voltanel settembre.", "it")
    'Kim Jong Un è venuto in Russia una volta nel settembre.'
    >>> split_joined_words("missili utilizzati perattacchi", "it")
    'missili utilizzati per attacchi'
    >>> split_joined_words("Die Bundesregierung verhängt eine Ausgangssperre.", "de")
    'Die Bundesregierung verhängt eine Ausgangssperre.'
    >>> split_joined_words("voltanel", None)
    'voltanel'
    """
    return _apply(text, find_splits(text, lang))
