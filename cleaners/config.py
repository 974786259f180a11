"""The cleaners' one typed config: which steps run, and their limits."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CleanerConfig"]


@dataclass(frozen=True, slots=True)
class CleanerConfig:
    """Switches for each step of the pipeline; every step is on by default.

    Make variants with ``dataclasses.replace(CleanerConfig(), joined_words=False)``.
    """

    #: Drop stray HTML tag fragments (``p>``, ``strong>``, ``</em``).
    stray_tags: bool = True
    #: Decode leftover HTML entities (``&nbsp;``, ``&amp;amp;``).
    entities: bool = True
    #: Repair mojibake with ftfy (curly quotes are kept).
    mojibake: bool = True
    #: Normalise odd whitespace (no-break, zero-width, tabs, runs of spaces).
    whitespace: bool = True
    #: Remove space before punctuation and doubled punctuation (language-aware).
    punctuation: bool = True
    #: Add the missing space after a sentence end (``fine.Il``).
    sentence_space: bool = True
    #: Rejoin words hyphenated across a line break (``pro-\\ngetto``).
    hyphenation: bool = True
    #: Rejoin hard-wrapped lines inside paragraphs.
    broken_lines: bool = True
    #: Rejoin paragraphs broken in mid-sentence.
    broken_paragraphs: bool = True
    #: Drop duplicated paragraphs, headings and a repeated title.
    duplicates: bool = True
    #: Drop boilerplate lines (share, related, comments, cookies, navigation...).
    boilerplate: bool = True
    #: Split run-together words (``voltanel`` -> ``volta nel``) using word frequencies.
    joined_words: bool = True
    #: Most passes over the steps while looking for a fixed point.
    max_rounds: int = 6
    #: Language detection (when no language is given) is trusted from this probability up.
    detect_min_confidence: float = 0.8
    #: ... and only on text with at least this many letters.
    detect_min_letters: int = 40
