"""Golden pages: `scraper.extract` on pages built after real templates.

Each ``fixtures/pages/<name>.html`` has a ``<name>.expected.json`` beside it:

- ``url``: the address the page is extracted as coming from;
- ``template``: which real-world template the page models, and its traps;
- ``metadata``: the exact expected values of ``METADATA_FIELDS`` (``null``
  when the page does not state the value);
- ``with``: sentences that must be in the text (a ``\\n\\n`` inside one checks
  that paragraphs are separated by one blank line);
- ``without``: boilerplate that must not be (navigation, share, related,
  comments, footer, cookie text);
- or ``error``: the class name of the error extraction must raise;
- ``known_failures``: ``{check: reason}`` for checks the extractor gets wrong
  today.  They run as strict xfails, so a fix shows up as a failure to clean
  up.  A check is a metadata field, ``with``, ``without`` or
  ``title_not_in_body``.  The expectation stays the correct one.

``fixtures/pages/score-floor.json`` pins the minimum share of snippets
satisfied over all pages.  ``scripts/regen_golden.py`` shows the diff between
the expectations and what the extractor returns now, and rewrites the
metadata only with ``--write``.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import scraper

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures" / "pages"
FLOOR_FILE = PAGES / "score-floor.json"

#: The metadata compared exactly.
METADATA_FIELDS = (
    "title",
    "author",
    "date",
    "language",
    "sitename",
    "canonical_url",
    "description",
)
#: Checks besides the metadata fields that ``known_failures`` may name.
OTHER_CHECKS = ("with", "without", "title_not_in_body", "paragraphs")


@dataclass(frozen=True)
class Case:
    """One golden page and its expectations."""

    name: str
    html: Path
    expected_file: Path
    expected: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.expected["url"])

    @property
    def error(self) -> str | None:
        return self.expected.get("error")

    @property
    def known_failures(self) -> dict[str, str]:
        return dict(self.expected.get("known_failures", {}))


def load_cases() -> list[Case]:
    """Every page with its expectations, sorted by name."""
    cases = []
    for html in sorted(PAGES.glob("*.html")):
        name = html.name.removesuffix(".html")
        expected_file = PAGES / f"{name}.expected.json"
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        cases.append(Case(name, html, expected_file, expected))
    return cases


@functools.cache
def extract(name: str) -> scraper.Article | scraper.ScraperError:
    """The extraction of one page (bytes, as the CLI reads files), cached per session."""
    case = next(c for c in load_cases() if c.name == name)
    try:
        return scraper.extract(case.html.read_bytes(), case.url)
    except scraper.ScraperError as exc:
        return exc


def actual_metadata(article: scraper.Article) -> dict[str, Any]:
    """The compared metadata of an article, as in its JSON form."""
    data = article.to_dict()
    return {key: data[key] for key in METADATA_FIELDS}


def snippet_results(case: Case, text: str) -> dict[str, list[tuple[str, bool]]]:
    """For ``with`` and ``without``: each snippet and whether it is satisfied."""
    return {
        "with": [(s, s in text) for s in case.expected.get("with", [])],
        "without": [(s, s not in text) for s in case.expected.get("without", [])],
    }


def score(cases: list[Case]) -> dict[str, float]:
    """Share of ``with`` and ``without`` snippets satisfied over all article pages.

    A page that raises instead of returning an article satisfies none of its
    ``with`` snippets and all of its ``without`` ones (an empty text).
    """
    counts = {"with": [0, 0], "without": [0, 0]}
    for case in cases:
        if case.error:
            continue
        result = extract(case.name)
        text = result.text if isinstance(result, scraper.Article) else ""
        for kind, checks in snippet_results(case, text).items():
            counts[kind][0] += sum(ok for _, ok in checks)
            counts[kind][1] += len(checks)
    return {kind: ok / total if total else 1.0 for kind, (ok, total) in counts.items()}


def _article(case: Case) -> scraper.Article:
    result = extract(case.name)
    if isinstance(result, scraper.ScraperError):
        pytest.fail(f"{case.name}: extraction raised {type(result).__name__}: {result}")
    return result


CASES = load_cases()
ARTICLES = [c for c in CASES if not c.error]
ERRORS = [c for c in CASES if c.error]


def _params(cases: list[Case], check: str) -> list[Any]:
    """One pytest.param per case; a strict xfail where the check is a known failure."""
    params = []
    for case in cases:
        reason = case.known_failures.get(check)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        params.append(pytest.param(case, id=case.name, marks=marks))
    return params


def _field_params() -> list[Any]:
    params = []
    for case in ARTICLES:
        for field in METADATA_FIELDS:
            reason = case.known_failures.get(field)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            params.append(pytest.param(case, field, id=f"{case.name}-{field}", marks=marks))
    return params


# -- the fixtures themselves ---------------------------------------------------


def test_fixture_set_covers_the_spec():
    """At least 8 pages, several languages including Italian, and no-article pages."""
    assert len(CASES) >= 8
    languages = {c.expected["metadata"]["language"] for c in ARTICLES}
    assert {"it", "en", "de", "fr"} <= languages
    assert len(ERRORS) >= 3


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_expected_file_is_well_formed(case: Case):
    exp = case.expected
    assert exp["url"].startswith(("http://", "https://"))
    assert exp.get("template"), "say which real template the page models"
    if case.error:
        assert hasattr(scraper, case.error), f"unknown error class {case.error}"
        assert not {"metadata", "with", "without"} & exp.keys()
        return
    assert set(exp["metadata"]) == set(METADATA_FIELDS)
    assert len(exp["with"]) >= 5 and len(exp["without"]) >= 8
    assert set(case.known_failures) <= {*METADATA_FIELDS, *OTHER_CHECKS}
    assert all(case.known_failures.values()), "every known failure needs its reason"


def test_every_expected_file_has_a_page():
    pages = {p.name.removesuffix(".html") for p in PAGES.glob("*.html")}
    expected = {p.name.removesuffix(".expected.json") for p in PAGES.glob("*.expected.json")}
    assert expected == pages


# -- extraction ------------------------------------------------------------------


@pytest.mark.parametrize(("case", "field"), _field_params())
def test_metadata(case: Case, field: str):
    assert actual_metadata(_article(case))[field] == case.expected["metadata"][field]


@pytest.mark.parametrize("case", _params(ARTICLES, "with"))
def test_with_snippets(case: Case):
    text = _article(case).text
    missing = [s for s, ok in snippet_results(case, text)["with"] if not ok]
    assert not missing, f"missing from the text: {missing}"


@pytest.mark.parametrize("case", _params(ARTICLES, "without"))
def test_without_snippets(case: Case):
    text = _article(case).text
    kept = [s for s, ok in snippet_results(case, text)["without"] if not ok]
    assert not kept, f"boilerplate in the text: {kept}"


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@pytest.mark.parametrize("case", _params(ARTICLES, "title_not_in_body"))
def test_title_not_in_body(case: Case):
    """The headline is the ``title`` field; repeated as a body paragraph it is a duplicate."""
    article = _article(case)
    title = _words(case.expected["metadata"]["title"])
    assert all(title not in _words(p) for p in article.text.split("\n\n"))


@pytest.mark.parametrize("case", _params(ARTICLES, "paragraphs"))
def test_text_shape(case: Case):
    """Paragraphs separated by exactly one blank line, no stray whitespace."""
    text = _article(case).text
    assert text == text.strip()
    assert "\n\n\n" not in text
    assert all(p.strip() == p and p for p in text.split("\n\n"))


@pytest.mark.parametrize("case", ERRORS, ids=lambda c: c.name)
def test_no_article(case: Case):
    result = extract(case.name)
    assert type(result).__name__ == case.error, f"got {result!r}"


def test_score_floor():
    """The share of snippets satisfied never drops below the pinned floor."""
    floor = json.loads(FLOOR_FILE.read_text(encoding="utf-8"))
    now = score(CASES)
    for kind in ("with", "without"):
        assert now[kind] >= floor[kind], (
            f"{kind} snippets: {now[kind]:.3f} < floor {floor[kind]:.3f}; "
            "see `python scripts/regen_golden.py`"
        )
