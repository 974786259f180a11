"""Data for the run-together word splitter: thresholds, language tables, character classes.

Logic lives in :mod:`cleaners.joined_words` (finding the tokens), :mod:`cleaners.word_cuts`
(the rules) and :mod:`cleaners.lexicon` (word statistics); this module only holds the
numbers and tables they read, as :mod:`cleaners.chardata` does for the other steps.  Word
knowledge itself is not here: it is derived at run time from wordfreq's frequency lists.

Zipf = log10(frequency per billion words): "the" is 7.7, once per million words is 3.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- thresholds

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
#: Two function words glued (``decir|los``) are the likeliest glue of all: only a common
#: content word with a productive ending (``decirlo|s``) outweighs them.
FUNCTION_PAIR_BASE_ZIPF = 4.0
#: A known word that runs on this many letters past a cut (``jack|fruit|s``) shows a
#: compound the language has; it may end in up to ``SPAN_ENDING`` letters the token
#: does not have (another form of the compound: ``-s``, ``-e``, ``-en``).
SPAN_TAIL = 3
SPAN_ENDING = 2
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
#: Entries a memo table of a language (decisions, affix counts...) holds before it is emptied.
MAX_DECISIONS = 100_000
#: Languages whose word knowledge is kept at a time (each holds wordfreq's table,
#: sorted copies of it and the memo tables).
MAX_LANGUAGES = 12

# --------------------------------------------------------------------------- languages

#: wordfreq languages whose correct text compounds or agglutinates freely.
COMPOUNDING = frozenset({"da", "de", "fi", "hu", "is", "nb", "nl", "sv", "tr"})
#: Languages that capitalise every noun: a capital there is no sign of a name.
NOUN_CAPITALS = frozenset({"de"})
#: Languages that elide articles and pronouns before a vowel (``l'uomo``, ``c'est``):
#: wordfreq counts the elided consonant as a word, but it never stands alone.
ELIDING = frozenset({"ca", "fr", "it"})
#: wordfreq languages left alone: no spaces between words (zh, ja), spaces between
#: syllables (vi, ko), combining marks the letter pattern does not cover (hi, bn, ta,
#: ur), or correct words that carry attached clitics (ar, fa, he).
UNSUPPORTED = frozenset({"ar", "bn", "fa", "he", "hi", "ja", "ko", "ta", "ur", "vi", "zh"})
#: Codes that wordfreq files under another name.
ALIASES = {"bs": "sh", "hr": "sh", "sr": "sh", "no": "nb", "nn": "nb", "tl": "fil", "in": "id"}

# --------------------------------------------------------------------------- characters

#: Letters, with apostrophes inside a word (``dell'Ucraina``, ``isn't``).
WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: A byte table for ``bytes.translate`` that blanks every ASCII character a ``WORD_RE``
#: token cannot hold (all but letters and the apostrophe) and keeps every other byte.
NON_WORD_ASCII_BLANKED = bytes(
    b if b >= 0x80 or chr(b).isalpha() or chr(b) == "'" else ord(" ") for b in range(256)
)
#: One letter, as ``WORD_RE`` counts them.
LETTER_RE = re.compile(r"[^\W\d_]")
APOSTROPHES = "'’"
#: Neighbours that put a token inside a URL, e-mail address, hashtag or code.
CODE_NEIGHBOURS = frozenset("#@/\\_=&%+~|<>*^${}[]")
HYPHENS = frozenset("-‐‑")
HYPHEN_RE = re.compile("[-‐‑]")
SENTENCE_END = frozenset(".!?…:;\n")
#: What may stand between a sentence end and the next word: spaces, quotes, brackets.
OPENERS = frozenset("\"'`“”‘’«»„‚‹›([{¿¡—–- \t\r\u00a0")
#: Vowels, once accents are stripped: a one-letter word in an eliding language is one.
VOWELS = frozenset("aeiouy")
