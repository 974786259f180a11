"""Imported once by the extraction pool's forkserver, before it forks any worker.

Why a module with an effect on import: a forkserver's only hook is
``set_forkserver_preload`` (modules to import).  Importing this one loads the
extraction stack and then runs one warm-up extraction, so that the lazy
loads (language model, word lists, charset tables: about 0.15 s) happen once
in the server, and every worker forked from it (and every replacement of a
killed one) starts with them already in memory, shared copy-on-write.
"""

from __future__ import annotations

import logging

from scraper.config import Config
from scraper.errors import ExtractionError
from scraper.extraction.article import extract_article
from scraper.extraction.worker import WARM_UP_DOCUMENT

logger = logging.getLogger(__name__)

try:
    extract_article(WARM_UP_DOCUMENT, None, Config())
except ExtractionError as exc:  # the server still serves; each worker warms up on its own
    logger.warning("warming up the extraction forkserver failed: %s", exc)
