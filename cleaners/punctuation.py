"""Fix spacing around punctuation and doubled punctuation, language-aware.

Scrapers join text nodes with a space (``Cremlino .``), drop the space after
a sentence end (``fine.Il``) and duplicate marks when two nodes both end with
one (``messaggio. .``).  The rules keep what is correct: the space French puts
before ``; : ! ?``, ellipses, ``et al.,``, ``U.S.,``, decimals, URLs, e-mail
addresses, file names, emoticons and the Dutch low quote ``,,``.
"""

from __future__ import annotations

import re

from cleaners.chardata import (
    ABBREVIATIONS,
    ABBREVIATIONS_BEFORE_WORDS,
    EMOTICON_RE,
    SPACE_BEFORE_HIGH_PUNCT_LANGS,
    TITLES_BEFORE_NAMES,
)

__all__ = [
    "fix_doubled_punctuation",
    "fix_missing_space",
    "fix_space_before_punctuation",
    "may_fix_punctuation",
]

_SPACE_BEFORE_RE = re.compile(r" +(?=[,.;:!?)\]])")
#: Matches exactly where ``_SPACE_BEFORE_RE`` can: a mark right after a space.  Found
#: from the mark (a few in a hundred characters) rather than from the space (one in
#: six), it rules out correct text about three times faster.
_MARK_AFTER_SPACE_RE = re.compile(r"[,.;:!?)\]](?<= .)")
_CLOSERS = frozenset("\"'”’»)]")
_OPENERS = frozenset("“„«")


def _space_before(match: re.Match[str], lang: str | None) -> str:
    text, start, end = match.string, match.start(), match.end()
    if not start or text[start - 1].isspace():
        return match.group()  # a mark at the start of a line
    mark = text[end]
    after = text[end + 1] if end + 1 < len(text) else ""
    if mark in ";:!?" and (lang is None or lang in SPACE_BEFORE_HIGH_PUNCT_LANGS):
        return match.group()  # French typography, or a language we cannot tell
    if mark in ";:" and EMOTICON_RE.match(text, end):
        return match.group()  # ' :)' is a smiley, not a colon
    if after and not (after.isspace() or after in _CLOSERS):
        return match.group()  # ' ...', ' .com', ' ,,quote', ' .5'
    if mark == ")" and text[match.start() - 1] == "(":
        return match.group()
    return ""


#: A mark right after a space or after a mark that doubles: where
#: ``fix_doubled_punctuation`` or ``fix_space_before_punctuation`` can act (each
#: match of theirs ends in one), found in one pass instead of two.
_SPACE_OR_MARK_BEFORE_MARK_RE = re.compile(r"[,.;:!?)\]](?<=[ ,.;:!?].)")


def may_fix_punctuation(text: str) -> bool:
    """Tell whether the doubled-mark or space-before-mark fix could change ``text``.

    Why: together they scan correct text twice; a False here proves both return
    ``text`` as it is (each needs a mark after a space or after another mark).

    >>> may_fix_punctuation("Fine, ok. Da (x) e [y]!"), may_fix_punctuation("Fine ,ok")
    (False, True)
    >>> may_fix_punctuation("Fine.. ok"), may_fix_punctuation("Fine. . ok")
    (True, True)
    """
    return _SPACE_OR_MARK_BEFORE_MARK_RE.search(text) is not None


def fix_space_before_punctuation(text: str, lang: str | None = None) -> str:
    """Remove the space that extraction put before ``, . ) ]`` (and ``; : ! ?``).

    The space before ``; : ! ?`` is removed only when ``lang`` is known and is
    not French, where that space is correct.

    >>> fix_space_before_punctuation("al Cremlino . Oggi , sì ; no ? (2000 )", "it")
    'al Cremlino. Oggi, sì; no? (2000)'
    >>> fix_space_before_punctuation("Attention : oui ! Et toi , non ?", "fr")
    'Attention : oui ! Et toi, non ?'
    >>> fix_space_before_punctuation("Wait ... see .com files and ,,Dutch'' quotes :)", "en")
    "Wait ... see .com files and ,,Dutch'' quotes :)"
    """
    if not _MARK_AFTER_SPACE_RE.search(text):
        return text  # _remove_space_before would find nothing
    return _remove_space_before(text, lang)


def _remove_space_before(text: str, lang: str | None) -> str:
    """Each run of spaces before a mark, removed unless ``_space_before`` keeps it."""
    return _SPACE_BEFORE_RE.sub(lambda m: _space_before(m, lang), text)


# Each branch starts with its mark (lookbehinds come after it), so that the regex engine
# can skip from mark to mark instead of trying every branch at every character.
_DOUBLED_RE = re.compile(
    r",(?P<comma> ?,|\.)(?=\s|$)"
    r"|\.(?<=\S\.)(?P<periodcomma>,)(?=\s|$)"
    r"|\.(?P<period>(?<![.\s]\.)\.(?!\.)|(?<!\.\.)(?<!\. \.) \.(?! ?\.))(?=\s|$|[\"'”’»)])"
    r"|:(?P<colon>(?<!::) ?:(?!:))(?=\s|$)"
    r"|;(?P<semi> ?;)(?=\s|$)"
    r"|!(?P<bang>(?<![!?]!) ?!)(?![!?])(?=\s|$|[\"'”’»)])"
    r"|\?(?<![!?]\?) ?\?(?![!?])(?=\s|$|[\"'”’»)])"
)


def _is_abbreviation(word: str) -> bool:
    """Tell whether ``word`` (the text before a period) is an abbreviation or initials."""
    word = word.lstrip("([\"'“„«")
    if not word:
        return False
    if re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word):
        return True  # U.S, e.g, A
    last = re.split(r"[^\w.]", word)[-1].lower()
    return last in ABBREVIATIONS or last.rstrip(".") in ABBREVIATIONS


def _doubled(match: re.Match[str]) -> str:
    if match.group("comma") is not None:
        return ","
    if match.group("periodcomma") is not None:
        text, end = match.string, match.end()
        word = re.split(r"\s", text[max(0, match.start() - 30) : match.start()])[-1]
        short_title = word[:1].isupper() and word[1:].islower() and len(word) <= 3
        if _is_abbreviation(word) or short_title:
            return match.group()  # 'et al., 2014', 'U.S., Canada', 'Fla., June'
        rest = text[end:].lstrip(" ")
        if rest[:1].islower():
            return match.group()  # a lowercase word follows: an abbreviation we do not know
        return "."
    if match.group("period") is not None:
        return "."
    if match.group("colon") is not None:
        return ":"
    if match.group("semi") is not None:
        return ";"
    return match.group()[0]


def fix_doubled_punctuation(text: str) -> str:
    """Collapse doubled marks (``. .``, ``,,``, ``,.``, ``::``) into one.

    Ellipses (``...``, ``. . .``), ``?!`` and runs of three or more (an
    author's emphasis: ``!!!``), ``et al.,``, ``U.S.,``, ``std::`` and the
    Dutch opening quote ``,,`` stay.  Exactly two ``!!`` or ``??`` are the
    trace of two text nodes that each ended a sentence, and become one.

    >>> fix_doubled_punctuation("nel messaggio. . Poi,, allora,. e così.. Fine.")
    'nel messaggio. Poi, allora, e così. Fine.'
    >>> fix_doubled_punctuation("Lewis et al., 2014, the U.S., Wow!!! ?! ... . . . ,,Ja'' std::x")
    "Lewis et al., 2014, the U.S., Wow!!! ?! ... . . . ,,Ja'' std::x"
    >>> fix_doubled_punctuation("Really?? Yes!! Non ! !")
    'Really? Yes! Non !'
    >>> fix_doubled_punctuation("She comes to you., Then")
    'She comes to you. Then'
    """
    if not re.search(r"[,.;:!?] ?[,.;:!?]", text):
        return text
    return _DOUBLED_RE.sub(_doubled, text)


# The mark comes first in the pattern so that the regex engine can skip to it.
# The mark comes first in the pattern so that the regex engine can skip to it.
_MISSING_RE = re.compile(
    r"(?P<mark>[,;:!?.])(?<=\w.)(?P<close>[\"”’»)]?)(?=[^\W\d_]|[\"“„«(][^\W\d_])"
)
#: Passes of fix_missing_space at most (each adds spaces a previous one enabled).
_MISSING_PASSES = 4
_URL_SCHEMES = frozenset(
    [
        "http",
        "https",
        "ftp",
        "ftps",
        "mailto",
        "file",
        "tel",
        "urn",
        "news",
        "data",
        "javascript",
        "sftp",
        "ssh",
    ]
)
_WORD_BEFORE_RE = re.compile(r"[^\W\d_]+$")
_WORD_AFTER_RE = re.compile(r"[^\W\d_]+")
_APOSTROPHES = frozenset("'’")


def _token_at(text: str, start: int, end: int) -> str:
    left = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    right_candidates = [i for i in (text.find(" ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right]


def _opening_quote(text: str, pos: int) -> bool:
    """Whether the quote at ``pos`` opens a quotation (by curly shape, or by parity)."""
    char = text[pos]
    if char in _OPENERS:
        return True
    if char != '"':
        return False
    line_start = text.rfind("\n", 0, pos) + 1
    return text.count('"', line_start, pos) % 2 == 0


def _word_starts_sentence(word: str, after: str) -> bool:
    """Whether ``word`` (followed by ``after``) looks like the first word of a sentence."""
    if len(word) >= 2:
        return word[0].isupper() and (word[1:].islower() or word.isupper())
    return word.isupper() and (not after or after in " \n,.'’")  # 'A silver', "L'ASE", 'M. X'


def _missing(match: re.Match[str], lang: str | None) -> str:
    text, start, end = match.string, match.start(), match.end()
    mark, close = match.group("mark"), match.group("close")
    keep = match.group()
    token = _token_at(text, start, end)
    tail = token[token.find(mark, max(0, token.find(match.group()))) + 1 :]
    if "://" in token or "@" in token or "www." in token.lower() or "\\" in token or "/" in tail:
        return keep  # URLs, e-mail addresses, paths
    before_match = _WORD_BEFORE_RE.search(text, max(0, start - 40), start)
    before = before_match.group() if before_match else ""
    if not before:
        return keep  # a digit or a bracket before the mark: '3.Oktober', '(h)k;'
    lead = text[before_match.start() - 1 : before_match.start()] if before_match else ""
    after_number = lead.isdigit() or lead == "°"  # '21h', '8 °C', '21e'
    one_letter_word = len(before) == 1 and (
        before_match is not None
        and (before_match.start() == 0 or text[before_match.start() - 1] in " \n(\"“„«'")
    )
    if mark in ";:" and EMOTICON_RE.match(text, start):
        return keep
    opened = ""
    if close == '"' and _opening_quote(text, end - 1):
        opened, close = '"', ""  # the quote opens the next sentence: the space goes before it
    quote_pos = end - 1 if opened else (end if text[end] in '"“„«(' else -1)
    word_match = _WORD_AFTER_RE.match(text, quote_pos + 1 if quote_pos >= 0 else end)
    if word_match is None:
        return keep
    word = word_match.group()
    after = text[word_match.end()] if word_match.end() < len(text) else ""
    if mark in ",;:":
        if close:
            return keep
        if len(before) < 2 and not ((one_letter_word and len(word) >= 2) or after_number):
            return keep  # 'x,y'
        if mark == ":" and (
            before.lower() in _URL_SCHEMES or (before.isupper() and word.islower())
        ):
            return keep  # 'http:', 'EU:n'
        return mark + " " + opened
    # . ! ? only before the first word of a sentence, after a plain word.
    if (
        mark == "."
        and not close
        and word.islower()
        and before.lower() in ABBREVIATIONS_BEFORE_WORDS.get(lang or "", ())
    ):
        return ". "  # Polish 'w 1994 r.wydatki'
    if (
        mark == "."
        and not close
        and len(word) >= 2
        and word[0].isupper()
        and before in TITLES_BEFORE_NAMES.get(lang or "", ())
    ):
        return ". "  # French 'M.Wurtz', German 'Dr.Sieben'
    if after_number and not close and _word_starts_sentence(word, after):
        return mark + " "  # '21h.Pour', '8 °C.Il'
    if len(before) < 2 or not (before[1:].islower() or before.isupper()):
        return keep  # 'e.g.', 'iPhone.X', 'Node.Js' stays with its mixed case
    if before[0].isupper() and before.lower() in ABBREVIATIONS:
        return keep  # 'St.Joseph', 'Dr.Sieben': an abbreviated title, maybe on purpose
    if quote_pos >= 0 and (text[quote_pos] == "(" or _opening_quote(text, quote_pos)):
        if before[1:].islower() and len(before) > 3:
            return mark + close + " " + opened  # 'democrazia.(dal', 'voto."se', 'Honeywell.(P'
        return keep
    if close == ")":
        return mark + close + " "  # 'Personal!)und'
    if not _word_starts_sentence(word, after):
        return keep
    if word.isupper() and len(word) >= 2 and not before.islower():
        return keep  # 'ASP.NET'
    if before.isupper() and len(word) > 1 and not word[1:].islower():
        return keep
    return mark + close + " "  # 'fine.Il', 'JGZ.Vooral', 'culpabilité.D'ailleurs'


def fix_missing_space(text: str, lang: str | None = None) -> str:
    """Add the space missing after a sentence end or a comma (``fine.Il``, ``Japan,South``).

    A period, ``!`` or ``?`` gets a space only between a lowercase word and a
    capitalised one, so ``U.S.``, ``e.g.``, ``3.5``, ``example.com``,
    ``Node.js`` and ``ASP.NET`` stay; URLs, e-mail addresses and paths are
    skipped whole.

    >>> fix_missing_space("osteoclasti.Les valeurs,dywan; Japan,South Korea; Fainelli:\\"l'auto")
    'osteoclasti. Les valeurs, dywan; Japan, South Korea; Fainelli: "l\\'auto'
    >>> fix_missing_space("U.S. e.g. 3.5 example.com Node.js ASP.NET http://a.b/c?d=E x@y.Com EU:n")
    'U.S. e.g. 3.5 example.com Node.js ASP.NET http://a.b/c?d=E x@y.Com EU:n'
    >>> fix_missing_space('schwer."Öffentlich, in.A silver, nothing.I, haben;Die :D St.Joseph')
    'schwer. "Öffentlich, in. A silver, nothing. I, haben; Die :D St.Joseph'
    """
    # A space added changes what its neighbour sees (",¹:A": once the comma
    # has its space, "¹" is a word of its own and the colon gets one too), so
    # the step runs to its own fixed point: the pipeline relies on each step
    # being idempotent.  Each pass only adds spaces, so few passes are needed.
    for _ in range(_MISSING_PASSES):
        if not _MISSING_RE.search(text):
            return text
        fixed = _MISSING_RE.sub(lambda m: _missing(m, lang), text)
        if fixed == text:
            return text
        text = fixed
    return text
