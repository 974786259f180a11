"""JSON-LD: parse a page's ``ld+json`` blocks and pick the nodes that describe the page.

Why a module of its own: JSON-LD is the strongest statement a page makes about
itself, but it comes as arrays, ``@graph`` lists, nested ``mainEntity`` nodes
and ``{"@id": ...}`` references, often with hand-written mistakes.  Reading it
(:func:`read_json_ld`), following references (:func:`ld_resolve`) and choosing
the article, the web page and the publisher (:func:`pick_json_ld`) are one job.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from scraper.extraction import selectors as sel
from scraper.extraction.strings import clean, norm

__all__ = [
    "JsonObject",
    "Ld",
    "LdIndex",
    "ld_first",
    "ld_name",
    "ld_resolve",
    "ld_types",
    "pick_json_ld",
    "read_json_ld",
]

logger = logging.getLogger(__name__)

#: A JSON-LD node: a decoded JSON object.
JsonObject = dict[str, object]

_TRAILING_COMMA = re.compile(r",\s*([\]}])")
#: JSON-LD nodes reached through these keys describe the page itself.
_MAIN_VIA = frozenset({"", "@graph", "mainentity", "mainentityofpage"})


@dataclass(slots=True)
class LdIndex:
    """All JSON-LD blocks of a page, indexed as they are read."""

    #: Typed nodes that describe the page (top level, ``@graph``, ``mainEntity``).
    main: list[tuple[frozenset[str], JsonObject]] = field(default_factory=list)
    #: Every node with an ``@id``, the fullest one per id.
    ids: dict[str, JsonObject] = field(default_factory=dict)
    #: Blocks skipped because they are not JSON.
    broken: int = 0


def read_json_ld(text: str, index: LdIndex) -> None:
    """Parse one ld+json block into ``index``; a broken block is counted and skipped."""
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:].removesuffix("-->")
    if not text:
        return
    data: object
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        try:
            # the commonest hand-written mistake: a comma before } or ]
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except (ValueError, RecursionError):
            index.broken += 1
            logger.debug("skipped a JSON-LD block that is not JSON (%d on this page)", index.broken)
            return
    _walk(data, "", 0, index)


def ld_types(obj: JsonObject) -> frozenset[str]:
    """The node's ``@type`` values, casefolded, without a schema.org URL prefix."""
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return frozenset(v.rsplit("/", 1)[-1].casefold() for v in values if isinstance(v, str) and v)


def _walk(obj: object, via: str, depth: int, index: LdIndex) -> None:
    """Index every node by ``@id``; keep the typed nodes that describe the page."""
    if depth > 12:
        return
    if isinstance(obj, list):
        for item in obj:
            _walk(item, via, depth + 1, index)
        return
    if not isinstance(obj, dict):
        return
    ident = obj.get("@id")
    if isinstance(ident, str) and len(obj) > len(index.ids.get(ident, ())):
        # the fullest node with this @id: references and stubs repeat it
        index.ids[ident] = obj
    types = ld_types(obj)
    if types and via in _MAIN_VIA:
        index.main.append((types, obj))
    for key, value in obj.items():
        if isinstance(value, dict | list):
            _walk(value, key.casefold(), depth + 1, index)


def ld_resolve(value: object, index: LdIndex) -> object:
    """Follow an ``{"@id": ...}`` reference (or an untyped stub) to the node it names."""
    if isinstance(value, dict) and "@type" not in value:
        ident = value.get("@id")
        if isinstance(ident, str):
            return index.ids.get(ident, value)
    return value


def ld_name(value: object, index: LdIndex) -> str | None:
    """The name of a JSON-LD node, or the string itself."""
    value = ld_resolve(value, index)
    if isinstance(value, list):
        value = ld_resolve(value[0], index) if value else None
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, dict):
            name = name.get("@value")
        if not name and isinstance(value.get("familyName"), str):
            name = f"{value.get('givenName') or ''} {value['familyName']}"
        value = name
    return clean(value)


def ld_first(objs: list[JsonObject], *keys: str) -> object:
    """The first non-empty value of ``keys`` in ``objs``."""
    for obj in objs:
        for key in keys:
            value = obj.get(key)
            if value:
                return value
    return None


@dataclass(slots=True)
class Ld:
    """The JSON-LD nodes that describe this page."""

    #: The article node (at most one: several different ones make a listing).
    article: list[JsonObject]
    #: The WebPage node.
    page: list[JsonObject]
    #: Publisher and organisation names.
    sitenames: list[str]
    #: Normalised names typed as a Person: a personal site's name.
    persons: set[str]


def pick_json_ld(index: LdIndex) -> Ld:
    """The article, the web page and the publisher among the page's JSON-LD nodes."""
    articles: list[JsonObject] = []
    pages: list[JsonObject] = []
    sitenames: list[str] = []
    for types, obj in index.main:
        if types & sel.ARTICLE_TYPES:
            articles.append(obj)
        elif types & sel.PAGE_TYPES:
            pages.append(obj)
        elif types & sel.ORG_TYPES and (name := ld_name(obj, index)):
            sitenames.append(name)
    persons: set[str] = set()
    for obj in articles[:1] + pages[:1]:
        publisher = ld_resolve(obj.get("publisher"), index)
        name = ld_name(publisher, index)
        if name:
            sitenames.insert(0, name)
            if isinstance(publisher, dict) and ld_types(publisher) & sel.PERSON_TYPES:
                persons.add(norm(name))
    if len({clean(a.get("headline")) for a in articles} - {None}) > 1:
        articles = []  # several different articles at the top level: a listing
    return Ld(articles[:1], pages[:1], sitenames, persons)
