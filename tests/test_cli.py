"""The ``scraper`` command, run through the installed console script.

Every test starts the real executable in a subprocess: what a user types is
what is tested (entry point, exit codes, stdout/stderr split).  URL inputs go
to a real HTTP server on 127.0.0.1 (tests/servers.py), never the internet.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

import scraper
from scraper.cli import SUBCOMMANDS
from scraper.cli.output import FORMATS
from scraper.config import Config, ExtractConfig
from tests.servers import Reply, TestServer, html, redirect, robots

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "fixtures" / "pages"
README = ROOT / "README.md"

IT_PAGE = PAGES / "it-wordpress-news.html"
IT_URL = "https://www.gazzettadelvaldarno.it/2024/06/18/tramvia-bagno-a-ripoli-cantieri-settembre/"
PL_PAGE = PAGES / "pl-news-microdata.html"
ES_PAGE = PAGES / "es-mislabelled-cp1252.html"
SHELL_PAGE = PAGES / "js-shell.html"


def _executable() -> str:
    """The console script of this environment: the interpreter's bin dir first, then PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    found = shutil.which("scraper", path=path)
    if found is None:
        pytest.fail("the `scraper` console script is not installed (pip install -e .)")
    return found


SCRAPER = _executable()
#: The flag that lets the CLI reach our test server (loopback is refused by default).
ALLOW_LOOPBACK = ("--allow-network", "127.0.0.1/32")


def _env() -> dict[str, str]:
    """The environment without proxies: loopback requests must go straight to the server."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def run(*args: str | Path, stdin: bytes | None = None, timeout: float = 60) -> Any:
    """Run ``scraper ARGS``; returns the CompletedProcess with text stdout/stderr."""
    proc = subprocess.run(
        [SCRAPER, *map(str, args)],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        timeout=timeout,
        cwd=ROOT,
        env=_env(),
        check=False,
    )
    proc.stdout = proc.stdout.decode("utf-8")
    proc.stderr = proc.stderr.decode("utf-8")
    return proc


def expected_article(path: Path, url: str | None = None, **extract: Any) -> scraper.Article:
    """What the library returns for the same document: the CLI must print exactly that."""
    config = Config(extract=ExtractConfig(**extract))
    return scraper.extract(path.read_bytes(), url, config=config)


def no_traceback(proc: Any) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr


# -- help, version, docs -----------------------------------------------------------


def test_help_lists_every_subcommand():
    proc = run("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: scraper")
    for name, (_, summary) in SUBCOMMANDS.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(summary)}", proc.stdout, re.MULTILINE), name
    assert "exit codes" in proc.stdout


def test_version():
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"scraper {scraper.__version__}"
    assert scraper.__version__ == version("tidyscrape")


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_help(name: str):
    proc = run(name, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"usage: scraper {name}")
    assert "examples:" in proc.stdout
    assert f"scraper {name} " in proc.stdout.split("examples:", 1)[1]


def _readme() -> str:
    if not README.exists():
        pytest.skip("README.md is not written yet")
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_documented_in_readme(name: str):
    """Like sqlite-utils' tests/test_docs.py: each command has a README section or example."""
    readme = _readme()
    headings = [line for line in readme.splitlines() if line.startswith("#")]
    in_heading = any(re.search(rf"\b{name}\b", h) for h in headings)
    assert in_heading or f"scraper {name}" in readme, f"`scraper {name}` is not in README.md"


def test_readme_lists_error_classes_and_formats():
    """The README lists every error class and shows every output format."""
    readme = _readme()
    missing = [n for n in scraper.errors.__all__ if not re.search(rf"\b{n}\b", readme)]
    assert not missing, f"error classes missing from README.md: {missing}"
    assert [fmt for fmt in FORMATS if f"`{fmt}`" not in readme] == []


# -- extract: files, formats -------------------------------------------------------


def test_extract_json_prints_the_article(article_schema, schema_errors):
    proc = run("extract", IT_PAGE, "--format", "json", "--base-url", IT_URL)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["input"] == str(IT_PAGE)
    assert data["url"] == IT_URL
    assert data["title"] == (
        "Tramvia per Bagno a Ripoli, i cantieri partiranno a settembre – l’annuncio della Regione"
    )
    assert (data["author"], data["date"], data["language"], data["sitename"]) == (
        "Chiara Benvenuti",
        "2024-06-18",
        "it",
        "Gazzetta del Valdarno",
    )
    assert data["canonical_url"] == IT_URL
    expected = expected_article(IT_PAGE, IT_URL).to_dict()
    assert {k: v for k, v in data.items() if k != "input"} == expected
    assert schema_errors(article_schema, data) == []
    assert proc.stderr == ""


def test_extract_text_is_the_body():
    proc = run("extract", PL_PAGE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected_article(PL_PAGE).text + "\n"


def test_extract_markdown_has_title_and_metadata_line():
    proc = run("extract", IT_PAGE, "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == (
        "# Tramvia per Bagno a Ripoli, i cantieri partiranno a settembre – l’annuncio della Regione"
    )
    assert "Chiara Benvenuti" in lines[2] and "2024-06-18" in lines[2]
    assert "## Come cambierà la viabilità" in lines
    assert "Dopo quasi due anni di rinvii" in proc.stdout


def test_several_inputs_json_is_one_array_in_input_order(article_schema, schema_errors):
    proc = run("extract", PL_PAGE, IT_PAGE, ES_PAGE, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [d["input"] for d in data] == [str(PL_PAGE), str(IT_PAGE), str(ES_PAGE)]
    assert [d["language"] for d in data] == ["pl", "it", "es"]
    for record in data:
        assert schema_errors(article_schema, record) == []


def test_several_inputs_text_has_header_lines_and_errors_on_stderr():
    """Text output: a header line per article; a failed input is one line on stderr."""
    missing = PAGES / "no-such-page.html"
    proc = run("extract", PL_PAGE, missing, ES_PAGE)
    assert proc.returncode == 1
    headers = [line for line in proc.stdout.splitlines() if line.startswith("==> ")]
    assert headers == [f"==> {PL_PAGE} <==", f"==> {ES_PAGE} <=="]
    first, second = proc.stdout.split(headers[1])
    assert expected_article(PL_PAGE).text in first
    assert expected_article(ES_PAGE).text in second
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1
    assert str(missing) in errors[0] and "InputError" in errors[0]


def test_a_failing_input_does_not_stop_the_others(error_schema, schema_errors):
    missing = PAGES / "no-such-page.html"
    proc = run("extract", PL_PAGE, missing, SHELL_PAGE, IT_PAGE, "--format", "jsonl")
    assert proc.returncode == 1
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    inputs = [str(p) for p in (PL_PAGE, missing, SHELL_PAGE, IT_PAGE)]
    assert [r["input"] for r in records] == inputs
    assert records[1] == {
        "input": str(missing),
        "url": None,
        "error": {"type": "InputError", "message": records[1]["error"]["message"]},
    }
    assert str(missing) in records[1]["error"]["message"]
    assert records[2]["error"]["type"] == "NoArticleError"
    for record in records[1:3]:
        assert schema_errors(error_schema, record) == []
    assert records[3]["language"] == "it"
    no_traceback(proc)


def test_nothing_succeeded_exits_3():
    proc = run("extract", PAGES / "missing-1.html", PAGES / "missing-2.html", "--format", "jsonl")
    assert proc.returncode == 3
    assert [json.loads(line)["error"]["type"] for line in proc.stdout.splitlines()] == [
        "InputError",
        "InputError",
    ]
    no_traceback(proc)


@pytest.mark.parametrize(
    "args",
    [
        ["extract", "--no-such-flag", "x.html"],
        ["extract", "x.html", "--format", "yaml"],
        ["extract"],
        ["extract", "-", "-"],
        ["extract", "x.html", "--timeout", "-1"],
        ["extract", "x.html", "--max-size", "lots"],
        ["no-such-command"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_errors_exit_2(args: list[str]):
    proc = run(*args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "error" in proc.stderr
    no_traceback(proc)


def test_input_file_refuses_local_files_without_allow_files(tmp_path: Path):
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"https://example.org/news/1\n{PL_PAGE}\n", encoding="utf-8")
    proc = run("extract", "--input-file", listing)
    assert proc.returncode == 2
    assert "--allow-files" in proc.stderr
    assert str(PL_PAGE) in proc.stderr
    no_traceback(proc)


def test_input_file_with_allow_files(tmp_path: Path):
    listing = tmp_path / "inputs.txt"
    listing.write_text(f"# a comment\n\n{PL_PAGE}\n  {IT_PAGE}  \n", encoding="utf-8")
    proc = run("extract", "--input-file", listing, "--allow-files", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["input"] for line in proc.stdout.splitlines()] == [
        str(PL_PAGE),
        str(IT_PAGE),
    ]


def test_stdin():
    """One document on stdin, as bytes in its own (mislabelled) charset."""
    url = "https://www.diariodelolivar.es/campo/cosecha-aceituna-jaen-sequia-2023"
    proc = run("extract", "-", "--format", "json", "--base-url", url, stdin=ES_PAGE.read_bytes())
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["input"], data["url"]) == ("-", url)
    assert "«¿Qué hacemos ahora?" in data["text"]
    assert data["text"] == expected_article(ES_PAGE, url).text


def test_empty_stdin_is_an_input_error():
    proc = run("extract", "-", "--format", "jsonl")
    assert proc.returncode == 3
    record = json.loads(proc.stdout)
    assert (record["input"], record["error"]["type"]) == ("-", "InputError")


def test_no_clean_prints_the_raw_extraction():
    proc = run("extract", ES_PAGE, "--no-clean", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["text"] == expected_article(ES_PAGE, clean=False).text


# -- extract: URLs from a local server -------------------------------------------------


@pytest.fixture
def site() -> Iterator[TestServer]:
    """Fixture pages over HTTP on 127.0.0.1, with a robots.txt that closes /private/."""
    with TestServer() as server:
        server.route("/robots.txt", robots("User-agent: *\nDisallow: /private/\n"))
        for page in PAGES.glob("*.html"):
            # no charset in the header: the document's own bytes must decide
            reply = html(page.read_bytes(), charset=None)
            server.route(f"/news/{page.name}", reply)
            server.route(f"/private/{page.name}", reply)
        server.route("/go/es", redirect("/news/es-mislabelled-cp1252.html", 301))
        yield server


def test_extract_url(site: TestServer, tmp_path: Path):
    """One URL from --input-file, robots ignored: the article and its final URL."""
    url = site.url("/private/it-wordpress-news.html")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# from a crawl\n{url}\n", encoding="utf-8")
    proc = run(
        "extract", "--input-file", listing, "--ignore-robots", "--format", "json", *ALLOW_LOOPBACK
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["input"], data["url"]) == (url, url)
    assert data["author"] == "Chiara Benvenuti"
    assert data["canonical_url"] == IT_URL
    assert data["text"] == expected_article(IT_PAGE, url).text
    assert site.hits("/robots.txt") == 0
    assert "tidyscrape" in site.seen("/private/it-wordpress-news.html")[0].headers["user-agent"]


@pytest.mark.slow  # the per-host delay (1 s) separates robots.txt and each request
def test_extract_urls_with_failures(site: TestServer):
    go, private, missing = site.url("/go/es"), site.url("/private/pl.html"), site.url("/nope")
    proc = run("extract", go, private, missing, "--format", "jsonl", *ALLOW_LOOPBACK)
    assert proc.returncode == 1, proc.stderr
    ok, blocked, absent = (json.loads(line) for line in proc.stdout.splitlines())
    assert ok["input"] == go
    assert ok["url"] == site.url("/news/es-mislabelled-cp1252.html")
    assert ok["author"] == "Lucía Fernández Ortega"
    assert "«¿Qué hacemos ahora?" in ok["text"]
    assert blocked == {
        "input": private,
        "url": private,
        "error": {"type": "RobotsDisallowed", "message": blocked["error"]["message"]},
    }
    assert absent["error"]["type"] == "HTTPStatusError"
    assert "404" in absent["error"]["message"]
    assert site.hits("/private/pl.html") == 0
    no_traceback(proc)


def _interrupt(site: TestServer, *, group: bool) -> tuple[int, str]:
    """Start a batch whose URL never answers, wait for the file's article, send SIGINT.

    ``group``: to the whole process group, workers included, as a terminal's
    Ctrl-C does; else to the CLI process only.
    """
    site.route("/slow", Reply(200, b"<p>late</p>", [("Content-Type", "text/html")], delay=30))
    proc = subprocess.Popen(
        [
            # A process started in the background by a non-interactive shell
            # (``cmd &``, as some CI runners start the suite) inherits SIGINT
            # ignored, and so would the CLI: Ctrl-C is meant for foreground
            # work.  The test sends SIGINT on purpose, so the CLI gets the
            # default disposition back before it starts (it survives exec).
            sys.executable,
            "-c",
            "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
            "os.execv(sys.argv[1], sys.argv[1:])",
            SCRAPER,
            "extract",
            str(PL_PAGE),
            site.url("/slow"),
            "--ignore-robots",
            "-f",
            "jsonl",
            *ALLOW_LOOPBACK,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=_env(),
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        assert json.loads(proc.stdout.readline())["language"] == "pl"  # the worker is idle now
        assert site.hits("/slow") == 1
        if group:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    return proc.returncode, err.decode("utf-8")


def test_ctrl_c_stops_cleanly(site: TestServer):
    code, stderr = _interrupt(site, group=False)
    assert code == 130
    assert stderr.strip() == "scraper: interrupted"


def test_ctrl_c_from_a_terminal_prints_no_traceback(site: TestServer):
    code, stderr = _interrupt(site, group=True)
    assert code == 130
    assert "Traceback" not in stderr, stderr


def test_closed_stdout_is_not_a_crash():
    proc = subprocess.Popen(
        [SCRAPER, "extract", str(IT_PAGE), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # like `head -1` exiting
    err = proc.stderr.read().decode("utf-8")
    proc.wait(timeout=30)
    proc.stderr.close()
    assert "Traceback" not in err, err
    assert proc.returncode == 141


# -- clean -------------------------------------------------------------------------------

BROKEN = "Il sindaco  ha detto che strong> la piazza sarà pronta entro&nbsp;giugno .\n"
CORRECT = "Il sindaco ha detto che la piazza sarà pronta entro giugno.\n"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _assert_repaired(out: str) -> None:
    assert "strong>" not in out
    assert "&nbsp;" not in out
    assert "  " not in out
    assert _words(out) == _words(CORRECT)


def test_clean_stdin():
    proc = run("clean", "-", "--lang", "it", stdin=BROKEN.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    _assert_repaired(proc.stdout)
    assert proc.stderr == ""


def test_clean_file_with_explain(tmp_path: Path):
    source = tmp_path / "broken.txt"
    source.write_text(BROKEN, encoding="utf-8")
    proc = run("clean", source, "--explain")
    assert proc.returncode == 0, proc.stderr
    _assert_repaired(proc.stdout)
    changes = [json.loads(line) for line in proc.stderr.splitlines()]
    assert changes, "--explain wrote nothing"
    assert all(isinstance(change, dict) for change in changes)


def test_clean_leaves_correct_text_alone():
    proc = run("clean", "-", "--lang", "it", "--explain", stdin=CORRECT.encode("utf-8"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == CORRECT
    assert proc.stderr == ""


def test_clean_binary_input_names_the_file(tmp_path: Path):
    binary = tmp_path / "picture.png"
    binary.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)))
    proc = run("clean", binary)
    assert proc.returncode != 0
    assert str(binary) in proc.stderr
    assert proc.stdout == ""
    no_traceback(proc)


def test_clean_missing_file_names_it(tmp_path: Path):
    missing = tmp_path / "nothing.txt"
    proc = run("clean", missing)
    assert proc.returncode != 0
    assert str(missing) in proc.stderr
    no_traceback(proc)


def test_clean_prepare_builds_the_data_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIDYSCRAPE_CACHE_DIR", str(tmp_path / "cache"))
    proc = run("clean", "--prepare", "--lang", "id")  # a small word table: quick
    assert proc.returncode == 0, proc.stderr
    assert "data cache ready for 1 languages" in proc.stderr and proc.stdout == ""
    built = sorted(p.name for p in (tmp_path / "cache").rglob("*") if p.is_file())
    assert {"id.meta", "id.words", "id.rwords", "ptc.npy"} <= set(built)
