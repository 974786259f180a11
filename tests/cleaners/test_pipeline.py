"""The pipeline: fixed point, config switches, explain(), language handling."""

from __future__ import annotations

import dataclasses
import json

import pytest

import cleaners
from cleaners import CleanerConfig, clean, explain
from cleaners.pipeline import STEPS, diff

DAMAGED = "World News\n\nIl Cremlino .\n\np>\n\nUn testo vero, con una fine.\n\nLeave a Reply"


def test_every_step_has_a_config_switch():
    fields = {f.name for f in dataclasses.fields(CleanerConfig)}
    assert {step.name for step in STEPS} <= fields


def test_every_config_switch_turns_its_step_off():
    for step in STEPS:
        config = dataclasses.replace(CleanerConfig(), **{step.name: False})
        result = explain(DAMAGED, "it", config=config)
        assert step.name in {s.step for s in result.skipped}
        assert all(change.step != step.name for change in result.changes)


def test_all_off_returns_the_input():
    config = CleanerConfig(**{step.name: False for step in STEPS})
    assert clean(DAMAGED, "it", config=config) == DAMAGED


def test_explain_matches_clean_and_replays():
    result = explain(DAMAGED, "it")
    assert result.text == clean(DAMAGED, "it") == "Il Cremlino.\n\nUn testo vero, con una fine."
    assert result.lang == "it" and not result.lang_detected
    # Each change applies at its position in the text the step saw.
    text = DAMAGED
    steps = {c.step for c in result.changes}
    assert steps == {"stray_tags", "boilerplate", "punctuation"}
    for change in result.changes:
        assert change.old != change.new
    assert text  # the positions are per step and round; see test_changes_replay


def test_changes_replay():
    """Applying each round's changes of one step in reverse order reproduces the step's output."""
    result = explain(DAMAGED, "it")
    text = DAMAGED
    current = None
    pending: list[cleaners.Change] = []
    for change in [*result.changes, None]:
        key = None if change is None else (change.round, change.step)
        if pending and key != current:
            for c in sorted(pending, key=lambda c: -c.position):
                assert text[c.position : c.position + len(c.old)] == c.old
                text = text[: c.position] + c.new + text[c.position + len(c.old) :]
            pending = []
        if change is not None:
            current = key
            pending.append(change)
    assert text == result.text


def test_changes_are_json_ready():
    result = explain(DAMAGED, "it")
    lines = [json.dumps(c.to_dict(), ensure_ascii=False) for c in result.changes]
    assert all(
        set(json.loads(line)) == {"step", "old", "new", "position", "round"} for line in lines
    )
    assert json.loads(json.dumps(result.to_dict()))["text"] == result.text


def test_deleting_steps_report_each_block():
    result = explain(DAMAGED, "it")
    removed = [c.old.strip() for c in result.changes if c.step == "boilerplate"]
    assert removed == ["World News", "Leave a Reply"]
    assert all(c.new == "" for c in result.changes if c.step in ("boilerplate", "stray_tags"))


def test_language_is_detected_when_not_given():
    text = "Il presidente russo arriverà in visita ufficiale in Corea del Nord il 18 giugno ."
    result = explain(text)
    assert result.lang == "it" and result.lang_detected
    assert result.text.endswith("giugno.")


def test_unknown_language_skips_the_word_splitter():
    result = explain("Kim Jong Un .", None)
    assert result.lang is None
    assert "joined_words" in {s.step for s in result.skipped}
    assert result.text == "Kim Jong Un."


@pytest.mark.parametrize("lang", ["xx", "klingon", "zz-ZZ"])
def test_unsupported_language_cleans_with_the_other_steps(lang: str):
    result = explain("Ciao .\n\np>\n\nFine.", lang)
    assert result.text == "Ciao.\n\nFine."
    skipped = {s.step: s.reason for s in result.skipped}
    assert "not supported" in skipped["joined_words"]


def test_is_supported_language():
    assert cleaners.is_supported_language("it")
    assert cleaners.is_supported_language("pt-BR")
    assert cleaners.is_supported_language("hr")  # wordfreq keeps it under 'sh'
    assert not cleaners.is_supported_language("xx")
    assert not cleaners.is_supported_language(None)


def test_title_drops_a_repeated_title():
    text = "Il titolo\n\nIl testo, lungo abbastanza.\n\nIl titolo"
    assert clean(text, "it", title="Il titolo") == "Il titolo\n\nIl testo, lungo abbastanza."


def test_rounds_are_reported_and_bounded():
    result = explain(DAMAGED, "it")
    assert 1 <= result.rounds <= CleanerConfig().max_rounds
    assert explain("Fine.", "it").rounds == 1


@pytest.mark.parametrize(
    "text",
    ["", "\n", " ", "\ud800", "\x00\x01", "<", "&", "\ufffd" * 5, "a" * 10_000, "-\n" * 50],
)
def test_odd_input(text: str):
    out = clean(text, "it")
    assert clean(out, "it") == out


def test_diff_positions():
    assert diff("abc", "abc") == []
    assert diff("a b c", "a c") == [(2, "b ", "")]
    assert diff("", "x") == [(0, "", "x")]
