"""Sessions only where they are used: the moderators' pages under /admin, held on the server.

The session cookie's path is /admin, so browsers never send it anywhere else;
reading (and signing) a session on every API request would be work for nothing.

The signed cookie carries only a random session id (once logged in) or the log-in form's CSRF token (before).
Whether the bearer is logged in, as whom, and the CSRF token of their session come from the database
(comments_store.admin_sessions) on every request: log-out, a new admin token or an idle hour end a session
on the server, whatever copies of the cookie exist.
"""
from __future__ import annotations

import datetime as dt

from flask.sessions import SecureCookieSessionInterface

import comments_store

from .db import get_db

# What the cookie may carry besides the id or the log-in form's token: Flask's own keys (messages shown once,
# the cookie's lifetime). Anything else in it, such as `admin` from a cookie signed by an older version, which
# kept the whole session in the cookie, is ignored.
FLASK_KEYS = {"_flashes": list, "_permanent": bool}
LIFETIME = dt.timedelta(hours=12)  # a session ends at the latest 12 hours after log-in, however busy


def idle_limit(app) -> dt.timedelta:
    return dt.timedelta(minutes=app.config["ADMIN_IDLE_MINUTES"])


class AdminOnlySessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if not request.path.startswith(app.config["SESSION_COOKIE_PATH"]):
            return self.null_session_class()
        signed = super().open_session(app, request)
        if signed is None:
            return None
        kinds = {"sid": str, "csrf": str, **FLASK_KEYS}
        session = self.session_class({k: signed[k] for k, kind in kinds.items() if isinstance(signed.get(k), kind)})
        sid = session.pop("sid", None)
        if sid is None:
            return session
        live = comments_store.admin_sessions.resume(
            get_db(), sid, app.config["ADMIN_TOKEN_FINGERPRINT"], idle=idle_limit(app), lifetime=LIFETIME)
        if live is None:
            session.clear()
            session.modified = True  # the cookie goes: it opens nothing any more
            return session
        session.update(sid=sid, admin=True, who=live.who, csrf=live.csrf)
        session.modified = False
        return session

    def save_session(self, app, session, response):
        if self.is_null_session(session):
            return super().save_session(app, session, response)
        # Only the id (or the log-in form's token) goes back into the cookie; the rest lives on the server.
        keys = ("sid" if "sid" in session else "csrf", *FLASK_KEYS)
        cookie = self.session_class({k: session[k] for k in keys if k in session})
        cookie.modified, cookie.accessed = session.modified, session.accessed
        return super().save_session(app, cookie, response)
