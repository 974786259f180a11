"""Run extractions in worker processes that are killed at their deadline or memory bound.

Parsing untrusted HTML happens inside C libraries (lxml, lexbor) that no
Python timeout can interrupt: a page nested 100,000 levels deep can hold one
call for many seconds.  So ``extract_url``, the CLI and crawls extract in a
separate process, bounded three ways:

* **time**: when a job passes ``ExtractConfig.timeout`` its worker is killed
  and replaced, and the job fails with a typed ``ExtractionError``.  The
  deadline covers the extraction only: a new worker first warms up (imports,
  language model, word lists: about a second, several on a busy machine)
  and says when it is ready, so a page never pays for a killed worker's
  replacement, which warms up while idle;
* **memory**: while it waits, the parent reads the worker's resident memory
  every :data:`MEMORY_POLL` seconds and kills it past ``memory_limit``
  (default :data:`WORKER_MEMORY_LIMIT`); the worker's address space is also
  capped by the kernel (``RLIMIT_AS``, :data:`ADDRESS_SPACE_FACTOR` times the
  limit), so that an allocation burst between two readings fails inside the
  worker instead of growing without bound;
* **input**: every document first goes through ``guard.screen_document`` in
  the worker (binary data refused, absurd nesting and attribute floods
  defused), so the parsers see nothing that makes them quadratic in the
  common hostile shapes, and the deadline is the backstop for the rest.

``scraper.extract()`` itself stays in-process (callers that want isolation
use this pool).  Resident memory is read from ``/proc``; where there is none,
only the address-space cap applies.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import gc
import importlib
import logging
import multiprocessing
import os
import pickle
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from scraper.config import DEFAULT_MAX_MEMORY, Config
from scraper.errors import (
    ExtractionError,
    FeedError,
    FeedTooLarge,
    NoArticleError,
    ScraperError,
    UndecodableContent,
    UnsupportedContent,
)
from scraper.extraction.guard import screen_document
from scraper.models import Article

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from types import TracebackType

__all__ = [
    "ADDRESS_SPACE_FACTOR",
    "MEMORY_POLL",
    "WORKER_MEMORY_LIMIT",
    "WORKER_NICE",
    "WORKER_STARTUP_TIMEOUT",
    "ExtractionPool",
    "Task",
    "extract_in_worker",
    "preload_for_fork",
    "usable_cores",
]

logger = logging.getLogger(__name__)

#: Resident memory (bytes) a worker may use before it is killed: 384 MiB.  A
#: warm worker holds about 220 MiB (lexbor, lxml, trafilatura, the language
#: model and word lists); a 5 MB page adds some 80 MiB.
WORKER_MEMORY_LIMIT: Final = DEFAULT_MAX_MEMORY  # ExtractConfig.max_memory's default
#: Seconds between two readings of a busy worker's resident memory.
MEMORY_POLL: Final = 0.02
#: The kernel caps a worker's address space at this multiple of its memory
#: limit: virtual size runs ~1.7x resident in a warm worker, and the cap only
#: has to stop a runaway allocation that the readings would see too late.
ADDRESS_SPACE_FACTOR: Final = 4

#: The niceness a crawl gives its extraction workers (``ExtractionPool(nice=...)``):
#: below the crawl's own process, which fetches, keeps the politeness timers and
#: feeds the workers.  Why: a crawl on two cores runs one worker per core plus
#: one, and the crawl's loop needs about a quarter of the CPU in short bursts;
#: at equal priority it waits behind workers it has work for (on 2 cores: 96 %
#: of the CPU busy, 98 % with workers at 5, and the seeds fetched 0.15 s sooner).
#: Niceness only orders this machine's processes: alone, the workers still get
#: every core the loop leaves.
WORKER_NICE: Final = 5

#: Seconds a new worker may take to start and warm up before it counts as broken.
WORKER_STARTUP_TIMEOUT: Final = 120.0

#: What a new worker extracts once before it reports ready, so that the lazy
#: loads (language model, word lists, charset tables) happen then, outside
#: any page's deadline (the forkserver already did, see ``_preload``: then
#: it costs a few milliseconds).
WARM_UP_DOCUMENT: Final = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "<p>The council met on Tuesday to discuss the harbour, the railway station and "
    "the new library. The mayor said that the budget would be approved next month.</p>"
    * 3
    + "</article></body></html>"
).encode()

#: Errors a worker may send back, by name; anything else arrives as ExtractionError.
_KNOWN_ERRORS: dict[str, type[ScraperError]] = {
    "ExtractionError": ExtractionError,
    "NoArticleError": NoArticleError,
    "FeedError": FeedError,
    "FeedTooLarge": FeedTooLarge,
    "UnsupportedContent": UnsupportedContent,
    "UndecodableContent": UndecodableContent,
}

_PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE")

#: ``arun`` writes a job up to this size (pickled) from the event loop itself:
#: the worker it goes to is idle, reading, so the write takes as long as the
#: copy (a local socket buffers ~200 KiB anyway).  Larger jobs are written
#: from a thread, so that a multi-megabyte page never holds the loop.
_LOOP_SEND_MAX: Final = 256 * 1024
_dumps = ForkingPickler.dumps  # what Connection.send pickles with
#: ``arun`` writes a job up to this size to a worker that is still starting
#: (not reading yet): it must fit in the socket's buffer (~200 KiB here).
_UNREAD_SEND_MAX: Final = 16 * 1024


#: What a sent job's payload becomes (see ``ExtractionPool._begin``).
_SENT: Final = memoryview(b"")


def _loads(data: bytes) -> tuple[Any, ...]:
    """A worker's reply, unpickled; ExtractionError if it does not load in this process.

    Why everything is caught: unpickling runs code the reply names (a class
    this process cannot import, a ``__reduce__`` that raises anything), and
    a reply that was read whole must become that job's error, while the
    worker, which is fine, goes on.
    """
    try:
        reply: tuple[Any, ...] = pickle.loads(data)
    except Exception as exc:
        raise ExtractionError(f"the worker's reply could not be read: {exc!r}") from exc
    return reply


def _open_own_statm() -> int | None:
    """A descriptor of this process's ``/proc/self/statm`` (None without /proc), kept open
    by a worker for :func:`_own_resident`."""
    try:
        return os.open("/proc/self/statm", os.O_RDONLY)
    except OSError:
        return None


def _own_resident(statm: int | None) -> int | None:
    """This process's resident memory in bytes, read through ``statm``; None when unknown.

    Why a worker reports it with each reply: the pool's process then need
    not open ``/proc/PID/statm`` after every job (a path lookup and three
    system calls, ~1.5 % of a crawl process's CPU); a ``pread`` of an open
    descriptor is one call, in the worker.
    """
    if statm is None:
        return None
    try:
        return int(os.pread(statm, 256, 0).split()[1]) * _PAGE_SIZE
    except (OSError, IndexError, ValueError):
        return None


def _resident(pid: int | None) -> int | None:
    """Resident memory of process ``pid`` in bytes; None when unknown (no /proc, gone)."""
    if pid is None:
        return None
    # os calls, not pathlib: this runs after every job (a third of the cost).
    try:
        fd = os.open(f"/proc/{pid}/statm", os.O_RDONLY)
    except OSError:
        return None
    try:
        fields = os.read(fd, 256).split()
    except OSError:
        return None
    finally:
        os.close(fd)
    return int(fields[1]) * _PAGE_SIZE


def _peak_resident(pid: int | None) -> int | None:
    """Peak resident memory (VmHWM) of process ``pid`` in bytes; None when unknown."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _cap_address_space(limit: int | None) -> None:
    """In the worker: make allocations past ``limit`` bytes of address space fail."""
    if limit is None:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError) as exc:  # already over it, or a platform without the limit
        logger.warning("cannot cap the worker's address space at %d bytes: %s", limit, exc)


#: What a worker runs on each document: ``task(html, url, config, encoding=...)``.
#: It must be a module-level function (workers receive it by name, pickled)
#: and return something picklable.  The default is ``extract_article``; a
#: crawl passes one that also returns the page's links from the same parse.
Task = Callable[..., Any]


def _serve(
    conn: Connection,
    config: Config,
    task: Task | None = None,
    address_space: int | None = None,
    inherited: tuple[Connection, ...] = (),
    nice: int = 0,
) -> None:
    """Worker loop: receive (html, url, encoding, binary_checked), send ("ok", result, resident) or
    ("error", name, msg, resident), ``resident`` being the worker's resident memory
    in bytes after the job (None when unknown).

    ``nice`` is added to the worker's niceness first (see :data:`WORKER_NICE`).

    ``inherited``: the parent's ends of the pool's pipes, which a worker
    forked from the parent holds copies of (see ``ExtractionPool.prefork``).
    They are closed first: while a worker holds its parent's end, its own
    end never reads end-of-file, and it would outlive a parent killed with
    ``kill -9`` (keeping the parent's stdout open).
    """
    for end in inherited:
        end.close()
    # Ctrl-C in a terminal reaches the whole process group: the parent decides
    # what stops, and kills workers it no longer wants.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker forked from the crawl itself (ExtractionPool.prefork) inherits
    # its event loop's signal handling: a SIGTERM here would run the parent's
    # handler, and its wake-up byte would go down the parent's loop pipe.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    if nice:
        try:
            os.nice(nice)
        except OSError as exc:  # a sandbox that forbids it: the worker still works
            logger.warning("extraction worker: cannot change its niceness by %d: %s", nice, exc)
    _cap_address_space(address_space)
    from scraper.extraction.article import extract_article

    try:
        extract_article(WARM_UP_DOCUMENT, None, config)
    except ExtractionError as exc:  # a config that finds no article here: warm enough
        logger.debug("warm-up extraction: %s", exc)
    if task is None:
        task = extract_article
    statm = _open_own_statm()
    try:
        conn.send(("ready",))
    except (BrokenPipeError, OSError):
        return  # the pool closed before this worker was ready
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        html, url, encoding, binary_checked = job
        try:
            html = screen_document(html, url, encoding=encoding, binary_checked=binary_checked)
            result = task(html, url, config, encoding=encoding)
            conn.send(("ok", result, _own_resident(statm)))
        except ScraperError as exc:
            conn.send(("error", type(exc).__name__, str(exc), _own_resident(statm)))
        except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
            # A library bug on one page must become that page's typed error,
            # not the end of the batch; the parent maps it to ExtractionError.
            message = f"{type(exc).__name__}: {exc}"
            conn.send(("error", type(exc).__name__, message, _own_resident(statm)))


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: The worker said it is warm; until then its first message is awaited.
    ready: bool = False


@dataclass(slots=True, eq=False)
class _Job:
    """One ``arun`` call: the pickled document, and the loop and future its reply goes to."""

    #: The pickled job; emptied once sent.
    payload: memoryview
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[tuple[Any, ...]]
    #: Set while a worker holds it.
    run: _Run | None = None


@dataclass(slots=True, eq=False)
class _Run:
    """A job a worker holds, watched from the job's loop (``ExtractionPool._begin``)."""

    worker: _Worker
    job: _Job
    fd: int
    #: Loop time past which the worker is killed (its start's, until it is ready).
    deadline: float
    timer: asyncio.TimerHandle | None = None
    #: No longer watched: replied, killed, lost or abandoned.
    ended: bool = False


class ExtractionPool:
    """A few worker processes running :func:`extract_article` (or ``task``); thread-safe.

    Workers start on first use and are reused.  ``extract`` and ``run`` block
    the calling thread (call them through ``asyncio.to_thread`` from async
    code).  ``task`` replaces what the workers run (see :data:`Task`); then
    use ``run``, which returns whatever the task returns.  ``memory_limit``
    is the resident memory in bytes past which a busy worker is killed (None:
    no limit; by default ``config.extract.max_memory``); ``peak_rss`` reports
    the most any worker used so far.  ``nice`` is added to each worker's
    niceness (0: the caller's; a crawl gives :data:`WORKER_NICE`).
    """

    def __init__(
        self,
        config: Config,
        processes: int = 1,
        *,
        task: Task | None = None,
        memory_limit: int | Literal["config"] | None = "config",
        nice: int = 0,
    ) -> None:
        self._config = config
        self._task = task
        self._nice = nice
        self._memory_limit = config.extract.max_memory if memory_limit == "config" else memory_limit
        # The highest peak resident memory (bytes) of the workers already gone.
        self._gone_peak = 0
        self._size = max(1, processes)
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        # Jobs of ``arun`` callers waiting for a free worker, first come
        # first served; a freed worker goes to them before the idle queue.
        self._queued: collections.deque[_Job] = collections.deque()
        # Jobs of ``arun`` callers that a worker holds (see _begin and _end).
        self._runs: set[_Run] = set()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        # forkserver: a clean child without the parent's threads or sockets.
        # The server imports the extraction stack and warms it up once
        # (``_preload``), and imports the task's module, so that every
        # worker, and every replacement of a killed one, starts warm: a
        # crawl's task module pulls in the link and store code, which each
        # new worker would otherwise import on its own (~0.07 s).
        self._ctx = multiprocessing.get_context("forkserver")
        self._fork_ctx = multiprocessing.get_context("fork")  # see prefork
        preload = ["scraper.extraction._preload"]
        if task is not None and task.__module__ not in preload:
            preload.append(task.__module__)
        self._ctx.set_forkserver_preload(preload)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def prefork(self) -> bool:
        """Start every worker now, forked from this process, if that is safe; True if done.

        Why: a worker from the forkserver starts a new interpreter that
        imports the whole extraction stack first, about half a second before
        the first page.  Here this process imports what it lacks of the
        stack once (a crawl already has the cleaners, numpy and httpx), and
        each worker forked from it only warms up: 0.07-0.09 s of CPU per
        worker instead of 0.2 (3 workers ready 0.1 s sooner).  A crawl calls
        this as it starts.  Safe only while this process runs one thread: fork copies
        the calling thread alone, and a lock another thread held would stay
        held in the child.  With other threads (an embedder's, a test
        server's), nothing happens and workers come from the forkserver, as
        do the replacements of killed workers always.
        """
        if not _may_fork():
            return False
        resident = _resident(os.getpid())
        if self._memory_limit is not None and resident and resident > self._memory_limit // 2:
            # A worker starts with its parent's memory: a large embedder's
            # would count against each worker's limit from the start.
            return False
        with self._lock:
            if self._closed:
                return False
            count = self._size - self._started
            self._started = self._size
        preload_for_fork()  # done already when a Crawler was built here
        # Frozen: the child's collector never finalises the parent's objects
        # (a store connection that was garbage at the fork, say).
        gc.freeze()
        try:
            for done in range(count):
                try:
                    worker = self._spawn(self._fork_ctx)
                except OSError as exc:  # no memory or processes left for a fork
                    logger.info("forking extraction workers failed (%s): forkserver", exc)
                    with self._lock:
                        self._started -= count - done
                    return done > 0
                self._release(worker)
        finally:
            gc.unfreeze()
        return True

    def _spawn(self, ctx: Any = None) -> _Worker:  # noqa: ANN401 (a multiprocessing context)
        ctx = self._ctx if ctx is None else ctx
        parent, child = ctx.Pipe()
        address_space = (
            None if self._memory_limit is None else self._memory_limit * ADDRESS_SPACE_FACTOR
        )
        inherited: tuple[Connection, ...] = ()
        if ctx is self._fork_ctx:  # a forked child holds copies of these (see _serve)
            with self._lock:
                inherited = (parent, *(worker.conn for worker in self._all))
        proc = ctx.Process(
            target=_serve,
            args=(child, self._config, self._task, address_space, inherited, self._nice),
            daemon=True,
            name="scraper-extract",
        )
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        with self._lock:
            closed = self._closed
            if not closed:
                self._all.append(worker)
        if closed:  # close() ran meanwhile and would never stop this one
            proc.kill()
            proc.join(1)
            parent.close()
            raise ExtractionError("the extraction pool is closed")
        return worker

    def _new_worker(self) -> _Worker:
        """``_spawn`` for a slot already counted in ``_started``: given back if it fails."""
        try:
            return self._spawn()
        except OSError as exc:  # no memory or processes left
            with self._lock:
                self._started -= 1
            raise ExtractionError(f"could not start an extraction worker: {exc}") from exc

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise ExtractionError("the extraction pool is closed")
            can_start = self._started < self._size
            if can_start:
                self._started += 1
        if can_start:
            return self._new_worker()
        worker = self._idle.get()
        if worker is None:
            raise ExtractionError("the extraction pool is closed")
        return worker

    @property
    def peak_rss(self) -> int:
        """The highest peak resident memory (bytes) of any worker of this pool so far.

        Read from the kernel's per-process high-water mark (VmHWM) when asked,
        not after every page: a live worker's mark already holds its past.
        """
        with self._lock:
            workers = list(self._all)
            peak = self._gone_peak
        for worker in workers:
            peak = max(peak, _peak_resident(worker.process.pid) or 0)
        return peak

    def _note_peak(self, worker: _Worker) -> None:
        """Keep the peak of a worker about to go (its /proc entry goes with it)."""
        peak = _peak_resident(worker.process.pid)
        if peak is not None:
            with self._lock:
                self._gone_peak = max(self._gone_peak, peak)

    def _discard(self, worker: _Worker) -> None:
        self._note_peak(worker)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        with self._lock:
            # One owner closes the pipe: close() takes every worker out of
            # _all and closes theirs (a Connection is not safe to close from
            # two threads at once).
            owned = worker in self._all
            if owned:
                self._all.remove(worker)
            closed = self._closed
        if owned:
            worker.conn.close()
        if closed:
            return
        try:  # replace it, so the pool keeps its size
            self._release(self._new_worker())
        except ExtractionError as exc:
            # The next call starts one; jobs already waiting fail if no
            # worker is left to serve them.
            logger.warning("%s", exc)
            with self._lock:
                orphans = list(self._queued) if self._started == 0 else []
                if orphans:
                    self._queued.clear()
            for job in orphans:
                with contextlib.suppress(RuntimeError):  # its loop closed
                    job.loop.call_soon_threadsafe(_fail, job.future, exc)

    def extract(
        self, html: bytes | str, url: str | None = None, *, encoding: str | None = None
    ) -> Article:
        """Extract one document in a worker; raise ExtractionError on deadline or crash."""
        article: Article = self.run(html, url, encoding=encoding)
        return article

    def run(
        self,
        html: bytes | str,
        url: str | None = None,
        *,
        encoding: str | None = None,
        binary_checked: bool = False,
    ) -> Any:  # noqa: ANN401 (whatever the pool's task returns; its caller knows the type)
        """Run the pool's task on one document; raise ExtractionError on deadline or crash.

        ``binary_checked``: the caller already refused binary data (a body our
        fetcher returned did: ``check_content``), so the worker's screen does
        not sample it again; the markup is screened all the same.
        """
        worker = self._acquire()
        try:
            if not worker.ready:
                self._start(worker)
            worker.conn.send((html, url, encoding, binary_checked))
            self._wait(worker)
            data = worker.conn.recv_bytes()
        except (EOFError, OSError) as exc:  # BrokenPipe, ConnectionReset; a pipe close() closed
            raise self._died(worker) from exc
        try:
            reply = _loads(data)
        except ExtractionError:
            self._settle(worker, None)
            raise
        self._settle(worker, _reported_resident(reply))
        return _result(reply, url)

    async def arun(
        self,
        html: bytes | str,
        url: str | None = None,
        *,
        encoding: str | None = None,
        binary_checked: bool = False,
    ) -> Any:  # noqa: ANN401 (whatever the pool's task returns; its caller knows the type)
        """``run`` for async code: the same job and errors, waited for on the running loop.

        Why not ``asyncio.to_thread(pool.run, ...)``: that hands every job to
        a thread and its result back, which cost the calling process 0.3-0.4
        ms of CPU per job (thread wake-ups, GIL hand-offs, a future chained
        across threads), against about 0.15 ms here.  The loop sends the job,
        watches the worker's pipe, and keeps the deadline and memory limit
        with a timer; the callback that reads a reply sends the next waiting
        job at once, so a worker never waits for the loop to come round.
        What may block runs in threads: starting or replacing a worker, and
        sending a job larger than :data:`_LOOP_SEND_MAX`.  Cancelled while a
        worker holds its job, the worker finishes it (or is killed at the
        deadline) and returns to the pool; its reply is dropped.
        """
        loop = asyncio.get_running_loop()
        job = _Job(_dumps((html, url, encoding, binary_checked)), loop, loop.create_future())
        spawn = False
        with self._lock:
            if self._closed:
                raise ExtractionError("the extraction pool is closed")
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = None
                spawn = self._started < self._size
                if spawn:
                    self._started += 1
                else:
                    self._queued.append(job)
        if spawn:
            spawning = loop.run_in_executor(None, self._new_worker)
            try:
                worker = await asyncio.shield(spawning)
            except asyncio.CancelledError:
                spawning.add_done_callback(self._release_spawned)
                raise
        if worker is not None:
            self._begin(worker, job)
        try:
            reply = await job.future
        except asyncio.CancelledError:
            self._abandon(job)
            raise
        return _result(reply, url)

    def _release_spawned(self, spawning: asyncio.Future[_Worker]) -> None:
        if not spawning.cancelled() and spawning.exception() is None:
            self._release(spawning.result())

    def _release(self, worker: _Worker) -> None:
        """A worker is free: give it the first waiting ``arun`` job, else to the idle queue."""
        while True:
            with self._lock:
                job = self._queued.popleft() if self._queued else None
                if job is None:
                    # Under the lock: an arun that finds no idle worker
                    # queues its job under it too, so one of them sees the other.
                    self._idle.put(worker)  # never blocks
                    return
            if job.future.done():  # its caller was cancelled meanwhile
                continue
            if job.loop is _running_loop():
                self._begin(worker, job)
                return
            try:
                job.loop.call_soon_threadsafe(self._begin, worker, job)
            except RuntimeError:  # its loop closed: nobody waits for it
                continue
            return

    def _begin(self, worker: _Worker, job: _Job) -> None:
        """In the job's loop: send it to ``worker`` and watch for the reply."""
        if job.future.done():  # cancelled while the worker was handed over
            self._release(worker)
            return
        if self._closed:
            _fail(job.future, ExtractionError("the extraction pool is closed"))
            return
        loop = job.loop
        now = loop.time()
        timeout = self._config.extract.timeout
        # A new worker first says it is ready: its start has a deadline of its
        # own, and the job's begins then.
        deadline = now + (timeout if worker.ready else WORKER_STARTUP_TIMEOUT)
        try:
            fd = worker.conn.fileno()
        except OSError:  # close() closed it: the pool is closed
            _fail(job.future, ExtractionError("the extraction pool is closed"))
            return
        run = _Run(worker, job, fd, deadline)
        job.run = run
        with self._lock:
            self._runs.add(run)
        # A ready worker is reading: the write takes as long as the copy.  A
        # starting one reads nothing until it is warm, and a write larger
        # than the socket's buffer would hold the loop until then.
        payload, job.payload = job.payload, _SENT  # the page's bytes go as soon as sent
        on_loop = len(payload) <= (_LOOP_SEND_MAX if worker.ready else _UNREAD_SEND_MAX)
        try:
            loop.add_reader(fd, self._on_reply, run)
            if on_loop:
                worker.conn.send_bytes(payload)
        except (OSError, ValueError):  # BrokenPipe: it died while idle; or its pipe closed
            self._lost(run)
            return
        run.timer = loop.call_at(self._next_tick(run, now), self._on_tick, run)
        if not on_loop:
            sending = loop.run_in_executor(None, worker.conn.send_bytes, payload)
            sending.add_done_callback(lambda sent: self._check_sent(run, sent))

    def _check_sent(self, run: _Run, sending: asyncio.Future[None]) -> None:
        if not sending.cancelled() and sending.exception() is not None and not run.ended:
            self._lost(run)

    def _next_tick(self, run: _Run, now: float) -> float:
        """When to look at a busy worker next: its deadline, or the next memory reading."""
        if self._memory_limit is None or not run.worker.ready:
            return run.deadline
        return min(run.deadline, now + MEMORY_POLL)

    def _on_reply(self, run: _Run) -> None:
        """The worker's pipe is readable: its ready message, its reply, or its end."""
        worker, job = run.worker, run.job
        try:
            data = worker.conn.recv_bytes()
        except (EOFError, OSError):  # it died (or close() closed its pipe)
            self._lost(run)
            return
        try:
            message = _loads(data)
        except ExtractionError as exc:  # a whole reply that does not load here
            self._end(run)
            _fail(job.future, exc)
            self._release(worker)
            return
        loop = job.loop
        if not worker.ready:  # ("ready",): the job starts now
            worker.ready = True
            run.deadline = loop.time() + self._config.extract.timeout
            if run.timer is not None:
                run.timer.cancel()
            run.timer = loop.call_at(self._next_tick(run, loop.time()), self._on_tick, run)
            return
        self._end(run)
        if not job.future.done():
            job.future.set_result(message)
        if self._holds_too_much(worker, _reported_resident(message)):
            loop.run_in_executor(None, self._discard, worker)
        else:
            self._release(worker)

    def _on_tick(self, run: _Run) -> None:
        """A busy worker's deadline or memory reading is due."""
        if run.ended:
            return
        loop = run.job.loop
        now = loop.time()
        limit = self._memory_limit
        if self._closed or run.worker.conn.closed:
            self._lost(run)
            return
        if now >= run.deadline:
            ready = run.worker.ready
            self._kill(
                run, _deadline_error(self._config.extract.timeout) if ready else _startup_error()
            )
            return
        resident = (
            None if limit is None or not run.worker.ready else _resident(run.worker.process.pid)
        )
        if limit is not None and resident is not None and resident > limit:
            self._kill(run, _memory_error(limit, resident))
            return
        run.timer = loop.call_at(self._next_tick(run, now), self._on_tick, run)

    def _end(self, run: _Run) -> None:
        """Stop watching a worker (its reply came, or it is gone)."""
        if run.ended:
            return
        run.ended = True
        # job.run and run.job make a cycle: broken here, both go (and the
        # page's bytes with them) as soon as the caller has its answer,
        # not at the next collection (24 MiB more peak RSS in a crawl).
        run.job.run = None
        with self._lock:
            self._runs.discard(run)
        run.job.loop.remove_reader(run.fd)
        if run.timer is not None:
            run.timer.cancel()

    def _kill(self, run: _Run, error: ExtractionError) -> None:
        """Past its deadline or memory limit: kill the worker now, replace it off the loop."""
        self._end(run)
        self._note_peak(run.worker)  # while it has one: a killed process's is gone
        if run.worker.process.is_alive():
            run.worker.process.kill()
        _fail(run.job.future, error)
        run.job.loop.run_in_executor(None, self._discard, run.worker)

    def _lost(self, run: _Run) -> None:
        """The worker's pipe broke: it died, or the pool closed under it."""
        self._end(run)
        job = run.job
        if self._closed:
            _fail(job.future, ExtractionError("the extraction pool is closed"))
            return
        # Joining and replacing it block: in a thread, which then fails the job.
        dying = job.loop.run_in_executor(None, self._died, run.worker)
        dying.add_done_callback(lambda done: _fail(job.future, _error_of(done)))

    def _abandon(self, job: _Job) -> None:
        """The caller of ``job`` was cancelled: drop the job, or let a thread see it out."""
        with self._lock:
            if job in self._queued:
                self._queued.remove(job)
                return
        run = job.run
        if run is None or run.ended:  # not started yet (see _begin), or over
            return
        self._end(run)
        threading.Thread(target=self._finish_abandoned, args=(run.worker,), daemon=True).start()

    def _end_before_close(self, run: _Run) -> None:
        """For close(): fail a running job in its own loop, and wait (briefly) until it has."""
        loop = run.job.loop
        if loop is _running_loop():
            self._lost(run)
            return
        ended: concurrent.futures.Future[None] = concurrent.futures.Future()

        def end() -> None:
            try:
                self._lost(run)
            finally:
                ended.set_result(None)

        try:
            loop.call_soon_threadsafe(end)
            ended.result(timeout=1.0)
        except RuntimeError:  # its loop is closed: nothing watches the pipe any more
            logger.debug("closing: the loop of a running job is closed")
        except concurrent.futures.TimeoutError:  # its loop is blocked (on this close?)
            logger.debug("closing: the loop of a running job did not answer within 1 s")

    def _died(self, worker: _Worker) -> ExtractionError:
        """A worker whose pipe broke is gone: replace it, and say so (blocks: joins it)."""
        worker.process.join(1)
        code = worker.process.exitcode
        self._discard(worker)
        return ExtractionError(
            f"the extraction worker died (exit code {code}); its stderr says why"
        )

    def _finish_abandoned(self, worker: _Worker) -> None:
        """In a thread: wait out the job of a cancelled ``arun``, then free the worker."""
        try:
            if not worker.ready:
                self._start(worker)
            self._wait(worker)  # kills and replaces it at the deadline or memory limit
            worker.conn.recv_bytes()  # the reply nobody waits for: not even unpickled
        except ExtractionError as exc:
            logger.debug("abandoned extraction ended: %s", exc)
            return
        except (EOFError, OSError) as exc:
            logger.debug("abandoned extraction's worker died: %s", exc)
            self._discard(worker)
            return
        self._settle(worker, None)

    def _settle(self, worker: _Worker, resident: int | None) -> None:
        """After a reply: back to the pool, or replaced if it holds more than it may keep."""
        if self._holds_too_much(worker, resident):
            self._discard(worker)
        else:
            self._release(worker)

    def _holds_too_much(self, worker: _Worker, resident: int | None) -> bool:
        """Whether a worker that finished holds more memory than it may keep (start afresh).

        ``resident``: what the worker reported with its reply; None (it could
        not tell, or the reply did not load) reads /proc here.
        """
        limit = self._memory_limit
        if limit is None:
            return False
        if resident is None:
            resident = _resident(worker.process.pid)
        if resident is not None and resident > limit:
            logger.info("extraction worker holds %d MiB; replaced", resident >> 20)
            return True
        return False

    def _start(self, worker: _Worker) -> None:
        """Wait until a new worker has warmed up (outside any page's deadline)."""
        if not worker.conn.poll(WORKER_STARTUP_TIMEOUT):
            self._discard(worker)
            raise _startup_error()
        worker.conn.recv()  # ("ready",); EOFError if it died while starting
        worker.ready = True

    def _wait(self, worker: _Worker) -> None:
        """Wait for the worker's reply; kill it at the deadline or past the memory limit."""
        timeout = self._config.extract.timeout
        limit = self._memory_limit
        deadline = time.monotonic() + timeout
        pid = worker.process.pid
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._discard(worker)
                raise _deadline_error(timeout)
            step = remaining if limit is None else min(remaining, MEMORY_POLL)
            if worker.conn.poll(step):
                return
            resident = None if limit is None else _resident(pid)
            if limit is not None and resident is not None and resident > limit:
                self._discard(worker)
                raise _memory_error(limit, resident)

    def close(self) -> None:
        """Stop every worker; running jobs fail."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            queued = list(self._queued)
            self._queued.clear()
            runs = list(self._runs)
        closed = ExtractionError("the extraction pool is closed")
        for job in queued:
            with contextlib.suppress(RuntimeError):  # its loop closed: nobody waits any more
                job.loop.call_soon_threadsafe(_fail, job.future, closed)
        # Jobs being extracted fail too, and their loops stop watching the
        # pipes before they are closed below: a closed descriptor still
        # registered could be reused by the loop's next socket.
        for run in runs:
            self._end_before_close(run)
        for worker in workers:
            self._note_peak(worker)
            if not worker.ready and worker.process.is_alive():
                # Still starting (the run ended at once, say on a locked
                # store): it holds no job, and waiting for it would take
                # up to its whole start.
                worker.process.kill()
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                logger.debug("worker %s already gone", worker.process.pid)
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(1)
            worker.conn.close()
        for _ in range(len(workers) + 1):
            self._idle.put(None)


def _deadline_error(timeout: float) -> ExtractionError:
    return ExtractionError(
        f"extraction took longer than its deadline of {timeout:g} s; worker killed"
    )


def _memory_error(limit: int, resident: int) -> ExtractionError:
    return ExtractionError(
        f"extraction used more than {limit >> 20} MiB of memory ({resident >> 20} MiB); "
        "worker killed (a hostile or oversized document)"
    )


def _startup_error() -> ExtractionError:
    return ExtractionError(
        f"the extraction worker did not start within {WORKER_STARTUP_TIMEOUT:g} s; "
        "the machine may be overloaded"
    )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), not all the machine has."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS)
        return os.cpu_count() or 1


def _may_fork() -> bool:
    """Whether workers may be forked from this process now: it runs one thread.

    Fork copies the calling thread alone: a lock another thread held would
    stay held in the child.
    """
    return threading.active_count() == 1 and threading.current_thread() is threading.main_thread()


#: What ``preload_for_fork`` imports: the extraction stack, and what its first
#: page imports lazily (the language model's loader; ``numpy.ma``, which
#: ``np.unique`` imports on its first call: ~20 ms of each worker's start).
_PRELOADED: Final = ("scraper.extraction.article", "cleaners.langmodel", "numpy.ma")


def preload_for_fork() -> None:
    """Import the extraction stack here, when workers may be forked from this process.

    Why: workers forked from it (``ExtractionPool.prefork``) inherit the
    stack instead of each importing it: 0.16-0.18 s of CPU per worker, for
    9 MiB more here (the warm-up's language model and word lists, ~40 MiB
    more, still load in each worker).  A crawl calls this as it is built,
    with the rest of its start-up, so that the import does not hold up its
    first pages; with other threads running, its workers come from the
    forkserver and this process needs none of it.
    """
    if _may_fork():
        for module in _PRELOADED:
            importlib.import_module(module)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """This thread's running event loop, if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _error_of(dying: asyncio.Future[ExtractionError]) -> BaseException:
    """What ``ExtractionPool._died`` returned, or what stopped it."""
    if dying.cancelled():
        return ExtractionError("the extraction worker died")
    return dying.exception() or dying.result()


def _fail(future: asyncio.Future[Any], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def _reported_resident(reply: tuple[Any, ...]) -> int | None:
    """The resident memory a worker reported with its reply (see :func:`_serve`)."""
    resident = reply[-1] if len(reply) > 2 else None
    return resident if isinstance(resident, int) else None


def _result(reply: tuple[Any, ...], url: str | None) -> Any:  # noqa: ANN401 (the task's result)
    """What a worker's reply means: the task's result, or its error raised here."""
    if reply[0] == "ok":
        return reply[1]
    _, name, message = reply[:3]
    error = _KNOWN_ERRORS.get(name, ExtractionError)
    if issubclass(error, UnsupportedContent | UndecodableContent):
        raise error(message, url=url)
    raise error(message)


def extract_in_worker(
    html: bytes | str, url: str | None, config: Config, *, encoding: str | None = None
) -> Article:
    """Extract one document in a fresh worker process, killed at the deadline."""
    with ExtractionPool(config, 1) as pool:
        return pool.extract(html, url, encoding=encoding)
