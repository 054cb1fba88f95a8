"""The OpenAPI 3 description of /api/ (a test checks it against the app's routes)."""
from __future__ import annotations

from typing import Any


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}, "description": "Article slug",
        "example": "negocier-son-salaire"}
COMMENT_ID = {"name": "comment_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
EDIT_TOKEN = {"name": "X-Edit-Token", "in": "header", "required": True, "schema": {"type": "string"},
              "description": "The edit_token returned when the comment was created"}
ADMIN = [{"bearer": []}]
ERRORS = {"400": _error("Bad request"), "404": _error("Unknown article or comment"),
          "413": _error("Request too large"), "415": _error("Not JSON nor a form"),
          "422": _error("A field breaks a rule; `field` names it"), "429": _error("Too many from this network; `Retry-After` says when")}


UNAVAILABLE = _error("The database cannot be written right now (full disk, read-only); `Retry-After` says when "
                     "to try again")


def _with_common_errors(paths: dict) -> dict:
    """The errors any operation may answer, so that the description holds for every request (schemathesis)."""
    for path, item in paths.items():
        for method, op in item.items():
            responses = op["responses"]
            if path == "/api/openapi.json":
                continue
            responses.setdefault("400", ERRORS["400"])
            responses.setdefault("503", UNAVAILABLE)
            if "{" in path:
                responses.setdefault("404", ERRORS["404"])
            if "requestBody" in op or (method == "post" and path.startswith("/api/privacy")):  # form bodies
                for code in ("413", "415", "422"):
                    responses.setdefault(code, ERRORS[code])
            if op.get("security"):
                responses.setdefault("401", _error("No or wrong token"))
                responses.setdefault("429", _error("Too many wrong tokens from this network; `Retry-After` says when"))
            if "application/x-www-form-urlencoded" in op.get("requestBody", {}).get("content", {}):
                # A form post (JavaScript off) gets its errors as the HTML form again, filled in.
                for code, response in list(responses.items()):
                    if code >= "400" and "application/json" in response.get("content", {}):
                        responses[code] = {**response, "content": {**response["content"],
                                                                   "text/html": {"schema": {"type": "string"}}}}
    return paths


def spec() -> dict[str, Any]:
    description = _spec()
    _with_common_errors(description["paths"])
    return description


def _spec() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Boucle comments API", "version": "1.0.0",
                 "description": "Comments of the blog. Errors are {\"error\": {\"code\", \"message\", \"field\"?}}, "
                                "in French by default, in English with Accept-Language: en."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                    "type": "object", "required": ["code", "message"],
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                                   "field": {"type": "string"}}}}},
                "Comment": {"type": "object", "required": ["id", "parent_id", "author", "website", "html",
                                                           "created_at", "edited_at"],
                            "properties": {"id": {"type": "integer"}, "parent_id": {"type": "integer", "nullable": True},
                                           "author": {"type": "string"}, "website": {"type": "string", "nullable": True},
                                           "html": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
                                           "edited_at": {"type": "string", "format": "date-time", "nullable": True},
                                           "lang": {"type": "string", "nullable": True,
                                                    "description": "the language the comment is written in (detected "
                                                                   "when stored; the page's when unsure)"},
                                           "dir": {"type": "string", "enum": ["ltr", "rtl"],
                                                   "description": "the direction of that language (rtl: Arabic)"},
                                           "deleted": {"type": "boolean"}}},
                "NewComment": {"type": "object", "required": ["author", "body"], "additionalProperties": False,
                               "properties": {"author": {"type": "string", "maxLength": 80},
                                              "email": {"type": "string", "maxLength": 254},
                                              "website": {"type": "string", "description": "http(s) URL"},
                                              "body": {"type": "string", "minLength": 2, "maxLength": 5000,
                                                       "description": "Markdown"},
                                              "parent_id": {"type": "integer", "nullable": True},
                                              "lang": {"type": "string", "description": "the page's language, "
                                                       "kept when the comment's own cannot be told"},
                                              "notify": {"type": "boolean"},
                                              "notify_replies": {"type": "boolean", "description": "e-mail the "
                                                                 "address when a reply is published (needs email)"},
                                              "ts": {"type": "string", "description": "fill-time token from GET "
                                                     "/api/form-token: required in JSON; a form without it gets a "
                                                     "preview to confirm"},
                                              "telephone": {"type": "string", "description": "honeypot: leave empty"}}},
                "ModeratedComment": {"type": "object", "description": "A comment with its private fields",
                                     "properties": {"id": {"type": "integer"}, "status": {"type": "string",
                                                    "enum": ["pending", "approved", "rejected", "spam"]},
                                                    "email": {"type": "string", "nullable": True},
                                                    "thread_slug": {"type": "string"}}},
            },
        },
        "paths": {
            "/api/health": {"get": {"summary": "Service status", "responses": {"200": {"description": "Up"}}}},
            "/api/openapi.json": {"get": {"summary": "This description", "responses": {"200": {"description": "OpenAPI 3"}}}},
            "/api/form-token": {"get": {"summary": "A fresh token for the HTML form's fill-time check",
                                        "responses": {"200": {"description": "{\"token\": …}"}}}},
            "/api/counts": {"get": {
                "summary": "Number of published comments per article",
                "parameters": [{"name": "threads", "in": "query", "required": True, "schema": {"type": "string"},
                                "description": "Comma-separated slugs"}],
                "responses": {"200": {"description": "{slug: count}", "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": {"type": "integer"}}}}}}}},
            "/api/preview": {"post": {
                "summary": "Render Markdown as it will be published",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}}}}},
                "responses": {"200": {"description": "{\"html\": …}"}, **ERRORS}}},
            "/api/threads/{slug}/comments": {
                "get": {"summary": "Published comments of an article, oldest first", "parameters": [
                    SLUG, {"name": "after", "in": "query", "schema": {"type": "integer"},
                           "description": "Only comments with a greater id"}],
                        "responses": {"200": {"description": "The thread", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"thread": {"type": "string"}, "count": {"type": "integer"},
                                                             "comments": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}}}}}},
                                      "404": ERRORS["404"]}},
                "post": {"summary": "Post a comment (JSON, or an HTML form answered with 303)", "parameters": [SLUG],
                         "requestBody": {"required": True, "content": {
                             "application/json": {"schema": {"$ref": "#/components/schemas/NewComment"}},
                             "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewComment"}}}},
                         "responses": {"201": {"description": "Stored; `status` is pending or approved; `edit_token` "
                                                              "allows edit and delete during the edit window"},
                                       "200": {"description": "Form post without a fill-time token: a text/html "
                                                              "preview to confirm", "content": {"text/html": {
                                                                  "schema": {"type": "string"}}}},
                                       "303": {"description": "Form post stored: back to the article"}, **ERRORS}},
            },
            "/api/threads/{slug}/comments/{comment_id}": {
                "patch": {"summary": "Edit one's own comment within the edit window", "parameters": [SLUG, COMMENT_ID, EDIT_TOKEN],
                          "requestBody": {"required": True, "content": {"application/json": {"schema": {
                              "type": "object", "required": ["body"], "properties": {"body": {"type": "string"}}}}}},
                          "responses": {"200": {"description": (
                              "Edited. `html` is what readers see. `edit_status` is `applied` (a comment not yet "
                              "published, or moderation off: changed at once) or `pending` (a published comment: "
                              "the edit waits for a moderator, its HTML in `pending_html`, and the published "
                              "version stays until then)")},
                                        "403": _error("Wrong secret (one answer whether the comment exists, is "
                                                      "pending, published or deleted), or window closed"), **ERRORS}},
                "delete": {"summary": "Delete one's own comment within the edit window", "parameters": [SLUG, COMMENT_ID, EDIT_TOKEN],
                           "responses": {"204": {"description": "Deleted"}, "403": _error(
                               "Wrong secret (one answer whether the comment exists or not), or window closed")}},
            },
            "/api/threads/{slug}/comments/{comment_id}/reply": {"get": {
                "summary": "HTML page with a form answering this comment (readers without JavaScript)",
                "parameters": [SLUG, COMMENT_ID],
                "responses": {"200": {"description": "text/html form"}, "404": ERRORS["404"]}}},
            "/api/unsubscribe": {
                "get": {"summary": "Confirmation page with a button (changes nothing: link scanners open links)",
                        "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "text/html form"},
                                      "400": {"description": "forged, expired or withdrawn link"}}},
                "post": {"summary": "One-click unsubscribe (RFC 8058): form body List-Unsubscribe=One-Click, "
                                    "token in the query (or a `token` field)",
                         "parameters": [{"name": "token", "in": "query", "required": False, "schema": {"type": "string"}}],
                         "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"List-Unsubscribe": {"type": "string", "enum": ["One-Click"]},
                                                              "token": {"type": "string"}},
                             "required": ["List-Unsubscribe"]}}}},
                         "responses": {"200": {"description": "text/html: unsubscribed"},
                                       "400": {"description": "forged, expired or withdrawn link, or no One-Click body"}}}},
            "/api/replies/unsubscribe": {
                "get": {"summary": "Reply notifications: confirmation page for ending those of one article (changes "
                                   "nothing: link scanners open links)",
                        "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "text/html form"},
                                      "400": {"description": "forged link, or already unsubscribed"}}},
                "post": {"summary": "One-click end of one article's reply notifications (RFC 8058): form body "
                                    "List-Unsubscribe=One-Click, token in the query (or a `token` field)",
                         "parameters": [{"name": "token", "in": "query", "required": False, "schema": {"type": "string"}}],
                         "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                             "type": "object", "properties": {"List-Unsubscribe": {"type": "string", "enum": ["One-Click"]},
                                                              "token": {"type": "string"}},
                             "required": ["List-Unsubscribe"]}}}},
                         "responses": {"200": {"description": "text/html: unsubscribed from this article's replies"},
                                       "400": {"description": "forged link, already unsubscribed, or no One-Click body"}}}},
            "/api/privacy": {
                "get": {"summary": "Form asking for a link to one's data", "responses": {"200": {"description": "text/html"}}},
                "post": {"summary": "E-mail an export link and an erasure link (form field `email`; one address; "
                                    "at most one e-mail per address every 10 minutes, three a day)",
                         "responses": {"200": {"description": "text/html; same answer for unknown addresses"},
                                       "422": {"description": "invalid address"}, "503": {"description": "no SMTP"}}}},
            "/api/privacy/export": {"get": {
                "summary": "Download one's comments and data (e-mailed link, 48 h)",
                "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "JSON attachment"}, "400": {"description": "bad or expired link"}}}},
            "/api/privacy/erase": {
                "get": {"summary": "Confirm erasure (e-mailed link, 48 h)",
                        "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "text/html form"}, "400": {"description": "bad link"}}},
                "post": {"summary": "Erase name, e-mail, website and texts; anonymous counts stay (form field `token`)",
                         "responses": {"200": {"description": "text/html"}, "400": {"description": "bad link"}}}},
            "/api/prove": {
                "get": {"summary": "Page of the link that proves a reader's address (`first` moderation): a button, "
                                   "nothing confirmed yet (link scanners)",
                        "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "text/html form"},
                                      "400": {"description": "text/html: forged or expired link"}}},
                "post": {"summary": "Confirm the address (form field `token`); sets the HttpOnly cookie that lets this "
                                    "browser publish at once",
                         "responses": {"200": {"description": "text/html; Set-Cookie boucle_proven"},
                                       "400": {"description": "text/html: forged or expired link"},
                                       "403": _error("Form sent from another site")}}},
            "/api/admin/edits": {"get": {
                "summary": "Edits of published comments waiting for a moderator, oldest first, each with `diff` from "
                           "the published text ([op, text] pieces, op in equal, delete, insert)", "security": ADMIN,
                "parameters": [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("limit", "offset")],
                "responses": {"200": {"description": "{total, limit, offset, edits}"}, "401": _error("No or wrong token")}}},
            "/api/admin/comments/{comment_id}/edit/{action}": {"post": {
                "summary": "Publish or reject the waiting edit named by `edit_id` (from /api/admin/edits): exactly "
                           "the version read", "security": ADMIN,
                "parameters": [COMMENT_ID, {"name": "action", "in": "path", "required": True, "schema": {
                    "type": "string", "enum": ["approve", "reject"]}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["edit_id"], "properties": {"edit_id": {"type": "integer"}}}}}},
                "responses": {"200": {"description": "The comment, as now published"},
                              "401": _error("No or wrong token"), "404": ERRORS["404"],
                              "409": _error("The reader changed the edit since (or it was handled): nothing done"),
                              "422": _error("`edit_id` missing or not a number")}}},
            "/api/admin/comments": {"get": {
                "summary": "Comments for moderators; `status` one of pending, approved, rejected, spam, or all (the "
                           "default, as on the /admin/ page)", "security": ADMIN,
                "parameters": [{"name": "status", "in": "query", "schema": {
                    "type": "string", "enum": ["pending", "approved", "rejected", "spam", "all"]}}]
                + [{"name": n, "in": "query", "schema": {"type": "string"}} for n in ("q", "author", "thread")]
                + [{"name": n, "in": "query", "schema": {"type": "integer"}} for n in ("limit", "offset")],
                "responses": {"200": {"description": "{total, limit, offset, comments}"}, "401": _error("No or wrong token"),
                              "400": _error("`status`, `limit` or `offset` not allowed")}}},
            "/api/admin/comments/{comment_id}": {
                "get": {"summary": "One comment with its private fields, and `pending_edit` (its waiting edit, or null)",
                        "security": ADMIN, "parameters": [COMMENT_ID],
                        "responses": {"200": {"description": "The comment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ModeratedComment"}}}},
                                      "401": _error("No or wrong token"), "404": ERRORS["404"]}},
                "delete": {"summary": "Delete a comment", "security": ADMIN, "parameters": [COMMENT_ID],
                           "responses": {"204": {"description": "Deleted"}, "401": _error("No or wrong token"), "404": ERRORS["404"]}},
            },
            "/api/admin/comments/{comment_id}/{action}": {"post": {
                "summary": "Moderate: approve, reject, spam, or back to pending", "security": ADMIN,
                "parameters": [COMMENT_ID, {"name": "action", "in": "path", "required": True, "schema": {
                    "type": "string", "enum": ["approve", "reject", "spam", "pending"]}}],
                "responses": {"200": {"description": "The comment, with its new status"}, "401": _error("No or wrong token"),
                              "404": ERRORS["404"]}}},
        },
    }
