"""Fix spacing around punctuation and doubled punctuation, language-aware.

Scrapers join text nodes with a space (``Cremlino .``), drop the space after
a sentence end (``fine.Il``) and duplicate marks when two nodes both end with
one (``messaggio. .``).  The rules keep what is correct: the space French puts
before ``; : ! ?``, ellipses, ``et al.,``, ``U.S.,``, decimals, URLs, e-mail
addresses, file names, emoticons and the Dutch low quote ``,,``.
"""

from __future__ import annotations

import re

from cleaners.chardata import ABBREVIATIONS, EMOTICON_RE, SPACE_BEFORE_HIGH_PUNCT_LANGS

__all__ = ["fix_doubled_punctuation", "fix_missing_space", "fix_space_before_punctuation"]

_SPACE_BEFORE_RE = re.compile(r"(?<=\S)[ ]+(?=[,.;:!?)\]])")
_CLOSERS = frozenset("\"'”’»)]")
_OPENERS = frozenset("“„«")


def _space_before(match: re.Match[str], lang: str | None) -> str:
    text, end = match.string, match.end()
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
    if " " not in text or not _SPACE_BEFORE_RE.search(text):
        return text
    return _SPACE_BEFORE_RE.sub(lambda m: _space_before(m, lang), text)


_DOUBLED_RE = re.compile(
    r"(?P<comma>, ?,|,\.)(?=\s|$)"
    r"|(?P<periodcomma>(?<=\S)\.,)(?=\s|$)"
    r"|(?P<period>(?<![.\s])\.\.(?!\.)|(?<!\.)(?<!\. )\. \.(?! ?\.))(?=\s|$|[\"'”’»)])"
    r"|(?P<colon>(?<!:): ?:(?!:))(?=\s|$)"
    r"|(?P<semi>; ?;)(?=\s|$)"
    r"|(?P<bang>! !|\? \?)(?=\s|$)"
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
        if _is_abbreviation(word):
            return match.group()  # 'et al., 2014', 'U.S., Canada'
        rest = text[end:].lstrip(" ")
        if rest and not (rest[0] == "\n" or rest[0].isupper() or rest[0] in _OPENERS or rest[0] == '"'):
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

    Ellipses (``...``, ``. . .``), ``!!`` and ``?!`` (an author's emphasis),
    ``et al.,``, ``U.S.,``, ``std::`` and the Dutch opening quote ``,,`` stay.

    >>> fix_doubled_punctuation("nel messaggio. . Poi,, allora,. e così.. Fine.")
    'nel messaggio. Poi, allora, e così. Fine.'
    >>> fix_doubled_punctuation("Lewis et al., 2014, the U.S., Wow!! ... . . . ,,Ja'' std::x")
    "Lewis et al., 2014, the U.S., Wow!! ... . . . ,,Ja'' std::x"
    >>> fix_doubled_punctuation("She comes to you., Then")
    'She comes to you. Then'
    """
    if not re.search(r"[,.;:!?] ?[,.;:!?]", text):
        return text
    return _DOUBLED_RE.sub(_doubled, text)


_MISSING_RE = re.compile(
    r"(?:(?<=[^\W\d_]{2})|(?<=[^\W\d_] ))(?P<mark>[,;:!?.])(?P<close>[\"”’»)]?)"
    r"(?=[^\W\d_]|[\"“„«][^\W\d_])"
)
_URL_SCHEMES = frozenset("http https ftp ftps mailto file tel urn news data javascript sftp ssh".split())


def _token_at(text: str, start: int, end: int) -> str:
    left = text.rfind(" ", 0, start) + 1
    left = max(left, text.rfind("\n", 0, start) + 1)
    right_candidates = [i for i in (text.find(" ", end), text.find("\n", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left:right]


def _missing(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    mark, close = match.group("mark"), match.group("close")
    token = _token_at(text, start, end)
    if "://" in token or "@" in token or "www." in token.lower() or "/" in token or "\\" in token:
        return match.group()
    spaced = text[start - 1] == " "
    if spaced and mark not in ";:!?":
        return match.group()
    nxt = text[end]
    word_before = re.findall(r"[^\W\d_]+", text[max(0, start - 40) : start])
    before = word_before[-1] if word_before else ""
    if mark in ";:" and EMOTICON_RE.match(text, start):
        return match.group()
    if mark in ",;:":
        if close and close != '"':
            return match.group()
        if mark == ":" and (
            before.lower() in _URL_SCHEMES or before.isupper() or not before[-1:].islower()
        ):
            return match.group()  # 'http:', 'EU:n', 'Kategorie:Foo' stay
        if mark == ":" and not close and nxt not in _OPENERS and not text[end : end + 2].isalpha():
            return match.group()
        return mark + " " + close  # a straight quote after , ; : opens a quotation
    # . ! ? : only before a capitalised word, and only after a lowercase word.
    if not before[-2:].islower() or len(before) < 2:
        return match.group()
    following = text[end : end + 2]
    if nxt in _OPENERS or nxt == '"':
        following = text[end + 1 : end + 3]
    if len(following) < 2 or not following[0].isupper() or not following[1].islower():
        return match.group()
    if close and close not in "”’»)" and not (close == '"'):
        return match.group()
    return mark + close + " "


def fix_missing_space(text: str) -> str:
    """Add the space missing after a sentence end or a comma (``fine.Il``, ``Japan,South``).

    A period, ``!`` or ``?`` gets a space only between a lowercase word and a
    capitalised one, so ``U.S.``, ``e.g.``, ``3.5``, ``example.com``,
    ``Node.js`` and ``ASP.NET`` stay; URLs, e-mail addresses and paths are
    skipped whole.

    >>> fix_missing_space("osteoclasti.Les valeurs,dywan; Japan,South Korea; Fainelli:\\"l'auto")
    'osteoclasti. Les valeurs, dywan; Japan, South Korea; Fainelli: "l\\'auto'
    >>> fix_missing_space("U.S. e.g. 3.5 example.com Node.js ASP.NET http://a.b/c?d=E x@y.Com EU:n")
    'U.S. e.g. 3.5 example.com Node.js ASP.NET http://a.b/c?d=E x@y.Com EU:n'
    """
    if not _MISSING_RE.search(text):
        return text
    return _MISSING_RE.sub(_missing, text)
