"""Which IP addresses a fetch may connect to, and how host names become addresses.

A scraper that fetches URLs it did not choose must not become a way into the
network it runs in (SSRF).  By default a connection may only go to a
globally routable unicast address: loopback, private, shared (CGNAT),
link-local, multicast, unspecified, documentation, benchmarking and reserved
ranges are refused, and so are the cloud-metadata endpoints.  The check is
made on the address itself, never on the spelling of the host: numeric hosts
are read the way ``inet_aton`` reads them (``2130706433``, ``0177.0.0.1``,
``0x7f.1`` and ``127.1`` are all 127.0.0.1), and IPv6 forms that carry an IPv4
address (``::ffff:127.0.0.1``, ``::127.0.0.1``, NAT64, 6to4) are judged by that
IPv4 address.  Tunnel ranges (Teredo, local-use NAT64) are refused, and an
allowed IPv6 network opens them only where the IPv4 hosts they lead to are
allowed too.

``FetchConfig.allow_networks`` opens given networks (a company intranet, or
``127.0.0.1/32`` for tests).  A cloud-metadata address stays refused inside a
wider allowed network: only an allowed network holding that one address
(``169.254.169.254/32``) opens it.

Names are resolved through a :class:`Resolver`, so that tests (or a caller
with its own DNS) can make a name resolve anywhere without touching the
network.  The transport (transport.py) connects only to addresses this
module allowed; this module opens no sockets itself.

The tables below are data (IANA special-purpose registries, cloud vendors'
documentation); the logic is in :class:`NetworkPolicy`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ipaddress
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from scraper.config import FetchConfig
from scraper.errors import BlockedAddress, ConfigError

__all__ = [
    "IPAddress",
    "NetworkPolicy",
    "Resolver",
    "SystemResolver",
    "embedded_ipv4",
    "literal_address",
    "parse_networks",
    "refusal",
    "resolve_addresses",
    "tunnelled_ipv4",
]

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_net = ipaddress.ip_network

#: Networks refused by default, with the reason named in BlockedAddress.
#: IPv6 outside 2000::/3 (global unicast) is refused as a whole below.  IPv6
#: forms that carry an IPv4 address (``_CARRY_LOW_32``, 6to4) never get here:
#: they are judged as that address.
_DENIED: Final[tuple[tuple[IPNetwork, str], ...]] = (
    (_net("0.0.0.0/8"), "unspecified ('this network')"),
    (_net("10.0.0.0/8"), "private"),
    (_net("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
    (_net("127.0.0.0/8"), "loopback"),
    (_net("169.254.0.0/16"), "link-local"),
    (_net("172.16.0.0/12"), "private"),
    (_net("192.0.0.0/24"), "IETF protocol assignments"),
    (_net("192.0.2.0/24"), "documentation"),
    (_net("192.88.99.0/24"), "6to4 relay anycast"),
    (_net("192.168.0.0/16"), "private"),
    (_net("198.18.0.0/15"), "benchmarking"),
    (_net("198.51.100.0/24"), "documentation"),
    (_net("203.0.113.0/24"), "documentation"),
    (_net("224.0.0.0/4"), "multicast"),
    (_net("240.0.0.0/4"), "reserved"),  # 255.255.255.255 (broadcast) included
    (_net("::/128"), "unspecified"),
    (_net("::1/128"), "loopback"),
    (_net("64:ff9b:1::/48"), "local-use NAT64"),
    (_net("100::/64"), "discard-only"),
    (_net("2001::/32"), "Teredo tunnel"),
    (_net("2001:2::/48"), "benchmarking"),
    (_net("2001:10::/28"), "ORCHID"),
    (_net("2001:20::/28"), "ORCHIDv2"),
    (_net("2001:db8::/32"), "documentation"),
    (_net("3fff::/20"), "documentation"),
    (_net("5f00::/16"), "segment routing"),
    (_net("fc00::/7"), "unique local (private)"),
    (_net("fe80::/10"), "link-local"),
    (_net("fec0::/10"), "site-local (deprecated)"),
    (_net("ff00::/8"), "multicast"),
)

#: Instance metadata services of cloud platforms: reading them from a server
#: yields its credentials.  Refused even inside a wider allowed network.
_METADATA: Final[frozenset[IPAddress]] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.170.23",  # AWS EKS pod identity
        "fd00:ec2::254",  # AWS IMDS over IPv6
        "fd00:ec2::23",  # AWS EKS pod identity over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)

#: Entries of the memo of :func:`literal_address`, and of each NetworkPolicy's
#: verdicts: far more hosts and addresses than a crawl talks to at once.
_MEMO_SIZE: Final = 4096
#: Longest host string memoised: a DNS name has at most 253 characters.
_MEMO_KEY_MAX: Final = 256

_GLOBAL_UNICAST_V6: Final = _net("2000::/3")
_SIXTOFOUR: Final = _net("2002::/16")
_LOCAL_NAT64: Final = _net("64:ff9b:1::/48")
#: IPv6 forms whose last 32 bits are the IPv4 host reached: IPv4-mapped,
#: IPv4-compatible (deprecated, RFC 4291 2.5.5.1), IPv4-translated (SIIT,
#: RFC 2765) and the NAT64 well-known prefix (RFC 6052).
_CARRY_LOW_32: Final = (
    _net("::ffff:0:0/96"),
    _net("::/96"),
    _net("::ffff:0:0:0/96"),
    _net("64:ff9b::/96"),
)


class Resolver(Protocol):
    """Turns a host name into IP addresses (as strings), in preference order.

    Raise :class:`OSError` (``socket.gaierror``) when the name does not resolve.
    """

    async def resolve(self, host: str, port: int) -> Sequence[str]: ...


#: What ``SystemResolver`` calls: ``socket.getaddrinfo``'s signature, as far as it is used.
LookupFunction = Callable[..., Sequence[tuple[Any, ...]]]


@dataclass(eq=False)
class _Lookup:
    """One ``getaddrinfo`` call, shared by every caller resolving the same name meanwhile."""

    host: bytes
    port: int
    #: Callers waiting for it: their event loop and the future that wakes them.
    waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = field(
        default_factory=list
    )
    #: ``time.monotonic()`` when its thread started (None while queued).
    started: float | None = None
    done: bool = False
    addresses: list[str] = field(default_factory=list)
    error: BaseException | None = None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), on threads of its own, bounded.

    ``getaddrinfo`` blocks and cannot be cancelled: a fetch whose deadline
    passes leaves its lookup running until the OS resolver gives up
    (``resolv.conf``'s timeout times its attempts; never, with a resolver
    that hangs).  So lookups run on threads of this resolver's own, never on
    the event loop's default executor, and stuck ones cannot starve the rest:

    * at most ``max_threads`` lookups *run* at once; more wait their turn,
      and one whose every caller gave up meanwhile is dropped before it starts;
    * a lookup running longer than ``stuck_after`` seconds is *stuck*: it
      keeps its thread (nothing can stop it) but gives up its turn, so a
      queued lookup of another name starts at once;
    * at most ``max_stuck`` lookups may be stuck: past that, a new name
      fails at once (``EAI_AGAIN``) instead of queueing behind a resolver
      that does not answer.  Threads never number more than
      ``max_threads + max_stuck``;
    * callers resolving a name already being looked up share that lookup
      (one thread per name, however many fetches wait for it);
    * each lookup has its own daemon thread, which ends with its lookup:
      ``close()`` and interpreter exit never wait for a stuck one.

    ``lookup`` replaces ``socket.getaddrinfo`` (tests inject a blocking one).
    """

    def __init__(
        self,
        max_threads: int = 4,
        *,
        stuck_after: float = 5.0,
        max_stuck: int = 16,
        lookup: LookupFunction | None = None,
    ) -> None:
        self._max_threads = max(1, max_threads)
        self._stuck_after = max(0.0, stuck_after)
        self._max_stuck = max(0, max_stuck)
        self._lookup = lookup
        # The state below is shared with the lookup threads: under the lock only.
        self._lock = threading.Lock()
        self._pending: dict[bytes, _Lookup] = {}  # by name: queued or running
        self._queue: deque[_Lookup] = deque()
        self._running: set[_Lookup] = set()

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        try:
            encoded = host.encode("idna").lower()  # DNS is case-insensitive: one lookup
        except UnicodeError as exc:  # a label over 63 characters, or empty
            raise socket.gaierror(socket.EAI_NONAME, f"{host!r} is not a valid host name") from exc
        loop = asyncio.get_running_loop()
        woken: asyncio.Future[None] = loop.create_future()
        lookup = self._join(encoded, port, (loop, woken))
        try:
            while not lookup.done:
                # Queued: look again when a running lookup turns stuck (its
                # turn passes to ours).  Running: its thread wakes us.
                await asyncio.wait({woken}, timeout=self._schedule())
        finally:
            self._leave(lookup, (loop, woken))
        if lookup.error is not None:
            raise lookup.error
        return list(lookup.addresses)

    def close(self) -> None:
        """Drop the queued lookups (their callers get EAI_AGAIN); never waits for a thread.

        Running lookups finish on their own threads and still answer their
        callers; the resolver stays usable.
        """
        with self._lock:
            dropped = list(self._queue)
            self._queue.clear()
            for lookup in dropped:
                del self._pending[lookup.host]
                lookup.error = socket.gaierror(socket.EAI_AGAIN, "the resolver was closed")
                lookup.done = True
        for lookup in dropped:
            self._notify(lookup)

    # -- the scheduling, shared with the lookup threads ------------------------------

    def _join(
        self, host: bytes, port: int, waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]
    ) -> _Lookup:
        """The lookup of ``host``: the one under way, or a new one queued (waiter added)."""
        with self._lock:
            lookup = self._pending.get(host)
            if lookup is None:
                stuck = self._stuck_count(time.monotonic())
                if stuck and stuck >= self._max_stuck:
                    raise socket.gaierror(
                        socket.EAI_AGAIN,
                        f"{stuck} lookups are stuck in the system resolver (getaddrinfo), "
                        f"so {host.decode('ascii')} was not looked up; is DNS answering?",
                    )
                lookup = self._pending[host] = _Lookup(host, port)
                self._queue.append(lookup)
            lookup.waiters.append(waiter)
        return lookup

    def _leave(
        self, lookup: _Lookup, waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]
    ) -> None:
        """Forget ``waiter``; a queued lookup nobody waits for any more is dropped."""
        with self._lock:
            lookup.waiters.remove(waiter)
            if not lookup.waiters and lookup.started is None and not lookup.done:
                self._queue.remove(lookup)
                del self._pending[lookup.host]

    def _stuck_count(self, now: float) -> int:
        return sum(
            1
            for x in self._running
            if x.started is not None and now - x.started >= self._stuck_after
        )

    def _schedule(self) -> float | None:
        """Start queued lookups while turns are free; seconds until one may free up (or None)."""
        with self._lock:
            return self._start_queued(time.monotonic())

    def _start_queued(self, now: float) -> float | None:
        """``_schedule`` with the lock held."""
        ages = [now - x.started for x in self._running if x.started is not None]
        active = sum(1 for age in ages if age < self._stuck_after)
        cap = self._max_threads + self._max_stuck
        while self._queue and active < self._max_threads and len(self._running) < cap:
            lookup = self._queue.popleft()
            lookup.started = now
            self._running.add(lookup)
            active += 1
            ages.append(0.0)
            thread = threading.Thread(
                target=self._run,
                args=(lookup,),
                name=f"resolver {lookup.host.decode('ascii')}",
                daemon=True,  # a stuck getaddrinfo must not hold up interpreter exit
            )
            thread.start()
        if not self._queue:
            return None
        waits = [self._stuck_after - age for age in ages if age < self._stuck_after]
        return max(0.0, min(waits)) if waits else None

    def _run(self, lookup: _Lookup) -> None:
        """The lookup thread: one ``getaddrinfo``, then hand the result to the callers."""
        function = self._lookup or socket.getaddrinfo  # looked up late: tests patch socket
        addresses: list[str] = []
        error: BaseException | None = None
        try:
            infos = function(lookup.host, lookup.port, type=socket.SOCK_STREAM)
            seen: dict[str, None] = {}
            for _family, _type, _proto, _name, sockaddr in infos:
                seen.setdefault(str(sockaddr[0]), None)
            addresses = list(seen)
        except Exception as exc:  # handed to every caller, who raises it
            error = exc
        with self._lock:
            lookup.addresses, lookup.error, lookup.done = addresses, error, True
            self._running.discard(lookup)
            if self._pending.get(lookup.host) is lookup:
                del self._pending[lookup.host]
            self._start_queued(time.monotonic())
        self._notify(lookup)

    def _notify(self, lookup: _Lookup) -> None:
        """Wake the callers of a finished lookup, on their own event loops."""
        with self._lock:
            waiters = list(lookup.waiters)
        for loop, future in waiters:
            # RuntimeError: its event loop has closed, so there is nobody to wake.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_wake, future)


def _aton_part(text: str) -> int | None:
    """One dot-separated part of an ``inet_aton`` address: decimal, 0octal or 0xhex."""
    lowered = text.lower()
    try:
        if lowered.startswith("0x"):
            return int(lowered[2:], 16) if len(lowered) > 2 else None
        if len(lowered) > 1 and lowered.startswith("0"):
            return int(lowered[1:], 8)
        return int(lowered, 10) if lowered.isdigit() else None
    except ValueError:
        return None


def literal_address(host: str) -> IPAddress | None:
    """The IP address ``host`` spells, as the C library would read it, or None for a name.

    Browsers and ``getaddrinfo`` accept the old ``inet_aton`` forms, so an
    attacker can spell 127.0.0.1 many ways; we read them all before judging.

    >>> [str(literal_address(h)) for h in ("2130706433", "0177.0.0.1", "0x7f.1", "127.1")]
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', '127.0.0.1']
    >>> str(literal_address("[::ffff:7f00:1]")), literal_address("example.org")
    ('::ffff:7f00:1', None)

    Memoised (PROCESS-WIDE CACHE, bounded): a fetch reads the same host
    several times (URL checks, the transport, the resolver), and a crawl the
    same few hosts for every page; the answer depends on the string alone
    and IP address objects are immutable, so sharing them is always correct.
    Strings longer than any host name are read afresh, so that hostile URLs
    cannot fill the memo with long keys.
    """
    if len(host) > _MEMO_KEY_MAX:
        return _read_literal(host)
    return _memo_literal(host)


def _read_literal(host: str) -> IPAddress | None:
    """:func:`literal_address`, unmemoised."""
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.rstrip(".") if ":" not in text else text
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    parts = text.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = [_aton_part(part) for part in parts]
    if any(v is None for v in values):
        return None
    numbers = [v for v in values if v is not None]
    *head, last = numbers
    # Leading parts are one byte each; the last fills the bytes that remain.
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (5 - len(numbers))):
        return None
    value = last
    for i, byte in enumerate(head):
        value |= byte << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


#: The memo behind :func:`literal_address`.
_memo_literal = functools.lru_cache(maxsize=_MEMO_SIZE)(_read_literal)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any.

    A connection to such an address reaches that IPv4 host (the kernel, a
    NAT64 gateway or a 6to4 relay translates it), so it is judged as it:
    IPv4-mapped ``::ffff:0:0/96``, the deprecated IPv4-compatible ``::/96``
    (but ``::`` and ``::1``, which are themselves), SIIT's IPv4-translated
    ``::ffff:0:0:0/96``, the NAT64 well-known prefix ``64:ff9b::/96`` and
    6to4 ``2002::/16``.

    >>> str(embedded_ipv4(ipaddress.ip_address("64:ff9b::a00:1")))
    '10.0.0.1'
    >>> str(embedded_ipv4(ipaddress.ip_address("::127.0.0.1")))
    '127.0.0.1'
    >>> embedded_ipv4(ipaddress.ip_address("::1")), embedded_ipv4(ipaddress.ip_address("2606::1"))
    (None, None)
    """
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address in _SIXTOFOUR:
        return address.sixtofour
    value = int(address)
    if value <= 1:  # "::" and "::1": unspecified and loopback IPv6, judged as such
        return None
    if any(address in network for network in _CARRY_LOW_32):
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def tunnelled_ipv4(address: IPAddress) -> tuple[ipaddress.IPv4Address, ...]:
    """IPv4 hosts a connection to a tunnel address may reach (Teredo, local-use NAT64).

    Why: these ranges are refused by default, but an allowed IPv6 network
    (``::/0``) takes them in; the IPv4 hosts behind them must then be
    allowed too.  A Teredo address (RFC 4380) names its server and its
    client's (obfuscated) public address.  Under ``64:ff9b:1::/48`` (RFC
    8215) the operator picks the prefix length; the last 32 bits (a /96
    prefix, as NAT64 gateways are usually set up) are read.  Other layouts
    cannot be told apart from it (reading every RFC 6052 position refuses
    every address, since some position always holds 0.0.0.0/8), so do not
    open ``64:ff9b:1::/48`` to a gateway set up with a shorter prefix.

    >>> teredo = ipaddress.ip_address("2001:0:4136:e378:8000:63bf:80ff:fffe")
    >>> [str(a) for a in tunnelled_ipv4(teredo)]  # server, client
    ['65.54.227.120', '127.0.0.1']
    >>> [str(a) for a in tunnelled_ipv4(ipaddress.ip_address("64:ff9b:1::a9fe:a9fe"))]
    ['169.254.169.254']
    >>> tunnelled_ipv4(ipaddress.ip_address("2606:4700::1"))
    ()
    """
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    if address.teredo is not None:
        return address.teredo
    if address in _LOCAL_NAT64:
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def parse_networks(specs: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings (``10.0.0.0/8``, ``127.0.0.1``, ``fd00::/8``) as networks.

    >>> [str(n) for n in parse_networks(["127.0.0.1", "10.0.0.0/8"])]
    ['127.0.0.1/32', '10.0.0.0/8']
    >>> parse_networks(["10.0.0.1/8"])
    Traceback (most recent call last):
    scraper.errors.ConfigError: bad network '10.0.0.1/8' in allow_networks: ...
    """
    networks = []
    for spec in specs:
        try:
            networks.append(ipaddress.ip_network(spec.strip()))
        except ValueError as exc:
            raise ConfigError(
                f"bad network {spec!r} in allow_networks: {exc} "
                "(give a CIDR such as 10.0.0.0/8 or 127.0.0.1/32)"
            ) from None
    return tuple(networks)


def _within(address: IPAddress, networks: Iterable[IPNetwork]) -> IPNetwork | None:
    for network in networks:
        if address.version == network.version and address in network:
            return network
    return None


def refusal(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why the policy refuses ``address`` (a short reason), or None when it may be reached.

    >>> refusal(ipaddress.ip_address("93.184.215.14")) is None
    True
    >>> refusal(ipaddress.ip_address("::ffff:10.1.2.3"))
    'private'
    >>> refusal(ipaddress.ip_address("169.254.169.254"), parse_networks(["169.254.0.0/16"]))
    'cloud metadata'
    >>> refusal(ipaddress.ip_address("127.0.0.1"), parse_networks(["127.0.0.1/32"])) is None
    True
    >>> refusal(ipaddress.ip_address("::ffff:10.0.0.1"), parse_networks(["::/0"]))
    'private'
    >>> refusal(ipaddress.ip_address("::7f00:1"), parse_networks(["::/0"]))  # IPv4-compatible
    'loopback'
    >>> refusal(ipaddress.ip_address("fd00:ec2::254%1"), parse_networks(["fd00::/8"]))
    'cloud metadata'
    """
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        # A zone (``%eth0``) only names an interface, and the kernel ignores it
        # for addresses that are not link-local: judge the address itself, or
        # ``fd00:ec2::254%1`` would not be the metadata address it reaches.
        address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    inner = embedded_ipv4(address)
    if inner is not None:
        # A connection to a mapped, compatible, NAT64 or 6to4 address reaches
        # ``inner``: the IPv4 rules and allowed IPv4 networks alone judge it,
        # so that allowing IPv6 (``::/0``) does not open private IPv4 through
        # ``::ffff:10.0.0.1``.
        return refusal(inner, allowed)
    if address in _METADATA:
        exact = [n for n in allowed if n.num_addresses == 1]
        return None if _within(address, exact) else "cloud metadata"
    if _within(address, allowed):
        # Teredo and local-use NAT64 are refused below; an allowed IPv6
        # network opens them only as far as the IPv4 hosts behind them are open.
        for carried in tunnelled_ipv4(address):
            reason = refusal(carried, allowed)
            if reason is not None:
                return f"{reason} (tunnelled)"
        return None
    for network, reason in _DENIED:
        if address.version == network.version and address in network:
            return reason
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "not global unicast IPv6"
    return None


#: No verdict memoised yet (None is a verdict: allowed).
_UNJUDGED: Final = "\x00unjudged"


class NetworkPolicy:
    """The default address policy: refuse what :func:`refusal` refuses.

    Called as ``policy(host, address)`` (an :data:`AddressPolicy`); raises
    :class:`BlockedAddress`.  An unknown address (``None``: a custom transport
    that does not report where it connected) is refused too -- we fail closed
    -- unless every address is allowed (``0.0.0.0/0`` and ``::/0``).
    """

    def __init__(self, allow_networks: Iterable[str] = ()) -> None:
        self._allowed = parse_networks(allow_networks)
        versions = {n.version for n in self._allowed if n.prefixlen == 0}
        self._allows_all = versions == {4, 6}
        # THIS MEMO HOLDS STATE: refusal() of each address string seen, at most
        # _MEMO_SIZE of them.  The networks never change after __init__, so a
        # verdict stays true; a crawl asks about the same few addresses for
        # every connection (every request, for literal hosts).
        self._verdicts: dict[str, str | None] = {}

    @classmethod
    def from_config(cls, config: FetchConfig) -> NetworkPolicy:
        """The policy ``config.allow_networks`` describes (ConfigError if one is bad)."""
        return cls(config.allow_networks)

    @property
    def allows_all(self) -> bool:
        """Whether every IPv4 and IPv6 address is allowed (nothing to check)."""
        return self._allows_all

    @property
    def allowed(self) -> tuple[IPNetwork, ...]:
        """The networks opened by ``allow_networks``."""
        return self._allowed

    def __call__(self, host: str, address: str | None) -> None:
        if address is None:
            if self._allows_all:
                return
            raise BlockedAddress(
                f"cannot tell which address {host} was reached at (the transport does not "
                "report it), so it cannot be checked; use the default transport",
                url=None,
            )
        reason = self._verdicts.get(address, _UNJUDGED)
        if reason is _UNJUDGED:
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                raise BlockedAddress(
                    f"{host}: {address!r} is not an IP address", url=None
                ) from None
            reason = refusal(parsed, self._allowed)
            if len(self._verdicts) >= _MEMO_SIZE:
                self._verdicts.clear()
            self._verdicts[address] = reason
        if reason is None:
            return
        shown = host if host == address else f"{host} ({address})"
        raise BlockedAddress(
            f"{shown} is a {reason} address, refused by the network policy; "
            "allow it with --allow-network CIDR (FetchConfig.allow_networks) if you must",
            url=None,
        )


async def resolve_addresses(resolver: Resolver, host: str, port: int) -> list[str]:
    """The addresses ``host`` stands for: itself when it is a literal, else the resolver's.

    Literal hosts never reach the resolver.  Raises OSError when a name does
    not resolve, or resolves to nothing usable.
    """
    literal = literal_address(host)
    if literal is not None:
        return [str(literal)]
    try:
        answers = await resolver.resolve(host, port)
    except UnicodeError as exc:
        # The name cannot be IDNA-encoded (a label over 63 characters): no lookup was made.
        raise socket.gaierror(socket.EAI_NONAME, f"{host!r} is not a valid host name") from exc
    addresses = []
    for answer in answers:
        try:
            addresses.append(str(ipaddress.ip_address(answer.split("%", 1)[0])))
        except ValueError:
            logger.warning("resolver gave %r for %s: not an IP address, ignored", answer, host)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"{host} resolves to no address")
    return addresses
