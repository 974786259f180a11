"""Job files: every key read and checked, errors naming the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.config import Config
from scraper.crawling.jobs import DEFAULT_STORE, load_job, parse_duration, quick_job
from scraper.errors import ConfigError

FULL_JOB = """\
[job]
name = "valdarno"
seeds = ["https://www.gazzettadelvaldarno.it/"]
sitemaps = ["https://www.gazzettadelvaldarno.it/sitemap_index.xml"]
feeds = ["https://www.gazzettadelvaldarno.it/feed/"]
store = "valdarno.sqlite"
output = "articles.jsonl"
every = "1h"
archive = true

[scope]
domains = ["gazzettadelvaldarno.it"]
include = ['^https://www\\.gazzettadelvaldarno\\.it/\\d{4}/']
exclude = ['/tag/', '\\?replytocom=']
max_depth = 3
max_pages = 500

[politeness]
delay = 2.5
per_host = 2
concurrency = 16
obey_robots = true
user_agent = "valdarno-archive/1.0 (+mailto:ops@example.org)"
timeout = 20
retries = 2

[recrawl]
interval = "12h"

[extract]
clean = true
include_tables = false

[clean]
joined_words = false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_job_reads_every_key(tmp_path):
    job = load_job(write(tmp_path, FULL_JOB))
    assert job.name == "valdarno"
    assert job.seeds == ("https://www.gazzettadelvaldarno.it/",)
    assert job.sitemaps and job.feeds
    assert job.store == str(tmp_path / "valdarno.sqlite")  # relative to the job file
    assert job.output == str(tmp_path / "articles.jsonl")
    assert job.every == 3600.0
    assert job.archive is True
    assert job.domains == ("gazzettadelvaldarno.it",)
    assert job.max_depth == 3 and job.max_pages == 500
    assert job.recrawl == 12 * 3600.0
    fetch = job.config.fetch
    assert fetch.per_host_delay == 2.5 and fetch.per_host_concurrency == 2
    assert fetch.concurrency == 16 and fetch.timeout == 20.0 and fetch.retries == 2
    assert fetch.user_agent.startswith("valdarno-archive/")
    assert job.config.extract.include_tables is False
    assert job.config.clean.joined_words is False
    assert job.config.clean.boilerplate is True


def test_minimal_job_takes_the_defaults(tmp_path):
    job = load_job(write(tmp_path, '[job]\nseeds = ["https://example.org/"]\n'))
    assert job.name == "job"
    assert job.store == str(tmp_path / "job.sqlite")
    assert job.output is None
    assert job.config == Config()


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ('[job]\nseeds = "x"\nsedes = []\n', "[job.sedes]", "unknown key"),
        ("[job]\nname = 3\nseeds = ['https://a.example/']\n", "[job.name]", "expected a string"),
        ("[job]\nname = 'x'\n", "[job.seeds]", "at least one of seeds"),
        (
            "[job]\nseeds = ['https://a.example/']\n[scope]\nmax_pages = 0\n",
            "[scope.max_pages]",
            "at least 1",
        ),
        (
            "[job]\nseeds = ['https://a.example/']\n[scope]\ninclude = ['(']\n",
            "[scope.include]",
            "bad regular expression",
        ),
        (
            "[job]\nseeds = ['https://a.example/']\n[politeness]\ndelay = -1\n",
            "[politeness.delay]",
            "negative",
        ),
        (
            "[job]\nseeds = ['https://a.example/']\n[politeness]\nobey_robots = 'no'\n",
            "[politeness.obey_robots]",
            "true or false",
        ),
        (
            "[job]\nseeds = ['https://a.example/']\n[recrawl]\ninterval = 'soon'\n",
            "[recrawl.interval]",
            "not a duration",
        ),
        (
            "[job]\nseeds = ['https://a.example/']\n[clean]\nsplit_words = true\n",
            "[clean.split_words]",
            "unknown key",
        ),
        ("[job]\nseeds = ['https://a.example/']\n[jobs]\n", "[jobs]", "unknown table"),
    ],
)
def test_bad_job_files_name_file_key_and_problem(tmp_path, text, where, problem):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_job(path)
    message = str(info.value)
    assert str(path) in message
    assert where in message
    assert problem in message


def test_invalid_toml_and_missing_file_name_the_file(tmp_path):
    path = write(tmp_path, "[job\nseeds = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_job(path)
    with pytest.raises(ConfigError, match="no such job file"):
        load_job(tmp_path / "missing.toml")


def test_durations():
    assert parse_duration("2w") == 14 * 86400
    with pytest.raises(ValueError):
        parse_duration(True)
    with pytest.raises(ValueError):
        parse_duration(-5)


def test_quick_job_is_named_after_its_hosts_so_reruns_resume():
    a = quick_job(
        ["https://b.example/x", "https://a.example/"],
        store=None,
        output=None,
        max_pages=10,
        config=Config(),
    )
    b = quick_job(
        ["https://a.example/", "https://b.example/x"],
        store=None,
        output=None,
        max_pages=5,
        config=Config(),
    )
    assert a.name == b.name == "quick:a.example,b.example"
    assert a.store == DEFAULT_STORE
