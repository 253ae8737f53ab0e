"""The web app's local host (nginx, `tools/devstack/_web.py`): the app, its pinned packages and its
configuration, with a strict Content-Security-Policy; and the BFF allowing the app's origin."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.request

from devstack import Stack


def _fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_config_json_points_the_app_at_this_stack(stack: Stack) -> None:
    status, _, body = _fetch(f"{stack.web_app.url}/config.json")
    assert status == 200
    assert json.loads(body) == {
        "supabaseUrl": stack.api_url, "supabaseAnonKey": stack.anon_key, "bffUrl": stack.bff_url,
    }  # fmt: skip


def test_the_app_is_served_with_a_policy_allowing_only_its_own_scripts(stack: Stack) -> None:
    status, headers, body = _fetch(f"{stack.web_app.url}/")
    assert status == 200 and b'<div id="app">' in body
    policy = headers["Content-Security-Policy"]
    import_map = re.search(rb'<script type="importmap">(.*?)</script>', body, re.DOTALL)
    assert import_map is not None
    digest = base64.b64encode(hashlib.sha256(import_map.group(1)).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert f"connect-src 'self' {stack.api_url} ws://127.0.0.1:{stack.config.api_port} " \
        f"{stack.bff_url}" in policy  # fmt: skip
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_pinned_browser_packages_are_served(stack: Stack) -> None:
    web = stack.web_app.url
    status, headers, _ = _fetch(f"{web}/vendor/preact/dist/preact.module.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert _fetch(f"{web}/vendor/@supabase/supabase-js/dist/umd/supabase.js")[0] == 200
    for hidden in ("/vendor/tslib/package.json", "/node_modules/preact/package.json",
                   "/package.json", "/package-lock.json", "/js/missing.js"):  # fmt: skip
        assert _fetch(web + hidden)[0] == 404, hidden


def test_the_bff_allows_the_web_apps_origin_and_no_other(stack: Stack) -> None:
    def preflight(origin: str) -> dict[str, str]:
        headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
                   "Access-Control-Request-Headers": "authorization, content-type"}  # fmt: skip
        return _fetch(f"{stack.bff_url}/actions/listTickets", "OPTIONS", headers)[1]

    allowed = preflight(stack.web_app.url)
    assert allowed["Access-Control-Allow-Origin"] == stack.web_app.url
    assert "Access-Control-Allow-Origin" not in preflight("https://evil.example.test")
