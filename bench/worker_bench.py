"""CPU per page of one crawl worker: the screen and ``analyze_page``, alone, on a generated site.

Usage (from the repository root)::

    .venv/bin/python bench/worker_bench.py SITE_DIR [--pages 400] [--repeat 5] [--profile]

SITE_DIR is a site made by ``../shared/tools/crawl/gen_site.py`` (see
``bench/crawl_bench.py``).  Pages are read from disk, so no server runs.  Each
round runs ``screen_document`` then ``analyze_page`` (links, article,
cleaning, fingerprints) on every page, as an extraction worker of a crawl
does, after one warm-up page; the figure is the best round's CPU time per
page.  ``--profile`` adds a cProfile listing of one more round.

Why: the crawl's pages/s figure is bound by CPU per page, and most of it is
this; measured alone it is free of the network and of the other processes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path


def site_pages(site: Path, limit: int) -> list[tuple[str, bytes]]:
    """(url, body) of the first ``limit`` crawlable pages of a generated site."""
    manifest = json.loads((site / "manifest.json").read_text())
    roots = {base: site / f"h{i}" for i, base in enumerate(manifest["bases"])}
    pages = []
    for url in (site / "urls.txt").read_text().split()[:limit]:
        base = next(b for b in roots if url.startswith(b + "/"))
        rel = url[len(base) + 1 :]
        path = roots[base] / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)
        pages.append((url, path.read_bytes()))
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    from scraper.config import Config
    from scraper.crawling.pageworker import WARM_UP_PAGE, WARM_UP_URL, analyze_page
    from scraper.extraction.guard import screen_document

    pages = site_pages(args.site, args.pages)
    config = Config()
    analyze_page(WARM_UP_PAGE, WARM_UP_URL, config)

    def one_round() -> None:
        for url, body in pages:
            analyze_page(screen_document(body, url, encoding="utf-8"), url, config)

    best = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        one_round()
        best = min(best, time.process_time() - started)
    sys.stdout.write(f"{len(pages)} pages: {1000 * best / len(pages):.2f} ms CPU per page (best)\n")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(one_round)
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
