"""Fixtures for fetch tests: real HTTP servers on loopback and a fast FetchConfig."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.config import FetchConfig
from scraper.fetching.client import Fetcher
from scraper.models import Page
from tests.servers import TestServer, self_signed_tls

#: Short timeouts and backoff so that every fetch test runs well under 2 s.
FAST = FetchConfig(
    timeout=3.0,
    connect_timeout=1.0,
    read_timeout=1.0,
    retries=2,
    backoff=0.01,
    backoff_max=0.05,
    retry_after_cap=1.5,
    trust_env=False,  # never send loopback requests through a proxy from the environment
    per_host_delay=0.0,
)


@pytest.fixture
def server() -> Iterator[TestServer]:
    """A programmable HTTP server on 127.0.0.1 (see tests/servers.py)."""
    with TestServer() as srv:
        yield srv


@pytest.fixture
def other_server() -> Iterator[TestServer]:
    """A second server: another origin (same IP, another port)."""
    with TestServer() as srv:
        yield srv


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[TestServer]:
    """An HTTPS server with a self-signed certificate (skipped without openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    with TestServer(tls=self_signed_tls(tmp_path)) as srv:
        yield srv


@pytest.fixture
def fast_config() -> FetchConfig:
    """FetchConfig with short timeouts and backoff; vary it with dataclasses.replace."""
    return FAST


FetchFn = Callable[..., Page]


@pytest.fixture
def fetch(fast_config: FetchConfig) -> FetchFn:
    """Fetch one URL with a fresh Fetcher: ``fetch(url, config=None, **fetcher_kwargs)``.

    Keyword arguments that are FetchConfig fields vary the config; the others
    (``robots``, ``address_policy``) go to the Fetcher.  ``transport`` is
    both: a name ("httpx") sets the config's, an object goes to the Fetcher.
    """
    fields = {f.name for f in dataclasses.fields(FetchConfig)}

    def is_field(key: str, value: object) -> bool:
        return key in fields and (key != "transport" or isinstance(value, str))

    def run(url: str, config: FetchConfig | None = None, **kwargs: Any) -> Page:
        changes = {k: v for k, v in kwargs.items() if is_field(k, v)}
        injected = {k: v for k, v in kwargs.items() if not is_field(k, v)}
        cfg = dataclasses.replace(config or fast_config, **changes)

        async def go() -> Page:
            async with Fetcher(cfg, **injected) as fetcher:
                return await fetcher.fetch(url)

        return asyncio.run(go())

    return run
