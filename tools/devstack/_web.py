"""The reference web app's local host: nginx serving `web/` as static files, the pinned browser
packages from `web/node_modules/`, and `config.json` (the project URL, its anon key and the BFF's
URL), as any static host would serve the app in front of a hosted project.

    /                 → web/index.html (screens are hash routes) and the app's modules and styles
    /vendor/<pkg>/    → web/node_modules/<pkg>/ (only the packages the page imports)
    /config.json      → written by the stack at every start

Every answer carries a Content-Security-Policy that allows scripts from this origin only (plus
the page's import map, by its hash) and connections only to the project URL and the BFF.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from devstack._errors import StackError
from devstack._gateway import nginx_preamble

# The browser packages the page loads, as web/package.json pins them.
VENDOR_PACKAGES = ("preact", "htm", "@supabase/supabase-js", "marked", "dompurify")
_IMPORT_MAP = re.compile(r'<script type="importmap">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True)
class WebApp:
    """Where the web app is served and what it is pointed at."""

    listen: int
    web_dir: Path
    api_url: str
    anon_key: str
    bff_url: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listen}"

    def config_json(self) -> str:
        """The app's configuration, read by the page at start (`web/js/config.js`)."""
        return json.dumps(
            {"supabaseUrl": self.api_url, "supabaseAnonKey": self.anon_key, "bffUrl": self.bff_url}
        )

    def content_security_policy(self) -> str:
        websocket = "ws" + self.api_url.removeprefix("http")
        return "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' {_import_map_hash(self.web_dir / 'index.html')}",
                "style-src 'self'",
                "img-src 'self' data: blob:",
                f"connect-src 'self' {self.api_url} {websocket} {self.bff_url}",
                "frame-ancestors 'none'",
                "base-uri 'none'",
                "form-action 'none'",
            ]
        )


def _import_map_hash(index_html: Path) -> str:
    """The CSP source that allows the page's inline import map, and nothing else inline."""
    found = _IMPORT_MAP.search(index_html.read_text())
    if found is None:
        raise StackError(f'{index_html} has no <script type="importmap">')
    digest = hashlib.sha256(found.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def web_nginx_config(app: WebApp, prefix: Path, logs: Path) -> str:
    """Return an nginx configuration serving the web app, keeping every file under `prefix`."""
    modules = app.web_dir / "node_modules"
    missing = [name for name in VENDOR_PACKAGES if not (modules / name / "package.json").exists()]
    if missing:
        raise StackError(f"web packages missing ({', '.join(missing)}): run `make setup`")
    config_file = prefix / "config.json"
    config_file.write_text(app.config_json())
    vendor = "\n".join(
        f"    location /vendor/{name}/ {{ alias {modules / name}/; }}" for name in VENDOR_PACKAGES
    )
    return f"""{nginx_preamble(prefix, logs, "web")}
  include /etc/nginx/mime.types;
  types {{ text/javascript js mjs; }}
  charset utf-8;
  charset_types text/css text/javascript application/json;

  server {{
    listen 127.0.0.1:{app.listen};
    root {app.web_dir};
    add_header Content-Security-Policy "{app.content_security_policy()}" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    # Every start may bring new code: the browser revalidates each file (an ETag answers 304).
    add_header Cache-Control no-cache always;

    location = /config.json {{ alias {config_file}; }}
{vendor}
    location /vendor/ {{ return 404; }}
    location ~ ^/(node_modules|package) {{ return 404; }}
    # Screens are hash routes (/#/requests): every path is a file or nothing.
    location / {{ index index.html; try_files $uri $uri/ =404; }}
  }}
}}
"""
