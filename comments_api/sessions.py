"""Sessions only where they are used: the moderators' pages under /admin.

The session cookie's path is /admin, so browsers never send it anywhere else;
reading (and signing) a session on every API request would be work for nothing.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class AdminOnlySessions(SecureCookieSessionInterface):
    def open_session(self, app, request):
        if not request.path.startswith(app.config["SESSION_COOKIE_PATH"]):
            return self.null_session_class()
        return super().open_session(app, request)
