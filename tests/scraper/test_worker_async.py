"""ExtractionPool.arun: the pool's jobs awaited on the event loop (as crawls and batches do).

``arun`` must give what ``run`` gives, and keep its bounds (deadline, memory,
a dying worker), while the loop does the waiting; a caller cancelled in the
middle of a job must not leave its reply for the next caller to read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

import scraper

# Imported at collection (see test_worker.py): trafilatura warns on import.
import scraper.extraction.article
from scraper.config import Config, ExtractConfig
from scraper.extraction.worker import _LOOP_SEND_MAX, ExtractionPool
from tests.hostile_content import tasks
from tests.scraper.test_worker import PAGES, URL


@pytest.fixture(scope="module")
def napping() -> Iterator[ExtractionPool]:
    """Two warm workers running ``tasks.nap`` (sleep ``url`` seconds, echo the document)."""
    with ExtractionPool(Config(), processes=2, task=tasks.nap) as pool:
        pool.run("warm", "0")
        pool.run("warm", "0")
        yield pool


def test_arun_gives_what_run_gives():
    html = (PAGES / "it-wordpress-news.html").read_bytes()
    with ExtractionPool(Config(), processes=1) as pool:

        async def both() -> tuple[scraper.Article, BaseException]:
            article = await pool.arun(html, URL)
            with pytest.raises(scraper.NoArticleError, match="no article") as info:
                await pool.arun((PAGES / "js-shell.html").read_bytes(), "https://a.example/")
            return article, info.value

        article, error = asyncio.run(both())
        assert article == pool.run(html, URL) == scraper.extract(html, URL)
        assert type(error) is scraper.NoArticleError


def test_more_callers_than_workers_are_all_served(napping: ExtractionPool):
    async def many() -> list[str]:
        return await asyncio.gather(*(napping.arun(f"doc {n}", "0.02") for n in range(12)))

    assert asyncio.run(many()) == [f"doc {n}" for n in range(12)]


def test_a_job_larger_than_the_loop_writes_goes_through(napping: ExtractionPool):
    big = "<p>" + "x" * (4 * _LOOP_SEND_MAX) + "</p>"
    assert asyncio.run(napping.arun(big, "0")) == big


def test_a_cancelled_caller_leaves_no_reply_behind(napping: ExtractionPool):
    async def cancel_then_ask() -> list[str]:
        slow = [asyncio.create_task(napping.arun(f"old {n}", "0.4")) for n in range(2)]
        await asyncio.sleep(0.1)  # both workers hold a job now
        for task in slow:
            task.cancel()
        await asyncio.gather(*slow, return_exceptions=True)
        assert all(task.cancelled() for task in slow)
        # The workers finish the old jobs first; each caller gets its own reply.
        return await asyncio.gather(*(napping.arun(f"new {n}", "0") for n in range(4)))

    started = time.monotonic()
    assert asyncio.run(cancel_then_ask()) == [f"new {n}" for n in range(4)]
    assert time.monotonic() - started >= 0.4  # the old jobs were waited out, not dropped


def test_a_worker_dying_mid_job_is_an_error_and_is_replaced():
    with ExtractionPool(Config(), processes=1, task=tasks.nap) as pool:

        async def die_then_work() -> str:
            with pytest.raises(scraper.ExtractionError, match=r"died \(exit code 7\)"):
                await pool.arun(tasks.DIE, "0")
            result: str = await pool.arun("after", "0")
            return result

        assert asyncio.run(die_then_work()) == "after"


@pytest.mark.slow  # a deadline, then a cold worker (see test_worker.py)
def test_arun_kills_a_worker_at_its_deadline():
    config = Config(extract=ExtractConfig(timeout=1.0))
    with ExtractionPool(config, processes=1, task=tasks.stall) as pool:
        pool.run("warm")  # started outside the deadline

        async def stall_then_work() -> tuple[float, str]:
            started = time.monotonic()
            with pytest.raises(scraper.ExtractionError, match="deadline") as info:
                await pool.arun(tasks.STALL)
            took = time.monotonic() - started
            assert type(info.value) is scraper.ExtractionError
            return took, await pool.arun("<p>next</p>")

        took, after = asyncio.run(stall_then_work())
        assert 1.0 <= took < 10.0  # killed at the deadline, not after the 30 s stall
        assert after == "<p>next</p>"


def test_arun_kills_a_worker_past_its_memory_limit():
    limit = 320 * tasks.MIB
    with ExtractionPool(Config(), processes=1, task=tasks.hog_slowly, memory_limit=limit) as pool:
        with pytest.raises(scraper.ExtractionError, match="more than 320 MiB of memory"):
            asyncio.run(pool.arun("<p>x</p>"))
        assert limit < pool.peak_rss < limit + 160 * tasks.MIB


def test_closing_the_pool_fails_waiting_callers():
    pool = ExtractionPool(Config(), processes=1, task=tasks.nap)
    pool.run("warm", "0")

    async def wait_then_close() -> tuple[object, object]:
        busy = asyncio.create_task(pool.arun("busy", "2"))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(pool.arun("waiting", "0"))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(pool.close)
        first, second = await asyncio.gather(busy, waiting, return_exceptions=True)
        return first, second

    first, second = asyncio.run(wait_then_close())
    for error in (first, second):  # the running job and the waiting one
        assert isinstance(error, scraper.ExtractionError)
        assert "closed" in str(error)
    with pytest.raises(scraper.ExtractionError, match="closed"):
        asyncio.run(pool.arun("late", "0"))


def test_a_reply_that_cannot_be_read_is_the_jobs_error():
    with ExtractionPool(Config(), processes=1, task=tasks.unreadable) as pool:
        with pytest.raises(scraper.ExtractionError, match="reply could not be read"):
            pool.run("<p>x</p>")

        async def twice() -> None:
            for _ in range(2):  # the worker went back to the pool after the first
                with pytest.raises(scraper.ExtractionError, match="reply could not be read"):
                    await pool.arun("<p>x</p>")

        asyncio.run(twice())


def test_a_cancelled_caller_of_an_unreadable_reply_leaves_the_worker_usable():
    with ExtractionPool(Config(), processes=1, task=tasks.unreadable) as pool:

        async def cancel_then_ask() -> None:
            slow = asyncio.create_task(pool.arun("<p>x</p>", "0.3"))
            await asyncio.sleep(0.1)
            slow.cancel()
            with pytest.raises(scraper.ExtractionError, match="reply could not be read"):
                await asyncio.wait_for(pool.arun("<p>y</p>", "0"), timeout=20)

        asyncio.run(cancel_then_ask())


def test_a_worker_that_cannot_be_started_gives_its_slot_back(monkeypatch: pytest.MonkeyPatch):
    with ExtractionPool(Config(), processes=1, task=tasks.nap) as pool:
        spawn = pool._spawn
        failures = iter([OSError(11, "Resource temporarily unavailable")])

        def flaky_spawn(ctx: object = None) -> object:
            for error in failures:
                raise error
            return spawn()

        monkeypatch.setattr(pool, "_spawn", flaky_spawn)

        async def fail_then_work() -> str:
            with pytest.raises(scraper.ExtractionError, match="could not start"):
                await pool.arun("first", "0")
            result: str = await asyncio.wait_for(pool.arun("second", "0"), timeout=60)
            return result

        assert asyncio.run(fail_then_work()) == "second"


def test_a_large_job_for_a_worker_still_starting_goes_through():
    with ExtractionPool(Config(), processes=1, task=tasks.nap) as pool:
        big = "<p>" + "y" * (2 * _LOOP_SEND_MAX) + "</p>"  # new worker: not ready yet
        assert asyncio.run(pool.arun(big, "0")) == big


def test_workers_run_at_the_niceness_they_are_given():
    import os

    with ExtractionPool(Config(), processes=1, task=tasks.niceness, nice=3) as pool:
        assert asyncio.run(pool.arun("any", None)) == min(os.nice(0) + 3, 19)
    with ExtractionPool(Config(), processes=1, task=tasks.niceness) as pool:
        assert pool.run("any", None) == os.nice(0)
