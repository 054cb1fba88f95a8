"""A throw-away PostgreSQL cluster (Debian's postgresql package) in a temporary folder, on a free port."""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """initdb + pg_ctl start; `create()` makes an empty database from a migrated template, in a few ms."""

    def __init__(self, folder: Path, durable: bool = False):
        bin_dir = binaries()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL's initdb and pg_ctl were not found")
        self.bin, self.folder, self.port = bin_dir, folder, _free_port()
        self.data = folder / "data"
        # PostgreSQL refuses to run as root: as root (CI), the cluster belongs to the package's postgres user.
        self.user = "postgres" if os.geteuid() == 0 else None
        folder.mkdir(parents=True, exist_ok=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "boucle", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        # Tests trade durability for speed; a benchmark keeps PostgreSQL's defaults (durable=True).
        speed = "" if durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        self._run("pg_ctl", "-D", str(self.data), "-l", str(folder / "server.log"), "-w", "-o",
                  f"-p {self.port} -k {folder} -c listen_addresses=127.0.0.1 {speed}-c max_connections=200", "start")
        self.base = f"postgresql://boucle@127.0.0.1:{self.port}"
        self._names = itertools.count(1)
        self.template = None

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.base}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def prepare_template(self, migrate) -> None:
        """Run `migrate(url)` once on a template that every later database copies."""
        self._admin("CREATE DATABASE boucle_template")
        migrate(f"{self.base}/boucle_template")
        self.template = "boucle_template"

    def create(self) -> str:
        name = f"test_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {self.template}" if self.template else ""))
        return f"{self.base}/{name}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
