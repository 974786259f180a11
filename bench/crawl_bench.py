"""Crawl benchmark: our crawl against Scrapy 2.19 and trafilatura, side by side in one run.

Usage (from the repository root, with the ``bench`` extra installed:
``.venv/bin/pip install -e '.[dev,postgres,bench]'``)::

    .venv/bin/python bench/crawl_bench.py SITE_DIR [--repeat 3] [--work DIR]
    .venv/bin/python bench/crawl_bench.py SITE_DIR --only cpu --repeat 5

SITE_DIR is a site made by ``../shared/tools/crawl/gen_site.py``; when it holds
no ``manifest.json`` the bench generates one there (``--articles`` news pages,
default 2,000, of 30-100 KB, over ``--hosts`` loopback addresses, with
pre-compressed gzip copies).  It is served by nginx (``scripts/nginx.sh``,
which installs Debian's nginx when missing) for the length of the run.

Figures (issue 4, "Figures to reach"):

* ``cpu``: CPU per page of a crawl without extraction (fetch, robots, links,
  dedup) = user + system time of the crawler's whole process tree / pages
  fetched.  Ours (``Crawler(articles=False)``) with its default transport
  (aiohttp, guarded) and with httpx's own, against ``scrapy_crawl.py --extract
  none`` (32 concurrent, 8 per host, robots obeyed); both sides get the same
  politeness (no delay, 8 per host, 32 overall).  Target: ours <= 40 % of Scrapy.
* ``extract``: pages per second of our crawl with extraction and cleaning on
  this machine (all cores), against what one core of ``trafilatura.extract``
  alone sustains on the same pages read from disk.  Target: >= 1.4x.
* ``frontier``: peak RSS of the crawler process crawling the site while the
  SQLite store holds 1,000,000 more queued URLs (~80 characters, ranked
  below every page of the site, so the crawl claims from the full frontier
  and fetches a few of them: 404s, counted as errors).  Target: <= 150 MB.

How CPU is counted: each measured command runs under a small wrapper that
makes itself the child subreaper (``prctl(PR_SET_CHILD_SUBREAPER)``) and reaps
every descendant, so worker processes, forkservers and their orphans all land
in its ``RUSAGE_CHILDREN``; nginx is outside that tree.  Runs of the systems
alternate (A, B, A, B...) so that noise from other work on the machine hits
both; every figure is given as median and range over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import ctypes
import dataclasses
import datetime as dt
import json
import logging
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CRAWL_TOOLS", ROOT.parent / "shared" / "tools" / "crawl"))
PY = sys.executable
_PR_SET_CHILD_SUBREAPER = 36
#: Targets of issue 4.
CPU_SHARE_TARGET = 0.40
EXTRACT_RATIO_TARGET = 1.4
RSS_TARGET_MB = 150.0


# ---- the measuring wrapper (runs as its own process) --------------------------------------


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def tree_main(cmd: Sequence[str]) -> None:
    """Run ``cmd``, reap its whole process tree, print one JSON line of what it cost."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, text=True)
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    # Orphans (a forkserver, its workers) were re-parented to us: wait for
    # them, so that their CPU time counts; kill what still runs after 30 s.
    deadline = time.monotonic() + 30
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            if time.monotonic() > deadline:
                for child in _children_of(os.getpid()):
                    os.kill(child, signal.SIGKILL)
            time.sleep(0.05)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    report = {
        "returncode": proc.returncode,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "tree_max_rss_mib": usage.ru_maxrss / 1024,
        "wall": wall,
        "out": json.loads(lines[-1]) if lines else None,
    }
    sys.stdout.write(json.dumps(report) + "\n")


def measure(cmd: Sequence[str]) -> dict[str, Any]:
    """Run ``cmd`` under the wrapper; its report (CPU of the whole tree, wall, output)."""
    done = subprocess.run(
        [PY, __file__, "_tree", "--", *cmd], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"{cmd[:4]}... failed: {done.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if report["out"] is None:
        raise RuntimeError(f"{cmd[:4]}... printed no result: {done.stderr[-2000:]}")
    return report


# ---- our crawl (runs as its own process) --------------------------------------------------


def ours_main(args: argparse.Namespace) -> None:
    """One run of our crawl on the site; print one JSON line with its counts."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    from scraper.config import Config, FetchConfig
    from scraper.crawling.engine import Crawler
    from scraper.crawling.jobs import Job
    from scraper.crawling.store import open_store

    manifest = json.loads((Path(args.site) / "manifest.json").read_text())
    # The site is on loopback, which the fetcher refuses unless allowed: only
    # the site's network is, whichever transport runs.
    fetch = FetchConfig(
        per_host_delay=0.0,
        per_host_concurrency=8,
        concurrency=32,
        trust_env=False,
        allow_networks=("127.0.0.0/8",),
        transport=args.transport,
    )
    job = Job(
        name="bench",
        seeds=tuple(base + "/" for base in manifest["bases"]),
        store=args.store,
        max_pages=args.max_pages,
        recrawl=None,
        config=Config(fetch=fetch),
    )
    store = open_store(job.store)
    try:
        crawler = Crawler(job, store, articles=args.mode == "extract")
        profile = cProfile.Profile(time.thread_time) if args.profile else None
        started = time.perf_counter()
        if profile is not None:
            profile.enable()
        summary = asyncio.run(crawler.run())
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.profile)
        wall = time.perf_counter() - started
    finally:
        store.close()
    result = {
        "pages": summary.fetched,
        "new": summary.new,
        "links_only": summary.links_only,
        "no_article": summary.no_article,
        "robots": summary.robots,
        "errors": dict(summary.errors),
        "queued": summary.queued,
        "inner_wall_s": wall,
        "self_max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "self_cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
    }
    sys.stdout.write(json.dumps(result) + "\n")


def fill_main(args: argparse.Namespace) -> None:
    """Queue ``args.count`` URLs of ~80 characters, ranked below every page of the site."""
    from scraper.crawling.store import NewURL, SQLiteStore

    manifest = json.loads((Path(args.site) / "manifest.json").read_text())
    bases = manifest["bases"]
    urls = (
        NewURL(
            f"{bases[i % len(bases)]}/queued/2024/06/18/section/article-{i:09d}-slug.html",
            depth=1,
            priority=-10,
            source="link",
        )
        for i in range(args.count)
    )
    store = SQLiteStore(args.store)
    try:
        added = store.add_urls("bench", urls, now=dt.datetime.now(dt.UTC))
    finally:
        store.close()
    sys.stdout.write(json.dumps({"added": added}) + "\n")


def trafilatura_main(args: argparse.Namespace) -> None:
    """``trafilatura.extract`` on every crawlable page of the site, one core; print pages/s."""
    import trafilatura

    site = Path(args.site)
    manifest = json.loads((site / "manifest.json").read_text())
    roots = {base: site / f"h{i}" for i, base in enumerate(manifest["bases"])}
    pages: list[tuple[str, str]] = []
    for url in (site / "urls.txt").read_text().split():
        base = next(b for b in roots if url.startswith(b + "/"))
        rel = url[len(base) + 1 :]
        path = roots[base] / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        pages.append((url, path.read_text(encoding="utf-8")))
    if args.limit:
        pages = pages[: args.limit]
    chars = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for url, html in pages:
        chars += len(trafilatura.extract(html, url=url) or "")
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    result = {"pages": len(pages), "chars": chars, "inner_wall_s": wall, "inner_cpu_s": cpu}
    sys.stdout.write(json.dumps(result) + "\n")


# ---- the bench ------------------------------------------------------------------------------


def ensure_site(site: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The site's manifest, generating the site first when SITE_DIR holds none."""
    manifest_path = site / "manifest.json"
    if not manifest_path.exists():
        print(f"generating a {args.articles}-article site in {site} ...", file=sys.stderr)
        subprocess.run(
            [
                PY,
                str(TOOLS / "gen_site.py"),
                "--out",
                str(site),
                "--articles",
                str(args.articles),
                "--hosts",
                str(args.hosts),
                "--port",
                str(args.port),
                "--gzip",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    if manifest["articles"] < 2000:
        print(f"note: {site} has {manifest['articles']} articles (< 2,000)", file=sys.stderr)
    return manifest


@contextlib.contextmanager
def nginx(site: Path, rundir: Path) -> Iterator[None]:
    """The site served by nginx for the length of the block."""
    script = ROOT / "scripts" / "nginx.sh"
    env = {**os.environ, "CRAWL_TOOLS": str(TOOLS)}
    subprocess.run(["bash", str(script), "start", str(rundir), str(site)], check=True, env=env)
    try:
        yield
    finally:
        subprocess.run(["bash", str(script), "stop", str(rundir)], check=True, env=env)


def ours_cmd(site: Path, store: Path, mode: str, transport: str, **extra: Any) -> list[str]:  # noqa: ANN401 (flag values)
    cmd = [PY, __file__, "_ours", "--site", str(site), "--store", str(store)]
    cmd += ["--mode", mode, "--transport", transport]
    for key, value in extra.items():
        if value is not None:
            cmd += [f"--{key.replace('_', '-')}", str(value)]
    return cmd


@dataclasses.dataclass
class Series:
    """Repeated measurements of one system."""

    name: str
    runs: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def values(self, fn: Callable[[dict[str, Any]], float]) -> list[float]:
        return [fn(run) for run in self.runs]


def cpu_ms_per_page(run: dict[str, Any]) -> float:
    return 1000 * (run["user"] + run["sys"]) / max(1, run["out"]["pages"])


def main_ms_per_page(run: dict[str, Any]) -> float:
    return float(1000 * run["out"]["self_cpu_s"] / max(1, run["out"]["pages"]))


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """Median and range, e.g. ``2.41 (2.30-2.66)``."""
    if len(values) == 1:
        return fmt.format(values[0])
    med = statistics.median(values)
    return f"{fmt.format(med)} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def fresh_store(work: Path, name: str) -> Path:
    path = work / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def bench_cpu(site: Path, work: Path, repeat: int, transports: list[str]) -> str:
    scrapy = Series("Scrapy 2.19 (`scrapy_crawl.py --extract none`)")
    ours = {t: Series(f"tidyscrape, no extraction, {t} transport") for t in transports}
    for _ in range(repeat):
        scrapy_cmd = [PY, str(TOOLS / "scrapy_crawl.py"), "--site", str(site)]
        scrapy.runs.append(measure(scrapy_cmd))
        for transport, series in ours.items():
            store = fresh_store(work, "cpu.sqlite")
            series.runs.append(measure(ours_cmd(site, store, "links", transport)))
    anchor = statistics.median(scrapy.values(cpu_ms_per_page))
    rows = [
        "| system | pages | CPU ms/page (median, range) | share of Scrapy (same run) | wall s |",
        "|---|---|---|---|---|",
    ]
    for series in [scrapy, *ours.values()]:
        shares = [
            cpu_ms_per_page(run) / cpu_ms_per_page(ref)
            for run, ref in zip(series.runs, scrapy.runs, strict=True)
        ]
        pages = series.runs[-1]["out"]["pages"]
        rows.append(
            f"| {series.name} | {pages} | {spread(series.values(cpu_ms_per_page))} | "
            f"{spread(shares, '{:.0%}')} | {spread(series.values(lambda r: r['wall']), '{:.1f}')} |"
        )
    rows.append("")
    rows.append(
        f"Target: ours <= {CPU_SHARE_TARGET:.0%} of Scrapy's CPU per page "
        f"(Scrapy median here: {anchor:.2f} ms/page). Errors in our runs: "
        + "; ".join(
            f"{s.name.split(', ')[-1]}: {s.runs[-1]['out']['errors'] or 'none'}"
            for s in ours.values()
        )
    )
    return "\n".join(rows)


def bench_extract(site: Path, work: Path, repeat: int, transports: list[str], limit: int) -> str:
    ours = {
        t: Series(f"tidyscrape crawl with extraction and cleaning ({t} transport)")
        for t in transports
    }
    trafilatura = Series("`trafilatura.extract` alone, one core, same pages from disk")
    for _ in range(repeat):
        for transport, series in ours.items():
            store = fresh_store(work, "extract.sqlite")
            series.runs.append(measure(ours_cmd(site, store, "extract", transport)))
        cmd = [PY, __file__, "_trafilatura", "--site", str(site), "--limit", str(limit)]
        trafilatura.runs.append(measure(cmd))

    def rate(run: dict[str, Any]) -> float:
        return float(run["out"]["pages"] / run["out"]["inner_wall_s"])

    rows = [
        "| system | pages | pages/s (median, range) | CPU ms/page: all processes | "
        "of which the crawl's main process | ratio to trafilatura (same run) |",
        "|---|---|---|---|---|---|",
    ]
    for series in ours.values():
        ratios = [rate(a) / rate(b) for a, b in zip(series.runs, trafilatura.runs, strict=True)]
        rows.append(
            f"| {series.name} | {series.runs[-1]['out']['pages']} | "
            f"{spread(series.values(rate), '{:.1f}')} | "
            f"{spread(series.values(cpu_ms_per_page), '{:.1f}')} | "
            f"{spread(series.values(main_ms_per_page), '{:.1f}')} | {spread(ratios)} |"
        )
    rows.append(
        f"| {trafilatura.name} | {trafilatura.runs[-1]['out']['pages']} | "
        f"{spread(trafilatura.values(rate), '{:.1f}')} | "
        f"{spread(trafilatura.values(cpu_ms_per_page), '{:.1f}')} | | 1.00 |"
    )
    last = next(iter(ours.values())).runs[-1]["out"]
    rows += [
        "",
        f"Target: >= {EXTRACT_RATIO_TARGET}x. Our run: {last['new']} articles, "
        f"{last['no_article']} pages without one, errors {last['errors'] or 'none'}; "
        "pages/s is pages fetched / wall time of the crawl (after process start), "
        f"{os.cpu_count()} cores.",
    ]
    return "\n".join(rows)


def bench_frontier(site: Path, work: Path, count: int, crawlable: int, transport: str) -> str:
    filled = work / "frontier-filled.sqlite"
    if not filled.exists():
        staging = fresh_store(work, "frontier-staging.sqlite")
        started = time.perf_counter()
        fill = [PY, __file__, "_fill", "--site", str(site), "--store", str(staging)]
        measure([*fill, "--count", str(count)])
        print(f"queued {count} URLs in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        staging.rename(filled)
    store = fresh_store(work, "frontier.sqlite")
    shutil.copyfile(filled, store)
    size_mib = store.stat().st_size / 2**20
    run = measure(ours_cmd(site, store, "extract", transport, max_pages=crawlable + 200))
    out = run["out"]
    rss = out["self_max_rss_mib"] * 1.048576  # MiB -> MB
    return "\n".join(
        [
            "| frontier queued | store file | pages crawled | crawler peak RSS | "
            "largest process of the tree |",
            "|---|---|---|---|---|",
            f"| {count:,} + the site | {size_mib:.0f} MiB | {out['pages']} | "
            f"{rss:.0f} MB ({out['self_max_rss_mib']:.0f} MiB) | "
            f"{run['tree_max_rss_mib']:.0f} MiB |",
            "",
            f"Target: crawler peak RSS <= {RSS_TARGET_MB:.0f} MB. The crawl ran with extraction "
            f"({out['new']} articles; errors {out['errors'] or 'none'}: the queued URLs it "
            "reached are 404s).",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_tree"]:
        tree_main(argv[2:] if argv[1:2] == ["--"] else argv[1:])
        return
    if argv[:1] in (["_ours"], ["_fill"], ["_trafilatura"]):
        sub = argparse.ArgumentParser()
        sub.add_argument("--site", required=True)
        sub.add_argument("--store")
        sub.add_argument("--mode", choices=["links", "extract"], default="links")
        sub.add_argument("--transport", choices=["httpx", "aiohttp"], default="aiohttp")
        sub.add_argument("--max-pages", type=int)
        sub.add_argument("--count", type=int, default=1_000_000)
        sub.add_argument("--limit", type=int, default=0)
        sub.add_argument("--profile")
        args = sub.parse_args(argv[1:])
        {"_ours": ours_main, "_fill": fill_main, "_trafilatura": trafilatura_main}[argv[0]](args)
        return

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="site folder (generated there when empty)")
    parser.add_argument("--work", type=Path, help="folder for stores and nginx (default: temp)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each system (default 3)")
    parser.add_argument("--only", choices=["cpu", "extract", "frontier"], action="append")
    parser.add_argument("--transports", default="aiohttp,httpx", help="cpu, extract figures")
    parser.add_argument("--transport", default="aiohttp", help="for the frontier figure")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--port", type=int, default=18480)
    parser.add_argument("--frontier", type=int, default=1_000_000)
    parser.add_argument("--trafilatura-limit", type=int, default=0, help="pages (0: all)")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    manifest = ensure_site(site, args)
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="crawl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    only = set(args.only or ["cpu", "extract", "frontier"])
    sections = [
        f"Site: {manifest['crawlable_pages']} pages ({manifest['articles']} articles, "
        f"mean {manifest['mean_page_kb']} KB) on {len(manifest['hosts'])} loopback hosts, "
        f"nginx with gzip_static; {os.cpu_count()} cores; "
        f"load before: {os.getloadavg()[0]:.2f}; {args.repeat} runs each, alternating."
    ]
    with nginx(site, work / "nginx"):
        if "cpu" in only:
            transports = args.transports.split(",")
            sections += ["", "### Crawl without extraction: CPU per page", ""]
            sections.append(bench_cpu(site, work, args.repeat, transports))
        if "extract" in only:
            sections += ["", "### Crawl with extraction and cleaning: pages per second", ""]
            limit = args.trafilatura_limit
            transports = args.transports.split(",")
            sections.append(bench_extract(site, work, args.repeat, transports, limit))
        if "frontier" in only:
            sections += ["", "### Peak RSS with a 1,000,000-URL frontier", ""]
            crawlable = manifest["crawlable_pages"]
            count = args.frontier
            sections.append(bench_frontier(site, work, count, crawlable, args.transport))
    sections.append(f"\n(load after: {os.getloadavg()[0]:.2f})")
    print("\n".join(sections))


if __name__ == "__main__":
    main()
