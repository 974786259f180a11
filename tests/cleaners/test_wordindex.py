"""The on-disk word index: wordfreq's exact table, saved once, reopened, never fatal."""

from __future__ import annotations

import bisect
import logging
from pathlib import Path

import pytest
import wordfreq

from cleaners import wordindex
from cleaners._diskcache import cache_dir
from cleaners.wordindex import WordIndex, load_index

#: A small wordfreq table (about 30,000 words): quick to build in every test.
CODE = "id"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", str(tmp_path))
    return tmp_path


def _folder(cache: Path) -> Path:
    (folder,) = cache.iterdir()
    return folder


def test_frequencies_are_wordfreqs(cache: Path) -> None:
    index = load_index(CODE)
    table = wordfreq.get_frequency_dict(CODE)
    assert len(index) == len(table)
    for word in list(table)[::97]:
        assert word in index
        assert index[word] == table[word]
        assert index.get(word) == table[word]
        assert index.zipf(word) == pytest.approx(wordfreq.zipf_frequency(word, CODE), abs=0.01)
    assert "qqqxqqqnotaword" not in index
    assert index.get("qqqxqqqnotaword") == 0.0
    assert index.zipf("qqqxqqqnotaword") == 0.0
    with pytest.raises(KeyError):
        index["qqqxqqqnotaword"]
    assert 42 not in index


def test_head_and_top_follow_wordfreqs_order(cache: Path) -> None:
    index = load_index(CODE)
    pack = wordfreq.get_frequency_list(CODE)
    assert index.head == pack[: len(index.head)]
    assert sum(map(len, index.head)) >= min(wordindex.HEAD_WORDS, len(index))
    assert index.top == wordfreq.top_n_list(CODE, wordindex.TOP_WORDS)


@pytest.mark.parametrize("as_prefix", [True, False])
def test_extensions_match_a_sorted_list(cache: Path, as_prefix: bool) -> None:
    index = load_index(CODE)
    words = sorted(wordfreq.get_frequency_dict(CODE))
    keys = words if as_prefix else sorted(w[::-1] for w in words)
    for word in words[::503]:
        for part in (word[:1], word[:2], word):
            key = part if as_prefix else part[::-1]
            low = bisect.bisect_left(keys, key)
            high = bisect.bisect_left(keys, key + "\U0010ffff")
            want = keys[low:high] if as_prefix else [w[::-1] for w in keys[low:high]]
            size, found = index.extensions(part, as_prefix, 50)
            if len(want) <= 50:
                assert (size, sorted(found)) == (len(want), sorted(want))
            else:
                assert (size, found) == (51, [])  # counting stops past `most`


def test_saved_once_then_opened_from_disk(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = load_index(CODE)
    folder = _folder(cache)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{CODE}.meta",
        f"{CODE}.rwords",
        f"{CODE}.words",
    ]

    def no_build(code: str) -> WordIndex:
        raise AssertionError(f"rebuilt {code} although it is saved")

    monkeypatch.setattr(wordindex, "_build", no_build)
    opened = load_index(CODE)
    assert len(opened) == len(built)
    assert opened.head == built.head
    word = next(w for bucket in built.head for w in bucket)
    assert opened[word] == built[word]


def test_a_damaged_index_is_rebuilt(cache: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_index(CODE)
    meta = _folder(cache) / f"{CODE}.meta"
    meta.write_bytes(b"\x00not marshal")
    with caplog.at_level(logging.WARNING, logger="cleaners.wordindex"):
        index = load_index(CODE)
    assert "unreadable" in caplog.text
    assert len(index) == len(wordfreq.get_frequency_dict(CODE))
    assert load_index(CODE).head == index.head  # saved again, whole


def test_an_unwritable_cache_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING, logger="cleaners._diskcache"):
        index = load_index(CODE)
    assert len(index) == len(wordfreq.get_frequency_dict(CODE))
    assert "TIDYSCRAPE_CACHE_DIR" in caplog.text


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIDYSCRAPE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache_dir() == Path("/somewhere/cache/tidyscrape")
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", "/elsewhere")
    assert cache_dir() == Path("/elsewhere")
