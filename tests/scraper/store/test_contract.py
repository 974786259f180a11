"""The CrawlStore contract: every test runs against SQLite, and PostgreSQL when configured.

A behaviour belongs here when the crawler relies on it whatever the backend:
dedup, due times, per-host delay across workers, leases, article numbering,
near-duplicates, run exclusivity, stats, and round-trips of any URL and text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.crawling.store import Claim, CrawlStore, FetchResult, NewURL, simhash
from scraper.crawling.store.base import StoredResponse
from scraper.errors import StoreLocked

ROOT = Path(__file__).resolve().parents[3]
SEC = dt.timedelta(seconds=1)
ZERO = dt.timedelta(0)
LEASE = dt.timedelta(minutes=5)
OK = FetchResult(200, "ok")


def new(*items: str, priority: int = 0) -> list[NewURL]:
    return [NewURL(url, priority=priority) for url in items]


def claim(
    store: CrawlStore,
    now: dt.datetime,
    *,
    worker: str = "w1",
    limit: int = 10,
    lease: dt.timedelta = LEASE,
    delay: dt.timedelta = ZERO,
    job: str = "job",
) -> list[Claim]:
    return store.claim(job, worker, limit=limit, lease=lease, host_delay=delay, now=now)


def record(
    store: CrawlStore, c: Claim, now: dt.datetime, text: str, *, hash_: int | None = None
) -> object:
    return store.record_article(
        c,
        {"url": c.url, "text": text},
        fingerprint=str(hash(text)),
        simhash=simhash(text) if hash_ is None else hash_,
        result=FetchResult(200, "ok", next_due=now + dt.timedelta(hours=1)),
        now=now,
    )


# -- frontier ------------------------------------------------------------------------------


def test_add_urls_counts_only_new_urls(store, now):
    assert (
        store.add_urls(
            "job", new("https://a.test/1", "https://a.test/2", "https://a.test/1"), now=now
        )
        == 2
    )
    assert store.add_urls("job", iter(new("https://a.test/2", "https://b.test/1")), now=now) == 1
    assert store.add_urls("other", new("https://a.test/1"), now=now) == 1  # jobs are separate
    assert store.stats("job").queued == 3


def test_claim_respects_due_time(store, now):
    store.add_urls("job", new("https://a.test/1"), now=now)
    assert claim(store, now - SEC) == []
    (c,) = claim(store, now)
    assert (c.url, c.host, c.fetch_count, c.job, c.worker) == (
        "https://a.test/1",
        "a.test",
        0,
        "job",
        "w1",
    )
    assert c.lease_until == now + LEASE
    later = now + dt.timedelta(hours=1)
    store.complete(c, FetchResult(200, "ok", etag='"v1"', fingerprint="f", next_due=later), now=now)
    assert claim(store, later - SEC) == []
    (again,) = claim(store, later)
    assert (again.fetch_count, again.etag, again.fingerprint) == (1, '"v1"', "f")


def test_higher_priority_first_within_a_host(store, now):
    store.add_urls("job", new("https://a.test/low"), now=now - SEC)
    store.add_urls("job", new("https://a.test/high", priority=5), now=now)
    got = [c.url for c in claim(store, now, limit=2)]
    assert got == ["https://a.test/high", "https://a.test/low"]


def test_host_delay_holds_across_two_workers(open_new, now):
    one, two = open_new(), open_new()
    one.add_urls("job", new("https://a.test/1", "https://a.test/2", "https://b.test/1"), now=now)
    delay = dt.timedelta(seconds=10)
    first = claim(one, now, worker="w1", delay=delay)
    assert sorted(c.host for c in first) == ["a.test", "b.test"]  # one URL per host
    assert claim(two, now, worker="w2", delay=delay) == []
    assert claim(two, now + 9 * SEC, worker="w2", delay=delay) == []
    assert [c.url for c in claim(two, now + delay, worker="w2", delay=delay)] == [
        "https://a.test/2"
    ]


def test_skipped_hosts_are_passed_over_and_keep_their_slot(store, now):
    store.add_urls("job", new("https://a.test/1", "https://a.test/2", "https://b.test/1"), now=now)
    delay = dt.timedelta(seconds=10)
    got = store.claim(
        "job", "w1", limit=10, lease=LEASE, host_delay=delay, now=now, skip_hosts={"a.test"}
    )
    assert [c.url for c in got] == ["https://b.test/1"]
    # a.test's slot did not move: its next URL is due at once, not a delay later.
    assert [c.url for c in claim(store, now, delay=delay)] == ["https://a.test/1"]


def test_per_host_caps_the_urls_of_one_host_in_one_claim(store, now):
    store.add_urls("job", new("https://a.test/1", "https://a.test/2", "https://b.test/1"), now=now)
    got = store.claim("job", "w1", limit=10, lease=LEASE, host_delay=ZERO, now=now, per_host=1)
    assert sorted(c.host for c in got) == ["a.test", "b.test"]
    assert [c.url for c in claim(store, now)] == ["https://a.test/2"]


def test_host_delay_from_robots_and_retry_after(store, now):
    store.add_urls("job", new("https://a.test/1", "https://a.test/2", "https://b.test/1"), now=now)
    store.set_host_delay("job", "a.test", dt.timedelta(seconds=60))
    store.set_host_delay("job", "a.test", dt.timedelta(seconds=5))  # never lowers
    store.defer_host("job", "b.test", now + dt.timedelta(hours=1))
    assert [c.url for c in claim(store, now, delay=SEC)] == ["https://a.test/1"]
    assert claim(store, now + 59 * SEC, delay=SEC) == []
    assert [c.url for c in claim(store, now + 60 * SEC, delay=SEC)] == ["https://a.test/2"]
    late = now + dt.timedelta(hours=1)  # the a.test leases (5 min) expired too
    assert sorted(c.url for c in claim(store, late))[-1] == "https://b.test/1"


def test_expired_lease_returns_the_url(open_new, now):
    one, two = open_new(), open_new()
    one.add_urls("job", new("https://a.test/1"), now=now)
    (c1,) = claim(one, now, worker="w1", lease=10 * SEC)
    assert claim(two, now + 9 * SEC, worker="w2") == []
    (c2,) = claim(two, now + 11 * SEC, worker="w2")
    assert (c2.url, c2.worker) == ("https://a.test/1", "w2")
    one.complete(c1, FetchResult(500, "error", error_type="HTTPStatusError"), now=now)  # too late
    two.complete(c2, OK, now=now + 12 * SEC)
    stats = two.stats("job")
    assert (stats.fetched, stats.errors_by_type, stats.queued) == (1, {}, 0)


def test_release_makes_urls_due_at_once(store, now):
    store.add_urls("job", new("https://a.test/1", "https://b.test/1"), now=now)
    claims = claim(store, now)
    assert claim(store, now) == []
    store.release(claims)
    again = claim(store, dt.datetime.now(dt.UTC), worker="w2")
    assert sorted(c.url for c in again) == ["https://a.test/1", "https://b.test/1"]
    assert all(c.fetch_count == 0 for c in again)


def test_end_run_releases_the_workers_leases(store, now):
    store.begin_run("job", "w1", exclusive=False)
    store.add_urls("job", new("https://a.test/1"), now=now)
    claim(store, now, worker="w1")
    store.end_run("job", "w1")
    assert [c.worker for c in claim(store, dt.datetime.now(dt.UTC), worker="w2")] == ["w2"]
    assert store.stats("job").last_run_finished is not None


def test_complete_schedules_next_due_or_retires(store, now):
    store.add_urls("job", new("https://a.test/1", "https://b.test/1"), now=now)
    ca, cb = sorted(claim(store, now), key=lambda c: c.url)
    store.complete(ca, FetchResult(200, "ok", next_due=None), now=now)
    store.complete(cb, FetchResult(503, "retry_later", next_due=now + 30 * SEC), now=now)
    assert claim(store, now + 29 * SEC) == []
    assert [c.url for c in claim(store, now + 30 * SEC)] == ["https://b.test/1"]
    far = [c.url for c in claim(store, now + dt.timedelta(days=365))]
    assert far == ["https://b.test/1"]  # its lease ran out; a.test/1 is never due again


def test_stats(store, now):
    store.begin_run("job", "w1", exclusive=True)
    store.add_urls("job", new(*(f"https://h{i}.test/" for i in range(5))), now=now)
    store.add_urls("job", new("https://later.test/"), now=now + dt.timedelta(days=1))
    c1, c2, *_ = claim(store, now, limit=3)
    store.complete(c1, FetchResult(0, "error", error_type="DeadlineExceeded"), now=now)
    record(store, c2, now, "some article text")
    stats = store.stats("job")
    assert stats.leased == 1
    assert stats.fetched == 2
    assert stats.articles == 1
    assert stats.errors_by_type == {"DeadlineExceeded": 1}
    assert stats.queued == 4  # 2 never claimed + the 1 h recrawl of c2 + later.test
    assert stats.due == 2  # later.test is due tomorrow (now is the wall clock)
    assert stats.last_run_started is not None and stats.last_run_finished is None
    assert store.stats("no such job").queued == 0


# -- articles ------------------------------------------------------------------------------


def test_record_article_new_changed_unchanged(store, now):
    store.add_urls("job", new("https://a.test/1", "https://b.test/1", "https://c.test/1"), now=now)
    claims = sorted(claim(store, now), key=lambda c: c.url)
    first = [record(store, c, now, f"text of {c.url} " * 50) for c in claims]
    assert [(a.change, a.seq) for a in first] == [("new", 1), ("new", 2), ("new", 3)]
    later = now + dt.timedelta(hours=1)
    ca, cb, _ = sorted(claim(store, later), key=lambda c: c.url)
    same = record(store, ca, later, f"text of {ca.url} " * 50)
    assert (same.change, same.seq, same.first_seen, same.last_changed) == (
        "unchanged",
        None,
        now,
        now,
    )
    changed = record(store, cb, later, "a wholly different story " * 50)
    assert (changed.change, changed.seq, changed.first_seen, changed.last_changed) == (
        "changed",
        4,
        now,
        later,
    )
    assert [a.seq for a in store.articles_after("job", 0)] == [1, 2, 3, 4]
    assert [a.seq for a in store.articles_after("job", 2, limit=1)] == [3]
    latest = {a.url: a.record["text"] for a in store.iter_articles("job")}
    assert latest["https://b.test/1"].startswith("a wholly different story")
    assert sorted(latest) == [c.url for c in claims]


def test_stored_articles_carry_what_record_article_decided(store, now):
    """The crawl columns come back with the record, exactly as record_article returned them.

    That is what makes an output line written after a crash (the catch-up)
    identical to the one written live.
    """
    store.add_urls("job", new("https://a.test/1", "https://b.test/1"), now=now)
    ca, cb = sorted(claim(store, now), key=lambda c: c.url)
    base = 0x0123_4567_89AB_CDEF
    decided = [record(store, ca, now, "a", hash_=base), record(store, cb, now, "b", hash_=base)]
    later = now + dt.timedelta(hours=1, microseconds=250)  # sub-second times survive
    (cb,) = [c for c in claim(store, later) if c.url == "https://b.test/1"]
    far = base ^ (1 | 1 << 20 | 1 << 40 | 1 << 60)  # no band shared with a: no duplicate
    decided.append(record(store, cb, later, "b, edited", hash_=far))
    stored = store.articles_after("job", 0)
    as_stored = [(a.seq, a.change, a.first_seen, a.last_changed, a.duplicate_of) for a in stored]
    assert as_stored == [
        (d.seq, d.change, d.first_seen, d.last_changed, d.duplicate_of) for d in decided
    ]
    assert as_stored == [
        (1, "new", now, now, None),
        (2, "new", now, now, "https://a.test/1"),
        (3, "changed", now, later, None),
    ]
    assert all(a.first_seen.utcoffset() == dt.timedelta(0) for a in stored)
    assert [a.url for a in stored] == ["https://a.test/1", "https://b.test/1", "https://b.test/1"]
    latest = [(a.seq, a.change, a.last_changed, a.duplicate_of) for a in store.iter_articles("job")]
    assert latest == [(1, "new", now, None), (3, "changed", later, None)]


def test_jobs_lists_every_job_sorted(store, now):
    assert store.jobs() == []
    store.add_urls("zeta", new("https://a.test/1"), now=now)
    store.begin_run("alpha", "w1", exclusive=True)
    store.end_run("alpha", "w1")
    assert store.jobs() == ["alpha", "zeta"]


def test_record_article_replay_returns_the_first_answer(store, now):
    store.add_urls("job", new("https://a.test/1"), now=now)
    (c,) = claim(store, now)
    first = record(store, c, now, "the story " * 40)
    assert record(store, c, now, "the story " * 40) == first
    assert [a.seq for a in store.articles_after("job", 0)] == [1]


def test_record_article_after_the_lease_was_lost_keeps_the_new_holders_lease(open_new, now):
    """The article is stored; the fetch result is not, and the new holder's lease stands."""
    one, two = open_new(), open_new()
    one.add_urls("job", new("https://a.test/1"), now=now)
    (c1,) = claim(one, now, worker="w1", lease=10 * SEC)
    (c2,) = claim(two, now + 11 * SEC, worker="w2")
    late = record(one, c1, now + 12 * SEC, "the story " * 40)
    assert late.change == "new" and late.seq == 1
    assert one.stats("job").fetched == 0  # w1's result was not stored
    assert claim(one, now + 13 * SEC, worker="w3") == []  # w2 still holds the URL
    assert record(two, c2, now + 14 * SEC, "the story " * 40).change == "unchanged"
    assert record(one, c1, now + 15 * SEC, "the story " * 40) == late  # a replay, still
    assert two.stats("job").fetched == 1


def test_seq_has_no_gaps_with_concurrent_workers(open_new, now):
    stores = [open_new(), open_new()]
    stores[0].add_urls("job", new(*(f"https://h{i % 7}.test/{i}" for i in range(40))), now=now)
    errors: list[BaseException] = []

    def work(store: CrawlStore, worker: str) -> None:
        try:
            while batch := claim(store, now, worker=worker, limit=3):
                for c in batch:
                    record(store, c, now, f"article {c.url} " * 30)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, f"w{i}")) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = [a.seq for a in stores[0].articles_after("job", 0)]
    assert seqs == list(range(1, 41))


def test_near_duplicates_found_by_simhash(store, now):
    hosts = ("a", "b", "c", "d", "e")
    store.add_urls("job", new(*(f"https://{h}.test/x" for h in hosts)), now=now)
    ca, cb, cc, cd, ce = sorted(claim(store, now), key=lambda c: c.url)
    base = 0x0123_4567_89AB_CDEF
    assert record(store, ca, now, "a", hash_=base).duplicate_of is None
    # 3 bits apart (all in one band): a near-duplicate of a
    assert record(store, cb, now, "b", hash_=base ^ 0b111).duplicate_of == "https://a.test/x"
    # 4 bits apart, one in each band: no band shared, and too far anyway
    far = base ^ (1 | 1 << 20 | 1 << 40 | 1 << 60)
    assert record(store, cc, now, "c", hash_=far).duplicate_of is None
    # close to b (which duplicates a): named after the original, a
    assert record(store, cd, now, "d", hash_=base ^ 0b1110).duplicate_of == "https://a.test/x"
    words = [f"w{i}" for i in range(600)]
    text = " ".join([*words[:300], "edited", *words[301:]])
    assert record(store, ce, now, text).duplicate_of is None  # unlike every hash above


def test_near_duplicates_of_real_texts(store, now):
    # One edited word moves a 600-word text's simhash by 0-5 bits (by chance:
    # the bits whose votes sit near the threshold flip), so most single-word
    # edits, not all, are within MAX_DISTANCE: here 8 of 10.
    words = [f"w{i}" for i in range(600)]
    copies = [f"https://copy{i}.a.test/story" for i in range(30, 600, 60)]
    store.add_urls("job", new("https://a.test/story", *copies), now=now)
    claims = {c.url: c for c in claim(store, now, limit=20)}
    record(store, claims.pop("https://a.test/story"), now, " ".join(words))
    found = 0
    for url, c in sorted(claims.items()):
        i = int(url.split("copy")[1].split(".")[0])
        copy = record(store, c, now, " ".join([*words[:i], "edited", *words[i + 1 :]]))
        assert copy.duplicate_of in (None, "https://a.test/story")
        found += copy.duplicate_of is not None
    assert found >= 8


# -- runs ----------------------------------------------------------------------------------

HOLDER = """
import datetime as dt, sys, time
from scraper.crawling.store import NewURL, open_store
store = open_store(sys.argv[1])
now = dt.datetime.now(dt.UTC)
store.begin_run("job", "holder", exclusive=True)
store.add_urls("job", [NewURL("https://a.test/1")], now=now)
claims = store.claim("job", "holder", limit=1, lease=dt.timedelta(hours=1),
                     host_delay=dt.timedelta(0), now=now)
print(len(claims), flush=True)
time.sleep(120)
"""


def test_second_exclusive_run_refused_until_first_is_killed(store_spec, open_new):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    store = open_new()
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_spec], stdout=subprocess.PIPE, env=env, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "1"
            with pytest.raises(StoreLocked, match=f"pid {holder.pid}"):
                store.begin_run("job", "second", exclusive=True)
            with pytest.raises(StoreLocked):  # the holder is exclusive: nobody joins
                store.begin_run("job", "second", exclusive=False)
        finally:
            holder.send_signal(signal.SIGKILL)  # kill -9: no clean-up of any kind
            holder.wait()
    store.begin_run("job", "second", exclusive=True)  # dead pid: taken over
    # The dead run's lease (1 h) was handed back at takeover, not after it expires.
    (c,) = claim(store, dt.datetime.now(dt.UTC), worker="second")
    assert c.url == "https://a.test/1"


def test_non_exclusive_runs_join(open_new):
    one, two = open_new(), open_new()
    one.begin_run("job", "w1", exclusive=False)
    two.begin_run("job", "w2", exclusive=False)
    one.begin_run("job", "w1", exclusive=False)  # idempotent
    with pytest.raises(StoreLocked, match="w1"):
        two.begin_run("job", "w3", exclusive=True)


# -- round trips and scale -------------------------------------------------------------------

_counter = itertools.count()
url_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=url_text, text=st.text(max_size=200), title=st.text(max_size=20))
def test_any_url_and_text_round_trip(store, now, path, text, title):
    job = f"roundtrip-{next(_counter)}"
    url = f"https://round.test/{path}"
    assert store.add_urls(job, [NewURL(url)], now=now) == 1
    (c,) = claim(store, now, job=job)
    assert c.url == url
    article = {"url": url, "text": text, "meta": {"title": title, "n": [1, None, True]}}
    fingerprint = hashlib.sha1(text.encode()).hexdigest()
    failed = FetchResult(200, "ok", error_message=text)  # free text, e.g. a server's words
    store.record_article(
        c, article, fingerprint=fingerprint, simhash=simhash(text), result=failed, now=now
    )
    (stored,) = store.articles_after(job, 0)
    assert (stored.url, stored.record) == (url, article)
    assert [a.record for a in store.iter_articles(job)] == [article]


@pytest.mark.slow
def test_100k_urls_add_and_claim(store, now):
    started = time.perf_counter()
    batch = (
        NewURL(f"https://site{i % 100}.example.com/2024/06/article-{i:08d}.html")
        for i in range(100_000)
    )
    assert store.add_urls("job", batch, now=now) == 100_000
    added = time.perf_counter()
    got = 0
    for step in range(20):
        claims = claim(store, now + step * SEC, limit=50, delay=SEC)
        got += len(claims)
    assert got == 20 * 50  # 100 hosts, one URL per host per second
    assert time.perf_counter() - added < 5  # claims stay cheap on a big frontier
    assert added - started < 40


def test_a_run_that_never_ended_in_this_process_gives_its_leases_back(store, now):
    """``end_run`` failed with the store (a full disk); the same worker starts the job again.

    Its old leases cannot be in flight any more: the new run gets them at
    once instead of waiting for them to expire.
    """
    store.begin_run("job", "w1", exclusive=True)
    store.add_urls("job", new("https://a.test/1"), now=now)
    assert len(claim(store, now, worker="w1")) == 1  # leased; end_run never ran
    assert claim(store, now, worker="w1") == []
    store.begin_run("job", "w1", exclusive=True)
    again = claim(store, dt.datetime.now(dt.UTC), worker="w1")  # due from the wall clock
    assert [c.url for c in again] == ["https://a.test/1"]


def test_raw_responses_are_kept_once_per_distinct_body(store, now):
    headers = [("content-type", "text/html; charset=utf-8"), ("etag", '"v1"')]
    body = "<p>Café</p>".encode()

    def add(url: str, body: bytes, at: dt.datetime) -> bool:
        return store.add_response("job", StoredResponse(url, at, 200, headers, body))

    assert add("https://a.test/1", body, now)
    assert not add("https://a.test/1", body, now + SEC)  # unchanged: skipped
    assert add("https://a.test/1", b"<p>v2</p>", now + 2 * SEC)
    assert add("https://b.test/1", b"\x00\xff binary", now + 3 * SEC)
    got = list(store.iter_responses("job"))
    assert [(r.url, r.body) for r in got] == [
        ("https://a.test/1", body),
        ("https://a.test/1", b"<p>v2</p>"),
        ("https://b.test/1", b"\x00\xff binary"),
    ]
    assert got[0].headers == headers and got[0].status == 200
    assert got[0].fetched_at == now
    assert list(store.iter_responses("other-job")) == []
