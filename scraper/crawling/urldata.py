"""Tables for URL normalisation and crawler-trap detection (data only, no logic).

Each table says where its entries come from and why an entry is there, so
that adding or removing one is a reviewed data change, not a code change.
``scraper.crawling.urls`` holds the logic that reads them.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DEFAULT_PORTS",
    "DEFAULT_TRAP_BUDGETS",
    "MAX_PATH_SEGMENTS",
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_PARAMS",
    "MAX_SEGMENT_REPEATS",
    "MAX_URL_LENGTH",
    "PAGE_NUMBER_PREFIX",
    "SESSION_PARAMS",
    "SESSION_PATH_PARAMS",
    "SESSION_PATH_SEGMENT",
    "SESSION_TOKEN",
    "SESSION_TOKEN_PARAMS",
    "TRACKING_PARAMS",
    "TRACKING_PREFIXES",
]

#: Longest normalised URL we keep.  Browsers and CDNs start failing around
#: 2,000-8,000 characters; a longer link in a page is almost always a trap
#: (state echoed into the URL) or garbage.
MAX_URL_LENGTH: Final = 2000

#: Ports dropped from the authority: ``http://a:80/`` is ``http://a/``.
DEFAULT_PORTS: Final = {"http": 80, "https": 443}

# --- Query parameters removed by normalize_url ----------------------------------
#
# Only parameters that never select content are listed: removing one must not
# merge two different pages.  Generic words that sites also use for content
# (``ref``, ``source``, ``cid``, ``session``, ``keyword``, ``campaign``...)
# are deliberately absent; courlan's TRACKERS_RE removes those too and so
# merges ``?game=5`` with ``?game=6`` (its ``\bga`` matches ``game``).
# Sources: ClearURLs rules, AdGuard's TrackParamFilter general list,
# Firefox query stripping, vendor documentation.  Names compare lower-cased,
# after percent-decoding.

#: Exact names of tracking and click-id parameters.
TRACKING_PARAMS: Final = frozenset(
    {
        # Google, Microsoft, Meta, Yandex, TikTok, Twitter/X, LinkedIn click ids
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "_ga",
        "_gl",
        "msclkid",
        "fbclid",
        "fb_action_ids",
        "fb_action_types",
        "fb_ref",
        "fb_source",
        "yclid",
        "ysclid",
        "ttclid",
        "twclid",
        "li_fat_id",
        # Instagram, Twitter share attribution
        "igshid",
        "igsh",
        "ref_src",
        "ref_url",
        # Mailchimp, HubSpot, Marketo, Klaviyo, Vero
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hstc",
        "__hssc",
        "__hsfp",
        "hsctatracking",
        "mkt_tok",
        "_ke",
        "vero_conv",
        "vero_id",
        # Alibaba, Adobe, AT Internet, Openstat, NYT, MSN, Yahoo consent
        "spm",
        "scm",
        "s_cid",
        "s_kwcid",
        "ef_id",
        "xtor",
        "at_medium",
        "at_campaign",
        "_openstat",
        "smid",
        "smtyp",
        "ocid",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "_branch_match_id",
        "_branch_referrer",
        "oly_anon_id",
        "oly_enc_id",
        "wickedid",
        "rb_clickid",
    }
)

#: Name prefixes of tracking families (Urchin/GA, Piwik, Matomo, HubSpot ads,
#: Hootsuite).  ``utm_`` alone collapses most of the variants seen in the wild.
TRACKING_PREFIXES: Final = ("utm_", "pk_", "mtm_", "hsa_", "hmb_")

#: Session-id parameters: every visit gets a new value, so each one turns a
#: single page into endless URLs.  Removed like tracking parameters (a
#: crawler never needs its session in the URL; cookies carry it).
SESSION_PARAMS: Final = frozenset(
    {
        "jsessionid",
        "phpsessid",
        "sessionid",
        "session_id",
        "sessid",
        "cfid",
        "cftoken",
        "oscsid",
        "zenid",
    }
)

#: Session ids sent as path parameters (``/page;jsessionid=ABC``).
SESSION_PATH_PARAMS: Final = ("jsessionid", "phpsessid")

#: Parameters that carry a session id when their value is a session token
#: (see ``SESSION_TOKEN``), and content otherwise: phpBB's ``?sid=`` and
#: vBulletin's ``?s=`` hold 32 hex digits, while Slashdot's ``?sid=06/01/01/1234``
#: names a story and WordPress's ``?s=`` is a search.  Removed only with a
#: token value, so that a forum reached with a new session on every visit is
#: one URL per page, not one per visit.
SESSION_TOKEN_PARAMS: Final = frozenset(
    {"s", "sid", "ssid", "sess", "session", "sessionkey", "session_key", "usersession"}
)
#: A session token: 32 to 128 hex digits (an MD5/SHA digest or a random id).
#: Words, dates and numbers never match; a search for a hex digest would.
SESSION_TOKEN: Final = r"[0-9A-Fa-f]{32,128}"
#: ASP.NET cookieless session (and anonymous-id / forms-ticket) path segment:
#: ``/(S(lit3py55t21z5v55vlm25s55))/default.aspx``, ``/(X(1)S(abc))/``.
SESSION_PATH_SEGMENT: Final = r"/\((?:[A-Z]\([A-Za-z0-9_-]{0,200}\))+\)(?=/|$)"

# --- Crawler traps ----------------------------------------------------------------
#
# Structural limits: a URL over any of them is refused outright (Scope.allows).

#: Path segments in one URL; real sites stay under ~10.
MAX_PATH_SEGMENTS: Final = 20
#: Times one path segment may occur; ``/a/b/a/b/a/b`` (a relative link that
#: keeps appending itself) reaches 3.  ``/2024/06/06/`` has "06" twice: fine.
MAX_SEGMENT_REPEATS: Final = 2
#: Characters of query string (after tracking parameters are gone).
MAX_QUERY_LENGTH: Final = 512
#: Parameters in one query string.
MAX_QUERY_PARAMS: Final = 16

#: Where a listing's page number sits: ``?page=``, ``?paged=`` (WordPress),
#: ``/page/`` and their translations (German, Spanish/Italian, Polish).
PAGE_NUMBER_PREFIX: Final = (
    r"(?:[?&](?:page|pg|paged|pagenum|page_no|seite|pagina|strona)=|/(?:page|seite|pagina|strona)/)"
)

#: Per-pattern page budgets: ``(name, regex, pages per host)``.  A URL that
#: matches a pattern is admitted only while fewer than ``pages`` URLs of the
#: same host matched it before (see ``urls.PageBudgets``).  A regex with a
#: named group ``page`` counts per listing instead: per URL with that group
#: cut out (``/news/page/7/`` and ``/news/page/8/`` are one listing,
#: ``/sport/page/7/`` another).  These patterns are not wrong by themselves
#: (one month of a calendar is fine), but they are where endless URL spaces
#: live.  The regexes run on the normalised URL
#: (lower-case scheme and host, sorted query), case-insensitively.
DEFAULT_TRAP_BUDGETS: Final[tuple[tuple[str, str, int], ...]] = (
    # Event calendars: ?month=2087-03, ?date=..., ?tribe-bar-date=... (The Events Calendar).
    (
        "calendar-query",
        r"[?&](?:year|month|day|week|date|cal|calendar|caldate|ical|eventdate|tribe-bar-date)=",
        50,
    ),
    # /calendar/2087/03/, /events/2024-06-18, /agenda/2024/06; any year, since
    # "next month" runs past 2099 too.
    (
        "calendar-path",
        r"/(?:calendar|calendrier|kalender|agenda|events?)/(?:[^?]*/)?\d{4}(?:[/-]\d\d?){0,2}/?(?:\?|$)",
        50,
    ),
    # Date archive listings that END in a date: /2024/, /2024/06/, /2024/06/18/.
    # Articles under dated paths (/2024/06/18/slug) do not match.
    (
        "date-archive",
        r"/(?:19|20)\d\d(?:/(?:0?[1-9]|1[0-2]))?(?:/(?:0?[1-9]|[12]\d|3[01]))?/?(?:\?|$)",
        500,
    ),
    # Session-like parameters not in SESSION_PARAMS (?sid=..., ?usersession=...).
    ("session-like", r"[?&](?:[a-z_]*sess(?:ion)?[a-z_]*|sid|s_id)=", 100),
    # Faceted navigation: every sort x filter x view combination is a new URL.
    (
        "facets",
        r"[?&](?:sort|sortby|order|orderby|filter|view|display|limit|per_page|perpage|dir)=",
        200,
    ),
    # Site search result pages: one per query, without end.
    ("search", r"(?:[?&](?:q|s|query|search|keywords?)=|/search(?:/|\?|$))", 100),
    # Pagination: ?page=N, ?paged=N (WordPress), /page/N/, /seite/N/...  Not
    # "?p=": WordPress permalinks without rewriting are ?p=<post id>.  Real
    # listings run long (news sections have hundreds of pages), so the bound
    # is per listing (the ``page`` group) and high: what it stops is the pager
    # that never ends (a "next" link on every empty page, ?page=N+1 for
    # ever), after 1,000 pages.  Those reach 20,000-50,000 items of one
    # listing (20-50 links a page); a longer one (a huge forum thread, an
    # archive going back decades) is cut there, and its items are better
    # found through the sitemaps.  No page-number ceiling: a "last page"
    # link (?page=48213 on page 1) is a real page, and it spends one page
    # of the budget like any other.
    ("pagination", PAGE_NUMBER_PREFIX + r"(?P<page>\d+)(?=[&/?]|$)", 1000),
    # The same pages counted per host, whatever the listing: a site that
    # grows a new paginated listing per link (tags, filters, searches under
    # new names) is bounded too.  Ten sections of 1,000 pages fit.
    ("pagination-host", PAGE_NUMBER_PREFIX + r"\d+(?=[&/?]|$)", 10_000),
)
