"""Shared fixtures: the published JSON Schemas, with a tiny validator.

The validator covers the keywords our schemas use (type, const, pattern,
required, properties, additionalProperties, items, minimum), so the tests
need no ``jsonschema`` dependency.  An unknown keyword fails loudly rather
than being ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from importlib.resources import files
from typing import Any

import pytest

_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_ANNOTATIONS = {"$schema", "$id", "title", "description"}
#: The validation keywords understood; any other keyword fails loudly.
_KEYWORDS = {
    "type",
    "const",
    "pattern",
    "minimum",
    "required",
    "properties",
    "additionalProperties",
    "items",
}


def _schema_errors(schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """Every way ``value`` breaks ``schema`` (empty when it validates)."""
    errors: list[str] = []
    unknown = set(schema) - _ANNOTATIONS - _KEYWORDS
    if unknown:
        raise AssertionError(f"{where}: the test validator does not know {sorted(unknown)}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [f"{where}: {value!r} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} != const {schema['const']!r}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{where}: {value!r} does not match {schema['pattern']!r}")
    if "minimum" in schema and isinstance(value, int | float) and value < schema["minimum"]:
        errors.append(f"{where}: {value!r} < minimum {schema['minimum']!r}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        required = schema.get("required", ())
        errors += [f"{where}: missing key {k!r}" for k in required if k not in value]
        for key, item in value.items():
            if key in props:
                errors += _schema_errors(props[key], item, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected key {key!r}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += _schema_errors(schema["items"], item, f"{where}[{i}]")
    return errors


def _load_schema(name: str) -> dict[str, Any]:
    """``scraper/schema/<name>.schema.json``, read as installed package data."""
    text = files("scraper").joinpath("schema", f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@pytest.fixture(scope="session")
def article_schema() -> dict[str, Any]:
    """The JSON Schema of ``Article.to_dict()`` and of CLI json/jsonl articles."""
    return _load_schema("article")


@pytest.fixture(scope="session")
def error_schema() -> dict[str, Any]:
    """The JSON Schema of a failed input's record in CLI json/jsonl output."""
    return _load_schema("error")


@pytest.fixture(scope="session")
def schema_errors() -> Callable[[dict[str, Any], Any], list[str]]:
    """``schema_errors(schema, value)``: every way ``value`` breaks ``schema``, [] if valid."""
    return _schema_errors


@pytest.fixture(scope="session")
def crawl_pool() -> Iterator[Any]:
    """One warm extraction pool for every crawl test (see ``tests/scraper/crawlsite.py``)."""
    from tests.scraper.crawlsite import new_pool

    with new_pool() as pool:
        yield pool
