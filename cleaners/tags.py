"""Remove stray HTML tag fragments (``p>``, ``</em``, ``strong>``, ``<br/>``).

Extractors that cut markup on the wrong byte, or strip ``<`` but not the rest,
leave pieces of tags in the text: alone on a line, glued to a paragraph start
(``strong> soprattutto``), or in the middle of a sentence.  A fragment is
removed only when it is made of a real tag name and its context rules out
ordinary text: ``p>0.05``, ``x > y``, ``a -> b`` and ``i>j`` stay.
"""

from __future__ import annotations

import re

from cleaners.chardata import BLOCK_TAGS, STRAY_TAG_RE, TAGS_PRECHECK_RE

__all__ = ["remove_stray_tags", "strip_tag_fragments"]

_GUARD_BEFORE = frozenset("<>-=+*^|\\")


def _letters_before(line: str, start: int) -> int:
    """How many letters run right up to ``start``."""
    count = 0
    while count < start and line[start - count - 1].isalpha():
        count += 1
    return count


def _is_fragment(match: re.Match[str]) -> bool:
    """Decide whether a regex hit is a tag fragment (True) or real text (False)."""
    line, start, end = match.string, match.start(), match.end()
    before = line[start - 1] if start else ""
    after = line[end] if end < len(line) else ""
    at_line_start = not line[:start].strip()
    has_attrs = bool(match.group("attrs")) or ("=" in match.group())
    if match.group("full") is not None or match.group("glued") is not None:
        return True  # '<p>', '</em>', '<!-- x -->', '</pseit': only markup looks like that
    if before in _GUARD_BEFORE and not has_attrs:
        return False  # 'a -> b', 'x => y'
    if match.group("open") is not None:
        # '<em' after a letter is a tag unless it looks like maths: 'a<b'.
        tag = match.group("t2")
        single = len(tag) == 1 and not match.group().startswith("</")
        return not (single and before.isalnum() and _letters_before(line, start) < 2)
    if match.group("gluednext") is not None:
        # '<emSi', '<pKosten': a tag start glued to the next word, after a space;
        # not '<placeholder>' or '<Alt>', which are whole bracketed words.
        run = re.match(r"[^\W\d_]*", line[end:])
        closed = run is not None and line[end + run.end() : end + run.end() + 1] == ">"
        return (not before or before.isspace()) and not closed
    # A bare 'tag>' with no '<'.
    tag = match.group("t4")
    if has_attrs:
        return True  # 'div class="x">'
    if after.isdigit() or (after and after in "=<>"):
        return False  # p>0.05
    single = len(tag) == 1 and not match.group().startswith("/")
    if single and before.isalpha() and (not after or not after.isalpha()):
        return False  # 'Jang Noksu>' closing a bracketed title: the word's last letter
    if at_line_start:
        if single and after.isalpha() and not line[end + 1 : end + 2].isalpha():
            return False  # 'a>b' alone on a line is a comparison
        # 'p> 0.05' opening a line is a statistic; 'span>E tutto', 'i> 4600 Menschen' are not.
        return not (single and re.match(r"\s*\d+[.,]\d", line[end:]))
    if before.isdigit():
        return len(tag) > 1 and (not after or after.isspace())  # '29br> septembre', not '5b>'
    if after.isalpha():
        run = re.match(r"[^\W\d_]+", line[end:])
        return run is not None and len(run.group()) >= 2  # 'p>aufgrund', not 'a>b'
    if single and not before.isalpha():
        rest = line[end:].lstrip()
        if rest and (rest[0].isdigit() or rest[0] in "=<>"):
            return False  # 'p> 0.05', 'i> 0' in running text
    return True


def _joiner(tag: str, pre: str, post: str) -> tuple[str, str, str]:
    """Return (pre, glue, post) so that removing a fragment leaves clean spacing."""
    if not pre.strip():
        return pre, "", post.lstrip(" \t")
    if not post.strip():
        return pre.rstrip(" \t"), "", post
    pre_space, post_space = pre[-1] in " \t", post[0] in " \t"
    if pre_space and post_space:
        return pre.rstrip(" \t"), " ", post.lstrip(" \t")
    if pre_space or post_space:
        return pre, "", post
    # Glued on both sides: a block tag separated two words, an inline one did not.
    return pre, " " if tag.lower() in BLOCK_TAGS else "", post


def strip_tag_fragments(line: str) -> str:
    """Remove the tag fragments in one line, mending the spacing around each.

    >>> strip_tag_fragments("strong> soprattutto in considerazione")
    'soprattutto in considerazione'
    >>> strip_tag_fragments("die</i kann, Stunden p>aufgrund, H<sub>2</sub>O, lasspan> obras")
    'die kann, Stunden aufgrund, H2O, las obras'
    >>> strip_tag_fragments("p>0.05, x > y, a -> b, i>j, <3")
    'p>0.05, x > y, a -> b, i>j, <3'
    """
    out = ""
    last = 0
    for match in STRAY_TAG_RE.finditer(line):
        if match.start() < last or not _is_fragment(match):
            continue
        tag = (
            match.group("t1")
            or match.group("t2")
            or match.group("t3")
            or match.group("t5")
            or match.group("t4")
            or ""
        )
        post = line[match.end() :]
        pre, glue, new_post = _joiner(tag, out + line[last : match.start()], post)
        out = pre + glue
        last = match.end() + len(post) - len(new_post)
    if not last:
        return line
    return out + line[last:]


def remove_stray_tags(text: str) -> str:
    """Remove stray tag fragments; a line made only of fragments goes with its blank line.

    >>> remove_stray_tags("Il Cremlino\\n\\np>\\n\\nLa Corea\\n\\nstrong> soprattutto")
    'Il Cremlino\\n\\nLa Corea\\n\\nsoprattutto'
    >>> remove_stray_tags("Ha detto: p>0.05 e x > y.")
    'Ha detto: p>0.05 e x > y.'
    """
    if ("<" not in text and ">" not in text) or not TAGS_PRECHECK_RE.search(text):
        return text  # substring tests run in C: most text has no angle bracket at all
    out: list[str] = []
    skip_blank = False
    changed = False
    for line in text.split("\n"):
        maybe = ("<" in line or ">" in line) and TAGS_PRECHECK_RE.search(line)
        new = strip_tag_fragments(line) if maybe else line
        if new != line:
            changed = True
            if not new.strip():
                # The whole line was markup: drop it with one neighbouring blank line.
                if out and not out[-1].strip():
                    out.pop()
                elif not out:
                    skip_blank = True
                continue
        if skip_blank and not line.strip():
            skip_blank = False
            continue
        skip_blank = False
        out.append(new)
    return "\n".join(out) if changed else text
