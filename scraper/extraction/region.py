"""The visible text of a page's main region, without the site's chrome.

Why: trafilatura looks for *one* article and keeps the block of prose it
finds.  On a category page, a list of search results, a service page or a
shop's collection, the content is a run of short item blocks (titles, blurbs,
prices) that its link-density and length tests throw away, so it returns a
banner or a promotion instead.  For such pages the better body is what a
reader sees in the middle of the page: everything visible, minus navigation,
header, footer, dialogs, consent banners, hidden elements and the forms that
ask for an e-mail, a password or a search term.

The text comes out one block per line; :func:`tidy_lines` then drops the
copies a card layout repeats (the same title three times in one card) and
the short labels every card carries ("Quick shop", "Add to cart").

Only pages whose trafilatura body looks wrong come here (see ``article.py``):
this is the slower, broader candidate, not the default.
"""

from __future__ import annotations

import re
from collections import Counter

from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = ["region_text", "tidy_lines"]

#: Elements whose text is never body text (removed with their content).
_NOT_TEXT = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "canvas",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "dialog",
    "map",
    "audio",
    "video",
    "picture",
]

#: Page chrome by element or ARIA role, and what assistive technology is told to skip.
_CHROME = (
    "nav, aside, [role=navigation], [role=banner], [role=contentinfo], [role=complementary],"
    " [role=dialog], [role=alertdialog], [role=search], [role=menu], [role=menubar],"
    " [role=tablist], [aria-hidden=true], [hidden], [aria-modal=true]"
)

#: Forms with one of these fields sign people up, in, or search: not content.
_FORM_FIELDS = (
    "input[type=email], input[type=password], input[type=search],"
    " input[name=q], input[name=s], input[name=email]"
)

#: Class or id words of consent banners, newsletter boxes, breadcrumbs, pop-ups and
#: "related products" shelves.  Whole words of the name only (``cookie-banner``
#: matches, ``cookiecutter-docs`` does not): a loose match would delete content.
_CHROME_NAMES = (
    "cookies?",
    "consent",
    "gdpr",
    "onetrust",
    "didomi",
    "usercentrics",
    "cookiebot",
    "newsletter",
    "breadcrumbs?",
    "popup",
    "modal",
    "related",
    "recommendations?",
    "upsell",
    "cross-sell",
    "recently-viewed",
)
_CHROME_WORDS = re.compile(
    r"(?:^|[-_\s])(" + "|".join(_CHROME_NAMES) + r")(?:$|[-_\s])",
    re.IGNORECASE,
)
#: The same words as a selector, so that lexbor picks the candidates in C.
_CHROME_CANDIDATES = ", ".join(
    f'[class*="{root}" i], [id*="{root}" i]'
    for root in (name.removesuffix("s?") for name in _CHROME_NAMES)
)

#: Class words that hide an element (Bootstrap, Tailwind and common CMS themes).
_HIDDEN_CLASSES = frozenset({"hidden", "d-none", "is-hidden", "hide", "invisible", "u-hidden"})
#: Elements that may be hidden, picked in C; :func:`_is_hidden` decides.
_HIDDEN_CANDIDATES = '[style*="none" i], [style*="hidden" i], ' + ", ".join(
    f".{name}" for name in sorted(_HIDDEN_CLASSES)
)

#: A list of this many single short links is a menu, not a list of items.
_MENU_MIN_ITEMS = 5
#: ... where "short" means at most this many words.
_MENU_MAX_WORDS = 4

#: <main> is the region when it holds at least this share of the body's words.
_MAIN_SHARE = 0.5

#: A line repeated within this many lines is a card repeating itself.
_REPEAT_WINDOW = 8
#: A short line (at most this many words, no digits)...
_LABEL_MAX_WORDS = 3
#: ... seen this many times on the page is a template label.
_LABEL_MIN_REPEATS = 3

_WORD = re.compile(r"\w+")


def _words(node: LexborNode) -> int:
    return len(node.text(deep=True, separator=" ").split())


def _inside(node: LexborNode, tags: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


def _remove(nodes: list[LexborNode]) -> None:
    """Decompose ``nodes`` deepest first, so no node is touched after its ancestor is freed."""
    for node in reversed(nodes):
        node.decompose()


def _is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    style = (attrs.get("style") or "").replace(" ", "").casefold()
    if "display:none" in style or "visibility:hidden" in style:
        return True
    return not _HIDDEN_CLASSES.isdisjoint((attrs.get("class") or "").casefold().split())


def _is_menu(node: LexborNode) -> bool:
    """A list whose every item is one short link: site navigation without a <nav>."""
    items = [child for child in node.iter() if child.tag == "li"]
    if len(items) < _MENU_MIN_ITEMS:
        return False
    for item in items:
        links = item.css("a")
        if len(links) != 1:
            return False
        words = _words(item)
        if words > _MENU_MAX_WORDS or words != _words(links[0]):
            return False
    return True


def _is_chrome_box(node: LexborNode) -> bool:
    if node.tag in ("body", "html", "main", "article"):
        return False
    attrs = node.attributes
    names = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return _CHROME_WORDS.search(names) is not None


def _strip_chrome(body: LexborNode) -> None:
    _remove(body.css(_CHROME))
    # A page's <header>/<footer> is chrome; inside an <article> or <main> it
    # holds an item's title or byline.
    _remove([n for n in body.css("header, footer") if not _inside(n, ("article", "main"))])
    # Hidden boxes are menus, pop-ups and other states of a widget; but a box
    # holding most of the page is the content itself, shown by a script.
    most = _MAIN_SHARE * _words(body)
    _remove([n for n in body.css(_HIDDEN_CANDIDATES) if _is_hidden(n) and _words(n) < most])
    _remove([n for n in body.css("ul, ol") if _is_menu(n)])
    _remove([n for n in body.css(_CHROME_CANDIDATES) if _is_chrome_box(n)])


def tidy_lines(lines: list[str]) -> list[str]:
    """Drop lines a card layout repeats: near copies and short template labels.

    Why: a product card often prints its title two or three times (image alt
    text, link, heading) and every card carries the same labels ("Quick
    shop", "Regular price").  Counted as words, both bury the items.

    >>> tidy_lines(["Red mug", "Red mug", "Quick shop", "$9", "Blue mug", "Quick shop",
    ...             "$12", "Green mug", "Quick shop", "$7"])
    ['Red mug', '$9', 'Blue mug', '$12', 'Green mug', '$7']
    """
    counts = Counter(lines)

    def is_label(line: str) -> bool:
        return (
            counts[line] >= _LABEL_MIN_REPEATS
            and len(_WORD.findall(line)) <= _LABEL_MAX_WORDS
            and not any(ch.isdigit() for ch in line)
        )

    kept: list[str] = []
    for line in lines:
        if not is_label(line) and line not in kept[-_REPEAT_WINDOW:]:
            kept.append(line)
    return kept


def region_text(tree: LexborHTMLParser) -> str:
    """The page's visible main-region text, one block per line ('' when there is none).

    ``tree`` is modified (chrome removed): pass a tree nobody reads afterwards.

    >>> html = ('<body><nav><a href="/">Home</a></nav><main><h1>Mugs</h1>'
    ...         '<div class="card"><a href="/r">Red mug</a><span>$9</span></div>'
    ...         '<div class="card"><a href="/b">Blue mug</a><span>$12</span></div></main>'
    ...         '<div class="cookie-banner">We use cookies</div></body>')
    >>> region_text(LexborHTMLParser(html)).split("\\n")
    ['Mugs', 'Red mug', '$9', 'Blue mug', '$12']
    """
    body = tree.body
    if body is None:
        return ""
    _remove([form for form in body.css("form") if form.css_first(_FORM_FIELDS) is not None])
    tree.strip_tags(_NOT_TEXT)
    _strip_chrome(body)
    root = body
    main = body.css_first("main, [role=main]")
    if main is not None and _words(main) >= _MAIN_SHARE * _words(body):
        root = main
    lines = [line.strip() for line in root.text(deep=True, separator="\n").split("\n")]
    return "\n".join(tidy_lines([line for line in lines if _WORD.search(line)]))
