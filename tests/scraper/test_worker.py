"""ExtractionPool: extractions in worker processes, killed at their deadline.

A worker's first job also pays for importing the extraction stack (about
0.7 s on an idle machine, several times that on a busy one), and a killed
worker's replacement pays it again.  So the deadline test measures that cold
start first and sets its deadline from it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import scraper
from scraper.config import Config, ExtractConfig
from scraper.extraction.worker import ExtractionPool, extract_in_worker

PAGES = Path(__file__).resolve().parent.parent.parent / "fixtures" / "pages"
URL = "https://www.gazzettadelvaldarno.it/2024/06/18/tramvia-bagno-a-ripoli-cantieri-settembre/"
#: Deep enough that lexbor + lxml need seconds on it (quadratic in depth), which
#: no Python timeout can interrupt: only killing the process stops it.
NESTED = ("<html><body>" + "<div>" * 80_000 + "<p>parole</p>" * 50 + "</div>" * 80_000).encode()


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


@pytest.mark.slow  # about 2 s on an idle machine: a deadline, then a cold worker
def test_deadline_kills_the_worker_and_the_pool_goes_on(warm: Warm):
    # Long enough for a cold worker's imports plus a normal page, far too short
    # for the nested document (which takes ten seconds and more).  Both scale
    # with the machine's load, so the deadline is set from the measured cold start.
    deadline = max(1.0, 2.0 * warm.cold_start)
    config = Config(extract=ExtractConfig(timeout=deadline))
    with ExtractionPool(config, processes=1) as pool:
        started = time.monotonic()
        with pytest.raises(scraper.ExtractionError, match="deadline") as info:
            pool.extract(NESTED)
        # killed and replaced, not waited for
        assert time.monotonic() - started < deadline + max(2.0, warm.cold_start)
        assert type(info.value) is scraper.ExtractionError
        # a fresh worker replaced the killed one
        article = pool.extract(_page("it-wordpress-news"), URL)
        assert article.author == "Chiara Benvenuti"


def test_closed_pool_refuses_jobs():
    pool = ExtractionPool(Config(), processes=1)
    pool.close()
    with pytest.raises(scraper.ExtractionError, match="closed"):
        pool.extract(_page("it-wordpress-news"))


def test_extract_in_worker():
    article = extract_in_worker(_page("fr-broken-markup"), None, Config())
    assert article.language == "fr"
