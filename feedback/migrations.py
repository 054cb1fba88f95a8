"""Named migrations of the feedback tables (same database as the comments). Never edit one that has landed."""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("feedback")


@migrations(name="0001_tags")
def tags(db: Database) -> None:
    # One analysis per comment: what the tagger saw and concluded.
    db.execute(
        """
        CREATE TABLE feedback_items (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            source_edited_at TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL,
            sentiment REAL,
            cues TEXT NOT NULL DEFAULT '[]',
            kinds TEXT NOT NULL DEFAULT '[]',
            model_version TEXT NOT NULL,
            tagged_at TEXT NOT NULL
        )
        """
    )
    # Tags, automatic or human; a human decision on a comment replaces its automatic tags.
    db.execute(
        """
        CREATE TABLE feedback_tags (
            comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            label TEXT NOT NULL CHECK (label IN ('problem', 'suggestion')),
            source TEXT NOT NULL CHECK (source IN ('auto', 'human')),
            confidence REAL,
            model_version TEXT,
            author TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (comment_id, label, source)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE feedback_human (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            author TEXT NOT NULL,
            corrected_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX feedback_tags_label ON feedback_tags(label, source)")


@migrations(name="0002_review")
def review(db: Database) -> None:
    # Where each problem or suggestion stands for the product team.
    db.execute(
        """
        CREATE TABLE feedback_status (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            status TEXT NOT NULL CHECK (status IN ('new', 'triaged', 'planned', 'done', 'wontfix')),
            note TEXT NOT NULL DEFAULT '',
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # Every change of tags or status, with who and when.
    db.execute(
        """
        CREATE TABLE feedback_history (
            id INTEGER PRIMARY KEY,
            comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            change TEXT NOT NULL,
            old TEXT NOT NULL DEFAULT '',
            new TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX feedback_history_comment ON feedback_history(comment_id, at)")
    # Readers told that their feedback led to a change: once each.
    db.execute(
        """
        CREATE TABLE feedback_notifications (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            sent_at TEXT NOT NULL
        )
        """
    )


@migrations(name="0003_digests_sent")
def digests_sent(db: Database) -> None:
    # The weekly digests queued for e-mail, one row per week: two machines' timers never send a week twice.
    db.execute("CREATE TABLE feedback_digests (week TEXT PRIMARY KEY, recipients TEXT NOT NULL, queued_at TEXT NOT NULL)")


@migrations(name="0004_themes_duplicates_evidence")
def themes_duplicates_evidence(db: Database) -> None:
    # A theme gathers feedback items about the same thing across weeks; the product owner names and keeps it.
    db.execute(
        """
        CREATE TABLE feedback_themes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL,
            named_by TEXT NOT NULL CHECK (named_by IN ('auto', 'human')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # Which theme an item belongs to; a human placement is never undone by the automatic one.
    db.execute(
        """
        CREATE TABLE feedback_theme_items (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            theme_id INTEGER NOT NULL REFERENCES feedback_themes(id) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ('auto', 'human')),
            placed_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX feedback_theme_items_theme ON feedback_theme_items(theme_id)")
    # Duplicates point at the item that stands for their group (never at another duplicate).
    db.execute(
        """
        CREATE TABLE feedback_duplicates (
            comment_id INTEGER PRIMARY KEY REFERENCES comments(id) ON DELETE CASCADE,
            of_comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
            marked_by TEXT NOT NULL,
            marked_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX feedback_duplicates_of ON feedback_duplicates(of_comment_id)")
    # The sentence that weighed most for each tag, as JSON {"problem": "...", "suggestion": "..."}.
    db.execute("ALTER TABLE feedback_items ADD COLUMN evidence TEXT NOT NULL DEFAULT '{}'")


def names() -> list[str]:
    """This code's migrations of the feedback tables, in order (for checking a backup's schema)."""
    return [m.name for m in migrations._migrations]
