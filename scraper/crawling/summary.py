"""What one crawl run did, counted as it goes: the final summary and the progress line."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["CrawlSummary"]


@dataclass(slots=True)
class CrawlSummary:
    """Counts of one run of one worker (``scraper status`` reads the store instead)."""

    #: Pages whose fetch was attempted (the ``max_pages`` budget counts these).
    fetched: int = 0
    #: Articles stored and numbered for the output, by kind.
    new: int = 0
    changed: int = 0
    #: Pages that did not change: 304 Not Modified, or the same text fingerprint.
    unchanged: int = 0
    #: Pages fetched that hold no article (listings, section fronts).
    no_article: int = 0
    #: Pages read for their links only (a crawl without extraction).
    links_only: int = 0
    #: Pages whose meta robots or X-Robots-Tag says noindex (no article output).
    noindex: int = 0
    #: Pages pointing at another canonical URL (that one is queued instead).
    canonicalised: int = 0
    #: URLs robots.txt forbids.
    robots: int = 0
    #: Server asked to come back later than we wait (rescheduled, host deferred).
    retry_later: int = 0
    #: Failed pages by error class name.
    errors: Counter[str] = field(default_factory=Counter)
    #: Retries made while fetching, by reason ("503", "timeout"...).
    retries: Counter[str] = field(default_factory=Counter)
    #: URLs queued from sitemaps, feeds, links and canonicals (new to the store).
    queued: int = 0
    #: The run was stopped (signal, generator closed) before the frontier ran dry.
    interrupted: bool = False
    started: float = field(default_factory=time.monotonic)

    @property
    def failed(self) -> int:
        """Pages that ended in an error."""
        return sum(self.errors.values())

    @property
    def succeeded(self) -> int:
        """Pages fetched without error (robots refusals and deferrals are not failures)."""
        return self.fetched - self.failed - self.robots - self.retry_later

    def rate(self) -> float:
        """Pages per second since the run started."""
        return self.fetched / max(1e-6, time.monotonic() - self.started)

    def progress(self, queued: int | None = None) -> str:
        """One short line for a terminal: done, queued, rate, errors."""
        waiting = "" if queued is None else f"  queued {queued}"
        return (
            f"done {self.fetched}{waiting}  {self.rate():.1f} pages/s  "
            f"new {self.new}  changed {self.changed}  errors {self.failed}"
        )

    def report(self) -> str:
        """The final summary, several lines."""
        lines = [
            f"fetched {self.fetched}: new {self.new}, changed {self.changed}, "
            f"unchanged {self.unchanged}, no article {self.no_article}, noindex {self.noindex}"
            + (f", links only {self.links_only}" if self.links_only else ""),
            f"skipped by robots.txt {self.robots}; deferred (Retry-After) {self.retry_later}; "
            f"new URLs queued {self.queued}",
        ]
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) or "none"
        retries = ", ".join(f"{k} {v}" for k, v in sorted(self.retries.items())) or "none"
        lines.append(f"errors: {errors}")
        lines.append(f"retries: {retries}")
        if self.interrupted:
            lines.append("interrupted: rerun the same command to resume")
        return "\n".join(lines)
