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

import gc
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
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
    "WORKER_STARTUP_TIMEOUT",
    "ExtractionPool",
    "Task",
    "extract_in_worker",
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


def _resident(pid: int | None) -> int | None:
    """Resident memory of process ``pid`` in bytes; None when unknown (no /proc, gone)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/statm").read_bytes().split()
    except OSError:
        return None
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
) -> None:
    """Worker loop: receive (html, url, encoding), send ("ok", result) or ("error", name, msg).

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
    _cap_address_space(address_space)
    from scraper.extraction.article import extract_article

    try:
        extract_article(WARM_UP_DOCUMENT, None, config)
    except ExtractionError as exc:  # a config that finds no article here: warm enough
        logger.debug("warm-up extraction: %s", exc)
    if task is None:
        task = extract_article
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
        html, url, encoding = job
        try:
            html = screen_document(html, url, encoding=encoding)
            conn.send(("ok", task(html, url, config, encoding=encoding)))
        except ScraperError as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
            # A library bug on one page must become that page's typed error,
            # not the end of the batch; the parent maps it to ExtractionError.
            conn.send(("error", type(exc).__name__, f"{type(exc).__name__}: {exc}"))


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: The worker said it is warm; until then its first message is awaited.
    ready: bool = False


class ExtractionPool:
    """A few worker processes running :func:`extract_article` (or ``task``); thread-safe.

    Workers start on first use and are reused.  ``extract`` and ``run`` block
    the calling thread (call them through ``asyncio.to_thread`` from async
    code).  ``task`` replaces what the workers run (see :data:`Task`); then
    use ``run``, which returns whatever the task returns.  ``memory_limit``
    is the resident memory in bytes past which a busy worker is killed (None:
    no limit; by default ``config.extract.max_memory``); ``peak_rss`` reports
    the most any worker used so far.
    """

    def __init__(
        self,
        config: Config,
        processes: int = 1,
        *,
        task: Task | None = None,
        memory_limit: int | Literal["config"] | None = "config",
    ) -> None:
        self._config = config
        self._task = task
        self._memory_limit = config.extract.max_memory if memory_limit == "config" else memory_limit
        # The highest peak resident memory (bytes) of the workers already gone.
        self._gone_peak = 0
        self._size = max(1, processes)
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
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
        the first page; forked from a process that has imported most of it
        (a crawl has: the cleaners, numpy, httpx), a worker only imports the
        rest and is ready in a third of that.  A crawl calls this as it
        starts.  Safe only while this process runs one thread: fork copies
        the calling thread alone, and a lock another thread held would stay
        held in the child.  With other threads (an embedder's, a test
        server's), nothing happens and workers come from the forkserver, as
        do the replacements of killed workers always.
        """
        if (
            threading.active_count() != 1
            or threading.current_thread() is not threading.main_thread()
        ):
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
                self._idle.put(worker)
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
            args=(child, self._config, self._task, address_space, inherited),
            daemon=True,
            name="scraper-extract",
        )
        proc.start()
        child.close()
        worker = _Worker(proc, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _acquire(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise ExtractionError("the extraction pool is closed")
            can_start = self._started < self._size
            if can_start:
                self._started += 1
        if can_start:
            return self._spawn()
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
        if not closed:  # replace it, so the pool keeps its size
            self._idle.put(self._spawn())

    def extract(
        self, html: bytes | str, url: str | None = None, *, encoding: str | None = None
    ) -> Article:
        """Extract one document in a worker; raise ExtractionError on deadline or crash."""
        article: Article = self.run(html, url, encoding=encoding)
        return article

    def run(self, html: bytes | str, url: str | None = None, *, encoding: str | None = None) -> Any:  # noqa: ANN401 (whatever the pool's task returns; its caller knows the type)
        """Run the pool's task on one document; raise ExtractionError on deadline or crash."""
        worker = self._acquire()
        try:
            if not worker.ready:
                self._start(worker)
            worker.conn.send((html, url, encoding))
            self._wait(worker)
            reply = worker.conn.recv()
        except (EOFError, OSError) as exc:  # BrokenPipe, ConnectionReset; a pipe close() closed
            worker.process.join(1)
            code = worker.process.exitcode
            self._discard(worker)
            raise ExtractionError(
                f"the extraction worker died (exit code {code}); its stderr says why"
            ) from exc
        limit, resident = self._memory_limit, _resident(worker.process.pid)
        if limit is not None and resident is not None and resident > limit:
            # It finished, but holds more than it may keep: start afresh.
            logger.info("extraction worker holds %d MiB; replaced", resident >> 20)
            self._discard(worker)
        else:
            self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        _, name, message = reply
        error = _KNOWN_ERRORS.get(name, ExtractionError)
        if issubclass(error, UnsupportedContent | UndecodableContent):
            raise error(message, url=url)
        raise error(message)

    def _start(self, worker: _Worker) -> None:
        """Wait until a new worker has warmed up (outside any page's deadline)."""
        if not worker.conn.poll(WORKER_STARTUP_TIMEOUT):
            self._discard(worker)
            raise ExtractionError(
                f"the extraction worker did not start within {WORKER_STARTUP_TIMEOUT:g} s; "
                "the machine may be overloaded"
            )
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
                raise ExtractionError(
                    f"extraction took longer than its deadline of {timeout:g} s; worker killed"
                )
            step = remaining if limit is None else min(remaining, MEMORY_POLL)
            if worker.conn.poll(step):
                return
            resident = None if limit is None else _resident(pid)
            if limit is not None and resident is not None and resident > limit:
                self._discard(worker)
                raise ExtractionError(
                    f"extraction used more than {limit >> 20} MiB of memory ({resident >> 20} "
                    "MiB); worker killed (a hostile or oversized document)"
                )

    def close(self) -> None:
        """Stop every worker; running jobs fail."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
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


def extract_in_worker(
    html: bytes | str, url: str | None, config: Config, *, encoding: str | None = None
) -> Article:
    """Extract one document in a fresh worker process, killed at the deadline."""
    with ExtractionPool(config, 1) as pool:
        return pool.extract(html, url, encoding=encoding)
