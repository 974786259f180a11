"""Pagination: real listings run to hundreds of pages; a pager that never ends is cut.

The ``pagination`` budget counts per listing (the URL without its page
number), ``pagination-host`` per host; see ``urldata.DEFAULT_TRAP_BUDGETS``.
"""

from __future__ import annotations

import re

import pytest

from scraper.crawling.urldata import DEFAULT_TRAP_BUDGETS, PAGE_NUMBER_PREFIX
from scraper.crawling.urls import DEFAULT_BUDGETS, PageBudgets, PatternBudget, normalize_url

#: Sections of the crawl benchmark site (../shared/tools/crawl/gen_site.py).
_SECTIONS = (
    *("world", "politics", "business", "technology", "science", "health"),
    *("sport", "culture", "opinion", "travel", "environment", "local"),
)


def _budget(name: str) -> int:
    return next(b.max_pages for b in DEFAULT_BUDGETS if b.name == name)


def _admitted(budgets: PageBudgets, urls: list[str]) -> list[str]:
    return [url for url in urls if budgets.admit(url)]


def test_a_pager_that_never_ends_is_cut_at_the_listing_budget():
    budgets = PageBudgets()
    pager = [f"https://news.example/section/world/page/{k}/" for k in range(2, 20_000)]
    admitted = _admitted(budgets, pager)
    assert len(admitted) == _budget("pagination") == 1000
    assert admitted[-1] == "https://news.example/section/world/page/1001/"
    assert budgets.refused["pagination"] == len(pager) - 1000
    # The listing's own articles and other listings are not affected.
    assert budgets.admit("https://news.example/world/2024/06/18/story")
    assert budgets.admit("https://news.example/section/sport/page/2/")


@pytest.mark.parametrize(
    "spelling",
    [
        "https://shop.example/catalog?page={k}",
        "https://shop.example/catalog?cat=shoes&page={k}&lang=en",
        "https://blog.example/?paged={k}",
        "https://forum.example/viewtopic.php?pg={k}&t=12",
        "https://zeitung.example/politik/seite/{k}/",
        "https://diario.example/noticias/pagina/{k}",
        "https://blog.example/page/{k}?utm_source=x",
    ],
)
def test_every_pagination_spelling_is_bounded(spelling):
    budgets = PageBudgets()
    urls = [normalize_url(spelling.format(k=k)) for k in range(1, 3000)]
    assert all(urls)
    assert len(set(urls)) == len(urls)
    assert len(_admitted(budgets, urls)) == 1000


def test_a_news_site_with_hundreds_of_pages_per_section_is_not_cut():
    """Sections of 800 pages each (gen_site.py's layout, far larger): every page is queued.

    The old "deep-pagination" budget (100 pages numbered 100 or more, per
    host) stopped such a site after its first section's page 199.
    """
    budgets = PageBudgets()
    for host in range(4):
        base = f"http://127.0.10.{host + 1}:18480"
        for section in _SECTIONS:
            pages = [f"{base}/section/{section}/page/{k}/" for k in range(2, 801)]
            # A page is found again from its neighbours' pagers: repeats are free.
            assert _admitted(budgets, pages + pages[::-1]) == pages + pages[::-1]
    assert sum(budgets.refused.values()) == 0


def test_the_crawl_benchmark_site_is_not_cut():
    """Every section page of gen_site.py's layout at 400,000 articles passes the budgets.

    (Its default of 2,000 articles makes 2 pages a section.)
    """
    budgets = PageBudgets()
    per_page, hosts = 40, 4
    per_section = 400_000 // hosts // len(_SECTIONS)
    pages = -(-per_section // per_page)
    urls = [
        f"http://127.0.10.{h}:18480/section/{c}/page/{k}/"
        for h in range(1, hosts + 1)
        for c in _SECTIONS
        for k in range(2, pages + 1)
    ]
    assert pages > 100  # deep enough that the old budget refused pages
    assert all(budgets.admit(normalize_url(url) or "") for url in urls)


def test_many_listings_are_bounded_per_host():
    """A site that makes a new paginated listing per link (tags without end) is bounded too."""
    budgets = PageBudgets()
    urls = [f"https://tags.example/tag/t{t}/page/{k}/" for t in range(40) for k in range(2, 502)]
    assert len(_admitted(budgets, urls)) == _budget("pagination-host") == 10_000
    assert budgets.refused["pagination-host"] == len(urls) - 10_000
    # Per host: another site has its own.
    assert budgets.admit("https://other.example/tag/t1/page/2/")


@pytest.mark.parametrize(
    "url",
    [
        "https://blog.example/?p=4711",  # WordPress post ids, not pages
        "https://news.example/pages/about",
        "https://news.example/page/about-us/",
        "https://news.example/homepage=3",
        "https://news.example/story?pageview=1",
        "https://news.example/2024/06/18/page-one-story",
    ],
)
def test_other_urls_are_not_pagination(url):
    pagination = [b for b in DEFAULT_BUDGETS if b.name.startswith("pagination")]
    assert pagination
    assert not any(b.matches(url) for b in pagination)


def test_wordpress_post_ids_are_never_budgeted():
    budgets = PageBudgets()
    assert all(budgets.admit(f"https://blog.example/?p={i}") for i in range(12_000))


def test_listing_key_cuts_only_the_page_number():
    budget = PatternBudget("pagination", PAGE_NUMBER_PREFIX + r"(?P<page>\d+)(?=[&/?]|$)", 5)
    assert budget.listing("https://a.example/list?cat=2&page=7&sort=x") == (
        "https://a.example/list?cat=2&page=&sort=x"
    )
    assert budget.listing("https://a.example/news/page/7/") == "https://a.example/news/page//"
    assert budget.listing("https://a.example/news/") is None
    assert PatternBudget("calendar", r"[?&]month=", 5).listing("https://a.example/?month=1") == ""


def test_user_budgets_may_count_per_listing():
    budgets = PageBudgets([PatternBudget("offsets", r"[?&]start=(?P<page>\d+)", 3)])
    admitted = _admitted(
        budgets, [f"https://a.example/{x}?start={n}" for x in ("a", "b") for n in range(0, 100, 10)]
    )
    assert admitted == [f"https://a.example/{x}?start={n}" for x in ("a", "b") for n in (0, 10, 20)]


def test_pagination_rows_are_valid_data():
    rows = {name: (pattern, pages) for name, pattern, pages in DEFAULT_TRAP_BUDGETS}
    assert "page" in re.compile(rows["pagination"][0]).groupindex
    assert "page" not in re.compile(rows["pagination-host"][0]).groupindex
    assert rows["pagination"][1] < rows["pagination-host"][1]
