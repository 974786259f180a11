"""The address policy and the host spellings it reads (no network)."""

from __future__ import annotations

import argparse
import ipaddress
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.cli.common import add_fetch_flags, config_from_flags
from scraper.crawling.jobs import load_job
from scraper.errors import BlockedAddress, ConfigError
from scraper.fetching.addresses import NetworkPolicy, literal_address, parse_networks, refusal
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
