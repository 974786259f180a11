"""Extraction benchmark: body quality, metadata and speed against trafilatura, same run.

Usage (from the repository root)::

    .venv/bin/python bench/extract_bench.py [DATA_DIR]   # default ../shared/bench
    .venv/bin/python bench/extract_bench.py --only wcxb --worst 5   # iterate on one part
    .venv/bin/python bench/extract_bench.py --only body --rounds 3  # steadier timing

DATA_DIR holds ``extraction/`` (Scrapinghub layout: ground-truth.json + html/)
and ``extraction-wcxb-dev/`` (WCXB layout: dev/ground-truth/*.json + dev/html/).

Metrics, as the benchmarks define them:

* shingle F1 (extraction/): tokens are ``\\w+`` matches, 4-token shingles as
  multisets; per page tp/fp/fn normalised to sum 1; precision = mean over
  pages with output, recall = mean over all pages; F1 = harmonic mean.
* bag-of-words F1 (WCXB): lower-cased ``\\w+`` multisets, per-page F1, mean.
* metadata (WCXB): title exact after NFKC + casefold + ``\\w+`` tokens;
  author exact as sorted name lists; date exact as YYYY-MM-DD; "invented" =
  share of pages without the field in the truth where we still return one.
* speed: every page is timed alone with ``perf_counter`` after a warm-up on
  one page (as ``shared/tools/extract_eval.py`` does: first-use costs such as
  loading a language's word list count); ours and trafilatura alternate page
  by page so machine noise hits both; the figure is the ratio of summed times
  (ours / anchor).  ``--rounds N`` times every page N times and sums them.
  The anchor is ``trafilatura.extract(html)`` (text only, default settings).

Pages are decoded as the official scorer decodes them (UTF-8, else the
``<meta>`` charset, else detection, else cp1252), so both see the same text.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOKEN = re.compile(r"\w+")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """Bytes to str exactly as ``extract_eval.py`` decodes them."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:8192])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except ImportError:
        pass
    return data.decode("cp1252", errors="replace")


def read_html(path: Path) -> str:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return decode_html(data)


def load_scrapinghub(folder: Path) -> list[dict[str, Any]]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        {
            "id": key,
            "url": rec.get("url"),
            "html": read_html(folder / "html" / f"{key}.html.gz"),
            "text": rec.get("articleBody") or "",
        }
        for key, rec in sorted(truth.items())
    ]


def _none_if_empty(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v)
    value = str(value).strip()
    return value or None


def load_wcxb(folder: Path) -> list[dict[str, Any]]:
    split = folder / "dev"
    items = []
    for gt_file in sorted((split / "ground-truth").glob("*.json")):
        rec = json.loads(gt_file.read_text(encoding="utf-8"))
        gt = rec.get("ground_truth") or {}
        ptype = ((rec.get("_internal") or {}).get("page_type") or {}).get("primary") or "article"
        items.append(
            {
                "id": gt_file.stem,
                "url": rec.get("url"),
                "html": read_html(split / "html" / f"{gt_file.stem}.html.gz"),
                "text": gt.get("main_content") or "",
                "type": "collection" if ptype == "category" else ptype,
                "title": _none_if_empty(gt.get("title")),
                "author": _none_if_empty(gt.get("author")),
                "date": _none_if_empty(gt.get("publish_date")),
            }
        )
    return items


# ---- metrics ---------------------------------------------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = TOKEN.findall(text or "")
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def shingle_triple(truth: str, pred: str) -> tuple[float, float, float]:
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def shingle_f1(triples: list[tuple[float, float, float]]) -> dict[str, float]:
    def prec(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return tp / (tp + fp) if tp + fp else 0.0

    def rec(tp: float, fp: float, fn: float) -> float:
        if fp == fn == 0:
            return 1.0
        return tp / (tp + fn) if tp + fn else 0.0

    ps = [prec(*x) for x in triples if x[0] + x[1] > 0]
    rs = [rec(*x) for x in triples if x[0] + x[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def bag_f1(pred: str, truth: str) -> float:
    p = Counter(TOKEN.findall((pred or "").lower()))
    t = Counter(TOKEN.findall((truth or "").lower()))
    if not t:
        return 1.0 if not p else 0.0
    if not p:
        return 0.0
    overlap = sum((p & t).values())
    if not overlap:
        return 0.0
    prec, rec = overlap / sum(p.values()), overlap / sum(t.values())
    return 2 * prec * rec / (prec + rec)


def norm_text(value: str | None) -> str:
    return " ".join(TOKEN.findall(unicodedata.normalize("NFKC", value or "").casefold()))


AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\||/|\band\b|\bund\b|\bet\b|\by\b)\s*", re.I)


def author_names(value: str | None) -> list[str]:
    value = re.sub(r"^\s*(by|von|par|por)\s+", "", value or "", flags=re.I)
    return sorted(n for n in (norm_text(x) for x in AUTHOR_SPLIT.split(value)) if n)


def date_norm(value: str | None) -> str | None:
    m = re.search(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})", value or "")
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


SAME: dict[str, Callable[[str, str], bool]] = {
    "title": lambda gold, pred: norm_text(gold) == norm_text(pred),
    "author": lambda gold, pred: author_names(gold) == author_names(pred),
    "date": lambda gold, pred: date_norm(gold) is not None and date_norm(gold) == date_norm(pred),
}


def meta_scores(items: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[str, Any]:
    out = {}
    for name, same in SAME.items():
        present = [
            (it[name], pr.get(name)) for it, pr in zip(items, preds, strict=True) if it[name]
        ]
        absent = [pr.get(name) for it, pr in zip(items, preds, strict=True) if not it[name]]
        out[name] = {
            "exact": sum(bool(p) and same(g, str(p)) for g, p in present) / max(1, len(present)),
            "invented": sum(bool(p) for p in absent) / max(1, len(absent)),
            "n_present": len(present),
            "n_absent": len(absent),
        }
    return out


# ---- systems ---------------------------------------------------------------


@functools.cache
def ours(clean: bool = True) -> Callable[[str, str | None], dict[str, Any]]:
    import scraper

    config = scraper.Config(extract=scraper.ExtractConfig(clean=clean))

    def run(html: str, url: str | None) -> dict[str, Any]:
        try:
            art = scraper.extract(html, url, config=config)
        except scraper.NoArticleError as exc:
            # No body, but the page's own title, author and date still count.
            meta = exc.metadata
            return {"text": "", **{k: meta.get(k) for k in ("title", "author", "date")}}
        return {"text": art.text, "title": art.title, "author": art.author, "date": art.date}

    return run


def article(html: str, url: str | None = None) -> dict[str, Any]:
    """``scraper.extract`` with its defaults, for ``extract_eval.py --func``::

    python ../shared/tools/extract_eval.py --data ../shared/bench/extraction \\
        -e trafilatura --func bench.extract_bench:article
    """
    return ours()(html, url)


def trafilatura_text() -> Callable[[str, str | None], dict[str, Any]]:
    import trafilatura

    def run(html: str, url: str | None) -> dict[str, Any]:
        return {"text": trafilatura.extract(html, include_comments=False) or ""}

    return run


def trafilatura_meta() -> Callable[[str, str | None], dict[str, Any]]:
    import trafilatura
    from trafilatura.settings import Document

    def run(html: str, url: str | None) -> dict[str, Any]:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
        if not isinstance(doc, Document):
            return {"text": "", "title": None, "author": None, "date": None}
        return {"text": doc.text or "", "title": doc.title, "author": doc.author, "date": doc.date}

    return run


def run_interleaved(
    items: list[dict[str, Any]],
    systems: dict[str, Callable[[str, str | None], dict[str, Any]]],
    rounds: int = 1,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, float], dict[str, int]]:
    preds: dict[str, list[dict[str, Any]]] = {name: [] for name in systems}
    seconds = dict.fromkeys(systems, 0.0)
    errors = dict.fromkeys(systems, 0)
    for fn in systems.values():  # warm-up: imports, caches, language models
        fn(items[0]["html"], items[0]["url"])
    for round_ in range(rounds):
        for it in items:
            for name, fn in systems.items():
                t0 = time.perf_counter()
                try:
                    out = fn(it["html"], it["url"])
                except Exception as exc:  # a crash is counted and scored as empty output
                    out = {"text": ""}
                    if round_ == 0:
                        print(
                            f"  {name} crashed on {it['id']}: {type(exc).__name__}: {exc}",
                            file=sys.stderr,
                        )
                        errors[name] += 1
                seconds[name] += time.perf_counter() - t0
                if round_ == 0:
                    preds[name].append(out)
    return preds, seconds, errors


def worst_pages(
    items: list[dict[str, Any]], preds: list[dict[str, Any]], n: int, by_type: bool
) -> list[str]:
    """The ``n`` lowest-scoring pages (per page type on WCXB), to look at first."""
    groups: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for it, p in zip(items, preds, strict=True):
        if by_type:
            score = bag_f1(p["text"], it["text"])
        else:
            tp, fp, fn = shingle_triple(it["text"], p["text"])
            score = tp / (tp + fp + fn) if tp + fp + fn else 1.0
        groups[it.get("type", "all") if by_type else "all"].append(
            (score, f"{it['id']} {it['url']}")
        )
    lines = []
    for name in sorted(groups):
        lines.append(
            f"worst {name}: "
            + "; ".join(f"{score:.2f} {page}" for score, page in sorted(groups[name])[:n])
        )
    return lines


def bench_body(folder: Path, limit: int | None, rounds: int, worst: int, clean: bool) -> list[str]:
    items = load_scrapinghub(folder)[:limit]
    systems = {"tidyscrape": ours(clean), "trafilatura": trafilatura_text()}
    preds, seconds, errors = run_interleaved(items, systems, rounds)
    lines = [
        f"### Body quality and speed: {folder.name}/ ({len(items)} pages)",
        "",
        "| system | P | R | F1 | empty | crashes | ms/page | time ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in systems:
        triples = [
            shingle_triple(it["text"], p["text"]) for it, p in zip(items, preds[name], strict=True)
        ]
        s = shingle_f1(triples)
        empty = sum(1 for p in preds[name] if not TOKEN.search(p["text"] or ""))
        lines.append(
            f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {empty} | "
            f"{errors[name]} | {1000 * seconds[name] / len(items):.1f} | "
            f"{seconds[name] / seconds['trafilatura']:.2f} |"
        )
    if worst:
        lines += ["", *worst_pages(items, preds["tidyscrape"], worst, by_type=False)]
    return lines


def bench_wcxb(folder: Path, limit: int | None, rounds: int, worst: int, clean: bool) -> list[str]:
    items = load_wcxb(folder)[:limit]
    systems = {"tidyscrape": ours(clean), "trafilatura (with metadata)": trafilatura_meta()}
    preds, seconds, errors = run_interleaved(items, systems, rounds)
    types = sorted({it["type"] for it in items})
    counts = Counter(it["type"] for it in items)
    lines = [
        f"### Pages of every type: {folder.name}/ ({len(items)} pages)",
        "",
        "| system | bag F1 | "
        + " | ".join(f"{t} ({counts[t]})" for t in types)
        + " | empty | crashes | time ratio |",
        "|---|---|" + "---|" * len(types) + "---|---|---|",
    ]
    metas = {}
    for name in systems:
        f1s = [bag_f1(p["text"], it["text"]) for it, p in zip(items, preds[name], strict=True)]
        by_type = defaultdict(list)
        for it, f in zip(items, f1s, strict=True):
            by_type[it["type"]].append(f)
        cells = " | ".join(f"{statistics.mean(by_type[t]):.3f}" for t in types)
        ratio = seconds[name] / seconds["trafilatura (with metadata)"]
        empty = sum(1 for p in preds[name] if not TOKEN.search(p["text"] or ""))
        lines.append(
            f"| {name} | {statistics.mean(f1s):.3f} | {cells} | {empty} | {errors[name]} | "
            f"{ratio:.2f} |"
        )
        metas[name] = meta_scores(items, preds[name])
    lines += [
        "",
        "| system | title exact | author exact | author invented | date exact | date invented |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in metas.items():
        lines.append(
            f"| {name} | {m['title']['exact']:.3f} | {m['author']['exact']:.3f} | "
            f"{m['author']['invented']:.3f} | {m['date']['exact']:.3f} | "
            f"{m['date']['invented']:.3f} |"
        )
    if worst:
        lines += ["", *worst_pages(items, preds["tidyscrape"], worst, by_type=True)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", default="../shared/bench", type=Path)
    parser.add_argument("--only", choices=["body", "wcxb"], help="run one part only")
    parser.add_argument("--limit", type=int, help="only the first N pages of each part")
    parser.add_argument("--rounds", type=int, default=1, help="time every page N times")
    parser.add_argument("--worst", type=int, default=0, help="list our N worst pages (per type)")
    parser.add_argument(
        "--no-clean", action="store_true", help="skip the cleaners (isolates extraction)"
    )
    args = parser.parse_args(argv)
    import logging
    import platform

    import trafilatura

    logging.disable(logging.WARNING)  # trafilatura logs every page it discards
    out: list[str] = [
        f"`{' '.join(['bench/extract_bench.py', *(argv if argv is not None else sys.argv[1:])])}`"
        f" (Python {platform.python_version()}, trafilatura {trafilatura.__version__})",
        "",
    ]
    part = {
        "limit": args.limit,
        "rounds": args.rounds,
        "worst": args.worst,
        "clean": not args.no_clean,
    }
    if args.only in (None, "body"):
        out += [*bench_body(args.data / "extraction", **part), ""]
    if args.only in (None, "wcxb"):
        out += bench_wcxb(args.data / "extraction-wcxb-dev", **part)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
