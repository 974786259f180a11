"""Run extractions in worker processes that are killed at their deadline.

Parsing untrusted HTML happens inside C libraries (lxml, lexbor) that no
Python timeout can interrupt: a page nested 100,000 levels deep can hold one
call for many seconds.  So ``extract_url``, the CLI and crawls extract in a
separate process; when a job passes ``ExtractConfig.timeout`` its worker is
killed and replaced, and the job fails with a typed ``ExtractionError``.
``scraper.extract()`` itself stays in-process (callers that want isolation
use this pool).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from scraper.config import Config
from scraper.errors import ExtractionError, NoArticleError
from scraper.models import Article

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess
    from types import TracebackType

__all__ = ["ExtractionPool", "Task", "extract_in_worker"]

logger = logging.getLogger(__name__)

#: Errors a worker may send back, by name; anything else arrives as ExtractionError.
_KNOWN_ERRORS: dict[str, type[ExtractionError]] = {
    "ExtractionError": ExtractionError,
    "NoArticleError": NoArticleError,
}


#: What a worker runs on each document: ``task(html, url, config, encoding=...)``.
#: It must be a module-level function (workers receive it by name, pickled)
#: and return something picklable.  The default is ``extract_article``; a
#: crawl passes one that also returns the page's links from the same parse.
Task = Callable[..., Any]


def _serve(conn: Connection, config: Config, task: Task | None = None) -> None:
    """Worker loop: receive (html, url, encoding), send ("ok", result) or ("error", name, msg)."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides
    # what stops, and kills workers it no longer wants.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if task is None:
        from scraper.extraction.article import extract_article

        task = extract_article
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        html, url, encoding = job
        try:
            conn.send(("ok", task(html, url, config, encoding=encoding)))
        except ExtractionError as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
            # A library bug on one page must become that page's typed error,
            # not the end of the batch; the parent maps it to ExtractionError.
            conn.send(("error", type(exc).__name__, f"{type(exc).__name__}: {exc}"))


@dataclass(slots=True)
class _Worker:
    process: BaseProcess
    conn: Connection


class ExtractionPool:
    """A few worker processes running :func:`extract_article` (or ``task``); thread-safe.

    Workers start on first use and are reused.  ``extract`` and ``run`` block
    the calling thread (call them through ``asyncio.to_thread`` from async
    code).  ``task`` replaces what the workers run (see :data:`Task`); then
    use ``run``, which returns whatever the task returns.
    """

    def __init__(self, config: Config, processes: int = 1, *, task: Task | None = None) -> None:
        self._config = config
        self._task = task
        self._size = max(1, processes)
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        # forkserver: a clean child without the parent's threads or sockets.
        # The server imports the extraction stack once, so that every worker,
        # and every replacement of a killed one, starts warm.
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["scraper.extraction.article"])

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _spawn(self) -> _Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(
            target=_serve,
            args=(child, self._config, self._task),
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

    def _discard(self, worker: _Worker) -> None:
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()
        with self._lock:
            if worker in self._all:  # close() may have taken it already
                self._all.remove(worker)
            closed = self._closed
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
        timeout = self._config.extract.timeout
        worker = self._acquire()
        try:
            worker.conn.send((html, url, encoding))
            if not worker.conn.poll(timeout):
                self._discard(worker)
                raise ExtractionError(
                    f"extraction took longer than its deadline of {timeout:g} s; worker killed"
                )
            reply = worker.conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError) as exc:
            worker.process.join(1)
            code = worker.process.exitcode
            self._discard(worker)
            raise ExtractionError(
                f"the extraction worker died (exit code {code}); its stderr says why"
            ) from exc
        self._idle.put(worker)
        if reply[0] == "ok":
            return reply[1]
        _, name, message = reply
        raise _KNOWN_ERRORS.get(name, ExtractionError)(message)

    def close(self) -> None:
        """Stop every worker; running jobs fail."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
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
