"""HostSlots: per-host concurrency and spacing, with a fake clock where timing matters."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random

import pytest

from scraper.config import FetchConfig
from scraper.fetching.politeness import JITTER, HostSlots, host_key


class FakeClock:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def make(clock: FakeClock, **changes) -> HostSlots:
    config = dataclasses.replace(FetchConfig(), **changes)
    return HostSlots(config, clock=clock, sleep=clock.sleep, rng=random.Random(7))


def starts(slots: HostSlots, clock: FakeClock, urls: list[str]) -> list[float]:
    times: list[float] = []

    async def one(url: str) -> None:
        async with slots.slot(url):
            times.append(clock())

    async def go() -> None:
        for url in urls:
            await one(url)

    asyncio.run(go())
    return times


def test_starts_to_one_host_are_spaced_with_jitter():
    clock = FakeClock()
    slots = make(clock, per_host_delay=1.0)
    times = starts(slots, clock, ["https://a.org/1", "https://a.org/2", "https://a.org/3"])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(1.0 <= gap <= 1.0 + JITTER for gap in gaps)
    assert len(set(gaps)) == 2  # jittered, not a fixed beat


def test_hosts_do_not_wait_for_each_other():
    clock = FakeClock()
    slots = make(clock, per_host_delay=5.0)
    times = starts(slots, clock, ["https://a.org/", "https://b.org/", "https://c.org/"])
    assert times == [100.0, 100.0, 100.0]
    assert clock.sleeps == []


def test_defer_pushes_the_next_slot():
    clock = FakeClock()
    slots = make(clock, per_host_delay=0.0)
    slots.defer("https://a.org/x", 30.0)
    (start,) = starts(slots, clock, ["https://a.org/y"])
    assert start == pytest.approx(130.0)
    slots.defer("https://a.org/", 1.0)  # never pulls a later slot earlier
    slots.defer("https://a.org/", 0.5)
    (start,) = starts(slots, clock, ["https://a.org/z"])
    assert start == pytest.approx(131.0)


def test_set_delay_raises_the_spacing():
    clock = FakeClock()
    slots = make(clock, per_host_delay=0.5)
    slots.set_delay("https://a.org/", 10.0)
    assert slots.delay("https://a.org/") == 10.0
    assert slots.delay("https://other.org/") == 0.5
    times = starts(slots, clock, ["https://a.org/1", "https://a.org/2"])
    assert 10.0 <= times[1] - times[0] <= 10.0 * (1 + JITTER)
    slots.set_delay("https://a.org/", 0.1)  # never below the configured delay
    assert slots.delay("https://a.org/") == 0.5


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_concurrency_per_host(limit):
    slots = HostSlots(
        dataclasses.replace(FetchConfig(), per_host_concurrency=limit, per_host_delay=0)
    )
    running = {"a": 0, "b": 0}
    peak = {"a": 0, "b": 0}

    async def work(host: str) -> None:
        async with slots.slot(f"https://{host}.org/"):
            running[host] += 1
            peak[host] = max(peak[host], running[host])
            await asyncio.sleep(0.01)
            running[host] -= 1

    async def go() -> None:
        await asyncio.gather(*(work(h) for h in "ab" * 6))

    asyncio.run(go())
    assert peak == {"a": limit, "b": limit}


def test_slot_is_released_on_error():
    slots = HostSlots(dataclasses.replace(FetchConfig(), per_host_delay=0))

    async def go() -> None:
        with pytest.raises(ValueError):
            async with slots.slot("https://a.org/"):
                raise ValueError("boom")
        async with asyncio.timeout(1):
            async with slots.slot("https://a.org/"):
                pass

    asyncio.run(go())


def test_host_key():
    assert host_key("https://User@News.Example.ORG:8443/p") == "news.example.org"
    assert host_key(" Example.org ") == "example.org"
