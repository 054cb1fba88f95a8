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


# What the public sees of a comment (the thread API, the pages, the feeds): a change to any of these on a
# comment that is or was approved is a change of the thread; anything else (a pending or spam comment, a
# notify flag) must not move its counter, whose value is the thread's ETag.
VISIBLE_COLUMNS = ("id", "thread_id", "parent_id", "author", "website", "body", "html", "created_at", "edited_at",
                   "lang", "deleted", "is_team")

_COMMENTS_TABLE = """
    CREATE TABLE {name} (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
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
        status_changed_at TEXT,
        is_team INTEGER NOT NULL DEFAULT 0,
        import_key TEXT
    )"""

_COMMENTS_INDEXES = (
    "CREATE INDEX comments_thread_status ON comments(thread_id, status, created_at)",
    "CREATE INDEX comments_status_created ON comments(status, created_at)",
    "CREATE INDEX comments_email ON comments(email)",
    "CREATE INDEX comments_client ON comments(client_hash, created_at)",
    "CREATE INDEX comments_fingerprint ON comments(thread_id, fingerprint)",
    "CREATE INDEX comments_parent ON comments(parent_id)",
    "CREATE UNIQUE INDEX comments_import_key ON comments(import_key) WHERE import_key IS NOT NULL",
    "CREATE INDEX comments_email_lower ON comments(lower(email))",
)


def _visible_triggers(db: Database) -> None:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("status", *VISIBLE_COLUMNS))
    for name in ("comments_inserted", "comments_updated", "comments_deleted"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("""CREATE TRIGGER comments_inserted AFTER INSERT ON comments WHEN NEW.status = 'approved' BEGIN
                  UPDATE threads SET changes = changes + 1 WHERE id = NEW.thread_id; END""")
    db.execute(f"""CREATE TRIGGER comments_updated AFTER UPDATE ON comments
                   WHEN (OLD.status = 'approved' OR NEW.status = 'approved') AND ({changed}) BEGIN
                   UPDATE threads SET changes = changes + 1 WHERE id IN (NEW.thread_id, OLD.thread_id); END""")
    db.execute("""CREATE TRIGGER comments_deleted AFTER DELETE ON comments WHEN OLD.status = 'approved' BEGIN
                  UPDATE threads SET changes = changes + 1 WHERE id = OLD.thread_id; END""")


@migrations(name="0008_comment_ids_never_reused", transactional=False)
def comment_ids_never_reused(db: Database) -> None:
    # Without AUTOINCREMENT, SQLite gives a deleted comment's number to the next one, and permalinks, feed
    # entries and e-mailed links then point at another reader's text. The table is rebuilt by SQLite's own
    # procedure (https://www.sqlite.org/lang_altertable.html#otheralter): foreign keys off, so dropping the old
    # table cascades nothing into feedback's tables, everything else in one transaction, references checked
    # before the commit. Not transactional for sqlite-utils because foreign keys cannot be switched inside a
    # transaction; doing nothing when the table already has AUTOINCREMENT makes a repeated run harmless.
    if db.conn.in_transaction:
        db.conn.commit()
    foreign_keys = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'comments'").fetchone()[0]
            if "AUTOINCREMENT" not in sql.upper():
                listed = ", ".join(r[1] for r in db.execute("PRAGMA table_info(comments)"))
                db.execute(_COMMENTS_TABLE.format(name="comments_rebuilt"))
                db.execute(f"INSERT INTO comments_rebuilt ({listed}) SELECT {listed} FROM comments")
                db.execute("DROP TABLE comments")  # its indexes and triggers go with it; all are made again below
                db.execute("ALTER TABLE comments_rebuilt RENAME TO comments")
                for index in _COMMENTS_INDEXES:
                    db.execute(index)
            # Thread counters (ETags) move only with what the public sees: a pending comment is not an event.
            _visible_triggers(db)
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"0008_comment_ids_never_reused: broken references {broken[:3]}")
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


@migrations(name="0009_pending_edits_and_proven_addresses")
def pending_edits_and_proven_addresses(db: Database) -> None:
    # An edit of a published comment waits here, apart, while the published text stays on the page. Its id
    # names the version a moderator read and approves, so it must never be given again: AUTOINCREMENT.
    db.execute(
        """
        CREATE TABLE comment_edits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            comment_id INTEGER NOT NULL UNIQUE REFERENCES comments(id) ON DELETE CASCADE,
            body TEXT NOT NULL,
            html TEXT NOT NULL,
            fingerprint TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )
        """
    )
    # Addresses whose owner was sent, and opened, a confirmation link (`first` moderation trusts only those),
    # kept as keyed hashes; the key is the database's own (store_keys, made on first use, so that a transfer
    # into a new database copies it with the hashes), and erasure can find the row from the address alone.
    db.execute("CREATE TABLE proven_addresses (address_hash TEXT PRIMARY KEY, invited_at TEXT, proven_at TEXT)")
    db.execute("CREATE TABLE store_keys (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations(name="0010_reader_links")
def reader_links(db: Database) -> None:
    # Links e-mailed to readers (unsubscribe, export, erasure) carry a random token; only its hash is kept,
    # with what it may do and until when, so a link never shows the address and can be withdrawn.
    db.execute(
        """
        CREATE TABLE reader_links (
            token_hash TEXT PRIMARY KEY,
            purpose TEXT NOT NULL,
            email TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX reader_links_email ON reader_links(email)")
    # Privacy requests per address (a keyed hash of it), counted in the database so that every API
    # machine applies the same limit.
    db.execute("CREATE TABLE reader_requests (address_hash TEXT NOT NULL, at TEXT NOT NULL)")
    db.execute("CREATE INDEX reader_requests_address ON reader_requests(address_hash, at)")
    # Which reader and which comments a queued e-mail is about, so that erasing a reader removes it.
    db.execute("ALTER TABLE outbox ADD COLUMN reader TEXT")
    db.execute("ALTER TABLE outbox ADD COLUMN only_if_reader INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX outbox_reader ON outbox(reader)")
    db.execute(
        """
        CREATE TABLE outbox_about (
            outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
            comment_id INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX outbox_about_comment ON outbox_about(comment_id)")
    db.execute("CREATE INDEX outbox_about_outbox ON outbox_about(outbox_id)")


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


def detect_languages(db: Database) -> int:
    """Mark every stored comment with the language its text is written in (the page's when unsure); returns
    how many changed. The migration below runs it once; comments stored since are marked as they arrive."""
    from .language import comment_lang

    rows = db.execute("""SELECT c.id, c.body, c.lang, t.lang FROM comments c JOIN threads t ON t.id = c.thread_id
                         WHERE c.deleted = 0 AND c.body != ''""").fetchall()
    changed = [(found, cid) for cid, body, lang, page in rows if (found := comment_lang(body, lang or page)) != lang]
    for found, cid in changed:
        db.execute("UPDATE comments SET lang = ? WHERE id = ?", [found, cid])
    return len(changed)


@migrations(name="0012_reply_notifications_and_comment_lang")
def reply_notifications_and_comment_lang(db: Database) -> None:
    # Readers who asked, on the form, for an e-mail when someone answers them on an article: one row per
    # address (lower case) and article. No foreign key to threads: these rows stay live through a restore
    # (backup.KEEP_LIVE), so that restoring an old backup never brings back a subscription its reader ended.
    db.execute(
        """
        CREATE TABLE reply_subscriptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            email TEXT NOT NULL,
            thread_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            last_mailed_at TEXT,
            UNIQUE (email, thread_id)
        )
        """
    )
    # Each published reply a subscriber is to hear of, and when it went out (at most one mail an hour per
    # article groups the others): a reply is announced once, even if a moderator unpublishes and republishes it.
    db.execute(
        """
        CREATE TABLE reply_notices (
            subscription_id INTEGER NOT NULL REFERENCES reply_subscriptions(id) ON DELETE CASCADE,
            reply_id INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            mailed_at TEXT,
            PRIMARY KEY (subscription_id, reply_id)
        )
        """
    )
    db.execute("CREATE INDEX reply_notices_waiting ON reply_notices(mailed_at, subscription_id)")
    # Comments stored before each one carried its own language had the page's: detected once, here.
    detect_languages(db)


@migrations(name="0013_spam_reasons")
def spam_reasons(db: Database) -> None:
    # Why a comment was filed as spam (a filter's code, or "moderator"), shown to moderators so they can trust
    # or correct the filters; NULL for comments filed before this, or not spam.
    db.execute("ALTER TABLE comments ADD COLUMN spam_reason TEXT")
