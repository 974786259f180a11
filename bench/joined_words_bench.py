"""Score ``cleaners.joined_words`` on the cleaning benchmark, per language.

Usage: ``python bench/joined_words_bench.py [DATA_DIR] [--show N]`` (DATA_DIR defaults to
``../shared/bench/cleaning`` beside the repository).

Per language it prints:

* P, R: precision and recall of the spaces inserted in ``corrupted/run_together.jsonl``;
  a space counts when it restores a removed one at its exact position, as
  ``shared/tools/clean_eval.py`` counts them (``clean_eval.py --types run_together
  --cleaner jw=cleaners.joined_words:split_joined_words --path .`` gives the same figures);
* false/1k: spaces inserted in the clean documents ``clean/<lang>.jsonl``, per 1,000 words;
* docs: clean documents with at least one such space (the harm figure counts documents);
* MB/s: UTF-8 input bytes per CPU second in ``split_joined_words``, over the damaged and
  the clean documents, first pass (memo tables empty) and second pass (memo warm), and
  on the clean documents alone; the one-off CPU seconds to load a language's tables
  come apart in the last column.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaners._cache import lexicon
from cleaners.joined_words import find_splits, split_joined_words, wordfreq_language

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "cleaning"
_TOKEN = re.compile(r"\S+")


def _load(path: Path) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _inserted(text: str, lang: str) -> set[int]:
    """Positions in ``text`` before which the splitter inserts a space."""
    found = set()
    for start, _end, replacement in find_splits(text, lang):
        k = 0
        for ch in replacement:
            if ch == " ":
                found.add(start + k)
            else:
                k += 1
    return found


def _shown(text: str, pos: int) -> str:
    """The token around ``pos``, with a bar where the space is (or belongs)."""
    for m in _TOKEN.finditer(text, max(0, pos - 60)):
        if m.start() <= pos <= m.end():
            return f"{text[m.start() : pos]}|{text[pos : m.end()]}"
    return "?"


def _timed(docs: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """CPU seconds and megabytes per language for one pass of ``split_joined_words``."""
    out: dict[str, tuple[float, float]] = defaultdict(lambda: (0.0, 0.0))
    for lang, text in docs:
        t0 = time.process_time()
        split_joined_words(text, lang)
        seconds, mb = out[lang]
        out[lang] = (seconds + time.process_time() - t0, mb + len(text.encode("utf-8")) / 1e6)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one row per language."""
    ap = argparse.ArgumentParser(description="Score cleaners.joined_words per language.")
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    ap.add_argument("--show", type=int, default=0, help="print up to N errors per language")
    args = ap.parse_args(argv)
    damaged = [
        (str(d["lang"]), str(d["corrupted"]), d["damage"])
        for d in _load(args.data / "corrupted" / "run_together.jsonl")
    ]
    clean = [
        (str(d["lang"]), str(d["text"]))
        for p in sorted((args.data / "clean").glob("*.jsonl"))
        for d in _load(p)
    ]
    langs = sorted({lang for lang, _, _ in damaged} | {lang for lang, _ in clean})

    load: dict[str, float] = {}
    for lang in langs:  # wordfreq's table and ours, outside the timed passes
        t0 = time.process_time()
        code = wordfreq_language(lang)
        if code is not None:
            lexicon(code).productivity("warm", True, "up")
        load[lang] = time.process_time() - t0
    docs = [(lang, text) for lang, text, _ in damaged] + clean
    first, second, clean_pass = _timed(docs), _timed(docs), _timed(clean)

    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    errors: dict[str, list[str]] = defaultdict(list)
    for lang, text, damage in damaged:
        gold = {int(r["pos"]) for r in damage if r["type"] == "run_together"}  # type: ignore[attr-defined, index]
        pred = _inserted(text, lang)
        s = stats[lang]
        s["gold"] += len(gold)
        s["pred"] += len(pred)
        s["correct"] += len(gold & pred)
        errors[lang] += [f"wrong: {_shown(text, p)}" for p in sorted(pred - gold)]
        errors[lang] += [f"missed: {_shown(text, p)}" for p in sorted(gold - pred)]
    for lang, text in clean:
        false = _inserted(text, lang)
        stats[lang]["words"] += len(text.split())
        stats[lang]["false"] += len(false)
        stats[lang]["docs"] += bool(false)
        errors[lang] += [f"false split: {_shown(text, p)}" for p in sorted(false)]

    print(
        f"{'lang':<5} {'P':>6} {'R':>6} {'splits':>6} {'gold':>5} {'false/1k':>8} {'docs':>4} "
        f"{'MB/s 1st':>8} {'MB/s 2nd':>8} {'MB/s clean':>10} {'load s':>6}"
    )
    total: dict[str, int] = defaultdict(int)
    for lang in [*langs, "ALL"]:
        s = total if lang == "ALL" else stats[lang]
        if lang != "ALL":
            for k, v in s.items():
                total[k] += v
        keys = langs if lang == "ALL" else [lang]
        speeds = [
            sum(p[k][1] for k in keys) / max(1e-9, sum(p[k][0] for k in keys))
            for p in (first, second, clean_pass)
        ]
        p = s["correct"] / s["pred"] if s["pred"] else float("nan")
        r = s["correct"] / s["gold"] if s["gold"] else float("nan")
        fs = 1000 * s["false"] / s["words"] if s["words"] else float("nan")
        print(
            f"{lang:<5} {p:6.3f} {r:6.3f} {s['pred']:6d} {s['gold']:5d} {fs:8.2f} {s['docs']:4d} "
            f"{speeds[0]:8.2f} {speeds[1]:8.2f} {speeds[2]:10.2f} "
            f"{sum(load[k] for k in keys):6.2f}"
        )
    for lang in langs:
        for line in errors[lang][: args.show]:
            print(f"  {lang} {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
