"""SystemResolver with lookups that never answer (an injected getaddrinfo; no network).

``getaddrinfo`` cannot be cancelled: a fetch that gives up leaves its thread
blocked.  These tests check that such threads neither starve lookups of
other names nor pile up without bound, and that ``close()`` never waits.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter

import pytest

from scraper.fetching.addresses import SystemResolver


class Lookups:
    """A getaddrinfo stand-in: names starting with "stuck" hang until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        with self._lock:
            self.calls[name] += 1
        if name.startswith("stuck"):
            self.release.wait(10)
        if "missing" in name:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.7", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.7", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::7", port, 0, 0)),
        ]


@pytest.fixture
def lookups():
    fake = Lookups()
    yield fake
    fake.release.set()  # let every blocked thread end


def _resolver_threads(prefix: str = "") -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("resolver " + prefix)]


async def _give_up(resolver: SystemResolver, host: str, after: float = 0.05) -> None:
    """A fetch whose deadline passes while its lookup hangs."""
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(resolver.resolve(host, 80), after)


def test_stuck_lookups_do_not_starve_other_names(lookups):
    resolver = SystemResolver(max_threads=2, stuck_after=0.1, max_stuck=8, lookup=lookups)

    async def go():
        # More hanging names than threads: the old pool of 2 would be full for good.
        await asyncio.gather(*(_give_up(resolver, f"stuck{i}.test") for i in range(4)))
        started = time.monotonic()
        answer = await asyncio.wait_for(resolver.resolve("fine.test", 443), 2)
        return answer, time.monotonic() - started

    answer, took = asyncio.run(go())
    assert answer == ["192.0.2.7", "2001:db8::7"]
    assert took < 1.0
    resolver.close()


def test_a_queued_lookup_starts_when_a_running_one_turns_stuck(lookups):
    resolver = SystemResolver(max_threads=1, stuck_after=0.2, max_stuck=4, lookup=lookups)

    async def go():
        stuck = asyncio.create_task(resolver.resolve("stuck.test", 80))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        answer = await asyncio.wait_for(resolver.resolve("fine.test", 80), 2)
        stuck.cancel()
        return answer, time.monotonic() - started

    answer, waited = asyncio.run(go())
    assert answer == ["192.0.2.7", "2001:db8::7"]
    assert 0.1 <= waited < 1.0  # it waited for its turn, then no longer
    resolver.close()


def test_concurrent_lookups_of_one_name_share_one_call(lookups):
    resolver = SystemResolver(lookup=lookups)

    async def go():
        callers = [asyncio.create_task(resolver.resolve("stuck-Same.test", 80)) for _ in range(20)]
        await asyncio.sleep(0.05)  # all twenty are waiting on the one lookup
        lookups.release.set()
        return await asyncio.wait_for(asyncio.gather(*callers), 2)

    answers = asyncio.run(go())
    assert answers == [["192.0.2.7", "2001:db8::7"]] * 20
    assert lookups.calls["stuck-same.test"] == 1


def test_a_caller_giving_up_leaves_the_shared_lookup_to_the_others(lookups):
    resolver = SystemResolver(lookup=lookups)

    async def go():
        patient = asyncio.create_task(resolver.resolve("stuck-slow.test", 80))
        await _give_up(resolver, "stuck-slow.test")
        assert not patient.done()
        lookups.release.set()
        return await asyncio.wait_for(patient, 2)

    assert asyncio.run(go()) == ["192.0.2.7", "2001:db8::7"]
    assert lookups.calls["stuck-slow.test"] == 1


def test_a_stuck_name_is_not_looked_up_twice(lookups):
    resolver = SystemResolver(max_threads=4, stuck_after=0.05, lookup=lookups)

    async def go():
        for _ in range(5):
            await _give_up(resolver, "stuck-again.test")

    asyncio.run(go())
    assert lookups.calls["stuck-again.test"] == 1
    resolver.close()


def test_stuck_threads_are_capped_and_new_names_fail_fast(lookups):
    resolver = SystemResolver(max_threads=2, stuck_after=0.05, max_stuck=3, lookup=lookups)

    async def go():
        # Eight hanging names at once: two run, and each time the running
        # ones turn stuck the next start, until 2 + 3 threads are taken.
        await asyncio.gather(
            *(_give_up(resolver, f"stuck-cap{i}.test", after=0.3) for i in range(8))
        )
        assert len(_resolver_threads("stuck-cap")) == 2 + 3
        started = time.monotonic()
        with pytest.raises(socket.gaierror, match="stuck in the system resolver") as info:
            await resolver.resolve("fine.test", 80)
        return info.value, time.monotonic() - started

    error, took = asyncio.run(go())
    assert error.errno == socket.EAI_AGAIN
    assert took < 0.5
    assert len(_resolver_threads("stuck-cap")) == 2 + 3
    assert all(t.daemon for t in _resolver_threads("stuck-cap"))  # interpreter exit never waits
    lookups.release.set()  # DNS answers again: the threads end and names resolve
    deadline = time.monotonic() + 5
    while _resolver_threads("stuck-cap") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _resolver_threads("stuck-cap") == []
    assert asyncio.run(resolver.resolve("fine.test", 80)) == ["192.0.2.7", "2001:db8::7"]


def test_close_does_not_wait_for_a_stuck_lookup(lookups):
    resolver = SystemResolver(max_threads=1, stuck_after=60, lookup=lookups)

    async def go():
        stuck = asyncio.create_task(resolver.resolve("stuck.test", 80))
        queued = asyncio.create_task(resolver.resolve("fine.test", 80))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        resolver.close()
        took = time.monotonic() - started
        with pytest.raises(socket.gaierror, match="closed"):
            await asyncio.wait_for(queued, 1)
        stuck.cancel()
        return took

    assert asyncio.run(go()) < 0.1
    assert lookups.calls["fine.test"] == 0  # dropped before it ran
    # The resolver stays usable after close() (a Fetcher may be reused).
    lookups.release.set()  # (else the stuck lookup would hold the one turn for 60 s)
    assert asyncio.run(resolver.resolve("other.test", 80)) == ["192.0.2.7", "2001:db8::7"]


def test_lookup_errors_reach_every_caller(lookups):
    resolver = SystemResolver(lookup=lookups)

    async def go():
        callers = [
            asyncio.create_task(resolver.resolve("stuck-missing.test", 80)) for _ in range(3)
        ]
        await asyncio.sleep(0.05)
        lookups.release.set()
        return await asyncio.gather(*callers, return_exceptions=True)

    errors = asyncio.run(go())
    assert all(isinstance(e, socket.gaierror) and e.errno == socket.EAI_NONAME for e in errors)
    assert lookups.calls["stuck-missing.test"] == 1
    # A finished lookup is not cached: the next caller asks again.
    with pytest.raises(socket.gaierror):
        asyncio.run(resolver.resolve("stuck-missing.test", 80))
    assert lookups.calls["stuck-missing.test"] == 2
