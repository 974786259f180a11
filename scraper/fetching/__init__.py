"""Fetching pages: one async httpx client with retries, redirects, robots.txt and caps.

``Fetcher`` (client.py) fetches one URL at a time under a total deadline,
through ``GuardedTransport`` (transport.py), which connects only where the
``NetworkPolicy`` (addresses.py) allows, resolving names with a ``Resolver``;
``RobotsCache`` (robots.py) answers robots.txt questions per origin;
``HostSlots`` (politeness.py) spaces and limits requests per host for batch
callers; ``decode_document`` (charset.py) turns bytes into text.

Names are imported on first use so that ``scraper.fetching.charset`` (used by
extraction) does not pull in httpx.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.fetching.addresses import NetworkPolicy, Resolver, SystemResolver
    from scraper.fetching.charset import decode_document
    from scraper.fetching.client import AddressPolicy, Fetcher
    from scraper.fetching.politeness import HostSlots
    from scraper.fetching.robots import RobotsCache
    from scraper.fetching.transport import GuardedTransport

__all__ = [
    "AddressPolicy",
    "Fetcher",
    "GuardedTransport",
    "HostSlots",
    "NetworkPolicy",
    "Resolver",
    "RobotsCache",
    "SystemResolver",
    "decode_document",
]

#: Where each public name lives (a static table, not state).
_HOMES = {
    "AddressPolicy": "scraper.fetching.client",
    "Fetcher": "scraper.fetching.client",
    "GuardedTransport": "scraper.fetching.transport",
    "HostSlots": "scraper.fetching.politeness",
    "NetworkPolicy": "scraper.fetching.addresses",
    "Resolver": "scraper.fetching.addresses",
    "RobotsCache": "scraper.fetching.robots",
    "SystemResolver": "scraper.fetching.addresses",
    "decode_document": "scraper.fetching.charset",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'scraper.fetching' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
