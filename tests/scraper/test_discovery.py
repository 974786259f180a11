"""Discovery: page links, robots directives, sitemaps and feeds, hostile input included.

All pure and fast: bytes and parsed trees in, frozen dataclasses or a typed
error out.  Fixtures are in ``fixtures/crawl/``; bombs are built in memory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import re
import time
import types
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from scraper.crawling import _xml, discovery, feeds, links, sitemaps
from scraper.crawling.discovery import (
    MAX_LINKS_PER_PAGE,
    FeedError,
    FeedTooLarge,
    Sitemap,
    SitemapEntry,
    SitemapWalk,
    discover_feeds,
    extract_links,
    parse_feed,
    parse_sitemap,
    robots_directives,
    sitemap_urls_from_robots,
    usual_sitemap_urls,
)
from scraper.crawling.urls import normalize_url
from scraper.errors import ExtractionError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "crawl"
UTC = dt.UTC


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def page(html: str, url: str = "https://news.example.com/world/index.html"):
    return extract_links(LexborHTMLParser(html), url)


# --- links -------------------------------------------------------------------------


def test_links_of_the_fixture_page():
    found = extract_links(
        LexborHTMLParser(fixture("page_links.html").decode()),
        "https://news.example.com/world/index.html?ref=home",
    )
    assert found.base == "https://news.example.com/world/"  # <base href> wins
    assert found.links == (
        "https://news.example.com/",
        "https://news.example.com/world/story-1.html",  # + tracked and fragment duplicates
        "https://news.example.com/sport/",
        "https://cdn.example.net/video/42",
        "https://news.example.com/world/story-2.html?a=1&b=2",
        "https://news.example.com/maps/region?id=3",  # <area>
        "https://xn--bcher-kva.example/katalog",
        "http://news.example.com/old/",
    )
    assert found.canonical == "https://news.example.com/world/"
    assert found.feeds == (
        "https://news.example.com/world/feed/",
        "https://news.example.com/world/atom.xml",
        "https://news.example.com/world/feed.json",
    )
    assert found.robots == frozenset({"noarchive"})  # "otherbot: noindex" is not for us
    assert not found.noindex and not found.nofollow and not found.truncated


def test_non_http_links_are_dropped():
    found = page(
        '<a href="javascript:void(0)">a</a><a href=" JAVASCRIPT:alert(1)">b</a>'
        '<a href="mailto:x@example.com">c</a><a href="data:text/html,x">d</a>'
        '<a href="file:///etc/passwd">e</a><a href="tel:123">f</a><a href="ftp://e.com/">g</a>'
        '<a href="/ok">ok</a>'
    )
    assert found.links == ("https://news.example.com/ok",)


def test_nofollow_links_and_pages():
    found = page(
        '<a href="/a" rel="nofollow">a</a><a href="/b" rel="external NOFOLLOW">b</a>'
        '<a href="/c" rel="noopener">c</a>'
    )
    assert found.links == ("https://news.example.com/c",)
    assert found.follow_links() == found.links
    assert found.follow_links(robots_directives("nofollow")) == ()
    none = page('<meta name="robots" content="none"><a href="/c">c</a>')
    assert none.robots == frozenset({"noindex", "nofollow"})
    assert none.links == ("https://news.example.com/c",) and none.follow_links() == ()


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta name="robots" content="noindex, nofollow">', {"noindex", "nofollow"}),
        ('<meta name="ROBOTS" content="NoIndex">', {"noindex"}),
        ('<meta name="tidyscrape" content="nofollow">', {"nofollow"}),
        ('<meta name="TidyScrape" content="none">', {"noindex", "nofollow"}),
        ('<meta name="googlebot" content="noindex">', set()),
        ('<meta name="robots" content="index, follow, max-snippet:-1">', set()),
        (
            '<meta name="robots" content="noindex"><meta name="tidyscrape" content="nofollow">',
            {"noindex", "nofollow"},
        ),
        ('<meta name="robots">', set()),
    ],
)
def test_meta_robots(meta, expected):
    assert page(f"<head>{meta}</head><body></body>").robots == expected


def test_meta_robots_for_another_agent():
    tree = LexborHTMLParser('<meta name="mybot" content="noindex">')
    assert extract_links(tree, "https://a.example/", agent="MyBot/2.0 (+https://x)").noindex
    assert not extract_links(tree, "https://a.example/").noindex


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, set()),
        ("", set()),
        ("noindex", {"noindex"}),
        ("NOINDEX, NoFollow", {"noindex", "nofollow"}),
        ("none", {"noindex", "nofollow"}),
        ("all", set()),
        ("tidyscrape: noindex", {"noindex"}),
        ("googlebot: noindex", set()),
        ("googlebot: nofollow, tidyscrape: noindex, noarchive", {"noindex", "noarchive"}),
        ("otherbot: noindex, nofollow", set()),  # both belong to otherbot
        ("unavailable_after: 25 Jun 2010 15:00:00 PST, noindex", {"noindex"}),
        ("max-snippet: 20, nosnippet", {"nosnippet"}),
        (["googlebot: noindex", "nofollow"], {"nofollow"}),  # separate header lines
        (["tidyscrape: none"], {"noindex", "nofollow"}),
    ],
)
def test_x_robots_tag(header, expected):
    assert (
        robots_directives(header, "tidyscrape/0.1 (+https://pypi.org/project/tidyscrape/)")
        == expected
    )


def test_base_href_rules():
    # only the first <base> counts; a relative one resolves against the page
    found = page('<base href="../archive/"><base href="https://evil.example/"><a href="x">x</a>')
    assert found.base == "https://news.example.com/archive/"
    assert found.links == ("https://news.example.com/archive/x",)
    # a javascript: base is ignored
    assert page('<base href="javascript:alert(1)"><a href="x">x</a>').links == (
        "https://news.example.com/world/x",
    )


def test_canonical():
    assert page('<link rel="canonical" href="/world/a?utm_source=x#c">').canonical == (
        "https://news.example.com/world/a"
    )
    contradictory = '<link rel="canonical" href="/a"><link rel="canonical" href="/b">'
    assert page(contradictory).canonical is None
    same_twice = '<link rel="canonical" href="/a"><link rel="canonical" href="/a#x">'
    assert page(same_twice).canonical == "https://news.example.com/a"
    assert page('<link rel="canonical" href="javascript:x">').canonical is None
    assert page("<p>none</p>").canonical is None


def test_discover_feeds():
    html = (
        '<link rel="alternate" type="application/rss+xml" href="/feed/">'
        '<link rel="alternate" type="Application/Atom+XML; charset=utf-8" href="atom.xml">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/rss+xml" href="/feed/#dup">'
        '<link rel="alternate" type="text/html" hreflang="de" href="/de/">'
        '<link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">'
    )
    assert discover_feeds(LexborHTMLParser(html), "https://a.example/blog/post") == (
        "https://a.example/feed/",
        "https://a.example/blog/atom.xml",
        "https://a.example/feed.json",
    )


def test_links_are_capped_and_fast():
    """A page of 100,000 distinct links yields MAX_LINKS_PER_PAGE of them, quickly."""
    html = "<body>" + "".join(f'<a href="/p/{i}">{i}</a>' for i in range(100_000)) + "</body>"
    tree = LexborHTMLParser(html)
    start = time.perf_counter()
    found = extract_links(tree, "https://a.example/")
    assert time.perf_counter() - start < 2.0
    assert len(found.links) == MAX_LINKS_PER_PAGE and found.truncated
    assert found.links[:2] == ("https://a.example/p/0", "https://a.example/p/1")


def test_junk_anchors_are_bounded():
    """Distinct junk hrefs cost a bounded number of normalisations."""
    html = "".join(
        f'<a href="javascript:f({i})">x</a>' for i in range(links.MAX_ANCHORS_SCANNED + 10)
    )
    found = page(html)
    assert found.links == () and found.truncated


def test_repeated_links_are_deduplicated_in_order():
    html = '<a href="/b">1</a><a href="/a">2</a><a href="/b#x">3</a><a href="/b?utm_source=x">4</a>'
    assert page(html).links == ("https://news.example.com/b", "https://news.example.com/a")


def test_empty_and_odd_documents():
    assert page("").links == ()
    assert page("<a href>").links == ()
    assert page('<a href="">self</a>').links == ()  # a link to the page itself is not news
    found = extract_links(LexborHTMLParser('<a href="/x">x</a>'), "not a url")
    assert found.links == () and found.base == "not a url"


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=60),
    st.sampled_from(
        ["https://a.example/x/y?q=1", "http://b\u00fccher.de/", "https://[::1]:8443/d/"]
    ),
)
def test_fast_join_matches_normalize_url(href, base):
    """links._resolve skips urljoin for "/path" hrefs; it must change nothing."""
    origin = re.match(r"[a-z]+://[^/]+", base).group(0)
    assert links._resolve(href, base, origin) == normalize_url(href, base)


# --- sitemaps ----------------------------------------------------------------------

SITEMAP_URL = "https://news.example.com/sitemap.xml"


def test_urlset_fixture():
    sitemap = parse_sitemap(fixture("sitemap_urlset.xml"), SITEMAP_URL)
    assert not sitemap.is_index and not sitemap.truncated and not sitemap.recovered
    assert sitemap.pages == (
        SitemapEntry(
            "https://news.example.com/world/2024/06/18/story-1.html",
            dt.datetime(2024, 6, 18, 8, 30, tzinfo=UTC),
        ),
        # the tracking variant and the plain duplicate are one entry (the first)
        SitemapEntry(
            "https://news.example.com/world/2024/06/18/story-2.html",
            dt.datetime(2024, 6, 18, tzinfo=UTC),
        ),
        # a news sitemap's publication date stands in for lastmod
        SitemapEntry(
            "https://news.example.com/world/2024/06/19/story-3.html",
            dt.datetime(2024, 6, 19, 8, tzinfo=UTC),
        ),
        # relative locations are resolved leniently; a bad lastmod is None
        SitemapEntry("https://news.example.com/world/relative.html", None),
    )
    assert sitemap.skipped == 2  # javascript: and a <url> without <loc>


def test_index_fixture_and_gzip():
    plain = parse_sitemap(
        fixture("sitemap_index.xml"), "https://news.example.com/sitemap_index.xml"
    )
    packed = parse_sitemap(
        gzip.compress(fixture("sitemap_index.xml")), "https://news.example.com/sitemap_index.xml"
    )
    assert plain == packed
    assert plain.is_index and plain.pages == ()
    assert [e.url for e in plain.sitemaps] == [
        "https://news.example.com/sitemap_index.xml",
        "https://news.example.com/sitemaps/2024-06.xml.gz",
        "https://news.example.com/news-sitemap.xml",
    ]
    assert plain.sitemaps[2].lastmod == dt.datetime(2024, 6, 1, tzinfo=UTC)  # "2024-06"


def test_concatenated_gzip_members_are_one_stream():
    body = fixture("sitemap_urlset.xml")
    half = len(body) // 2
    sitemap = parse_sitemap(gzip.compress(body[:half]) + gzip.compress(body[half:]), SITEMAP_URL)
    assert len(sitemap.pages) == 4


def test_text_sitemap():
    body = (
        b"\xef\xbb\xbfhttps://a.example/1\r\n\r\nhttps://a.example/2?utm_source=x\nno url\n/rel\n"
    )
    sitemap = parse_sitemap(body, "https://a.example/sitemap.txt")
    assert [e.url for e in sitemap.pages] == ["https://a.example/1", "https://a.example/2"]
    assert sitemap.skipped == 2  # text sitemaps must hold absolute URLs
    with pytest.raises(FeedError, match="neither an XML sitemap nor a text sitemap"):
        parse_sitemap(b"just some words\n", "https://a.example/sitemap.txt")


def test_no_namespace_and_old_google_namespace():
    for ns in ("", ' xmlns="http://www.google.com/schemas/sitemap/0.84"'):
        body = f"<urlset{ns}><url><loc>https://a.example/x</loc></url></urlset>".encode()
        assert [e.url for e in parse_sitemap(body, "https://a.example/s.xml").pages] == [
            "https://a.example/x"
        ]


def test_entry_cap(monkeypatch):
    monkeypatch.setattr(sitemaps, "MAX_SITEMAP_ENTRIES", 100)
    body = (
        b"<urlset>"
        + b"".join(b"<url><loc>https://a.example/%d</loc></url>" % i for i in range(150))
        + b"</urlset>"
    )
    sitemap = parse_sitemap(body, "https://a.example/s.xml")
    assert len(sitemap.pages) == 100 and sitemap.truncated
    assert sitemap.pages[-1].url == "https://a.example/99"


@pytest.mark.slow
def test_sitemap_of_protocol_size_is_read_in_time():
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + b"".join(
            b"<url><loc>https://a.example/news/2024/06/18/story-%d</loc><lastmod>2024-06-18</lastmod></url>"
            % i
            for i in range(sitemaps.MAX_SITEMAP_ENTRIES + 1)
        )
        + b"</urlset>"
    )
    start = time.perf_counter()
    sitemap = parse_sitemap(body, "https://a.example/s.xml")
    assert len(sitemap.pages) == sitemaps.MAX_SITEMAP_ENTRIES and sitemap.truncated
    assert time.perf_counter() - start < 8.0  # ~1.2 s here; the bound is for slow CI


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "not a well-formed sitemap"),
        (b"<!doctype html><html><body><p>404 Not Found</body></html>", "not a sitemap"),
        (b"<html><body>Not found</body></html>", r"not a sitemap \(root element <html>\)"),
        (b'<rss version="2.0"><channel/></rss>', r"not a sitemap \(root element <rss>\)"),
        (b"\x1f\x8b\x08\x00garbage-after-the-magic", "broken gzip data"),
    ],
)
def test_not_a_sitemap(body, message):
    with pytest.raises(FeedError, match=message) as caught:
        parse_sitemap(body, SITEMAP_URL)
    assert SITEMAP_URL in str(caught.value)
    assert isinstance(caught.value, ExtractionError)


def test_malformed_sitemap_is_recovered():
    # bare "&" (hand-made sitemaps): repaired, not mangled into "?x=1=2"
    bare_amp = b"<urlset><url><loc>https://a.example/?x=1&y=2</loc></url><url><loc>https://a.example/b</loc></url></urlset>"
    sitemap = parse_sitemap(bare_amp, "https://a.example/s.xml")
    assert sitemap.recovered
    assert [e.url for e in sitemap.pages] == ["https://a.example/?x=1&y=2", "https://a.example/b"]
    # a truncated download keeps what came before the cut
    cut = b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></url><url><lo"
    sitemap = parse_sitemap(cut, "https://a.example/s.xml")
    assert sitemap.recovered and [e.url for e in sitemap.pages] == [
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_utf16_sitemap():
    body = '<?xml version="1.0" encoding="UTF-16"?><urlset><url><loc>https://a.example/é</loc></url></urlset>'
    sitemap = parse_sitemap(body.encode("utf-16"), "https://a.example/s.xml")
    assert [e.url for e in sitemap.pages] == ["https://a.example/%C3%A9"]


def test_sitemap_urls_from_robots():
    robots = (
        "\ufeffUser-agent: *\nDisallow: /private\n"
        "Sitemap: https://a.example/sitemap.xml\n"
        "sitemap: /news-sitemap.xml # daily\n"
        "SITEMAP:https://a.example/sitemap.xml\n"
        "Sitemap: https://cdn.example.net/a-sitemap.xml.gz\n"
        "Sitemap: javascript:alert(1)\n"
        "Sitemap:\n"
    )
    assert sitemap_urls_from_robots(robots, "https://a.example/robots.txt") == [
        "https://a.example/sitemap.xml",
        "https://a.example/news-sitemap.xml",
        "https://cdn.example.net/a-sitemap.xml.gz",
    ]
    assert sitemap_urls_from_robots(robots) == [  # without a base, relative ones are dropped
        "https://a.example/sitemap.xml",
        "https://cdn.example.net/a-sitemap.xml.gz",
    ]
    assert sitemap_urls_from_robots("") == []
    assert sitemap_urls_from_robots("\x00\x01 binary \xff junk\nSitemap") == []


def test_usual_sitemap_urls():
    assert usual_sitemap_urls("https://News.Example.com:443/world/x?y#z") == [
        "https://news.example.com/sitemap.xml",
        "https://news.example.com/sitemap_index.xml",
        "https://news.example.com/sitemap-index.xml",
        "https://news.example.com/news-sitemap.xml",
        "https://news.example.com/wp-sitemap.xml",
    ]
    assert usual_sitemap_urls("mailto:x@y.z") == []


def test_sitemap_index_pointing_to_itself_is_cut():
    url = "https://news.example.com/sitemap_index.xml"
    walk = SitemapWalk()
    assert walk.admit_all([url, url + "#again", "mailto:x"]) == [url]
    index = parse_sitemap(fixture("sitemap_index.xml"), url)
    children = walk.children(index, depth=0)
    assert url not in children and len(children) == 2
    # fetching the children again (a second index listing them) adds nothing
    assert walk.children(index, depth=0) == []
    assert walk.refused == {"seen": 5, "invalid": 1}
    assert url in walk and len(walk) == 3


def test_sitemap_walk_depth_and_budget():
    walk = SitemapWalk(max_depth=2, max_sitemaps=5)

    def index(n: int) -> Sitemap:  # an index that always links one level deeper
        return Sitemap(
            f"https://a.example/i{n}.xml",
            sitemaps=(SitemapEntry(f"https://a.example/i{n + 1}.xml"),),
        )

    assert walk.admit("https://a.example/i0.xml") == "https://a.example/i0.xml"
    depth, fetched = 0, ["https://a.example/i0.xml"]
    while next_urls := walk.children(index(depth), depth):
        depth += 1
        fetched += next_urls
    assert fetched == [f"https://a.example/i{n}.xml" for n in range(3)]
    assert walk.refused["depth"] == 1
    wide = Sitemap(
        "https://a.example/w.xml",
        sitemaps=tuple(SitemapEntry(f"https://a.example/w{n}.xml") for n in range(10)),
    )
    assert len(walk.children(wide, 0)) == 2  # 5 in all
    assert walk.refused["budget"] == 8


# --- hostile XML -----------------------------------------------------------------------


@pytest.mark.parametrize("parse", [parse_sitemap, parse_feed])
def test_billion_laughs_is_refused_at_once(parse):
    start = time.perf_counter()
    with pytest.raises(FeedError, match=r"declares XML entities \(lol, lol1"):
        parse(fixture("billion_laughs.xml"), "https://a.example/x.xml")
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("parse", [parse_sitemap, parse_feed])
def test_external_entity_is_never_resolved(parse):
    with pytest.raises(FeedError, match=r"declares XML entities \(xxe\)") as caught:
        parse(fixture("xxe_passwd.xml"), "https://a.example/x.xml")
    assert "root:" not in str(caught.value)


def _canary_dtd(tmp_path: Path) -> Path:
    canary = tmp_path / "canary.dtd"
    canary.write_text('<!ENTITY leak "CANARY-7f3a">')
    return canary


def test_external_parameter_entity_is_never_loaded(tmp_path):
    canary = _canary_dtd(tmp_path)
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY % p SYSTEM "{canary.as_uri()}"> %p;]>'
        "<urlset><url><loc>https://a.example/&leak;</loc></url></urlset>"
    ).encode()
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_sitemap(body, "https://a.example/s.xml")
    # Below our refusal, the parser options alone must not read the file
    # (they did with collect_ids=False: see _xml's docstring).
    parser = etree.XMLParser(**_xml._PARSER_OPTIONS)
    dtd = etree.fromstring(body, parser).getroottree().docinfo.internalDTD
    assert "leak" not in {entity.name for entity in dtd.iterentities()}


def test_external_dtd_is_never_loaded(tmp_path):
    canary = _canary_dtd(tmp_path)
    body = (
        f'<?xml version="1.0"?><!DOCTYPE urlset SYSTEM "{canary.as_uri()}">'
        "<urlset><url><loc>https://a.example/&leak;x</loc></url></urlset>"
    ).encode()
    sitemap = parse_sitemap(body, "https://a.example/s.xml")  # an external DTD alone is harmless
    assert "CANARY" not in repr(sitemap)
    assert sitemap.pages == (SitemapEntry("https://a.example/"),)


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """58 MB of spaces in ~60 KB of gzip: a member to append to a small gzipped head."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    return b"".join(packer.compress(block) for _ in range(58)) + packer.flush()


@pytest.mark.parametrize(
    ("parse", "head"),
    [
        (parse_sitemap, b"<urlset><url><loc>https://a.example/x</loc></url>"),
        (parse_feed, b"<rss><channel><item><link>https://a.example/x</link></item>"),
    ],
)
def test_gzip_bomb_is_capped(gzip_bomb, parse, head):
    bomb = gzip.compress(head) + gzip_bomb  # gzip members concatenate into one stream
    assert len(bomb) < 100_000
    start = time.perf_counter()
    with pytest.raises(FeedTooLarge, match="more than 52,428,800 bytes once decompressed"):
        parse(bomb, "https://a.example/x.gz")
    assert time.perf_counter() - start < 3.0


def test_plain_document_over_the_cap():
    with pytest.raises(FeedTooLarge, match="over the 52,428,800-byte cap"):
        parse_sitemap(b" " * (_xml.MAX_DOCUMENT_BYTES + 1), "https://a.example/s.xml")


def test_flat_element_bomb_inside_an_entry():
    body = b"<urlset><url>" + b"<x/>" * 100_000 + b"</url></urlset>"
    with pytest.raises(FeedError, match="more than 1000 elements"):
        parse_sitemap(body, "https://a.example/s.xml")


def test_element_count_cap(monkeypatch):
    monkeypatch.setattr(_xml, "MAX_DOCUMENT_ELEMENTS", 1000)
    body = b"<urlset>" + b"<x/>" * 5000 + b"<url><loc>https://a.example/late</loc></url></urlset>"
    sitemap = parse_sitemap(body, "https://a.example/s.xml")
    assert sitemap.truncated and sitemap.pages == ()


def test_deep_nesting_stops_quickly():
    start = time.perf_counter()
    feed = parse_feed(b"<rss><channel>" + b"<a>" * 100_000, "https://a.example/f")
    assert feed.entries == () and feed.recovered
    assert time.perf_counter() - start < 1.0


def test_memory_stays_bounded_while_streaming():
    """Entries are pruned as they are read: the tree holds about one chunk, never the document."""
    entries = 20_000  # ~0.8 MB, three chunks
    body = (
        b"<urlset>"
        + b"".join(b"<url><loc>https://a.example/%d</loc></url>" % i for i in range(entries))
        + b"</urlset>"
    )
    per_chunk = _xml.CHUNK // len(b"<url><loc>https://a.example/10000</loc></url>")
    root = None
    most = 0
    for number, (event, element, depth) in enumerate(
        _xml.XmlStream(body, "https://a.example/s.xml")
    ):
        if depth == 0:
            root = element
        elif root is not None and event == "end" and number % 100 == 0:  # len() walks the children
            most = max(most, len(root))
    assert per_chunk * 0.9 < most <= per_chunk * 1.5 < entries


# --- feeds -------------------------------------------------------------------------


def test_rss2_fixture():
    feed = parse_feed(fixture("feed_rss2.xml"), "https://news.example.com/world/feed/")
    assert (feed.kind, feed.title, feed.site_url) == (
        "rss",
        "Example News: World",
        "https://news.example.com/world/",
    )
    assert [(e.url, e.title, e.published) for e in feed.entries] == [
        (
            "https://news.example.com/world/2024/06/18/story-1.html",
            "Story one",
            dt.datetime(2024, 6, 18, 8, 30, tzinfo=UTC),
        ),
        # no <link>: a permalink guid; dc:date
        (
            "https://news.example.com/world/2024/06/18/story-2.html",
            "Story <b>two</b> & more",
            dt.datetime(2024, 6, 18, 12, tzinfo=UTC),
        ),
        # feedburner:origLink beats the proxy link; an ISO pubDate is read too
        (
            "https://news.example.com/world/2024/06/19/story-3.html",
            "Through a feed proxy",
            dt.datetime(2024, 6, 19, 8, tzinfo=UTC),
        ),
        ("https://news.example.com/world/2024/06/19/story-4.html", "Relative link", None),
    ]
    assert feed.skipped == 1  # the item whose guid is not a permalink


def test_rss_item_links_next_to_atom_links():
    body = (
        b'<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        b'<item><atom:link rel="related" href="https://other.example/x"/><link>https://a.example/1</link></item>'
        b'<item><atom:link href="/2"/></item>'
        b'<item><atom:link rel="enclosure" href="https://a.example/3.mp3"/></item>'
        b"</channel></rss>"
    )
    feed = parse_feed(body, "https://a.example/rss")
    assert [e.url for e in feed.entries] == ["https://a.example/1", "https://a.example/2"]
    assert feed.skipped == 1


def test_rdf_fixture():
    feed = parse_feed(fixture("feed_rdf.xml"), "https://blog.example.org/index.rdf")
    assert (feed.kind, feed.title, feed.site_url) == (
        "rdf",
        "An RSS 1.0 blog",
        "https://blog.example.org/",
    )
    assert [(e.url, e.published) for e in feed.entries] == [
        ("https://blog.example.org/posts/1", dt.datetime(2024, 5, 1, 9, tzinfo=UTC)),
        ("https://blog.example.org/posts/2", dt.datetime(2024, 5, 2, tzinfo=UTC)),  # rdf:about
    ]


def test_atom_fixture_with_xml_base():
    feed = parse_feed(fixture("feed_atom.xml"), "https://feeds.example.net/blog.atom")
    assert (feed.kind, feed.title, feed.site_url) == (
        "atom",
        "An Atom blog",
        "https://blog.example.org/",
    )
    assert [(e.url, e.title, e.published, e.updated) for e in feed.entries] == [
        (
            "https://blog.example.org/posts/2024/hello-world.html",  # feed and entry xml:base
            "Relative to xml:base",
            dt.datetime(2024, 6, 18, 8, tzinfo=UTC),
            dt.datetime(2024, 6, 18, 18, 30, 2, tzinfo=UTC),
        ),
        (
            "https://blog.example.org/posts/2024/two.html",  # the text/html alternate
            "Two <em>links</em>",
            None,
            dt.datetime(2024, 6, 19, 8, tzinfo=UTC),
        ),
        (
            "https://blog.example.org/posts/2024/three.html",  # an http id is the permalink
            "Only an id",
            None,
            dt.datetime(2024, 6, 20, 8, tzinfo=UTC),
        ),
    ]
    assert feed.skipped == 1


def test_atom_03():
    body = (
        b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>'
        b'<entry><link rel="alternate" type="text/html" href="https://a.example/1"/>'
        b"<issued>2005-01-01T00:00:00Z</issued><modified>2005-01-02T00:00:00Z</modified></entry></feed>"
    )
    feed = parse_feed(body, "https://a.example/atom.xml")
    assert feed.kind == "atom" and feed.entries[0].published == dt.datetime(2005, 1, 1, tzinfo=UTC)
    assert feed.entries[0].updated == dt.datetime(2005, 1, 2, tzinfo=UTC)


def test_json_feed_fixture():
    feed = parse_feed(fixture("feed_json.json"), "https://json.example.org/feed.json")
    assert (feed.kind, feed.title, feed.site_url) == (
        "json",
        "A JSON Feed blog",
        "https://json.example.org/",
    )
    assert [(e.url, e.title, e.published, e.updated) for e in feed.entries] == [
        (
            "https://json.example.org/2024/06/18/one",
            "One",
            dt.datetime(2024, 6, 18, 15, tzinfo=UTC),
            dt.datetime(2024, 6, 19, 10, tzinfo=UTC),
        ),
        (
            "https://json.example.org/2024/06/19/two",
            "Two",
            dt.datetime(2024, 6, 19, tzinfo=UTC),
            None,
        ),
        ("https://elsewhere.example.com/linked-article", None, None, None),  # external_url
    ]
    assert feed.skipped == 2


def test_json_feed_1_0_and_gzip():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "items": [{"id": "1", "url": "https://a.example/1"}],
        }
    ).encode()
    assert [e.url for e in parse_feed(gzip.compress(body), "https://a.example/f.json").entries] == [
        "https://a.example/1"
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"version": "1.1", "items": []}', "not a JSON Feed"),
        (b'{"items": [}', "not valid JSON"),
        (b"{" + b'"a":' * 1 + b"[" * 100_000, "not valid JSON"),  # nested past the recursion limit
        (b"<html><body>hi</body></html>", r"not a feed \(root element <html>\)"),
        (
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
            r"not a feed \(root element <urlset>\)",
        ),
        (b"", "not a well-formed feed"),
        (b"plain text", "no XML element found; not a feed"),
    ],
)
def test_not_a_feed(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "https://a.example/feed")


def test_json_feed_size_cap():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [], "x": "'
        + b"a" * feeds.MAX_JSON_FEED_BYTES
        + b'"}'
    )
    with pytest.raises(FeedTooLarge):
        parse_feed(body, "https://a.example/feed.json")


def test_feed_entry_cap(monkeypatch):
    monkeypatch.setattr(feeds, "MAX_FEED_ENTRIES", 10)
    items = b"".join(b"<item><link>https://a.example/%d</link></item>" % i for i in range(30))
    feed = parse_feed(b"<rss><channel>" + items + b"</channel></rss>", "https://a.example/rss")
    assert len(feed.entries) == 10 and feed.truncated


def test_html_entities_in_a_feed_are_recovered():
    body = b"<rss><channel><item><title>A&nbsp;B &mdash; C</title><link>https://a.example/1</link></item></channel></rss>"
    feed = parse_feed(body, "https://a.example/rss")
    assert feed.recovered and [e.url for e in feed.entries] == ["https://a.example/1"]


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_parsers_never_raise_anything_but_feed_error(body):
    for parse in (parse_sitemap, parse_feed):
        with contextlib.suppress(FeedError):
            parse(body, "https://a.example/x")


# --- exports -------------------------------------------------------------------------


def test_discovery_exports():
    names = set(discovery.__all__)
    for module in (links, sitemaps, feeds):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type | types.FunctionType) and not name.startswith("MAX_"):
                assert name in names or name in {"feed_links", "FEED_TYPES"}, name
    assert all(hasattr(discovery, name) for name in discovery.__all__)
    assert issubclass(FeedTooLarge, FeedError) and issubclass(FeedError, ExtractionError)
