"""Score the whole ``cleaners`` pipeline on the cleaning benchmark, against ftfy in the same run.

Usage::

    python bench/clean_bench.py [DATA_DIR] [--types a,b] [--langs it,de] [--limit N]
                                [--off step,step] [--json OUT]

``DATA_DIR`` defaults to ``../shared/bench/cleaning`` beside the repository (``corrupted/`` and
``clean/`` inside it; its README explains the format).  The metrics are the ones of
``shared/tools/clean_eval.py`` and agree with it:

* CER = Levenshtein distance / reference length, summed over documents; "removed" is
  ``1 - after / before`` per damage type and language (negative: the cleaner made it worse);
* run-together precision / recall: spaces inserted at the exact positions where the damage
  removed one, from an alignment of corrupted text and output;
* harm: the clean documents run through the cleaner: CER introduced, documents changed at
  all, false splits and false joins per 1,000 words;
* speed: UTF-8 input bytes per second inside ``cleaners.clean`` and inside ``ftfy.fix_text``
  (ftfy's defaults) over the same documents, one after the other, and their ratio.  Word
  tables and the language model are loaded before timing; the load time is printed apart;
* clean articles: the clean documents alone, one at a time, as ``scraper.extract()`` cleans
  each article: first with their rare words never seen (the word splitter's memo tables
  empty; its word tables loaded), then once more after the whole run.

Needs rapidfuzz (a dev dependency).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ftfy
from rapidfuzz.distance import Levenshtein

import cleaners

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "cleaning"
ORDER = [
    "stray_tag",
    "run_together",
    "space_before_punct",
    "double_punct",
    "missing_space_after_punct",
    "duplicate_paragraph",
    "boilerplate_line",
    "mojibake",
    "entity_leftover",
    "broken_hyphenation",
    "odd_whitespace",
    "broken_lines",
    "mixed",
]
#: The issue's floors: share of the CER removed, per damage type (default 0.95).
FLOORS = {"boilerplate_line": 0.85, "mojibake": 0.90, "mixed": 0.85, "run_together": 0.0}

Doc = dict[str, Any]


def load_jsonl(path: Path) -> list[Doc]:
    """Read one JSON document per line."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def ws_edits(src: str, dst: str) -> tuple[list[int], list[int]]:
    """Where ``dst`` puts whitespace between two non-space characters of ``src`` (splits),
    and where it removes whitespace between two of them (joins); as in clean_eval.py."""
    splits: list[int] = []
    joins: list[int] = []
    for op in Levenshtein.opcodes(src, dst):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag in ("insert", "replace"):
            ins, old = dst[j1:j2], src[i1:i2]
            if any(c.isspace() for c in ins) and not any(c.isspace() for c in old):
                inside = 0 < i1 < len(src) and not src[i1 - 1].isspace() and not src[i1].isspace()
                if tag == "replace" or inside:
                    splits.append(i1)
        if tag in ("delete", "replace"):
            old, new = src[i1:i2], dst[j1:j2]
            between = i1 > 0 and i2 < len(src) and not src[i1 - 1].isspace()
            if (
                old
                and all(c.isspace() for c in old)
                and not any(c.isspace() for c in new)
                and between
                and not src[i2].isspace()
            ):
                joins.append(i1)
    return splits, joins


class Timed:
    """A cleaner ``(text, lang) -> text`` that counts the bytes it read and the seconds it took."""

    def __init__(self, fn: Callable[[str, str], str]) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.bytes = 0

    def __call__(self, text: str, lang: str) -> str:
        start = time.perf_counter()
        out = self.fn(text, lang)
        self.seconds += time.perf_counter() - start
        self.bytes += len(text.encode("utf-8", "surrogatepass"))
        return out

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.seconds if self.seconds else 0.0


def clean_articles(docs: list[Doc], config: cleaners.CleanerConfig) -> Doc:
    """Time ``cleaners.clean`` and ``ftfy.fix_text`` on clean documents, one at a time."""
    ours = Timed(lambda text, lang: cleaners.clean(text, lang, config=config))
    theirs = Timed(lambda text, lang: ftfy.fix_text(text))
    for doc in docs:
        ours(doc["text"], doc["lang"])
        theirs(doc["text"], doc["lang"])
    return {
        "docs": len(docs),
        "kb_per_doc": ours.bytes / 1e3 / max(1, len(docs)),
        "ms_per_doc": 1e3 * ours.seconds / max(1, len(docs)),
        "mb_per_s": ours.mb_per_s,
        "ftfy_mb_per_s": theirs.mb_per_s,
    }


def forget_decisions(langs: Iterable[str]) -> None:
    """Empty the word splitter's memo tables (its word tables stay loaded)."""
    from cleaners._cache import lexicon
    from cleaners.joined_words import wordfreq_language

    for lang in langs:
        code = wordfreq_language(lang)
        if code is not None:
            lex = lexicon(code)
            lex.affixes.clear()
            lex.ranks.clear()
            lex.decisions.clear()
            lex.rejected.clear()
            lex.unhyphenated.clear()


def score(cleaner: Timed, conditions: dict[str, list[Doc]], clean_docs: list[Doc]) -> Doc:
    """Run ``cleaner`` over every condition and the clean documents; return the figures."""
    result: Doc = {"conditions": {}, "harm": {}}
    for cond, docs in conditions.items():
        cer: dict[str, dict[str, int]] = defaultdict(lambda: {"chars": 0, "before": 0, "after": 0})
        rt: dict[str, dict[str, int]] = defaultdict(lambda: {"gold": 0, "pred": 0, "correct": 0})
        for doc in docs:
            out = cleaner(doc["corrupted"], doc["lang"])
            before = Levenshtein.distance(doc["corrupted"], doc["clean"])
            after = Levenshtein.distance(out, doc["clean"])
            for key in ("ALL", doc["lang"]):
                cer[key]["chars"] += len(doc["clean"])
                cer[key]["before"] += before
                cer[key]["after"] += after
            if cond == "run_together":
                gold = {d["pos"] for d in doc["damage"] if d["type"] == "run_together"}
                pred = set(ws_edits(doc["corrupted"], out)[0])
                for key in ("ALL", doc["lang"]):
                    rt[key]["gold"] += len(gold)
                    rt[key]["pred"] += len(pred)
                    rt[key]["correct"] += len(gold & pred)
        result["conditions"][cond] = {
            "cer": {
                k: dict(v, removed=1 - v["after"] / v["before"] if v["before"] else 0.0)
                for k, v in cer.items()
            },
            "run_together": {
                k: dict(
                    v,
                    precision=v["correct"] / v["pred"] if v["pred"] else None,
                    recall=v["correct"] / v["gold"] if v["gold"] else None,
                )
                for k, v in rt.items()
            },
        }
    harm: dict[str, dict[str, int]] = defaultdict(
        lambda: {"n": 0, "chars": 0, "dist": 0, "words": 0, "changed": 0, "splits": 0, "joins": 0}
    )
    for doc in clean_docs:
        out = cleaner(doc["text"], doc["lang"])
        dist = Levenshtein.distance(out, doc["text"])
        splits, joins = ws_edits(doc["text"], out) if dist else ([], [])
        for key in ("ALL", doc["lang"]):
            h = harm[key]
            h["n"] += 1
            h["chars"] += len(doc["text"])
            h["dist"] += dist
            h["words"] += len(doc["text"].split())
            h["changed"] += out != doc["text"]
            h["splits"] += len(splits)
            h["joins"] += len(joins)
    result["harm"] = {
        k: dict(
            v,
            cer=v["dist"] / max(1, v["chars"]),
            false_splits_per_1k=1000 * v["splits"] / max(1, v["words"]),
            false_joins_per_1k=1000 * v["joins"] / max(1, v["words"]),
        )
        for k, v in harm.items()
    }
    return result


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def report(res: Doc, langs: list[str], speed: Doc) -> str:
    """The figures as Markdown tables."""
    lines = ["### Share of the CER removed, by damage type and language\n"]
    cols = [*langs, "ALL"]
    lines.append("| damage type | CER before | " + " | ".join(cols) + " | floor |")
    lines.append("|---|---:|" + "---:|" * (len(cols) + 1))
    for cond, entry in res["conditions"].items():
        cer = entry["cer"]
        before = cer["ALL"]["before"] / max(1, cer["ALL"]["chars"])
        cells = [_pct(cer[lang]["removed"]) if lang in cer else "–" for lang in cols]
        floor = FLOORS.get(cond, 0.95)
        lines.append(f"| {cond} | {before:.4f} | " + " | ".join(cells) + f" | {_pct(floor)} |")
    rt = res["conditions"].get("run_together", {}).get("run_together", {})
    if rt:
        lines.append("\n### Run-together words: precision / recall of the splits made\n")
        lines.append("| | " + " | ".join(cols) + " |")
        lines.append("|---|" + "---:|" * len(cols))
        for name in ("precision", "recall"):
            cells = [_num(rt.get(lang, {}).get(name)) for lang in cols]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    harm = res["harm"]
    lines.append("\n### Harm: the clean documents through the cleaner\n")
    lines.append("| | " + " | ".join(cols) + " | ceiling |")
    lines.append("|---|" + "---:|" * (len(cols) + 1))
    rows: list[tuple[str, Callable[[Doc], str], str]] = [
        ("CER introduced", lambda h: f"{h['cer']:.5f}", "0.0001"),
        ("docs changed", lambda h: f"{h['changed']}/{h['n']}", "2%"),
        ("false splits /1k words", lambda h: f"{h['false_splits_per_1k']:.2f}", "0.5"),
        ("false joins /1k words", lambda h: f"{h['false_joins_per_1k']:.2f}", "–"),
    ]
    for name, get, ceiling in rows:
        cells = [get(harm[lang]) if lang in harm else "–" for lang in cols]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ceiling} |")
    lines.append("\n### Speed (one core, same documents, same run)\n")
    lines.append("| | MB | seconds | MB/s |")
    lines.append("|---|---:|---:|---:|")
    for name in ("cleaners.clean", "ftfy.fix_text"):
        s = speed[name]
        lines.append(f"| {name} | {s['mb']:.2f} | {s['seconds']:.2f} | {s['mb_per_s']:.2f} |")
    lines.append(
        f"\nratio cleaners / ftfy: **{speed['ratio']:.2f}**; "
        f"one-off load (language model, word tables): {speed['load_seconds']:.1f} s"
    )
    lines.append("\n### Clean articles one at a time (the common case in extract)\n")
    lines.append("| rare words | docs | KB/doc | ms/doc | MB/s | ftfy MB/s |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, a in speed["clean_articles"].items():
        lines.append(
            f"| {name} | {a['docs']} | {a['kb_per_doc']:.1f} | {a['ms_per_doc']:.2f} "
            f"| {a['mb_per_s']:.2f} | {a['ftfy_mb_per_s']:.2f} |"
        )
    return "\n".join(lines)


def _select(docs: Iterable[Doc], langs: set[str], limit: int) -> list[Doc]:
    per_lang: dict[str, int] = defaultdict(int)
    out = []
    for doc in docs:
        if langs and doc["lang"] not in langs:
            continue
        if limit and per_lang[doc["lang"]] >= limit:
            continue
        per_lang[doc["lang"]] += 1
        out.append(doc)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables (and write JSON when asked)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    ap.add_argument("--types", default="", help="comma list of damage types (default: all)")
    ap.add_argument("--langs", default="", help="comma list of languages (default: all)")
    ap.add_argument("--limit", type=int, default=0, help="at most N documents per language")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--off", default="", help="comma list of steps to switch off (CleanerConfig)")
    args = ap.parse_args(argv)
    corrupted_dir, clean_dir = args.data / "corrupted", args.data / "clean"
    if not corrupted_dir.is_dir() or not clean_dir.is_dir():
        print(f"clean_bench: no corrupted/ and clean/ under {args.data}", file=sys.stderr)
        return 2
    types = {t for t in args.types.split(",") if t}
    langs = {lang for lang in args.langs.split(",") if lang}
    conditions = {
        p.stem: _select(load_jsonl(p), langs, args.limit)
        for p in sorted(
            corrupted_dir.glob("*.jsonl"),
            key=lambda p: ORDER.index(p.stem) if p.stem in ORDER else 99,
        )
        if not types or p.stem in types
    }
    clean_docs = [
        d
        for p in sorted(clean_dir.glob("*.jsonl"))
        for d in _select(load_jsonl(p), langs, args.limit)
    ]
    all_langs = sorted(
        {d["lang"] for docs in conditions.values() for d in docs} | {d["lang"] for d in clean_docs}
    )

    start = time.perf_counter()
    for lang in all_langs:  # the language model and word tables load outside the timed runs
        cleaners.clean("Warm up the tables of this language, please.", lang)
    cleaners.clean("Warm up language detection on a sentence long enough to be detected.")
    load_seconds = time.perf_counter() - start

    config = dataclasses.replace(
        cleaners.CleanerConfig(), **{step: False for step in args.off.split(",") if step}
    )
    # The common case inside scraper.extract(): clean article text, one text at a time, with
    # the tables loaded but its rare words never seen before; then once more, seen before.
    articles = {"first sight": clean_articles(clean_docs, config)}
    forget_decisions(all_langs)  # the main run starts from empty memo tables, as before
    ours = Timed(lambda text, lang: cleaners.clean(text, lang, config=config))
    results = score(ours, conditions, clean_docs)
    theirs = Timed(lambda text, lang: ftfy.fix_text(text))
    for docs in conditions.values():
        for doc in docs:
            theirs(doc["corrupted"], doc["lang"])
    for doc in clean_docs:
        theirs(doc["text"], doc["lang"])
    speed = {
        "cleaners.clean": {
            "mb": ours.bytes / 1e6,
            "seconds": ours.seconds,
            "mb_per_s": ours.mb_per_s,
        },
        "ftfy.fix_text": {
            "mb": theirs.bytes / 1e6,
            "seconds": theirs.seconds,
            "mb_per_s": theirs.mb_per_s,
        },
        "ratio": ours.mb_per_s / theirs.mb_per_s if theirs.mb_per_s else 0.0,
        "load_seconds": load_seconds,
        "clean_articles": {**articles, "seen before": clean_articles(clean_docs, config)},
    }
    print(report(results, all_langs, speed))
    if args.json:
        args.json.write_text(
            json.dumps({"results": results, "speed": speed}, indent=1, ensure_ascii=False)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
