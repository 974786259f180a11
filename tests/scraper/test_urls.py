"""URL normalisation, scope and crawler-trap budgets (scraper.crawling.urls): pure, fast."""

from __future__ import annotations

import re
import time
import types
from unittest import mock

import courlan
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scraper.crawling import urldata, urls
from scraper.crawling.store._shared import host_of as store_host_of
from scraper.crawling.urls import (
    DEFAULT_BUDGETS,
    PageBudgets,
    PatternBudget,
    Scope,
    host_of,
    normalize_url,
    trap_reason,
)
from scraper.errors import ConfigError

# --- normalize_url: one spelling per page ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # scheme and host lower-cased, default port and fragment dropped
        ("HTTP://Example.COM:80/a#frag", "http://example.com/a"),
        ("https://example.com:443", "https://example.com/"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        # dot segments resolved, empty path becomes "/", "//" collapsed
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/../../x", "https://example.com/x"),
        ("https://example.com//a//b", "https://example.com/a/b"),
        # query sorted by name, stably; blank and valueless parameters kept
        ("https://example.com/p?b=2&a=1", "https://example.com/p?a=1&b=2"),
        ("https://example.com/p?id=2&a=x&id=1", "https://example.com/p?a=x&id=2&id=1"),
        ("https://example.com/p?preview&a=", "https://example.com/p?a=&preview"),
        ("https://example.com/p?a=1&&b=2&", "https://example.com/p?a=1&b=2"),
        ("https://example.com/?", "https://example.com/"),
        # percent-encoding: unreserved decoded, hex upper-cased, unsafe encoded, reserved kept
        ("https://example.com/%7euser/%c3%a9", "https://example.com/~user/%C3%A9"),
        ("https://example.com/caf\u00e9 menu", "https://example.com/caf%C3%A9%20menu"),
        ("https://example.com/a+b;c=d", "https://example.com/a+b;c=d"),
        ("https://example.com/a%2Fb?q=a%26b", "https://example.com/a%2Fb?q=a%26b"),
        ("https://example.com/%zz%", "https://example.com/%25zz%25"),
        ("https://example.com/?q=a+b&r=c%20d", "https://example.com/?q=a+b&r=c%20d"),
        # user info dropped: links never carry credentials into the frontier
        ("https://user:Secret@example.com/", "https://example.com/"),
        # whitespace, tabs and newlines (WHATWG), backslashes as slashes
        ("  https://exa\tmple.com/a\n ", "https://example.com/a"),
        ("https:\\\\example.com\\a\\b", "https://example.com/a/b"),
        # hosts: IDNA, trailing dot, IPv6, percent-encoded
        ("http://B\u00dcCHER.de./", "http://xn--bcher-kva.de/"),
        ("http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/"),
        ("http://\u4f8b\u3048.\u30c6\u30b9\u30c8/", "http://xn--r8jz45g.xn--zckzah/"),
        ("http://[0:0::1]:80/x", "http://[::1]/x"),
        ("https://ex%61mple.com/", "https://example.com/"),
        # session ids removed (path parameter and query)
        ("https://example.com/a;jsessionid=0AB1?PHPSESSID=9&x=1", "https://example.com/a?x=1"),
    ],
)
def test_normalize(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:void(0)",
        "JavaScript:alert(1)",
        "mailto:desk@example.com",
        "tel:+15555550100",
        "data:text/html,<p>hi",
        "file:///etc/passwd",
        "ftp://example.com/file",
        "about:blank",
        "",
        "   ",
        "/relative/without/base",
        "//scheme-relative.example.com/without/base",
        "http://",
        "http://[::1/",  # unbalanced bracket
        "http://[fe80::1%25eth0]/",  # zone id: a local interface
        "https://example.com:0/",
        "https://example.com:99999/",
        "https://example.com:8o/",
        "https://a..b/",
        "https://a%20b.example/",
        "https://" + "a" * 64 + ".example/",  # label over 63 characters
        "https://example.com/\ud800",  # lone surrogate: no UTF-8 form
    ],
)
def test_not_fetchable_gives_none(raw):
    assert normalize_url(raw) is None


def test_relative_resolution_against_base():
    base = "https://news.example.com/world/today/index.html?page=2"
    assert normalize_url("story.html", base) == "https://news.example.com/world/today/story.html"
    assert normalize_url("../sport/", base) == "https://news.example.com/world/sport/"
    assert normalize_url("/", base) == "https://news.example.com/"
    assert (
        normalize_url("?page=3", base) == "https://news.example.com/world/today/index.html?page=3"
    )
    assert normalize_url("#top", base) == "https://news.example.com/world/today/index.html?page=2"
    assert normalize_url("//cdn.example.net/x", base) == "https://cdn.example.net/x"
    assert normalize_url("HTTP://Other.example/", base) == "http://other.example/"
    assert normalize_url("mailto:x@example.com", base) is None
    # Browsers read "/\evil" and "/<tab>/evil" as scheme-relative; so do we.
    assert normalize_url("/\\evil.example/x", base) == "https://evil.example/x"
    assert normalize_url("/\t/evil.example/x", base) == "https://evil.example/x"


def test_length_cap():
    url = "https://example.com/" + "a" * (2000 - len("https://example.com/"))
    assert normalize_url(url) == url
    assert normalize_url(url + "b") is None
    assert normalize_url("https://example.com/x", max_length=20) is None
    # tracking parameters are removed before the length is judged
    long_tracking = "https://example.com/a?utm_content=" + "x" * 3000
    assert normalize_url(long_tracking) == "https://example.com/a"
    # absurd input is refused before any parsing
    assert normalize_url("https://example.com/" + "a" * 100_000) is None


def test_tracking_variants_collapse_to_one_url():
    """One article reached through share buttons, newsletters and ads is one URL."""
    article = "https://news.example.com/world/2024/06/18/story.html"
    variants = [
        article,
        article + "#comments",
        article + "?utm_source=twitter&utm_medium=social&utm_campaign=june",
        article + "?UTM_SOURCE=newsletter",
        article + "?utm%5Fsource=x",
        article + "?fbclid=IwAR3x&mc_cid=1a&mc_eid=2b",
        article + "?gclid=Cj0K&_ga=2.1.2&_gl=1*abc",
        article + "?yclid=1&igshid=2&igsh=3&ref_src=twsrc%5Etfw&spm=a2.b3",
        article + "?msclkid=1&ttclid=2&twclid=3&li_fat_id=4&wbraid=5&gbraid=6",
        article + "?pk_campaign=a&mtm_source=b&hsa_acc=c&_hsenc=d&__hstc=e&mkt_tok=f",
        article + "?jsessionid=ABC&phpsessid=DEF",
        "HTTPS://NEWS.EXAMPLE.COM:443/world/2024/06/18/./story.html?utm_term=x#top",
        "https://user@news.example.com/world/2024/06/18/story.html",
    ]
    assert {normalize_url(v) for v in variants} == {article}
    # content parameters survive next to tracking ones, sorted
    assert normalize_url(article + "?utm_source=x&page=2&id=7") == article + "?id=7&page=2"


@pytest.mark.parametrize(
    ("raw", "courlan_result", "ours"),
    [
        # courlan removes content parameters whose names merely contain a tracker word
        ("https://e.com/p?game=5", "https://e.com/p", "https://e.com/p?game=5"),
        ("https://e.com/p?gallery=3", "https://e.com/p", "https://e.com/p?gallery=3"),
        ("https://e.com/p?cid=7", "https://e.com/p", "https://e.com/p?cid=7"),
        ("https://e.com/p?source=x", "https://e.com/p", "https://e.com/p?source=x"),
        (
            "https://e.com/search?keyword=y",
            "https://e.com/search",
            "https://e.com/search?keyword=y",
        ),
        # ...and valueless ones
        ("https://e.com/p?preview", "https://e.com/p", "https://e.com/p?preview"),
        # html.unescape inside the URL: "&copy=2" becomes "©=2", then part of a's value
        ("https://e.com/?a=1&copy=2", "https://e.com/?a=1%C2%A9%3D2", "https://e.com/?a=1&copy=2"),
        # fragment kept, dot segments not resolved
        ("https://e.com/a/../b#x", "https://e.com/a/../b#x", "https://e.com/b"),
        # "+" in a path re-encoded (another URL for the server)
        ("https://e.com/a+b", "https://e.com/a%2Bb", "https://e.com/a+b"),
        # IDN turned into Unicode; we keep the ASCII form httpx sends
        ("http://xn--bcher-kva.de/", "http://bücher.de/", "http://xn--bcher-kva.de/"),
        # other schemes passed through
        ("javascript:alert(1)", "javascript:alert%281%29", None),
    ],
)
def test_why_not_courlan(raw, courlan_result, ours):
    """Pins the courlan 1.4 behaviours that made us write our own (see urls.py)."""
    try:
        observed = courlan.normalize_url(raw)
    except ValueError:  # a later courlan may refuse some of these outright
        observed = None
    if observed == courlan_result:
        assert observed != ours
    else:  # courlan changed: worth a look, and maybe a switch back to it
        pytest.xfail(f"courlan now gives {observed!r} for {raw!r}")
    assert normalize_url(raw) == ours


def test_courlan_clean_url_swaps_share_links():
    share = "https://e.com/share?url=https://other.example/x"
    assert courlan.clean_url(share) == "https://other.example/x"
    assert normalize_url(share) == share


def test_normalize_is_fast():
    links = [
        f"/news/2024/06/{i % 28 + 1:02d}/story-{i}.html?utm_source=x&id={i}" for i in range(5000)
    ]
    start = time.perf_counter()
    for link in links:
        normalize_url(link, "https://www.example.com/news/")
    assert time.perf_counter() - start < 1.0  # ~10 us each; generous for slow CI


# --- properties ------------------------------------------------------------------

_URL_ALPHABET = st.sampled_from(
    [
        *"abcXYZ019-._~:/?#[]@!$&'()*+,;=% \t\n\\\"<>`{}^|",
        "%2E",
        "%2e",
        "%41",
        "..",
        "é",
        "ü",
        "\u3002",
        "\u00df",
    ]
)
_url_like = st.builds(
    lambda scheme, host, port, path: f"{scheme}{host}{port}{path}",
    st.sampled_from(["http://", "https://", "HTTP://", "//", "", "javascript:", "ftp://"]),
    st.sampled_from(
        [
            "example.com",
            "Example.COM.",
            "bücher.de",
            "xn--bcher-kva.de",
            "[::1]",
            "127.0.0.1",
            "a_b.c",
            "",
        ]
    ),
    st.sampled_from(["", ":80", ":443", ":8080", ":", ":99999", ":x"]),
    st.lists(_URL_ALPHABET, max_size=40).map("".join),
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=200), _url_like))
@example("https://example.com/%2E%2E%2F")
@example("https://example.com/a;%6Asessionid=1/b")
@example("http://example.com/?%26=%3D&utm_source=1")
def test_normalize_never_raises_and_is_idempotent(text):
    once = normalize_url(text)
    if once is None:
        return
    assert normalize_url(once) == once
    assert re.fullmatch(r"https?://[^/?#\s]+/[^#\s]*", once)
    assert len(once) <= urldata.MAX_URL_LENGTH


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(max_size=60), _url_like),
    st.sampled_from(
        [
            "https://example.com/a/b?c=d",
            "http://bücher.de/x/",
            "https://[::1]:8443/",
            "about:blank",
            "http://[",
        ]
    ),
)
def test_normalize_with_base_never_raises_and_is_idempotent(text, base):
    once = normalize_url(text, base)
    if once is not None:
        assert normalize_url(once) == once
        assert normalize_url(once, base) == once


@settings(max_examples=200, deadline=None)
@given(_url_like)
def test_host_of_agrees_with_the_store_on_normalised_urls(text):
    url = normalize_url(text)
    if url is not None:
        assert host_of(url) == store_host_of(url)
        assert host_of(text) == host_of(url)


def test_host_of():
    assert host_of("https://User@Bücher.DE.:8443/a") == "xn--bcher-kva.de"
    assert host_of("http://[::1]:80/") == "::1"
    assert host_of("not a url") == ""
    assert host_of("http://[::1/") == ""


# --- traps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://a.example/news/2024/06/18/story", None),
        ("https://a.example/2024/06/06/", None),  # "06" twice is a date, not a loop
        ("https://a.example/x/y/x/y/x/y/", "repeated path segment"),
        ("https://a.example/page/page/page/1", "repeated path segment"),
        ("https://a.example/" + "/".join(f"s{i}" for i in range(21)), "too many path segments"),
        ("https://a.example/?q=" + "x" * 600, "query string too long"),
        (
            "https://a.example/?" + "&".join(f"p{i}=1" for i in range(17)),
            "too many query parameters",
        ),
    ],
)
def test_trap_reason(url, reason):
    assert trap_reason(url) == reason


def _calendar_links(start_year: int, months: int) -> list[str]:
    """What an endless event calendar offers: "next month" forever."""
    found = []
    for i in range(months):
        year, month = divmod(start_year * 12 + i, 12)
        found.append(f"https://events.example/calendar/?month={year}-{month + 1:02d}")
        found.append(f"https://events.example/calendar/{year}/{month + 1:02d}/")
    return found


def test_calendar_trap_is_bounded():
    budgets = PageBudgets()
    admitted = [url for url in _calendar_links(2024, 3000) if budgets.admit(url)]
    query_budget = next(b for b in DEFAULT_BUDGETS if b.name == "calendar-query").max_pages
    path_budget = next(b for b in DEFAULT_BUDGETS if b.name == "calendar-path").max_pages
    assert len(admitted) == query_budget + path_budget
    assert budgets.refused["calendar-query"] == 3000 - query_budget
    # the budget is per host: another site's calendar has its own
    assert budgets.admit("https://other.example/calendar/?month=2024-01")
    # articles under dated paths are not calendar pages
    assert all(budgets.admit(f"https://events.example/2024/06/18/story-{i}") for i in range(1000))


def test_session_id_trap_is_bounded():
    budgets = PageBudgets()
    # sequential ids are not tokens: the URLs stay apart, and the budget bounds them
    admitted = sum(budgets.admit(f"https://shop.example/item?sid={i}") for i in range(5000))
    assert admitted == next(b for b in DEFAULT_BUDGETS if b.name == "session-like").max_pages
    # known session parameters never even make distinct URLs
    assert (
        len({normalize_url(f"https://shop.example/item;jsessionid={i:032x}") for i in range(50)})
        == 1
    )


def test_session_tokens_collapse_but_content_parameters_stay():
    """phpBB ``sid`` and vBulletin ``s`` hold 32 hex digits: one URL per page, not per visit."""
    topic = "https://forum.example/viewtopic.php?f=2&t=7"
    visits = [
        f"https://forum.example/viewtopic.php?f=2&sid={i:032x}&t=7" for i in range(0, 2**40, 2**35)
    ]
    visits += [f"https://forum.example/viewtopic.php?s={i:040X}&t=7&f=2" for i in range(5)]
    visits += ["https://forum.example/viewtopic.php?t=7&f=2&SID=" + "ab" * 32]
    assert {normalize_url(v) for v in visits} == {topic}
    for kept in (
        "https://slashdot.example/article.pl?sid=06/01/01/1234",
        "https://blog.example/?s=climate",
        "https://blog.example/?s=" + "0f" * 15,  # 30 hex digits: short of a token
        "https://shop.example/item?id=" + "0f" * 16,  # a digest under another name
        "https://conf.example/talks?session=3",
    ):
        assert normalize_url(kept) == kept


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "https://shop.example/(S(lit3py55t21z5v55vlm25s55))/default.aspx?id=3",
            "https://shop.example/default.aspx?id=3",
        ),
        ("https://shop.example/(X(1)S(abc_12-x))/cart/", "https://shop.example/cart/"),
        ("https://shop.example/app/(S(q1w2e3))", "https://shop.example/app"),
        # ordinary parentheses are content
        (
            "https://wiki.example/wiki/Mercury_(planet)",
            "https://wiki.example/wiki/Mercury_(planet)",
        ),
        ("https://shop.example/(sale)/shoes", "https://shop.example/(sale)/shoes"),
    ],
)
def test_aspnet_cookieless_session_segments_are_removed(raw, expected):
    assert normalize_url(raw) == expected


def test_budgets_count_distinct_urls():
    """Every page links the calendar again: repeats must not spend the budget."""
    budgets = PageBudgets([PatternBudget("calendar", r"[?&]month=", 3)])
    nav = ["https://a.example/cal?month=1", "https://a.example/cal?month=2"]
    for page in range(100):  # each page links the same two months, then a new one
        assert all(budgets.admit(url) for url in nav)
        budgets.admit(f"https://a.example/cal?month={page + 3}")
    admitted = [u for u in (f"https://a.example/cal?month={m}" for m in range(1, 200))]
    assert sum(u in budgets._admitted for u in admitted) == 3
    assert budgets.refused["calendar"] == 99


def test_budgets_leave_ordinary_pages_alone():
    budgets = PageBudgets()
    ordinary = [
        *(f"https://blog.example/?p={i}" for i in range(1000, 2000)),  # WordPress permalinks
        *(
            f"https://news.example/news/2024/06/{d:02d}/story-{i}"
            for d in range(1, 29)
            for i in range(40)
        ),
        *(f"https://news.example/world?page={i}" for i in range(1, 100)),
        *(f"https://news.example/article?id={i}" for i in range(1000)),
    ]
    assert all(budgets.admit(url) for url in ordinary)
    assert not budgets.refused


def test_per_host_budget_with_empty_pattern():
    budgets = PageBudgets([PatternBudget("host", "", 3)])
    assert [budgets.admit(f"https://a.example/{i}") for i in range(5)] == [True] * 3 + [False] * 2
    assert budgets.admit("https://b.example/0")


def test_budget_validation():
    with pytest.raises(ConfigError, match=r"budget 'bad'.*not a valid regular expression"):
        PatternBudget("bad", "(", 1)
    with pytest.raises(ConfigError, match="max_pages"):
        PatternBudget("neg", "x", -1)


# --- scope ---------------------------------------------------------------------------


def test_scope_domains_and_subdomains():
    scope = Scope(domains=("example.com", "Bücher.de"))
    assert scope.allows("https://example.com/a", 0)
    assert scope.allows("https://news.example.com/a", 0)
    assert scope.allows("https://xn--bcher-kva.de/", 0)
    assert not scope.allows("https://example.com.evil.org/", 0)
    assert not scope.allows("https://notexample.com/", 0)
    strict = Scope(domains=("example.com",), include_subdomains=False)
    assert strict.allows("https://example.com/a", 0)
    assert not strict.allows("https://news.example.com/a", 0)
    assert Scope().allows("https://anything.example/", 0)  # no domains: any host


def test_scope_patterns_depth_length():
    scope = Scope(
        domains=("example.com",),
        include=(r"/news/", r"/sport/"),
        exclude=(r"/news/video/", r"\.pdf$"),
        max_depth=2,
        max_url_length=60,
    )
    assert scope.allows("https://example.com/news/a", 2)
    assert scope.reason("https://example.com/news/a", 3) == "deeper than max_depth"
    assert scope.reason("https://example.com/about", 0) == "matches no include pattern"
    assert scope.reason("https://example.com/news/video/1", 0) == "matches an exclude pattern"
    assert scope.reason("https://example.com/NEWS/x.PDF", 0) == "matches an exclude pattern"
    assert scope.reason("https://example.com/news/" + "a" * 60, 0) == "URL too long"
    assert scope.reason("ftp://example.com/news/", 0) == "not an http(s) URL"
    assert scope.reason("https://example.com/news/x/y/x/y/x/y", 0) == "repeated path segment"


def test_scope_validation():
    with pytest.raises(ConfigError, match="scope exclude pattern"):
        Scope(exclude=("[unclosed",))
    with pytest.raises(ConfigError, match="not a host name"):
        Scope(domains=("exa mple.com",))
    assert Scope(domains=("*.example.com",)).allows("https://a.example.com/", 0)


def test_scope_from_seeds():
    scope = Scope.from_seeds(
        ["https://www.example.com/news/", "http://blog.example.org/"], Scope(max_depth=1)
    )
    assert scope.domains == ("blog.example.org", "example.com")
    assert scope.max_depth == 1
    assert scope.allows("https://example.com/", 0)
    assert not scope.allows("https://example.org/", 0)


def test_scope_is_frozen_and_comparable():
    assert Scope(domains=("a.example",)) == Scope(domains=("a.example",))
    with pytest.raises(AttributeError):
        Scope().max_depth = 3  # type: ignore[misc]


# --- exports -------------------------------------------------------------------------


def test_all_is_complete():
    """Every class and function urls.py defines is exported; every export exists."""
    defined = {
        name
        for name, value in vars(urls).items()
        if not name.startswith("_")
        and isinstance(value, type | types.FunctionType)
        and value.__module__ == urls.__name__
    }
    assert defined <= set(urls.__all__)
    assert all(hasattr(urls, name) for name in urls.__all__)
    tables = {name for name in vars(urldata) if name.isupper()}
    assert tables == set(urldata.__all__)


# -- the already-normal fast path -----------------------------------------------------------------

_URL_TEXT = st.text(alphabet="abcXYZ019-._~!$&'()*+,;=:@[]^|%/\"<>`{}#?\\ \u00e9\t", max_size=14)


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["http", "https", "HTTP"]),
    st.sampled_from(
        ["example.com", "a.b", "127.0.0.1", "x_y.z", "a" * 63 + ".b", "A.com", "a" * 64]
    ),
    st.sampled_from(["", ":80", ":443", ":8080", ":1", ":65535", ":65536", ":0", ":080"]),
    _URL_TEXT,
    st.sampled_from([2048, 30]),
)
def test_already_normal_urls_come_back_as_the_full_steps_give_them(scheme, host, port, path, limit):
    """``normalize_url``'s fast path answers exactly what the full steps answer."""

    def full_steps(url: str, base: str | None = None) -> str | None:
        with mock.patch.object(urls, "_already_normal", return_value=False):
            return normalize_url(url, base, max_length=limit)

    base = "https://base.example/q/"
    for url in (f"{scheme}://{host}{port}/{path}", f"{scheme}://{host}{port}{path}"):
        full = full_steps(url)
        assert normalize_url(url, max_length=limit) == full
        assert normalize_url(url, base, max_length=limit) == full_steps(url, base)
        if urls._already_normal(url, limit):
            assert full == url
        if full is not None:  # normal forms, the fast path's usual input
            assert normalize_url(full, max_length=limit) == full_steps(full) == full
