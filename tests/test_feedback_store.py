"""Tags are stored per comment: incremental, idempotent, and a human correction always wins."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import comments_store
from comments_store import NewComment
from conftest import ROOT, location_of
from feedback import store, tagging

pytestmark = pytest.mark.both_databases


def approved(db, body, slug="negocier-son-salaire"):
    comment, token = comments_store.add_comment(db, slug, NewComment(author="Lecteur", body=body))
    comments_store.set_status(db, comment.id, "approved")
    return comment.id, token


def test_tagging_stores_labels_with_model_and_time(fdb, classifier):
    cid, _ = approved(fdb, "L'appli plante au démarrage")
    report = tagging.tag_comments(fdb, classifier)
    assert report.tagged == 1
    tagged = store.get(fdb, cid)
    assert (tagged.labels, tagged.source, tagged.model_version) == (["problem"], "auto", classifier.version)
    row = fdb.execute("SELECT source, model_version, created_at FROM feedback_tags WHERE comment_id = ?", [cid]).fetchone()
    assert row[0] == "auto" and row[1] == classifier.version and row[2].endswith("Z")


def test_only_new_or_edited_comments_are_tagged(fdb, classifier):
    cid, token = approved(fdb, "Il faudrait un filtre par ville")
    approved(fdb, "Merci pour l'article")
    assert tagging.tag_comments(fdb, classifier).tagged == 2
    again = tagging.tag_comments(fdb, classifier)
    assert (again.tagged, again.unchanged) == (0, 2)
    comments_store.edit_own(fdb, "negocier-son-salaire", cid, token, "Le filtre par ville ne marche pas",
                            window=__import__("datetime").timedelta(minutes=15), moderation="none")
    assert tagging.tag_comments(fdb, classifier).tagged == 1
    assert store.get(fdb, cid).labels == ["problem"]


def test_tagging_twice_changes_nothing(fdb, classifier):
    approved(fdb, "Please add a dark mode")
    tagging.tag_comments(fdb, classifier)
    before = fdb.execute("SELECT comment_id, label, source, confidence FROM feedback_tags ORDER BY 1, 2").fetchall()
    tagging.tag_comments(fdb, classifier, everything=True)
    after = fdb.execute("SELECT comment_id, label, source, confidence FROM feedback_tags ORDER BY 1, 2").fetchall()
    assert before == after


def test_pending_comments_are_not_tagged(fdb, classifier):
    comments_store.add_comment(fdb, "negocier-son-salaire", NewComment(author="A", body="Ça plante"))
    assert tagging.tag_comments(fdb, classifier).tagged == 0


def test_human_correction_wins_and_survives_retagging(fdb, classifier):
    cid, _ = approved(fdb, "L'appli plante au démarrage")
    tagging.tag_comments(fdb, classifier)
    store.set_human_labels(fdb, cid, ["suggestion"], author="po@atlas")
    assert store.get(fdb, cid).labels == ["suggestion"] and store.get(fdb, cid).source == "human"
    tagging.tag_comments(fdb, classifier, everything=True)
    tagged = store.get(fdb, cid)
    assert tagged.labels == ["suggestion"] and tagged.auto_labels == ["problem"]


def test_human_can_say_neither(fdb, classifier):
    cid, _ = approved(fdb, "L'appli plante au démarrage")
    tagging.tag_comments(fdb, classifier)
    store.set_human_labels(fdb, cid, [], author="po@atlas")
    assert store.get(fdb, cid).labels == []


@pytest.mark.parametrize("labels", [["bug"], ["problem", "praise"]])
def test_unknown_labels_are_refused(fdb, labels):
    cid, _ = approved(fdb, "Un avis")
    with pytest.raises(store.UnknownLabel):
        store.set_human_labels(fdb, cid, labels, author="po")


def test_correcting_a_missing_comment_fails(fdb):
    with pytest.raises(comments_store.CommentNotFound):
        store.set_human_labels(fdb, 999, ["problem"], author="po")


def test_deleting_a_comment_removes_its_tags(fdb, classifier):
    cid, _ = approved(fdb, "Ça plante")
    tagging.tag_comments(fdb, classifier)
    comments_store.delete_comment(fdb, cid)
    assert fdb.execute("SELECT count(*) FROM feedback_tags WHERE comment_id = ?", [cid]).fetchone()[0] == 0


def run(*args, env=None, input=None):
    import os

    return subprocess.run([sys.executable, "-m", "feedback", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, input=input, timeout=300)


def test_cli_tag_and_train_with_corrections(tmp_path, fdb, classifier):
    """`tag` tags the database; `train` folds human corrections in, the same way every time."""
    path = location_of(fdb)
    cid, _ = approved(fdb, "Le chat coupe toutes les minutes")
    env = {"BOUCLE_INSTANCE": str(tmp_path)}
    result = run("tag", "--db", path, env=env)
    assert result.returncode == 0 and "1 commentaire(s) étiqueté(s)" in result.stdout
    store.set_human_labels(fdb, cid, ["problem", "suggestion"], author="po")
    first = run("train", "--db", path, "--out", str(tmp_path / "m1.json"), env=env)
    second = run("train", "--db", path, "--out", str(tmp_path / "m2.json"), env=env)
    assert first.returncode == 0 and second.returncode == 0 and "1 corrections humaines" in first.stdout
    assert (tmp_path / "m1.json").read_text() == (tmp_path / "m2.json").read_text()
    shipped = json.loads((ROOT / "feedback" / "data" / "model.json").read_text())
    assert json.loads((tmp_path / "m1.json").read_text())["version"] != shipped["version"]


def test_cli_classify_streams_one_answer_per_line_in_order():
    lines = ['{"id": "a", "text": "Ça ne marche pas"}', "pas du json", "", '{"id": 7}', '["liste"]',
             '{"id": "z", "text": "Merci !"}']
    result = run("classify", input="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0 and len(out) == len(lines)
    assert [o.get("id") for o in out] == ["a", None, None, 7, None, "z"]
    assert out[0]["labels"] == ["problem"] and set(out[0]) == {"id", "labels", "lang", "confidence", "sentiment", "cues",
                                                         "evidence"}
    assert [o["error"]["code"] for o in out[1:5]] == ["invalid_json", "empty_line", "invalid_text", "invalid_json"]


def test_cli_classify_answers_before_input_ends():
    """Streaming: the answer to a line comes out while stdin is still open."""
    import os

    proc = subprocess.Popen([sys.executable, "-m", "feedback", "classify"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=ROOT, env=dict(os.environ))
    try:
        proc.stdin.write(b'{"id": 1, "text": "please add a filter"}\n')
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()


def test_cli_classify_rejects_invalid_utf8_per_line():
    import os

    result = subprocess.run([sys.executable, "-m", "feedback", "classify"], input=b'\xff\xfe{"id":1}\n{"id":2,"text":"ok"}\n',
                            capture_output=True, cwd=ROOT, env=dict(os.environ), timeout=60)
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert out[0]["error"]["code"] == "invalid_utf8" and out[1]["id"] == 2


def test_cli_evaluate_reports_per_language(tmp_path):
    result = run("evaluate")
    assert result.returncode == 0 and "macro-F1" in result.stdout and "fr" in result.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "labels": ["bug"]}\n')
    result = run("evaluate", str(bad))
    assert result.returncode == 1 and "bad.jsonl:1" in result.stderr
    assert run("evaluate", str(tmp_path / "absent.jsonl")).returncode == 1
