"""From one HTML document to an :class:`~scraper.models.Article`.

selectolax parses the document once: metadata, page type and checks read that
tree, which is then stripped of what is never body text (scripts, styles,
navigation...) and serialised for trafilatura, whose lxml parse and pruning
get that much cheaper (:func:`_lean_html`).  trafilatura runs in its ``fast``
mode (no fallback extractors).  Together this keeps the whole extraction,
metadata, language and cleaning included, within the time trafilatura's
default mode needs for the text alone.

The expensive work runs only when that body looks wrong: when it holds less
than :data:`SUSPECT_BELOW` of the page's visible words, or is a consent
dialog.  Then the page's main-region text (``region.py``) is weighed against
it (``pagetype.py``): listings, collections and service pages get the
region; declared articles and products keep trafilatura's body, or its full
pass with the fallback extractors when the fast one kept almost nothing;
forum threads try the full pass first, which knows threads.
"""

from __future__ import annotations

import copy
import functools
import html
import itertools
import logging
import re

import lxml.etree
import lxml.html
import numpy as np
import trafilatura
from selectolax.lexbor import LexborHTMLParser
from trafilatura.settings import Document, Extractor
from trafilatura.xml import delete_element, xmltotxt

import cleaners
from cleaners.language import detect_language
from scraper.config import Config, ExtractConfig
from scraper.errors import ExtractionError, NoArticleError
from scraper.extraction.dates import find_date
from scraper.extraction.metadata import Metadata, extract_metadata
from scraper.extraction.pagetype import PageType, page_type, prefers_region
from scraper.extraction.region import region_text
from scraper.extraction.walls import consent_share, has_login_form, looks_like_wall
from scraper.fetching.charset import decode_document
from scraper.models import Article

__all__ = ["extract_article"]

logger = logging.getLogger(__name__)

_WORD = re.compile(r"\w+")
#: Scripts written without spaces between words (Han, kana).
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: What counts as a word: a ``\\w+`` run, but each Chinese or Japanese character
#: alone, since those scripts put no spaces between words (a whole clause would
#: otherwise count as one word, and a short article as no article).
_COUNTED = re.compile(f"[{_UNSPACED}]|[^\\W{_UNSPACED}]+")
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")

#: trafilatura's fast body is trusted when it holds at least this share of the
#: page's visible words (navigation and sidebars not counted).  Below it the
#: page may not be a plain article (listing, forum, service page...) and the
#: other candidates are weighed.  About one news article in twelve falls
#: below it, and keeps its body: the extra work costs them a few milliseconds.
SUSPECT_BELOW = 0.3
#: A page that declares a listing (or has a category URL) and no article or
#: product gets the region text when trafilatura kept less than this share.
LISTING_BELOW = 0.5
#: A body with more than this share of its words in lines about cookies and
#: consent is a consent dialog, whatever its length.
CONSENT_SHARE = 0.15
#: Below this share the full pass (with trafilatura's fallback extractors)
#: runs too, unless the region text was preferred...
FALLBACK_BELOW = 0.1
#: ... and replaces the fast body when it finds this many times more words.
FALLBACK_GAIN = 1.5

#: Where the body came from, for the Markdown rendering and the debug log.
_FAST, _FULL, _REGION = "fast", "full", "region"


def _norm(text: str) -> str:
    """Casefolded word tokens joined by one space: the form headlines are compared in."""
    return " ".join(_WORD.findall(text.casefold()))


def _headline_forms(tree: LexborHTMLParser, meta: Metadata) -> set[str]:
    """The normalised spellings of the page's headline (metadata title, h1, og:title, <title>)."""
    forms = {meta.title or ""}
    h1 = tree.css_first("h1")
    if h1 is not None:
        forms.add(h1.text(deep=True))
    node = tree.css_first("title")
    if node is not None:
        forms.add(node.text(deep=True))
    og = tree.css_first('meta[property="og:title"]')
    if og is not None:
        forms.add(og.attributes.get("content") or "")
    return {f for f in (_norm(x) for x in forms) if f}


#: Short lines trafilatura may keep above the headline (a kicker, a breadcrumb,
#: a dateline): at most this many, of at most this many words each.
_ABOVE_HEADLINE = 3
_LABEL_WORDS = 12
#: A dateline under the headline (``mercredi 27 février 2019, par``) has at most
#: this many words.
_DATELINE_WORDS = 8


def _is_headline(line: str, headlines: set[str]) -> bool:
    """Whether a normalised line is the headline, or a long prefix of a headline form
    that carries a site suffix (``Headline | Site``)."""
    return line in headlines or (
        len(line) > 20 and any(h.startswith(line + " ") for h in headlines)
    )


def _is_label(paragraph: str) -> bool:
    """A short line that is no sentence: a kicker, a breadcrumb, a dateline.

    >>> _is_label("Accueil > Économie > Conjoncture"), _is_label("Il pleut.")
    (True, False)
    """
    text = paragraph.strip()
    return len(_WORD.findall(text)) <= _LABEL_WORDS and not text.endswith((".", "!", "?", "…"))


def _is_dateline(paragraph: str) -> bool:
    """A short label line that carries a date: the dateline under a headline.

    >>> _is_dateline("mercredi 27 février 2019, par"), _is_dateline("Le 3 mai 2019, il a plu.")
    (True, False)
    """
    return (
        len(_WORD.findall(paragraph)) <= _DATELINE_WORDS
        and _is_label(paragraph)
        and find_date(paragraph) is not None
    )


def _drop_leading_headline(paragraphs: list[str], headlines: set[str]) -> list[str]:
    """Drop the headline where the body starts with it, and the labels above it.

    trafilatura keeps the article's <h1> as the first line of the body; the
    headline is the ``title`` field, and in the body it is a duplicate.  What
    stands above it (at most ``_ABOVE_HEADLINE`` short lines that are not
    sentences: ``CAMPAÑA 2023-2024``, ``Accueil > Économie``, ``mercredi 27
    février 2019, par``) is page chrome, not the article, and goes with it, as
    does a dateline right under it.

    >>> _drop_leading_headline(["ECONOMÍA", "Sube el paro", "El paro subió."], {"sube el paro"})
    ['El paro subió.']
    >>> _drop_leading_headline(["Un vrai début.", "Titre"], {"titre"})
    ['Un vrai début.', 'Titre']
    """
    # Normalised only as far as read: the decision lies in the first lines,
    # and a long body's paragraphs are many.
    filled = ((i, line) for i, line in enumerate(map(_norm, paragraphs)) if line)
    first = next(filled, None)
    if first is None:
        return []
    for i, line in itertools.chain([first], itertools.islice(filled, _ABOVE_HEADLINE)):
        if _is_headline(line, headlines):
            end = i + 1
            while end < len(paragraphs) and _is_headline_or_empty(paragraphs[end], headlines):
                end += 1
            while end < len(paragraphs) and _is_dateline(paragraphs[end]):
                end += 1
            return paragraphs[end:]
        if not _is_label(paragraphs[i]):
            break
    return paragraphs[first[0] :]


def _is_headline_or_empty(paragraph: str, headlines: set[str]) -> bool:
    """Whether a paragraph under the headline goes with it: no words, or the headline again."""
    line = _norm(paragraph)
    return not line or _is_headline(line, headlines)


#: The ASCII characters that are no ``\\w`` character (not a letter, digit or ``_``).
_ASCII_NON_WORD = bytes(b for b in range(128) if not (chr(b).isalnum() or chr(b) == "_"))
#: ``bytes.translate`` table: each of them becomes a space, any other byte stays.
_ASCII_GAPS = bytes.maketrans(_ASCII_NON_WORD, b" " * len(_ASCII_NON_WORD))
#: ``bytes.translate`` table: each of them becomes 0, any other byte 1.
_ASCII_WORD_BYTES = bytes(0 if byte in _ASCII_NON_WORD else 1 for byte in range(256))


def _count(text: str) -> int:
    """Words, as ``\\w+`` tokens, Chinese and Japanese characters one by one
    (bodies are compared in this unit).

    Why not just ``findall``: this runs on the body and the final text of
    every page, and ``re`` reads about 40 ns a character.  No word runs
    across an ASCII character that is not ``\\w``, so the text is cut there
    first, in C (:data:`_ASCII_GAPS`): a piece of ASCII letters and digits is
    one word, and only the pieces holding other characters are left to the
    pattern.

    >>> _count("Il pleut à Paris."), _count("東京で雨が降った。"), _count("l’été_2 ÷ x")
    (4, 8, 3)
    """
    if text.isascii():  # most English pages: no piece to look into
        return _ascii_count(text)
    pieces = text.encode("utf-8", "surrogatepass").translate(_ASCII_GAPS).split()
    others = list(itertools.filterfalse(bytes.isascii, pieces))
    if not others:
        return len(pieces)
    rest = b" ".join(others).decode("utf-8", "surrogatepass")
    found = (_COUNTED if _HAS_UNSPACED.search(rest) else _WORD).findall(rest)
    return len(pieces) - len(others) + len(found)


def _ascii_count(text: str) -> int:
    """:func:`_count` of an ASCII text: the runs of ``\\w`` characters.

    Why not ``len(....split())``: that makes a ``bytes`` object per word only
    to count them.  Here each character becomes 1 if it is a word character
    and 0 if not, in C, and numpy counts the words' first characters: a 1
    that starts the text or follows a 0 (a test compares it with the split
    on any ASCII text).  A third of the split's time on an article.

    >>> _ascii_count("It rained, in Paris_2."), _ascii_count(" -- "), _ascii_count("")
    (4, 0, 0)
    """
    word = np.frombuffer(text.encode("ascii").translate(_ASCII_WORD_BYTES), dtype=np.uint8)
    return int(np.count_nonzero(word[1:] > word[:-1])) + int(word[:1].sum())


def _at_least(text: str, words: int) -> bool:
    """Whether ``text`` has ``words`` words or more: reads only that far."""
    return sum(1 for _ in itertools.islice(_COUNTED.finditer(text), words)) >= words


#: Elements trafilatura deletes before it looks for the body (besides scripts).
#: Not <form>, <input> or <footer>: trafilatura's fallbacks and the region
#: text (which drops sign-up forms by their fields) still read those.
_NEVER_BODY = [
    "style",
    "svg",
    "noscript",
    "nav",
    "aside",
    "iframe",
    "button",
    "select",
    "object",
    "embed",
    "video",
    "audio",
    "canvas",
    "picture",
    "map",
    # Metadata was read before: trafilatura drops <head> and <meta> itself, but
    # only after lxml has parsed them (about a tenth of a news page's bytes).
    "meta",
    "link",
    "base",
]


def _lean_html(tree: LexborHTMLParser) -> str:
    """The document without what is never body text, serialised for trafilatura.

    Why: trafilatura deletes scripts, styles, navigation, sidebars, frames
    and form controls itself, but only after lxml has parsed them, and on
    news pages they are most of the bytes.  Serialising the tree selectolax
    has already built costs a fraction of what lxml and trafilatura's pruning
    save (its fast pass runs about a third faster) and the text it extracts
    is the same.  JSON-LD stays: trafilatura reads it (forum threads, and
    ``articleBody`` when a page shows nothing else).  ``tree`` is modified.
    """
    for script in tree.css("script"):
        if "ld+json" not in (script.attributes.get("type") or ""):
            script.decompose()
    tree.strip_tags(_NEVER_BODY)
    _unwrap_layout_tables(tree)
    return tree.html or ""


#: A table is page layout, not data, when a cell holds one of these.
_LAYOUT_CELL = "td h1, td h2, td p ~ p, td table"


def _unwrap_layout_tables(tree: LexborHTMLParser) -> None:
    """Turn tables used for page layout into plain blocks.

    Why: old hand-made sites lay the page out in a table (a navigation column,
    the content cell, a footer row).  Kept as a table, trafilatura runs the
    whole content cell into one line with ``|`` between cells and keeps the
    navigation; as blocks, its usual rules see the headline, the paragraphs
    and the boilerplate.  A table is layout when a cell holds a headline, two
    paragraphs or another table and it has no header cells (``<th>``): data
    tables do not.  Each cell becomes a ``<div>`` with the cell's attributes.
    """
    for table in tree.css("table"):
        if table.parent is None or table.css_first(_LAYOUT_CELL) is None:
            continue
        if table.css_first("th") is not None:
            continue
        for cell in table.css("td"):
            attrs = "".join(
                f' {name}="{html.escape(value or "", quote=True)}"'
                for name, value in cell.attributes.items()
                if name.isidentifier()
            )
            block = LexborHTMLParser(f"<div{attrs}>{cell.inner_html or ''}</div>").css_first("div")
            if block is not None:
                cell.replace_with(block)
        for tag in ("tr", "tbody", "thead", "tfoot"):
            for node in table.css(tag):
                node.unwrap()
        table.unwrap()


def _visible_words(tree: LexborHTMLParser) -> int:
    """Whitespace-separated words of visible text in <body>; strips what is never shown.

    ``str.split`` words rather than ``\\w+``: this runs on every page, on the
    whole page's text, and is only the denominator of a coverage share.
    """
    tree.strip_tags(["script", "template"])
    body = tree.body
    return _split_count(body.text(deep=True, separator=" ")) if body is not None else 0


#: The last code point ``str.isspace`` says is white space (U+3000, the ideographic space).
_LAST_SPACE = 0x3000
#: Is the code point white space, for every code point up to ``_LAST_SPACE + 1``
#: (which stands for all those above: none is).
_IS_SPACE = np.array([chr(c).isspace() for c in range(_LAST_SPACE + 2)], dtype=bool)


def _split_count(text: str) -> int:
    """``len(text.split())``, without building the words.

    Why: the page's visible text is the longest string extraction handles
    (some 15,000 characters and 2,000 words on a news page), and ``split``
    spends most of its time making one string per word, only for them to be
    counted.  Here numpy counts the word starts (a character that is not
    white space, first or after one that is) over the code points, with
    ``str.isspace`` as the definition of white space, as ``split`` has it
    (a test compares them on any text).

    >>> _split_count(" Il\\xa0pleut\\u3000à Paris.\\n"), _split_count("")
    (4, 0)
    """
    if not text:
        return 0
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    space = _IS_SPACE[np.minimum(points, _LAST_SPACE + 1)]
    return int(np.count_nonzero(space[:-1] > space[1:])) + int(not space[0])


#: lxml.html's parser as trafilatura configures it, but with a lookup in C that
#: makes every element an ``HtmlElement``: lxml.html's own lookup is a Python
#: call for each element trafilatura touches, and picks special classes for form
#: controls that trafilatura never uses.  Same text on every benchmark page,
#: the body pass about 5% faster.
_LXML_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
_LXML_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def _lxml_tree(source: str) -> lxml.html.HtmlElement | str:
    """The lean document parsed for trafilatura, without footers (the string
    itself if lxml refuses it)."""
    try:
        tree = lxml.html.document_fromstring(
            source.encode("utf-8", "surrogatepass"), parser=_LXML_PARSER
        )
    except (lxml.etree.ParserError, ValueError) as exc:
        logger.debug("lxml refused the lean document (%s): trafilatura parses it", exc)
        return source
    # trafilatura drops <footer> too, but only after copying and scanning it
    # several times: gone first, its body pass runs ~8% faster, and no text
    # of the 781 benchmark pages changes.  (The region text, which reads the
    # selectolax tree, keeps its footers.)
    lxml.etree.strip_elements(tree, "footer", with_tail=False)
    if any(word in source for word in _COMMENT_WORDS):  # spares most pages the walk
        _drop_comment_sections(tree)
    return tree


#: Comment sections, as trafilatura (2.3) finds them when it runs without
#: comments (``REMOVE_COMMENTS_AND_LISTS_XPATH``): a <div>, <section>,
#: <details> or <list> whose id or class says so, or an <ol> or <ul> whose id
#: (the first pattern alone) or class does.  Same patterns, same ``re.search``
#: that lxml's ``re:test`` runs.
_COMMENTS_ID = re.compile(r"^(?:[Cc]omment(?!ary)|comol)")
_COMMENTS_ID_BLOCK = re.compile(r"^(?:[Cc]omment(?!ary)|comol|disqus_thread|dsq-comments)")
_COMMENTS_CLASS = re.compile(r"^[Cc]omment(?!ary)|(?:article|post)-comments")
_COMMENT_BLOCKS = ("div", "section", "details", "list")
#: Every id or class above holds one of these (``dsq-comments`` included).
_COMMENT_WORDS = ("omment", "comol", "disqus_thread")
#: trafilatura's sign of a forum thread, whose "comments" are the posts.
_FORUM_POSTING = re.compile(
    r'"@type"\s*:\s*"DiscussionForumPosting"|"@type"\s*:\s*\[[^\]]*"DiscussionForumPosting"'
)


def _drop_comment_sections(tree: lxml.html.HtmlElement) -> None:
    """Delete the comment sections trafilatura would delete, before it runs.

    Why: our passes run trafilatura without comments, and the first thing it
    does is delete these sections from the raw tree, but only after copying
    the whole tree and running three XPath prunes over it, whose cost grows
    with every element.  A news page's comment thread is often a third of
    its elements: deleted here first, with one walk and a regex per
    candidate, the body pass costs 5% less and its text is the same (every
    page of the extraction benchmarks and of the crawl bench's site).

    Exactly trafilatura's deletions, in its order: nothing on a forum thread
    (JSON-LD ``DiscussionForumPosting``), where trafilatura keeps them as
    the posts; and not a section holding an <h1>, since trafilatura's
    infinite-scroll prune, which runs first, asks whether its container
    holds one.  Tails are kept, by trafilatura's own ``delete_element``.
    """
    found = [
        element
        for element in tree.iter(*_COMMENT_BLOCKS, "ol", "ul")
        if _COMMENTS_CLASS.search(element.get("class") or "")
        or (_COMMENTS_ID_BLOCK if element.tag in _COMMENT_BLOCKS else _COMMENTS_ID).search(
            element.get("id") or ""
        )
    ]
    if not found:
        return
    for script in tree.iter("script"):
        text = script.text
        if script.get("type") == "application/ld+json" and text and _FORUM_POSTING.search(text):
            return
    for element in found:
        if element.find(".//h1") is None:
            delete_element(element)


#: PROCESS-WIDE CACHE (on purpose): one trafilatura ``Extractor`` per
#: combination of flags, at most eight.  Its fields depend only on the flags
#: and trafilatura's default settings file, which is read once at import.
@functools.cache
def _extractor_template(fast: bool, tables: bool, formatting: bool) -> Extractor:
    # bare_extraction's defaults, and our passes' settings: no comments, no metadata
    return Extractor(
        output_format="python",
        fast=fast,
        comments=False,
        formatting=formatting,
        tables=tables,
        with_metadata=False,
    )


def _extractor(url: str | None, fast: bool, tables: bool, formatting: bool) -> Extractor:
    """trafilatura's options for one pass, as ``bare_extraction`` would build them.

    Why not let it build them: ``Extractor.__init__`` reads nine values out of
    a ``ConfigParser`` (and formats today's date for the date search, which
    passes without metadata never read), about 40 µs a pass.  A copy of the
    template costs a tenth; only ``url`` and ``source`` differ between pages
    (a test compares every field with a freshly built ``Extractor``).  A copy,
    not the template: trafilatura may keep the object it is given.
    """
    options = copy.copy(_extractor_template(fast, tables, formatting))
    options.url = url
    # what Extractor.__init__ makes of url (the source, for its log messages)
    options.source = url.encode("utf-8", "replace").decode("utf-8") if url else None
    return options


def _trafilatura(
    source: str, url: str | None, include_tables: bool, fast: bool, formatting: bool = False
) -> Document | None:
    """One trafilatura pass over the lean document (parsed by :func:`_lxml_tree`)."""
    try:
        doc = trafilatura.bare_extraction(
            _lxml_tree(source),
            url=url,
            options=_extractor(url, fast, include_tables, formatting),
        )
    except (ValueError, TypeError, RecursionError) as exc:
        raise ExtractionError(f"trafilatura failed on the document: {exc}") from exc
    return doc if isinstance(doc, Document) else None


def _body_text(source: str, url: str | None, include_tables: bool, fast: bool) -> str:
    """trafilatura's body text ('' when it finds none), one block per line."""
    doc = _trafilatura(source, url, include_tables, fast)
    return (doc.text or "") if doc is not None else ""


def _fuller(source: str, url: str | None, opts: ExtractConfig, fast_words: int) -> str | None:
    """trafilatura's full pass, when it finds clearly more than the fast one."""
    fuller = _body_text(source, url, opts.include_tables, fast=False)
    return fuller if _count(fuller) > FALLBACK_GAIN * fast_words else None


def _choose_body(
    source: str, url: str | None, tree: LexborHTMLParser, kind: PageType, opts: ExtractConfig
) -> tuple[str, str]:
    """The body text and where it came from (``fast``, ``full`` or ``region``).

    ``source`` is the lean document (:func:`_lean_html`) and ``tree`` its
    selectolax tree, which is consumed: the page's chrome is stripped from it.
    """
    fast = _body_text(source, url, opts.include_tables, fast=True)
    fast_words = _count(fast)
    visible = _visible_words(tree)
    coverage = fast_words / visible if visible else 1.0
    suspect = coverage < SUSPECT_BELOW
    walled = consent_share(fast) > CONSENT_SHARE
    listing = (
        (kind.listing or kind.listing_url)
        and not (kind.declared_article or kind.product)
        and coverage < LISTING_BELOW
    )
    if not (suspect or walled or listing):
        return fast, _FAST
    region = region_text(tree)
    region_words = _count(region)
    if walled and region_words and consent_share(region) <= CONSENT_SHARE:
        return region, _REGION  # trafilatura kept a consent dialog; the region drops it
    if not suspect:  # a listing whose items trafilatura dropped for a stray block
        return (region, _REGION) if region_words > fast_words else (fast, _FAST)
    if kind.forum:
        # trafilatura's full pass knows threads (DiscussionForumPosting) and,
        # unlike the region, leaves out each post's author, date and number
        fuller = _fuller(source, url, opts, fast_words)
        if fuller is not None:
            return fuller, _FULL
    if prefers_region(kind, fast_words, region_words):
        logger.debug("body from the main region (%s)", kind)
        return region, _REGION
    if coverage < FALLBACK_BELOW and not kind.forum:
        fuller = _fuller(source, url, opts, fast_words)
        if fuller is not None:
            return fuller, _FULL
    return fast, _FAST


def _markdown(source: str, url: str | None, include_tables: bool, fast: bool) -> str | None:
    """The body as Markdown (a second, formatting-preserving pass; only when asked)."""
    doc = _trafilatura(source, url, include_tables, fast, formatting=True)
    return xmltotxt(doc.body, True) if doc is not None else None


#: A line that is only a count and a word or two: "3 likes", "12 replies".
_COUNTER = re.compile(r"\d[\d.,]*\s+[^\W\d]+(?:[- ][^\W\d]+){0,2}")


def _drop_counters(paragraphs: list[str]) -> list[str]:
    """Drop the reaction counters a forum prints under each post.

    Why: in a thread every post ends with "3 likes" or "1 reply"; they are
    widgets, not what anyone wrote.  Only applied to declared forum threads,
    where such a line is never a sentence of the post.

    >>> _drop_counters(["Check the rim first.", "3 likes", "12 vind-ik-leuks", "I had 3 bikes."])
    ['Check the rim first.', 'I had 3 bikes.']
    """
    return [p for p in paragraphs if _COUNTER.fullmatch(p) is None]


def _to_paragraphs(text: str) -> list[str]:
    """trafilatura's text has one block per line; we want one per paragraph."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def _choose_language(
    declared: str | None, text: str, opts: ExtractConfig
) -> tuple[str | None, str | None]:
    """A confident detection wins over a template's ``lang``; else the declared one.

    A short sample is read first; only an unsure guess reads the longer one.
    """
    if opts.detect_language:
        found = detect_language(text[: opts.language_sample])
        if found is None and len(text) > opts.language_sample:
            found = detect_language(text)
        if found is not None:
            return found, "detected"
    if declared:
        return declared, "declared"
    return None, None


def decode_html(html: str | bytes, encoding: str | None = None) -> str:
    """The document as ``str``: bytes are decoded as the fetcher decodes them, with
    ``encoding`` (the fetcher's verdict) as the declared one, else by sniffing.

    The same rules as the fetcher's, not a bare ``bytes.decode``: a UTF-8 page
    with a stray legacy byte, or a BOM in front of legacy bytes, reads right.

    >>> decode_html(b"\\xef\\xbb\\xbf" + "Правительство России".encode("cp1251"), "cp1251")
    'Правительство России'
    """
    if isinstance(html, str):
        return html
    declared = f"text/html; charset={encoding}" if encoding else None
    return decode_document(html, declared)[0]


def extract_article(
    html: str | bytes, url: str | None, config: Config, *, encoding: str | None = None
) -> Article:
    """Extract the article of ``html``; raise :class:`NoArticleError` when there is none."""
    return article_from_tree(parse_document(decode_html(html, encoding)), url, config)


def parse_document(source: str) -> LexborHTMLParser:
    """The selectolax tree of a decoded document, for :func:`article_from_tree`.

    Raises :class:`NoArticleError` for an empty document and
    :class:`ExtractionError` for one selectolax refuses.
    """
    if not source.strip():
        raise NoArticleError("the document is empty")
    try:
        return LexborHTMLParser(source)
    except (ValueError, TypeError) as exc:  # selectolax refuses some inputs (NUL-only...)
        raise ExtractionError(f"cannot parse the document: {exc}") from exc


def article_from_tree(tree: LexborHTMLParser, url: str | None, config: Config) -> Article:
    """The article of a parsed document (:func:`parse_document`); ``tree`` is consumed.

    Why a separate step: a crawl reads the page's links from the same tree
    first (a parse saved per page), then hands it over; nothing may use the
    tree afterwards, since the chrome is stripped from it.
    """
    meta = extract_metadata(tree, url)
    opts = config.extract
    headlines = _headline_forms(tree, meta)
    kind = page_type(tree, url)
    login_form = has_login_form(tree)
    lean = _lean_html(tree)
    body, origin = _choose_body(lean, url, tree, kind, opts)
    paragraphs = _drop_leading_headline(_to_paragraphs(body), headlines)
    if kind.forum:
        paragraphs = _drop_counters(paragraphs)
    text = "\n\n".join(paragraphs)
    if not _at_least(text, opts.min_words) or looks_like_wall(text, login_form=login_form):
        raise NoArticleError(
            f"no article found ({_count(text)} words of body text)"
            + (f" at {url}" if url else "")
            + "; the page may need JavaScript, a consent or a login",
            metadata={
                "url": url,
                "canonical_url": meta.canonical_url,
                "title": meta.title,
                "author": meta.author,
                "date": meta.date,
                "language": meta.language,
                "sitename": meta.sitename,
                "description": meta.description,
            },
        )
    language, language_source = _choose_language(meta.language, text, opts)
    markdown = None
    if opts.markdown:
        if origin == _REGION:  # plain blocks: there is no markup to render
            markdown = text
        else:
            rendered = _markdown(lean, url, opts.include_tables, fast=origin == _FAST) or ""
            markdown = "\n".join(_drop_leading_headline(rendered.split("\n"), headlines))
    if opts.clean:
        text = cleaners.clean(text, language, title=meta.title, config=config.clean)
        if markdown is not None:
            markdown = cleaners.clean(markdown, language, title=meta.title, config=config.clean)
    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=meta.title,
        author=meta.author,
        date=meta.date,
        language=language,
        sitename=meta.sitename,
        description=meta.description,
        text=text,
        date_published=meta.date_published,
        date_modified=meta.date_modified,
        image=meta.image,
        tags=meta.tags,
        categories=meta.categories,
        word_count=_count(text),
        markdown=markdown,
        language_source=language_source,
    )
