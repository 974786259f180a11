"""Hostile crawl benchmark: a good 1,000-article site crawled alone, then mixed with hostile URLs.

Usage (from the repository root)::

    .venv/bin/python bench/hostile_crawl_bench.py [--work DIR] [--hard-limit 1200]

Issue 5's figure: "A crawl job whose seeds mix a good 1,000-page site with
every hostile URL finishes with all 1,000 good pages extracted, in at most
120 s more than the good site alone."

What runs:

* **The good site**: ``../shared/tools/crawl/gen_site.py --articles 1000
  --hosts 4 --ip-prefix 127.0.12 --port 18482 --gzip`` (1,000 articles of
  24-83 KB plus 52 listings, on 127.0.12.1-4), generated into ``WORK/site``
  when missing and served by nginx (``scripts/nginx.sh``, as
  ``bench/crawl_bench.py`` does).  Its robots.txt names its sitemaps.
* **The hostile server** (``tests/hostile/server.py``, 127.0.0.1, a random
  port) in this process, each connection given 45 s, so that the
  crawler's 30 s fetch deadline, not the server, ends a trickle.  It serves
  every route of ``tests/hostile/cases.py`` ``ROUTES`` and, under
  ``/content/NN-name``, each document of ``tests/hostile_content/pages.py``
  ``CONTENT_CASES`` as ``text/html`` with no charset; plus one extra route,
  ``/redirect-to-canary``, a 302 to the canary.  Unknown paths (robots.txt,
  sitemap.xml) answer 404.
* **The canary** (127.0.0.2, never allowed): it must accept no connection.
* **Two crawls**, each ``scraper crawl JOB.toml`` (the CLI, in its own
  process, with a fresh SQLite store and ``output`` file): the *good* job,
  whose seeds are the four home pages of the site; the *mixed* job, the same
  seeds plus one seed per hostile URL.  Both jobs set only::

      [politeness]
      delay = 0            # default 1 s: no politeness delay on our own loopback servers
      per_host = 8         # default 1: as crawl_bench; lets the hostile host's trickles overlap
      concurrency = 32     # default 8: as crawl_bench
      allow_networks = ["127.0.0.1/32", "127.0.12.1/32", ... "127.0.12.4/32"]

  Everything else is the default: the 30 s total fetch deadline (retries
  included), 10 s for robots.txt, 3 retries, 10 MiB body cap, robots.txt
  obeyed, the 20 s extraction deadline and 384 MiB worker memory cap,
  max_depth 5.  Proxy variables are dropped from the crawler's environment.

Reported: good articles extracted (URLs of the output file that are
articles of the site's ``urls.txt``), each hostile seed's outcome from the
store (``urls.outcome`` / ``urls.error_type``; ``article`` when an article
was stored), requests the hostile server received per seed, wall time of
both crawls and their difference (target <= 120 s), the crawler's peak RSS
(``VmHWM`` of the crawler process, sampled every 0.25 s; ``ru_maxrss`` is
useless here, as it keeps the parent's pre-exec peak), the largest
extraction worker's ``VmHWM``, and the canary's connections.  A crawl that
runs past ``--hard-limit`` seconds is stopped with SIGTERM (then SIGKILL)
and reported as hung.  The Markdown report is printed and written to
``bench/HOSTILE_CRAWL_RESULTS.md``; exit code 1 when a figure is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.hostile.cases import ROUTES, head, reply, warm_bombs  # after the path set-up
from tests.hostile.server import Conn, HostileServer, Request
from tests.hostile_content.pages import CONTENT_CASES

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CRAWL_TOOLS", ROOT.parent / "shared" / "tools" / "crawl"))
SCRAPER = Path(sys.executable).parent / "scraper"
RESULTS = ROOT / "bench" / "HOSTILE_CRAWL_RESULTS.md"
#: The figure of issue 5.
EXTRA_TARGET_S = 120.0
ARTICLES = 1000
SITE_HOSTS = 4
SITE_PREFIX = "127.0.12"
SITE_PORT = 18482
#: Seconds the hostile server gives one connection: past the 30 s fetch deadline.
SERVER_SECONDS = 45.0
POLITENESS = {"delay": 0, "per_host": 8, "concurrency": 32}
ARTICLE_PATH = re.compile(r"/\d{4}/\d{2}/\d{2}/[^/]+\.html$")


# ---- servers -------------------------------------------------------------------------------


def ensure_site(site: Path) -> dict[str, Any]:
    """The good site's manifest, generating the site when ``site`` holds none."""
    if not (site / "manifest.json").exists():
        print(f"generating a {ARTICLES}-article site in {site} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                str(TOOLS / "gen_site.py"),
                "--out",
                str(site),
                "--articles",
                str(ARTICLES),
                "--hosts",
                str(SITE_HOSTS),
                "--ip-prefix",
                SITE_PREFIX,
                "--port",
                str(SITE_PORT),
                "--gzip",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    manifest: dict[str, Any] = json.loads((site / "manifest.json").read_text())
    return manifest


@contextlib.contextmanager
def nginx(site: Path, rundir: Path) -> Iterator[None]:
    """The site served by nginx for the length of the block."""
    script = ROOT / "scripts" / "nginx.sh"
    env = {**os.environ, "CRAWL_TOOLS": str(TOOLS)}
    subprocess.run(
        ["bash", str(script), "start", str(rundir), str(site)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        subprocess.run(
            ["bash", str(script), "stop", str(rundir)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def content_routes() -> dict[str, bytes]:
    """Path -> document, one per content case."""
    return {f"/content/{i:02d}-{_slug(c.name)}": c.document for i, c in enumerate(CONTENT_CASES)}


def hostile_routes(canary: HostileServer) -> dict[str, Any]:
    """Every route the hostile server answers: the net cases, the content pages, the extra."""
    table: dict[str, Any] = dict(ROUTES)
    for path, document in content_routes().items():
        table[path] = reply(document, headers=(("Content-Type", "text/html"),))
    location = canary.url("/internal")

    def to_canary(conn: Conn, request: Request) -> None:
        conn.send(head(302, [("Location", location), ("Content-Length", "0")]))

    table["/redirect-to-canary"] = to_canary
    return table


# ---- one crawl -------------------------------------------------------------------------------


@dataclass
class Run:
    """One crawl's measurements."""

    name: str
    seeds: list[str]
    wall: float = 0.0
    returncode: int | None = None
    hung: bool = False
    #: VmHWM of the crawler process (bytes), and the largest of its descendants'.
    peak: int = 0
    worker_peak: int = 0
    good_articles: int = 0
    missing: list[str] = field(default_factory=list)
    summary: str = ""
    #: seed URL -> (outcome label, HTTP status, fetch count, message)
    seed_rows: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)


def write_job(
    path: Path, name: str, seeds: list[str], allow: list[str], politeness: dict[str, int]
) -> None:
    lines = [
        "[job]",
        f"name = {json.dumps(name)}",
        f"seeds = {json.dumps(seeds)}",
        f"store = {json.dumps(name + '.sqlite')}",
        f"output = {json.dumps(name + '.jsonl')}",
        "",
        "[politeness]",
        *(f"{key} = {value}" for key, value in politeness.items()),
        f"allow_networks = {json.dumps(allow)}",
        "",
    ]
    path.write_text("\n".join(lines))


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return found


def run_crawl(
    work: Path,
    name: str,
    seeds: list[str],
    allow: list[str],
    politeness: dict[str, int],
    limit: float,
) -> Run:
    """``scraper crawl WORK/NAME.toml`` in a child; wall time, peaks, exit code."""
    for suffix in (".sqlite", ".sqlite-wal", ".sqlite-shm", ".jsonl"):
        (work / f"{name}{suffix}").unlink(missing_ok=True)
    job = work / f"{name}.toml"
    write_job(job, name, seeds, allow, politeness)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    run = Run(name, seeds)
    err = (work / f"{name}.stderr").open("w")
    started = time.monotonic()
    proc = subprocess.Popen([str(SCRAPER), "crawl", str(job)], stderr=err, env=env)
    stop_sent = 0.0
    while proc.poll() is None:
        run.peak = max(run.peak, _hwm(proc.pid))
        for child in _descendants(proc.pid):
            run.worker_peak = max(run.worker_peak, _hwm(child))
        elapsed = time.monotonic() - started
        if elapsed > limit and not stop_sent:
            run.hung, stop_sent = True, elapsed
            print(f"{name}: still running after {limit:g} s, SIGTERM", file=sys.stderr)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
        elif stop_sent and elapsed > stop_sent + 60:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        time.sleep(0.25)
    run.wall = time.monotonic() - started
    run.returncode = proc.returncode
    err.close()
    run.summary = (work / f"{name}.stderr").read_text(errors="replace").strip()
    return run


def read_results(run: Run, work: Path, expected: set[str]) -> None:
    """Good articles from the output file; each seed's outcome from the store."""
    out = work / f"{run.name}.jsonl"
    got = set()
    if out.exists():
        for line in out.read_text().splitlines():
            if line.strip():
                got.add(json.loads(line)["url"])
    run.good_articles = len(got & expected)
    run.missing = sorted(expected - got)
    db = sqlite3.connect(f"file:{work / run.name}.sqlite?mode=ro", uri=True)
    try:
        rows = db.execute(
            """SELECT u.url, u.outcome, u.error_type, u.error_message, u.status, u.fetch_count,
                      (SELECT count(*) FROM articles a WHERE a.url_id = u.id)
               FROM urls u WHERE u.source = 'seed'"""
        ).fetchall()
    finally:
        db.close()
    for url, outcome, error_type, message, status, count, articles in rows:
        if articles:
            label = "article"
        elif error_type:
            label = error_type
        elif outcome is None:
            label = "never fetched" if not count else "in flight"
        elif outcome == "ok":
            label = "ok (no article)"
        else:
            label = str(outcome)
        run.seed_rows[url] = (label, status or 0, count, (message or "").replace("\n", " "))


# ---- the report ----------------------------------------------------------------------------


def _mib(value: int) -> str:
    return f"{value / 2**20:.0f} MiB"


def _last_lines(summary: str) -> str:
    keep = [line for line in summary.splitlines() if line.startswith(("fetched", "errors", "("))]
    return "; ".join(keep).replace("|", "/")


def report(
    good: Run,
    mixed: Run,
    hostile_seeds: dict[str, str],
    hits: Counter[str],
    canary: int,
    command: str,
    politeness: dict[str, int],
) -> tuple[str, bool]:
    diff = mixed.wall - good.wall
    all_good = good.good_articles == ARTICLES and mixed.good_articles == ARTICLES
    ok = all_good and diff <= EXTRA_TARGET_S and not canary and not (good.hung or mixed.hung)
    lines = [
        "## Hostile crawl (issue 5): `bench/hostile_crawl_bench.py`"
        + ("" if politeness else ", default politeness"),
        "",
        f"Command: `{command}`",
        "",
        "Politeness set in both job files: "
        + (
            f"delay {politeness['delay']} s, per_host {politeness['per_host']}, "
            f"concurrency {politeness['concurrency']}, "
            if politeness
            else "nothing but allow_networks (the defaults: delay 1 s, per_host 1, concurrency 8), "
        )
        + "allow_networks 127.0.0.1/32 + the four site hosts (/32); every deadline and cap "
        "is the default (fetch 30 s total, robots.txt 10 s, extraction 20 s, 3 retries, "
        "10 MiB body, 384 MiB per extraction worker).",
        "",
        "| | good site alone | good site + hostile seeds |",
        "|---|---:|---:|",
        f"| seeds | {len(good.seeds)} | {len(mixed.seeds)} ({len(hostile_seeds)} hostile) |",
        f"| good articles extracted (of {ARTICLES}) | {good.good_articles} "
        f"| {mixed.good_articles} |",
        f"| wall time | {good.wall:.1f} s | {mixed.wall:.1f} s |",
        f"| difference (target <= {EXTRA_TARGET_S:g} s) | | **{diff:+.1f} s** |",
        f"| crawler peak RSS (VmHWM) | {_mib(good.peak)} | {_mib(mixed.peak)} |",
        f"| largest extraction worker (VmHWM) | {_mib(good.worker_peak)} "
        f"| {_mib(mixed.worker_peak)} |",
        f"| exit code | {good.returncode} | {mixed.returncode} |",
        f"| finished by itself | {'no' if good.hung else 'yes'} "
        f"| {'no' if mixed.hung else 'yes'} |",
        f"| canary (127.0.0.2) connections | - | {canary} |",
        f"| crawler summary | {_last_lines(good.summary)} | {_last_lines(mixed.summary)} |",
        "",
        f"Verdict: **{'met' if ok else 'missed'}**"
        + ("" if all_good else f" (missing good articles: {mixed.missing[:5]})"),
        "",
        "### Hostile seeds by outcome",
        "",
        "| outcome | seeds |",
        "|---|---:|",
    ]
    outcomes = Counter(mixed.seed_rows.get(u, ("not in store",))[0] for u in hostile_seeds)
    lines += [f"| {label} | {count} |" for label, count in outcomes.most_common()]
    lines += [
        "",
        "### Each hostile seed",
        "",
        "| seed | outcome | status | fetches | server requests | message |",
        "|---|---|---:|---:|---:|---|",
    ]
    for url, path in hostile_seeds.items():
        label, status, count, message = mixed.seed_rows.get(url, ("not in store", 0, 0, ""))
        message = message.replace(url, "").replace("|", "\\|")
        message = message if len(message) <= 90 else message[:87] + "..."
        lines.append(
            f"| `{path}` | {label} | {status} | {count} | {hits.get(path, 0)} | {message} |"
        )
    return "\n".join(lines) + "\n", ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--work", type=Path, help="site, stores and logs (default: a temp dir)")
    ap.add_argument(
        "--hard-limit", type=float, default=1200.0, help="seconds before a crawl counts as hung"
    )
    ap.add_argument(
        "--default-politeness",
        action="store_true",
        help="leave delay, per_host and concurrency at the job file defaults (1 s, 1, 8)",
    )
    ap.add_argument("--append", action="store_true", help=f"append to {RESULTS.name}")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="hostile-crawl-"))
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    manifest = ensure_site(work / "site")
    if manifest["articles"] != ARTICLES or manifest["port"] != SITE_PORT:
        ap.error(f"{work / 'site'} is not this bench's site ({ARTICLES} articles, {SITE_PORT})")
    expected = {
        u for u in (work / "site" / "urls.txt").read_text().split() if ARTICLE_PATH.search(u)
    }
    good_seeds = [base + "/" for base in manifest["bases"]]
    allow = ["127.0.0.1/32", *(f"{h}/32" for h in manifest["hosts"])]
    politeness = {} if args.default_politeness else POLITENESS
    warm_bombs()  # built once, before any crawl starts

    with (
        nginx(work / "site", work / "nginx"),
        HostileServer(
            "127.0.0.2", fallback=reply(b"<p>internal secret</p>"), seconds_per_connection=5
        ) as canary,
    ):
        good = run_crawl(work, "good", good_seeds, allow, politeness, args.hard_limit)
        read_results(good, work, expected)
        print(f"good alone: {good.wall:.1f} s, {good.good_articles} articles", file=sys.stderr)
        with HostileServer(seconds_per_connection=SERVER_SECONDS) as hostile:
            table = hostile_routes(canary)
            hostile.routes(table)
            hostile_seeds = {hostile.url(path): path for path in table}
            mixed = run_crawl(
                work,
                "mixed",
                good_seeds + list(hostile_seeds),
                allow,
                politeness,
                args.hard_limit,
            )
            time.sleep(0.2)
            hits = Counter(r.path for r in hostile.requests)
        read_results(mixed, work, expected)
        time.sleep(0.2)
        canary_hits = canary.connections

    command = " ".join(
        [".venv/bin/python", "bench/hostile_crawl_bench.py", *(argv or sys.argv[1:])]
    )
    text, ok = report(good, mixed, hostile_seeds, hits, canary_hits, command, politeness)
    print(text)
    if not args.no_write:
        old = RESULTS.read_text() + "\n" if args.append and RESULTS.exists() else ""
        RESULTS.write_text(old + text)
    print(f"work dir (stores, logs, job files): {work}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
