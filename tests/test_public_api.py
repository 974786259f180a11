"""The public API: exports, the error tree, the result types and the JSON Schema.

Like httpx's ``tests/test_exported_members.py``: ``__all__`` is sorted the way
ruff's RUF022 sorts it, lists every public name, and every listed name exists.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import subprocess
import sys
import types
from importlib.resources import files
from pathlib import Path

import pytest

import cleaners
import scraper
import scraper.errors
from scraper.models import SCHEMA_VERSION, Article, Page

ROOT = Path(__file__).resolve().parent.parent
#: Names a module may hold without exporting them (imports of machinery).
NOT_API = {"annotations", "TYPE_CHECKING"}


def _isort_key(name: str) -> tuple[int, list[int | str]]:
    """RUF022's isort-style order: CONSTANTS, then Classes, then the rest; natural within."""
    if len(name) > 1 and name.isupper():
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    natural = [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
    return kind, natural


def _public_names(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and name not in NOT_API
        and not isinstance(value, types.ModuleType)
    }


@pytest.mark.parametrize("module", [scraper, cleaners], ids=lambda m: m.__name__)
def test_all_is_sorted(module: types.ModuleType):
    assert module.__all__ == sorted(module.__all__, key=_isort_key)
    assert len(set(module.__all__)) == len(module.__all__)


@pytest.mark.parametrize("module", [scraper, cleaners], ids=lambda m: m.__name__)
def test_all_is_complete(module: types.ModuleType):
    """Every public name the package defines or imports is exported, and every export exists."""
    exported = set(module.__all__)
    assert _public_names(module) - exported == set()
    for name in exported:
        assert getattr(module, name) is not None, name


def test_scraper_exports_every_error():
    assert set(scraper.errors.__all__) <= set(scraper.__all__)
    for name in scraper.errors.__all__:
        assert getattr(scraper, name) is getattr(scraper.errors, name)


def test_cleaner_config_is_the_same_class_everywhere():
    from cleaners.config import CleanerConfig

    assert scraper.CleanerConfig is cleaners.CleanerConfig is CleanerConfig


def _error_classes() -> list[type[BaseException]]:
    return [
        value
        for value in vars(scraper.errors).values()
        if isinstance(value, type) and issubclass(value, BaseException)
    ]


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_derives_from_scraper_error(cls: type[BaseException]):
    assert issubclass(cls, scraper.ScraperError)
    assert cls.__doc__, f"{cls.__name__} needs a docstring saying when it is raised"
    assert cls.__name__ in scraper.errors.__all__


def test_error_tree_is_drawn_in_the_docstring():
    """The module docstring draws the tree; each class sits under its parent."""
    doc = scraper.errors.__doc__ or ""
    depth = {}
    for line in doc.splitlines():
        match = re.match(r"^(\s*(?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+)\s", line + " ")
        if match and match.group(2) in scraper.errors.__all__:
            depth[match.group(2)] = len(match.group(1)) + (4 if "──" in line else 0)
    assert set(depth) == set(scraper.errors.__all__)
    for cls in _error_classes():
        if cls is scraper.ScraperError:
            continue
        parent = cls.__mro__[1]
        assert depth[cls.__name__] == depth[parent.__name__] + 4, cls.__name__


def test_error_attributes():
    fetch_error = scraper.HTTPStatusError("gone", url="https://example.org/", status=410)
    assert (fetch_error.url, fetch_error.status, str(fetch_error)) == (
        "https://example.org/",
        410,
        "gone",
    )
    assert isinstance(fetch_error, scraper.FetchError)


def test_public_function_signatures():
    """The documented calls: keyword-only config everywhere."""
    sig = inspect.signature(scraper.extract)
    assert list(sig.parameters) == ["html", "url", "config"]
    assert sig.parameters["url"].default is None
    assert sig.parameters["config"].kind is inspect.Parameter.KEYWORD_ONLY
    for func in (scraper.fetch, scraper.extract_url):
        sig = inspect.signature(func)
        assert list(sig.parameters) == ["url", "config"]
        assert sig.parameters["config"].kind is inspect.Parameter.KEYWORD_ONLY
    sig = inspect.signature(cleaners.clean)
    assert list(sig.parameters)[:2] == ["text", "lang"]


def test_import_is_cheap():
    """``import scraper`` does not pull httpx or trafilatura in (``scraper --help`` starts fast)."""
    code = "import sys, scraper; print(sorted({'httpx', 'trafilatura', 'lxml'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("package", ["scraper", "cleaners"])
def test_py_typed(package: str):
    assert files(package).joinpath("py.typed").is_file()


# -- results ------------------------------------------------------------------


def _minimal_article() -> Article:
    return Article(
        url=None,
        canonical_url=None,
        title=None,
        author=None,
        date=None,
        language=None,
        sitename=None,
        description=None,
        text="",
    )


@pytest.mark.parametrize("cls", [Article, Page], ids=lambda c: c.__name__)
def test_results_are_frozen_dataclasses(cls: type):
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_article_cannot_be_changed():
    article = _minimal_article()
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "changed"  # type: ignore[misc]


def test_to_dict_has_every_key_with_none_for_missing(article_schema):
    data = _minimal_article().to_dict()
    assert set(data) == set(article_schema["required"])
    assert data["schema_version"] == SCHEMA_VERSION == scraper.SCHEMA_VERSION
    scalar = {k for k, v in article_schema["properties"].items() if "null" in v.get("type", [])}
    assert {k for k in data if data[k] is None} == scalar
    assert (data["tags"], data["categories"], data["word_count"], data["text"]) == ([], [], 0, "")


def test_to_dict_is_json(article_schema, schema_errors):
    article = dataclasses.replace(
        _minimal_article(), tags=("a", "b"), categories=("c",), title="T", date="2024-01-31"
    )
    data = json.loads(json.dumps(article.to_dict()))
    assert data == article.to_dict()
    assert schema_errors(article_schema, data) == []


def test_schema_matches_the_model(article_schema):
    """Every key of to_dict() is described; the version is a const and in the $id."""
    assert article_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert article_schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert article_schema["$id"].endswith(f"/{SCHEMA_VERSION}")
    assert article_schema["additionalProperties"] is False
    assert set(article_schema["required"]) <= set(article_schema["properties"])
    for name, prop in article_schema["properties"].items():
        assert prop.get("description"), f"{name} needs a description"


def test_schema_validates_real_extractions(article_schema, schema_errors):
    """A page full of metadata and one with none both validate."""
    pages = ROOT / "fixtures" / "pages"
    for name, url in (
        ("it-wordpress-news", "https://www.gazzettadelvaldarno.it/2024/06/18/x/"),
        ("de-no-metadata", None),
    ):
        article = scraper.extract((pages / f"{name}.html").read_bytes(), url)
        assert schema_errors(article_schema, article.to_dict()) == []


def test_schema_validator_is_not_vacuous(article_schema, schema_errors):
    """The hand-rolled validator rejects what the schema forbids."""
    good = _minimal_article().to_dict()
    for change, key in (
        ({"schema_version": "0.9"}, "schema_version"),
        ({"date": "18/06/2024"}, "date"),
        ({"language": "it-IT"}, "language"),
        ({"word_count": -1}, "word_count"),
        ({"tags": [1]}, "tags"),
        ({"title": 3}, "title"),
        ({"extra": 1}, "extra"),
    ):
        assert any(key in e for e in schema_errors(article_schema, {**good, **change})), change
    missing = dict(good)
    del missing["author"]
    assert schema_errors(article_schema, missing) == ["$: missing key 'author'"]


def test_error_schema(error_schema, schema_errors):
    record = {"input": "x.html", "url": None, "error": {"type": "InputError", "message": "m"}}
    assert schema_errors(error_schema, record) == []
    assert schema_errors(error_schema, {**record, "error": {"type": "X"}}) != []
