"""Split words that scraping ran together: ``una voltanel settembre`` -> ``volta nel``.

What breaks and why: HTML-to-text extraction drops the space that an inline tag,
a line break or a ``&nbsp;`` stood for (``volta<br>nel``, ``per<a>attacchi</a>``),
so two words reach the reader glued into one token that no dictionary knows.

How we repair it without harming correct text: a token is only looked at when
wordfreq does not know it (or knows it only as a rare web typo, like ``ofthe``),
and it is cut only where both sides are known words and the evidence is strong
(the rules are in :mod:`cleaners.word_cuts`: function-word glue, no productive
compound or inflection at the junction, no known word across it, names and brands
kept whole).  URLs, e-mail addresses, hashtags, numbers, code and hyphenated
tokens keep their content words together.

All word knowledge is derived at run time from wordfreq (its data ships in the
wheel; nothing is downloaded): there is no per-language word list here.

Speed: each distinct token of a text is looked up once; only those wordfreq does
not know well, and that no context cuts, are searched for and judged in context,
and the per-language memo tables (:func:`cleaners._cache.lexicon`) remember every
measurement and decision.
"""

from __future__ import annotations

import itertools
import unicodedata

from cleaners import _cache
from cleaners import worddata as wd
from cleaners.lexicon import Lexicon, wordfreq_language
from cleaners.word_cuts import split_run

__all__ = ["distinct_words", "find_splits", "split_joined_words", "wordfreq_language"]

# --------------------------------------------------------------------------- context


def _at_sentence_start(text: str, start: int) -> bool:
    """True when only spaces, quotes or brackets stand between ``start`` and a sentence end."""
    i = start - 1
    while i >= 0 and text[i] in wd.OPENERS:
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
    return text[i] in wd.SENTENCE_END


def _is_code_like(text: str, start: int, end: int) -> bool:
    """True for a token inside a URL, e-mail address, hashtag, code or number."""
    if start > 0:
        before = text[start - 1]
        if before in wd.CODE_NEIGHBOURS or before.isdigit():
            return True
        if before == "." and start > 1 and text[start - 2].isalnum():
            return True  # example.com, file.txt, obj.method
    if end < len(text):
        after = text[end]
        if after in wd.CODE_NEIGHBOURS or after.isdigit() or unicodedata.combining(after):
            return True
        follow = text[end + 1 : end + 2]
        if after in ".:(" and follow and (follow.isalnum() or follow in "/)"):
            return True  # www.example, https://, call(x)
    return False


def _is_hyphenated(text: str, start: int, end: int) -> bool:
    """True for a part of a hyphenated compound (``Jong-un``, ``well-known``)."""
    return (start > 0 and text[start - 1] in wd.HYPHENS) or (
        end < len(text) and text[end] in wd.HYPHENS
    )


# --------------------------------------------------------------------------- tokens


_Split = tuple[int, int, str]


def _runs(lex: Lexicon, word: str) -> list[tuple[int, str, bool]]:
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
        if ch in wd.APOSTROPHES:
            run = word[start:k]
            if len(run) >= wd.MIN_LENGTH and run.lower() not in lex.known:
                out.append((start, run, k < len(word)))
            start = k + 1
    return out


def _stays_whole(lex: Lexicon, word: str, runs: list[tuple[int, str, bool]], hyphen: bool) -> bool:
    """True when no run of ``word`` is cut, at a sentence start or not, nor (``hyphen``)
    as part of a hyphenated compound.

    What is proven is remembered (a hyphen next to it is seldom seen, and costs the most
    to judge), so that the token is left out before any search next time.
    """
    for offset, run, elided in runs:
        # Only a capital reads differently at the start of a sentence.
        for start in (False, True) if offset == 0 and not run.islower() else (False,):
            for hyphenated in (False, True) if hyphen else (False,):
                if split_run(lex, run, start, hyphenated, elided):
                    return False
    if len(lex.rejected) + len(lex.unhyphenated) >= wd.MAX_DECISIONS:
        lex.rejected.clear()
        lex.unhyphenated.clear()
    (lex.rejected if hyphen else lex.unhyphenated).add(word)
    return True


def _next_to_hyphens(text: str) -> set[str]:
    """The tokens of ``text`` next to a hyphen, and maybe a few others."""
    out = set()
    for hyphen in wd.HYPHEN_RE.finditer(text):
        at = hyphen.start()
        after = wd.WORD_RE.match(text, at + 1)
        if after is not None:
            out.add(after.group())
        out.update(wd.WORD_RE.findall(text, max(0, at - wd.MAX_LENGTH - 1), at)[-1:])
    return out


def distinct_words(text: str) -> set[str]:
    """The distinct tokens of ``text``: ``set(WORD_RE.findall(text))``, found faster.

    Why: the regex tests each character's Unicode category (about 30 ns a
    character, the largest cost of this step on correct text).  A token holds
    only letters and apostrophes, so it lies inside one chunk of the text once
    the ASCII characters it cannot hold are blanked (a C-level byte translation:
    in UTF-8 those bytes stand only for themselves), and that chunk's own
    tokens are the text's there.  Most distinct chunks are then one word of
    letters, their own only token (``str.isalpha``, in C); the regex reads
    only the others (``don't``, ``word—word``).

    >>> sorted(distinct_words("Don't stop: l'anno 2024, ’tis x_y z²."))
    ["Don't", "l'anno", 'stop', 'tis', 'x', 'y', 'z²']
    """
    blanked = text.encode("utf-8", "surrogatepass").translate(wd.NON_WORD_ASCII_BLANKED)
    chunks = set(blanked.decode("utf-8", "surrogatepass").split())
    words = set(filter(str.isalpha, chunks))
    for chunk in chunks - words:
        words.update(wd.WORD_RE.findall(chunk))
    return words


def _tokens(
    text: str, lex: Lexicon, spans: list[tuple[int, int]]
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
            for m in wd.WORD_RE.finditer(text, a, b)
            if wd.MIN_LENGTH <= len(m.group()) <= wd.MAX_LENGTH
            and m.group() not in rejected
            and m.group().lower().replace("’", "'") not in known
        ]
        return [(start, word, runs) for start, word in words if (runs := _runs(lex, word))]
    unknown = {
        word
        for word in distinct_words(text) - known - rejected
        if wd.MIN_LENGTH <= len(word) <= wd.MAX_LENGTH
        and word.lower().replace("’", "'") not in known
    }
    if not unknown:
        return []  # the search for hyphens below finds nothing to look at
    hyphened = _next_to_hyphens(text) & unknown
    found = []
    for word in (unknown - lex.unhyphenated) | hyphened:
        runs = _runs(lex, word)
        if _stays_whole(lex, word, runs, word in hyphened):
            continue
        pos = text.find(word)
        while pos >= 0:
            end = pos + len(word)
            match = wd.WORD_RE.match(text, pos)
            if (
                match is not None
                and match.end() == end
                and not (pos and wd.LETTER_RE.match(text, pos - 1))
                and not (
                    pos > 1
                    and text[pos - 1] in wd.APOSTROPHES
                    and wd.LETTER_RE.match(text, pos - 2)
                )
            ):
                found.append((pos, word, runs))
            pos = text.find(word, pos + 1)
    found.sort()
    return found


def _one_round(text: str, lex: Lexicon, spans: list[tuple[int, int]]) -> list[_Split]:
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
            found = split_run(lex, run, sentence_start, hyphenated, elided)
            cuts.extend(offset + c for c in found)
        if cuts:
            pieces = [word[a:b] for a, b in itertools.pairwise([0, *cuts, len(word)])]
            splits.append((start, end, " ".join(pieces)))
    return splits


# --------------------------------------------------------------------------- public API


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
    lex = _cache.lexicon(code)
    splits = _one_round(text, lex, [(0, len(text))])
    for _ in range(wd.MAX_ROUNDS - 1):
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
