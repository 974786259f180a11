"""Stores under fault (issue 5): a busy lock, a full disk, a newer schema, killed connections.

These need backend-specific means (another process holding the SQLite lock,
a file-size limit, ``pg_terminate_backend``), so they live outside the
contract suite, which only uses the CrawlStore interface.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.crawling.store import FetchResult, NewURL, SQLiteStore, open_store, simhash
from scraper.errors import ConfigError, StoreError
from tests.scraper.store.conftest import PG_SKIP, PG_URL, with_schema

ROOT = Path(__file__).resolve().parents[3]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ZERO = dt.timedelta(0)


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _add(store, n: int, now: dt.datetime, prefix: str = "https://a.test/") -> int:
    return store.add_urls("job", (NewURL(f"{prefix}{i}") for i in range(n)), now=now)


# -- SQLite --------------------------------------------------------------------------------

LOCKER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )  # plain sqlite3: needs no PYTHONPATH
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_sqlite_waits_for_another_process_holding_the_lock(tmp_path, now):
    path = tmp_path / "crawl.sqlite"
    with SQLiteStore(path) as store:
        _add(store, 10, now)
        with _hold_lock(path, 1.5) as locker, SQLiteStore(path) as late:
            started = time.monotonic()
            assert _add(store, 20, now) == 10  # waited, then wrote
            assert _add(late, 30, now) == 10  # opened while locked: waited too
            assert time.monotonic() - started > 1.0
            locker.wait()


def test_sqlite_without_waiting_gives_way_to_a_lock_at_once(tmp_path, now):
    """What the crawl's event loop relies on: a call that would wait raises WouldWait
    at once, having done nothing, and the store waits again outside the block."""
    from scraper.crawling.store.sqlite import WouldWait

    path = tmp_path / "crawl.sqlite"
    with SQLiteStore(path, busy_timeout=10.0) as store:
        _add(store, 10, now)
        with _hold_lock(path, 1.5) as locker:
            started = time.monotonic()
            with pytest.raises(WouldWait, match="by another process"), store.without_waiting():
                _add(store, 20, now)
            assert time.monotonic() - started < 0.5
            assert store.stats("job").queued == 10  # a read does not wait: nothing added
            assert _add(store, 20, now) == 10  # outside: waits for the lock, then writes
            locker.wait()
        with store.without_waiting():  # no lock held: done at once
            assert _add(store, 30, now) == 10
        # a call of another thread holding the store gives way too
        import threading

        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with store._tx(write=False):
                holding.set()
                release.wait(5)

        other = threading.Thread(target=hold)
        other.start()
        try:
            assert holding.wait(5)
            with pytest.raises(WouldWait, match="another thread"), store.without_waiting():
                _add(store, 40, now)
        finally:
            release.set()
            other.join()


def test_sqlite_lock_held_past_the_timeout_is_a_clear_error(tmp_path, now):
    path = tmp_path / "crawl.sqlite"
    with SQLiteStore(path, busy_timeout=0.3) as store:
        _add(store, 10, now)
        with _hold_lock(path, 3) as locker:
            with pytest.raises(StoreError, match=r"locked by another process for more than 0\.3 s"):
                _add(store, 20, now)
            locker.kill()
        assert store.stats("job").queued == 10
        assert _add(store, 20, now) == 10


FILLER = """
import datetime as dt, os, resource, signal, sys
from pathlib import Path
from scraper.crawling.store import NewURL, SQLiteStore
from scraper.errors import StoreError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
path = Path(sys.argv[1])
store = SQLiteStore(path)
now = dt.datetime.now(dt.UTC)
store.add_urls("job", [NewURL(f"https://a.test/{i}") for i in range(100)], now=now)
biggest = max(p.stat().st_size for p in path.parent.iterdir())
resource.setrlimit(resource.RLIMIT_FSIZE, (biggest + 16384, resource.RLIM_INFINITY))
try:
    big = (NewURL(f"https://b.test/{i}/" + "x" * 300) for i in range(5000))
    store.add_urls("job", big, now=now)
except StoreError as exc:
    print(exc)
"""


def test_sqlite_full_disk_is_a_clear_error_and_loses_nothing(tmp_path, now):
    path = tmp_path / "crawl.sqlite"
    out = subprocess.run(
        [sys.executable, "-c", FILLER, str(path)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=60,
        check=True,
    ).stdout
    assert "nothing committed before it was lost" in out
    assert "rerun the same command" in out
    with SQLiteStore(path) as store:  # the next run resumes
        assert store.stats("job").queued == 100
        assert _add(store, 200, now) == 100


def test_sqlite_store_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "crawl.sqlite"
    with SQLiteStore(path) as store:
        store.stats("job")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _migrations (name) VALUES ('9999_from_the_future')")
    conn.close()
    with SQLiteStore(path) as store, pytest.raises(StoreError, match="newer tidyscrape"):
        store.stats("job")


def test_sqlite_not_a_store(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database, just text " * 100)
    with SQLiteStore(path) as store, pytest.raises(StoreError, match="not a tidyscrape store"):
        store.stats("job")
    missing = SQLiteStore(tmp_path / "no" / "dir.sqlite")
    with missing, pytest.raises(StoreError, match="check its directory exists"):
        missing.stats("job")


def test_open_store_picks_the_backend(tmp_path, monkeypatch):
    assert isinstance(open_store(str(tmp_path / "a.sqlite")), SQLiteStore)
    assert isinstance(open_store(f"sqlite:///{tmp_path}/b.sqlite"), SQLiteStore)
    with pytest.raises(ConfigError, match=r"unsupported store 'redis://\*\*\*@h/0'"):
        open_store("redis://user:pw@h/0")
    # Without the postgres extra: a ConfigError saying what to install.
    monkeypatch.setitem(sys.modules, "psycopg", None)  # makes "import psycopg" fail
    for name in ("scraper.crawling.store.postgres", "scraper.crawling.store._postgres_ops"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'tidyscrape\[postgres\]'"):
        open_store("postgresql://user:secret@db/crawl")


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg_spec() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{with_schema(PG_URL, schema)}&application_name={schema}"
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


def _kill_connections_of(spec: str) -> int:
    """Terminate the server processes of this test's store, as an admin or a failover would."""
    import psycopg

    name = spec.rsplit("application_name=", 1)[1]
    with psycopg.connect(PG_URL or "", autocommit=True) as admin:
        row = admin.execute(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE application_name = %s""",
            (name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgres
def test_postgres_survives_killed_connections(pg_spec, now):
    store = open_store(pg_spec)
    try:
        _add(store, 3, now)
        (c1,) = store.claim(
            "job", "w", limit=1, lease=dt.timedelta(minutes=5), host_delay=ZERO, now=now
        )
        assert _kill_connections_of(pg_spec) >= 1
        # A generator not yet started is replayed after the reconnect.
        assert _add(store, 5, now) == 2
        assert _kill_connections_of(pg_spec) >= 1
        ok = FetchResult(200, "ok")
        first = store.record_article(
            c1, {"t": "x"}, fingerprint="f", simhash=simhash("x"), result=ok, now=now
        )
        assert first.seq == 1
        assert _kill_connections_of(pg_spec) >= 1
        claims = store.claim(
            "job", "w", limit=9, lease=dt.timedelta(minutes=5), host_delay=ZERO, now=now
        )
        assert len(claims) == 4
        for c in claims:
            assert _kill_connections_of(pg_spec) >= 1
            store.record_article(
                c, {"t": c.url}, fingerprint=c.url, simhash=simhash(c.url), result=ok, now=now
            )
        assert [a.seq for a in store.articles_after("job", 0)] == [1, 2, 3, 4, 5]
        assert store.stats("job").fetched == 5
    finally:
        store.close()


@pytest.mark.postgres
def test_postgres_unreachable_server_is_a_clear_error():
    pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    store = open_store("postgresql://nobody:secret@127.0.0.1:9/nothing?connect_timeout=2")
    with pytest.raises(
        StoreError, match=r"PostgreSQL store 127\.0\.0\.1:9/nothing: stats failed"
    ) as err:
        store.stats("job")
    assert "secret" not in str(err.value)
