"""The web page's files are served from the package (the browser test drives them; this needs no browser)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from cloudinv.api.rest.app import create_app
from cloudinv.web import STATIC_DIR


def test_the_page_and_every_module_it_imports_are_served(application: Any) -> None:
    http = TestClient(create_app(application.contracts, application.tokens))
    page = http.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/static/app.js">' in page.text
    modules = {"app.js"}
    for path in STATIC_DIR.glob("*.js"):
        modules.update(re.findall(r'from "\./([\w.]+\.js)"', path.read_text()))
    for name in (*sorted(modules), "style.css"):
        response = http.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert (STATIC_DIR / name).read_text() == response.text
    assert http.get("/static/nothing.js").status_code == 404
