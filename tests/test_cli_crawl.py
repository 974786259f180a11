"""``scraper crawl`` as a process: happy path, and kill -9 at random moments, then rerun."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scraper.test_crawl_engine import Site, article_html, listing_html
from tests.servers import TestServer

ROOT = Path(__file__).resolve().parent.parent
#: Runs the crawl subcommand module directly (it is registered in the CLI once
#: the README documents it).
RUNNER = (
    "import argparse, sys\n"
    "from scraper.cli import crawl\n"
    "from scraper.cli.common import configure_logging\n"
    "p = argparse.ArgumentParser(); crawl.add_arguments(p)\n"
    "ns = p.parse_args(sys.argv[1:]); configure_logging(ns.verbose - ns.quiet)\n"
    "sys.exit(crawl.run(ns))\n"
)
FLAGS = ["--delay", "0", "--timeout", "2"]


def scraper_crawl(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, *args, *FLAGS],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


def test_crawl_urls_to_stdout_then_resume_with_nothing_new(site: Site, tmp_path: Path):
    store = str(tmp_path / "c.sqlite")
    proc = scraper_crawl(site.server.url("/"), "--store", store)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 4  # a1, a2, a3 (robots.txt's sitemap), s1; no feed in a quick crawl
    assert "fetched" in err and "skipped by robots.txt 1" in err
    proc = scraper_crawl(site.server.url("/"), "--store", store)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (0, ""), err


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing_and_writes_nothing_twice(
    site: Site, tmp_path: Path
):
    # A bigger site: 60 articles behind 3 listings.
    paths = [f"/news/{i}" for i in range(60)]
    for i, path in enumerate(paths):
        site.pages[path] = article_html(f"Story number {i}", 100 + i)
        site.server.route(path, site._serve)
    site.pages["/news/"] = listing_html(tuple(paths))
    store, out = str(tmp_path / "k.sqlite"), tmp_path / "out.jsonl"
    rng = random.Random(4)
    for _ in range(5):
        proc = scraper_crawl(site.server.url("/"), "--store", store, "--out", str(out))
        time.sleep(rng.uniform(1.0, 2.5))
        proc.kill()
        proc.communicate()
    proc = scraper_crawl(site.server.url("/"), "--store", store, "--out", str(out))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    records = [json.loads(line) for line in out.read_text().splitlines()]
    seqs = [r["seq"] for r in records]
    assert seqs == list(range(1, len(seqs) + 1))  # in order, none twice, none missing
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls))
    expected = {site.server.url(p) for p in [*paths, "/news/a1", "/news/a3"]}
    assert expected <= set(urls)
