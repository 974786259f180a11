"""The fetch path's shortcuts change nothing: each one against the slow path it skips."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ipaddress
import re
from collections import Counter

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.config import FetchConfig
from scraper.crawling import links
from scraper.errors import BlockedAddress, FetchError, InvalidURL, NetworkError
from scraper.fetching import addresses
from scraper.fetching.addresses import NetworkPolicy, literal_address, refusal
from scraper.fetching.client import Fetcher
from scraper.fetching.cookies import QuickCookies
from scraper.fetching.redirects import normalize_url, normalized
from scraper.fetching.retry import Retryable, RetryBudget, make_retrying, retry_after_first
from tests.servers import Reply, html

TRANSPORTS = ["httpx", "aiohttp"]


@pytest.fixture
def fast_config(fast_config):
    """The shared fast settings, with our loopback test servers allowed (refused by default)."""
    return dataclasses.replace(fast_config, allow_networks=("127.0.0.1/32",))


# -- cookies: QuickCookies skips only responses that set none ---------------------------------

_REQUEST = httpx.Request("GET", "https://shop.example/cart")

_HEADER_NAMES = st.sampled_from(
    ["Set-Cookie", "set-cookie", "SET-COOKIE2", "Set-Cookie2", "Content-Type", "X-Set-Cookie"]
)
_COOKIE_VALUES = st.sampled_from(
    ["a=1", "b=2; Path=/", "c=3; Domain=other.example", "d=4; Max-Age=0", "e", "text/html"]
)


def _jar(store: httpx.Cookies) -> list[tuple[str, str, str, str | None]]:
    return sorted((c.domain, c.path, c.name, c.value) for c in store.jar)


@given(st.lists(st.tuples(_HEADER_NAMES, _COOKIE_VALUES), max_size=4))
@settings(max_examples=200, deadline=None)
def test_quick_cookies_keep_what_httpx_keeps(headers):
    quick, plain = QuickCookies(), httpx.Cookies()
    for store in (quick, plain):
        store.set("old", "0", domain="shop.example")
        store.extract_cookies(httpx.Response(200, headers=headers, request=_REQUEST))
    assert _jar(quick) == _jar(plain)


def test_quick_cookies_skip_the_parser_without_a_cookie_header(monkeypatch):
    called = []
    monkeypatch.setattr(httpx.Cookies, "extract_cookies", lambda self, r: called.append(r))
    quick = QuickCookies()
    quick.extract_cookies(httpx.Response(200, headers={"X-A": "1"}, request=_REQUEST))
    assert called == []
    quick.extract_cookies(httpx.Response(200, headers={"SET-COOKIE": "a=1"}, request=_REQUEST))
    assert len(called) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_cookies_set_by_a_site_are_kept_and_sent_back(server, fast_config, transport):
    server.route("/a", html("one", headers=[("Set-Cookie", "visit=1; Path=/")]))
    server.route("/b", html("two"))
    server.route("/c", html("three"))
    config = dataclasses.replace(fast_config, transport=transport)

    async def go() -> httpx.Cookies:
        async with Fetcher(config) as fetcher:
            for path in ("/a", "/b", "/c"):
                await fetcher.fetch(server.url(path))
            assert fetcher._client is not None
            return fetcher._client.cookies

    store = asyncio.run(go())
    assert isinstance(store, QuickCookies)  # the private attribute we set still works
    assert store["visit"] == "1"
    assert "cookie" not in server.seen("/a")[0].headers
    assert server.seen("/b")[0].headers["cookie"] == "visit=1"
    assert server.seen("/c")[0].headers["cookie"] == "visit=1"


# -- one URL parse per hop ----------------------------------------------------------------------

_URLS = st.one_of(
    st.sampled_from(
        [
            "http://example.org/a",
            "HTTP://Example.ORG/a",
            "http://example.org",
            "https://example.org:443/x",
            "http://a.org:99999/",
            "http://bücher.example/ä?q=é",
            "http://xn--bcher-kva.example/%C3%A4",
            "http://127.0.0.1:8080/p?q#frag",
            "http://[::1]/",
            "http://a.org/%7e/ x",
            "ftp://a.org/",
            "http:///nohost",
            "http://" + "a" * 64 + ".org/",
        ]
    ),
    st.builds(
        lambda host, path: f"http://{host}/{path}",
        st.from_regex(r"[A-Za-z0-9.-]{1,20}", fullmatch=True),
        st.text(max_size=20),
    ),
)


@given(_URLS)
@settings(max_examples=300, deadline=None)
def test_normalized_is_normalize_url_plus_the_request_url(url):
    try:
        expected = normalize_url(url, 200)
    except (InvalidURL, BlockedAddress) as exc:
        with pytest.raises(type(exc)) as info:
            normalized(url, 200)
        assert str(info.value) == str(exc)
        return
    text, parsed = normalized(url, 200)
    assert text == expected
    if parsed is not None:  # only when the request would parse this very string again
        assert text == url
        assert parsed == httpx.URL(text)
        assert str(parsed) == text


def test_fetcher_sends_the_url_parsed_once(server, fetch, monkeypatch):
    server.route("/p", html("ok"))
    parsed = []
    real = httpx.AsyncClient.build_request

    def spy(self, method, url, **kwargs):
        parsed.append(type(url))
        return real(self, method, url, **kwargs)

    monkeypatch.setattr(httpx.AsyncClient, "build_request", spy)
    fetch(server.url("/p"), obey_robots=False)
    fetch(server.url("/p").upper().replace("/P", "/p"), obey_robots=False)  # not normal
    assert parsed == [httpx.URL, str]


# -- retries: tenacity only after a failure -------------------------------------------------------


def _outcome(spec: str) -> object:
    """A fresh result or error per run (give_up appends hints to the error it raises)."""
    if spec == "page":
        return spec
    if spec == "value":
        return ValueError("not retried")
    return Retryable(NetworkError(f"boom {spec}", url="http://a.org/"), spec)


def _scripted(specs):
    """An attempt that plays one outcome per call, and the list of calls made."""
    results = [_outcome(spec) for spec in specs]
    calls: list[int] = []

    async def attempt():
        calls.append(1)
        result = results[len(calls) - 1]
        if isinstance(result, BaseException):
            raise result
        return result

    return attempt, calls, results


async def _plain(specs, config, counts, budget):
    """What the fetcher did before: every attempt inside tenacity."""
    attempt, calls, _ = _scripted(specs)
    retrying = make_retrying(
        config, remaining=lambda: 60.0, counts=counts, url="http://a.org/", budget=budget
    )
    try:
        return await retrying(attempt), len(calls)
    except (FetchError, ValueError) as exc:
        return exc, len(calls)


async def _fast(specs, config, counts, budget):
    attempt, calls, results = _scripted(specs)
    built = 0

    def retrying():
        nonlocal built
        built += 1
        return make_retrying(
            config, remaining=lambda: 60.0, counts=counts, url="http://a.org/", budget=budget
        )

    try:
        value = await retry_after_first(attempt, retrying)
    except (FetchError, ValueError) as exc:
        value = exc
    assert built == (1 if isinstance(results[0], Retryable) else 0)
    return value, len(calls)


_OUTCOMES = st.lists(
    st.sampled_from(["page", "503", "timeout", "connection", "value"]), min_size=4, max_size=4
)


@given(_OUTCOMES, st.integers(0, 3), st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_retry_after_first_decides_as_tenacity_alone(outcomes, retries, budget_size):
    config = FetchConfig(retries=retries, backoff=0.0, backoff_max=0.0, retry_budget=budget_size)
    runs = []
    for run in (_plain, _fast):
        counts: Counter[str] = Counter()
        budget = RetryBudget(config)
        value, calls = asyncio.run(run(outcomes, config, counts, budget))
        shown = value if isinstance(value, str) else (type(value), str(value))
        runs.append((shown, calls, counts, budget.left("a.org")))
    assert runs[0] == runs[1]


def test_retry_after_first_passes_the_same_error_object_on():
    error = ValueError("no")

    async def attempt():
        raise error

    def retrying():
        raise AssertionError("the loop must not be built for an error that is not retried")

    with pytest.raises(ValueError) as info:
        asyncio.run(retry_after_first(attempt, retrying))
    assert info.value is error


# -- address memos --------------------------------------------------------------------------------

_HOSTS = st.one_of(
    st.sampled_from(
        ["127.1", "0x7f.1", "2130706433", "[::ffff:7f00:1]", "example.org", "10.0.0.1.", " 1.2.3.4"]
    ),
    st.text(alphabet="0123456789abcdefx.:[]", max_size=16),
)


@given(_HOSTS)
@settings(max_examples=300, deadline=None)
def test_literal_address_memo_answers_as_the_parser(host):
    expected = addresses._read_literal(host)
    assert literal_address(host) == expected
    assert literal_address(host) == expected  # the memoised answer


def test_long_hosts_are_read_but_not_memoised():
    before = addresses._memo_literal.cache_info()
    assert literal_address("1" * 300) is None
    assert literal_address("a" * 300 + ".example") is None
    after = addresses._memo_literal.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)


_ADDRESSES = st.one_of(
    st.sampled_from(["127.0.0.1", "10.0.0.1", "169.254.169.254", "::1", "8.8.8.8", "not-an-ip"]),
    st.ip_addresses().map(str),
)


@given(_ADDRESSES, st.sampled_from([(), ("127.0.0.0/8",), ("0.0.0.0/0", "::/0")]))
@settings(max_examples=300, deadline=None)
def test_network_policy_memo_judges_every_call_alike(address, allowed):
    policy = NetworkPolicy(allowed)
    try:
        expected = refusal(ipaddress.ip_address(address), policy.allowed)
    except ValueError:
        expected = "not an IP address"
    for _ in range(2):  # the second answer comes from the memo
        if expected is None:
            policy("host", address)
        else:
            with pytest.raises(BlockedAddress):
                policy("host", address)


def test_network_policy_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(addresses, "_MEMO_SIZE", 3)
    policy = NetworkPolicy()
    for i in range(10):
        policy("h", f"8.8.8.{i}")
        assert len(policy._verdicts) <= 3
    with pytest.raises(BlockedAddress):
        policy("h", "10.0.0.1")
    with pytest.raises(BlockedAddress):
        policy("h", "10.0.0.1")


# -- links: one walk of the page ------------------------------------------------------------------

_TAGS = st.sampled_from(
    [
        '<a href="/a">',
        '<A HREF="/b">',
        "<a>",
        "<a href>",
        '<a rel="NoFollow" href="/n">',
        '<area href="/m">',
        '<base href="/base/">',
        "<base>",
        '<base href="">',
        '<link rel="canonical" href="/c">',
        '<link rel="canonical" href="/d">',
        '<link rel="alternate" type="application/rss+xml" href="/feed">',
        '<link href="/x">',
        '<meta name="robots" content="noindex">',
        '<meta name="tidyscrape" content="nofollow">',
        "<meta name=robots>",
        "<svg>",
        "</svg>",
        "<template>",
        "</template>",
        "<math>",
        "<table>",
        "<p>",
        "text",
    ]
)


@given(st.lists(_TAGS, max_size=25))
@settings(max_examples=300, deadline=None)
def test_one_walk_finds_what_five_queries_find(parts):
    tree = LexborHTMLParser("".join(parts))
    page = "https://site.example/dir/page"
    anchors, heads, metas, base_node = links._page_elements(tree)

    def shown(nodes):
        return [(n.tag, n.attributes) for n in nodes]

    assert shown(anchors) == shown(tree.css("a[href], area[href]"))
    assert links._base_of(base_node, page) == links.document_base(tree, page)
    base = links.document_base(tree, page)
    resolve = functools.partial(links.normalize_url, base=base)
    assert links._feeds(heads, resolve) == links.feed_links(tree, base)
    assert links._canonical(heads, resolve) == links._canonical(
        tree.css("link[rel][href]"), resolve
    )
    # What extract_links gives, through the cross-page cache, is the same.
    cache: links.RecentCache[str, str | None] = links.RecentCache(2)
    for _ in range(2):
        found = links.extract_links(tree, page, cache=cache)
        assert found.feeds == links.feed_links(tree, base)
        assert found.canonical == links._canonical(tree.css("link[rel][href]"), resolve)
    assert links._meta_robots(metas, "tidyscrape") == links._meta_robots(
        tree.css("meta[name][content]"), "tidyscrape"
    )


_TRICKY = re.compile(r"[\t\n\r\\]")


@given(st.text(alphabet="/a\\\t\n\r \x0b\u2028", max_size=12))
def test_tricky_is_the_regex_it_replaced(text):
    assert links._tricky(text) == (_TRICKY.search(text) is not None)


@given(st.one_of(st.none(), st.text(alphabet="nofolwNOFLW \t\n,", max_size=20)))
def test_anchor_rel_test_is_the_token_test(rel):
    attributes = "" if rel is None else f' rel="{rel}"'
    node = LexborHTMLParser(f'<a href="/x"{attributes}>').css_first("a")
    assert node is not None
    expected = None if "nofollow" in links._tokens(node.attributes.get("rel")) else "/x"
    assert links._anchor_href(node) == expected


def test_fetch_reply_type_is_still_checked(server, fetch):
    # The parsed-URL shortcut must not skip the body's checks.
    server.route("/bin", Reply(200, bytes(range(256)) * 4, [("Content-Type", "text/html")]))
    with pytest.raises(FetchError):
        fetch(server.url("/bin"), obey_robots=False)
