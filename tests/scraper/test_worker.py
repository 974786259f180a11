"""ExtractionPool: extractions in worker processes, killed at their deadline.

A worker's first job also pays for importing the extraction stack (about
0.7 s on an idle machine, several times that on a busy one), and a killed
worker's replacement pays it again.  So the deadline test measures that cold
start first and sets its deadline from it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import scraper

# Imported at collection, not inside a test: trafilatura's import warns about
# an optional SOCKS module, and the suite turns warnings into errors.
import scraper.extraction.article
from scraper.config import Config, ExtractConfig
from scraper.extraction.worker import ExtractionPool, extract_in_worker
from tests.hostile_content import tasks

PAGES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "pages"
URL = "https://www.gazzettadelvaldarno.it/2024/06/18/tramvia-bagno-a-ripoli-cantieri-settembre/"
#: Deep enough that lexbor + lxml need seconds on it (quadratic in depth), which
#: no Python timeout can interrupt: only killing the process stops it.
NESTED = (
    "<html><body>"
    + "<div>" * 80_000
    + "".join(f"<p>Parola numero {n} del testo.</p>" for n in range(50))
    + "</div>" * 80_000
).encode()


@dataclass(frozen=True)
class Warm:
    pool: ExtractionPool
    #: Seconds the first job took on a fresh worker (imports included).
    cold_start: float


@pytest.fixture(scope="module")
def warm() -> Iterator[Warm]:
    """A one-worker pool shared by the module, and how long its cold start took."""
    with ExtractionPool(Config(), processes=1) as shared:
        started = time.monotonic()
        shared.extract(_page("pl-news-microdata"))
        yield Warm(shared, time.monotonic() - started)


@pytest.fixture
def pool(warm: Warm) -> ExtractionPool:
    return warm.pool


def _page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def test_extracts_in_a_worker_like_in_process(pool: ExtractionPool):
    html = _page("it-wordpress-news")
    assert pool.extract(html, URL) == scraper.extract(html, URL)


def test_declared_encoding_is_used(pool: ExtractionPool):
    html = _page("it-wordpress-news").decode("utf-8").encode("utf-16-le")
    article = pool.extract(html, URL, encoding="utf-16-le")
    assert article.title is not None
    assert article.title.startswith("Tramvia per Bagno a Ripoli")


def test_no_article_comes_back_typed(pool: ExtractionPool):
    with pytest.raises(scraper.NoArticleError, match="no article"):
        pool.extract(_page("js-shell"), "https://pennywise.app/dashboard")
    # and the worker is still there for the next job
    assert pool.extract(_page("pl-news-microdata")).language == "pl"


def test_deep_nesting_is_flattened_before_the_parsers_see_it(pool: ExtractionPool):
    # Unflattened, lexbor alone needs ten seconds and more on this (quadratic
    # in depth, inside one C call) and libxml2 drops everything past 256 levels.
    started = time.monotonic()
    article = pool.extract(NESTED)
    assert time.monotonic() - started < 5.0  # about 0.5 s on an idle machine
    assert article.text.split("\n\n") == [f"Parola numero {n} del testo." for n in range(50)]


@pytest.mark.slow  # about 2 s on an idle machine: a deadline, then a cold worker
def test_deadline_kills_the_worker_and_the_pool_goes_on(warm: Warm):
    # The task blocks in one C call (time.sleep) on the marked document: only
    # killing the process stops it.  The deadline must cover a cold worker's
    # start, which scales with the machine's load: it is set from the measured one.
    deadline = max(1.0, 2.0 * warm.cold_start)
    config = Config(extract=ExtractConfig(timeout=deadline))
    with ExtractionPool(config, processes=1, task=tasks.stall) as pool:
        started = time.monotonic()
        with pytest.raises(scraper.ExtractionError, match="deadline") as info:
            pool.run(tasks.STALL)
        # killed and replaced, not waited for
        assert time.monotonic() - started < deadline + max(2.0, warm.cold_start)
        assert type(info.value) is scraper.ExtractionError
        # a fresh worker replaced the killed one
        assert pool.run("<p>next</p>") == "<p>next</p>"


def test_a_worker_past_its_memory_limit_is_killed_and_replaced():
    limit = 320 * tasks.MIB
    with ExtractionPool(Config(), processes=1, task=tasks.hog_slowly, memory_limit=limit) as pool:
        with pytest.raises(scraper.ExtractionError, match="more than 320 MiB of memory"):
            pool.run("<p>x</p>")
        # Read every 20 ms while it grows 16 MiB per 10 ms: caught well before
        # the 1.5 GiB it would reach, and its peak was recorded.
        assert limit < pool.peak_rss < limit + 160 * tasks.MIB


@pytest.mark.parametrize("call", ["run", "arun"])
def test_after_a_job_the_pool_judges_the_memory_the_worker_reported(
    monkeypatch: pytest.MonkeyPatch, call: str
) -> None:
    """A worker reports its resident memory with each reply: the pool does not
    open /proc after every job (the in-job poll is an hour away here)."""
    from scraper.extraction import worker as worker_module

    def no_proc_reads(pid: int | None) -> int | None:
        raise AssertionError("the pool read /proc instead of the worker's report")

    judged: list[int | None] = []
    holds_too_much = ExtractionPool._holds_too_much

    def spy(pool: ExtractionPool, worker: object, resident: int | None) -> bool:
        judged.append(resident)
        return holds_too_much(pool, worker, resident)  # type: ignore[arg-type]

    monkeypatch.setattr(worker_module, "MEMORY_POLL", 3600.0)
    monkeypatch.setattr(worker_module, "_resident", no_proc_reads)
    monkeypatch.setattr(ExtractionPool, "_holds_too_much", spy)
    with ExtractionPool(Config(), processes=1, task=tasks.pid) as pool:
        pid = pool.run("<p>x</p>") if call == "run" else asyncio.run(pool.arun("<p>x</p>"))
    (resident,) = judged
    assert isinstance(resident, int) and resident > 10 * tasks.MIB
    assert isinstance(pid, int)


def test_a_finished_worker_is_judged_on_its_report_else_on_proc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from types import SimpleNamespace

    from scraper.extraction import worker as worker_module

    reads: list[int | None] = []
    monkeypatch.setattr(worker_module, "_resident", lambda pid: reads.append(pid) or 10)
    worker: Any = SimpleNamespace(process=SimpleNamespace(pid=4242))
    with ExtractionPool(Config(), processes=1, memory_limit=100) as pool:  # starts none
        assert pool._holds_too_much(worker, 101) is True
        assert pool._holds_too_much(worker, 100) is False
        assert reads == []  # a report is taken as it is
        assert pool._holds_too_much(worker, None) is False  # no report: /proc says 10
        assert reads == [4242]


def test_an_allocation_burst_hits_the_address_space_cap():
    # 8 GiB at once: past the cap (4 x 256 MiB), the allocation fails inside
    # the worker and comes back as a typed error, before any page is touched.
    with ExtractionPool(
        Config(), processes=1, task=tasks.hog_at_once, memory_limit=256 * tasks.MIB
    ) as pool:
        with pytest.raises(scraper.ExtractionError, match="MemoryError"):
            pool.run("<p>x</p>")
        assert pool.peak_rss < 256 * tasks.MIB


def test_closed_pool_refuses_jobs():
    pool = ExtractionPool(Config(), processes=1)
    pool.close()
    with pytest.raises(scraper.ExtractionError, match="closed"):
        pool.extract(_page("it-wordpress-news"))


def test_extract_in_worker():
    article = extract_in_worker(_page("fr-broken-markup"), None, Config())
    assert article.language == "fr"


def test_the_memory_bound_comes_from_the_config():
    from scraper.config import ExtractConfig
    from scraper.extraction.worker import WORKER_MEMORY_LIMIT

    assert ExtractConfig().max_memory == WORKER_MEMORY_LIMIT
    small = Config(extract=ExtractConfig(max_memory=123 * 1024 * 1024))
    with ExtractionPool(small) as pool:
        assert pool._memory_limit == 123 * 1024 * 1024
    with ExtractionPool(small, memory_limit=None) as pool:
        assert pool._memory_limit is None


def test_prefork_is_refused_while_another_thread_runs():
    """Forking copies only the calling thread: with another one alive, workers come
    from the forkserver instead (and the pool still works)."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        with ExtractionPool(Config(), 1) as pool:
            assert pool.prefork() is False
            html = (PAGES / "it-wordpress-news.html").read_bytes()
            assert pool.extract(html, URL).title
    finally:
        stop.set()
        other.join()


#: A single-threaded process that preforks two workers, extracts a page, prints
#: the workers' pids and waits to be killed.
_PREFORK_SCRIPT = """
import sys, time
from pathlib import Path
from scraper.config import Config
from scraper.extraction.worker import ExtractionPool
pool = ExtractionPool(Config(), 2)
assert pool.prefork() is True
html = Path(sys.argv[1]).read_bytes()
print(pool.extract(html, sys.argv[2]).title, flush=True)
print(" ".join(str(w.process.pid) for w in pool._all), flush=True)
time.sleep(60)
"""


def test_preforked_workers_extract_and_die_with_their_parent(tmp_path: Path):
    """Workers forked from the crawl (``prefork``) work like the forkserver's, and a
    ``kill -9`` of their parent ends them too: they must not hold a copy of the
    parent's end of their pipe, or they would wait for a job forever (holding
    the parent's stdout open)."""
    import os
    import select
    import signal
    import subprocess
    import sys

    script = tmp_path / "prefork.py"
    script.write_text(_PREFORK_SCRIPT)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(PAGES / "it-wordpress-news.html"), URL],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    pidfds: list[int] = []
    try:
        title = proc.stdout.readline().strip()
        pids = [int(pid) for pid in proc.stdout.readline().split()]
        assert title and len(pids) == 2
        # Opened while their parent holds them: a pidfd names that process
        # even after it is gone and its pid reused.
        pidfds = [os.pidfd_open(pid) for pid in pids]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    try:
        poller = select.poll()
        for fd in pidfds:
            poller.register(fd, select.POLLIN)  # readable once the process has ended
        ended: set[int] = set()
        deadline = time.monotonic() + 20
        while len(ended) < len(pidfds) and time.monotonic() < deadline:
            ended |= {fd for fd, _ in poller.poll(100)}
        alive = [fd for fd in pidfds if fd not in ended]
        for fd in alive:  # a failure must not leave them behind
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        assert alive == []
    finally:
        for fd in pidfds:
            os.close(fd)
    assert proc.stdout.read() == ""  # end-of-file: no worker holds the parent's stdout
    proc.stdout.close()


#: A single-threaded process that preforks a worker and prints the modules the
#: worker imported of its own (in its warm-up and first job).
_PREFORK_IMPORTS_SCRIPT = """
import sys
from scraper.config import Config
from scraper.extraction.worker import ExtractionPool

def modules(html, url, config, *, encoding=None):
    return sorted(sys.modules)

pool = ExtractionPool(Config(), 1, task=modules)
assert pool.prefork() is True
inherited = set(sys.modules)
print(" ".join(sorted(set(pool.run("<p>x</p>")) - inherited)), flush=True)
pool.close()
"""


def test_a_preforked_worker_imports_nothing_heavy_of_its_own(tmp_path: Path):
    """What the first page imports lazily (the language model's loader, numpy.ma)
    is imported once before the fork, not by every worker at its start."""
    import subprocess
    import sys

    script = tmp_path / "prefork_imports.py"
    script.write_text(_PREFORK_IMPORTS_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    own = done.stdout.split()
    heavy = ("numpy", "cleaners", "scraper", "trafilatura", "lxml", "py3langid", "wordfreq")
    assert [name for name in own if name.split(".")[0] in heavy] == []
