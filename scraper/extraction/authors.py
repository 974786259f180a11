"""The page's authors: names from structured data first, then from visible bylines.

Why a module of its own: an author is stated in many places (JSON-LD, author
<meta> tags, microdata, ``rel=author`` links, links to author pages, byline
elements), each with its own noise ("By", job titles, dates, "Updated by",
the publisher's name, the cards of a listing).  Cleaning a byline into names
(:func:`split_names`) and choosing the first source that names anyone
(:func:`choose_author`) are one job.  No author is invented: a value comes
only from something the page states as an author.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.jsonld import JsonObject, Ld, ld_name, ld_resolve, ld_types
from scraper.extraction.scan import Found, ancestors, in_foreign_block, meta_first
from scraper.extraction.strings import WS, clean, norm
from scraper.extraction.titles import is_site

__all__ = ["choose_author", "split_names"]

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||\s&\s|\s(?:and|und|et|e|y|en|och|og)\s)\s*", re.I)
_AUTHOR_JUNK = re.compile(
    r"\s*(?:\s[-–—|•·]\s.*|[»~].*|\son\s+\w+\s+\d.*"
    r"|\s(?:updated|published|posted|last updated)\b.*)$",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?:|www\.)|://|\.(?:com|org|net|html?|php)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")


def choose_author(found: Found, ld: Ld, site: set[str], host: set[str]) -> str | None:
    """Author names, from the first source that names anyone.

    JSON-LD of the article, author <meta> tags, Yoast's "Written by" Twitter
    label, microdata, ``rel=author`` links, links to author pages, byline
    elements.  ``site`` holds the publisher's normalised names: an author
    equal to it is the organisation and is dropped (a JSON-LD Person is kept,
    a personal blog bears its author's name); so is the site's brand.
    """
    yoast = [
        value
        for i in "12"
        if (meta_first(found, (f"twitter:label{i}",)) or "").casefold() in ("written by", "author")
        for value in found.meta.get(f"twitter:data{i}", [])
    ]
    sources: tuple[Callable[[], list[str]], ...] = (
        lambda: _ld_authors(ld.article, found, site),
        lambda: _authors(
            [v for key in sel.AUTHOR_META for v in found.meta.get(key, ())[:10]], site
        ),
        lambda: _authors(yoast, site),
        lambda: _first_element(found.item_authors, site, thread=True),
        lambda: _first_element(found.rel_authors, site, thread=False),
        lambda: _first_element(
            [a.text(separator=" ") for a in found.link_nodes[:12] if not in_foreign_block(a)],
            site,
            thread=False,
        ),
        lambda: _byline_authors(found, site),
    )
    for source in sources:
        names = [n for n in source() if not _brand_of_site(n, host)]
        if names:
            return "; ".join(names)
    return None


def split_names(raw: str) -> list[str]:
    """One byline or author field into names: prefixes, titles and dates cut off.

    >>> split_names("By Jane Doe and John Roe - Staff Writers")
    ['Jane Doe', 'John Roe']
    >>> split_names("Doris Munoz-Mantilla, MD, FOMA")
    ['Doris Munoz-Mantilla, MD, FOMA']
    >>> split_names("Di Mario Rossi, Luca Bianchi")
    ['Mario Rossi', 'Luca Bianchi']
    """
    raw = sel.NAME_HEAD.sub("", WS.sub(" ", raw).strip())
    for _ in range(2):
        raw = sel.BYLINE_PREFIX.sub("", raw)
    names: list[str] = []
    for name in _AUTHOR_SPLIT.split(_AUTHOR_JUNK.sub("", raw)):
        name = name.strip(" ,.:")
        if sel.NOT_AUTHOR.match(name):
            continue  # "Updated by ...", "Reviewed by ...": someone else's credit
        pieces = [p.strip() for p in name.split(",")]
        # "Jane Doe, John Roe" are two people; "Jane Doe, MD" is one
        for piece in pieces if all(len(p.split()) >= 2 for p in pieces) else [name]:
            piece = sel.BYLINE_PREFIX.sub("", piece)
            cut = sel.NAME_TAIL.sub("", piece)
            if len(cut.split()) < 2 <= len(piece.split()) and not sel.NAME_TAIL_DATE.match(
                piece, len(cut)
            ):
                cut = piece  # "A. Writer" is a name, not "A." and a job title
            cut = cut.strip(" ,.:|-–—·•")
            if cut:
                names.append(cut)
    return names


def _valid_name(name: str) -> bool:
    """Could this be a person's or an organisation's name (not a URL, a date, a sentence)?"""
    if len(name) > 80 or len(name.split()) > 6 or not any(c.isalpha() for c in name):
        return False
    if _URLISH.search(name) or _EMAIL.search(name) or name.startswith("@"):
        return False
    if " " in name and sum(c.isdigit() for c in name) > 3:
        return False  # "2024 12:41 pm" (handles like "user3080392" are fine)
    return name.casefold() not in sel.GENERIC_AUTHORS


def _authors(values: list[str], site: set[str]) -> list[str]:
    """Valid, distinct names from ``values``; names in ``site`` are the publisher's."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        names = split_names(clean(value) or "")
        if any(len(name) > 80 or len(name.split()) > 6 for name in names):
            continue  # a sentence, not a list of names
        for name in names:
            key = norm(name)
            if key and key not in seen and key not in site and _valid_name(name):
                seen.add(key)
                out.append(name)
    return out


def _looks_like_name(name: str) -> bool:
    """Does visible byline text read as a name ("Jane van Doe", "jdoe42"), not a phrase?"""
    words = name.split()
    if len(words) == 1:
        return len(name) >= 2
    return len(words) <= 5 and all(
        w[0].isupper() or not w[0].isalpha() or w.casefold() in sel.NAME_PARTICLES for w in words
    )


def _visible_authors(values: list[str], site: set[str]) -> list[str]:
    """Like :func:`_authors`, for text shown on the page, which must read as names."""
    names = _authors(values, site)
    return names if all(_looks_like_name(name) for name in names) else []


def _ld_authors(objs: list[JsonObject], found: Found, site: set[str]) -> list[str]:
    """The article's JSON-LD authors; an Organization named like the site is dropped."""
    names: list[str] = []
    for obj in objs:
        raw = ld_resolve(obj.get("author") or obj.get("creator"), found.ld)
        for item in raw if isinstance(raw, list) else [raw]:
            item = ld_resolve(item, found.ld)
            name = ld_name(item, found.ld)
            if name:
                person = isinstance(item, dict) and bool(ld_types(item) & sel.PERSON_TYPES)
                names.extend(_authors([name], set() if person else site))
    return _authors(names, set())  # once more, to drop duplicates across nodes


def _first_element(values: list[str], site: set[str], *, thread: bool) -> list[str]:
    """Names from the first element that gives any.

    Elements naming four different people are the posts of a thread (with
    ``thread``: microdata, the first is the original post) or the cards of a
    listing (links to author pages: then nobody is the page's author).
    """
    named = [names for names in (_visible_authors([v], site) for v in values[:12]) if names]
    if not named or (not thread and len({norm(n[0]) for n in named}) >= 4):
        return []
    return named[0]


def _byline_class(node: LexborNode) -> bool:
    """Does a class token of ``node`` name an author, not an author's photo or bio?"""
    return any(
        ("author" in token or "byline" in token) and not sel.NOT_BYLINE_CLASS.search(token)
        for token in (node.attributes.get("class") or "").casefold().split()
    )


def _byline_authors(found: Found, site: set[str]) -> list[str]:
    """Names in the first byline element (class ``author-name``, ``byline``...).

    Containers give way to the byline elements inside them, so that "Jane
    Doe" is read rather than "Jane Doe, Senior Editor, 5 min read"; an author
    box with a bio is read through its ``name`` element.  Bylines of four
    different people are the cards of a listing: no author then.
    """
    candidates = [n for n in found.bylines if _byline_class(n)]
    containers = {anc.mem_id for n in candidates for anc in ancestors(n, 4)}
    named: list[list[str]] = []
    for node in candidates:
        if node.mem_id in containers or in_foreign_block(node):
            continue
        text = node.text(separator=" ")
        if len(text) > 120:
            name_node = node.css_first("[class*=name i]")
            text = name_node.text(separator=" ") if name_node is not None else ""
        names = _visible_authors([text], site) if len(text) <= 120 else []
        if names:
            named.append(names)
            if len(named) >= 6:
                break
    if not named or len({norm(n[0]) for n in named}) >= 4:
        return []
    return named[0]


def _brand_of_site(name: str, host: set[str]) -> bool:
    """Is ``name`` the site's own brand ("Ridge" on ridge.com), not a person?

    A single word equal to a label of the host, or a name with an organisation
    word that matches the host ("Loyola Marymount University" on lmu.edu).
    "Jane Doe" on janedoe.com and "Lillie" on lillieeatsandtells.com are
    people: kept.
    """
    words = name.split()
    if len(words) == 1:
        return norm(name) in host
    return bool(sel.ORG_WORDS & {norm(w) for w in words}) and is_site(name, host)
