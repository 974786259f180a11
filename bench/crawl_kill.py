"""Crash safety: ``kill -9`` a crawl at random moments, rerun it, count what was lost or doubled.

Usage (from the repository root)::

    .venv/bin/python bench/crawl_kill.py SITE_DIR [--kills 20] [--seed 1] [--work DIR]

SITE_DIR is a site of ``../shared/tools/crawl/gen_site.py``; when it holds no
``manifest.json`` a 960-article site (about 1,000 pages, 4 loopback hosts
127.0.11.x, port 18481) is generated there.  nginx serves it
(``scripts/nginx.sh``).

What it does, exactly as a user would: ``scraper crawl JOB.toml`` with an
``output`` file, killed with SIGKILL (the crawler's main process only, as a
crash or the OOM killer would) after a random ``--min``..``--max`` seconds (by
default spread so that the kills fall over the whole crawl), ``--kills`` times, each
time started again with the same command; then once more to the end.  A
reference run of the same job without kills (fresh store and output) says
which articles the crawl should produce.  Reported:

* lost: articles of the reference run missing from the killed run's output,
  and site pages the killed run's store never fetched;
* duplicates: output lines beyond one per URL, and ``seq`` numbers that are
  repeated or missing (the output must be 1, 2, 3... without gaps).

Targets (issue 4): 0 lost, 0 duplicates.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CRAWL_TOOLS", ROOT.parent / "shared" / "tools" / "crawl"))
PY = sys.executable
SCRAPER = str(Path(PY).parent / "scraper")


def ensure_site(site: Path, articles: int) -> dict[str, Any]:
    if not (site / "manifest.json").exists():
        print(f"generating a {articles}-article site in {site} ...", file=sys.stderr)
        subprocess.run(
            [
                PY,
                str(TOOLS / "gen_site.py"),
                "--out",
                str(site),
                "--articles",
                str(articles),
                "--hosts",
                "4",
                "--ip-prefix",
                "127.0.11",
                "--port",
                "18481",
                "--gzip",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    manifest: dict[str, Any] = json.loads((site / "manifest.json").read_text())
    return manifest


def write_job(folder: Path, manifest: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("job.sqlite", "job.sqlite-wal", "job.sqlite-shm", "out.jsonl"):
        (folder / name).unlink(missing_ok=True)
    seeds = ", ".join(json.dumps(base + "/") for base in manifest["bases"])
    job = folder / "job.toml"
    job.write_text(
        "[job]\n"
        'name = "kill"\n'
        f"seeds = [{seeds}]\n"
        'store = "job.sqlite"\n'
        'output = "out.jsonl"\n'
        "[politeness]\n"
        "delay = 0\n"
        "per_host = 8\n"
        "concurrency = 32\n"
        'allow_networks = ["127.0.0.0/8"]\n'
        "[recrawl]\n"
        "never = true\n",
        encoding="utf-8",
    )
    return job


def crawl(job: Path, kill_after: float | None) -> tuple[int, float]:
    """One ``scraper crawl JOB``; SIGKILL its main process after ``kill_after`` seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [SCRAPER, "crawl", str(job), "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill_after is None:
        _, err = proc.communicate()
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"the final run failed (exit {proc.returncode}): {err[-2000:]}")
        return proc.returncode, time.monotonic() - started
    try:
        proc.wait(kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return proc.returncode, time.monotonic() - started


def read_output(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def fetched_urls(store: Path) -> set[str]:
    with sqlite3.connect(store) as db:
        return {u for (u,) in db.execute("SELECT url FROM urls WHERE fetch_count > 0")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min", type=float, default=1.0, help="earliest kill, seconds")
    parser.add_argument(
        "--max",
        type=float,
        help="latest kill, seconds (default: from the reference run, so that the kills "
        "spread over the whole crawl: min + 1.6 x its wall time / kills)",
    )
    parser.add_argument("--articles", type=int, default=960)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args()
    site = args.site.resolve()
    manifest = ensure_site(site, args.articles)
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="crawl-kill-"))
    rng = random.Random(args.seed)
    script = ROOT / "scripts" / "nginx.sh"
    env = {**os.environ, "CRAWL_TOOLS": str(TOOLS)}
    subprocess.run(
        ["bash", str(script), "start", str(work / "nginx"), str(site)], check=True, env=env
    )
    try:
        reference_job = write_job(work / "reference", manifest)
        _, reference_wall = crawl(reference_job, None)
        reference = read_output(work / "reference" / "out.jsonl")
        latest = args.max or args.min + 1.6 * reference_wall / args.kills
        killed_job = write_job(work / "killed", manifest)
        kills: list[tuple[float, int, int]] = []  # (after, exit code, lines so far)
        for _ in range(args.kills):
            after = rng.uniform(args.min, latest)
            code, _ = crawl(killed_job, after)
            kills.append((after, code, len(read_output(work / "killed" / "out.jsonl"))))
        final_code, _ = crawl(killed_job, None)
    finally:
        subprocess.run(["bash", str(script), "stop", str(work / "nginx")], check=True, env=env)

    records = read_output(work / "killed" / "out.jsonl")
    urls = Counter(r["url"] for r in records)
    seqs = [r["seq"] for r in records]
    want = {r["url"] for r in reference}
    pages = set((site / "urls.txt").read_text().split())
    lost_articles = sorted(want - set(urls))
    unfetched = sorted(pages - fetched_urls(work / "killed" / "job.sqlite"))
    duplicates = sum(n - 1 for n in urls.values())
    seq_problems = len(seqs) - len(set(seqs)) + (max(seqs, default=0) - len(set(seqs)))
    really_killed = sum(1 for _, code, _ in kills if code == -signal.SIGKILL)
    print(
        f"Site: {manifest['crawlable_pages']} pages ({manifest['articles']} articles) on "
        f"{len(manifest['hosts'])} loopback hosts; reference run {reference_wall:.1f} s, "
        f"{len(reference)} articles."
    )
    print()
    print(
        "| kill -9 | articles out | distinct URLs | duplicates | seq gaps or repeats | "
        "lost articles | site pages never fetched | final exit |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {really_killed} of {len(kills)} runs (kill at {args.min:g}-{latest:.1f} s) | "
        f"{len(records)} | {len(urls)} | {duplicates} | {seq_problems} | "
        f"{len(lost_articles)} | {len(unfetched)} | {final_code} |"
    )
    print()
    progress = ", ".join(f"{after:.1f}s:{lines}" for after, _, lines in kills)
    print(f"Output lines after each killed run (kill time: lines): {progress}")
    if lost_articles or unfetched:
        print(f"lost: {lost_articles[:5]} unfetched: {unfetched[:5]}")
    extra = sorted(set(urls) - want)
    if extra:
        print(f"articles not in the reference run: {len(extra)} (e.g. {extra[:3]})")


if __name__ == "__main__":
    main()
