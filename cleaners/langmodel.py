"""py3langid's language model, decompressed once per machine and memory-mapped.

Why: py3langid ships its model as an LZMA-compressed archive; decompressing it
costs 0.6-0.8 s in every process, which is most of a one-off ``scraper
extract`` and of every extraction worker's start.  The arrays are written once,
uncompressed, into the cache folder (:mod:`cleaners._diskcache`, one
subfolder per py3langid version) and memory-mapped afterwards: a process opens
the model in milliseconds, reads only the pages it touches, and worker
processes share them.  Any trouble with the cache falls back to py3langid's
own loader, so detection never fails because of it.
"""

from __future__ import annotations

import logging
import lzma
import shutil
from pathlib import Path
from typing import Any, Literal

import numpy as np

from cleaners._diskcache import atomic, cache_dir, warn_unwritable

__all__ = ["load_identifier"]

logger = logging.getLogger(__name__)

#: Bump when the files' layout changes.
FORMAT = 1
#: The arrays of the model archive, each saved as its own ``.npy`` file.
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _model_path() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    path = Path(MODEL_FILE)
    return path if path.is_absolute() else Path(MODEL_DIR) / path


def _folder() -> Path:
    import py3langid

    version = getattr(py3langid, "__version__", "unknown")
    return cache_dir() / f"langid-{FORMAT}-{version}-{_model_path().stat().st_size}"


def _save(folder: Path) -> None:
    """Decompress py3langid's archive and write each array as an ``.npy`` file."""
    with atomic(folder / "model.npz") as tmp:
        with lzma.open(_model_path()) as src, tmp.open("wb") as out:
            shutil.copyfileobj(src, out, length=1 << 20)
        with np.load(tmp, allow_pickle=False) as data:
            arrays = {name: data[name] for name in _ARRAYS}
    # The archive was only a step: the arrays are what is kept.
    (folder / "model.npz").unlink(missing_ok=True)
    for name in _ARRAYS[::-1]:  # "ptc" last: its presence says the others are there
        with atomic(folder / f"{name}.npy") as tmp, tmp.open("wb") as out:
            np.save(out, arrays[name], allow_pickle=False)


def _open(folder: Path) -> Any | None:  # noqa: ANN401 - py3langid ships no types
    """The identifier built from the saved arrays, or None when they are not there."""
    from py3langid.langid import LanguageIdentifier

    if not (folder / "ptc.npy").exists():
        return None
    loaded = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
    ptc, pc, classes = loaded["ptc"], loaded["pc"], loaded["classes"].tolist()
    if ptc.ndim != 2 or not ptc.shape[1] == len(pc) == len(classes):
        return None  # not the layout this code was written for: py3langid's loader instead
    return LanguageIdentifier(
        ptc,
        pc,
        classes,
        _array(loaded["nextmove"]),
        loaded["out_feat"].tolist(),
        norm_probs=True,
        tk_row=_array(loaded["nextmove_row"]),
    )


#: ``memoryview`` formats of unsigned integers, by size (py3langid's typecodes).
_FORMATS: dict[int, Literal["H", "I", "Q"]] = {2: "H", 4: "I", 8: "Q"}


def _array(values: Any) -> Any:  # noqa: ANN401 - numpy in, an int sequence out
    """The unsigned integers of a memory-mapped array, as py3langid's walk indexes them.

    Why a ``memoryview`` of the mapping and not py3langid's ``array.array``:
    the transition table is 39 MB, and copying it cost every process that
    detects a language 50 ms of CPU (each extraction worker of a crawl, at
    its start) and 39 MB of its own memory; a view copies nothing, the
    worker processes share the file's pages, and indexing it returns
    Python ints as fast as the array did.
    """
    contiguous = np.ascontiguousarray(values)  # a mapped .npy already is: no copy
    if contiguous.dtype.kind != "u" or contiguous.dtype.itemsize not in _FORMATS:
        raise ValueError(f"unexpected model array type {contiguous.dtype}")
    if not contiguous.dtype.isnative:
        contiguous = contiguous.astype(contiguous.dtype.newbyteorder("="))
    return contiguous.data.cast("B").cast(_FORMATS[contiguous.dtype.itemsize])


def load_identifier() -> Any:  # noqa: ANN401 - py3langid ships no types
    """py3langid's ``LanguageIdentifier`` (probabilities normalised), from the cache."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    folder = _folder()
    try:
        found = _open(folder)
        if found is None:
            logger.info("decompressing the language model into %s (once per machine)", folder)
            _save(folder)
            found = _open(folder)
    except OSError as exc:
        warn_unwritable(folder, exc.strerror or str(exc))
        found = None
    except (ValueError, KeyError, ImportError, AttributeError) as exc:
        logger.warning("language model cache in %s unusable (%s): using py3langid's", folder, exc)
        found = None
    if found is None:
        found = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return found
