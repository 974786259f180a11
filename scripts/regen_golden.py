"""Show, and with ``--write`` apply, what the extractor now says about the golden pages.

Usage::

    python scripts/regen_golden.py                # diff expectations vs. extractor; exit 1 if any
    python scripts/regen_golden.py --write        # rewrite the expected metadata, raise the floor
    python scripts/regen_golden.py it-wordpress-news de-no-metadata   # only these pages

Only the exact metadata is regenerated.  The ``with``/``without`` snippets and
the ``known_failures`` are written by people and kept; a field listed in
``known_failures`` keeps its (correct) expected value.  A page that flips
between "article" and "error" is never rewritten: fix the extractor or edit
the file by hand.  The score floor is only ever raised by ``--write``.
Review the diff before committing.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent


class _Case(Protocol):
    """What the script uses of tests/test_golden_pages.py's Case."""

    name: str
    expected_file: Path
    expected: dict[str, Any]

    @property
    def error(self) -> str | None: ...

    @property
    def known_failures(self) -> dict[str, str]: ...


def say(line: str) -> None:
    """The script's output (it is a report for people)."""
    sys.stdout.write(line + "\n")


def _golden() -> ModuleType:
    """The golden test module, which owns the loading and scoring logic."""
    path = ROOT / "tests" / "test_golden_pages.py"
    spec = importlib.util.spec_from_file_location("_golden_pages", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def dumps(data: dict[str, Any]) -> str:
    """The one format of the expected files."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def regenerate(golden: ModuleType, case: _Case) -> tuple[dict[str, Any] | None, list[str]]:
    """The new expectation of one page (None: leave the file alone) and notes to print."""
    import scraper

    result = golden.extract(case.name)
    notes: list[str] = []
    new = dict(case.expected)
    if isinstance(result, scraper.ScraperError):
        kind = type(result).__name__
        if case.error is None:
            notes.append(f"now raises {kind}: {result} (not rewritten)")
            return None, notes
        new["error"] = kind
        return new, notes
    if case.error is not None:
        notes.append(f"expected {case.error} but an article came out (not rewritten)")
        return None, notes
    actual = golden.actual_metadata(result)
    failures = case.known_failures
    metadata = {}
    for field in golden.METADATA_FIELDS:
        expected = case.expected["metadata"].get(field)
        if field in failures:
            metadata[field] = expected
            if actual[field] == expected:
                notes.append(f"known failure {field!r} now passes: remove it from known_failures")
            else:
                notes.append(f"known failure {field!r} kept: extractor says {actual[field]!r}")
        else:
            metadata[field] = actual[field]
    new["metadata"] = metadata
    for kind, checks in golden.snippet_results(case, result.text).items():
        bad = [s for s, ok in checks if not ok]
        if bad and kind not in failures:
            notes.append(f"{kind} snippets failing: {bad}")
        elif not bad and kind in failures:
            notes.append(f"known failure {kind!r} now passes: remove it from known_failures")
    return new, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="page names (default: all)")
    parser.add_argument(
        "--write", action="store_true", help="rewrite expected files and raise the score floor"
    )
    args = parser.parse_args(argv)
    golden = _golden()
    cases = golden.load_cases()
    if args.pages:
        unknown = set(args.pages) - {c.name for c in cases}
        if unknown:
            parser.error(f"no such page: {', '.join(sorted(unknown))}")
        cases = [c for c in cases if c.name in args.pages]
    changed = 0
    for case in cases:
        new, notes = regenerate(golden, case)
        for note in notes:
            say(f"{case.name}: {note}")
        if new is None:
            continue
        old_text = case.expected_file.read_text(encoding="utf-8")
        new_text = dumps(new)
        if new_text == old_text:
            continue
        changed += 1
        name = str(case.expected_file.relative_to(ROOT))
        sys.stdout.writelines(
            difflib.unified_diff(
                old_text.splitlines(keepends=True),
                new_text.splitlines(keepends=True),
                fromfile=f"a/{name}",
                tofile=f"b/{name}",
            )
        )
        if args.write:
            case.expected_file.write_text(new_text, encoding="utf-8")
    now = golden.score(golden.load_cases())
    floor = json.loads(golden.FLOOR_FILE.read_text(encoding="utf-8"))
    say(
        "score: "
        + ", ".join(f"{k} {now[k]:.3f} (floor {floor[k]:.3f})" for k in ("with", "without"))
    )
    raised = {k: round(now[k] - 0.005, 2) for k in ("with", "without")}
    if any(raised[k] > floor[k] for k in raised):
        if args.write:
            floor.update({k: max(floor[k], raised[k]) for k in raised})
            golden.FLOOR_FILE.write_text(dumps(floor), encoding="utf-8")
            say(f"score floor raised to {raised}")
        else:
            say("the score floor can be raised: run with --write")
    if changed and not args.write:
        say(f"{changed} expected file(s) differ; review, then run with --write")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
