"""Normalise odd whitespace: no-break and zero-width characters, tabs, runs of spaces.

HTML renders ``&nbsp;``, tabs, thin spaces and runs of spaces as one space,
and zero-width characters as nothing, so scraped text is full of them: they
break word matching, search and duplicate detection.  Correct typography is
kept: the no-break space French puts before ``; : ! ? »``, and the joiners
that Arabic, Indic scripts and emoji need.
"""

from __future__ import annotations

import re

from cleaners.chardata import (
    FRENCH_SPACES,
    JOINERS,
    ODD_SPACES,
    ODD_WHITESPACE_ASCII,
    ODD_WHITESPACE_CHAR_RE,
    ZERO_WIDTH,
    ZW_SCRIPT_RE,
)

__all__ = [
    "collapse_spaces",
    "fix_whitespace",
    "normalize_line_breaks",
    "normalize_spaces",
    "remove_zero_width",
]

_LINE_BREAKS_RE = re.compile("\r\n?|[\x0b\x0c\x85\u2028]")
_ZERO_WIDTH_RE = re.compile("[" + ZERO_WIDTH + JOINERS + "]")
_ODD_SPACE_RE = re.compile("[" + ODD_SPACES + "]")
_FRENCH_AFTER = frozenset(";:!?»›%")
_FRENCH_BEFORE = frozenset("«‹")
_SPACE_RUN_RE = re.compile(
    r"(?P<drop> +(?=[" + FRENCH_SPACES + "])|(?<=[" + FRENCH_SPACES + "]) +)| {2,}"
)
_LINE_EDGE_RE = re.compile(r"^[ ]+|[ ]+$", re.MULTILINE)
_BLANK_LINES_RE = re.compile(r"\n{3,}")
#: ``" \n"``, ``"\n "`` or ``"\n\n\n"``, found from the line break (rare) in one pass:
#: three substring searches, each stopping at every space, cost eight times more.
_SPACE_BY_LINE_BREAK_RE = re.compile(r"\n(?:(?<= \n)| |\n\n)")


def normalize_line_breaks(text: str) -> str:
    r"""Turn CR LF, CR, form feeds and Unicode line separators into ``\n``.

    Windows and old Mac line ends, and U+2028/U+2029, make one line break look
    like two, or none, to every later step.

    >>> normalize_line_breaks("a\r\nb\rc\u2029d")
    'a\nb\nc\n\nd'
    """
    if "\r" not in text and not _LINE_BREAKS_RE.search(text) and "\u2029" not in text:
        return text
    return _LINE_BREAKS_RE.sub("\n", text).replace("\u2029", "\n\n")


def _zero_width(match: re.Match[str]) -> str:
    text, i = match.string, match.start()
    char = match.group()
    if char == "\ufeff":
        return ""  # a byte-order mark inside text is always an accident
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ZW_SCRIPT_RE.match(before) or ZW_SCRIPT_RE.match(after):
        return char  # Thai word breaks, Persian ZWNJ, emoji ZWJ sequences
    return ""


def remove_zero_width(text: str) -> str:
    """Delete zero-width spaces, joiners and BOMs that sit in Latin-script words.

    They are invisible on the page but split ``sph\\u200bere`` into two
    tokens for every program; in Thai, Persian, Indic scripts and emoji they
    carry meaning and stay.

    >>> remove_zero_width("sph\\u200bere \\ufeffok")
    'sphere ok'
    >>> remove_zero_width("می\\u200cخواهم") == "می\\u200cخواهم"
    True
    """
    if not _ZERO_WIDTH_RE.search(text):
        return text
    return _ZERO_WIDTH_RE.sub(_zero_width, text)


def _odd_space(match: re.Match[str]) -> str:
    char = match.group()
    if char in FRENCH_SPACES:
        text, i = match.string, match.start()
        after = text[i + 1] if i + 1 < len(text) else ""
        before = text[i - 1] if i else ""
        if after in _FRENCH_AFTER or before in _FRENCH_BEFORE:
            return char  # French typography: « texte » and mot : ; ! ?
    return " "


def normalize_spaces(text: str) -> str:
    """Turn tabs, no-break, thin, en and em spaces into plain spaces.

    They render as a space, and scrapers produce them from ``&nbsp;`` and
    layout; only the French no-break space before ``; : ! ? »`` stays.

    >>> normalize_spaces("a\\tb\\xa0c\\u2009d")
    'a b c d'
    >>> normalize_spaces("Attention\\xa0: « oui\\xa0»") == "Attention\\xa0: « oui\\xa0»"
    True
    """
    if not _ODD_SPACE_RE.search(text):
        return text
    return _ODD_SPACE_RE.sub(_odd_space, text)


def collapse_spaces(text: str) -> str:
    r"""Collapse runs of spaces, strip line ends, and keep at most one blank line.

    Runs of spaces come from removed markup and layout; trailing spaces and
    stacked blank lines are invisible damage that breaks paragraph matching.

    >>> collapse_spaces("  a  b \n\n\n\nc ")
    'a b\n\nc'
    >>> collapse_spaces("end\n"), collapse_spaces("mot  \xa0: x")
    ('end\n', 'mot\xa0: x')
    """
    text = _SPACE_RUN_RE.sub(lambda m: "" if m.group("drop") else " ", text)
    text = _LINE_EDGE_RE.sub("", text)
    text = _BLANK_LINES_RE.sub("\n\n", text)
    stripped = text.strip("\n")
    if text.endswith("\n") and stripped:
        return stripped + "\n"
    return stripped


def _has_odd_whitespace(text: str) -> bool:
    """Whether ``text`` holds a character of ``ODD_WHITESPACE_CHAR_RE``.

    Why: the character class costs about 3 ns a character; ASCII text (told in
    C at once) can only hold its few ASCII members, each found by ``memchr``.

    >>> _has_odd_whitespace("a\\tb"), _has_odd_whitespace("a b"), _has_odd_whitespace("é\\xa0")
    (True, False, True)
    """
    if text.isascii():
        return any(char in text for char in ODD_WHITESPACE_ASCII)
    return ODD_WHITESPACE_CHAR_RE.search(text) is not None


def _needs_fixing(text: str) -> bool:
    """Cheap test (substring searches run in C) that skips clean text."""
    return bool(
        "  " in text
        or _SPACE_BY_LINE_BREAK_RE.search(text)
        or text[:1] in (" ", "\n")
        or text.endswith((" ", "\n\n"))
        or _has_odd_whitespace(text)
    )


def fix_whitespace(text: str) -> str:
    """Normalise odd whitespace, keeping correct typography; see the module docstring.

    >>> fix_whitespace("\\ufeffUn\\xa0mot ,\\tdeux\\u200b  mots\\u00a0!\\n\\n\\n")
    'Un mot , deux mots\\xa0!\\n'
    """
    if not _needs_fixing(text):
        return text
    text = normalize_line_breaks(text)
    text = remove_zero_width(text)
    text = normalize_spaces(text)
    return collapse_spaces(text)
