"""What kind of page this is, as far as the page says so, and which body to trust.

Why: trafilatura is built for articles.  On a page that is not one (a
category page, search results, a shop's collection, a service page) its
body is often a stray block: a promotion, a teaser, a newsletter box.  Such
pages rarely say what they are, but articles and products usually do, in
JSON-LD (``"@type": "NewsArticle"``), microdata (``itemtype=".../Product"``)
or OpenGraph (``og:type``).  Together with how much of the page the
article extractor kept, that is enough to choose between its body and the
page's main-region text (``region.py``).

Everything here reads the tree without changing it and costs well under a
millisecond: no JSON is decoded (a regular expression picks the ``@type``
values), no text is rendered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

__all__ = ["PageType", "page_type", "prefers_region"]

#: schema.org types of a page that is one article (JSON-LD or microdata).
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "TechArticle",
        "ScholarlyArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "BackgroundNewsArticle",
        "LiveBlogPosting",
        "Recipe",
        "HowTo",
    }
)
#: schema.org types of a page that sells one thing.
PRODUCT_TYPES = frozenset({"Product", "ProductGroup"})
#: schema.org types of a discussion thread.
FORUM_TYPES = frozenset({"DiscussionForumPosting", "QAPage"})
#: schema.org types of a page that lists things.
LISTING_TYPES = frozenset({"ItemList", "CollectionPage", "SearchResultsPage", "OfferCatalog"})
#: og:type values of a product page, and of a list of products.
OG_PRODUCT = frozenset({"product", "og:product"})
OG_LISTING = frozenset({"product.group"})

#: URL path segments of category, tag, collection and search pages.
_LISTING_PATH = re.compile(
    r"(?:^|/)(?:category|categories|collections?|tags?|topics?|c|shop|search|lists?"
    r"|archives?|section|genre|departments?|browse|s|w|b)(?:/|$)",
    re.IGNORECASE,
)
_LD_TYPE = re.compile(r'"@type"\s*:\s*(\[[^\]]*\]|"[^"]*")')
_QUOTED = re.compile(r'"([^"]+)"')

#: Weights of :func:`prefers_region`'s linear score (a logistic regression
#: fitted on pages of every type whose article body looked short; see there).
#: ``bench/fit_region_choice.py`` refits them and prints their out-of-sample gain.
_W_BIAS = 2.59
_W_LOG_FAST = -2.98 / 8
_W_LOG_REGION = 0.32 / 8
_W_OG_ARTICLE = -1.46
_W_LD_ARTICLE = -0.42
_W_PRODUCT = -1.01
_W_LISTING_URL = 0.61


@dataclass(frozen=True, slots=True)
class PageType:
    """What the page declares itself to be (several can hold, or none)."""

    #: JSON-LD or microdata names an article type (``NewsArticle``, ``BlogPosting``...).
    article: bool = False
    #: ``og:type`` is ``article`` (many CMSs set it on every page, so it is weaker).
    og_article: bool = False
    #: A product page: schema.org ``Product`` or ``og:type=product``.
    product: bool = False
    #: A discussion thread: ``DiscussionForumPosting`` or ``QAPage``.
    forum: bool = False
    #: A list of things: ``ItemList``, ``CollectionPage``, ``og:type=product.group``...
    listing: bool = False
    #: The URL path names a category, tag, collection or search page.
    listing_url: bool = False

    @property
    def declared_article(self) -> bool:
        """The page says it is an article, one way or the other."""
        return self.article or self.og_article


#: Everything page_type reads, in one pass over the tree (a pass per selector
#: costs tens of milliseconds on a multi-megabyte page).
_SCAN = 'script[type*="ld+json" i], [itemtype], meta[property="og:type" i]'


def _ld_types(text: str) -> set[str]:
    """schema.org ``@type`` names anywhere in one JSON-LD block (no JSON decoding).

    >>> sorted(_ld_types('{"@graph": [{"@type": ["WebPage"]}, {"@type": "schema:NewsArticle"}]}'))
    ['NewsArticle', 'WebPage']
    """
    names: set[str] = set()
    for match in _LD_TYPE.finditer(text):
        for name in _QUOTED.findall(match.group(1)):
            names.add(name.rsplit("/", 1)[-1].rsplit(":", 1)[-1])
    return names


def page_type(tree: LexborHTMLParser, url: str | None) -> PageType:
    """Read the page's own statements about its type, and its URL.

    >>> html = ('<html><head><meta property="og:type" content="article">'
    ...         '<script type="application/ld+json">{"@type": "NewsArticle"}</script>'
    ...         '</head><body></body></html>')
    >>> kind = page_type(LexborHTMLParser(html), "https://example.org/2024/05/story")
    >>> kind.article, kind.og_article, kind.product, kind.listing_url
    (True, True, False, False)
    >>> page_type(LexborHTMLParser("<body></body>"), "https://shop.example/collections/mugs").listing_url
    True
    """
    types: set[str] = set()
    og = ""
    for node in tree.css(_SCAN):
        attrs = node.attributes
        if node.tag == "script":
            types |= _ld_types(node.text())
        elif (
            node.tag == "meta" and not og and (attrs.get("property") or "").casefold() == "og:type"
        ):
            og = (attrs.get("content") or "").strip().casefold()
        for name in (attrs.get("itemtype") or "").split():
            types.add(name.rstrip("/").rsplit("/", 1)[-1])
    return PageType(
        article=not types.isdisjoint(ARTICLE_TYPES),
        og_article=og == "article",
        product=not types.isdisjoint(PRODUCT_TYPES) or og in OG_PRODUCT,
        forum=not types.isdisjoint(FORUM_TYPES),
        listing=not types.isdisjoint(LISTING_TYPES) or og in OG_LISTING,
        listing_url=_LISTING_PATH.search(urlsplit(url or "").path) is not None,
    )


def prefers_region(kind: PageType, fast_words: int, region_words: int) -> bool:
    """Should the main-region text replace trafilatura's short body?

    Asked only when trafilatura kept little of the page.  Why these terms: a
    short article body is usually right when the page declares an article or
    a product (a brief story, a product blurb), and usually a stray block
    when it does not (a listing whose items were all dropped); the longer the
    article body, the likelier it is the real one; a category URL tips the
    balance to the region.  The weights come from a logistic regression over
    structural, language-independent features, fitted on several hundred
    pages of every type (articles, forums, products, listings, collections,
    documentation, service pages) and checked by cross-validation; terms that
    did not help out of sample were dropped.

    >>> prefers_region(PageType(), fast_words=40, region_words=900)
    True
    >>> prefers_region(PageType(article=True, og_article=True), fast_words=300, region_words=900)
    False
    """
    score = (
        _W_BIAS
        + _W_LOG_FAST * math.log1p(fast_words)
        + _W_LOG_REGION * math.log1p(region_words)
        + _W_OG_ARTICLE * kind.og_article
        + _W_LD_ARTICLE * kind.article
        + _W_PRODUCT * kind.product
        + _W_LISTING_URL * kind.listing_url
    )
    return score > 0
