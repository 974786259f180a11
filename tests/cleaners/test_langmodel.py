"""The language model cache: py3langid's exact model, decompressed once, never fatal."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from cleaners import langmodel

SAMPLES = [
    "Il presidente russo arriverà in visita ufficiale in Corea del Nord.",
    "The council will vote on the new budget next Tuesday evening.",
    "Die Bundesregierung hat am Mittwoch neue Regeln beschlossen.",
    "Le gouvernement a présenté mercredi son projet de loi.",
    "Rząd przyjął w środę nowy projekt ustawy o podatkach.",
]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def reference() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_cached_model_classifies_as_py3langid_does(
    cache: Path, reference: LanguageIdentifier
) -> None:
    built = langmodel.load_identifier()
    opened = langmodel.load_identifier()  # this time from the saved arrays
    for text in SAMPLES:
        assert built.classify(text) == reference.classify(text)
        assert opened.classify(text) == reference.classify(text)
        assert opened.rank(text)[:5] == reference.rank(text)[:5]
    (folder,) = cache.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.npy" for name in langmodel._ARRAYS
    )


def test_a_saved_model_is_not_decompressed_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    langmodel.load_identifier()

    def no_save(folder: Path) -> None:
        raise AssertionError(f"decompressed again into {folder}")

    monkeypatch.setattr(langmodel, "_save", no_save)
    assert langmodel.load_identifier().classify(SAMPLES[0])[0] == "it"


def test_a_damaged_cache_falls_back_to_py3langid(
    cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    langmodel.load_identifier()
    (folder,) = cache.iterdir()
    (folder / "ptc.npy").write_bytes(b"\x93NUMPY garbage")
    with caplog.at_level(logging.WARNING, logger="cleaners.langmodel"):
        identifier = langmodel.load_identifier()
    assert "unusable" in caplog.text
    assert identifier.classify(SAMPLES[1])[0] == "en"


def test_an_unwritable_cache_falls_back_to_py3langid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level(logging.WARNING, logger="cleaners._diskcache"):
        identifier = langmodel.load_identifier()
    assert "TIDYSCRAPE_CACHE_DIR" in caplog.text
    assert identifier.classify(SAMPLES[2])[0] == "de"


def test_the_transition_table_is_read_in_place_not_copied(cache: Path) -> None:
    langmodel.load_identifier()
    table = langmodel.load_identifier().tk_nextmove  # from the saved arrays
    # A view of the memory-mapped file (each worker process would otherwise
    # copy its 39 MB), indexed as py3langid's walk indexes it: Python ints.
    assert isinstance(table, memoryview)
    assert isinstance(table[0], int)
    assert table.readonly


def test_model_arrays_of_another_byte_order_or_a_signed_type() -> None:
    import numpy as np

    big = np.array([1, 2, 70000], dtype=">u4")
    assert langmodel._array(big).tolist() == [1, 2, 70000]
    with pytest.raises(ValueError, match="unexpected model array type"):
        langmodel._array(np.array([1, -1], dtype=np.int16))
