"""Named migrations of the comment tables. Never edit one that has landed: add a new one."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("comments_store")


@migrations(name="0001_threads_and_comments")
def threads_and_comments(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE threads (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL DEFAULT 'fr',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE comments (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES threads(id),
            parent_id INTEGER REFERENCES comments(id),
            author TEXT NOT NULL,
            email TEXT,
            website TEXT,
            body TEXT NOT NULL,
            html TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'rejected', 'spam')),
            created_at TEXT NOT NULL,
            edited_at TEXT,
            lang TEXT,
            client_hash TEXT,
            edit_token_hash TEXT,
            fingerprint TEXT NOT NULL DEFAULT '',
            notify INTEGER NOT NULL DEFAULT 0,
            deleted INTEGER NOT NULL DEFAULT 0,
            status_changed_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX comments_thread_status ON comments(thread_id, status, created_at)")
    db.execute("CREATE INDEX comments_status_created ON comments(status, created_at)")
    db.execute("CREATE INDEX comments_email ON comments(email)")
    db.execute("CREATE INDEX comments_client ON comments(client_hash, created_at)")
    db.execute("CREATE INDEX comments_fingerprint ON comments(thread_id, fingerprint)")
    db.execute("CREATE INDEX comments_parent ON comments(parent_id)")


@migrations(name="0002_team_replies")
def team_replies(db: Database) -> None:
    # Answers from the product team, shown with a badge under the reader's comment.
    db.execute("ALTER TABLE comments ADD COLUMN is_team INTEGER NOT NULL DEFAULT 0")


@migrations(name="0003_thread_category")
def thread_category(db: Database) -> None:
    db.execute("ALTER TABLE threads ADD COLUMN category TEXT NOT NULL DEFAULT ''")


@migrations(name="0004_outbox")
def outbox(db: Database) -> None:
    # E-mail waiting to be sent: a message is stored with the change that causes it, and sent (and retried)
    # apart from the request, so a slow or absent mail server never delays or loses a comment.
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            recipients TEXT NOT NULL,
            subject TEXT NOT NULL,
            text TEXT NOT NULL,
            html TEXT,
            headers TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            claimed_until TEXT,
            sent_at TEXT,
            last_error TEXT
        )
        """
    )
    db.execute("CREATE INDEX outbox_due ON outbox(sent_at, next_attempt_at)")


@migrations(name="0005_thread_changes")
def thread_changes(db: Database) -> None:
    # A counter per article, raised by the database itself on every change to its comments: readers' caches
    # (ETag, the API's thread cache) compare it, so a newly approved comment shows at once.
    db.execute("ALTER TABLE threads ADD COLUMN changes INTEGER NOT NULL DEFAULT 0")
    db.execute("""CREATE TRIGGER comments_inserted AFTER INSERT ON comments BEGIN
                  UPDATE threads SET changes = changes + 1 WHERE id = NEW.thread_id; END""")
    db.execute("""CREATE TRIGGER comments_updated AFTER UPDATE ON comments BEGIN
                  UPDATE threads SET changes = changes + 1 WHERE id IN (NEW.thread_id, OLD.thread_id); END""")
    db.execute("""CREATE TRIGGER comments_deleted AFTER DELETE ON comments BEGIN
                  UPDATE threads SET changes = changes + 1 WHERE id = OLD.thread_id; END""")


@migrations(name="0006_import_keys")
def import_keys(db: Database) -> None:
    # Where an imported comment came from ("isso:/uri#12@…", "disqus:123…"): importing the same file twice
    # finds its comments already there instead of adding them again. Native comments have none.
    db.execute("ALTER TABLE comments ADD COLUMN import_key TEXT")
    db.execute("CREATE UNIQUE INDEX comments_import_key ON comments(import_key) WHERE import_key IS NOT NULL")


@migrations(name="0007_email_lookups_and_leases")
def email_lookups_and_leases(db: Database) -> None:
    # E-mail addresses are matched without regard to case, by lower() on both databases.
    db.execute("CREATE INDEX comments_email_lower ON comments(lower(email))")
    # Jobs that one machine at a time may run (the site rebuild): who holds each, and until when.
    db.execute("CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until TEXT NOT NULL)")


def names() -> list[str]:
    """This code's migrations of the comment tables, in order (for checking a backup's schema)."""
    return [m.name for m in migrations._migrations]


@migrations(name="0011_admin_sessions")
def admin_sessions(db: Database) -> None:
    # Moderators' sessions, on the server so that log-out, a new admin token and idleness end them everywhere.
    # `key` is the SHA-256 of the id the browser holds; the id itself is never stored.
    db.execute(
        """
        CREATE TABLE admin_sessions (
            key TEXT PRIMARY KEY,
            token_fingerprint TEXT NOT NULL,
            who TEXT NOT NULL,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        )
        """
    )
