"""Split words that scraping ran together: ``una voltanel settembre`` -> ``volta nel``.

What breaks and why: HTML-to-text extraction drops the space that an inline
tag, a line break or a ``&nbsp;`` stood for (``volta<br>nel``,
``per<a>attacchi</a>``), so two words reach the reader glued into one token
that no dictionary knows.

How we repair it without harming correct text: a token is only looked at when
wordfreq does not know it (or knows it only as a rare typo, like ``ofthe``),
and it is split only where both sides are frequent words *and* the junction
is not a productive word-formation pattern of the language.  That last test
is measured, not listed: for each candidate left part we count how many
frequent words ``x`` form a real word ``left + x`` (``mit`` + ``arbeiten``,
``nie`` + ``możliwe``), and for each right part how many ``x + right`` are
words (``Kind`` + ``er``, ``hacer`` + ``lo``).  A productive prefix or suffix
means the unknown token is more likely a rare compound or inflection than
two glued words.  Compounding languages (German, Dutch, Nordic, Finnish...)
additionally need one side to be a function word; proper names (capitalised
mid-sentence), brands (``iPhone``, ``YouTube``), URLs, e-mail addresses,
hashtags and hyphenated or digit-bearing tokens are never split.

All word knowledge is derived at run time from wordfreq (its data ships in the
wheel): nothing here is a per-language word list.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field

import wordfreq

__all__ = ["find_splits", "split_joined_words", "wordfreq_language"]

# --------------------------------------------------------------------------- tunables
# Zipf = log10(frequency per billion words); "the" is about 7.7, a word seen once
# per million words is 3.

#: A token at or above this Zipf is a real word and is never split.
KNOWN_ZIPF = 3.5
#: A rarely seen token (``ofthe``, ``dela``) may still be split when the two parts
#: together are this much more frequent than it (sum of the parts' Zipf minus its own).
KNOWN_MARGIN = 10.5
#: How many of a language's most frequent words count as function words.
FUNCTION_WORDS = 150
#: How many frequent words are tried when measuring how productive an affix is.
PROBE_WORDS = 5000
#: Weight of the overall share when smoothing the share among probes with the same ending.
SMOOTHING = 20.0
#: Highest productivity (share of probe words that form a real word with the part)
#: allowed for a split between a function word and a content word ...
MAX_RATE_FUNCTION = 0.08
#: A token is left alone when any cut of it meets an affix at least this productive.
DERIVATION_RATE = 0.3
#: ... and both sides of that cut are at least this frequent (not web typos).
DERIVATION_ZIPF = 2.5
EXEMPT_FUNCTION_WORDS = True
#: ... in a compounding language (``mit|streiten``: verb particles are prepositions) ...
MAX_RATE_COMPOUNDING = 0.05
#: ... and between two content words (languages that do not compound only).
MAX_RATE_CONTENT = 0.002
#: A content part (not a function word) needs at least 3 letters and this Zipf,
#: plus ``SHORT_PENALTY`` per letter under 6 (short strings are often abbreviations).
CONTENT_ZIPF = 3.0
LENGTH_STEP = 0.5
CONTENT_FLOOR = 1.5
#: ... less this when the other part is a function word (the stronger evidence).
FUNCTION_WORD_BONUS = 0.0
#: A word made of a probe word and an affix only counts as a pattern of the language
#: when it is at least this share as frequent as the probe word.
DERIVED_SHARE = 0.003
#: A capitalised token mid-sentence only loses a function word of at least this length
#: from its end (``Hotelzum``); shorter ones are name endings (``Pier-o``, ``Malu-da``).
TITLE_TAIL = 2
#: In compounding languages two content words are only split when no known word starts
#: with the left one and goes on for ``COMPOUND_TAIL`` letters more, and at most
#: as many known words end with the right one that way as the second limit allows.
COMPOUND_TAIL = 4
COMPOUND_LIMITS = (0, 3)
#: The same for lower-case tokens in languages that capitalise nouns (no noun compounds).
LOOSE_COMPOUND_LIMITS = (25, 10)
#: The same in languages that write compounds apart (most do, now and then).
OPEN_COMPOUND_LIMITS = (100, 100)
#: The same for a capitalised token mid-sentence (a name, unless glued words).
TITLE_COMPOUND_LIMITS = (20, 20)
#: Unknown-token decisions remembered per language before the memo is emptied.
MAX_DECISIONS = 100_000
#: After a lower-case function word, a capitalised part of at least this many letters
#: is split off even when wordfreq does not know it (a name or a compound noun).
CAMEL_NAME = 4
#: Two capitalised words glued (``GreatBritain``) are split only when both have at least
#: this many letters: short pairs are how brands are made (``ColorEdge``).
CAMEL_TITLE = 5
#: Tokens shorter than this are left alone.
MIN_LENGTH = 3
#: Tokens longer than this are left alone (not words: hashes, base64, chemistry).
MAX_LENGTH = 40

#: wordfreq languages whose correct text compounds or agglutinates freely: a long
#: unknown token is a compound there, so one side of a split must be a function word.
COMPOUNDING = frozenset({"da", "de", "fi", "hu", "is", "nb", "nl", "sv", "tr"})
#: Languages that capitalise every noun, so a capital mid-sentence is no sign of a name.
NOUN_CAPITALS = frozenset({"de"})
#: wordfreq languages left out: no spaces between words (zh, ja), syllable-spaced (vi),
#: scripts whose combining marks the letter pattern does not cover (hi, bn, ta, ur),
#: or scripts where correct words carry attached clitics (ar, fa, he), which the
#: "two known words" evidence cannot tell from glued words.
UNSUPPORTED = frozenset({"ar", "bn", "fa", "he", "hi", "ja", "ko", "ta", "ur", "vi", "zh"})
#: Codes people pass that wordfreq files under another name.
ALIASES = {"bs": "sh", "hr": "sh", "sr": "sh", "no": "nb", "nn": "nb", "tl": "fil", "in": "id"}

# Letters, with apostrophes inside a word (``dell'Ucraina``, ``isn't``).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_APOSTROPHES = "'’"
# Neighbours that make a token part of a URL, e-mail, hashtag, code or a hyphenated
# compound: such tokens are never split.
_CODE_NEIGHBOURS = frozenset("#@/\\_=&%+~|<>*^${}[]")
_HYPHENS = frozenset("-‐‑")
_SENTENCE_END = frozenset(".!?…:;\n")
_OPENERS = frozenset("\"'`“”‘’«»„‚‹›([{¿¡—–- \t\r\u00a0")


# --------------------------------------------------------------------------- the cache
# The one cache of this module: per language, the wordfreq table plus what we derive
# from it (function words, probe words) and memo tables for affix productivity and for
# decisions on unknown tokens.  Built lazily on first use of a language, kept for the
# life of the process (a few tens of MB per language, like wordfreq's own cache).


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """Word knowledge for one wordfreq language, with its memo tables."""

    code: str
    freq: dict[str, float]
    function_words: frozenset[str]
    #: Frequent words used to measure affixes, mapped to their last two letters.
    probes: dict[str, str]
    #: How many probes end in each two letters.
    probe_endings: dict[str, int]
    #: All known words, sorted; and all known words reversed, sorted (for suffixes).
    words: list[str]
    reversed_words: list[str]
    compounding: bool
    noun_capitals: bool
    prefix_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    suffix_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    decisions: dict[tuple[str, bool, bool], tuple[int, ...]] = field(default_factory=dict)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lower-case word, 0.0 when wordfreq does not know it."""
        f = self.freq.get(word)
        return math.log10(f) + 9.0 if f else 0.0

    def _counts(self, part: str, as_prefix: bool) -> dict[str, int]:
        """Words that extend ``part`` (after it as a prefix, before it as a suffix).

        Keys: a probe word's last two letters -> how many ``part + probe`` (or
        ``probe + part``) are known words; ``""`` -> the total of those; ``"*"`` ->
        how many known words extend ``part`` by at least ``COMPOUND_TAIL`` letters
        (any letters: that is how often ``part`` starts, or ends, a compound).
        """
        memo = self.prefix_counts if as_prefix else self.suffix_counts
        counts = memo.get(part)
        if counts is not None:
            return counts
        counts = {"": 0, "*": 0}
        table, key = (self.words, part) if as_prefix else (self.reversed_words, part[::-1])
        n = len(key)
        probes, freq = self.probes, self.freq
        for k in range(bisect.bisect_left(table, key), len(table)):
            w = table[k]
            if not w.startswith(key):
                break
            if len(w) - n >= COMPOUND_TAIL:
                counts["*"] += 1
            word, rest = (w, w[n:]) if as_prefix else (w[::-1], w[n:][::-1])
            end = probes.get(rest)
            # A rare derived form is a typo of the web (``niebył``), not a pattern.
            if end is not None and freq[word] >= freq[rest] * DERIVED_SHARE:
                counts[end] = counts.get(end, 0) + 1
                counts[""] += 1
        memo[part] = counts
        return counts

    def compounds(self, part: str, as_prefix: bool) -> int:
        """How many known words start (or end) with ``part`` and go on for a while."""
        return self._counts(part, as_prefix)["*"]

    def productivity(self, part: str, as_prefix: bool, other: str) -> float:
        """How often ``part`` forms real words with probe words that end like ``other``.

        A smoothed share: counts among probes sharing ``other``'s last two letters (the
        ending tells a word's class in most languages: verb, plural, adjective...),
        pulled towards the share over all probes.
        """
        counts = self._counts(part, as_prefix)
        end = other[-2:]
        overall = counts[""] / len(self.probes)
        return (counts.get(end, 0) + SMOOTHING * overall) / (
            self.probe_endings.get(end, 0) + SMOOTHING
        )


@functools.lru_cache(maxsize=16)
def _lexicon(code: str) -> _Lexicon:
    """Build (once per language) the word knowledge for a wordfreq language code."""
    ranked = [w for bucket in wordfreq.get_frequency_list(code) for w in bucket if w.isalpha()]
    probes = {w: w[-2:] for w in [w for w in ranked if len(w) >= 3][:PROBE_WORDS]}
    endings: dict[str, int] = {}
    for end in probes.values():
        endings[end] = endings.get(end, 0) + 1
    freq = wordfreq.get_frequency_dict(code)
    return _Lexicon(
        code=code,
        freq=freq,
        function_words=frozenset(ranked[:FUNCTION_WORDS]),
        probes=probes,
        probe_endings=endings,
        words=sorted(freq),
        reversed_words=sorted(w[::-1] for w in freq),
        compounding=code in COMPOUNDING,
        noun_capitals=code in NOUN_CAPITALS,
    )


# --------------------------------------------------------------------------- languages


@functools.lru_cache(maxsize=64)
def wordfreq_language(lang: str | None) -> str | None:
    """Return the wordfreq code for ``lang`` (``hr`` -> ``sh``, ``pt-BR`` -> ``pt``), or None.

    None means the language is not supported and text in it is left alone.

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


def _content_ok(part: str, z: float, beside_function_word: bool) -> bool:
    """A content part must be a frequent word; short ones more so, and more so alone."""
    need = CONTENT_ZIPF + LENGTH_STEP * (6 - len(part))
    if beside_function_word:
        need -= FUNCTION_WORD_BONUS
    return len(part) >= 3 and z >= max(CONTENT_FLOOR, need)


#: Limits on compound evidence (see ``_Lexicon.compounds``) for two content words.
_Limits = tuple[int, int]


def _junction(
    lex: _Lexicon, left: str, right: str, whole_z: float, limits: _Limits | None, camel: bool
) -> float | None:
    """Score of reading lower-case ``left + right`` as two words, None when unconvincing.

    ``limits`` is None where two content words may be split when neither is a
    productive affix (languages that do not compound); otherwise the most compounds
    the left and right part may start and end.  ``camel`` marks a cut at a lower-to-upper
    case change (``demKunden``), which no compound has, so those tests are skipped.
    """
    zl, zr = lex.zipf(left), lex.zipf(right)
    fl, fr = left in lex.function_words, right in lex.function_words
    if camel and fl and not whole_z and len(right) >= CAMEL_NAME:
        # ``dasPolizeivorgehen``, ``istBurtaris``: a function word, then a capital.
        return zl + max(zr, 1.0)
    if not zl or not zr:
        return None
    if camel:
        return zl + zr
    if not (fl or _content_ok(left, zl, fr)) or not (fr or _content_ok(right, zr, fl)):
        return None
    if whole_z:
        # A known but rare token (``ofthe``, ``dela``): only function-word glue counts.
        if whole_z >= KNOWN_ZIPF or not (fl or fr) or zl + zr - whole_z < KNOWN_MARGIN:
            return None
        return zl + zr
    if fl and fr:
        return zl + zr
    if fl or fr:
        rate = max(lex.productivity(left, True, right), lex.productivity(right, False, left))
        most = MAX_RATE_COMPOUNDING if lex.compounding else MAX_RATE_FUNCTION
        return zl + zr if rate < most else None
    if limits is None:
        return None
    # Two content words: in a compounding language a compound (``Bundes|regierung``)
    # unless neither side takes part in compounds: inflected forms (``langdurige``,
    # ``voldoet``) never start a longer word, and seldom end one.  Elsewhere the same
    # test with looser limits keeps closed compounds (``beaver|tails``) whole.
    most_left, most_right = limits
    if lex.compounds(left, True) > most_left or lex.compounds(right, False) > most_right:
        return None
    if lex.compounding:
        return zl + zr
    limit = MAX_RATE_CONTENT
    rate = max(lex.productivity(left, True, right), lex.productivity(right, False, left))
    return zl + zr if rate < limit else None


def _best_split(
    lex: _Lexicon,
    run: str,
    cuts: range | tuple[int, ...],
    limits: _Limits | None,
    camel: bool = False,
    three: bool = False,
) -> tuple[int, ...]:
    """Best way to cut ``run`` (original case) into 2 (``three``: else 3) known words."""
    low = run.lower()
    whole_z = lex.zipf(low)
    best: tuple[float, tuple[int, ...]] = (0.0, ())
    for i in cuts:
        score = _junction(lex, low[:i], low[i:], whole_z, limits, camel)
        if score is not None and score > best[0]:
            best = (score, (i,))
    if best[1] and not camel and not (EXEMPT_FUNCTION_WORDS and _all_function_words(lex, low, best[1])) and _derived(lex, low):
        return ()
    if best[1] or whole_z or camel or not three:
        return best[1]
    # Three words glued (``wolleninden``): every junction must involve a function word.
    fw = lex.function_words
    for i in cuts:
        left = run[:i].lower()
        if not lex.zipf(left):
            continue
        for j in cuts:
            if j <= i + 1:
                continue
            mid, right = run[i:j].lower(), run[j:].lower()
            if not ((left in fw or mid in fw) and (mid in fw or right in fw)):
                continue
            s1 = _junction(lex, left, mid, lex.zipf(left + mid), None, False)
            if s1 is None:
                continue
            s2 = _junction(lex, mid, right, lex.zipf(mid + right), None, False)
            if s2 is not None and s1 + s2 > best[0]:
                best = (s1 + s2, (i, j))
    return best[1]


def _all_function_words(lex: _Lexicon, low: str, cuts: tuple[int, ...]) -> bool:
    """True when every piece of ``low`` cut at ``cuts`` is a function word."""
    bounds = [0, *cuts, len(low)]
    return all(low[a:b] in lex.function_words for a, b in itertools.pairwise(bounds))


def _derived(lex: _Lexicon, low: str) -> bool:
    """True when some cut of ``low`` reads as a word plus a productive affix.

    ``oval|idade``, ``screening|en``, ``chmur|nie``: a token that a common pattern
    of the language builds from a known word is a rare real word, whatever other
    reading it has.
    """
    for i in range(2, len(low)):
        left, right = low[:i], low[i:]
        zl, zr = lex.zipf(left), lex.zipf(right)
        if not zl or not zr or min(zl, zr) < DERIVATION_ZIPF and min(len(left), len(right)) == 1:
            continue  # a one-letter affix on a web typo (``aufde|n``) shows no pattern
        if (
            lex.productivity(left, True, right) >= DERIVATION_RATE
            or lex.productivity(right, False, left) >= DERIVATION_RATE
        ):
            return True
    return False


def _split_run(
    lex: _Lexicon, run: str, sentence_start: bool, hyphenated: bool
) -> tuple[int, ...]:
    """Offsets inside a run of letters where a space belongs; () for none."""
    key = (run, sentence_start, hyphenated)
    cached = lex.decisions.get(key)
    if cached is not None:
        return cached
    title = run[0].isupper() and run[1:].islower()
    limits: _Limits | None
    if hyphenated:
        limits = None  # part of a hyphenated compound: only a function word comes off
    elif lex.compounding:
        # German writes nouns with a capital, so a lower-case token there is no noun
        # compound and the compound evidence may be weaker.
        loose = lex.noun_capitals and run.islower()
        limits = LOOSE_COMPOUND_LIMITS if loose else COMPOUND_LIMITS
    else:
        limits = TITLE_COMPOUND_LIMITS if title and not sentence_start else OPEN_COMPOUND_LIMITS
    result: tuple[int, ...] = ()
    if run.islower() or (title and sentence_start):
        result = _best_split(lex, run, range(1, len(run)), limits, three=True)
    elif title:
        # A capital mid-sentence marks a name (``Zaporozhye``, ``Delgado``) or, in German,
        # a noun: no function word comes off its front, and the front part is no stub.
        fw = lex.function_words
        cuts = tuple(
            i
            for i in range(4, len(run) - 1)
            if run[:i].lower() not in fw and (len(run) - i >= TITLE_TAIL or run[i:].lower() not in fw)
        )
        result = _best_split(lex, run, cuts, limits)
    else:
        cut = _camel_cut(lex, run, sentence_start)
        if cut:
            result = _best_split(lex, run, (cut,), limits, camel=True)
    if len(lex.decisions) > MAX_DECISIONS:
        lex.decisions.clear()
    lex.decisions[key] = result
    return result


def _camel_cut(lex: _Lexicon, run: str, sentence_start: bool) -> int:
    """The one cut of ``demKunden``, ``GreatBritain``; 0 for brands (``iPhone``, ``YouTube``)."""
    bounds = [i for i in range(1, len(run)) if run[i - 1].islower() and run[i].isupper()]
    if len(bounds) != 1:
        return 0
    low = run.lower()
    if lex.zipf(low) or low in _english_words():
        return 0  # a known brand or name, here or in English (``PowerPoint``, ``eBay``)
    i = bounds[0]
    left, right = run[:i], run[i:]
    if len(left) < 2 or not left[1:].islower() or len(right) < 2:
        return 0
    function_word = left.lower() in lex.function_words
    if right[1:].islower():
        if left[0].islower() or (sentence_start and function_word):
            return i
        # Two capitalised words (``GreatBritain``): long ones only, short ones make brands.
        return i if min(len(left), len(right)) >= CAMEL_TITLE else 0
    return i if right.isupper() and function_word and left[0].islower() else 0


@functools.lru_cache(maxsize=1)
def _english_words() -> dict[str, float]:
    """wordfreq's English table: brands and names are English words everywhere."""
    return wordfreq.get_frequency_dict("en")


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
        # ``S. Pastuszewskiego``, ``Dr. Kowalski``: an initial or a title, not an end.
        j = i
        while j > 0 and text[j - 1].isalpha():
            j -= 1
        word = text[j:i]
        return not (word[:1].isupper() and len(word) <= 3)
    return text[i] in _SENTENCE_END


def _is_code_like(text: str, start: int, end: int) -> bool:
    """True for tokens inside URLs, e-mail addresses, hashtags, code or numbers."""
    if start > 0:
        before = text[start - 1]
        if before in _CODE_NEIGHBOURS or before.isdigit():
            return True
        if before == "." and start > 1 and text[start - 2].isalnum():
            return True  # domain.com, file.txt, obj.method
    if end < len(text):
        after = text[end]
        if after in _CODE_NEIGHBOURS or after.isdigit() or unicodedata.combining(after):
            return True
        if after in ".:(" and end + 1 < len(text) and (text[end + 1].isalnum() or text[end + 1] in "/)"):
            return True  # www.example, https://, call(x)
    return False


def _is_hyphenated(text: str, start: int, end: int) -> bool:
    """True for a part of a hyphenated compound (``Jong-un``, ``kandidaat-lidstaten``)."""
    return (start > 0 and text[start - 1] in _HYPHENS) or (end < len(text) and text[end] in _HYPHENS)


# --------------------------------------------------------------------------- public API


def find_splits(text: str, lang: str | None) -> list[tuple[int, int, str]]:
    """List the glued words of ``text`` as ``(start, end, replacement)``, left to right.

    ``text[start:end]`` is the glued token and ``replacement`` the same characters with
    spaces inserted; an empty list when nothing is glued or the language is unsupported.

    >>> find_splits("una voltanel settembre", "it")
    [(4, 12, 'volta nel')]
    """
    code = wordfreq_language(lang)
    if code is None or not text:
        return []
    lex = _lexicon(code)
    known = 10.0 ** (KNOWN_ZIPF - 9.0)
    freq = lex.freq
    splits: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if not MIN_LENGTH <= len(word) <= MAX_LENGTH:
            continue
        low = word.lower().replace("’", "'")
        if freq.get(low, 0.0) >= known:
            continue
        start, end = match.span()
        if _is_code_like(text, start, end):
            continue
        hyphenated = _is_hyphenated(text, start, end)
        if "'" in low and low in freq:
            continue  # a known elided form or contraction (``dell'anno``, ``isn't``)
        cuts: list[int] = []
        run_start = 0
        for k, ch in enumerate(word + "'"):
            if ch not in _APOSTROPHES:
                continue
            run = word[run_start:k]
            if len(run) >= MIN_LENGTH and freq.get(run.lower(), 0.0) < known:
                first = start + run_start
                sentence_start = run_start == 0 and _at_sentence_start(text, first)
                cuts.extend(run_start + c for c in _split_run(lex, run, sentence_start, hyphenated))
            run_start = k + 1
        if cuts:
            pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
            splits.append((start, end, " ".join(pieces)))
    return splits


def split_joined_words(text: str, lang: str | None) -> str:
    """Insert the missing space between words that scraping glued together.

    What breaks and why: extraction drops the space an inline tag or line break stood
    for, leaving ``voltanel`` for ``volta nel``.  Only tokens unknown to wordfreq are
    split, only into frequent words, and never where the junction is a productive
    compound or inflection of the language, so names, brands and compounds survive.
    Pure, idempotent, never raises; unsupported or missing ``lang`` returns ``text``.

    >>> split_joined_words("Kim Jong Un è venuto in Russia una voltanel settembre.", "it")
    'Kim Jong Un è venuto in Russia una volta nel settembre.'
    >>> split_joined_words("missili utilizzati perattacchi", "it")
    'missili utilizzati per attacchi'
    >>> split_joined_words("Bundesregierung und Ausgangssperre", "de")
    'Bundesregierung und Ausgangssperre'
    >>> split_joined_words("voltanel", None)
    'voltanel'
    """
    splits = find_splits(text, lang)
    if not splits:
        return text
    out: list[str] = []
    pos = 0
    for start, end, replacement in splits:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)
