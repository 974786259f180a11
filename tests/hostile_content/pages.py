"""Hostile documents, built in code (no fixtures to ship), shared by the tests and the bench.

Each case is a document plus what must come out of it: the text an article
must contain (``expect_text``) or the error class it must raise
(``expect_error``, a class name).  The tests run them through an
``ExtractionPool`` with a short deadline; ``bench/hostile_bench.py`` runs
each in its own process with the default deadline and memory bound.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["CONTENT_CASES", "ENCODING_TEXTS", "Case", "article", "page"]


def _sentences(words: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        picked = [rng.choice(words) for _ in range(12)]
        out.append(f"{' '.join(picked).capitalize()} number {n}.")
    return out


# fmt: off
_WORDS = [
    "council", "harbour", "railway", "budget", "museum", "river", "festival", "school", "bridge",
    "market", "hospital", "library", "station", "mayor", "region", "garden", "theatre", "winter",
    "summer", "farmers", "energy", "water", "housing",
]
# fmt: on

#: Six distinct paragraphs of plain English: enough words for an article, and
#: distinct, so that the duplicate cleaner keeps every one.
PARAGRAPHS = _sentences(_WORDS, 6, 7)


def article(paragraphs: list[str] | None = None, title: str = "Harbour budget approved") -> str:
    """An ``<article>`` with a headline and the given (default: PARAGRAPHS) paragraphs."""
    body = "".join(f"<p>{p}</p>" for p in (paragraphs or PARAGRAPHS))
    return f"<article><h1>{title}</h1>{body}</article>"


def page(body: str, head: str = "") -> str:
    """A whole document around ``body``."""
    return f"<html><head><title>Page</title>{head}</head><body>{body}</body></html>"


@dataclass(frozen=True)
class Case:
    """One hostile document and its required outcome."""

    name: str
    document: bytes
    #: A snippet the article text must contain (None: an error is expected).
    expect_text: str | None = None
    #: The error class name expected (None: an article is expected).
    expect_error: str | None = None
    #: The encoding the fetcher would pass along (None: sniffed from the bytes).
    encoding: str | None = None


def _random(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


_ART = article()
_CAFE = "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e."
_FLOOD = " ".join(f"a{i}=1" for i in range(100_000))
_FLOOD_VALUELESS = " ".join(f"a{i}" for i in range(100_000))
_LAST = PARAGRAPHS[-1]
_FIVE_MB = 5 * 1024 * 1024

#: Bodies, sizes and shapes (the "content" group of issue 5).
CONTENT_CASES: tuple[Case, ...] = (
    # binaries served as text/html
    Case("binary: random bytes", _random(1 << 20, 1), expect_error="UnsupportedContent"),
    Case(
        "binary: ELF executable",
        b"\x7fELF\x02\x01\x01\x00" + bytes(56) + _random(200_000, 2),
        expect_error="UnsupportedContent",
    ),
    Case(
        "binary: MP4 video",
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + _random(300_000, 3),
        expect_error="UnsupportedContent",
    ),
    Case(
        "binary: WOFF2 font",
        b"wOF2\x00\x01\x00\x00" + _random(100_000, 4),
        expect_error="UnsupportedContent",
    ),
    Case(
        "binary: an HTML head, then binary",
        page("<p>Loading</p>").encode()[:-14] + _random(400_000, 5),
        expect_error="UnsupportedContent",
    ),
    Case("binary: NUL bytes only", bytes(4096), expect_error="UnsupportedContent"),
    Case(
        "text: UTF-16 without a BOM is not binary",
        page(_ART).encode("utf-16-le"),
        expect_text=_LAST,
    ),
    # empty and near-empty pages
    Case("empty: no bytes", b"", expect_error="NoArticleError"),
    Case("empty: whitespace", b" \r\n\t " * 100, expect_error="NoArticleError"),
    Case("empty: a bare skeleton", page("").encode(), expect_error="NoArticleError"),
    Case(
        "empty: an unclosed comment hides all",
        ("<!--" + page(_ART)).encode(),
        expect_error="NoArticleError",
    ),
    # 5 MB on one line
    Case(
        "one line: 5 MB of script, then the article",
        page("<script>" + "var a=1;" * (_FIVE_MB // 8) + "</script>" + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "one line: a 5 MB word",
        page(_ART + "<p>" + "x" * _FIVE_MB + "</p>").encode(),
        expect_text=_LAST,
    ),
    Case(
        "one line: a 5 MB attribute value",
        page(f'<div title="{"y" * _FIVE_MB}">{_ART}</div>').encode(),
        expect_text=_LAST,
    ),
    Case(
        "one line: 5 MB of character references",
        page(_ART + "<p>" + "&amp;" * (_FIVE_MB // 5) + "</p>").encode(),
        expect_text=_LAST,
    ),
    # deep nesting: flattened before parsing, the text survives
    Case(
        "nesting: 100,000 closed <div>",
        page("<div>" * 100_000 + _ART + "</div>" * 100_000).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: 100,000 unclosed <div>",
        page("<div>" * 100_000 + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: <div> with '<' in attribute values",
        page('<div title="<">' * 100_000 + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: 20,000 nested tables",
        page("<table><tr><td>" * 20_000 + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: 50,000 nested lists",
        page("<ul><li>" * 50_000 + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: 25,000 x <b><i><u><s>",
        page("<b><i><u><s>" * 25_000 + _ART).encode(),
        expect_text=_LAST,
    ),
    Case(
        "nesting: 50,000 <font> in bytes of cp1252",
        page("<font>" * 50_000 + article([*PARAGRAPHS[:5], _CAFE])).encode("cp1252"),
        expect_text=_CAFE,
    ),
    # attribute floods: quadratic in both parsers (30 s and more)
    Case(
        "attributes: 100,000 on one tag",
        page(f"<div {_FLOOD}>{_ART}</div>").encode(),
        expect_text=_LAST,
    ),
    Case(
        "attributes: 100,000 valueless on one tag",
        page(f"<div {_FLOOD_VALUELESS}>{_ART}</div>").encode(),
        expect_text=_LAST,
    ),
)

#: Text in several languages for the encoding cases: language -> paragraphs.
ENCODING_TEXTS: dict[str, list[str]] = {
    "ru": [
        "Правительство России объявило о новых мерах поддержки экономики регионов.",
        "Министр финансов заявил, что бюджет на следующий год будет принят в сентябре.",
        "Депутаты обсудили строительство новой железной дороги между двумя городами.",
        "Жители района попросили мэра открыть библиотеку и детский сад весной.",
    ],
    "fr": [
        "Le conseil municipal a approuvé le budget du théâtre après un débat animé.",
        "La bibliothèque rouvrira ses portes en été, a annoncé le maire de la ville.",
        "Les élèves du lycée ont visité le musée régional et la cathédrale voisine.",
        "Une nouvelle ligne de tramway reliera la gare à l'hôpital dès décembre prochain.",
    ],
    "pl": [
        "Rada miasta zatwierdziła budżet teatru po długiej dyskusji mieszkańców.",
        "Biblioteka zostanie otwarta latem, ogłosił prezydent miasta w środę.",
        "Uczniowie odwiedzili muzeum regionalne i zabytkową katedrę w sąsiedztwie.",
        "Nowa linia tramwajowa połączy dworzec ze szpitalem już w grudniu.",
    ],
    "ja": [
        "東京都は新しい交通計画を発表しました。市民の生活を改善するための取り組みです、と知事は述べました。",
        "来年の予算は九月に決定される予定です、と財務担当者は記者会見で説明しました、と報じられました。",
        "図書館は夏に再開します、と市長は発表しました。子供たちのための新しい部屋も作られます、とのことです。",
        "新しい鉄道は二つの都市を結びます、と担当者は話しました。工事は春に始まります、と述べました。",
    ],
    "zh": [
        "北京市政府宣布了新的城市交通规划，旨在改善市民的日常出行，减少道路拥堵，提高公共交通效率。",
        "财政部门表示，明年的预算将在九月份确定，重点支持教育，医疗和住房等民生领域的发展。",
        "图书馆将在夏天重新开放，市长在新闻发布会上宣布，还将为儿童建设新的阅读空间和活动室。",
        "新的铁路将连接两座城市，工程预计在春季开工，建成后两地之间的旅行时间将大大缩短。",
    ],
}
