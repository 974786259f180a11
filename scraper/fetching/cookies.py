"""The fetcher's cookie store: httpx's, minus the parsing of answers that set no cookie.

httpx hands every response to the standard library's ``CookieJar``
(``Cookies.extract_cookies``), which first copies the request into a
``urllib.request.Request`` and every header into an ``email.message``
(twice: once more for a debug line that is off), and only then finds
that there is no ``Set-Cookie`` header -- about 40 us per response, for
nothing on nearly every page of a crawl.  The jar reads two headers,
``Set-Cookie`` and ``Set-Cookie2``; :class:`QuickCookies` hands it the
responses that carry one of them and skips the others, which could not
change it.
"""

from __future__ import annotations

from typing import Final

import httpx

__all__ = ["COOKIE_HEADERS", "QuickCookies", "use_quick_cookies"]

#: The response headers ``http.cookiejar.CookieJar.make_cookies`` reads
#: (lower-case; httpx's header lookups ignore case, as ``email.message`` does).
COOKIE_HEADERS: Final = ("set-cookie", "set-cookie2")


class QuickCookies(httpx.Cookies):
    """httpx's cookie store that skips responses without a cookie header.

    Why it is exact: ``CookieJar.extract_cookies`` takes cookies from
    :data:`COOKIE_HEADERS` only, and with neither present ``make_cookies``
    returns no cookie ("no relevant cookie headers: quick exit"), so the jar
    is left as it was.  (It also stamps the jar's clock, which every reader
    of that clock stamps again first.)

    >>> jar = QuickCookies()
    >>> request = httpx.Request("GET", "https://example.org/")
    >>> jar.extract_cookies(httpx.Response(200, request=request))
    >>> len(jar)
    0
    >>> jar.extract_cookies(httpx.Response(200, headers={"Set-Cookie": "a=1"}, request=request))
    >>> jar["a"]
    '1'
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if any(name in headers for name in COOKIE_HEADERS):
            super().extract_cookies(response)


def use_quick_cookies(client: httpx.AsyncClient) -> None:
    """Make ``client`` keep its cookies in a :class:`QuickCookies` (the same jar).

    Why a private attribute: the public ``client.cookies`` setter wraps what
    it is given in a plain ``httpx.Cookies``, whose ``extract_cookies`` is
    the slow one.  httpx < 1 is pinned; the fetch tests check that the
    client's store is ours and that cookies are still kept.
    """
    client._cookies = QuickCookies(client.cookies.jar)
