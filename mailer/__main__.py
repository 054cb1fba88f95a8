"""python -m mailer [--db PATH]: send what waits in the outbox (for a timer when no API process runs)."""
from __future__ import annotations

import argparse
import sys

import comments_store
from comments_store.db import default_path
from comments_store import outbox

from . import MailError, SmtpSettings, send_due


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailer", description="Send the e-mail waiting in the outbox.")
    parser.add_argument("--db", default=default_path(), help="a SQLite file or a postgresql:// URL "
                        "(default: $BOUCLE_DATABASE_URL, $BOUCLE_DB or instance/boucle.db)")
    parser.add_argument("--list", action="store_true", help="only list what waits")
    args = parser.parse_args(argv)
    db = comments_store.open_db(args.db)
    if args.list:
        for item in outbox.waiting(db):
            print(f"{item['id']}\t{item['attempts']} essai(s)\t{item['next_attempt_at']}\t{item['subject']}"
                  f"\t{item['last_error'] or ''}")
        return 0
    try:
        settings = SmtpSettings.from_environ()
    except MailError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    sent, failed = send_due(db, settings)
    print(f"{sent} envoyé(s), {failed} en échec (nouvel essai plus tard), {len(outbox.waiting(db))} en attente")
    return 0 if not failed else 3


if __name__ == "__main__":
    sys.exit(main())
