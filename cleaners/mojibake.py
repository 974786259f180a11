"""Repair mojibake: UTF-8 text that was decoded as Latin-1 or Windows-1252.

``FÃ¼r`` for ``Für``, ``Ä™`` for ``ę``, ``â€œ`` for ``“``: the bytes are
right, the decoding was wrong.  ftfy undoes it; we switch off everything else
ftfy does by default (it straightens curly quotes, folds ligatures and
full-width characters and renormalises Unicode, which would change correct
text).  A cheap regex decides first whether there is anything to repair.
"""

from __future__ import annotations

import re

import ftfy
import ftfy.bad_codecs  # registers the 'sloppy-windows-1252' codec used below

from cleaners import _cache
from cleaners.chardata import MOJIBAKE_PRECHECK_RE, MOJIBAKE_RUN_RE, PLAUSIBLE_DECODED_RE
from cleaners.wordindex import WordIndex

__all__ = ["fix_a_grave", "fix_mixed_mojibake", "fix_mojibake", "fix_replacement_characters"]

_FFFD_WORD_RE = re.compile(r"[^\W\d_]*\ufffd[\w\ufffd]*|\ufffd")
#: A guess must be this much more frequent than the runner-up, and known at all.
_MARGIN = 5.0
_KNOWN = 1e-7

#: 'à' is C3 A0; when the A0 (a no-break space) became a plain space, 'Ã ' is left.
_A_GRAVE_RE = re.compile(r"(?<=[^\W\d_])Ã (?=[\s,.;:!?)\]»”’\"'])|(?<!\S)Ã (?= )")

#: ftfy with only its encoding repairs switched on.
_FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


def _decode_run(match: re.Match[str]) -> str:
    run = match.group()
    try:
        decoded = run.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return run
    if not PLAUSIBLE_DECODED_RE.fullmatch(decoded):
        return run  # 'ß“' decodes to an NKo letter: that was real text
    return decoded


def fix_mixed_mojibake(text: str) -> str:
    """Repair mojibake word by word, for text where only some words are broken.

    ftfy decodes a whole segment or nothing; a Polish text with ``siÄ™`` next
    to a correct ``się`` cannot be re-encoded as a whole.  Each run of
    Windows-1252 symbols that is valid UTF-8 and decodes to a Latin, Greek or
    Cyrillic letter (or common punctuation) is decoded on its own.

    >>> fix_mixed_mojibake("zajmie siÄ™ wyborem, się, ZÅ‚apaliÅ›my; Gruß“")
    'zajmie się wyborem, się, Złapaliśmy; Gruß“'
    """
    return MOJIBAKE_RUN_RE.sub(_decode_run, text)


def fix_a_grave(text: str) -> str:
    """Turn ``Ã `` back into ``à`` where the no-break byte of ``à`` became a space.

    ``à`` is the bytes C3 A0, and A0 is a no-break space in Windows-1252; when
    a scraper turned that into a plain space, ``sfericitÃ ,`` and ``Ã  la``
    are left, which ftfy cannot always tell from a capital A-tilde.

    >>> fix_a_grave("pas, Ã  proprement, sfericitÃ , SÃO")
    'pas, à proprement, sfericità, SÃO'
    """
    if "Ã " not in text:
        return text
    return _A_GRAVE_RE.sub("à", text)


def _best_word(word: str, letters: str, freqs: WordIndex) -> str | None:
    """The most frequent word that ``word`` spells with each U+FFFD replaced by a letter."""
    holes = word.count("\ufffd")
    if holes > 2:
        return None
    candidates = [word]
    for _ in range(holes):
        candidates = [c.replace("\ufffd", letter, 1) for c in candidates for letter in letters]
    scored = sorted(((freqs.get(c.lower(), 0.0), c) for c in candidates), reverse=True)
    best, runner_up = scored[0], scored[1] if len(scored) > 1 else (0.0, "")
    if best[0] < _KNOWN or best[0] < _MARGIN * runner_up[0]:
        return None
    return best[1]


def fix_replacement_characters(text: str, lang: str | None) -> str:
    """Guess the letter that a U+FFFD replaced, from the language's word frequencies.

    A decoder that met a byte it could not read wrote U+FFFD instead: ``f�r``,
    ``pi�``.  The byte is lost, but when exactly one of the language's
    accented letters makes a common word (``für``), that is the letter.  A
    wrong guess costs no more than the U+FFFD it replaces; unsure guesses are
    not made.

    >>> fix_replacement_characters("Schn\ufffdppchen f\ufffdr dich", "de")
    'Schnäppchen für dich'
    >>> fix_replacement_characters("x\ufffdq", "de")
    'x\ufffdq'
    """
    if "\ufffd" not in text or not lang:
        return text
    letters = _cache.accented_letters(lang)
    freqs = _cache.word_frequencies(lang)
    if not letters or freqs is None:
        return text

    def guess(match: re.Match[str]) -> str:
        return _best_word(match.group(), letters, freqs) or match.group()

    return _FFFD_WORD_RE.sub(guess, text)


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 decoded as Latin-1/Windows-1252, keeping curly quotes and the rest.

    >>> fix_mojibake("FÃ¼r â€œdichâ€\x9d: siÄ™ Å‚adnie")
    'Für “dich”: się ładnie'
    >>> fix_mojibake("“Déjà vu” ﬁne")
    '“Déjà vu” ﬁne'
    """
    if text.isascii() or not MOJIBAKE_PRECHECK_RE.search(text):
        return text
    fixed: str = ftfy.fix_text(text, _FTFY_ENCODING_ONLY)
    if MOJIBAKE_PRECHECK_RE.search(fixed):
        fixed = fix_a_grave(fix_mixed_mojibake(fixed))
    return fixed
