"""Hostile content benchmark: every content case of issue 5 with the default bounds.

Usage (from the repository root)::

    .venv/bin/python bench/hostile_bench.py              # every case, a Markdown table
    .venv/bin/python bench/hostile_bench.py --only nesting   # cases whose name holds "nesting"

Each case runs in its own process: a fresh ``ExtractionPool`` with the
default configuration (20 s extraction deadline, 384 MiB worker memory
limit), a warm-up page (so that the time is the case's, not the worker's
start), then the case.  The table gives, per case, the outcome (the article
or the error class), the time of the case alone, and the worker's peak
resident memory (``VmHWM``, warm-up included); a case passes when the
outcome is the expected one, the time is within the deadline (plus the
second a kill and reply may take) and the peak is within the limit (plus
what one reading interval can add: the worker is killed at the first
reading over it).  Exit code 1 if any case fails.

The cases are the ones ``tests/test_hostile_content.py`` runs with a 2 s
deadline (``tests/hostile_content/pages.py``), plus heavier ones that only
make sense with the default bounds.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scraper.config import Config  # after the path set-up above
from scraper.errors import ScraperError
from scraper.extraction.worker import WORKER_MEMORY_LIMIT, ExtractionPool
from tests.hostile_content.pages import CONTENT_CASES, Case, article, page

logger = logging.getLogger("hostile_bench")

URL = "https://news.example/2024/06/18/harbour"
#: What a kill and the reply may add to the deadline.
KILL_SLACK = 1.0
#: What one memory reading interval may add to the limit (a fast allocator).
MEMORY_SLACK = 32 * 1024 * 1024


def _heavy_cases() -> tuple[Case, ...]:
    """Cases too slow or too big for the 2 s test deadline."""
    paragraphs = "".join(f"<p>word{i} text</p>" for i in range(100_000))
    return (
        Case(
            "heavy: 5 MB of inline <span> on one line",
            page('<span class="x">a</span>' * (5 * 1024 * 1024 // 24) + article()).encode(),
            expect_error="ExtractionError",
        ),
        Case(
            "heavy: 100,000 short paragraphs (2 MB)",
            page(paragraphs).encode(),
            expect_text="word99999 text",
        ),
        Case(
            "heavy: 1,000,000 <br> (4 MB)",
            page(article() + "<br>" * 1_000_000).encode(),
            expect_error="ExtractionError",
        ),
    )


def all_cases() -> tuple[Case, ...]:
    return (*CONTENT_CASES, *_heavy_cases())


def run_case(name: str) -> dict[str, object]:
    """Run one case in this process's pool; the result as a JSON-able dict."""
    case = next(c for c in all_cases() if c.name == name)
    config = Config()
    with ExtractionPool(config, processes=1) as pool:
        pool.extract(page(article()).encode(), URL)  # start and warm the worker
        started = time.monotonic()
        try:
            result = pool.extract(case.document, URL, encoding=case.encoding)
            outcome = "article"
            detail = f"{result.word_count} words"
            ok = case.expect_text is not None and case.expect_text in result.text
        except ScraperError as exc:
            outcome = type(exc).__name__
            detail = str(exc).split(";")[0][:70]
            ok = outcome == case.expect_error
        seconds = time.monotonic() - started
        peak = pool.peak_rss
    return {
        "name": name,
        "size": len(case.document),
        "outcome": outcome,
        "detail": detail,
        "expected": case.expect_error or "article",
        "ok": ok,
        "seconds": seconds,
        "deadline": config.extract.timeout,
        "peak": peak,
    }


def _row(result: dict[str, object]) -> str:
    seconds, deadline = float(str(result["seconds"])), float(str(result["deadline"]))
    peak = int(str(result["peak"]))
    passed = (
        bool(result["ok"])
        and seconds <= deadline + KILL_SLACK
        and peak <= WORKER_MEMORY_LIMIT + MEMORY_SLACK
    )
    size = int(str(result["size"]))
    return (
        f"| {result['name']} | {size / 1024:,.0f} KiB | {result['outcome']} ({result['detail']}) "
        f"| {result['expected']} | {seconds:.2f} s | {peak / 2**20:.0f} MiB "
        f"| {'pass' if passed else 'FAIL'} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--only", help="run the cases whose name holds this text")
    ap.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    names = [c.name for c in all_cases() if not args.only or args.only in c.name]
    print(
        f"deadline {Config().extract.timeout:g} s, worker memory limit "
        f"{WORKER_MEMORY_LIMIT >> 20} MiB\n"
    )
    print("| case | size | outcome | expected | time | peak RSS | verdict |")
    print("|---|---:|---|---|---:|---:|---|")
    failed = 0
    for name in names:
        done = subprocess.run(
            [sys.executable, __file__, "--case", name],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            failed += 1
            print(f"| {name} | | crashed (exit {done.returncode}) | | | | FAIL |")
            logger.error("%s: %s", name, done.stderr[-2000:])
            continue
        row = _row(json.loads(done.stdout.strip().splitlines()[-1]))
        failed += row.endswith("FAIL |")
        print(row, flush=True)
    print(f"\n{len(names) - failed} of {len(names)} cases pass")
    return 1 if failed else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    sys.exit(main())
