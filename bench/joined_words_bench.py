"""Score ``cleaners.joined_words`` on the cleaning benchmark, per language.

Usage: ``python bench/joined_words_bench.py [DATA_DIR]`` (default ``../shared/bench/cleaning``
next to the repository).  Prints, per language: precision and recall of the splits made on
``corrupted/run_together.jsonl`` (a split counts when it restores a removed space at its exact
position, as in ``shared/tools/clean_eval.py``), false splits per 1,000 words on the clean
documents ``clean/<lang>.jsonl``, and throughput in MB/s (UTF-8 input bytes per second spent
in ``split_joined_words``, word tables already loaded; the one-off load time is printed
separately).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaners.joined_words import _lexicon, find_splits, split_joined_words

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "cleaning"


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one row per language."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    ap.add_argument("--show", type=int, default=0, help="print up to N errors per language")
    args = ap.parse_args(argv)
    corrupted = _load(args.data / "corrupted" / "run_together.jsonl")
    clean = [d for p in sorted((args.data / "clean").glob("*.jsonl")) for d in _load(p)]
    langs = sorted({str(d["lang"]) for d in corrupted} | {str(d["lang"]) for d in clean})

    load: dict[str, float] = {}
    for lang in langs:  # load the word tables outside the timed runs
        t0 = time.perf_counter()
        split_joined_words("warmup", lang)
        _lexicon(lang).productivity("warm", True, "up")  # and its affix tables
        load[lang] = time.perf_counter() - t0

    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    shown: dict[str, list[str]] = defaultdict(list)

    def note(lang: str, kind: str, text: str, pos: int) -> None:
        if len(shown[lang]) < args.show:
            a, b = text.rfind(" ", 0, pos - 1) + 1, text.find(" ", pos + 1)
            shown[lang].append(f"{kind}: {text[a:pos]}|{text[pos : b if b >= 0 else None]}")

    for d in corrupted:
        lang, text = str(d["lang"]), str(d["corrupted"])
        gold = {int(r["pos"]) for r in d["damage"] if r["type"] == "run_together"}  # type: ignore[attr-defined, index]
        t0 = time.perf_counter()
        split_joined_words(text, lang)
        s = stats[lang]
        s["seconds"] += time.perf_counter() - t0
        s["bytes"] += len(text.encode("utf-8"))
        pred = _inserted(text, lang)
        s["gold"] += len(gold)
        s["pred"] += len(pred)
        s["correct"] += len(gold & pred)
        for p in sorted(pred - gold):
            note(lang, "wrong split", text, p)
        for p in sorted(gold - pred):
            note(lang, "missed", text, p)
    for d in clean:
        lang, text = str(d["lang"]), str(d["text"])
        t0 = time.perf_counter()
        split_joined_words(text, lang)
        s = stats[lang]
        s["seconds"] += time.perf_counter() - t0
        s["bytes"] += len(text.encode("utf-8"))
        s["clean_seconds"] += time.perf_counter() - t0
        s["clean_bytes"] += len(text.encode("utf-8"))
        s["words"] += len(text.split())
        false = _inserted(text, lang)
        s["false"] += len(false)
        for p in sorted(false):
            note(lang, "false split (clean)", text, p)

    print(
        f"{'lang':<5} {'P':>6} {'R':>6} {'splits':>7} {'gold':>6} {'false/1k':>9} "
        f"{'MB/s':>6} {'clean MB/s':>11} {'load s':>7}"
    )
    total: dict[str, float] = defaultdict(float)
    for lang in langs:
        s = stats[lang]
        for k, v in s.items():
            total[k] += v
        _row(lang, s, load[lang])
    _row("ALL", total, sum(load.values()))
    for lang in langs:
        for line in shown[lang]:
            print(f"  {lang} {line}")
    return 0


def _row(name: str, s: dict[str, float], load: float) -> None:
    p = s["correct"] / s["pred"] if s["pred"] else float("nan")
    r = s["correct"] / s["gold"] if s["gold"] else float("nan")
    fs = 1000 * s["false"] / s["words"] if s["words"] else float("nan")
    mbs = s["bytes"] / 1e6 / s["seconds"] if s["seconds"] else float("nan")
    cmbs = s["clean_bytes"] / 1e6 / s["clean_seconds"] if s["clean_seconds"] else float("nan")
    print(
        f"{name:<5} {p:6.3f} {r:6.3f} {int(s['pred']):7d} {int(s['gold']):6d} {fs:9.2f} "
        f"{mbs:6.2f} {cmbs:11.2f} {load:7.2f}"
    )


if __name__ == "__main__":
    sys.exit(main())
