"""How the body is chosen: page types, the main-region text, walls, the lean document.

Small pages written here, one behaviour each (scraper/extraction/region.py,
pagetype.py, walls.py and the choice in article.py).
"""

from __future__ import annotations

import dataclasses

import pytest
from selectolax.lexbor import LexborHTMLParser

import scraper
from scraper.config import Config, ExtractConfig
from scraper.extraction import article
from scraper.extraction.pagetype import PageType, page_type, prefers_region
from scraper.extraction.region import region_text, tidy_lines
from scraper.extraction.walls import consent_share, has_login_form, looks_like_wall

NO_CLEAN = Config(extract=ExtractConfig(clean=False))

MUGS = [
    ("Red enamel mug", "A sturdy camping mug that survives every trip to the lake.", "$12"),
    ("Blue stoneware mug", "Thrown by hand and glazed twice for a deep ocean colour.", "$18"),
    ("Green travel mug", "Keeps coffee hot for six hours on the busiest commute.", "$24"),
    ("White porcelain mug", "Thin walls and a wide handle for slow Sunday mornings.", "$15"),
    ("Black matte mug", "A heavy base that never tips over on a cluttered desk.", "$16"),
    ("Yellow kids mug", "Unbreakable, light and just the right size for cocoa.", "$9"),
    ("Striped tea mug", "Comes with a steel infuser that fits snugly inside.", "$21"),
    ("Grey espresso cup", "A double-walled glass that shows off every layer of crema.", "$11"),
    ("Pink latte bowl", "Wide enough for a croissant dip and a generous foam heart.", "$19"),
    ("Copper moscow mug", "Lined with steel so the lime never tastes of metal.", "$27"),
    ("Orange soup mug", "A mug with a spoon rest that doubles as a small bowl.", "$14"),
    ("Purple giant mug", "Holds a full litre for those long winter reading nights.", "$22"),
]


def listing_page(*, url_hint: str = "", head: str = "") -> str:
    """A shop's collection page: menu, one promo sentence, twelve product cards, footer."""
    cards = "".join(
        f'<div class="card"><h3><a href="/p/{i}">{name}</a></h3>'
        f'<div class="blurb">{blurb}</div><span class="price">{price}</span>'
        f'<span class="label">Quick shop</span></div>'
        for i, (name, blurb, price) in enumerate(MUGS)
    )
    menu = "".join(f'<li><a href="/c/{i}">Section {i}</a></li>' for i in range(12))
    return (
        f"<html><head><title>Mugs</title>{head}</head><body>"
        f"<header><ul>{menu}</ul></header>"
        '<div class="promo"><p>Free shipping on every order over fifty dollars, this week '
        "only, for all customers in the country, with no code needed at checkout.</p></div>"
        f'<main><h1>Mugs</h1><div class="grid">{cards}</div></main>'
        "<footer><p>Copyright the mug shop, all rights reserved.</p></footer>"
        f"</body></html>{url_hint}"
    )


NEWS_PARAGRAPHS = [
    "The city council voted on Tuesday evening to close the old swimming pool at the end "
    "of the summer season, after an engineering report found cracks in its foundations.",
    "Repairs would have cost more than a new building, the report said, and the pool has "
    "been losing visitors to the leisure centre on the other side of the river for years.",
    "A new pool is planned on the site of the former bus depot, with construction expected "
    "to begin next spring if the regional government approves the funding request.",
    "Swimming clubs will train at the leisure centre in the meantime, and the council has "
    "promised extra evening slots so that no club has to reduce its training hours.",
]


def news_page() -> str:
    """A declared news article with a menu and a footer."""
    body = "".join(f"<p>{p}</p>" for p in NEWS_PARAGRAPHS)
    menu = "".join(f'<li><a href="/s/{i}">Section {i}</a></li>' for i in range(8))
    return (
        '<html><head><meta property="og:type" content="article">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Council closes the old pool"}</script></head><body>'
        f"<nav><ul>{menu}</ul></nav><article><h1>Council closes the old pool</h1>{body}"
        "</article><footer>Contact us</footer></body></html>"
    )


# ---- region.py ----------------------------------------------------------------


def test_region_drops_chrome_and_keeps_items():
    text = region_text(LexborHTMLParser(listing_page()))
    assert text.split("\n")[:4] == ["Mugs", "Red enamel mug", MUGS[0][1], "$12"]
    for name, _, _ in MUGS:
        assert name in text
    assert "Section 3" not in text  # page header (a menu)
    assert "Copyright" not in text  # page footer
    assert "Free shipping" not in text  # outside <main>, which holds most of the page


def test_region_keeps_headers_inside_articles():
    cards = "".join(
        f'<article><header><h2><a href="/{i}">Story number {i}</a></h2></header>'
        f"<p>Short summary of story {i}.</p></article>"
        for i in range(4)
    )
    text = region_text(LexborHTMLParser(f"<body><header>Site</header>{cards}</body>"))
    assert "Story number 2" in text
    assert "Site" not in text


@pytest.mark.parametrize(
    "box",
    [
        '<div id="cookie-banner">We use cookies to measure traffic.</div>',
        '<div class="newsletter-signup">Get our weekly letter.</div>',
        '<div style="display: none">A hidden menu panel.</div>',
        '<div class="d-none">A hidden menu panel.</div>',
        '<div aria-hidden="true">Decorative text.</div>',
        '<form><input type="email"><p>Subscribe for deals.</p></form>',
        '<div role="dialog">Choose your country.</div>',
    ],
)
def test_region_drops_boxes_that_are_not_content(box: str):
    html = f"<body><p>The harbour reopens on Monday after the storm repairs.</p>{box}</body>"
    assert region_text(LexborHTMLParser(html)) == (
        "The harbour reopens on Monday after the storm repairs."
    )


def test_region_keeps_the_content_a_script_will_show():
    # The whole page sits in a box hidden until a script reveals it: keep it.
    html = (
        '<body><div style="display:none"><h1>Coffee</h1><p>Dark roast, twelve ounces, '
        "ground for drip machines and French presses alike.</p></div><p>Menu</p></body>"
    )
    assert "Dark roast" in region_text(LexborHTMLParser(html))


def test_region_of_an_empty_document():
    assert region_text(LexborHTMLParser("")) == ""


def test_tidy_lines_keeps_prices_and_unique_lines():
    lines = ["Mug", "Add to cart", "$9", "Cup", "Add to cart", "$7", "Bowl", "Add to cart", "$8"]
    assert tidy_lines(lines) == ["Mug", "$9", "Cup", "$7", "Bowl", "$8"]
    assert tidy_lines(["One", "Two", "One"]) == ["One", "Two"]
    assert tidy_lines([]) == []


# ---- pagetype.py --------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "field"),
    [
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "BlogPosting"}]}</script>',
            "article",
        ),
        ('<script type="application/ld+json">{"@type": ["Product", "Thing"]}</script>', "product"),
        ('<meta property="og:type" content="product">', "product"),
        (
            '<script type="application/ld+json">{"@type": "DiscussionForumPosting"}</script>',
            "forum",
        ),
        ('<script type="application/ld+json">{"@type": "ItemList"}</script>', "listing"),
        ('<meta property="og:type" content="product.group">', "listing"),
        ('<meta property="og:type" content="article">', "og_article"),
    ],
)
def test_page_type_reads_declarations(head: str, field: str):
    kind = page_type(LexborHTMLParser(f"<html><head>{head}</head><body></body></html>"), None)
    flags = dataclasses.asdict(kind)
    assert flags.pop(field) is True
    assert not any(flags.values())


def test_page_type_reads_microdata_and_url():
    html = '<body><div itemscope itemtype="https://schema.org/Product"></div></body>'
    assert page_type(LexborHTMLParser(html), None).product
    assert page_type(LexborHTMLParser(html), "https://x.example/tag/rust/").listing_url
    assert not page_type(LexborHTMLParser(html), "https://x.example/2024/tagliatelle").listing_url


def test_page_type_survives_broken_json_ld():
    html = '<head><script type="application/ld+json">{"@type": "Art</script></head>'
    assert page_type(LexborHTMLParser(html), None) == PageType()


def test_prefers_region_weighs_declarations_and_length():
    plain = PageType()
    assert prefers_region(plain, 30, 600)
    assert not prefers_region(plain, 3000, 4000)
    assert not prefers_region(PageType(article=True, og_article=True), 150, 600)
    assert not prefers_region(PageType(product=True), 200, 800)
    longer = [prefers_region(plain, n, 900) for n in (10, 100, 400, 1000, 3000)]
    assert longer == sorted(longer, reverse=True)  # longer fast bodies never tip to the region


# ---- walls.py -----------------------------------------------------------------


def test_consent_share_and_login_walls():
    assert consent_share("") == 0.0
    assert consent_share("The council met on Monday.") == 0.0
    assert consent_share("Accept all cookies\nThe council met on Monday.") == pytest.approx(0.375)
    tree = LexborHTMLParser('<form><input type="password"></form>')
    assert has_login_form(tree)
    assert looks_like_wall("Log in to read the rest.", login_form=True)
    assert not looks_like_wall("Log in to read the rest.", login_form=False)


# ---- the choice in article.py -------------------------------------------------


def test_listing_page_gets_its_items():
    art = scraper.extract(listing_page(), "https://shop.example/collections/mugs", config=NO_CLEAN)
    for name, blurb, _ in MUGS:
        assert name in art.text
        assert blurb in art.text
    assert "Section 4" not in art.text
    assert "Quick shop" not in art.text


def test_news_article_keeps_the_article_body():
    art = scraper.extract(news_page(), "https://news.example/2024/05/pool", config=NO_CLEAN)
    assert art.text == "\n\n".join(NEWS_PARAGRAPHS)


def test_consent_dialog_is_not_the_body():
    items = "".join(
        f"<li><h3><a href='/job/{i}'>{name}</a></h3><p>{blurb}</p></li>"
        for i, (name, blurb, _) in enumerate(MUGS)
    )
    dialog = (
        '<div class="privacy-dialog"><p>We and our partners use cookies to personalise '
        "content and ads, to provide social media features and to analyse our traffic. "
        "You can accept all cookies or manage your privacy settings at any time, and you can "
        "withdraw your consent whenever you like from the link at the bottom of each page. "
        "Some partners process data on the basis of legitimate interest, which you can "
        "object to in the consent settings. Read our cookie policy for the full list.</p></div>"
    )
    html = f"<html><body>{dialog}<main><ul class='results'>{items}</ul></main></body></html>"
    art = scraper.extract(html, "https://jobs.example/", config=NO_CLEAN)
    assert "cookies" not in art.text
    assert MUGS[5][0] in art.text


def test_lean_html_keeps_json_ld_and_drops_scripts():
    tree = LexborHTMLParser(
        "<html><head><script>var a = 1;</script><style>p {}</style>"
        '<script type="application/ld+json">{"@type": "NewsArticle"}</script></head>'
        "<body><svg><text>icon</text></svg><noscript>Enable JS</noscript><p>Text</p></body>"
        "</html>"
    )
    lean = article._lean_html(tree)
    assert "NewsArticle" in lean
    assert "var a" not in lean
    assert "icon" not in lean
    assert "Enable JS" not in lean
    assert "<p>Text</p>" in lean


def test_language_reads_a_longer_sample_when_the_short_one_is_unsure():
    opts = ExtractConfig(language_sample=40)
    text = "12 34 56 78 90 " * 3 + " ".join(NEWS_PARAGRAPHS)
    assert article._choose_language(None, text, opts) == ("en", "detected")
    off = dataclasses.replace(opts, detect_language=False)
    assert article._choose_language("it", text, off) == ("it", "declared")


POSTS = [
    "My rear wheel keeps rubbing since I fitted new brake pads on Saturday, even after I "
    "adjusted the cable tension and the spring screws on both arms of the brake.",
    "A rub at one spot on every turn means the rim is out of true. New pads are thicker, so "
    "they touch the rim where the old worn ones never did; have the wheel trued.",
    "Also check the arrows on the pads: most of them must point forward, in the direction "
    "the wheel turns, or they drag on the rim as soon as you start braking.",
    "Thanks both! It was the rim, almost two millimetres out. The shop trued the wheel for "
    "fifteen euros and it runs silently again; the pads were the right way round.",
]


def forum_page() -> str:
    """A thread as forum software serves it: posts in DiscussionForumPosting microdata."""
    first, *replies = POSTS
    comments = "".join(
        f'<div itemprop="comment" itemscope itemtype="https://schema.org/Comment" class="comment">'
        f'<span itemprop="author">user{i}</span><time>12 March 2024</time>'
        f'<div itemprop="text"><p>{text}</p></div><div class="likes">{i} likes</div></div>'
        for i, text in enumerate(replies, start=2)
    )
    return (
        "<html><head><title>Rear wheel rubbing</title></head><body>"
        '<div itemscope itemtype="https://schema.org/DiscussionForumPosting">'
        '<h1 itemprop="headline">Rear wheel rubbing after new pads</h1>'
        f'<div class="post"><span itemprop="author">wim</span>'
        f'<div itemprop="articleBody"><p>{first}</p></div></div>{comments}</div>'
        "</body></html>"
    )


def test_forum_thread_keeps_the_replies_without_counters():
    art = scraper.extract(forum_page(), "https://forum.example/t/rear-wheel/1", config=NO_CLEAN)
    for post in POSTS:
        assert post in art.text
    assert "likes" not in art.text


def test_markdown_follows_the_chosen_body():
    config = Config(extract=ExtractConfig(clean=False, markdown=True))
    art = scraper.extract(listing_page(), "https://shop.example/collections/mugs", config=config)
    assert art.markdown == art.text
    news = scraper.extract(news_page(), "https://news.example/2024/05/pool", config=config)
    assert news.markdown is not None
    assert NEWS_PARAGRAPHS[0] in news.markdown
