"""The article that started the project, cleaned as a golden test.

``fixtures/text/seed-broken-article-it.txt`` is a copy of the real scraped
article; ``seed-broken-article-it.expected.txt`` is its cleaned version,
written and checked by hand against the issue's list.
"""

from __future__ import annotations

from cleaners import clean, explain
from tests.cleaners.conftest import TEXT_FIXTURES

SEED = (TEXT_FIXTURES / "seed-broken-article-it.txt").read_text("utf-8")
EXPECTED = (TEXT_FIXTURES / "seed-broken-article-it.expected.txt").read_text("utf-8")
EXPECTED = EXPECTED.removesuffix("\n")


def test_golden():
    assert clean(SEED, "it") == EXPECTED


def test_language_detected_too():
    assert clean(SEED) == EXPECTED


def test_issue_requirements():
    out = clean(SEED, "it")
    lines = out.split("\n")
    assert "p>" not in lines and "strong>" not in out
    assert "una volta nel settembre" in out and "per attacchi" in out
    assert "al Cremlino." in out and "Cremlino ." not in out
    assert "nel messaggio." in out and "messaggio. ." not in out
    heading = "La Corea del Nord rimarrà un importante alleato ideologico per il Cremlino"
    assert out.count(heading) == 1
    assert f"{heading} soprattutto in considerazione" in out
    title = "Putin visiterà la Corea del Nord questa settimana – dichiarazione del Cremlino"
    assert out.startswith(title + "\n\n") and out.count("Putin visiterà") == 1
    for gone in ("World News", "Argomenti correlati:", "Altre notizie", "Leave a Reply"):
        assert gone not in out
    # Not ours to guess: translation errors stay.
    assert "arriverà il una visita" in out and "Kim Jong-in" in out


def test_every_deletion_is_explained():
    result = explain(SEED, "it")
    deleted = [c.old.strip() for c in result.changes if c.new == ""]
    for block in ("World News", "Argomenti correlati:", "Altre notizie", "Leave a Reply"):
        assert block in deleted


def test_idempotent():
    out = clean(SEED, "it")
    assert clean(out, "it") == out
