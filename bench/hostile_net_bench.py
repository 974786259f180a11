"""Hostile network benchmark: every case of ``tests/hostile`` with the default deadlines and caps.

Usage (from the repository root)::

    .venv/bin/python bench/hostile_net_bench.py                 # every case, 2 at a time
    .venv/bin/python bench/hostile_net_bench.py --only robots   # cases whose name holds "robots"
    .venv/bin/python bench/hostile_net_bench.py --jobs 1

The cases are the tests of ``tests/hostile/test_*.py`` (issue 5, network
half) that fetch, one case per test and parameter, named
``<module>.<test>[<parameter>]`` after the test they mirror; ``NOT_CASES``
lists the others and why, and the run ends with a note naming any test
newer than this catalogue.
The servers, reply builders and route table are imported from
``tests/hostile`` (server.py, cases.py, and the tests' own module-level
helpers); a test's parameters are read from its ``parametrize`` mark, so a
parameter added there is benchmarked here too.  Unlike the tests, each case
runs with the **default** ``FetchConfig`` (30 s deadline, 10 s for
robots.txt, 10 MiB body cap, 3 retries, robots.txt obeyed...), changing only
``allow_networks=("127.0.0.1/32",)`` so that the hostile server is reachable,
plus what a case is about (its own ``allow_networks``, headers and cookies,
a transport, proxy variables).  A test's short deadlines, smaller caps and
``obey_robots=False`` are *not* carried over, so some outcomes differ from
the test's (a 300 KB body is fine under the default 10 MiB cap); the
``as expected`` column compares with the outcome the defaults should produce.

Per case the parent starts a fresh hostile server (127.0.0.1, the route
table of cases.py), a second origin and a canary (127.0.0.2, an internal
service never allowed), routes what the case needs, and runs the fetches in
a child process (``_one``, a hidden sub-command) with the production
transport (the one ``Fetcher`` builds) and the tests' ``FakeResolver`` (no
DNS).  The servers give each connection 45 s, so that the fetcher's deadline,
not the server, ends a trickle.  The child reports per fetch the outcome
(the error class, or ``ok``) and the time, and its own peak RSS
(``VmHWM``, see ``_peak_rss``) before the first fetch (base: interpreter and
imports) and at exit (peak).

A case passes when every fetch ends within the deadline (plus
``SLACK``), the child within its fetches' deadlines (plus start-up), the
child's peak RSS is within 384 MiB, the canary accepted no connection, the
child tried no address off the loopback interface, and no untyped exception
escaped the fetcher.  An outcome other than the expected one is counted and
shown, but is not a broken limit.  Exit code 1 if any case fails.

Safety: the child installs an audit hook (``sys.addaudithook``) that refuses
and records any socket connect, send or name lookup that is not a loopback
literal (127.0.0.1 or 127.0.0.2), so even a broken address policy cannot
send a packet (or a DNS query) off this machine; proxy variables of the
environment are dropped for the child unless a case sets its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import datetime as dt
import email.utils
import importlib.util
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # after the path set-up above

from scraper.config import FetchConfig
from scraper.errors import ScraperError
from scraper.fetching.client import Fetcher
from tests.hostile.conftest import FakeResolver
from tests.hostile.server import Conn, Handler, HostileServer, Request

logger = logging.getLogger("hostile_net_bench")

#: The one change to the default FetchConfig: the hostile servers are reachable.
ALLOW = ("127.0.0.1/32",)
DEFAULTS = dataclasses.replace(FetchConfig(), allow_networks=ALLOW)
#: How far past its deadline a fetch may end (as tests/hostile/test_deadlines.py).
SLACK = 0.5
#: What a child may spend besides its fetches: interpreter start, imports, closing.
STARTUP_SLACK = 5.0
#: Peak RSS allowed to the process that fetches (issue 5).
MEMORY_LIMIT = 384 * 1024 * 1024
#: Seconds a server gives one connection: past the fetch deadline, so the fetcher ends trickles.
SERVER_SECONDS = DEFAULTS.timeout + 15.0
#: The only addresses a child may open a socket to or look up (servers and canary).
LOOPBACK = frozenset({"127.0.0.1", "127.0.0.2"})
#: Outcome recorded for an exception that is not a ScraperError (a broken promise).
UNTYPED = "UNTYPED"


# -- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a child does: fetch ``urls`` in turn with one Fetcher.  JSON-able."""

    urls: tuple[str, ...]
    #: FakeResolver's table: name -> addresses (or one answer per lookup).
    resolver: dict[str, list[str] | list[list[str]]] = field(default_factory=dict)
    #: "default" (the Fetcher's own), "httpx", "blindfold" or "aiohttp".
    transport: str = "default"
    allow_networks: tuple[str, ...] = ALLOW
    headers: tuple[tuple[str, str], ...] = ()
    cookies: tuple[tuple[str, str], ...] = ()
    #: Environment variables for the child (proxies); the parent's proxies are dropped.
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Servers:
    """One case's servers: the hostile origin, a second origin, the canary."""

    hostile: HostileServer
    other: HostileServer
    canary: HostileServer


@dataclass(frozen=True)
class Case:
    name: str
    #: Routes what the case needs on its servers and says what to fetch.
    plan: Callable[[Servers], Plan]
    #: Expected outcome of each fetch with the defaults; "A|B" accepts either.
    expect: tuple[str, ...]
    #: Seconds the case should wait with the defaults (longest cases start first).
    waits: float = 0.0
    #: A module the case needs (skipped when it is not installed).
    needs: str | None = None


def _params(test: Callable[..., object]) -> list[object]:
    """The values ``test`` is parametrized with, read from its pytest mark."""
    marks = [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]
    if len(marks) != 1:
        raise RuntimeError(f"{test.__name__}: expected one parametrize mark, found {len(marks)}")
    return list(marks[0].args[1])


def _name(test: Callable[..., object], param: object = None) -> str:
    module = test.__module__.rsplit(".", 1)[1].removeprefix("test_")
    name = f"{module}.{test.__name__.removeprefix('test_')}"
    if param is None:
        return name
    first = str(param[0] if isinstance(param, tuple) else param)
    if len(first) > 40:
        first = f"{first[:24]}...({len(first)} chars)"
    return f"{name}[{first}]"


def catalogue() -> list[Case]:
    """Every case of tests/hostile, in the order pytest collects them."""
    cases = [
        *_address_cases(),
        *_deadline_cases(),
        *_http_cases(),
        *_redirect_cases(),
        *_robots_cases(),
        *_size_cases(),
        *_truncation_cases(),
    ]
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise RuntimeError(
            f"two cases share a name: {sorted(n for n in names if names.count(n) > 1)}"
        )
    return cases


#: Tests of tests/hostile that are not one fetch to benchmark, and why.
NOT_CASES = {
    "fuzz.fetch_raises_only_fetch_errors": "a property test (hypothesis): many random replies "
    "checked for error types, not one case with a deadline",
    "http.parse_retry_after_clamps_and_reads_ascii_only": "a unit test of a parser: no fetch",
    "redirects.resolver_refusing_a_name_is_a_network_error": "asks the system resolver "
    "directly: no fetch, and the bench resolves nothing through the system",
}


def unmirrored(cases: Sequence[Case]) -> list[str]:
    """Tests in tests/hostile that no case mirrors: added since this catalogue was written."""
    import importlib
    import inspect

    mirrored = {c.name.split("[", 1)[0] for c in cases} | set(NOT_CASES)
    missing = []
    for path in sorted(
        (Path(__file__).resolve().parent.parent / "tests/hostile").glob("test_*.py")
    ):
        module = importlib.import_module(f"tests.hostile.{path.stem}")
        for name, test in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and test.__module__ == module.__name__:
                key = _name(test)
                if key not in mirrored:
                    missing.append(key)
    return missing


def _address_cases() -> list[Case]:
    from tests.hostile import test_addresses as t
    from tests.hostile.cases import head, reply

    def direct(s: Servers) -> Plan:
        return Plan((s.canary.url("/admin"),))

    def to_canary(s: Servers) -> Plan:
        s.hostile.route("/go", t._redirect_to(s.canary.url("/admin")))
        return Plan((s.hostile.url("/go"),))

    def spelling(value: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            s.hostile.route("/go", t._redirect_to(f"http://{value}:{s.canary.port}/admin"))
            return Plan((s.hostile.url("/go"),))

        return plan

    def named_canary(s: Servers) -> Plan:
        s.hostile.route("/go", t._redirect_to(f"http://intranet.test:{s.canary.port}/admin"))
        return Plan((s.hostile.url("/go"),), resolver={"intranet.test": ["127.0.0.2"]})

    def inward(address: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            return Plan(("http://inward.test/latest/meta-data/",), {"inward.test": [address]})

        return plan

    def metadata_allowed(s: Servers) -> Plan:
        return Plan(
            ("http://meta.test/",),
            resolver={"meta.test": ["169.254.169.254"]},
            allow_networks=("127.0.0.1/32", "169.254.0.0/16"),
        )

    def mixed(s: Servers) -> Plan:
        return Plan(
            (f"http://mixed.test:{s.hostile.port}/gzip",),
            resolver={"mixed.test": ["10.0.0.7", "127.0.0.2", "127.0.0.1"]},
        )

    def rebinding(s: Servers) -> Plan:
        s.hostile.route("/first", t._redirect_to(f"http://rebind.test:{s.canary.port}/second"))
        return Plan(
            (f"http://rebind.test:{s.hostile.port}/first",),
            resolver={"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]},
        )

    def robots_inward(s: Servers) -> Plan:
        s.hostile.route("/robots.txt", t._redirect_to(s.canary.url("/robots.txt")))
        return Plan((s.hostile.url("/page"),))

    def scheme(location: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            s.hostile.route("/go", t._redirect_to(location))
            return Plan((s.hostile.url("/go"),))

        return plan

    def protocol_relative(s: Servers) -> Plan:
        s.hostile.route("/go", t._redirect_to(f"//127.0.0.2:{s.canary.port}/admin"))
        return Plan((s.hostile.url("/go"),))

    def no_networks(s: Servers) -> Plan:
        return Plan((s.hostile.url("/gzip"),), allow_networks=())

    def custom_httpx(s: Servers) -> Plan:
        s.hostile.route("/go", t._redirect_to(f"http://intranet.test:{s.canary.port}/admin"))
        return Plan(
            (s.hostile.url("/go"), s.hostile.url("/gzip")),
            resolver={"intranet.test": ["127.0.0.2"]},
            transport="httpx",
        )

    def hidden_address(transport: str, allow: tuple[str, ...]) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            return Plan((s.hostile.url("/gzip"),), transport=transport, allow_networks=allow)

        return plan

    def proxy_inward(s: Servers) -> Plan:
        s.other.route("/admin", t._proxy_answer)
        return Plan(
            (f"http://intranet.test:{s.canary.port}/admin", "http://public.test/admin"),
            resolver={"intranet.test": ["127.0.0.2"], "public.test": ["127.0.0.1"]},
            env={"HTTP_PROXY": s.other.origin},
        )

    def no_proxy(s: Servers) -> Plan:
        return Plan(
            (f"http://direct.test:{s.hostile.port}/gzip",),
            resolver={"direct.test": ["127.0.0.1"]},
            env={"HTTP_PROXY": s.other.origin, "NO_PROXY": "direct.test"},
        )

    def credentials(s: Servers) -> Plan:
        s.other.route("/land", reply(b"<p>landed</p>"))
        s.hostile.route("/start", t._redirect_to(s.other.url("/land")))
        return Plan(
            (s.hostile.url("/start"),),
            headers=(("Authorization", "Bearer secret"), ("Proxy-Authorization", "Basic x")),
            cookies=(("session", "s3cret"),),
        )

    def set_cookie_then_leave(s: Servers) -> Handler:
        return lambda c, r: c.send(
            head(
                302,
                [
                    ("Set-Cookie", "session=SECRET; Path=/"),
                    ("Location", s.other.url("/land")),
                    ("Content-Length", "0"),
                ],
            )
        )

    def cookie_on_the_way(s: Servers) -> Plan:
        s.other.route("/land", reply(b"<p>landed</p>"))
        s.hostile.route("/start", set_cookie_then_leave(s))
        return Plan((s.hostile.url("/start"),))

    def configured_headers(s: Servers) -> Plan:
        s.other.route("/land", reply(b"<p>landed</p>"))
        s.hostile.route("/start", t._redirect_to(s.other.url("/land")))
        return Plan(
            (s.hostile.url("/start"),),
            headers=(("X-Api-Key", "K"), ("Accept-Language", "it"), ("X-Custom", "1")),
        )

    def mapped_ipv4(s: Servers) -> Plan:
        return Plan(
            ("http://mapped.test/",),
            resolver={"mapped.test": ["::ffff:127.0.0.2", "64:ff9b::a00:1"]},
            allow_networks=("127.0.0.1/32", "::/0"),
        )

    def robots_no_cookie(s: Servers) -> Plan:
        s.other.route("/land", reply(b"<p>landed</p>"))
        s.other.route("/robots.txt", reply(b"", status=404))
        s.hostile.route("/robots.txt", reply(b"", status=404))
        s.hostile.route("/start", set_cookie_then_leave(s))
        return Plan((s.hostile.url("/start"),))

    blocked = ("BlockedAddress",)
    spellings = t.test_other_spellings_of_the_canary
    inwards = t.test_names_resolving_inward_never_get_a_socket
    schemes = t.test_only_http_and_https_schemes
    return [
        Case(_name(t.test_direct_request_to_the_canary), direct, blocked),
        Case(_name(t.test_redirect_to_the_canary), to_canary, blocked),
        *(
            Case(_name(spellings, p), spelling(str(p)), ("BlockedAddress|InvalidURL",))
            for p in _params(spellings)
        ),
        Case(_name(t.test_a_name_resolving_to_the_canary), named_canary, blocked),
        *(Case(_name(inwards, p), inward(str(p[0])), blocked) for p in _tuples(inwards)),
        Case(
            _name(t.test_metadata_stays_refused_inside_an_allowed_network),
            metadata_allowed,
            blocked,
        ),
        Case(_name(t.test_only_allowed_addresses_of_a_mixed_answer_are_used), mixed, ("ok",)),
        Case(_name(t.test_dns_rebinding_between_hops_is_caught), rebinding, blocked),
        # The refused hop makes robots.txt unreachable: disallowed for now (RFC 9309).
        Case(_name(t.test_robots_txt_redirecting_inward), robots_inward, ("RobotsDisallowed",)),
        *(Case(_name(schemes, p), scheme(str(p)), blocked) for p in _params(schemes)),
        Case(_name(t.test_protocol_relative_redirect_inward), protocol_relative, blocked),
        Case(_name(t.test_default_policy_refuses_loopback), no_networks, blocked),
        Case(_name(t.test_default_transport_is_guarded), to_canary, blocked),
        Case(
            _name(t.test_custom_httpcore_transport_is_checked_before_sending),
            custom_httpx,
            ("BlockedAddress", "ok"),
        ),
        Case(
            _name(t.test_transport_that_hides_its_address_fails_closed),
            hidden_address("blindfold", ALLOW),
            blocked,
        ),
        Case(
            _name(t.test_transport_that_hides_its_address_works_when_everything_is_allowed),
            hidden_address("blindfold", ("0.0.0.0/0", "::/0")),
            ("ok",),
        ),
        Case(
            _name(t.test_aiohttp_transport_fails_closed),
            hidden_address("aiohttp", ALLOW),
            blocked,
            needs="httpx_aiohttp",
        ),
        Case(
            _name(t.test_proxy_gets_nothing_for_an_inward_target),
            proxy_inward,
            ("BlockedAddress", "ok"),
        ),
        Case(_name(t.test_no_proxy_hosts_go_direct_and_are_checked), no_proxy, ("ok",)),
        Case(
            _name(t.test_credentials_do_not_follow_a_redirect_to_another_origin),
            credentials,
            ("ok",),
        ),
        Case(
            _name(t.test_cookies_set_on_the_way_do_not_follow_to_another_origin),
            cookie_on_the_way,
            ("ok",),
        ),
        Case(_name(t.test_configured_headers_stay_with_their_origin), configured_headers, ("ok",)),
        Case(_name(t.test_allowing_all_of_ipv6_does_not_open_mapped_ipv4), mapped_ipv4, blocked),
        Case(_name(t.test_robots_txt_of_another_origin_gets_no_cookie), robots_no_cookie, ("ok",)),
    ]


def _tuples(test: Callable[..., object]) -> list[tuple[object, ...]]:
    return [p for p in _params(test) if isinstance(p, tuple)]


def _deadline_cases() -> list[Case]:
    from tests.hostile import test_deadlines as t
    from tests.hostile.cases import head, reply

    def path_plan(path: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            return Plan((s.hostile.url(path),))

        return plan

    def late_503(conn: Conn, request: Request) -> None:
        conn.wait(0.4)
        reply(b"busy", status=503)(conn, request)

    def retries(s: Servers) -> Plan:
        s.hostile.route("/busy", late_503)
        return Plan((s.hostile.url("/busy"),))

    def slow_hop(conn: Conn, request: Request) -> None:
        n = int(request.target.rsplit("=", 1)[1])
        conn.wait(0.3)
        conn.send(head(302, [("Location", f"/hop?n={n + 1}"), ("Content-Length", "0")]))

    def chain(s: Servers) -> Plan:
        s.hostile.route("/hop", slow_hop)
        return Plan((s.hostile.url("/hop?n=0"),))

    def slow_robots(conn: Conn, request: Request) -> None:
        conn.wait(0.2)
        reply(b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])(conn, request)

    def robots_and_page(s: Servers) -> Plan:
        s.hostile.route("/robots.txt", slow_robots)
        return Plan((s.hostile.url("/trickle-body"),))

    def slow_case(path: str) -> Case:
        name = _name(t.test_slow_servers_end_at_the_deadline, path)
        if path == "/trickle-headers":  # about 9 s of headers, within 30 s: an empty page
            return Case(name, path_plan(path), ("ok",), waits=9.0)
        return Case(name, path_plan(path), ("DeadlineExceeded",), waits=DEFAULTS.timeout)

    return [
        *(slow_case(str(p)) for p in _params(t.test_slow_servers_end_at_the_deadline)),
        Case(_name(t.test_deadline_covers_retries), retries, ("HTTPStatusError",), waits=5.0),
        Case(_name(t.test_deadline_covers_redirect_chains), chain, ("TooManyRedirects",), 3.5),
        Case(
            _name(t.test_deadline_covers_robots_and_page_together),
            robots_and_page,
            ("DeadlineExceeded",),
            waits=DEFAULTS.timeout,
        ),
    ]


def _http_cases() -> list[Case]:
    from tests.hostile import test_http as t
    from tests.hostile.cases import reply

    def after_seconds(status: int) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            handler, _ = t._stamped(
                [reply(b"wait", status=status, headers=[("Retry-After", "1")]), reply(b"<p>ok</p>")]
            )
            s.hostile.route("/", handler)
            return Plan((s.hostile.url("/"),))

        return plan

    def after_date(s: Servers) -> Plan:
        when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=2)
        date = email.utils.format_datetime(when, usegmt=True)
        handler, _ = t._stamped(
            [reply(b"wait", status=503, headers=[("Retry-After", date)]), reply(b"<p>ok</p>")]
        )
        s.hostile.route("/", handler)
        return Plan((s.hostile.url("/"),))

    def always(status: int, retry_after: str | None = None) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            headers = [("Retry-After", retry_after)] if retry_after else []
            s.hostile.route("/", reply(b"no", status=status, headers=headers))
            return Plan((s.hostile.url("/"),))

        return plan

    def unreadable(s: Servers) -> Plan:
        handler, _ = t._stamped(
            [reply(b"x", status=503, headers=[("Retry-After", "soon-ish")]), reply(b"<p>ok</p>")]
        )
        s.hostile.route("/", handler)
        return Plan((s.hostile.url("/"),))

    def budget(s: Servers) -> Plan:
        s.hostile.route("/down", reply(b"down", status=503))
        sick = f"http://sick.test:{s.hostile.port}/down"
        well = f"http://well.test:{s.hostile.port}/down"
        return Plan(
            (sick, sick, sick, well),
            resolver={"sick.test": ["127.0.0.1"], "well.test": ["127.0.0.1"]},
        )

    def closing(s: Servers) -> Plan:
        return Plan((s.hostile.url("/close-before-answer"),))

    def then_ok(status: int, retry_after: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            handler, _ = t._stamped(
                [
                    reply(b"x", status=status, headers=[("Retry-After", retry_after)]),
                    reply(b"<p>ok</p>"),
                ]
            )
            s.hostile.route("/", handler)
            return Plan((s.hostile.url("/"),))

        return plan

    seconds = t.test_retry_after_seconds_is_never_cut_short
    final = t.test_4xx_other_than_429_is_final
    huge = t.test_huge_retry_after_is_clamped_not_a_crash
    not_ascii = t.test_retry_after_that_is_not_ascii_digits_is_ignored
    return [
        *(
            Case(_name(seconds, p), after_seconds(int(str(p))), ("ok",), 1.0)
            for p in _params(seconds)
        ),
        Case(_name(t.test_retry_after_http_date_is_never_cut_short), after_date, ("ok",), 2.0),
        Case(
            _name(t.test_retry_after_past_the_cap_is_returned_at_once),
            always(429, "86400"),
            ("RetryLaterError",),
        ),
        # 5 s is within the default cap (30 s): waited three times, then the last 503.
        Case(
            _name(t.test_retry_after_past_the_deadline_is_returned_at_once),
            always(503, "5"),
            ("HTTPStatusError|RetryLaterError",),
            waits=15.0,
        ),
        Case(_name(t.test_unreadable_retry_after_falls_back_to_backoff), unreadable, ("ok",)),
        *(Case(_name(final, p), always(int(str(p))), ("HTTPStatusError",)) for p in _params(final)),
        Case(_name(t.test_retry_budget_is_per_host), budget, ("HTTPStatusError",) * 4, 12.0),
        Case(
            _name(t.test_connection_errors_are_retried_and_typed), closing, ("NetworkError",), 3.0
        ),
        *(Case(_name(huge, p), always(503, str(p)), ("RetryLaterError",)) for p in _params(huge)),
        *(Case(_name(not_ascii, p), then_ok(429, str(p)), ("ok",)) for p in _params(not_ascii)),
    ]


def _redirect_cases() -> list[Case]:
    from tests.hostile import test_redirects as t

    def onwards(conn: Conn, request: Request) -> None:
        n = int(request.target.rsplit("=", 1)[1])
        t._to(f"/onwards?n={n + 1}")(conn, request)

    def fresh(s: Servers) -> Plan:
        s.hostile.route("/onwards", onwards)
        return Plan((s.hostile.url("/onwards?n=0"),))

    def loop(status: int) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            s.hostile.route("/ping", t._to("/pong", status))
            s.hostile.route("/pong", t._to("/ping", status))
            return Plan((s.hostile.url("/ping"),))

        return plan

    def spelled(s: Servers) -> Plan:
        s.hostile.route("/a", t._to(s.hostile.url("/b").replace("http://", "HTTP://")))
        s.hostile.route("/b", t._to(s.hostile.url("/a")))
        return Plan((s.hostile.url("/a"),))

    def meta(s: Servers) -> Plan:
        return Plan((s.hostile.url("/meta-refresh-loop"),))

    def unusable(location: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            s.hostile.route("/go", t._to(location))
            return Plan((s.hostile.url("/go"),))

        return plan

    loops = t.test_two_step_loop_is_caught_at_once
    unusables = t.test_unusable_locations_are_invalid_urls
    many = ("TooManyRedirects",)
    return [
        Case(_name(t.test_endless_fresh_urls_hit_the_limit), fresh, many),
        *(Case(_name(loops, p), loop(int(str(p))), many) for p in _params(loops)),
        Case(_name(t.test_loop_through_spelling_variants_is_caught), spelled, many),
        Case(_name(t.test_meta_refresh_loop_is_returned_not_followed), meta, ("ok",)),
        *(
            Case(_name(unusables, p), unusable(str(p[0])), ("InvalidURL",))
            for p in _tuples(unusables)
        ),
    ]


def _robots_cases() -> list[Case]:
    import gzip

    from tests.hostile import test_robots as t
    from tests.hostile.cases import ROUTES, gzip_bomb

    def robots(handler_of: Callable[[Servers], Handler], *paths: str) -> Callable[[Servers], Plan]:
        """Route the case's robots.txt and the two pages; fetch ``paths``."""

        def plan(s: Servers) -> Plan:
            t._page(s.hostile)
            s.hostile.route("/robots.txt", handler_of(s))
            return Plan(tuple(s.hostile.url(p) for p in paths))

        return plan

    def hops(s: Servers) -> Handler:
        for i in range(3):
            s.hostile.route(f"/r{i}", t._to(f"/r{i + 1}"))
        s.hostile.route("/r3", t._robots(b"User-agent: *\nDisallow: /private\n"))
        return t._to("/r0")

    def too_many(s: Servers) -> Handler:
        for i in range(10):
            s.hostile.route(f"/r{i}", t._to(f"/r{i + 1}"))
        return t._to("/r0")

    bom = (
        b"\xef\xbb\xbfUser-agent: *\r\n"
        b"this line is nonsense\n"
        b"Disallow /no-colon\n"
        b"\x00\xff\xfe garbage bytes\n"
        b"Disallow: /private\n"
    )
    filler = b"# padding padding padding\n" * (600 * 1024 // 26)
    late = b"User-agent: *\nDisallow: /private\n" + filler + b"Disallow: /\n"
    compressed = gzip.compress(b"User-agent: *\nDisallow: /private\n" + b"#" * (2 * 1024 * 1024))
    gz = [*t.TEXT, ("Content-Encoding", "gzip")]

    def hop_to(where: str) -> Callable[[Servers], Handler]:
        def handler_of(s: Servers) -> Handler:
            return t._to(s.canary.url("/robots.txt") if where == "canary" else where)

        return handler_of

    cannot = t.test_robots_hop_that_cannot_be_made_disallows_and_is_cached
    errors = t.test_server_errors_disallow_for_now
    clients = t.test_client_errors_allow_everything
    unreachable = t.test_unreachable_robots_disallows
    no = ("RobotsDisallowed",)
    no_then_yes = ("RobotsDisallowed", "ok")
    # robots.txt has its own deadline (10 s by default) when it trickles or stays silent.
    waits = {"/trickle-body": DEFAULTS.robots_timeout, "/silent": DEFAULTS.robots_timeout}
    return [
        *(
            Case(
                _name(errors, p),
                robots(lambda s, p=p: t._robots(b"oops", status=int(str(p))), "/public"),
                no,
            )
            for p in _params(errors)
        ),
        *(
            Case(
                _name(clients, p),
                robots(
                    lambda s, p=p: t._robots(b"User-agent: *\nDisallow: /\n", status=int(str(p))),
                    "/private/page",
                ),
                ("ok",),
            )
            for p in _params(clients)
        ),
        *(
            Case(
                _name(unreachable, p),
                robots(lambda s, p=p: ROUTES[str(p)], "/public"),
                no,
                waits=waits.get(str(p), 0.0),
            )
            for p in _params(unreachable)
        ),
        Case(
            _name(t.test_redirects_are_followed_a_few_hops),
            robots(hops, "/private/page", "/public"),
            no_then_yes,
        ),
        Case(
            _name(t.test_too_many_redirects_mean_unavailable),
            robots(too_many, "/private/page"),
            ("ok",),
        ),
        Case(
            _name(t.test_bom_and_malformed_lines_are_tolerated),
            robots(lambda s: t._robots(bom), "/private/page", "/public"),
            no_then_yes,
        ),
        Case(
            _name(t.test_only_the_first_500_kib_count),
            robots(lambda s: t._robots(late), "/private/page", "/public"),
            no_then_yes,
        ),
        Case(
            _name(t.test_compressed_robots_is_capped_after_decompression),
            robots(lambda s: t._robots(compressed, headers=gz), "/private/page"),
            no,
        ),
        Case(
            _name(t.test_robots_gzip_bomb_is_read_in_bounded_memory),
            robots(lambda s: t._robots(gzip_bomb(), headers=gz), "/public"),
            ("ok",),
        ),
        Case(
            _name(t.test_corrupt_compressed_robots_disallows_for_now),
            robots(lambda s: t._robots(b"\x1f\x8b\x08\x00broken", headers=gz), "/public"),
            no,
        ),
        # Twice, as in the test: the second verdict comes from the cache.
        *(
            Case(_name(cannot, p), robots(hop_to(str(p)), "/public", "/public"), no * 2)
            for p in _params(cannot)
        ),
    ]


def _size_cases() -> list[Case]:
    from tests.hostile import test_sizes as t
    from tests.hostile.cases import endless_after, head

    def path_plan(path: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            return Plan((s.hostile.url(path),))

        return plan

    def endless(case: str, *, then_close: bool = False) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            coding, prefix, filler = t.ENDLESS[case]
            s.hostile.route(
                "/endless", endless_after(coding, prefix, filler, [], then_close=then_close)
            )
            return Plan((s.hostile.url("/endless"),))

        return plan

    def long_url(s: Servers) -> Plan:
        return Plan((s.hostile.url("/" + "a" * 9000),))

    def to_long(s: Servers) -> Plan:
        s.hostile.route(
            "/to-long",
            lambda c, r: c.send(
                head(302, [("Location", "/" + "b" * 3000), ("Content-Length", "0")])
            ),
        )
        return Plan((s.hostile.url("/to-long"),))

    bombs = t.test_bombs_stop_at_the_cap_in_bounded_memory
    encoded = t.test_encoded_pages_decode_exactly
    undecodable = t.test_undecodable_bodies
    plain = t.test_plain_bodies_over_the_cap
    padding = t.test_raw_bytes_that_decode_to_nothing_stop_at_the_cap
    too_large = ("BodyTooLarge",)
    return [
        *(Case(_name(bombs, p), path_plan(str(p)), too_large) for p in _params(bombs)),
        Case(_name(t.test_nested_bomb_stops_at_the_cap), path_plan("/nested-bomb"), too_large),
        *(Case(_name(encoded, p), path_plan(str(p)), ("ok",)) for p in _params(encoded)),
        Case(
            _name(t.test_zstd_window_over_8_mib_is_refused),
            path_plan("/zstd-wide-window"),
            ("ContentEncodingError",),
        ),
        *(
            Case(_name(undecodable, p), path_plan(str(p[0])), ("ContentEncodingError",))
            for p in _tuples(undecodable)
        ),
        # 300 KB: over the test's 100 KB cap, well under the default 10 MiB.
        *(Case(_name(plain, p), path_plan(str(p)), ("ok",)) for p in _params(plain)),
        # About 51 KB of headers: over the test's 16 KiB cap, under the default 64 KiB.
        Case(_name(t.test_headers_over_the_cap), path_plan("/fat-headers"), ("ok",)),
        Case(
            _name(t.test_endless_headers_hit_the_parser_limit),
            path_plan("/endless-headers"),
            ("HeadersTooLarge",),
        ),
        Case(_name(t.test_url_over_the_cap_is_never_requested), long_url, ("InvalidURL",)),
        # 3,000 characters is under the default 8,192: followed, to a 404.
        Case(_name(t.test_redirect_to_a_url_over_the_cap), to_long, ("HTTPStatusError",)),
        Case(
            _name(t.test_junk_after_the_gzip_stream_is_not_read), endless("gzip-trailer"), ("ok",)
        ),
        *(Case(_name(padding, p), endless(str(p)), too_large) for p in _params(padding)),
        Case(
            _name(t.test_truncated_stream_that_decoded_to_nothing_is_not_retried),
            endless("gzip-name", then_close=True),
            ("TruncatedBody",),
        ),
    ]


def _truncation_cases() -> list[Case]:
    from tests.hostile import test_truncation as t

    def path_plan(path: str) -> Callable[[Servers], Plan]:
        def plan(s: Servers) -> Plan:
            return Plan((s.hostile.url(path),))

        return plan

    truncated = t.test_truncated_bodies
    broken = t.test_broken_answers_are_network_errors
    return [
        *(
            Case(_name(truncated, p), path_plan(str(p[0])), ("TruncatedBody",), waits=3.0)
            for p in _tuples(truncated)
        ),
        *(
            Case(_name(broken, p), path_plan(str(p)), ("NetworkError",), waits=3.0)
            for p in _params(broken)
        ),
    ]


# -- the child: one case, one process --------------------------------------------------------

#: Off-loopback attempts the audit hook refused.  THE CHILD'S ONE PIECE OF
#: MODULE STATE: an audit hook has nowhere else to put what it saw.
_REFUSED: list[str] = []
#: Connections the child opened to the canary's address (counted by the canary too).
_CANARY_CONNECTS: list[str] = []


def _host_of(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value if isinstance(value, str) else None


def _guard(event: str, args: tuple[object, ...]) -> None:
    """Audit hook: refuse (OSError) any socket use that could leave the loopback interface."""
    if event == "socket.getaddrinfo":
        host = _host_of(args[0])
        if host not in LOOPBACK:
            _refuse(f"name lookup of {host!r}")
    elif event in ("socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
        _refuse(f"{event} {args!r}")
    elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if isinstance(address, tuple) and address:
            host = _host_of(address[0])
            if host not in LOOPBACK:
                _refuse(f"{event} to {address!r}")
            if event == "socket.connect" and host == "127.0.0.2":
                _CANARY_CONNECTS.append(repr(address))


def _refuse(what: str) -> None:
    _REFUSED.append(what)
    raise PermissionError(f"hostile_net_bench: {what} refused (only 127.0.0.1 and 127.0.0.2)")


def _peak_rss() -> int:
    """This process's peak RSS in bytes: ``VmHWM``, not ``ru_maxrss``.

    On Linux ``ru_maxrss`` keeps the high-water mark of the memory a process
    had *before* exec, and a child that subprocess spawns (vfork) had the
    parent's: every child would report at least the parent's peak (the
    parent holds the servers and the bombs).  ``VmHWM`` belongs to the
    process's own address space.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (this benchmark needs Linux)")


def _transport(kind: str) -> httpx.AsyncBaseTransport | None:
    if kind == "default":
        return None
    if kind == "httpx":
        return httpx.AsyncHTTPTransport()
    if kind == "blindfold":
        from tests.hostile.test_addresses import _Blindfold

        return _Blindfold()
    if kind == "aiohttp":
        import httpx_aiohttp  # type: ignore[import-not-found]  # bench extra

        transport: httpx.AsyncBaseTransport = httpx_aiohttp.AiohttpTransport()
        return transport
    raise ValueError(f"unknown transport {kind!r}")


async def _fetch_all(plan: Plan) -> list[dict[str, object]]:
    config = dataclasses.replace(
        DEFAULTS,
        allow_networks=plan.allow_networks,
        headers=plan.headers,
        cookies=plan.cookies,
    )
    resolver = FakeResolver(plan.resolver)
    fetches: list[dict[str, object]] = []
    async with Fetcher(config, resolver=resolver, transport=_transport(plan.transport)) as fetcher:
        for url in plan.urls:
            started = time.monotonic()
            try:
                page = await fetcher.fetch(url)
                outcome, detail = "ok", f"{page.status}, {len(page.content):,} bytes"
            except ScraperError as exc:
                outcome, detail = type(exc).__name__, str(exc)
            except Exception as exc:  # an untyped escape: recorded and failed, never swallowed
                outcome, detail = UNTYPED, f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
                logger.exception("untyped exception from %s", url)
            fetches.append(
                {"outcome": outcome, "detail": detail, "seconds": time.monotonic() - started}
            )
    return fetches


def run_one(plan: Plan) -> dict[str, object]:
    """Fetch the plan's URLs in this process; what happened, as a JSON-able dict."""
    sys.addaudithook(_guard)
    base = _peak_rss()
    started = time.monotonic()
    fetches = asyncio.run(_fetch_all(plan))
    return {
        "fetches": fetches,
        "seconds": time.monotonic() - started,
        "base": base,
        "peak": _peak_rss(),
        "refused": list(_REFUSED),
        "canary_connects": len(_CANARY_CONNECTS),
    }


def _plan_from_json(text: str) -> Plan:
    raw = json.loads(text)
    return Plan(
        urls=tuple(raw["urls"]),
        resolver=raw["resolver"],
        transport=raw["transport"],
        allow_networks=tuple(raw["allow_networks"]),
        headers=tuple((k, v) for k, v in raw["headers"]),
        cookies=tuple((k, v) for k, v in raw["cookies"]),
        env=raw["env"],
    )


# -- the parent: servers, children, the table ----------------------------------------------------


@dataclass
class Result:
    case: Case
    fetches: list[dict[str, object]] = field(default_factory=list)
    #: Wall time of the child process, start-up included.
    wall: float = 0.0
    base: int = 0
    peak: int = 0
    requests: int = 0
    canary: int = 0
    refused: list[str] = field(default_factory=list)
    #: The case's server origins (left out of the error messages in the table).
    origins: tuple[str, ...] = ()
    #: Why the child did not report (crashed, killed), or why the case was skipped.
    problem: str = ""
    skipped: bool = False

    @property
    def outcome(self) -> str:
        return ", ".join(str(f["outcome"]) for f in self.fetches)

    @property
    def slowest(self) -> float:
        return max((float(str(f["seconds"])) for f in self.fetches), default=0.0)

    @property
    def expected(self) -> bool:
        got = [str(f["outcome"]) for f in self.fetches]
        return len(got) == len(self.case.expect) and all(
            g in e.split("|") for g, e in zip(got, self.case.expect, strict=True)
        )

    def broken(self) -> list[str]:
        """The limits this case broke (empty: it passed)."""
        if self.skipped:
            return []
        if self.problem:
            return [self.problem]
        broken = []
        if self.slowest > DEFAULTS.timeout + SLACK:
            broken.append(f"fetch {self.slowest:.1f} s > {DEFAULTS.timeout:g} s")
        if self.wall > len(self.case.expect) * DEFAULTS.timeout + STARTUP_SLACK:
            broken.append(f"process {self.wall:.1f} s")
        if self.peak > MEMORY_LIMIT:
            broken.append(f"RSS {self.peak >> 20} MiB > {MEMORY_LIMIT >> 20} MiB")
        if self.canary:
            broken.append(f"canary reached {self.canary}x")
        if self.refused:
            broken.append(f"off-loopback: {self.refused[0]}")
        if UNTYPED in self.outcome:
            broken.append("untyped exception")
        return broken


@contextlib.contextmanager
def _servers() -> Iterator[Servers]:
    from tests.hostile.cases import ROUTES, reply

    with (
        HostileServer(seconds_per_connection=SERVER_SECONDS) as hostile,
        HostileServer(seconds_per_connection=SERVER_SECONDS) as other,
        HostileServer(
            "127.0.0.2",
            fallback=reply(b"<p>internal secret</p>"),
            seconds_per_connection=SERVER_SECONDS,
        ) as canary,
    ):
        hostile.routes(ROUTES)
        yield Servers(hostile, other, canary)


def _child_env(plan: Plan) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(plan.env)
    return env


def run_case(case: Case) -> Result:
    """Set up the case's servers, run its fetches in a child, collect what happened."""
    result = Result(case)
    if case.needs and importlib.util.find_spec(case.needs) is None:
        result.skipped, result.problem = True, f"skipped: {case.needs} is not installed"
        return result
    with _servers() as servers:
        plan = case.plan(servers)
        result.origins = (servers.hostile.origin, servers.other.origin, servers.canary.origin)
        hard_limit = len(plan.urls) * (DEFAULTS.timeout + 10) + 30
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, __file__, "_one", json.dumps(dataclasses.asdict(plan))],
                capture_output=True,
                text=True,
                timeout=hard_limit,
                env=_child_env(plan),
                check=False,
            )
        except subprocess.TimeoutExpired:
            done = None
            result.problem = f"killed after {hard_limit:g} s (hung)"
        result.wall = time.monotonic() - started
        time.sleep(0.2)  # let the accept loops take any connection still in the backlog
        result.canary = servers.canary.connections
        result.requests = len(servers.hostile.requests) + len(servers.other.requests)
    if done is None:
        return result
    if done.returncode != 0 or not done.stdout.strip():
        result.problem = f"child exited {done.returncode}"
        logger.error("%s: %s", case.name, done.stderr[-2000:])
        return result
    report = json.loads(done.stdout.strip().splitlines()[-1])
    result.fetches = report["fetches"]
    result.base, result.peak = report["base"], report["peak"]
    result.refused = report["refused"]
    result.canary = max(result.canary, report["canary_connects"])
    return result


def _detail(result: Result) -> str:
    if result.problem:
        return result.problem
    text = " / ".join(str(f["detail"]) for f in result.fetches)
    for origin in result.origins:  # the ports change from run to run
        text = text.replace(origin, "")
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 90 else text[:87] + "..."


def _row(result: Result) -> str:
    broken = result.broken()
    verdict = "skip" if result.skipped else ("FAIL: " + "; ".join(broken) if broken else "pass")
    expect = " + ".join(result.case.expect)
    as_expected = "yes" if result.expected else f"**no** ({expect})"
    if result.skipped:
        as_expected = "-"
    return (
        f"| {result.case.name} | {result.outcome or '-'} | {as_expected} | {_detail(result)} "
        f"| {result.slowest:.2f} s | {result.wall:.1f} s "
        f"| {result.peak / 2**20:.0f} MiB ({result.base / 2**20:.0f}) "
        f"| {result.requests} | {result.canary} | {verdict} |"
    )


def _summary(results: Sequence[Result], wall: float) -> str:
    ran = [r for r in results if not r.skipped]
    failed = sum(1 for r in ran if r.broken())
    unexpected = sum(1 for r in ran if not r.problem and not r.expected)
    slowest = max(ran, key=lambda r: r.slowest, default=None)
    biggest = max(ran, key=lambda r: r.peak, default=None)
    return (
        f"{len(ran)} cases ({len(results) - len(ran)} skipped), "
        f"max fetch time {slowest.slowest if slowest else 0:.2f} s "
        f"({slowest.case.name if slowest else '-'}; limit {DEFAULTS.timeout:g} s + {SLACK:g}), "
        f"max peak RSS {(biggest.peak if biggest else 0) / 2**20:.0f} MiB "
        f"({biggest.case.name if biggest else '-'}; limit {MEMORY_LIMIT >> 20} MiB), "
        f"canary hits {sum(r.canary for r in ran)}, "
        f"off-loopback attempts {sum(len(r.refused) for r in ran)}, "
        f"{failed} outside their limits, {unexpected} unexpected outcomes, "
        f"wall {wall:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--only", metavar="PATTERN", help="run the cases whose name holds PATTERN")
    ap.add_argument("--jobs", type=int, default=2, help="cases run at once (default 2)")
    ap.add_argument("command", nargs="?", help=argparse.SUPPRESS)  # internal: _one
    ap.add_argument("plan", nargs="?", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.command == "_one":
        print(json.dumps(run_one(_plan_from_json(args.plan))))
        return 0
    if args.command is not None:
        ap.error(f"unknown argument {args.command!r}")
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")

    from tests.hostile.cases import warm_bombs

    cases = [c for c in catalogue() if not args.only or args.only in c.name]
    if not cases:
        ap.error(f"no case name holds {args.only!r}")
    warm_bombs()  # built once here, not inside any case's time
    started = time.monotonic()
    # Longest waits first, so that the slow cases overlap the many quick ones.
    order = sorted(cases, key=lambda c: -c.waits)
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {c.name: pool.submit(_logged, c, i, len(cases)) for i, c in enumerate(order)}
        results = [futures[c.name].result() for c in cases]
    wall = time.monotonic() - started

    d = DEFAULTS
    print(
        f"default FetchConfig: timeout {d.timeout:g} s, connect {d.connect_timeout:g} s, "
        f"read {d.read_timeout:g} s, robots {d.robots_timeout:g} s, retries {d.retries}, "
        f"max_size {d.max_size >> 20} MiB, max_redirects {d.max_redirects}, "
        f"max_header_bytes {d.max_header_bytes >> 10} KiB, max_url_length {d.max_url_length}; "
        f"allow_networks {', '.join(d.allow_networks)}; {args.jobs} at a time\n"
    )
    print(
        "| case | outcome | as expected | detail | slowest fetch | process | "
        "peak RSS (base) | requests | canary | verdict |"
    )
    print("|---|---|---|---|---:|---:|---:|---:|---:|---|")
    for result in results:
        print(_row(result))
    print(f"\n{_summary(results, wall)}")
    missing = unmirrored(catalogue())
    if missing:
        print(f"\nNot benchmarked (tests newer than this catalogue): {', '.join(missing)}")
    return 1 if any(r.broken() for r in results) else 0


def _logged(case: Case, index: int, total: int) -> Result:
    result = run_case(case)
    logger.info(
        "[%d/%d] %s: %s in %.1f s%s",
        index + 1,
        total,
        case.name,
        result.outcome or result.problem,
        result.wall,
        "" if not result.broken() else " FAIL",
    )
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    sys.exit(main())
