"""The page's headline: visible <h1> and stated titles reconciled, the site's name stripped.

Why a module of its own: a page states its title several times (JSON-LD
headline, og:title, <title>, the visible <h1>), most of them with the site's
name glued on (``"Rain expected – Example News"``) and some of them SEO
variants.  Telling the site's name from a part of the headline
(:func:`strip_site`: ``"Putin visiterà la Corea del Nord – dichiarazione del
Cremlino"`` keeps its dash) and choosing among the statements
(:func:`choose_title`) are one job.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from scraper.extraction import selectors as sel
from scraper.extraction.jsonld import Ld, ld_first
from scraper.extraction.scan import Found, meta_first
from scraper.extraction.strings import clean, norm, words

__all__ = ["choose_title", "is_site", "site_keys", "site_part", "strip_site"]

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|·•»]\s*|:\s+")
#: A character every match of ``_TITLE_SEPARATORS`` holds.  Why: that pattern
#: has no prefix for ``re`` to skip ahead to, and tries it at every position
#: of the title; most headlines hold none of these characters, and one
#: search for them settles that they hold no separator.
_SEPARATOR_MARK = re.compile(r"[|\-–—:·•»/]")
_TITLE_TAIL = re.compile(r"\s*[¶#§]\s*$")  # Sphinx and MkDocs permalinks
_REPEATED = re.compile(r"^(.{2,}?)(?:\s+\1)+$")  # "News News": a mobile and a desktop copy
_TRUNCATED = ("...", "…")


def site_keys(sitenames: list[str], url: str | None) -> set[str]:
    """Normalised forms under which the site's name may appear.

    The names as stated, and the host's labels without ``www.`` and the public
    suffix: ``blog.rust-lang.org`` gives ``blogrustlang``, ``rustlang`` and
    ``blog``; a long top-level domain is a word of the name (``getlocal.agency``).
    """
    keys = {norm(name) for name in sitenames}
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # "http://[::1" and other malformed addresses
        host = None
    if host:
        labels = [label for label in host.casefold().split(".") if label]
        if len(labels) > 1:
            tld = labels.pop()
            if len(tld) >= 4:
                keys.add(tld)
            if len(labels) > 1 and labels[-1] in sel.SECOND_LEVEL_DOMAINS:
                labels.pop()
        labels = [label for label in labels if label not in sel.HOST_PREFIXES]
        keys.update(norm(label) for label in labels)
        keys.add(norm("".join(labels)))
    keys.discard("")
    return keys


def is_site(part: str, keys: set[str]) -> bool:
    """Is this piece of a title the site's name (``"Le Monde"`` for ``lemonde.fr``)?

    It is when, normalised, it equals a key; when its initials do (``"U.S.
    Small Business Administration"`` on ``sba.gov``); or when each of its
    words is part of a key, apart from generic words and numbers (``"Rust
    Blog"`` on ``blog.rust-lang.org``, ``"Aura Official Site"`` on ``aura.com``).
    """
    parts = _word_forms(part)
    # norm drops the spaces too: for ASCII the whole form is the words' forms joined
    whole = "".join(parts) if part.isascii() else norm(part)
    if not whole or whole in keys:
        return True
    if not parts or len(parts) > 6:
        return False
    if len(parts) >= 3 and "".join(w[0] for w in parts if w not in ("of", "the", "and")) in keys:
        return True
    named = [w for w in parts if w not in sel.SITE_WORDS and len(w) > 2 and not w.isdigit()]
    return bool(named) and all(any(w in k or (len(k) >= 3 and k in w) for k in keys) for w in named)


#: ``str.translate`` table deleting the ASCII characters that are neither a
#: letter, a digit nor white space (what ``norm`` drops, the spaces kept).
_ASCII_NOT_WORD_OR_SPACE = {
    code: None for code in range(128) if not (chr(code).isalnum() or chr(code).isspace())
}


def _word_forms(part: str) -> list[str]:
    """``norm`` of each whitespace-separated word of ``part``, empty ones left out.

    Why not just that: titles are tested word by word several times a page,
    and for ASCII (most titles) lower-casing the whole part and deleting its
    punctuation at once gives the same forms for a fraction of the calls
    (a test checks it against the plain form).

    >>> _word_forms("U.S. Small-Business Admin. – 2024"), _word_forms("Le Petit Écho")
    (['us', 'smallbusiness', 'admin', '2024'], ['le', 'petit', 'echo'])
    """
    if part.isascii():
        return part.lower().translate(_ASCII_NOT_WORD_OR_SPACE).split()
    return [w for w in (norm(w) for w in part.split()) if w]


def strip_site(title: str, keys: set[str]) -> str:
    """Drop a ``" | Site"`` suffix or a ``"Site | "`` prefix when that part is the site's name.

    A ``"Site: "`` prefix stays: ``"Airtable: Build AI workflows"`` and
    ``"Amazon.com: Headphones"`` read as one title, and on the WCXB pages the
    reference titles keep it every time (stripping it cost 0.8 points).

    >>> keys = site_keys(["Example News"], "https://www.example.com/a")
    >>> strip_site("Rain expected – Example News", keys)
    'Rain expected'
    >>> strip_site("Putin visiterà la Corea del Nord – dichiarazione del Cremlino", keys)
    'Putin visiterà la Corea del Nord – dichiarazione del Cremlino'
    """
    for _ in range(2):
        if _SEPARATOR_MARK.search(title) is None:
            break  # no separator: one part
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = _TITLE_SEPARATORS.findall(title)
        if is_site(parts[-1], keys):
            title = title[: title.rfind(seps[-1])].strip()
        elif seps[0].strip() != ":" and is_site(parts[0], keys):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            break
    return title


def site_part(title: str | None, keys: set[str]) -> str | None:
    """The ``" | Site"`` suffix (or ``"Site | "`` prefix) of ``title`` that is the site's name.

    A page that states no site name often still ends its <title> with it; the
    host confirms it (``is_site``), so it is read, not guessed.

    >>> keys = site_keys([], "https://www.lejournaldumorvan.fr/a")
    >>> site_part("La boulangerie rouvre – Le Journal du Morvan", keys)
    'Le Journal du Morvan'
    >>> site_part("La boulangerie rouvre – Économie", keys) is None
    True
    """
    if not title or _SEPARATOR_MARK.search(title) is None:
        return None
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title)]
    if len(parts) < 2:
        return None
    for part in (parts[-1], parts[0]):
        if part and is_site(part, keys) and any(c.isalpha() for c in part):
            return part
    return None


def choose_title(found: Found, ld: Ld, keys: set[str]) -> str | None:
    """The headline: the visible <h1> when the page's own metadata agrees with it.

    Metadata titles (JSON-LD headline, og:title, <title>) are often SEO
    variants of the visible headline; the <h1> is what readers see, but on
    many templates the first <h1> is the logo or a menu.  So the <h1> that
    agrees best with a metadata title is taken (the metadata title instead
    when the <h1> only adds words to it, such as a date or a counter, or when
    three sources state the metadata title alike); with no agreement, the
    first <h1> of an article, else the first metadata title.  On the WCXB
    pages this order scores 0.80 exact, og:title first 0.69, <h1> first 0.73.
    """
    stated = (
        clean(ld_first(ld.article, "headline", "name")),
        meta_first(found, ("og:title",)),
        clean(found.title_tag),
        meta_first(found, sel.TITLE_META[1:]),
        clean(ld_first(ld.page, "headline", "name")),
    )
    metas = [strip_site(t, keys) for t in stated if t]
    metas = [_untruncated(t, metas) for t in metas if t and not is_site(t, keys)]
    h1s = []
    for raw in found.h1:
        h1 = clean(_TITLE_TAIL.sub("", raw))
        h1 = strip_site(_REPEATED.sub(r"\1", h1), keys) if h1 else None
        if h1 and not is_site(h1, keys):
            h1s.append(h1)
    best: tuple[float, str, str, bool] | None = None
    meta_word_sets = [words(meta) for meta in metas]
    for h1 in h1s:
        h1_words = words(h1)
        for meta, meta_words in zip(metas, meta_word_sets, strict=True):
            if h1_words and meta_words:
                contained = h1_words <= meta_words or meta_words <= h1_words
                score = len(h1_words & meta_words) / len(h1_words | meta_words) + contained
                if best is None or score > best[0]:
                    best = (score, h1, meta, contained)
    if best is not None and best[0] >= 0.5:
        _, h1, meta, contained = best
        if not contained:
            return meta if metas.count(meta) >= 3 else h1
        # the <h1> only adds a date, a counter or a label to the stated title
        meta_words = words(meta)
        adds = meta_words < words(h1) and len(meta_words) >= 3
        return meta if adds and not meta.endswith(_TRUNCATED) else h1
    if metas:
        article = ld.article or (meta_first(found, ("og:type",)) or "").casefold() == "article"
        return h1s[0] if h1s and article else metas[0]
    return h1s[0] if h1s else None


def _untruncated(title: str, titles: list[str]) -> str:
    """A headline cut at a length limit ("... Solutions (Including") yields to its full form."""
    if len(title) < 60:
        return title
    for full in titles:
        if (
            len(full) > len(title)
            and full.startswith(title)
            and not _TITLE_SEPARATORS.match(full, len(title))
        ):
            return full
    return title
