"""Bodies cut short and connections reset: typed errors, retried like connection errors."""

from __future__ import annotations

import pytest

from scraper.errors import NetworkError, TruncatedBody


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("/short-body", "stopped before its end"),
        ("/short-chunked", "stopped before its end"),
        ("/reset-mid-body", "stopped before its end"),
        ("/cut-gzip", "gzip body that stops before its end"),
        ("/cut-br", "br body that stops before its end"),
    ],
)
def test_truncated_bodies(path, match, hostile, fetch):
    with pytest.raises(TruncatedBody, match=match) as info:
        fetch(hostile.url(path), obey_robots=False)
    assert info.value.url == hostile.url(path)
    # Truncation may be the network's fault: retried once (FAST.retries), like a reset.
    assert hostile.hits(path) == 2


@pytest.mark.parametrize(
    "path", ["/reset-before-answer", "/close-before-answer", "/garbage-status"]
)
def test_broken_answers_are_network_errors(path, hostile, fetch):
    with pytest.raises(NetworkError) as info:
        fetch(hostile.url(path), obey_robots=False)
    assert not isinstance(info.value, TruncatedBody)
    assert hostile.hits(path) == 2
