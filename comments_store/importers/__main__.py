"""python -m comments_store.importers FORMAT FILE: import another system's comments into $BOUCLE_DB."""
from __future__ import annotations

import argparse
import json
import sys

from ..db import default_path, open_db
from ..errors import StoreError
from . import READERS, ImportFileError, import_file


def _overrides(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, slug = pair.rpartition("=")
        if not sep or not old or not slug:
            raise SystemExit(f"--map attend ANCIENNE_ADRESSE=slug, pas {pair!r}")
        mapping[old] = slug
    return mapping


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comments_store.importers",
                                     description="Importer les commentaires d'un autre système dans $BOUCLE_DB.")
    parser.add_argument("format", choices=sorted(READERS))
    parser.add_argument("file", help="base Isso, export XML Disqus, export WXR WordPress, ou export JSON Boucle")
    parser.add_argument("--prefix", default="", help="préfixe des anciennes adresses à retirer (ex. /blog)")
    parser.add_argument("--map", action="append", default=[], metavar="ANCIENNE=slug",
                        help="rattacher une ancienne adresse à un article (répétable)")
    parser.add_argument("--dry-run", action="store_true", help="montrer le rapport sans rien écrire")
    parser.add_argument("--json", action="store_true", help="rapport en JSON")
    args = parser.parse_args(argv)
    db = open_db(default_path())
    try:
        report = import_file(db, args.format, args.file, prefix=args.prefix, overrides=_overrides(args.map),
                             dry_run=args.dry_run)
    except ImportFileError as exc:
        print(f"Import refusé : {exc}. Rien n'a été importé.", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"Import interrompu : {exc}. Rien n'a été importé.", file=sys.stderr)
        return 1
    finally:
        db.close()
    print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) if args.json else report.as_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
