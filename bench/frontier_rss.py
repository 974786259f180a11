"""Measure: peak RSS and claim time with 1,000,000 queued URLs in a SQLite store.

Run: ``.venv/bin/python bench/frontier_rss.py [N] [DIR]``.
A benchmark: it takes about a minute.  It adds N
URLs of ~80 characters over 2,000 hosts in one ``add_urls`` call (a generator,
as a seed list would stream), then claims and completes batches as a crawl
does, and prints the peak RSS of this process (``ru_maxrss``).
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

from scraper.crawling.store import FetchResult, NewURL, SQLiteStore


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    base = Path(sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp())
    store = SQLiteStore(base / "frontier.sqlite")
    now = dt.datetime.now(dt.UTC)
    urls = (
        NewURL(
            f"https://news{i % 2000:04d}.example.com/2024/06/18/section/article-{i:09d}-slug.html"
        )
        for i in range(n)
    )
    t0 = time.perf_counter()
    added = store.add_urls("bench", urls, now=now)
    t1 = time.perf_counter()
    claims_made, worst = 0, 0.0
    done = FetchResult(200, "ok", fingerprint="x")
    for _ in range(500):
        c0 = time.perf_counter()
        claims = store.claim(
            "bench",
            "w",
            limit=32,
            lease=dt.timedelta(minutes=5),
            host_delay=dt.timedelta(seconds=1),
            now=now,
        )
        worst = max(worst, time.perf_counter() - c0)
        claims_made += len(claims)
        for claim in claims:
            store.complete(claim, done, now=now)
        now += dt.timedelta(milliseconds=20)
    t2 = time.perf_counter()
    t3 = time.perf_counter()
    stats = store.stats("bench")
    t4 = time.perf_counter()
    store.close()
    size = sum(p.stat().st_size for p in base.iterdir()) / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(f"added {added} URLs in {t1 - t0:.1f} s; file {size:.0f} MiB\n")
    sys.stdout.write(
        f"500 claims (limit 32, 1 s host delay): {claims_made} URLs in {t2 - t1:.2f} s, "
        f"slowest claim {worst * 1000:.1f} ms; queued now {stats.queued}\n"
    )
    sys.stdout.write(f"stats() in {(t4 - t3) * 1000:.0f} ms; peak RSS {rss:.0f} MiB\n")


if __name__ == "__main__":
    main()
