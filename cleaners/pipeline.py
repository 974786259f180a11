"""The pipeline: named steps, run in order until the text stops changing.

Like ftfy's ``fix_and_explain``: ``STEPS`` is an ordered tuple of small pure
``str -> str`` fixes; :func:`run` applies the enabled ones, round after round,
until a whole round changes nothing (a fixed point, so ``clean`` is
idempotent), and can record what each step changed.  A step is skipped in a
round when its input is the text it produced last time: steps are idempotent,
so it would change nothing.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cleaners.boilerplate import remove_boilerplate
from cleaners.config import CleanerConfig
from cleaners.duplicates import remove_duplicates
from cleaners.entities import fix_entities
from cleaners.hyphenation import fix_hyphenation
from cleaners.joined_words import split_joined_words, wordfreq_language
from cleaners.language import detect_language, normalize_lang
from cleaners.mojibake import fix_mojibake, fix_replacement_characters
from cleaners.paragraphs import join_broken_lines, join_broken_paragraphs
from cleaners.punctuation import (
    fix_doubled_punctuation,
    fix_missing_space,
    fix_space_before_punctuation,
    may_fix_punctuation,
)
from cleaners.tags import remove_stray_tags
from cleaners.whitespace import fix_whitespace

__all__ = [
    "STEPS",
    "Change",
    "Context",
    "Explanation",
    "SkippedStep",
    "Step",
    "diff",
    "is_supported_language",
    "run",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Context:
    """What a step may read besides the text: the language and the page title."""

    lang: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """One named fix in the pipeline."""

    #: The step's name, as in ``CleanerConfig`` and in ``Change.step``.
    name: str
    #: The fix: pure, idempotent, never raises.
    fix: Callable[[str, Context], str]
    #: Whether the config switches it on.
    enabled: Callable[[CleanerConfig], bool]
    #: It cannot run at all without a supported language (it is skipped instead).
    requires_lang: bool = False
    #: It reads the language when there is one (detection runs before it).
    uses_lang: bool = False
    #: It deletes whole blocks or fragments rather than editing characters.
    deletes: bool = False


def _punctuation(text: str, ctx: Context) -> str:
    if not may_fix_punctuation(text):
        return text  # one scan proves that neither fix below changes anything
    # Each fix can expose work for the other (' ,, ' -> ' , ' -> ', '): repeat until stable.
    for _ in range(4):
        fixed = fix_space_before_punctuation(fix_doubled_punctuation(text), ctx.lang)
        if fixed == text:
            break
        text = fixed
    return text


#: The steps, in the order they run in each round.
STEPS: tuple[Step, ...] = (
    Step("entities", lambda t, c: fix_entities(t), lambda k: k.entities),
    Step("stray_tags", lambda t, c: remove_stray_tags(t), lambda k: k.stray_tags, deletes=True),
    Step(
        "mojibake",
        lambda t, c: fix_replacement_characters(fix_mojibake(t), c.lang),
        lambda k: k.mojibake,
        uses_lang=True,
    ),
    Step("whitespace", lambda t, c: fix_whitespace(t), lambda k: k.whitespace),
    Step(
        "hyphenation",
        lambda t, c: fix_hyphenation(t, c.lang),
        lambda k: k.hyphenation,
        uses_lang=True,
    ),
    Step("boilerplate", lambda t, c: remove_boilerplate(t), lambda k: k.boilerplate, deletes=True),
    Step(
        "duplicates",
        lambda t, c: remove_duplicates(t, c.title),
        lambda k: k.duplicates,
        deletes=True,
    ),
    Step("broken_lines", lambda t, c: join_broken_lines(t), lambda k: k.broken_lines),
    Step(
        "broken_paragraphs", lambda t, c: join_broken_paragraphs(t), lambda k: k.broken_paragraphs
    ),
    Step("punctuation", _punctuation, lambda k: k.punctuation, uses_lang=True),
    Step(
        "sentence_space",
        lambda t, c: fix_missing_space(t, c.lang),
        lambda k: k.sentence_space,
        uses_lang=True,
    ),
    Step(
        "joined_words",
        lambda t, c: split_joined_words(t, c.lang),
        lambda k: k.joined_words,
        requires_lang=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Change:
    """One edit a step made: ``old`` at ``position`` became ``new``.

    ``position`` is a character offset into the text as it was when the step
    ran (in round ``round``, counting from 1), not into the original input.
    """

    step: str
    old: str
    new: str
    position: int
    round: int

    def to_dict(self) -> dict[str, Any]:
        """The change as a JSON-ready dict (one JSON Lines record)."""
        return {
            "step": self.step,
            "old": self.old,
            "new": self.new,
            "position": self.position,
            "round": self.round,
        }


@dataclass(frozen=True, slots=True)
class SkippedStep:
    """A step that did not run, and why."""

    step: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The skipped step as a JSON-ready dict."""
        return {"step": self.step, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Explanation:
    """What :func:`cleaners.explain` returns: the text and how it got there."""

    #: The cleaned text (what ``clean`` returns).
    text: str
    #: Every edit, in the order made.
    changes: tuple[Change, ...]
    #: The language the steps used (given, or detected), ISO 639-1; None if unknown.
    lang: str | None
    #: Whether ``lang`` was detected rather than given.
    lang_detected: bool
    #: Steps that did not run (switched off, or no supported language).
    skipped: tuple[SkippedStep, ...]
    #: Rounds run until the text stopped changing.
    rounds: int

    def to_dict(self) -> dict[str, Any]:
        """The explanation as a JSON-ready dict."""
        return {
            "text": self.text,
            "lang": self.lang,
            "lang_detected": self.lang_detected,
            "rounds": self.rounds,
            "changes": [c.to_dict() for c in self.changes],
            "skipped": [s.to_dict() for s in self.skipped],
        }


def is_supported_language(lang: str | None) -> bool:
    """Tell whether every step can run for ``lang`` (it has a word-frequency list).

    >>> is_supported_language("it"), is_supported_language("pt-BR"), is_supported_language("xx")
    (True, True, False)
    """
    return wordfreq_language(normalize_lang(lang)) is not None


_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")
_LINE_RE = re.compile(r"\n+|[^\n]+")
_REFINE_CHARS = 400


def diff(old: str, new: str, *, blocks: bool = False) -> list[tuple[int, str, str]]:
    """Return the edits from ``old`` to ``new`` as (position in old, old part, new part).

    Token-level (words, spaces, marks), after trimming the common prefix and
    suffix, so it stays fast on long texts with a few edits; small
    replacements are refined to characters.  With ``blocks``, lines are the
    units first, so that a deleted paragraph is reported whole.

    >>> diff("al Cremlino .", "al Cremlino.")
    [(11, ' ', '')]
    >>> diff("A.\\n\\nShare\\n\\nB.", "A.\\n\\nB.", blocks=True)
    [(4, 'Share\\n\\n', '')]
    """
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    while start and not old[start - 1].isspace():
        start -= 1  # back to a word boundary: 'S|hare' vs 'S|ure' is not an edit inside a word
    end = 0
    while end < limit - start and old[-1 - end] == new[-1 - end]:
        end += 1
    while end and not old[len(old) - end].isspace():
        end -= 1
    a, b = old[start : len(old) - end], new[start : len(new) - end]
    if not a or not b:
        return [(start, a, b)] if a or b else []
    if blocks:
        out: list[tuple[int, str, str]] = []
        for at, old_part, new_part in _diff_units(a, b, _LINE_RE):
            if old_part and new_part:
                out.extend(
                    (start + at + p, o, n) for p, o, n in _diff_units(old_part, new_part, _TOKEN_RE)
                )
            else:
                out.append((start + at, old_part, new_part))
        return out
    out = []
    for at, old_part, new_part in _diff_units(a, b, _TOKEN_RE):
        if old_part and new_part and len(old_part) + len(new_part) <= _REFINE_CHARS:
            # Small replacements are refined to characters: 'Cremlino .' -> 'Cremlino.'.
            chars = difflib.SequenceMatcher(None, old_part, new_part, autojunk=False)
            for op, a1, a2, b1, b2 in chars.get_opcodes():
                if op != "equal":
                    out.append((start + at + a1, old_part[a1:a2], new_part[b1:b2]))
        else:
            out.append((start + at, old_part, new_part))
    return out


def _deleted_lines(old: str, new: str) -> list[tuple[int, str, str]] | None:
    """The lines (with their line breaks) deleted from ``old`` to give ``new``, or None.

    Exact when a step only removed whole lines: ``new`` is then a subsequence
    of ``old``'s lines, and each removed run is reported where it was.
    """
    ta, tb = _LINE_RE.findall(old), _LINE_RE.findall(new)
    out: list[tuple[int, str, str]] = []
    j = pos = 0
    run_start, run = -1, ""
    for tok in ta:
        if j < len(tb) and tok == tb[j]:
            j += 1
            if run:
                out.append((run_start, run, ""))
                run = ""
        else:
            if not run:
                run_start = pos
            run += tok
        pos += len(tok)
    if run:
        out.append((run_start, run, ""))
    return out if j == len(tb) else None


def _diff_units(a: str, b: str, unit: re.Pattern[str]) -> list[tuple[int, str, str]]:
    """Edits from ``a`` to ``b`` over the units ``unit`` cuts them into."""
    ta, tb = unit.findall(a), unit.findall(b)
    offsets = [0]
    for tok in ta:
        offsets.append(offsets[-1] + len(tok))
    matcher = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    return [
        (offsets[i1], "".join(ta[i1:i2]), "".join(tb[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


_BLOCK_SEP_RE = re.compile(r"\n\s*\n")


def _split_blocks(position: int, old: str, new: str) -> list[tuple[int, str, str]]:
    """Report a deletion of several adjacent blocks as one change per block.

    >>> _split_blocks(5, "\\n\\nA\\n\\nB", "")
    [(5, '\\n\\nA', ''), (8, '\\n\\nB', '')]
    """
    if new or not _BLOCK_SEP_RE.search(old.strip()):
        return [(position, old, new)]
    parts: list[tuple[int, str, str]] = []
    start = 0
    for match in _BLOCK_SEP_RE.finditer(old):
        if match.start() == 0 or not old[start : match.start()].strip():
            continue  # a separator before the first block belongs to that block
        parts.append((position + start, old[start : match.start()], ""))
        start = match.start()
    if old[start:].strip() or not parts:
        parts.append((position + start, old[start:], ""))
    else:  # a trailing separator belongs to the last block
        pos, text, _ = parts.pop()
        parts.append((pos, text + old[start:], ""))
    return parts


#: Times a step is applied to its own output at most, until it changes nothing.
STEP_PASSES = 4


def _settle(step: Step, text: str, ctx: Context) -> str:
    """``step`` applied until its output is its own fixed point (at most STEP_PASSES times).

    Why: ``run`` skips a step whose last output comes back unchanged, and the
    pipeline promises ``clean(clean(x)) == clean(x)``; both need every step's
    output to be one the step leaves alone.  Most steps are so by design, but
    one repair can uncover another (removing ``</em`` from ``p></emHave``
    leaves a ``p>`` to remove).  On text a step does not change, this costs
    nothing more than before.
    """
    fixed = step.fix(text, ctx)
    for _ in range(STEP_PASSES - 1):
        if fixed == text:
            break
        text, fixed = fixed, step.fix(fixed, ctx)
    return fixed


def run(
    text: str,
    lang: str | None,
    *,
    title: str | None,
    config: CleanerConfig,
    record: bool = False,
) -> Explanation:
    """Run the enabled steps to a fixed point; record the changes when ``record``."""
    code = normalize_lang(lang)
    detected = False
    resolved = lang is not None
    changes: list[Change] = []
    skipped: dict[str, SkippedStep] = {}
    last_output: dict[str, str] = {}
    ctx = Context(code, title)
    rounds = 0
    for rounds in range(1, max(1, config.max_rounds) + 1):
        changed = False
        for step in STEPS:
            if not step.enabled(config):
                skipped[step.name] = SkippedStep(step.name, "switched off in the config")
                continue
            if (step.uses_lang or step.requires_lang) and not resolved:
                resolved = True
                code = detect_language(
                    text,
                    min_confidence=config.detect_min_confidence,
                    min_letters=config.detect_min_letters,
                )
                detected = code is not None
                ctx = Context(code, title)
            if step.requires_lang and wordfreq_language(code) is None:
                reason = (
                    "no language given and none detected with confidence"
                    if code is None and lang is None
                    else f"language {lang if code is None else code!r} is not supported"
                )
                skipped[step.name] = SkippedStep(step.name, reason)
                continue
            if last_output.get(step.name) == text:
                continue
            fixed = _settle(step, text, ctx)
            if fixed != text:
                if record:
                    edits = (_deleted_lines(text, fixed) if step.deletes else None) or diff(
                        text, fixed, blocks=step.deletes
                    )
                    if step.deletes:
                        edits = [part for edit in edits for part in _split_blocks(*edit)]
                    changes.extend(
                        Change(step.name, old, new, pos, rounds) for pos, old, new in edits
                    )
                changed = True
                text = fixed
            last_output[step.name] = text
        if not changed:
            break
    else:
        logger.debug("no fixed point after %d rounds", rounds)
    return Explanation(
        text=text,
        changes=tuple(changes),
        lang=code,
        lang_detected=detected,
        skipped=tuple(skipped.values()),
        rounds=rounds,
    )
