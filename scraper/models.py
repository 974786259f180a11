"""The results the library returns: frozen dataclasses, stable and documented.

``Article.to_dict()`` is the JSON form (CLI json/jsonl, crawl records).  Its
keys are fixed by ``SCHEMA_VERSION`` and the JSON Schema in
``scraper/schema/article.schema.json``: a missing value is ``None`` (``null``),
never an absent key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SCHEMA_VERSION", "Article", "Page"]

#: Version of the JSON form of an Article.  Bumped on any incompatible change.
SCHEMA_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched document: the final response after redirects, decoded."""

    #: The URL that was asked for.
    url: str
    #: The URL of the final response, after redirects.
    final_url: str
    #: HTTP status of the final response.
    status: int
    #: Response headers of the final response, lower-case names.
    headers: dict[str, str]
    #: The decoded body (after content-encoding), as bytes.
    content: bytes
    #: The body as text, decoded with ``encoding``.
    text: str
    #: The character encoding used (header, BOM, <meta> or detected).
    encoding: str
    #: Where ``encoding`` came from: "header", "bom", "meta", "detected" or "default".
    encoding_source: str
    #: The media type without parameters, e.g. "text/html".
    content_type: str
    #: The redirect chain, one URL per hop, the first being ``url``.
    redirects: tuple[str, ...] = ()
    #: The IP address actually connected to for the final response, when known.
    address: str | None = None
    #: Seconds the whole fetch took, retries and redirects included.
    elapsed: float = 0.0
    #: Retries made, by reason (e.g. {"503": 1, "timeout": 2}).
    retries: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Article:
    """An article: its text and its metadata.  See the JSON Schema for each key."""

    #: The URL the document came from (final URL after redirects), if known.
    url: str | None
    #: The page's canonical URL (<link rel=canonical>, og:url), absolute.
    canonical_url: str | None
    #: The headline, without the site-name suffix.
    title: str | None
    #: Author names joined with "; ".
    author: str | None
    #: Publication date, YYYY-MM-DD, only when the page states one.
    date: str | None
    #: Body language, ISO 639-1 primary subtag ("it", not "it-IT").
    language: str | None
    #: Name of the site or publication.
    sitename: str | None
    #: The page's description or summary.
    description: str | None
    #: Plain text of the body, paragraphs separated by one blank line.
    text: str
    #: The full publication timestamp as stated (ISO 8601), when there is one.
    date_published: str | None = None
    #: Last modification date, YYYY-MM-DD, when the page states one.
    date_modified: str | None = None
    #: Lead image URL, absolute.
    image: str | None = None
    #: Tags / keywords.
    tags: tuple[str, ...] = ()
    #: Section or categories.
    categories: tuple[str, ...] = ()
    #: Words in ``text``.
    word_count: int = 0
    #: The body as Markdown, when ``ExtractConfig.markdown`` asked for it.
    markdown: str | None = None
    #: Where the language came from: "detected", "declared" or None.
    language_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every key present, missing values as None."""
        return {
            "schema_version": SCHEMA_VERSION,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "author": self.author,
            "date": self.date,
            "date_published": self.date_published,
            "date_modified": self.date_modified,
            "language": self.language,
            "sitename": self.sitename,
            "description": self.description,
            "image": self.image,
            "tags": list(self.tags),
            "categories": list(self.categories),
            "word_count": self.word_count,
            "text": self.text,
        }
