"""The fast classifier gives py3langid's code and confidence, bit for bit."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners import _cache, langscan
from cleaners.langscan import FastClassifier

from .conftest import CASE_FILES, load_cases

SAMPLES = [
    "Il presidente russo arriverà in visita ufficiale in Corea del Nord il 18 giugno.",
    "The council will vote on the new budget next Tuesday evening, the mayor said.",
    "Die Bundesregierung hat am Mittwoch neue Regeln für den Wohnungsbau beschlossen.",
    "Le gouvernement a présenté mercredi son projet de loi sur les retraites.",
    "Rząd przyjął w środę nowy projekt ustawy o podatkach dochodowych.",
    "El gobierno aprobó el miércoles una nueva ley de vivienda para los jóvenes.",
    "O governo aprovou na quarta-feira uma nova lei sobre a habitação.",
    "De regering heeft woensdag nieuwe regels voor de woningbouw aangenomen.",
    "Правительство в среду одобрило новый законопроект о налогах.",
    "政府は水曜日に新しい税法案を承認した。",
    "الحكومة وافقت يوم الأربعاء على مشروع قانون جديد للضرائب.",
    "Η κυβέρνηση ενέκρινε την Τετάρτη νέο νομοσχέδιο για τους φόρους.",
    "THE COUNCIL WILL VOTE ON THE NEW BUDGET",
    "",
    "OK",
    "12345 67890 !!!",
    "x\ud800y",
]


def _texts() -> list[str]:
    """Texts in many languages: the samples and every labelled text case, and pieces of them."""
    texts = list(SAMPLES)
    for name in CASE_FILES:
        for case in load_cases(name):
            texts += [case["original"], case["fixed"]]
    pieces = []
    for text in texts:
        for size in (1, 5, langscan.WINDOW, langscan.WINDOW + 1, 40, 300, 2000):
            pieces += [text[:size], text[len(text) // 3 : len(text) // 3 + size]]
    return texts + pieces


@pytest.fixture(scope="module")
def identifier() -> Any:
    return _cache.language_identifier()


@pytest.fixture(scope="module")
def fast(identifier: Any) -> FastClassifier:
    return FastClassifier(identifier)


def _same(fast: FastClassifier, identifier: Any, text: str | bytes) -> None:
    expected = identifier.classify(text)
    got = fast.classify(text)
    assert got == expected
    assert type(got[1]) is type(expected[1])


def test_equal_on_many_texts(fast: FastClassifier, identifier: Any) -> None:
    for text in _texts():
        _same(fast, identifier, text)
        _same(fast, identifier, text.encode("utf-8", "surrogatepass"))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=400) | st.text(alphabet="abcdefghij klmnoprstuvzàèéìòù.,'", max_size=2500))
def test_equal_on_any_text(fast: FastClassifier, identifier: Any, text: str) -> None:
    _same(fast, identifier, text)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300))
def test_equal_on_any_bytes(fast: FastClassifier, identifier: Any, data: bytes) -> None:
    _same(fast, identifier, data)


def test_visits_are_py3langid_walk_in_order(fast: FastClassifier) -> None:
    for text in _texts()[:300]:
        data = text.encode("utf-8", "surrogatepass")
        got, expected = fast.visits(data), fast._walk(data)
        assert got == expected
        assert list(got or ()) == list(expected or ())  # first-seen order feeds the matmul


def test_too_short_window_falls_back_to_the_walk(
    fast: FastClassifier, identifier: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With one byte of context the states are wrong: the check must catch it.
    monkeypatch.setattr(langscan, "WINDOW", 1)
    for text in SAMPLES:
        data = text.encode("utf-8", "surrogatepass")
        assert fast.visits(data) == fast._walk(data)
        _same(fast, identifier, text)


def test_rows_are_the_exact_float32_rows(fast: FastClassifier, identifier: Any) -> None:
    table = np.asarray(identifier.nb_ptc)
    rng = np.random.default_rng(7)
    for size in (1, 10, 3000):
        idx = rng.integers(0, len(table), size).astype(np.intp)
        assert np.array_equal(fast.rows(idx), table[idx].astype(np.float32))


def test_rows_from_many_threads(identifier: Any) -> None:
    fast = FastClassifier(identifier)
    table = np.asarray(identifier.nb_ptc)
    wrong: list[int] = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        for _ in range(50):
            idx = rng.integers(0, 5000, 200).astype(np.intp)
            if not np.array_equal(fast.rows(idx), table[idx].astype(np.float32)):
                wrong.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong
