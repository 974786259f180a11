"""When and how long to retry one request: tenacity policy, Retry-After, reasons.

We retry only what may succeed later: timeouts, connection errors, 429 and
5xx (cf. scrapy ``downloadermiddlewares/retry.py``).  Backoff is exponential
with full jitter, so that many clients failing together do not come back
together.  A ``Retry-After`` on 429/503 is obeyed exactly -- never cut short,
never retried early -- when it is short enough to wait in-line; otherwise
the caller gets :class:`RetryLaterError` at once and can reschedule.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Final, NoReturn, TypeVar
from urllib.parse import urlsplit

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_random_exponential,
)

from scraper.config import FetchConfig
from scraper.errors import FetchError, HTTPStatusError, RetryLaterError

__all__ = [
    "MAX_RETRY_AFTER",
    "RETRY_AFTER_STATUSES",
    "RetryBudget",
    "Retryable",
    "check_retry_after",
    "make_retrying",
    "parse_retry_after",
    "retry_after_first",
    "retryable_status",
]

T = TypeVar("T")

logger = logging.getLogger(__name__)

#: Statuses whose Retry-After header we honour.
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})
#: Longest Retry-After we take literally, in seconds (a year): a longer one is
#: read as this, so that "retry at" stays a date (999999999999 s is not).
MAX_RETRY_AFTER: Final = 365 * 24 * 3600.0


def retryable_status(status: int) -> bool:
    """429 and every 5xx may succeed later; other statuses are final.

    >>> [retryable_status(s) for s in (404, 429, 500, 503)]
    [False, True, True, True]
    """
    return status == 429 or 500 <= status <= 599


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta seconds or HTTP-date).

    Returns None for a missing or unreadable value (we then back off as
    usual); a date in the past means 0, and anything past
    :data:`MAX_RETRY_AFTER` means that.  Only ASCII digits are delta
    seconds (``str.isdigit`` also takes "²" and other scripts' digits).

    >>> now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    >>> parse_retry_after("120", now)
    120.0
    >>> parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now)
    30.0
    >>> parse_retry_after("soon", now) is None
    True
    >>> parse_retry_after("\N{SUPERSCRIPT TWO}", now) is None
    True
    >>> parse_retry_after("999999999999", now) == MAX_RETRY_AFTER
    True
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Compared as an int: float() of 400 digits is inf, and timedelta(inf) overflows.
        return min(int(value), int(MAX_RETRY_AFTER)) * 1.0
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # unparsable, or a year out of range
        return None
    if when.tzinfo is None:  # HTTP-dates are GMT by definition
        when = when.replace(tzinfo=dt.UTC)
    return min(MAX_RETRY_AFTER, max(0.0, (when - now).total_seconds()))


class Retryable(Exception):  # an internal signal: it never leaves the fetcher
    """One attempt failed in a way that may succeed later.

    ``error`` is the typed error to raise if no retry is left; ``reason`` is
    the key counted in ``Page.retries`` ("503", "timeout", "connection");
    ``retry_after`` is the server's Retry-After in seconds, if any.
    """

    def __init__(self, error: FetchError, reason: str, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.reason = reason
        self.retry_after = retry_after


def _retry_later(failure: Retryable, why: str) -> RetryLaterError:
    """The RetryLaterError for a failure that carried a Retry-After."""
    error = failure.error
    status = error.status if isinstance(error, HTTPStatusError) else 503
    delay = failure.retry_after or 0.0
    retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=delay)
    return RetryLaterError(
        f"{error.url} answered {status} and asks to retry after {delay:.0f} s "
        f"({retry_at:%Y-%m-%d %H:%M:%S} UTC), {why}; try again then",
        url=error.url,
        status=status,
        retry_at=retry_at,
    )


def check_retry_after(failure: Retryable, config: FetchConfig, remaining: float) -> None:
    """Raise RetryLaterError when the Retry-After of ``failure`` is too long to wait in-line."""
    delay = failure.retry_after
    if delay is None:
        return
    if delay > config.retry_after_cap:
        raise _retry_later(failure, f"longer than we wait in-line ({config.retry_after_cap:g} s)")
    if delay >= remaining:
        raise _retry_later(failure, f"beyond this fetch's deadline ({remaining:.1f} s left)")


class RetryBudget:
    """Per-host retry allowance for one Fetcher.  THIS CLASS HOLDS STATE.

    Each host starts with ``FetchConfig.retry_budget`` tokens; a retry spends
    one, and a request that needed no retry earns back
    ``retry_budget_ratio`` (never above the start).  A host that fails every
    request soon gets one attempt per fetch instead of ``retries + 1``, so a
    dead host cannot take the time meant for the others; a healthy host with
    the odd 503 never runs out.  (The idea is Finagle's retry budget and
    gRPC's retry throttling.)  Hosts back at the full allowance are forgotten,
    so the table stays small.
    """

    def __init__(self, config: FetchConfig) -> None:
        self._capacity = float(max(0, config.retry_budget))
        self._ratio = max(0.0, config.retry_budget_ratio)
        self._tokens: dict[str, float] = {}

    def spend(self, host: str) -> bool:
        """Take one retry for ``host``; False when its budget is spent."""
        tokens = self._tokens.get(host, self._capacity)
        if tokens < 1.0:
            return False
        self._tokens[host] = tokens - 1.0
        return True

    @property
    def spent(self) -> bool:
        """Whether any host has less than its full allowance (``earn`` would change something)."""
        return bool(self._tokens)

    def earn(self, host: str) -> None:
        """``host`` answered without needing a retry: give some budget back."""
        tokens = self._tokens.get(host)
        if tokens is None:
            return  # already at the full allowance
        tokens += self._ratio
        if tokens >= self._capacity:
            del self._tokens[host]
        else:
            self._tokens[host] = tokens

    def left(self, host: str) -> float:
        """Retries ``host`` may still spend."""
        return self._tokens.get(host, self._capacity)


def _with_hint(error: FetchError, hint: str) -> FetchError:
    """``error`` with ``hint`` appended to its message (the same object)."""
    error.args = (f"{error.args[0] if error.args else ''}; {hint}",)
    return error


def make_retrying(
    config: FetchConfig,
    *,
    remaining: Callable[[], float],
    counts: Counter[str],
    url: str,
    budget: RetryBudget | None = None,
) -> AsyncRetrying:
    """The tenacity policy for one request under a deadline.

    ``remaining()`` gives the seconds left before the fetch's deadline: a wait
    that would not fit stops the retries and raises the last error now,
    rather than sleeping into a DeadlineExceeded.  Retries are counted by
    reason into ``counts``.  With a ``budget``, each retry also spends one
    of the host's tokens, and none is made once they are gone.
    """
    backoff = wait_random_exponential(multiplier=config.backoff, max=config.backoff_max)
    host = (urlsplit(url).hostname or "").lower()
    spent = False  # the budget, not the retry count, stopped us

    def wait(state: RetryCallState) -> float:
        failure = _failure(state)
        if failure is not None and failure.retry_after is not None:
            return failure.retry_after  # exactly: never retry before the server asked
        return float(backoff(state))

    def stop(state: RetryCallState) -> bool:
        nonlocal spent
        if state.attempt_number > config.retries:
            return True
        if (state.upcoming_sleep or 0.0) >= remaining():
            return True
        if budget is not None and not budget.spend(host):
            spent = True
            logger.info("not retrying %s: the retry budget of %s is spent", url, host)
            return True
        return False

    def before_sleep(state: RetryCallState) -> None:
        failure = _failure(state)
        reason = failure.reason if failure is not None else "unknown"
        counts[reason] += 1
        logger.info(
            "retrying %s in %.2f s after %s (retry %d of %d)",
            url,
            state.upcoming_sleep,
            reason,
            state.attempt_number,
            config.retries,
        )

    def give_up(state: RetryCallState) -> NoReturn:
        failure = _failure(state)
        if failure is None:  # cannot happen: only Retryable is retried
            raise FetchError(f"fetching {url} failed", url=url)
        if failure.retry_after is not None:
            raise _retry_later(failure, "and no retry is left") from failure.error
        if spent:
            hint = f"not retried: {host} failed too often lately (its retry budget is spent)"
            raise _with_hint(failure.error, hint)
        raise failure.error

    return AsyncRetrying(
        sleep=asyncio.sleep,
        stop=stop,
        wait=wait,
        retry=retry_if_exception_type(Retryable),
        before_sleep=before_sleep,
        retry_error_callback=give_up,
    )


def _failure(state: RetryCallState) -> Retryable | None:
    outcome = state.outcome
    if outcome is None or not outcome.failed:
        return None
    exc = outcome.exception()
    return exc if isinstance(exc, Retryable) else None


async def retry_after_first(
    attempt: Callable[[], Awaitable[T]], retrying: Callable[[], AsyncRetrying]
) -> T:
    """``retrying()(attempt)``, with the tenacity loop built only once an attempt failed.

    Why: a tenacity loop costs about 40 us per request (building it, and
    re-wrapping its hooks at every step), and nearly every request succeeds
    at once.  So the first attempt runs bare.  Whatever it returns, or
    raises other than :class:`Retryable`, is what tenacity would have passed
    on unchanged.  On a Retryable the loop is built and replays that first
    failure as its attempt 1 instead of sending again, so it makes the same
    decisions as if it had run the first attempt itself: the policy of
    :func:`make_retrying` reads the attempt number, the failure and the
    deadline, never the loop's clock.
    """
    try:
        return await attempt()
    except Retryable as exc:
        first = exc
    # Handed over outside the except block, so that no error raised from here
    # on gets the first failure as its __context__.
    replayed = False

    async def replaying() -> T:
        nonlocal replayed
        if not replayed:
            replayed = True
            raise first
        return await attempt()

    result: T = await retrying()(replaying)
    return result
