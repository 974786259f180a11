"""IPv6 addresses that carry an IPv4 address are judged by it (no network).

IPv4-compatible (``::a.b.c.d``, deprecated), IPv4-mapped, IPv4-translated
(SIIT), NAT64's well-known prefix and 6to4 reach the IPv4 host they carry;
Teredo and local-use NAT64 are tunnels, refused by default and opened by an
allowed IPv6 network only where the IPv4 hosts behind them are allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.errors import BlockedAddress
from scraper.fetching.addresses import (
    NetworkPolicy,
    embedded_ipv4,
    literal_address,
    parse_networks,
    refusal,
    resolve_addresses,
    tunnelled_ipv4,
)

_v4 = ipaddress.IPv4Address
_v6 = ipaddress.IPv6Address


def _compatible(inner: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return _v6(int(inner))


def _mapped(inner: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return _v6((0xFFFF << 32) | int(inner))


def _translated(inner: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return _v6((0xFFFF << 48) | int(inner))


def _nat64(inner: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return _v6(int(_v6("64:ff9b::")) | int(inner))


def _sixtofour(inner: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return _v6((0x2002 << 112) | (int(inner) << 80) | 1)


_FORMS = [_compatible, _mapped, _translated, _nat64, _sixtofour]
_ALLOWED = [(), parse_networks(["::/0"]), parse_networks(["127.0.0.1/32", "10.0.0.0/8"])]


@pytest.mark.parametrize(
    ("spelling", "inner"),
    [
        ("::127.0.0.1", "127.0.0.1"),
        ("::7f00:1", "127.0.0.1"),
        ("::a9fe:a9fe", "169.254.169.254"),
        ("0:0:0:0:0:0:10.1.2.3", "10.1.2.3"),
        ("::ffff:0:7f00:1", "127.0.0.1"),  # IPv4-translated (SIIT)
        ("::ffff:0:a9fe:a9fe", "169.254.169.254"),
        ("::2", "0.0.0.2"),
    ],
)
def test_compatible_and_translated_forms_carry_their_ipv4(spelling, inner):
    assert embedded_ipv4(_v6(spelling)) == _v4(inner)


@pytest.mark.parametrize("spelling", ["::", "::1", "2606:4700::1", "fe80::1", "64:ff9b:1::1"])
def test_other_ipv6_addresses_carry_none(spelling):
    assert embedded_ipv4(_v6(spelling)) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("::127.0.0.1", "loopback"),
        ("::7f00:1", "loopback"),
        ("::a9fe:a9fe", "cloud metadata"),
        ("::169.254.1.1", "link-local"),
        ("::10.0.0.1", "private"),
        ("::c0a8:101", "private"),
        ("::ffff:0:7f00:1", "loopback"),
    ],
)
def test_compatible_forms_are_refused_as_the_ipv4_they_carry(address, reason):
    assert refusal(_v6(address)) == reason
    # Allowing all of IPv6 does not open the IPv4 host behind them.
    assert refusal(_v6(address), parse_networks(["::/0"])) == reason
    with pytest.raises(BlockedAddress, match=reason):
        NetworkPolicy(["::/0"])("h", address)


def test_ipv6_unspecified_and_loopback_stay_themselves():
    assert refusal(_v6("::1")) == "loopback"  # not 0.0.0.1
    assert refusal(_v6("::")) == "unspecified"
    assert refusal(_v6("::1"), parse_networks(["::1/128"])) is None


def test_compatible_forms_of_allowed_or_public_ipv4_pass():
    policy = NetworkPolicy(["127.0.0.1/32"])
    policy("h", "::127.0.0.1")  # the compatible form of an allowed address
    policy("h", "::ffff:0:7f00:1")
    with pytest.raises(BlockedAddress, match="loopback"):
        policy("h", "::127.0.0.2")
    assert refusal(_v6("::8.8.8.8")) is None
    # Only a /32 naming the metadata address opens it, in any form.
    assert refusal(_v6("::a9fe:a9fe"), parse_networks(["169.254.0.0/16"])) == "cloud metadata"
    assert refusal(_v6("::a9fe:a9fe"), parse_networks(["169.254.169.254/32"])) is None


@given(st.integers(0, 2**32 - 1), st.sampled_from(_FORMS), st.sampled_from(_ALLOWED))
def test_every_embedding_is_judged_as_its_ipv4(number, form, allowed):
    inner = _v4(number)
    address = form(inner)
    if form is _compatible and number <= 1:
        return  # "::" and "::1" are IPv6's own unspecified and loopback addresses
    assert refusal(address, allowed) == refusal(inner, allowed)


@pytest.mark.parametrize(
    "address",
    [
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo: client 192.0.2.45 (documentation)
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo: client 127.0.0.1
        "64:ff9b:1::7f00:1",  # local-use NAT64
        "64:ff9b:1::808:808",  # even to a public IPv4 host
    ],
)
def test_tunnels_are_refused_by_default(address):
    assert refusal(_v6(address)) in ("Teredo tunnel", "local-use NAT64")


def test_teredo_carries_its_server_and_client():
    # RFC 4380 section 4's example: server 65.54.227.120, client 192.0.2.45 (port 40000).
    address = _v6("2001:0:4136:e378:8000:63bf:3fff:fdd2")
    assert tunnelled_ipv4(address) == (_v4("65.54.227.120"), _v4("192.0.2.45"))
    assert tunnelled_ipv4(_v6("2606:4700::1")) == ()
    assert tunnelled_ipv4(_v4("127.0.0.1")) == ()


def test_local_use_nat64_is_read_as_a_96_prefix():
    assert tunnelled_ipv4(_v6("64:ff9b:1:2:3::192.0.2.33")) == (_v4("192.0.2.33"),)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback (tunnelled)"),  # client 127.0.0.1
        ("2001:0:a00:1:8000:63bf:3fff:fdd2", "private (tunnelled)"),  # server 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:5601:5601", "cloud metadata (tunnelled)"),
        ("64:ff9b:1::7f00:1", "loopback (tunnelled)"),
        ("64:ff9b:1::a9fe:a9fe", "cloud metadata (tunnelled)"),
        ("64:ff9b:1:ab::c0a8:1", "private (tunnelled)"),
    ],
)
def test_an_allowed_ipv6_network_does_not_open_the_ipv4_behind_a_tunnel(address, reason):
    for allowed in (["::/0"], ["2001::/32", "64:ff9b:1::/48"]):
        with pytest.raises(BlockedAddress, match=reason.replace("(", r"\(").replace(")", r"\)")):
            NetworkPolicy(allowed)("h", address)


def test_an_allowed_ipv6_network_opens_tunnels_to_public_ipv4():
    policy = NetworkPolicy(["::/0"])
    policy("h", "2001:0:4136:e378:8000:63bf:f7f7:f7f7")  # client 8.8.8.8
    policy("h", "64:ff9b:1::808:808")
    # ...and the IPv4 networks allowed alongside count for the hosts behind them.
    NetworkPolicy(["::/0", "127.0.0.0/8"])("h", "64:ff9b:1::7f00:1")


@pytest.mark.parametrize(
    "host", ["[::127.0.0.1]", "[::7f00:1]", "[::a9fe:a9fe]", "::ffff:0:7f00:1"]
)
def test_literal_hosts_in_compatible_form_are_refused_without_a_lookup(host):
    class NoLookups:
        async def resolve(self, host: str, port: int) -> list[str]:
            raise AssertionError("a literal must not be resolved")

    addresses = asyncio.run(resolve_addresses(NoLookups(), host, 80))
    assert literal_address(host) is not None
    with pytest.raises(BlockedAddress, match="refused by the network policy"):
        NetworkPolicy(["::/0"])(host, addresses[0])


@pytest.mark.parametrize(
    ("literal", "allowed", "reason"),
    [
        ("fd00:ec2::254%251", ["fd00::/8"], "cloud metadata"),
        ("fd00:ec2::254%1", ["::/0"], "cloud metadata"),
        ("::1%2", [], "loopback"),
        ("fe80::1%eth0", [], "link-local"),
    ],
)
def test_a_zone_id_does_not_change_the_verdict(literal, allowed, reason):
    address = literal_address(literal)
    assert address is not None
    assert reason in (refusal(address, parse_networks(allowed)) or "")
