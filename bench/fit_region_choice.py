"""Refit the weights of ``scraper.extraction.pagetype.prefers_region`` on the benchmarks.

Usage (from the repository root; needs numpy, which py3langid brings)::

    .venv/bin/python bench/fit_region_choice.py [DATA_DIR]   # default ../shared/bench

For every page whose trafilatura fast body holds less than ``SUSPECT_BELOW``
of its visible words (the only pages where the choice is asked), it computes
the three candidate bodies (fast, full, main region), scores them against the
ground truth (bag-of-words F1 on WCXB, shingle F1 on the news set) and fits a
logistic regression that predicts "the region beats what we would take
otherwise", each page weighted by how much the choice matters.  It prints
the weights to paste into ``pagetype.py`` and a 5-fold cross-validated gain,
so that a feature is kept only if it helps out of sample.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import extract_bench as eb  # the sibling benchmark script

FEATURES = ["bias", "log_fast", "log_region", "og_article", "ld_article", "product", "listing_url"]


def page_rows(items: list[dict[str, Any]], metric: str) -> list[tuple[list[float], float]]:
    """(features, gain of the region over the other choice) for every suspect page."""
    from selectolax.lexbor import LexborHTMLParser

    from scraper.extraction import article as art
    from scraper.extraction.pagetype import page_type
    from scraper.extraction.region import region_text

    rows = []
    for it in items:
        tree = LexborHTMLParser(it["html"])
        kind = page_type(tree, it["url"])
        lean = art._lean_html(tree)
        fast = art._body_text(lean, it["url"], True, fast=True)
        visible = art._visible_words(tree)
        n_fast = art._count(fast)
        if visible and n_fast >= art.SUSPECT_BELOW * visible:
            continue
        region = region_text(tree)
        other = fast
        if n_fast < art.FALLBACK_BELOW * visible:
            full = art._body_text(lean, it["url"], True, fast=False)
            other = full if art._count(full) > art.FALLBACK_GAIN * n_fast else fast
        if metric == "bag":
            gain = eb.bag_f1(region, it["text"]) - eb.bag_f1(other, it["text"])
        else:
            gain = (
                eb.shingle_f1([eb.shingle_triple(it["text"], region)])["f1"]
                - eb.shingle_f1([eb.shingle_triple(it["text"], other)])["f1"]
            )
        x = [
            1.0,
            math.log1p(n_fast),
            math.log1p(art._count(region)),
            float(kind.og_article),
            float(kind.article),
            float(kind.product),
            float(kind.listing_url),
        ]
        rows.append((x, gain))
    return rows


def fit(rows: list[tuple[list[float], float]], l2: float = 0.003) -> list[float]:
    """Weighted logistic regression by gradient descent (features scaled for the fit)."""
    import numpy as np

    x = np.array([r[0] for r in rows]) / SCALE
    gain = np.array([r[1] for r in rows])
    y = (gain > 0).astype(float)
    w = np.abs(gain) + 0.01
    b = np.zeros(x.shape[1])
    for _ in range(5000):
        p = 1 / (1 + np.exp(-np.clip(x @ b, -30, 30)))
        b -= 1.0 * (x.T @ ((p - y) * w) / w.sum() + l2 * b)
    return [float(v) for v in b / SCALE]


#: log word counts are divided by 8 during the fit so that all features are ~[0, 1].
SCALE = [1.0, 8.0, 8.0, 1.0, 1.0, 1.0, 1.0]


def gain_of(weights: list[float], rows: list[tuple[list[float], float]]) -> float:
    return sum(g for x, g in rows if sum(w * v for w, v in zip(weights, x, strict=True)) > 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default="../shared/bench", type=Path)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    wcxb = page_rows(eb.load_wcxb(args.data / "extraction-wcxb-dev"), "bag")
    news = page_rows(eb.load_scrapinghub(args.data / "extraction"), "shingle")
    rows = wcxb + news
    weights = fit(rows)
    print(f"{len(wcxb)} WCXB and {len(news)} news pages asked the question")
    for name, value in zip(FEATURES, weights, strict=True):
        print(f"  {name:12s} {value:+.4f}")
    from scraper.extraction import pagetype as pt

    current = [
        pt._W_BIAS,
        pt._W_LOG_FAST,
        pt._W_LOG_REGION,
        pt._W_OG_ARTICLE,
        pt._W_LD_ARTICLE,
        pt._W_PRODUCT,
        pt._W_LISTING_URL,
    ]
    for label, w in (("fitted", weights), ("current", current)):
        print(
            f"{label:8s} in-sample gain per WCXB page {gain_of(w, wcxb) / 600:+.4f}, "
            f"per news page {gain_of(w, news) / 181:+.4f}"
        )
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    total = 0.0
    for fold in range(5):
        test = set(order[fold::5])
        w = fit([r for i, r in enumerate(rows) if i not in test])
        total += gain_of(w, [r for i, r in enumerate(rows) if i in test])
    print(
        f"5-fold cross-validated gain, summed over pages: {total:+.2f} "
        f"(oracle {sum(g for _, g in rows if g > 0):+.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
