"""A real Isso server (from PyPI, in a virtual environment of its own) for the import tests."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ISSO = "isso==0.14.0"
ROOT = Path(__file__).resolve().parent.parent
# Kept beside our own environment (never committed) so that a second run does not download it again.
VENV = ROOT / ".venv" / "isso-0.14.0"


def isso_command() -> Path:
    """Isso's command, installing it into its own environment first; skips (never in CI) when PyPI is out of reach."""
    command = VENV / "bin" / "isso"
    if command.exists():
        return command
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    done = subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", ISSO],
                          capture_output=True, text=True)
    if done.returncode != 0:
        reason = f"Isso could not be installed from PyPI: {done.stderr.strip().splitlines()[-1:]}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return command


class IssoServer:
    """Isso on 127.0.0.1:`port`, with moderation and its admin page on, behind a trusted 'proxy' (us)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = folder, port
        self.url = f"http://127.0.0.1:{port}"
        self.db = folder / "isso.db"
        self.cookies: dict[int, str] = {}
        config = folder / "isso.cfg"
        config.write_text(f"""[general]
dbpath = {self.db}
host = http://127.0.0.1:8000/
[moderation]
enabled = true
[server]
listen = http://127.0.0.1:{port}/
trusted-proxies = 127.0.0.1
[guard]
enabled = false
[admin]
enabled = true
password = mot-de-passe-isso
""")
        self.log = open(folder / "isso.log", "w")
        self.process = subprocess.Popen([str(isso_command()), "-c", str(config), "run"], stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.url}/info", timeout=1)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "isso.log").read_text())
                time.sleep(0.2)

    def post(self, uri: str, text: str, author: str | None = None, parent: int | None = None,
             email: str | None = None, ip: str = "196.200.0.1") -> int:
        body = {"text": text, "author": author, "email": email, "parent": parent, "title": uri.strip("/")}
        answer = requests.post(f"{self.url}/new", params={"uri": uri}, json=body,
                               headers={"X-Forwarded-For": ip}, timeout=10)
        answer.raise_for_status()
        cid = answer.json()["id"]
        self.cookies[cid] = answer.cookies[str(cid)]
        return cid

    def activate_all(self, keep_pending: set[int] = frozenset()) -> None:
        """Accept every comment in the moderation queue but `keep_pending`, as a moderator does on /admin/."""
        session = requests.Session()
        session.post(f"{self.url}/login/", data={"password": "mot-de-passe-isso"}, timeout=10).raise_for_status()
        page = session.get(f"{self.url}/admin/", params={"mode": 2}, timeout=10).text
        for cid, key in set(re.findall(r"validate_com\((\d+), '([^']+)'", page)):
            if int(cid) not in keep_pending:
                session.post(f"{self.url}/id/{cid}/activate/{key}", timeout=10).raise_for_status()

    def delete(self, cid: int) -> None:
        """The author deletes their comment (Isso keeps it as mode 4 while it has replies)."""
        requests.delete(f"{self.url}/id/{cid}", cookies={str(cid): self.cookies[cid]},
                        timeout=10).raise_for_status()

    def like(self, cid: int, ip: str) -> None:
        requests.post(f"{self.url}/id/{cid}/like", headers={"X-Forwarded-For": ip}, timeout=10).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
