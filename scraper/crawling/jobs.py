"""Crawl jobs: what to crawl, how politely, how often, and where the articles go.

A job is a frozen dataclass built from a TOML job file (``load_job``) or from
the flags of a quick ``scraper crawl URL...`` (``quick_job``).  Every key of
the file is checked once, here, at the edge: an unknown key, a wrong type or
an impossible value raises ``ConfigError`` naming the file, the key and the
problem, so that a typo never silently changes what a scheduled job does.

The README documents every key with a complete example job.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cleaners.config import CleanerConfig
from scraper.config import Config, FetchConfig
from scraper.errors import ConfigError
from scraper.fetching.addresses import parse_networks

__all__ = ["DEFAULT_STORE", "Job", "load_job", "parse_duration", "quick_job"]

_T = TypeVar("_T")
_D = TypeVar("_D")

#: The store a job uses when it names none: beside the job file, or in the
#: current directory for quick crawls, so that rerunning a command resumes.
DEFAULT_STORE = "scraper-crawl.sqlite"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
#: What ``transport`` in [politeness] may name (FetchConfig.transport).
_TRANSPORTS = ("aiohttp", "httpx")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: object) -> float:
    """Seconds from ``90``, ``"90s"``, ``"15m"``, ``"1h"``, ``"1d"`` or ``"2w"``.

    >>> parse_duration("15m"), parse_duration(90), parse_duration("1.5h")
    (900.0, 90.0, 5400.0)
    """
    if isinstance(value, bool):
        raise ValueError("a duration, not a boolean")
    if isinstance(value, int | float):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            return float(m.group(1)) * _UNITS[m.group(2)]
    raise ValueError(f"not a duration: {value!r} (try 30, '90s', '15m', '1h' or '1d')")


@dataclass(frozen=True, slots=True)
class Job:
    """One crawl job.  Defaults make a small, polite, one-host crawl."""

    #: Name of the job in the store (one store can hold several jobs).
    name: str
    #: Pages to start from.
    seeds: tuple[str, ...] = ()
    #: Sitemaps to read URLs from (robots.txt and the usual places are tried too).
    sitemaps: tuple[str, ...] = ()
    #: RSS / Atom / JSON feeds to read URLs from.
    feeds: tuple[str, ...] = ()
    #: Store: a SQLite path or a ``postgresql://`` URL.
    store: str = DEFAULT_STORE
    #: JSON Lines file the new and changed articles are appended to; None: stdout.
    output: str | None = None
    #: Host names in scope (their subdomains too); empty: the seeds' hosts.
    domains: tuple[str, ...] = ()
    #: Regular expressions; a URL must match one of them (when any are given).
    include: tuple[str, ...] = ()
    #: Regular expressions; a URL matching one of them is out of scope.
    exclude: tuple[str, ...] = ()
    #: Links followed this many hops from a seed at most.
    max_depth: int = 5
    #: Pages fetched in one run at most (None: no cap).
    max_pages: int | None = None
    #: Seconds before an article is fetched again (conditional GET); None: never.
    recrawl: float | None = 86400.0
    #: How often ``scraper schedule`` starts the job, in seconds.
    every: float = 3600.0
    #: Keep each distinct raw response in the store, for ``scraper export --format warc``.
    archive: bool = False
    #: Fetching, extraction and cleaning options.
    config: Config = field(default_factory=Config)


def quick_job(
    urls: list[str],
    *,
    store: str | None,
    output: str | None,
    max_pages: int | None,
    config: Config,
    archive: bool = False,
) -> Job:
    """The job behind ``scraper crawl URL...``: named after its seeds, so reruns resume."""
    from scraper.crawling.urls import host_of

    hosts = sorted({h for h in (host_of(u) for u in urls) if h})
    return Job(
        name="quick:" + ",".join(hosts),
        seeds=tuple(urls),
        store=store or DEFAULT_STORE,
        output=output,
        max_pages=max_pages,
        archive=archive,
        config=config,
    )


# ---- reading a job file ------------------------------------------------------


class _Reader:
    """Reads typed values out of one TOML table, naming the key on any error."""

    def __init__(self, path: Path, table: str, data: Mapping[str, Any]) -> None:
        self.path = path
        self.table = table
        self.data = data
        self.used: set[str] = set()

    def fail(self, key: str, problem: str) -> ConfigError:
        where = f"{self.table}.{key}" if self.table else key
        return ConfigError(f"{self.path}: [{where}]: {problem}")

    def _raw(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key)

    def text(self, key: str) -> str | None:
        value = self._raw(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, f"expected a string, got {_type_name(value)}")
        return value

    def flag(self, key: str) -> bool | None:
        value = self._raw(key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, f"expected true or false, got {_type_name(value)}")
        return value

    def number(self, key: str) -> float | None:
        value = self._raw(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"expected a number, got {_type_name(value)}")
        if value < 0:
            raise self.fail(key, "must not be negative")
        return float(value)

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._raw(key)
        items = [] if value is None else [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(v.strip() for v in items)

    def convert(self, key: str, fn: Callable[[object], _T], default: _D) -> _T | _D:
        value = self._raw(key)
        if value is None:
            return default
        try:
            return fn(value)
        except (ValueError, TypeError) as exc:
            raise self.fail(key, str(exc)) from None

    def check_unknown(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.fail(unknown[0], "unknown key (check the spelling; see the README)")


def _type_name(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def _whole(value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"expected a whole number of at least {minimum}, got {value!r}")
    return value


def _positive_int(value: object) -> int:
    return _whole(value, 1)


def _non_negative_int(value: object) -> int:
    return _whole(value, 0)


def _regexes(reader: _Reader, key: str) -> tuple[str, ...]:
    patterns = reader.strings(key)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise reader.fail(key, f"bad regular expression {pattern!r}: {exc}") from None
    return patterns


def _table(path: Path, data: Mapping[str, Any], name: str) -> _Reader:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return _Reader(path, name, value)


def _fetch_config(reader: _Reader, base: FetchConfig) -> FetchConfig:
    changes: dict[str, object] = {}
    for key, attr in (("delay", "per_host_delay"), ("timeout", "timeout")):
        seconds = reader.number(key)
        if seconds is not None:
            changes[attr] = seconds
    for key, attr in (
        ("concurrency", "concurrency"),
        ("per_host", "per_host_concurrency"),
        ("retries", "retries"),
        ("max_size", "max_size"),
    ):
        count = reader.convert(key, _positive_int, None)
        if count is not None:
            changes[attr] = count
    robots = reader.flag("obey_robots")
    if robots is not None:
        changes["obey_robots"] = robots
    agent = reader.text("user_agent")
    if agent:
        changes["user_agent"] = agent
    allow = reader.strings("allow_networks")
    if allow:
        try:
            parse_networks(allow)
        except ConfigError as exc:
            raise reader.fail("allow_networks", str(exc)) from None
        changes["allow_networks"] = allow
    transport = reader.text("transport")
    if transport is not None:
        if transport not in _TRANSPORTS:
            raise reader.fail("transport", f"must be one of {', '.join(_TRANSPORTS)}")
        changes["transport"] = transport
        changes["http2"] = transport == "httpx"
    reader.check_unknown()
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _bool_fields(reader: _Reader, base: _T, names: list[str]) -> _T:
    changes = {}
    for name in names:
        value = reader.flag(name)
        if value is not None:
            changes[name] = value
    reader.check_unknown()
    return dataclasses.replace(base, **changes)  # type: ignore[type-var]


def load_job(path: str | Path) -> Job:
    """Read and check a TOML job file; ``ConfigError`` names the file, key and problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such job file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the job file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    known = {"job", "scope", "politeness", "recrawl", "extract", "clean"}
    for name in data:
        if name not in known:
            raise ConfigError(
                f"{path}: [{name}]: unknown table (known: {', '.join(sorted(known))})"
            )
    top = _table(path, data, "job")
    name = top.text("name") or path.stem
    seeds, sitemaps, feeds = top.strings("seeds"), top.strings("sitemaps"), top.strings("feeds")
    if not (seeds or sitemaps or feeds):
        raise top.fail("seeds", "a job needs at least one of seeds, sitemaps or feeds")
    store = top.text("store")
    if store is None:
        store = str(path.with_suffix(".sqlite"))
    elif "://" not in store and not Path(store).is_absolute():
        store = str(path.parent / store)  # relative to the job file, not the cwd
    output = top.text("output")
    if output is not None and not Path(output).is_absolute():
        output = str(path.parent / output)
    every = top.convert("every", parse_duration, 3600.0)
    archive = bool(top.flag("archive"))
    top.check_unknown()

    scope = _table(path, data, "scope")
    domains = scope.strings("domains")
    include, exclude = _regexes(scope, "include"), _regexes(scope, "exclude")
    max_depth = scope.convert("max_depth", _non_negative_int, 5)
    max_pages = scope.convert("max_pages", _positive_int, None)
    scope.check_unknown()

    recrawl_t = _table(path, data, "recrawl")
    recrawl: float | None = recrawl_t.convert("interval", parse_duration, 86400.0)
    if recrawl_t.flag("never"):
        recrawl = None
    recrawl_t.check_unknown()

    base = Config()
    fetch = _fetch_config(_table(path, data, "politeness"), base.fetch)
    extract = _bool_fields(
        _table(path, data, "extract"), base.extract, ["clean", "include_tables", "detect_language"]
    )
    clean = _bool_fields(
        _table(path, data, "clean"),
        base.clean,
        [f.name for f in dataclasses.fields(CleanerConfig) if f.type in (bool, "bool")],
    )
    return Job(
        name=name,
        seeds=seeds,
        sitemaps=sitemaps,
        feeds=feeds,
        store=store,
        output=output,
        domains=domains,
        include=include,
        exclude=exclude,
        max_depth=max_depth,
        max_pages=max_pages,
        recrawl=recrawl,
        every=every,
        archive=archive,
        config=Config(fetch=fetch, extract=extract, clean=clean),
    )
