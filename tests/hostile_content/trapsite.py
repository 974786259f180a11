"""A local site made of crawler traps, served from loopback for a real crawl.

Every page answers, and most pages link to more of the trap, so a crawler
without bounds would never stop:

* ``/calendar?month=YYYY-MM``: an event calendar, "previous" and "next" for ever;
* ``/events/YYYY/MM/``: the same with dates in the path;
* ``/forum/viewtopic.php?t=N&sid=<32 hex>``: three forum topics, linked with a
  new session id on every page view (phpBB's cookieless sessions);
* ``/shop/(S(<id>))/item``: an ASP.NET cookieless session in the path;
* ``/news/aN?utm_source=...&fbclid=...``, ``;jsessionid=``, ``?PHPSESSID=``:
  the two articles, linked through fresh tracking and session parameters;
* ``/loop/``: a relative link ``loop/`` that appends itself for ever;
* ``/search?q=...``: each result links to itself with one more parameter.

The site keeps count of what was asked, so the test can say which bound
stopped which trap.  It is served by a ``TestServer`` whose request hook
is pointed at the site, so that one handler answers every path.
"""

from __future__ import annotations

import itertools
import secrets
from collections import Counter
from urllib.parse import parse_qs, urlsplit

from scraper.crawling.urls import DEFAULT_BUDGETS, MAX_QUERY_PARAMS
from tests.hostile_content.pages import article, page
from tests.servers import Reply, Seen, TestServer

__all__ = ["TrapSite"]

_HTML = [("Content-Type", "text/html; charset=utf-8")]
_ARTICLES = ("/news/a1", "/news/a2")
_TOPICS = (1, 2, 3)


def _budget(name: str) -> int:
    return next(b.max_pages for b in DEFAULT_BUDGETS if b.name == name)


def _links(*hrefs: str) -> str:
    return "<nav>" + "".join(f'<a href="{h}"></a>' for h in hrefs) + "</nav>"


def _month(year: int, month: int, step: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + step
    return total // 12, total % 12 + 1


class TrapSite:
    """The trap site on ``server``: route it, then crawl ``server.url("/")``."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.asked: Counter[str] = Counter()
        server.route("/", self.serve)
        # Every other path goes through the same handler: patch the lookup.
        server._record = self._record  # type: ignore[method-assign]

    def _record(self, seen: Seen) -> Reply:
        with self.server._lock:
            self.server.requests.append(seen)
        return self.serve(seen)

    # -- what the test asks -------------------------------------------------------------

    def article_paths(self) -> list[str]:
        """Paths of the pages holding an article (each must be fetched once)."""
        return [*_ARTICLES, *(f"/forum/viewtopic.php?t={t}" for t in _TOPICS)]

    def article_urls(self) -> list[str]:
        """The normalised URLs the crawl must store an article for."""
        topics = [self.server.url(f"/forum/viewtopic.php?t={t}") for t in _TOPICS]
        return [*(self.server.url(p) for p in _ARTICLES), *topics]

    def calendar_pages(self) -> int:
        return len({s.path for s in self.server.requests if s.path.startswith("/calendar")})

    def events_pages(self) -> int:
        return len({s.path for s in self.server.requests if s.path.startswith("/events/")})

    def forum_sessions(self) -> int:
        """Forum requests that carried a session id (0 when sessions collapse)."""
        return sum("sid=" in s.path for s in self.server.requests if "viewtopic" in s.path)

    def page_bound(self) -> int:
        """The most pages a bounded crawl may fetch here, trap by trap."""
        return (
            1  # home
            + len(_ARTICLES)
            + len(_TOPICS)
            + _budget("calendar-query")
            + _budget("calendar-path")
            + 1  # the shop item, whatever its session
            + 2  # /loop/ and /loop/loop/: a third "loop" repeats a segment too often
            + MAX_QUERY_PARAMS  # the growing search query
        )

    def report(self) -> str:
        """Requests by first path segment, for a failing assertion's message."""
        kinds = Counter(urlsplit(s.path).path.split("/")[1] for s in self.server.requests)
        return f"requests by section: {dict(kinds)}"

    # -- serving ----------------------------------------------------------------------

    def _fresh_links(self) -> list[str]:
        """Links to the articles and topics through new tracking and session ids."""
        token = secrets.token_hex(16)
        return [
            f"/news/a1?utm_source=newsletter&utm_medium=email&fbclid={token}",
            f"/news/a2?gclid={token}&utm_campaign=june",
            f"/news/a1;jsessionid={token.upper()}",
            f"/news/a2?PHPSESSID={token}",
            *(f"/forum/viewtopic.php?t={t}&sid={secrets.token_hex(16)}" for t in _TOPICS),
            f"/shop/(S({token[:24]}))/item",
        ]

    def serve(self, seen: Seen) -> Reply:
        parts = urlsplit(seen.path)
        path, query = parts.path, parse_qs(parts.query)
        self.asked[path] += 1
        nav = _links("/", *self._fresh_links(), "/calendar?month=2024-06", "/events/2024/06/")
        if path == "/":
            body = nav + _links("/loop/", "/search?q=harbour")
        elif path in _ARTICLES:
            number = int(path[-1])
            body = nav + article(title=f"Article {number}", paragraphs=_paragraphs(number))
        elif path == "/forum/viewtopic.php":
            topic = int(query.get("t", ["1"])[0])
            body = nav + article(title=f"Topic {topic}", paragraphs=_paragraphs(10 + topic))
        elif path == "/calendar":
            year, month = (int(x) for x in query.get("month", ["2024-06"])[0].split("-")[:2])
            around = [_month(year, month, step) for step in (-1, 1)]
            body = nav + _links(*(f"/calendar?month={y}-{m:02d}" for y, m in around))
        elif path.startswith("/events/"):
            year, month = (int(x) for x in path.strip("/").split("/")[1:3])
            around = [_month(year, month, step) for step in (-1, 1)]
            body = nav + _links(*(f"/events/{y}/{m:02d}/" for y, m in around))
        elif path.startswith("/loop/"):
            body = nav + _links("loop/")
        elif path == "/search":
            body = nav + _links(f"/search?{parts.query}&x{len(query)}=1")
        elif path.startswith("/shop/"):
            body = nav + "<p>One item.</p>"
        else:
            return Reply(404, b"not found", [("Content-Type", "text/plain")])
        return Reply(200, page(body).encode(), _HTML)


def _paragraphs(seed: int) -> list[str]:
    words = ["harbour", "budget", "council", "railway", "museum", "bridge", "station", "garden"]
    cycle = itertools.cycle(words[seed % len(words) :] + words[: seed % len(words)])
    return [
        " ".join(next(cycle) for _ in range(14)).capitalize() + f" paragraph {seed}-{n}."
        for n in range(5)
    ]
