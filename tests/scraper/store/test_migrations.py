"""Schema steps that rewrite stored rows, on both backends, on a store made before the step."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from scraper.crawling.store import FetchResult, NewURL, open_store, simhash
from scraper.crawling.store.simhash import bands, to_signed


def _raw(spec: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the store's database behind its back; the rows it returns."""
    if spec.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(spec, autocommit=True) as conn:
            cur = conn.execute(sql.replace("?", "%s"), params)
            return list(cur.fetchall()) if cur.description else []
    conn = sqlite3.connect(spec)
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_simhash_v2_rehashes_what_an_older_version_stored(store_spec):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    texts = {
        f"https://news.test/{i}": f"Story {i}: the harbour reopened on Monday. " * (20 + i)
        for i in range(7)
    }
    with open_store(store_spec) as store:
        store.add_urls("job", [NewURL(url) for url in texts], now=now)
        for c in store.claim(
            "job",
            "w1",
            limit=10,
            lease=dt.timedelta(minutes=5),
            host_delay=dt.timedelta(0),
            now=now,
        ):
            text = texts[c.url]
            store.record_article(
                c,
                {"url": c.url, "text": text},
                fingerprint=c.url,
                simhash=simhash(text),
                result=FetchResult(200, "ok"),
                now=now,
            )
    # What an older tidyscrape left: other hashes, and no record of step 0005.
    _raw(
        store_spec,
        "UPDATE articles SET simhash = 12345, band0 = 1, band1 = 2, band2 = 3, band3 = 4",
    )
    _raw(store_spec, "DELETE FROM _migrations WHERE name = '0005_simhash_v2'")
    with open_store(store_spec) as store:
        store.stats("job")  # opening applies the pending step
    rows = _raw(
        store_spec,
        """SELECT u.url, a.simhash, a.band0, a.band1, a.band2, a.band3
           FROM articles a JOIN urls u ON u.id = a.url_id""",
    )
    assert len(rows) == len(texts)
    for url, *stored in rows:
        value = simhash(texts[url])
        assert stored == [to_signed(value), *bands(value)]
    applied = _raw(store_spec, "SELECT name FROM _migrations WHERE name = '0005_simhash_v2'")
    assert applied == [("0005_simhash_v2",)]
