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
* in compounding languages (German, Dutch, Nordic, Finnish, Hungarian, Turkish)
  two content words are a compound unless neither ever takes part in one;
* capitals: a capitalised token mid-sentence is a name (``Zaporozhye``) and only
  loses a function word from its end; camel case is a brand or code
  (``iPhone``, ``YouTube``, ``targetPort``) unless a function word or a
  non-English pair shows the glue (``mitdemAuto``, ``TribunalSupremo``);
* URLs, e-mail addresses, hashtags, numbers, code and hyphenated tokens keep their
  content words together.

All word knowledge is derived at run time from wordfreq (its data ships in the
wheel; nothing is downloaded): there is no per-language word list here.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import wordfreq

__all__ = ["find_splits", "split_joined_words", "wordfreq_language"]

# --------------------------------------------------------------------------- thresholds
# Zipf = log10(frequency per billion words): "the" is 7.7, once per million words is 3.

#: A token at or above this Zipf is a real word and is never cut.
KNOWN_ZIPF = 3.5
#: A rarely seen token (``ofthe``, ``dela``) is cut when the two parts together are this
#: much more frequent than it (sum of the parts' Zipf minus its own).
KNOWN_MARGIN = 10.5
#: How many of a language's most frequent words count as function words.
FUNCTION_WORDS = 150
#: A content part needs 3 letters and Zipf ``CONTENT_ZIPF``, plus ``LENGTH_STEP`` for
#: each letter under 6 and less for each over (short strings are often abbreviations),
#: but never less than ``CONTENT_FLOOR``.
CONTENT_ZIPF = 2.5
LENGTH_STEP = 0.75
CONTENT_FLOOR = 1.5
#: How many frequent words probe how productive a prefix or suffix is.
PROBE_WORDS = 5000
#: Weight of the all-probe share when smoothing the share among same-ending probes.
SMOOTHING = 20.0
#: A derived word only shows a pattern when at least this share as frequent as its
#: base (rarer ones are web typos: ``niebył``).
DERIVED_SHARE = 0.003
#: Highest productivity allowed at a function-word junction ...
MAX_RATE_FUNCTION = 0.08
#: ... the same in a compounding language (verb particles are prepositions: ``mit|streiten``)
MAX_RATE_COMPOUNDING = 0.05
#: ... and at a junction of two content words.
MAX_RATE_CONTENT = 0.002
#: A token is kept whole when a cut of it meets an affix this productive (``natural|idade``),
#: unless all its parts are function words; one-letter affixes need a base this frequent.
DERIVATION_RATE = 0.3
DERIVATION_ZIPF = 2.5
#: Compound evidence: how many known words start with the left part and go on for at
#: least ``COMPOUND_TAIL`` letters, and end with the right part that way, at most ...
COMPOUND_TAIL = 4
#: ... in compounding languages (``ziekenhuis|opname`` is a compound);
COMPOUND_LIMITS = (0, 3)
#: ... there, for lower-case tokens when nouns are capitalised (no noun compound);
LOOSE_COMPOUND_LIMITS = (25, 10)
#: ... in languages that write compounds apart (``bird|cages`` stays whole);
OPEN_COMPOUND_LIMITS = (50, 50)
#: ... and for capitalised tokens there (names and brands: ``Green|wood``).
CAPITAL_COMPOUND_LIMITS = (20, 20)
#: A capitalised token mid-sentence loses only a function word from its end, of at least
#: ``TITLE_TAIL`` letters, or 2 after ``TITLE_LONG_HEAD`` letters (``Canadain``), and
#: keeps at least ``TITLE_HEAD`` (names and brands such as ``Shipon``, ``Lakeus`` stay whole).
TITLE_TAIL = 3
TITLE_HEAD = 4
TITLE_LONG_HEAD = 6
#: After a lower-case function word, a capitalised part of at least this many letters
#: comes off even when wordfreq does not know it (``istMüllerhausen``).
CAMEL_NAME = 4
#: Two capitalised words glued (``TribunalSupremo``) come apart only when both have at
#: least this many letters and not both are English (short or English: a brand).
CAMEL_TITLE = 5
#: An English word has at least this frequency in wordfreq's English list.
ENGLISH_FREQ = 1e-6
#: Tokens outside these lengths are left alone.
MIN_LENGTH = 3
MAX_LENGTH = 40
#: Passes over a text until no cut is left (a cut piece may show glue of its own).
MAX_ROUNDS = 3
#: Decisions on unknown tokens remembered per language before the memo is emptied.
MAX_DECISIONS = 100_000

# --------------------------------------------------------------------------- languages

#: wordfreq languages whose correct text compounds or agglutinates freely.
COMPOUNDING = frozenset({"da", "de", "fi", "hu", "is", "nb", "nl", "sv", "tr"})
#: Languages that capitalise every noun: a capital there is no sign of a name.
NOUN_CAPITALS = frozenset({"de"})
#: wordfreq languages left alone: no spaces between words (zh, ja), spaces between
#: syllables (vi, ko), combining marks the letter pattern does not cover (hi, bn, ta,
#: ur), or correct words that carry attached clitics (ar, fa, he).
UNSUPPORTED = frozenset({"ar", "bn", "fa", "he", "hi", "ja", "ko", "ta", "ur", "vi", "zh"})
#: Codes that wordfreq files under another name.
ALIASES = {"bs": "sh", "hr": "sh", "sr": "sh", "no": "nb", "nn": "nb", "tl": "fil", "in": "id"}

# Letters, with apostrophes inside a word (``dell'Ucraina``, ``isn't``).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_APOSTROPHES = "'’"
# Neighbours that put a token inside a URL, e-mail address, hashtag or code.
_CODE_NEIGHBOURS = frozenset("#@/\\_=&%+~|<>*^${}[]")
_HYPHENS = frozenset("-‐‑")
_SENTENCE_END = frozenset(".!?…:;\n")
_OPENERS = frozenset("\"'`“”‘’«»„‚‹›([{¿¡—–- \t\r\u00a0")


# --------------------------------------------------------------------------- the cache
# The one cache of this module.  Per language: wordfreq's table (shared with wordfreq's
# own cache), what we derive from it (function words, probe words, sorted tables) and
# memo tables for affix counts and for decisions on unknown tokens.  Built on first use
# of a language and kept for the life of the process, at most ``_LANGUAGES`` at a time.
_LANGUAGES = 12


_LAST = "\U0010ffff"  # sorts after any letter: ``part + _LAST`` ends the words starting with it


def _backwards(word: str) -> str:
    return word[::-1]


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """Word knowledge for one wordfreq language, with its memo tables."""

    code: str
    freq: dict[str, float]
    function_words: frozenset[str]
    #: Frequent words that probe affixes, mapped to their last two letters ...
    probes: dict[str, str]
    #: ... and how many probes end in each two letters.
    probe_endings: dict[str, int]
    compounding: bool
    noun_capitals: bool
    #: Known words sorted, and grouped by their last three letters (built on first need).
    tables: list[tuple[list[str], dict[str, list[str]]]] = field(default_factory=list)
    sorted_groups: set[str] = field(default_factory=set)
    affixes: dict[tuple[str, bool], dict[str, int]] = field(default_factory=dict)
    decisions: dict[tuple[str, bool, bool], tuple[int, ...]] = field(default_factory=dict)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lower-case word, 0.0 when wordfreq does not know it."""
        f = self.freq.get(word)
        return math.log10(f) + 9.0 if f else 0.0

    def _extensions(self, part: str, as_prefix: bool) -> tuple[int, Iterable[str]]:
        """How many known words start with ``part`` (``as_prefix``) or end with it; those.

        Ends are grouped by their last three letters, each group sorted backwards on its
        first use: for parts shorter than that the count is only known to be large.
        """
        if not self.tables:
            groups: dict[str, list[str]] = {}
            for word in self.freq:
                groups.setdefault(word[-3:], []).append(word)
            self.tables.append((sorted(self.freq), groups))
        forward, groups = self.tables[0]
        if as_prefix:
            low = bisect.bisect_left(forward, part)
            high = bisect.bisect_left(forward, part + _LAST, lo=low)
            return high - low, forward[low:high]
        if len(part) < 3:
            return len(self.probes) + 1, ()
        group = groups.get(part[-3:], [])
        if group and part[-3:] not in self.sorted_groups:
            # Sorted once, into a new list: another thread may be reading the old one.
            group = sorted(group, key=_backwards)
            groups[part[-3:]] = group
            self.sorted_groups.add(part[-3:])
        key = part[::-1]
        low = bisect.bisect_left(group, key, key=_backwards)
        high = bisect.bisect_left(group, key + _LAST, lo=low, key=_backwards)
        return high - low, group[low:high]

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
        counts = {"": 0, "*": 0}
        n = len(part)
        freq, probes = self.freq, self.probes
        size, words = self._extensions(part, as_prefix)
        if size > len(probes):
            # A short, common part (``a``, ``en``): trying each probe is quicker, and it
            # surely starts or ends more compounds than any limit.
            counts["*"] = size
            joined = (part + x for x in probes) if as_prefix else (x + part for x in probes)
            words = iter([w for w in joined if w in freq])
        for word in words:
            if size <= len(probes) and len(word) - n >= COMPOUND_TAIL:
                counts["*"] += 1
            rest = word[n:] if as_prefix else word[: len(word) - n]
            end = probes.get(rest)
            if end is not None and freq[word] >= freq[rest] * DERIVED_SHARE:
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


@functools.lru_cache(maxsize=_LANGUAGES)
def _lexicon(code: str) -> _Lexicon:
    """Build (once per language) the word knowledge for a wordfreq language code."""
    ranked = [w for bucket in wordfreq.get_frequency_list(code) for w in bucket if w.isalpha()]
    probes = {w: w[-2:] for w in [w for w in ranked if len(w) >= 3][:PROBE_WORDS]}
    endings: dict[str, int] = {}
    for end in probes.values():
        endings[end] = endings.get(end, 0) + 1
    return _Lexicon(
        code=code,
        freq=wordfreq.get_frequency_dict(code),
        function_words=frozenset(ranked[:FUNCTION_WORDS]),
        probes=probes,
        probe_endings=endings,
        compounding=code in COMPOUNDING,
        noun_capitals=code in NOUN_CAPITALS,
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


def _content_ok(part: str, z: float) -> bool:
    """A content part must be a frequent word; short ones more so."""
    need = max(CONTENT_FLOOR, CONTENT_ZIPF + LENGTH_STEP * (6 - len(part)))
    return len(part) >= 3 and z >= need


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
    if not (fl or _content_ok(left, zl)) or not (fr or _content_ok(right, zr)):
        return None
    if whole_z:
        # A known but rare token (``ofthe``, ``dela``): only function-word glue counts.
        if whole_z >= KNOWN_ZIPF or not (fl or fr) or zl + zr - whole_z < KNOWN_MARGIN:
            return None
        if not (fl and fr) and not cheap:
            most = MAX_RATE_COMPOUNDING if lex.compounding else MAX_RATE_FUNCTION
            return zl + zr if _rate(lex, left, right) < most else None
        return zl + zr
    if (fl and fr) or cheap:
        return zl + zr
    if fl or fr:
        most = MAX_RATE_COMPOUNDING if lex.compounding else MAX_RATE_FUNCTION
        return zl + zr if _rate(lex, left, right) < most else None
    # Two content words.  In a compounding language a compound (``Bundes|regierung``)
    # unless neither side takes part in compounds: inflected forms (``moeilijke``,
    # ``loopt``) never start a longer word and seldom end one.  Elsewhere the same test,
    # looser, keeps closed compounds whole (``bird|cages``).
    if rules.limits is None or (rules.capital and _is_english(left) and _is_english(right)):
        return None
    most_left, most_right = rules.limits
    if lex.compounds(left, True) > most_left or lex.compounds(right, False) > most_right:
        return None
    if lex.compounding:
        return zl + zr
    return zl + zr if _rate(lex, left, right) < MAX_RATE_CONTENT else None


def _rate(lex: _Lexicon, left: str, right: str) -> float:
    """How productive the junction ``left|right`` is as a prefix or a suffix."""
    return max(lex.productivity(left, True, right), lex.productivity(right, False, left))


def _derived(lex: _Lexicon, low: str) -> bool:
    """True when some cut of ``low`` reads as a known word plus a productive affix.

    ``natural|idade``, ``boek|en``, ``dom|u``: a token that a common pattern of
    the language builds from a known word is a rare real word, whatever other reading
    it has.
    """
    for i in range(2, len(low)):
        left, right = low[:i], low[i:]
        zl, zr = lex.zipf(left), lex.zipf(right)
        if not zl or not zr:
            continue
        if min(zl, zr) < DERIVATION_ZIPF and min(len(left), len(right)) == 1:
            continue  # a one-letter affix on a web typo (``aufde|n``) shows no pattern
        if _rate(lex, left, right) >= DERIVATION_RATE:
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
        pieces = (low[: best[1][0]], low[best[1][0] :])
        if rules.camel or all(p in lex.function_words for p in pieces):
            return best[1]
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


def _split_run(lex: _Lexicon, run: str, sentence_start: bool, hyphenated: bool) -> tuple[int, ...]:
    """Offsets inside a run of letters where a space belongs; () for none."""
    key = (run, sentence_start, hyphenated)
    cached = lex.decisions.get(key)
    if cached is not None:
        return cached
    if len(run.lower()) != len(run):
        return ()  # ``İ`` lower-cases to two characters: offsets would not line up
    title = run[0].isupper() and run[1:].islower()
    if hyphenated:
        rules = _Rules(None)  # part of a hyphenated compound: only a function word comes off
    elif title:
        # A name or a brand (``Brightwise``) as often as glued words.
        rules = _Rules(COMPOUND_LIMITS if lex.compounding else CAPITAL_COMPOUND_LIMITS, True)
    elif lex.compounding:
        # Where nouns are capitalised, a lower-case token is no noun compound.
        rules = _Rules(LOOSE_COMPOUND_LIMITS if lex.noun_capitals else COMPOUND_LIMITS)
    else:
        rules = _Rules(OPEN_COMPOUND_LIMITS)
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
    while i >= 0 and text[i] in _OPENERS:
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
    return text[i] in _SENTENCE_END


def _is_code_like(text: str, start: int, end: int) -> bool:
    """True for a token inside a URL, e-mail address, hashtag, code or number."""
    if start > 0:
        before = text[start - 1]
        if before in _CODE_NEIGHBOURS or before.isdigit():
            return True
        if before == "." and start > 1 and text[start - 2].isalnum():
            return True  # example.com, file.txt, obj.method
    if end < len(text):
        after = text[end]
        if after in _CODE_NEIGHBOURS or after.isdigit() or unicodedata.combining(after):
            return True
        follow = text[end + 1 : end + 2]
        if after in ".:(" and follow and (follow.isalnum() or follow in "/)"):
            return True  # www.example, https://, call(x)
    return False


def _is_hyphenated(text: str, start: int, end: int) -> bool:
    """True for a part of a hyphenated compound (``Jong-un``, ``well-known``)."""
    return (start > 0 and text[start - 1] in _HYPHENS) or (
        end < len(text) and text[end] in _HYPHENS
    )


# --------------------------------------------------------------------------- public API


_Split = tuple[int, int, str]


def _one_round(text: str, lex: _Lexicon, spans: list[tuple[int, int]]) -> list[_Split]:
    """One pass of ``find_splits`` over the ``spans`` of ``text``."""
    known = 10.0 ** (KNOWN_ZIPF - 9.0)
    freq = lex.freq
    splits: list[_Split] = []
    for match in itertools.chain.from_iterable(_WORD.finditer(text, a, b) for a, b in spans):
        word = match.group()
        if not MIN_LENGTH <= len(word) <= MAX_LENGTH:
            continue
        low = word.lower().replace("’", "'")
        if freq.get(low, 0.0) >= known:
            continue
        start, end = match.span()
        if _is_code_like(text, start, end) or ("'" in low and low in freq):
            continue  # code, or a known elided form (``dell'anno``, ``isn't``)
        hyphenated = _is_hyphenated(text, start, end)
        cuts: list[int] = []
        run_start = 0
        for k, ch in enumerate(word + "'"):
            if ch not in _APOSTROPHES:
                continue
            run = word[run_start:k]
            if len(run) >= MIN_LENGTH and freq.get(run.lower(), 0.0) < known:
                sentence_start = run_start == 0 and _at_sentence_start(text, start)
                found = _split_run(lex, run, sentence_start, hyphenated)
                cuts.extend(run_start + c for c in found)
            run_start = k + 1
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
