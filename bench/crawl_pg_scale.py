"""Several crawl workers on one PostgreSQL store against a slow site: do they scale, politely?

Usage (from the repository root, with the ``postgres`` extra)::

    .venv/bin/python bench/crawl_pg_scale.py [--pg URL] [--workers 4] [--hosts 200]

Without ``--pg`` (or ``SCRAPER_TEST_PG_URL``) it starts the throw-away server
of ``scripts/postgres.sh``.  Each run gets a fresh schema, dropped afterwards.

The site is our own delaying server (standard library asyncio, in this
process): ``--hosts`` loopback addresses 127.0.30.x, each with a homepage
linking to ``--pages`` small articles, a robots.txt, and every response held
back ``--delay-ms`` (200 ms) before it is sent.  The job seeds every
homepage; each worker may run ``--concurrency`` (8) requests at once, one per
host, with a per-host delay of ``--host-delay`` seconds that the store must
keep across all workers.

It runs the job once with one worker and once with ``--workers`` worker
processes started together, and reports from the server's log:

* throughput = pages served / (last response - first request) -- the
  target is >= 3.5x one worker's;
* every page requested exactly once (duplicates and misses are counted);
* per-host gaps between two page requests, against the delay (robots.txt is
  fetched by each worker's own cache and is not a claimed page).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SCALE_TARGET = 3.5
PORT = 18590


# ---- the delaying site -----------------------------------------------------------------------


def article(host: int, k: int) -> bytes:
    words = " ".join(f"report{host} item{k} word{i} council harbour budget" for i in range(25))
    return (
        f"<!DOCTYPE html><html lang=en><head><title>Story {k} of host {host}</title></head>"
        f"<body><article><h1>Story {k} of host {host}</h1><p>{words}.</p>"
        f"<p>The council met on day {k} and agreed on the plan for host {host}.</p>"
        f'<a href="/">Home</a></article></body></html>'
    ).encode()


def homepage(host: int, pages: int) -> bytes:
    links = "".join(f'<li><a href="/a/{k}.html">Story {k}</a></li>' for k in range(pages))
    return f"<html><body><h1>Host {host}</h1><ul>{links}</ul></body></html>".encode()


@dataclass
class SiteLog:
    """What the server saw: (address, path, arrived, answered) per request."""

    requests: list[tuple[str, str, float, float]] = field(default_factory=list)


class DelayingSite:
    """An HTTP/1.1 keep-alive server on many loopback addresses; every answer waits ``delay``."""

    def __init__(self, hosts: list[str], pages: int, delay: float) -> None:
        self.hosts = hosts
        self.pages = pages
        self.delay = delay
        self.log = SiteLog()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    def body(self, address: str, path: str) -> tuple[int, bytes, str]:
        host = self.hosts.index(address)
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", "text/plain"
        if path == "/":
            return 200, homepage(host, self.pages), "text/html; charset=utf-8"
        m = re.fullmatch(r"/a/(\d+)\.html", path)
        if m and int(m.group(1)) < self.pages:
            return 200, article(host, int(m.group(1))), "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("sockname")[0]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.monotonic()
                path = head.split(b" ", 2)[1].decode("latin-1")
                await asyncio.sleep(self.delay)
                status, body, kind = self.body(address, path)
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
                self.log.requests.append((address, path, arrived, time.monotonic()))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed its keep-alive connection: the normal end
        finally:
            writer.close()

    def start(self) -> None:
        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self.handle, host=self.hosts, port=PORT, backlog=4096)
            )
            self._ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=serve, name="delaying-site", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the delaying site did not start")

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)


# ---- one worker (runs as its own process) --------------------------------------------------


def worker_main(args: argparse.Namespace) -> None:
    from scraper.config import Config, FetchConfig
    from scraper.crawling.engine import Crawler
    from scraper.crawling.jobs import Job
    from scraper.crawling.store import open_store

    hosts = json.loads(args.hosts_json)
    fetch = FetchConfig(
        per_host_delay=args.host_delay,
        per_host_concurrency=1,
        concurrency=args.concurrency,
        trust_env=False,
        retries=1,
        allow_networks=("127.0.0.0/8",),
    )
    job = Job(
        name="scale",
        seeds=tuple(f"http://{h}:{PORT}/" for h in hosts),
        store=args.pg,
        recrawl=None,
        config=Config(fetch=fetch),
    )
    store = open_store(args.pg)
    try:
        crawler = Crawler(
            job,
            store,
            worker_id=args.name,
            processes=1,
            articles=args.mode == "extract",
        )
        started = time.monotonic()
        summary = asyncio.run(crawler.run())
    finally:
        store.close()
    result = {
        "worker": args.name,
        "fetched": summary.fetched,
        "new": summary.new,
        "errors": dict(summary.errors),
        "wall": time.monotonic() - started,
    }
    sys.stdout.write(json.dumps(result) + "\n")


# ---- the bench -------------------------------------------------------------------------------


def pg_url(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("SCRAPER_TEST_PG_URL"):
        return os.environ["SCRAPER_TEST_PG_URL"]
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"SCRAPER_TEST_PG_URL=['\"]?([^'\"\s]+)", out)
    if not m:
        raise RuntimeError(f"scripts/postgres.sh printed no URL: {out!r}")
    return m.group(1)


@contextlib.contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@dataclass
class Outcome:
    workers: int
    pages: int
    expected: int
    duplicates: int
    missing: int
    throughput: float
    span: float
    min_gap: float
    short_gaps: int
    gaps: int
    robots: int
    reports: list[dict[str, Any]]
    #: Pages answered in each second of the span.
    timeline: list[int]


def run_once(site: DelayingSite, url: str, workers: int, args: argparse.Namespace) -> Outcome:
    site.log.requests.clear()
    with fresh_schema(url) as spec:
        cmd = [PY, __file__, "_worker", "--pg", spec, "--hosts-json", json.dumps(site.hosts)]
        cmd += ["--host-delay", str(args.host_delay), "--concurrency", str(args.concurrency)]
        cmd += ["--mode", args.mode]
        procs = [
            subprocess.Popen([*cmd, "--name", f"w{i}"], stdout=subprocess.PIPE, text=True)
            for i in range(workers)
        ]
        reports = []
        for proc in procs:
            out, _ = proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"a worker failed (exit {proc.returncode})")
            reports.append(json.loads(out.strip().splitlines()[-1]))
    log = list(site.log.requests)
    pages = [r for r in log if r[1] != "/robots.txt"]
    counts = Counter((r[0], r[1]) for r in pages)
    expected = len(site.hosts) * (1 + site.pages)
    first = min(r[2] for r in pages)
    last = max(r[3] for r in pages)
    by_host: dict[str, list[float]] = defaultdict(list)
    for address, _, arrived, _ in pages:
        by_host[address].append(arrived)
    gaps = [
        b - a
        for times in by_host.values()
        for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
    ]
    return Outcome(
        workers=workers,
        pages=len(pages),
        expected=expected,
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
        missing=expected - len(counts),
        throughput=len(pages) / (last - first),
        span=last - first,
        min_gap=min(gaps) if gaps else float("nan"),
        # A gap shorter than the delay by more than 20 ms of scheduling jitter.
        short_gaps=sum(1 for g in gaps if g < args.host_delay - 0.02),
        gaps=len(gaps),
        robots=len(log) - len(pages),
        reports=reports,
        timeline=[
            sum(1 for r in pages if second <= r[3] - first < second + 1)
            for second in range(int(last - first) + 1)
        ],
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        sub = argparse.ArgumentParser()
        sub.add_argument("--pg", required=True)
        sub.add_argument("--hosts-json", required=True)
        sub.add_argument("--name", required=True)
        sub.add_argument("--host-delay", type=float, required=True)
        sub.add_argument("--concurrency", type=int, required=True)
        sub.add_argument("--mode", choices=["extract", "links"], required=True)
        worker_main(sub.parse_args(argv[1:]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="PostgreSQL URL (default: SCRAPER_TEST_PG_URL or start one)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--pages", type=int, default=6, help="articles per host")
    parser.add_argument("--delay-ms", type=float, default=200.0)
    parser.add_argument("--host-delay", type=float, default=0.5, help="per-host delay, seconds")
    parser.add_argument("--concurrency", type=int, default=8, help="per worker")
    parser.add_argument("--mode", choices=["extract", "links"], default="extract")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    url = pg_url(args.pg)
    hosts = [f"127.0.30.{i + 1}" for i in range(args.hosts)]
    site = DelayingSite(hosts, args.pages, args.delay_ms / 1000)
    site.start()
    outcomes: list[tuple[Outcome, Outcome]] = []
    try:
        for _ in range(args.repeat):
            one = run_once(site, url, 1, args)
            many = run_once(site, url, args.workers, args)
            outcomes.append((one, many))
    finally:
        site.stop()
    ratios = [many.throughput / one.throughput for one, many in outcomes]
    print(
        f"Site: {args.hosts} hosts x {1 + args.pages} pages, every answer held "
        f"{args.delay_ms:.0f} ms; per-host delay {args.host_delay} s; "
        f"{args.concurrency} concurrent per worker; mode {args.mode}; "
        f"{os.cpu_count()} cores; {args.repeat} run(s)."
    )
    print()
    print(
        "| workers | pages served / expected | duplicates | missing | pages/s | "
        "span s | min per-host gap s | gaps < delay | robots.txt requests |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for pair in outcomes:
        for o in pair:
            print(
                f"| {o.workers} | {o.pages} / {o.expected} | {o.duplicates} | {o.missing} | "
                f"{o.throughput:.1f} | {o.span:.1f} | {o.min_gap:.3f} | "
                f"{o.short_gaps} of {o.gaps} | {o.robots} |"
            )
    med = statistics.median(ratios)
    print()
    print(
        f"Throughput {args.workers} workers / 1 worker: {med:.2f} "
        f"(runs: {', '.join(f'{r:.2f}' for r in ratios)}); target >= {SCALE_TARGET}."
    )
    for pair in outcomes:
        for o in pair:
            walls = ", ".join(
                f"{r['worker']} {r['fetched']} in {r['wall']:.1f} s" for r in o.reports
            )
            print(f"{o.workers} worker(s): {walls}; pages answered per second: {o.timeline}")
    errors = [r["errors"] for pair in outcomes for o in pair for r in o.reports if r["errors"]]
    print(f"Worker errors: {errors or 'none'}")


if __name__ == "__main__":
    main()
