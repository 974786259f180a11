"""``scraper crawl``, ``status``, ``export`` and ``schedule`` through the console script.

Sites are local (tests/servers.py), stores live in ``tmp_path``.  Stores that
``status`` and ``export`` read are filled in-process on the session's warm
extraction pool (a crawl process costs seconds of worker warm-up); ``crawl``
and ``schedule`` run as real processes, and are killed and signalled as
users and service managers do.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.crawling.engine import crawl_processes
from scraper.crawling.export import CSV_COLUMNS
from scraper.crawling.jobs import load_job
from scraper.crawling.store import SQLiteStore
from tests.scraper.crawlsite import CONFIG, Site, article_html, crawl, later, listing_html
from tests.servers import TestServer

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--delay", "0", "--timeout", "2", "--allow-network", "127.0.0.1/32"]


def _executable() -> str:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("scraper", path=path)
    if found is None:
        pytest.fail("the `scraper` console script is not installed (pip install -e .)")
    return found


SCRAPER = _executable()


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def start(*args: str | Path, **kwargs: Any) -> subprocess.Popen[str]:
    """``scraper ARGS`` as a running process (text pipes unless redirected)."""
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen([SCRAPER, *map(str, args)], cwd=ROOT, env=_env(), text=True, **kwargs)


def scraper(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``scraper ARGS`` to the end."""
    return subprocess.run(
        [SCRAPER, *map(str, args)],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def scraper_crawl(*args: str) -> subprocess.Popen[str]:
    return start("crawl", *args, *FLAGS)


def write_job(directory: Path, name: str, server: TestServer, every: str = "1h") -> Path:
    """A job file crawling ``server`` into ``<name>.sqlite``, appending to ``<name>.jsonl``."""
    path = directory / f"{name}.toml"
    path.write_text(
        f'[job]\nname = "{name}"\nseeds = ["{server.url("/")}"]\n'
        f'output = "{name}.jsonl"\nevery = "{every}"\n'
        "[politeness]\ndelay = 0\ntimeout = 2\n"
        'allow_networks = ["127.0.0.1/32"]\n',  # the test server (loopback is refused by default)
        encoding="utf-8",
    )
    return path


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


# -- crawl ---------------------------------------------------------------------------------


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
    """Five ``kill -9`` in the middle of the crawl, then a rerun: nothing lost, nothing doubled.

    Each kill waits until a random number of new articles reached the output
    file, then a random few milliseconds more, so that it lands while pages
    are being fetched, extracted, stored and written at full speed, never
    in the start-up.
    """
    paths = [f"/news/{i}" for i in range(60)]
    for i, path in enumerate(paths):
        site.pages[path] = article_html(f"Story number {i}", 100 + i)
        site.server.route(path, site._serve)
    site.pages["/news/"] = listing_html(tuple(paths))
    store, out = str(tmp_path / "k.sqlite"), tmp_path / "out.jsonl"
    rng = random.Random(4)

    def fetched() -> int:
        return sum(site.server.hits(p) for p in paths)

    def written() -> int:
        return out.read_bytes().count(b"\n") if out.exists() else 0

    for _ in range(5):
        target = written() + rng.randint(1, 8)
        proc = scraper_crawl(site.server.url("/"), "--store", store, "--out", str(out))
        deadline = time.monotonic() + 30
        while written() < target and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl made no progress"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.03))
        proc.kill()
        proc.communicate()
    assert 5 <= written() < len(paths)  # the kills fell mid-crawl, work was left
    proc = scraper_crawl(site.server.url("/"), "--store", store, "--out", str(out))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    records = jsonl(out)
    seqs = [r["seq"] for r in records]
    assert seqs == list(range(1, len(seqs) + 1))  # in order, none twice, none missing
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls))
    expected = {site.server.url(p) for p in [*paths, "/news/a1", "/news/a3"]}
    assert expected <= set(urls)
    # Only what was in flight at a kill was fetched again: at most the claims
    # a crawler holds at once (concurrency + 2 per extraction process).
    in_flight = 8 + 2 * crawl_processes()
    assert fetched() <= len(paths) + 5 * in_flight


# -- status and export ---------------------------------------------------------------------


@pytest.fixture
def crawled(site: Site, tmp_path: Path, crawl_pool) -> Path:
    """A job file whose store holds one finished run over ``site`` (5 articles, 1 error)."""
    site.server.route("/sport/s1", lambda seen: dataclasses.replace(site._serve(seen), status=500))
    path = write_job(tmp_path, "news", site.server)
    # The test config (short timeouts, one retry) is the one the shared pool was built with.
    job = dataclasses.replace(load_job(path), feeds=(site.server.url("/feed.xml"),), config=CONFIG)
    summary, _ = crawl(job, pool=crawl_pool, out=tmp_path / "news.jsonl")
    assert (summary.new, summary.failed) == (4, 1)
    return path


def test_status_of_a_job_file(crawled: Path):
    proc = scraper("status", crawled)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("job news (store ")
    assert "articles 4, without an article 3, refused by robots.txt 1" in text
    assert "errors: HTTPStatusError 1\n" in text
    assert "leased 0" in text and "next run due:" in text
    proc = scraper("status", crawled, "--json")
    info = json.loads(proc.stdout)
    assert info["job"] == "news" and info["articles"] == 4 and info["leased"] == 0
    # The store's error types: failures, and the listings and robots.txt refusal.
    assert info["errors_by_type"] == {
        "HTTPStatusError": 1,
        "NoArticleError": 3,
        "RobotsDisallowed": 1,
    }
    assert info["last_run_started"] < info["last_run_finished"] < info["next_run"]
    assert info["fetched"] == 9  # home, 2 sections, 5 articles, the failing s1; robots refusal


def test_status_of_a_store_lists_its_jobs(crawled: Path, tmp_path: Path):
    store = str(tmp_path / "news.sqlite")
    one = scraper("status", "--store", store)
    assert one.returncode == 0 and one.stdout.startswith("job news"), one.stderr
    other = SQLiteStore(store)
    other.begin_run("sport", "w1", exclusive=True)
    other.end_run("sport", "w1")
    other.close()
    both = scraper("status", "--store", store)
    assert both.returncode == 0, both.stderr
    assert "holds 2 jobs (name one with --job)" in both.stdout
    assert "  news   queued" in both.stdout and "  sport  queued 0, articles 0" in both.stdout
    named = scraper("status", "--store", store, "--job", "sport", "--json")
    assert json.loads(named.stdout)["articles"] == 0
    missing = scraper("status", "--store", store, "--job", "nope")
    assert missing.returncode == 2 and "no job 'nope'" in missing.stderr
    assert "jobs: news, sport" in missing.stderr


def test_status_and_export_refuse_a_missing_store(tmp_path: Path):
    for command in ("status", "export"):
        proc = scraper(command, "--store", tmp_path / "typo.sqlite")
        assert proc.returncode == 2
        assert "no such store" in proc.stderr and "Traceback" not in proc.stderr
        assert not (tmp_path / "typo.sqlite").exists()  # not created by a read


def test_export_jsonl_is_the_crawl_output(crawled: Path, tmp_path: Path):
    written = jsonl(tmp_path / "news.jsonl")
    proc = scraper("export", "--store", tmp_path / "news.sqlite", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line) for line in proc.stdout.splitlines()] == written
    assert "exported 4 articles of job news" in proc.stderr
    out = tmp_path / "export.jsonl"
    proc = scraper("export", crawled, "--out", out)  # jsonl is the default
    assert proc.returncode == 0, proc.stderr
    assert jsonl(out) == written and proc.stdout == ""
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp left


def test_export_csv_has_one_row_per_article(crawled: Path, tmp_path: Path):
    out = tmp_path / "articles.csv"
    proc = scraper("export", crawled, "--format", "csv", "--out", out)
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    written = {r["url"]: r for r in jsonl(tmp_path / "news.jsonl")}
    assert sorted(r["url"] for r in rows) == sorted(written)
    for row in rows:
        record = written[row["url"]]
        assert row["title"] == record["title"] and row["text"] == record["text"]
        assert row["seq"] == str(record["seq"]) and row["change"] == "new"
        assert row["duplicate_of"] == "" and row["first_seen"] == record["first_seen"]
    stdout = scraper("export", crawled, "--format", "csv").stdout
    assert list(csv.DictReader(io.StringIO(stdout, newline=""))) == rows


def test_export_warc_holds_each_distinct_response_of_an_archive_job(
    site: Site, tmp_path: Path, crawl_pool
):
    from warcio.archiveiterator import ArchiveIterator

    path = write_job(tmp_path, "kept", site.server)
    job = dataclasses.replace(load_job(path), archive=True, config=CONFIG)
    crawl(job, pool=crawl_pool)
    crawl(job, pool=crawl_pool, clock=later(2))  # a recrawl: same bodies, nothing new kept
    out = tmp_path / "kept.warc.gz"
    proc = scraper("export", path, "--format", "warc", "--out", out)
    assert proc.returncode == 0, proc.stderr
    with out.open("rb") as handle:
        records = [
            (r.rec_headers.get_header("WARC-Target-URI"), r.http_headers.get_statuscode(), r)
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    urls = [url for url, _, _ in records]
    assert len(urls) == len(set(urls))  # each page once: the recrawl kept nothing again
    assert site.server.url("/news/a1") in urls and {s for _, s, _ in records} == {"200"}
    assert f"exported {len(records)} responses of job kept" in proc.stderr
    with out.open("rb") as handle:
        for record in ArchiveIterator(handle):
            if record.rec_headers.get_header("WARC-Target-URI") == site.server.url("/news/a1"):
                body = record.content_stream().read().decode("utf-8")
                assert body == site.pages["/news/a1"]
                assert record.http_headers.get_header("Content-Type").startswith("text/html")


def test_export_refuses_warc_without_responses_and_an_unnamed_job(crawled: Path, tmp_path: Path):
    proc = scraper("export", crawled, "--format", "warc")
    assert proc.returncode == 2
    assert "kept no raw responses" in proc.stderr and "archive = true" in proc.stderr
    other = SQLiteStore(tmp_path / "news.sqlite")
    other.begin_run("sport", "w1", exclusive=True)
    other.end_run("sport", "w1")
    other.close()
    proc = scraper("export", "--store", tmp_path / "news.sqlite")
    assert proc.returncode == 2 and "name one with --job" in proc.stderr
    proc = scraper("export", "--store", tmp_path / "news.sqlite", "--job", "sport")
    assert (proc.returncode, proc.stdout) == (0, "")


# -- schedule ------------------------------------------------------------------------------


def test_schedule_once_runs_the_due_jobs_only(site: Site, tmp_path: Path):
    with TestServer() as other_server:
        other = Site(other_server)
        due = write_job(tmp_path, "due", site.server)
        not_due = write_job(tmp_path, "recent", other.server)
        store = SQLiteStore(tmp_path / "recent.sqlite")  # it ran a minute ago, every 1 h
        store.begin_run("recent", "cron", exclusive=True)
        store.end_run("recent", "cron")
        store.close()
        proc = scraper("schedule", due, not_due, "--once")
        assert proc.returncode == 0, proc.stderr
        assert len(jsonl(tmp_path / "due.jsonl")) == 4 and proc.stdout == ""
        assert "job due:" in proc.stderr and "job recent" not in proc.stderr
        assert other.server.hits("/") == 0
        # Both ran within the hour now: nothing is due.
        proc = scraper("schedule", due, not_due, "--once")
        assert (proc.returncode, proc.stderr) == (0, "")
        assert site.server.hits("/") == 1 and other.server.hits("/") == 0


def test_schedule_stops_cleanly_on_sigterm_during_a_run(site: Site, tmp_path: Path):
    def slow(seen):
        return dataclasses.replace(site._serve(seen), delay=1.0)

    for path in ("/news/a1", "/news/a2", "/news/a3", "/sport/s1"):
        site.server.route(path, slow)
    job = write_job(tmp_path, "slow", site.server)
    proc = start("schedule", job)
    deadline = time.monotonic() + 30
    while not any(site.server.hits(p) for p in ("/news/a1", "/news/a2", "/news/a3")):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "interrupted: rerun the same command to resume" in err and "stopped" in err
    info = json.loads(scraper("status", job, "--json").stdout)
    assert info["leased"] == 0 and info["last_run_finished"] is not None
    assert info["due"] > 0  # what was in flight is due again at once


# -- documentation -------------------------------------------------------------------------


def test_readme_example_job_uses_every_key_load_job_reads(tmp_path: Path, monkeypatch):
    """The README promises a complete example job: every key the reader asks for is in it."""
    from scraper.crawling import jobs

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Job files", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "news.toml"
    path.write_text(example, encoding="utf-8")
    asked: set[tuple[str, str]] = set()
    raw = jobs._Reader._raw

    def spy(self, key: str) -> object:
        asked.add((self.table, key))
        return raw(self, key)

    monkeypatch.setattr(jobs._Reader, "_raw", spy)
    job = load_job(path)  # the example is a valid job
    given = {(table, key) for table, keys in tomllib.loads(example).items() for key in keys}
    assert asked - given == set(), "keys missing from the README's example job"
    assert given - asked == set(), "keys in the README's example job that nothing reads"
    assert job.name == "valdarno" and job.config.clean.joined_words is False
