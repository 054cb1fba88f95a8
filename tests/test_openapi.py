"""GET /api/openapi.json describes exactly the routes the app serves."""
from __future__ import annotations

import re


def app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", re.sub(r"<any\([^)]*\):(\w+)>", r"{\1}", rule.rule))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    return routes


def test_spec_matches_the_routes(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert documented == app_routes(app)


def test_every_operation_documents_its_responses(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert op.get("summary") and op.get("responses"), (path, method)
            for param in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == param and p["in"] == "path" for p in op.get("parameters", [])), (path, param)
