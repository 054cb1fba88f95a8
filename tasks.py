"""Editor and operator tasks. `invoke --list` is the manual; `invoke --help TASK` explains one."""
from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import shutil
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from invoke import task
from invoke.exceptions import Exit
from invoke.main import program
from pelican import main as pelican_main
from pelican.settings import DEFAULT_CONFIG, get_settings_from_file
from pelican.utils import slugify

ROOT = Path(__file__).resolve().parent
SETTINGS_FILE_BASE = "pelicanconf.py"
SETTINGS = {**DEFAULT_CONFIG, **get_settings_from_file(str(ROOT / SETTINGS_FILE_BASE))}

CONFIG = {
    "settings_base": SETTINGS_FILE_BASE,
    "settings_publish": "publishconf.py",
    "deploy_path": SETTINGS["OUTPUT_PATH"],
    "host": os.environ.get("BOUCLE_HOST", "127.0.0.1"),
    "port": int(os.environ.get("BOUCLE_PORT", "8000")),
    # rsync destination for `invoke publish`, e.g. deploy@blog.example.ma:/srv/blog
    "deploy_target": os.environ.get("BOUCLE_DEPLOY_TARGET", ""),
}


def pelican_run(cmd: str) -> None:
    cmd += " " + program.core.remainder  # anything after `--` goes to pelican
    pelican_main(shlex.split(cmd))


@task
def clean(c):
    """Remove the generated site (output/)."""
    if os.path.isdir(CONFIG["deploy_path"]):
        shutil.rmtree(CONFIG["deploy_path"])
        os.makedirs(CONFIG["deploy_path"])


@task
def build(c):
    """Build the site into output/ with the local settings (pelicanconf.py)."""
    pelican_run("-s {settings_base}".format(**CONFIG))


@task
def rebuild(c):
    """Build the site from scratch, deleting output/ first."""
    pelican_run("-d -s {settings_base}".format(**CONFIG))


@task
def regenerate(c):
    """Rebuild the site whenever a post, page, setting or theme file changes."""
    pelican_run("-r -s {settings_base}".format(**CONFIG))


def _site_state_file() -> Path:
    from comments_store import site_state
    from feedback import paths

    return paths.instance() / site_state.FILE_NAME


def _published_state(db_path: str):
    """What a rebuild shows: the published comments and the latest scheduled post that has come due."""
    import site_schedule
    from pelican_comments.rebuild import store_state

    return site_schedule.with_schedule(store_state(db_path), ROOT / SETTINGS["PATH"], SETTINGS["TIMEZONE"])


def _wait_for_health(url: str, process, timeout: float = 60) -> bool:
    import time
    import urllib.request

    import urllib.error

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers: a 400 for a loopback Host when BOUCLE_SITEURL names another host
        except OSError:
            time.sleep(0.2)
    return False


def _serve_app(baker=None):
    """The API and the built site through waitress (comments_api/server.py), which reads each request whole
    before the app sees it, so slow readers hold no thread; the site watcher runs in this process."""
    import signal
    import subprocess

    from comments_api import create_app
    from comments_api import server as comments_api_server
    from pelican_comments.rebuild import SiteRebuilder, WarmBaker, recording

    app = create_app()  # creates the instance secrets (and shows a new admin token) before the workers start
    env = {**os.environ, "BOUCLE_HOST": CONFIG["host"], "BOUCLE_PORT": str(CONFIG["port"])}
    rebuilder = None
    if os.environ.get("BOUCLE_AUTO_REBUILD", "1") != "0":
        state = _published_state(app.config["DB_PATH"])
        # The baker keeps the site in memory and writes only the pages whose comments changed.
        baker = baker or WarmBaker(ROOT, SETTINGS_FILE_BASE)
        rebuilder = SiteRebuilder(state, recording(baker, state, _site_state_file())).start()
        env.setdefault("BOUCLE_WAIT_FOR_REBUILD", "30")
    url = "http://{host}:{port}/".format(**CONFIG)
    if os.environ.get("BOUCLE_ADMIN_TOKEN"):
        token_note = "défini par BOUCLE_ADMIN_TOKEN"
    elif app.config["ADMIN_TOKEN_NEW"]:
        token_note = (f"{app.config['ADMIN_TOKEN_NEW']}\n    (notez-le : il n'est affiché qu'une fois ; "
                      f"seule son empreinte est gardée dans {app.instance_path}/admin_token)")
    else:
        token_note = "celui affiché au premier lancement (`invoke admin-token` en crée un nouveau)"
    server = subprocess.Popen([sys.executable, "-m", "comments_api.server"], cwd=ROOT, env=env)
    try:
        if not _wait_for_health(f"{url}api/health", server):
            raise Exit("Le serveur n'a pas démarré (voir ses messages ci-dessus).", code=1)
        print(f"\n  Boucle est prêt : {url}\n  Modération : {url}admin/\n  Jeton d'administration : {token_note}\n"
              "  (Ctrl-C pour arrêter)\n", flush=True)
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)  # a graceful stop: the answers in flight are finished first
            try:
                server.wait(timeout=comments_api_server.GRACE_SECONDS + 5)
            except subprocess.TimeoutExpired:
                server.kill()
        if rebuilder is not None:
            rebuilder.stop()
    if server.returncode not in (0, -signal.SIGTERM, -signal.SIGINT):
        raise Exit(f"Le serveur s'est arrêté (code {server.returncode}).", code=1)


@task(name="admin-token")
def admin_token(c):
    """Make a new moderation token, print it once, and keep only its hash in instance/admin_token."""
    from comments_api import create_app
    from comments_api.secrets_file import new_token

    if os.environ.get("BOUCLE_ADMIN_TOKEN"):
        raise SystemExit("BOUCLE_ADMIN_TOKEN est défini : c'est lui qui fait foi, changez-le là.")
    app = create_app()
    print(new_token(app.instance_path, "admin_token"))
    print(f"(empreinte gardée dans {app.instance_path}/admin_token ; redémarrez le service)", file=sys.stderr)


@task
def serve(c):
    """Serve output/ and the comment API (waitress) at http://127.0.0.1:$BOUCLE_PORT/ (no build)."""
    _serve_app()


@task(help={"publish": "Avec les réglages de production (publishconf.py), comme le minuteur du serveur"})
def refresh(c, publish=False):
    """Rebuild the site only if published comments changed or a scheduled post came due (every minute, systemd)."""
    from pelican_comments.rebuild import pelican_build, refresh as refresh_site
    from feedback import paths

    import datetime

    import comments_store
    from comments_store import leases

    settings = CONFIG["settings_publish"] if publish else CONFIG["settings_base"]
    # Several machines may run this timer on a shared database: one rebuild at a time, the others skip.
    db, me = comments_store.open_db(paths.database()), leases.holder_name()
    try:
        if not leases.acquire(db, "site-rebuild", me, datetime.timedelta(minutes=10)):
            print(f"Une reconstruction est en cours ailleurs ({leases.holder(db, 'site-rebuild')}) : rien à faire ici.")
            return
        built = refresh_site(pelican_build(ROOT, settings), _published_state(paths.database()), _site_state_file(),
                             ROOT / CONFIG["deploy_path"] / "index.html")
    finally:
        leases.release(db, "site-rebuild", me)
        db.close()
    if built is False:
        raise Exit("La reconstruction du site a échoué (voir les messages de Pelican ci-dessus).", code=1)
    if built is None:
        print("Rien de neuf à publier : le site montre déjà les derniers commentaires et articles.")


@task
def run(c):
    """Build the site, then serve it with the comment API (what `make run` does)."""
    if os.environ.get("BOUCLE_AUTO_REBUILD", "1") == "0":
        build(c)
        _serve_app()
        return
    from pelican_comments.rebuild import WarmBaker

    # The first build is the baker's own (with Pelican's content cache): it keeps it to bake each change alone.
    baker = WarmBaker(ROOT, SETTINGS_FILE_BASE)
    if not baker():
        raise Exit("La construction du site a échoué (voir les messages de Pelican ci-dessus).", code=1)
    _serve_app(baker)


def livereload_options(output: str, host: str, port: int) -> str:
    """Pelican options of a livereload session: its own output, cache and address, beside `make run`'s output/.

    Both used to build into output/ with their own site URL, each overwriting the other's pages and feeds.
    """
    site = json.dumps(f"http://{host}:{port}")
    return (f"-s {CONFIG['settings_base']} -o {shlex.quote(output)} -e CACHE_CONTENT=true LOAD_CONTENT_CACHE=true "
            f"{shlex.quote('CACHE_PATH=' + json.dumps(output + '-cache'))} {shlex.quote('SITEURL=' + site)} "
            f"{shlex.quote('FEED_DOMAIN=' + site)}")


LIVERELOAD_OUTPUT = "output-livereload"  # .gitignore: output-*/


@task
def livereload(c):
    """Serve the site on BOUCLE_PORT + 1 from output-livereload/, reloading the tab whenever a source changes."""
    from livereload import Server

    port = CONFIG["port"] + 1  # `make run` keeps BOUCLE_PORT: both can run at once

    def cached_build():
        pelican_run(livereload_options(LIVERELOAD_OUTPUT, CONFIG["host"], port))

    cached_build()
    server = Server()
    theme = SETTINGS["THEME"]
    for pattern in (
        CONFIG["settings_base"],
        "site_helpers.py",
        f"{theme}/templates/**/*.html",
        f"{theme}/static/**/*.css",
        f"{theme}/static/**/*.js",
        "{}/**/*.md".format(SETTINGS["PATH"]),
    ):
        server.watch(pattern, cached_build)
    server.serve(host=CONFIG["host"], port=port, root=LIVERELOAD_OUTPUT)


@task
def preview(c):
    """Build the production version of the site (publishconf.py) into output/."""
    pelican_run("-s {settings_publish}".format(**CONFIG))


@task
def publish(c):
    """Build for production, then rsync output/ to $BOUCLE_DEPLOY_TARGET."""
    if not CONFIG["deploy_target"]:
        raise Exit("BOUCLE_DEPLOY_TARGET n'est pas défini (ex. deploy@serveur:/srv/blog).", code=2)
    pelican_run("-s {settings_publish}".format(**CONFIG))
    c.run(
        'rsync --delete --exclude ".DS_Store" -pthrvz -c {} {}'.format(
            shlex.quote(CONFIG["deploy_path"].rstrip("/") + "/"), shlex.quote(CONFIG["deploy_target"])
        )
    )


class PostExists(Exception):
    """Another post already uses this file name or slug."""


def write_new_post(content_dir: Path, title: str, now: dt.datetime, category: str = "Conseils candidats",
                   tags: str = "", lang: str = "fr", publish: bool = False) -> Path:
    """Write a new Markdown post with its front matter and return its path; never overwrites."""
    slug = slugify(title, regex_subs=SETTINGS["SLUG_REGEX_SUBSTITUTIONS"])
    if not slug:
        raise ValueError("le titre ne contient aucune lettre ni aucun chiffre")
    path = content_dir / f"{now:%Y-%m-%d}-{slug}.md"
    taken = path if path.exists() else _slug_in_use(slug, content_dir)
    if taken:
        raise PostExists(f"un article utilise déjà le slug « {slug} » ({taken.name})")
    front = [
        f"Title: {' '.join(title.split())}",
        f"Date: {now:%Y-%m-%d %H:%M}",
        f"Category: {category}",
        f"Tags: {tags}",
        f"Slug: {slug}",
        f"Lang: {lang}",
        "Summary: Résumé en une ou deux phrases, affiché sur l'accueil et dans les flux.",
    ]
    if not publish:
        front.append("Status: draft")
    with open(path, "x", encoding="utf-8") as f:  # "x": fail rather than overwrite, even in a race
        f.write("\n".join(front) + "\n\nVotre texte ici, en Markdown.\n")
    return path


def _slug_in_use(slug: str, content_dir: Path) -> Path | None:
    needle = f"slug: {slug}"
    for path in content_dir.rglob("*.md"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                break  # end of the front matter
            if line.strip().lower() == needle:
                return path
    return None


def publication_time(text: str, moment: dt.datetime) -> dt.datetime:
    """`newpost --at`: a time in the site's time zone, refused unless it is still to come at `moment`."""
    import site_schedule

    at = site_schedule.parse_site_time(text, moment.tzinfo)
    if at <= moment:
        raise site_schedule.BadTime(f"{at:%Y-%m-%d %H:%M} est déjà passé (il est {moment:%Y-%m-%d %H:%M})")
    return at


@task(
    help={
        "title": "Titre de l'article, entre guillemets",
        "category": "Catégorie (par défaut : Conseils candidats)",
        "tags": "Étiquettes séparées par des virgules",
        "lang": "Langue de l'article (par défaut : celle du site)",
        "publish": "Publier directement au lieu de créer un brouillon",
        "at": "Programmer la publication, ex. \"2026-12-08 09:00\" (heure du site, TIMEZONE)",
    }
)
def newpost(c, title, category="Conseils candidats", tags="", lang="", publish=False, at=""):
    """Create content/AAAA-MM-JJ-slug.md with its front matter; never overwrites a post."""
    import site_schedule

    now = site_schedule.now(ZoneInfo(SETTINGS["TIMEZONE"]))
    if at:
        try:
            now, publish = publication_time(at, now), True  # dated in the future: the clock publishes it
        except site_schedule.BadTime as exc:
            raise Exit(f"Date refusée : {exc}.", code=2) from None
    try:
        path = write_new_post(ROOT / SETTINGS["PATH"], title, now, category, tags,
                              lang or SETTINGS["DEFAULT_LANG"], publish)
    except ValueError as exc:
        raise Exit(f"Titre refusé : {exc}.", code=2) from None
    except (PostExists, FileExistsError) as exc:
        raise Exit(f"Rien n'a été écrit : {exc}.", code=1) from None
    if at:
        note = (f" (programmé : en ligne le {now:%Y-%m-%d à %H:%M} ({SETTINGS['TIMEZONE']}) ; "
                "d'ici là, aperçu sous /brouillons/ avec `invoke build`)")
    else:
        note = "" if publish else " (brouillon : retirez la ligne « Status: draft » pour publier)"
    print(f"Créé : {path.relative_to(ROOT)}{note}")


def schedule_report(content_dir: Path, moment: dt.datetime) -> list[str]:
    """The lines of `invoke schedule`: each post still to come, soonest first, with its time and file."""
    import site_schedule

    waiting = site_schedule.pending(content_dir, moment.tzinfo, moment)
    if not waiting:
        return [f"Aucun article programmé après le {moment:%Y-%m-%d %H:%M} ({moment.tzinfo})."]
    lines = [f"{len(waiting)} article(s) programmé(s), heure du site ({moment.tzinfo}) :"]
    for post in waiting:
        lines.append(f"  {post.at.astimezone(moment.tzinfo):%Y-%m-%d %H:%M}  {post.title}  "
                     f"({post.path.relative_to(content_dir)})")
    return lines


@task
def schedule(c):
    """List the scheduled posts (future Date:), soonest first; the timed rebuild publishes each at its time."""
    import site_schedule

    try:
        moment = site_schedule.now(ZoneInfo(SETTINGS["TIMEZONE"]))
    except site_schedule.BadTime as exc:
        raise Exit(f"{site_schedule.NOW_VARIABLE} refusé : {exc}.", code=2) from None
    print("\n".join(schedule_report(ROOT / SETTINGS["PATH"], moment)))


def _feedback(c, *args: str) -> None:
    c.run(" ".join([shlex.quote(sys.executable), "-m", "feedback", *map(shlex.quote, args)]), pty=False)


@task(help={"all": "Étiqueter de nouveau tous les commentaires (les corrections humaines restent)"})
def tag(c, all=False):
    """Tag new and edited approved comments as problems or suggestions (python -m feedback tag)."""
    _feedback(c, "tag", *(["--all"] if all else []))


@task(help={"out": "Fichier du modèle (par défaut : instance/feedback-model.json)"})
def train(c, out=""):
    """Retrain the feedback tagger on the labelled corpora in feedback/data and the human corrections."""
    _feedback(c, "train", *(["--out", out] if out else []))


@task(help={"file": "Fichier JSON lines avec les étiquettes attendues (par défaut : les parties de test)",
            "no_cross": "Sans les scores d'une source à l'autre (qui réentraînent, environ une minute)"})
def evaluate(c, file="", no_cross=False):
    """Score the tagger: per label and language on the held-out splits, and across sources."""
    _feedback(c, "evaluate", *([file] if file else []), *(["--no-cross"] if no_cross else []))


@task(help={"week": "Semaine ISO, ex. 2026-W47 (par défaut : la dernière semaine complète)",
            "email": "Envoyer aussi le résumé à $BOUCLE_DIGEST_TO"})
def digest(c, week="", email=False):
    """Write the weekly feedback digest into digests/ (HTML, Markdown, JSON, CSV), optionally by e-mail."""
    _feedback(c, "digest", *(["--week", week] if week else []), *(["--email"] if email else []))


def _known_migrations() -> dict[str, list[str]]:
    from comments_store import migrations as comment_migrations
    from feedback import migrations as feedback_migrations

    return {"comments_store": comment_migrations.names(), "feedback": feedback_migrations.names()}


def _sqlite_only(command: str) -> None:
    from comments_store.postgres import is_url
    from feedback import paths

    if is_url(paths.database()):
        raise SystemExit(f"{command} copie un fichier SQLite ; avec PostgreSQL (BOUCLE_DATABASE_URL), utilisez "
                         "pg_dump et pg_restore (voir docs/deploying.md, « Growing past one machine »).")


def _print_counts(counts: dict[str, int]) -> None:
    for table, rows in counts.items():
        if not table.startswith("_"):
            print(f"  {table:<20} {rows:>8} ligne(s)")


@task(help={"to": "Chemin de la copie (par défaut : $BOUCLE_BACKUP_DIR/boucle-<date UTC>.db)"})
def backup(c, to=""):
    """Consistent online copy of the database, checked, keeping the last $BOUCLE_BACKUP_KEEP (14)."""
    from comments_store.backup import BackupError
    from comments_store.backup import backup as make_backup
    from feedback import paths

    _sqlite_only("invoke backup")
    folder = os.environ.get("BOUCLE_BACKUP_DIR") or str(paths.instance() / "backups")
    try:
        keep = int(os.environ.get("BOUCLE_BACKUP_KEEP") or 14)
    except ValueError:
        raise SystemExit("BOUCLE_BACKUP_KEEP doit être un nombre entier") from None
    try:
        done = make_backup(paths.database(), folder, _known_migrations(), keep=keep, to=to or None)
    except (BackupError, OSError) as exc:
        raise SystemExit(f"Sauvegarde ratée : {exc}") from None
    print(f"Sauvegarde vérifiée (integrity_check ok) : {done.path}")
    _print_counts(done.counts)


@task(help={"force": "Si la base en service est abîmée : la remplacer entière par renommage (service arrêté)"})
def restore(c, file, force=False):
    """Put a backup's data into the live database (service running or not); older schema migrated, newer refused."""
    import comments_store
    from comments_store.backup import BackupError
    from comments_store.backup import restore as put_back
    from feedback import paths
    from feedback import store as feedback_store

    _sqlite_only("invoke restore")

    def migrate(path):
        feedback_store.prepare(comments_store.open_db(path)).close()

    try:
        done = put_back(file, paths.database(), _known_migrations(), migrate, replace_damaged=force)
    except (BackupError, OSError, comments_store.StoreError) as exc:
        raise SystemExit(f"Restauration refusée : {exc} (la base en service n'a pas été touchée)") from None
    print(f"Restauré depuis {file}" + (f" ; l'ancienne base est gardée dans {done.kept}" if done.kept else ""))
    if done.set_aside:
        print(f"  {done.set_aside} commentaire(s) absents de la sauvegarde restent dans {done.kept}")
    if done.replaced_file:
        print("  La base abîmée a été remplacée par renommage : redémarrez le service.")
    _print_counts(done.check.counts)


@task(name="import-comments",
      help={"format": "isso, disqus, wordpress ou boucle",
            "file": "Base Isso, export XML Disqus, export WXR WordPress ou export JSON Boucle",
            "prefix": "Préfixe des anciennes adresses à retirer (ex. /blog)",
            "map": "ANCIENNE_ADRESSE=slug pour rattacher une page à la main (répétable)",
            "dry_run": "Montrer le rapport sans rien écrire"},
      iterable=["map"])
def import_comments(c, format, file, prefix="", map=None, dry_run=False):
    """Import the comments of Isso, Disqus, WordPress or another Boucle; builds first so articles are known."""
    build(c)
    args = [format, file, *(["--prefix", prefix] if prefix else []), *[f"--map={m}" for m in map or []],
            *(["--dry-run"] if dry_run else [])]
    c.run(shlex.join([sys.executable, "-m", "comments_store.importers", *args]), pty=False)


@task(help={"to": "Dossier où écrire comments.json et comments.csv (par défaut : instance/exports/<date UTC>)",
            "with_personal_data": "Inclure e-mails et empreintes d'adresse (à garder en lieu sûr)"})
def export(c, to="", with_personal_data=False):
    """Write every comment as JSON (imports back with `import-comments boucle`) and as CSV for a spreadsheet."""
    import comments_store
    from comments_store import clock
    from comments_store.export import export as export_all
    from comments_store.export import write_files
    from feedback import paths

    folder = to or str(paths.instance() / "exports" / clock.now_iso().replace(":", "-"))
    db = comments_store.open_db(paths.database())
    try:
        data = export_all(db, with_personal_data=with_personal_data)
    finally:
        db.close()
    for path in write_files(data, folder):
        print(path)
    print(f"{len(data['comments'])} commentaire(s), {len(data['threads'])} article(s)"
          + ("" if with_personal_data else " ; sans e-mails ni empreintes d'adresse"), file=sys.stderr)


@task(name="migrate-db", help={"to": "Base cible, vide : postgresql://utilisateur@hôte/base, ou un fichier SQLite"})
def migrate_db(c, to):
    """Copy the whole blog (comments, threads, tags, statuses, history, outbox) into another, empty database."""
    import comments_store
    from comments_store.transfer import TABLES, TransferError, copy_all
    from feedback import paths
    from feedback import store as feedback_store

    source = feedback_store.prepare(comments_store.open_db(paths.database()))
    try:
        target = feedback_store.prepare(comments_store.open_db(to))
    except comments_store.StoreError as exc:
        raise SystemExit(f"Base cible injoignable : {exc}") from None
    try:
        counts = copy_all(source, target, TABLES + feedback_store.TABLES)
    except TransferError as exc:
        raise SystemExit(f"Copie refusée : {exc}") from None
    finally:
        source.close()
        target.close()
    print(f"Copié vers {to} :")
    _print_counts(counts)
    if to.startswith("postgres"):
        print("Pour servir depuis cette base : BOUCLE_DATABASE_URL=<la même adresse> make run")


@task
def docs(c):
    """Build the manual (docs/, MkDocs) into site/; a broken link or a page missing from mkdocs.yml fails it."""
    config = shlex.quote(str(ROOT / "mkdocs.yml"))
    c.run(f"{shlex.quote(sys.executable)} -m mkdocs build --strict --config-file {config}")
