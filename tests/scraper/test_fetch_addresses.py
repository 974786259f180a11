"""The address policy and the host spellings it reads (no network)."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.cli.common import add_fetch_flags, config_from_flags
from scraper.crawling.jobs import load_job
from scraper.errors import BlockedAddress, ConfigError
from scraper.fetching.addresses import (
    NetworkPolicy,
    SystemResolver,
    literal_address,
    parse_networks,
    refusal,
)
from scraper.fetching.transport import environment_proxies

_part = st.one_of(
    st.integers(0, 255).map(str),
    st.integers(0, 255).map(lambda n: f"0{n:o}"),
    st.integers(0, 255).map(lambda n: f"0x{n:x}"),
)


@given(st.lists(_part, min_size=4, max_size=4).map(".".join))
def test_four_part_spellings_read_as_inet_aton_does(host):
    assert literal_address(host) == ipaddress.IPv4Address(socket.inet_aton(host))


@given(st.integers(0, 2**32 - 1))
def test_one_number_spellings(number):
    expected = ipaddress.IPv4Address(number)
    assert literal_address(str(number)) == expected
    assert literal_address(hex(number)) == expected


@pytest.mark.parametrize("host", ["example.org", "1.2.3.4.5", "256.1", "0x", "08.1.1.1", "", "a.1"])
def test_names_are_not_literals(host):
    assert literal_address(host) is None


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "93.184.215.14", "2606:4700::6810:84e5", "::ffff:8.8.8.8", "2002:808:808::1"],
)
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None
    NetworkPolicy()("example.org", address)


def test_allowed_networks_open_only_themselves():
    policy = NetworkPolicy(["127.0.0.1/32", "10.0.0.0/8"])
    policy("h", "127.0.0.1")
    policy("h", "::ffff:127.0.0.1")  # the mapped form of an allowed address
    policy("h", "10.200.1.1")
    for refused in ["127.0.0.2", "192.168.0.1", "::1"]:
        with pytest.raises(BlockedAddress):
            policy("h", refused)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("::ffff:10.0.0.1", "private"),  # mapped
        ("::ffff:127.0.0.2", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64
        ("64:ff9b::c0a8:101", "private"),
        ("2002:a9fe:a9fe::1", "cloud metadata"),  # 6to4
        ("2002:ac10:1::", "private"),
    ],
)
@pytest.mark.parametrize("allowed", [["::/0"], ["::ffff:0:0/96", "64:ff9b::/96", "2002::/16"]])
def test_ipv6_allow_lists_do_not_open_the_ipv4_they_carry(address, reason, allowed):
    # A connection to such an address reaches the IPv4 host: only IPv4 rules judge it.
    with pytest.raises(BlockedAddress, match=reason):
        NetworkPolicy(allowed)("h", address)


def test_ipv4_allow_lists_open_the_ipv6_forms_that_carry_them():
    policy = NetworkPolicy(["10.0.0.0/8", "::/0"])
    for address in ["::ffff:10.1.1.1", "64:ff9b::a01:101", "2002:a01:101::1", "fd00::1", "::1"]:
        policy("h", address)
    policy("h", "::ffff:8.8.8.8")  # a public IPv4 address: allowed anyway
    with pytest.raises(BlockedAddress, match="private"):
        policy("h", "::ffff:192.168.0.1")


def test_unknown_address_fails_closed_unless_everything_is_allowed():
    with pytest.raises(BlockedAddress, match="cannot tell"):
        NetworkPolicy(["127.0.0.1/32"])("h", None)
    everything = NetworkPolicy(["0.0.0.0/0", "::/0"])
    assert everything.allows_all
    everything("h", None)
    with pytest.raises(BlockedAddress, match="cloud metadata"):
        everything("h", "169.254.169.254")  # only a /32 naming it opens it
    NetworkPolicy(["169.254.169.254/32"])("h", "169.254.169.254")


@pytest.mark.parametrize("spec", ["10.0.0.1/8", "not-a-network", "300.1.1.1/32", "::1/129"])
def test_bad_networks_are_config_errors(spec):
    with pytest.raises(ConfigError, match="allow_networks"):
        NetworkPolicy([spec])
    with pytest.raises(ConfigError):
        parse_networks([spec])


def test_environment_proxies(monkeypatch):
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "proxy.corp:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,.corp,10.1.2.3,::1")
    assert environment_proxies() == {
        "https://": "http://proxy.corp:3128",
        "all://localhost": None,
        "all://*.corp": None,
        "all://10.1.2.3": None,
        "all://[::1]": None,
    }
    monkeypatch.setenv("NO_PROXY", "*")
    assert environment_proxies() == {}


def test_allow_network_flag_is_repeatable_and_checked():
    parser = argparse.ArgumentParser()
    add_fetch_flags(parser)
    args = parser.parse_args(["--allow-network", "10.0.0.0/8", "--allow-network", "127.0.0.1"])
    assert config_from_flags(args).fetch.allow_networks == ("10.0.0.0/8", "127.0.0.1/32")
    assert config_from_flags(parser.parse_args([])).fetch.allow_networks == ()
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--allow-network", "10.0.0.1/8"])
    assert info.value.code == 2


def test_job_files_take_allow_networks(tmp_path):
    job = tmp_path / "j.toml"
    job.write_text(
        '[job]\nseeds = ["https://example.org/"]\n'
        '[politeness]\nallow_networks = ["10.0.0.0/8", "fd00::/8"]\n',
        encoding="utf-8",
    )
    assert load_job(job).config.fetch.allow_networks == ("10.0.0.0/8", "fd00::/8")
    job.write_text(
        '[job]\nseeds = ["https://example.org/"]\n[politeness]\nallow_networks = ["10.0.0.1/8"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"politeness\.allow_networks"):
        load_job(job)


def test_system_resolver_holds_a_bounded_number_of_threads(monkeypatch):
    """Lookups stuck in getaddrinfo take at most max_threads; abandoned ones never start."""
    release = threading.Event()
    running: list[str] = []

    def stuck(host, port, *args, **kwargs):
        running.append(host.decode() if isinstance(host, bytes) else host)
        release.wait(5)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    resolver = SystemResolver(max_threads=2)

    async def go():
        lookups = [asyncio.create_task(resolver.resolve(f"h{i}.test", 80)) for i in range(6)]
        await asyncio.sleep(0.2)
        started = list(running)
        for task in lookups[2:]:
            task.cancel()  # their fetches gave up (a deadline)
        await asyncio.sleep(0.05)  # the cancellation reaches the executor in a callback
        release.set()
        done = await asyncio.gather(*lookups[:2])
        await asyncio.sleep(0.1)
        return started, done

    try:
        started, done = asyncio.run(go())
    finally:
        release.set()
        resolver.close()
    assert started == ["h0.test", "h1.test"]
    assert done == [["127.0.0.1"], ["127.0.0.1"]]
    assert running == ["h0.test", "h1.test"]  # the abandoned lookups never ran


def test_system_resolver_refuses_names_idna_cannot_encode():
    async def go():
        with pytest.raises(socket.gaierror, match="not a valid host name"):
            await SystemResolver().resolve("c" * 64 + ".example", 80)

    asyncio.run(go())
