"""python -m feedback: tag, classify, train, evaluate, digest."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from comments_store.postgres import is_url

from . import paths, training
from .classify import PACKAGED_MODEL, Classifier, ModelError

EXIT_USAGE = 2


def _progress(total: int | None, desc: str):
    from tqdm import tqdm

    # Bars on a terminal only: logs and pipes stay clean.
    return tqdm(total=total, desc=desc, unit=" comm.", file=sys.stderr, disable=None, leave=False)


def load_classifier(path: str | None) -> Classifier:
    if path:
        return Classifier.load(path)
    trained = paths.trained_model()
    return Classifier.load(trained if trained.exists() else PACKAGED_MODEL)


def cmd_classify(args) -> int:
    """JSON lines {"id", "text"} in, one result per line out, same order, as soon as each line arrives."""
    classifier = load_classifier(args.model)
    out = sys.stdout
    number = 0
    for lines in arrived_lines(sys.stdin.buffer.raw):
        answers = []
        for raw in lines:
            number += 1
            answers.append(json.dumps(classify_line(classifier, raw, number), ensure_ascii=False))
        # One write per batch that arrived together: streaming for a trickle, fast for a flood.
        out.write("\n".join(answers) + "\n")
        out.flush()
    return 0


def arrived_lines(stream, size: int = 1 << 16):
    """The complete lines that arrived with each read of `stream` (a raw, unbuffered file)."""
    pending = b""
    while True:
        chunk = stream.read(size)  # returns as soon as some bytes are there
        if not chunk:
            break
        *complete, pending = (pending + chunk).split(b"\n")
        if complete:
            yield complete
    if pending:
        yield [pending]


def _error(item_id, code: str, message: str) -> dict:
    return {"id": item_id, "error": {"code": code, "message": message}}


def classify_line(classifier: Classifier, raw: bytes, number: int) -> dict:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _error(None, "invalid_utf8", f"line {number}: not UTF-8 text")
    if not line.strip():
        return _error(None, "empty_line", f"line {number}: empty line")
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return _error(None, "invalid_json", f"line {number}: not JSON ({exc.msg})")
    if not isinstance(item, dict):
        return _error(None, "invalid_json", f"line {number}: expected an object {{\"id\", \"text\"}}")
    item_id = item.get("id")
    text = item.get("text")
    if not isinstance(text, str):
        return _error(item_id, "invalid_text", f"line {number}: \"text\" must be a string")
    result = classifier.classify(text)
    return {"id": item_id, "labels": result.labels, "lang": result.lang, "confidence": result.confidence,
            "sentiment": result.sentiment, "cues": result.cues, "evidence": result.evidence}


def cmd_tag(args) -> int:
    from comments_store import open_db

    from . import store, tagging

    classifier = load_classifier(args.model)
    db = store.prepare(open_db(args.db))
    import comments_store

    total = comments_store.count_approved(db)
    with _progress(total, "Étiquetage") as bar:
        report = tagging.tag_comments(db, classifier, everything=args.all, progress=bar.update)
    from . import themes

    placed = themes.update(db)
    print(f"{report.tagged} commentaire(s) étiqueté(s), {report.unchanged} inchangé(s) "
          f"(modèle {classifier.version}) ; thèmes : {placed.joined} élément(s) ajouté(s) à un thème, "
          f"{len(placed.new_themes)} nouveau(x) thème(s).")
    return 0


def cmd_train(args) -> int:
    extra = training.read_examples(args.data, source="extra") if args.data else []
    added = 0
    if not args.no_db and (is_url(args.db) or Path(args.db).exists()):
        from comments_store import open_db

        from . import store

        corrections = human_corrections(store.prepare(open_db(args.db)))
        extra += corrections
        added = len(corrections)
    model = training.build_model(extra)
    out = Path(args.out or paths.trained_model())
    out.parent.mkdir(parents=True, exist_ok=True)
    write_model(model, out)
    print(f"Modèle {model['version']} : {model['training']['examples']} exemples d'entraînement dont {added} "
          f"corrections humaines, seuils choisis sur {model['training']['validation']} exemples de validation → {out}")
    return 0


def write_model(model: dict, path: Path) -> None:
    path.write_text(json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def human_corrections(db) -> list[dict]:
    """Every human decision stored in the database, as training examples that weigh more than the corpus."""
    import comments_store

    from . import store

    extra = []
    for comment_id, labels in store.human_corrections(db):
        try:
            comment = comments_store.get_comment(db, comment_id)
        except comments_store.CommentNotFound:
            continue
        if comment.body:
            extra.append({"id": f"comment-{comment_id}", "text": comment.body, "labels": labels,
                          "source": "corrections", "weight": training.CORRECTION_WEIGHT})
    return extra


def print_table(title: str, report: dict, baseline: dict | None = None, out=None) -> None:
    """Precision, recall and F1 per language and outcome; with `baseline`, the keyword list's figures beside."""
    out = out or sys.stdout
    print(f"\n{title}", file=out)
    beside = f"   {'keywords P':>10} {'R':>6} {'F1':>6}" if baseline else ""
    print(f"{'lang':<6} {'outcome':<11} {'precision':>9} {'recall':>7} {'F1':>6}{beside} {'support':>8}", file=out)
    for group in sorted(report, key=lambda g: (g == "all", g)):
        data = report[group]
        other = baseline[group] if baseline else None
        for label, m in data["labels"].items():
            kw = (f"   {other['labels'][label]['precision']:>10.3f} {other['labels'][label]['recall']:>6.3f} "
                  f"{other['labels'][label]['f1']:>6.3f}") if other else ""
            print(f"{group:<6} {label:<11} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f}{kw} "
                  f"{data['support'][label]:>8}", file=out)
        kw = f"   {'':>10} {'':>6} {other['macro_f1']:>6.3f}" if other else ""
        print(f"{group:<6} {'macro-F1':<11} {'':>9} {'':>7} {data['macro_f1']:>6.3f}{kw} {data['examples']:>8} ex.",
              file=out)


def cmd_evaluate(args) -> int:
    """Leave-one-source-out first (what users will get on text unlike the training data), the in-corpus
    test splits second; the keyword list (feedback/keywords.py) scored beside every figure."""
    from . import keywords

    classifier = load_classifier(args.model)
    reports: dict[str, dict] = {}
    if args.file:
        examples = training.read_examples(args.file)
        reports[args.file] = {"tagger": training.evaluate(classifier, examples),
                              "keywords": training.evaluate(keywords.labels, examples)}
    else:
        if not args.no_cross:
            for source, pair in training.leave_one_source_out().items():
                reports[f"leave-one-source-out: trained and calibrated without {source}, scored on all of it"] = pair
        examples = training.corpus()
        for title, chosen in (
                ("in-corpus: held-out test split of the public corpora",
                 [e for e in examples if e["split"] == "test" and e["source"] != "ours-test"]),
                ("in-corpus: our own hand-written comments (test file)",
                 [e for e in examples if e["source"] == "ours-test"])):
            reports[title] = {"tagger": training.evaluate(classifier, chosen),
                              "keywords": training.evaluate(keywords.labels, chosen)}
    if args.json:
        print(json.dumps({"model": classifier.version, "reports": reports}, ensure_ascii=False, indent=2))
        return 0
    print(f"model {classifier.version}; macro-F1 is the mean F1 over three outcomes: problem, suggestion and "
          "other (neither tag), as the digest counts them; beside each figure, the keyword list's")
    for title, pair in reports.items():
        print_table(title, pair["tagger"], pair["keywords"])
    return 0


def cmd_digest(args) -> int:
    import os

    from comments_store import open_db

    import mailer

    from . import digest, store
    from .weeks import BadWeek, Week

    tz = os.environ.get("BOUCLE_TIMEZONE") or "Africa/Casablanca"
    try:
        week = Week.parse(args.week) if args.week else Week.last_complete(tz)
    except BadWeek as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = digest.settings_from_environ()
    except digest.BadSetting as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = store.prepare(open_db(args.db))
    if not args.no_tag:
        from . import tagging

        report = tagging.tag_comments(db, load_classifier(None))  # a digest of untagged comments would be empty
        from . import themes

        # As `tag` does, new problems and suggestions join their themes; with nothing new (or before any theme
        # exists), placing again could still move leftovers, and the same data must give the same digest.
        if report.tagged or not store.themes(db):
            themes.update(db)
    data = digest.build(db, week, settings)
    args.out = args.out or str(digest.default_folder())
    paths = digest.write(data, args.out)
    # Which week, and why it is empty if it is: on a fresh install, the first digest is an empty one.
    print(f"Semaine {data['week']} (du {data['start']} au {data['end']}, {data['timezone']}) : {data['summary']}")
    for path in paths:
        print(path)
    if not args.email:
        return 0
    recipients = [a.strip() for a in (os.environ.get("BOUCLE_DIGEST_TO") or "").split(",") if a.strip()]
    try:
        if not recipients:
            raise mailer.MailError("BOUCLE_DIGEST_TO est vide : à qui envoyer le résumé ?")
        for address in recipients:  # one mailbox each, checked before anything is recorded as queued
            try:
                mailer.headers.address(address)
            except mailer.headers.BadHeader as exc:
                raise mailer.MailError(f"BOUCLE_DIGEST_TO : {exc}") from None
        settings = mailer.SmtpSettings.from_environ()
    except mailer.MailError as exc:
        print(f"Erreur : le résumé n'a pas été envoyé ({exc}). Les fichiers sont dans {args.out}.", file=sys.stderr)
        return 3
    # Through the outbox, like every e-mail of the product: if the server is away, it is retried later.
    subject = digest.subject(data)
    if args.resend:
        store.forget_digest(db, data["week"])
    # The comments it quotes are recorded with it: erasing one of their readers removes this e-mail too.
    quoted = sorted(digest.quoted_comments(data))
    if not store.queue_digest_once(db, data["week"], recipients, lambda: mailer.queue(
            db, recipients, subject, digest.render_markdown(data), digest.render_html(data), about=quoted)):
        print(f"Le résumé de la semaine {data['week']} a déjà été envoyé (--resend pour l'envoyer de nouveau).")
        return 0
    _sent, failed = mailer.send_due(db, settings)
    if failed:
        print(f"Erreur : le résumé n'a pas été envoyé pour l'instant (serveur {settings.host}:{settings.port} "
              f"injoignable). Il reste dans la file d'envoi et repartira tout seul (`python -m mailer`). "
              f"Les fichiers sont dans {args.out}.", file=sys.stderr)
        return 3
    print(f"Envoyé à {', '.join(recipients)}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m feedback", description="Tag readers' feedback: problems and suggestions.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("classify", help="JSON lines {id, text} on stdin → results on stdout, one per line")
    c.add_argument("--model", help="model file (default: the trained one in instance/, else the shipped one)")
    c.set_defaults(func=cmd_classify)
    t = sub.add_parser("tag", help="tag new and edited approved comments of the database")
    t.add_argument("--db", default=paths.database(), help="database: a file, or a postgresql:// URL (default: $BOUCLE_DATABASE_URL, $BOUCLE_DB or instance/boucle.db)")
    t.add_argument("--all", action="store_true", help="tag every comment again (human tags are kept)")
    t.add_argument("--model")
    t.set_defaults(func=cmd_tag)
    tr = sub.add_parser("train", help="train the model from the labelled corpora in feedback/data and human corrections")
    tr.add_argument("--data", help="more labelled examples (JSON lines {text, labels}) to train on")
    tr.add_argument("--db", default=paths.database())
    tr.add_argument("--no-db", action="store_true", help="ignore human corrections in the database")
    tr.add_argument("--out", help="where to write the model (default: instance/feedback-model.json)")
    tr.set_defaults(func=cmd_train)
    d = sub.add_parser("digest", help="write the weekly digest (HTML, Markdown, JSON, CSV), optionally e-mail it")
    d.add_argument("--week", help="ISO week such as 2026-W47 (default: the last complete week)")
    d.add_argument("--out", default=None, help="folder for the files (default: $BOUCLE_DIGEST_DIR or digests/)")
    d.add_argument("--db", default=paths.database())
    d.add_argument("--email", action="store_true", help="send it to $BOUCLE_DIGEST_TO over SMTP")
    d.add_argument("--resend", action="store_true", help="send it again even if this week was already sent")
    d.add_argument("--no-tag", action="store_true", help="do not tag new comments first")
    d.set_defaults(func=cmd_digest)
    e = sub.add_parser("evaluate", help="scores across sources (leave-one-source-out), then on the held-out splits, "
                                        "or on a labelled file; the keyword list beside every figure")
    e.add_argument("file", nargs="?", help="a JSON-lines file with gold labels (default: leave-one-source-out, "
                                           "then the held-out splits)")
    e.add_argument("--model")
    e.add_argument("--json", action="store_true")
    e.add_argument("--no-cross", action="store_true", help="skip the leave-one-source-out figures (they retrain)")
    e.set_defaults(func=cmd_evaluate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except training.BadExample as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except (ModelError, training.TrainingUnavailable) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"Erreur : fichier introuvable : {exc.filename}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
