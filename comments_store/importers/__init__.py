"""Moving in from another comment system (Isso, Disqus, WordPress) or another Boucle database.

Each reader turns one export format into a Source; `import_source` writes it into the store.
"""
from __future__ import annotations

from pathlib import Path

from sqlite_utils import Database

from . import boucle, disqus, isso, wordpress
from .load import Report, import_source
from .source import ImportedComment, ImportFileError, Source

READERS = {"isso": isso.read, "disqus": disqus.read, "wordpress": wordpress.read, "boucle": boucle.read}


def import_file(db: Database, fmt: str, path: str | Path, **options) -> Report:
    """Read `path` as `fmt` and import it (options: prefix, overrides, dry_run); raises ImportFileError."""
    if fmt not in READERS:
        raise ImportFileError(f"format inconnu : {fmt!r} (formats : {', '.join(READERS)})")
    return import_source(db, READERS[fmt](path), **options)


__all__ = ["READERS", "ImportFileError", "ImportedComment", "Report", "Source", "import_file", "import_source"]
