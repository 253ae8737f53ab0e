"""The project URL: nginx routes Supabase's paths to the local services, as Kong does in
`supabase start`.

    /rest/v1/      → PostgREST
    /auth/v1/      → the Auth stand-in
    /realtime/v1/  → the Realtime stand-in (WebSocket upgrades pass through)
    /storage/v1/   → the Storage stand-in

Each prefix is stripped, as the hosted gateway strips it. Anything else is a JSON 404.
"""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass
from pathlib import Path

from devstack._errors import StackError

# What supabase-js sends to Auth and Storage from a browser, and what Storage answers with.
_AUTH_REQUEST_HEADERS = "authorization, apikey, content-type, x-client-info, x-supabase-api-version"
_STORAGE_REQUEST_HEADERS = _AUTH_REQUEST_HEADERS + ", x-upsert, x-metadata, cache-control"
_STORAGE_RESPONSE_HEADERS = (
    "content-disposition, content-length, content-range, etag, last-modified"
)


@dataclass(frozen=True)
class Routes:
    """Where each of the project URL's paths goes (ports on 127.0.0.1)."""

    listen: int
    rest: int
    auth: int
    realtime: int
    storage: int


def nginx_binary() -> str:
    """Return nginx's path, or raise naming the Debian package to install."""
    found = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise StackError("nginx not found: install the Debian package nginx (make does, as root)")
    return found


def nginx_command(config_file: Path, prefix: Path, error_log: Path) -> list[str]:
    """Return the command that runs nginx in the foreground with `config_file`."""
    return [nginx_binary(), "-p", str(prefix), "-c", str(config_file), "-e", str(error_log)]


def nginx_preamble(prefix: Path, logs: Path, name: str) -> str:
    """Return the top of an nginx configuration that runs in the foreground and keeps every file
    under `prefix` (its pid, temp folders) and its error log in `logs/<name>-error.log`."""
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    # As root, nginx would hand its workers to `nobody`, who cannot write the temp folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    return f"""# Written by the local stack (tools/devstack/) at every start.
daemon off;
{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {logs}/{name}-error.log warn;

events {{
  worker_connections 1024;
}}

http {{
  access_log off;
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;"""


def nginx_config(routes: Routes, prefix: Path, logs: Path) -> str:
    """Return an nginx configuration serving `routes`, keeping every file under `prefix`."""
    return f"""{nginx_preamble(prefix, logs, "nginx")}
  # Storage uploads go up to the bucket's limit; the services check sizes themselves.
  client_max_body_size 60m;

  map $http_upgrade $connection_upgrade {{
    default upgrade;
    ''      close;
  }}

  upstream postgrest {{
    server 127.0.0.1:{routes.rest};
    keepalive 64;
  }}

  server {{
    listen 127.0.0.1:{routes.listen};
    proxy_http_version 1.1;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;

    location /rest/v1/ {{
      proxy_set_header Connection "";
      proxy_pass http://postgrest/;
    }}

    # Browsers call Auth from the web app's origin; Supabase's gateway allows any origin.
    # (PostgREST answers CORS itself; WebSockets need none.)
    location /auth/v1/ {{
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;
        add_header Access-Control-Allow-Headers "{_AUTH_REQUEST_HEADERS}" always;
        add_header Access-Control-Max-Age 3600 always;
        return 204;
      }}
      add_header Access-Control-Allow-Origin * always;
      add_header Access-Control-Expose-Headers "x-sb-error-code, x-supabase-api-version" always;
      proxy_set_header Connection "";
      proxy_pass http://127.0.0.1:{routes.auth}/;
    }}

    location /realtime/v1/ {{
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
      proxy_pass http://127.0.0.1:{routes.realtime}/;
    }}

    # Browsers upload and download straight to Storage; its gateway allows any origin too.
    location /storage/v1/ {{
      if ($request_method = OPTIONS) {{
        add_header Access-Control-Allow-Origin * always;
        add_header Access-Control-Allow-Methods "GET, HEAD, POST, PUT, DELETE, OPTIONS" always;
        add_header Access-Control-Allow-Headers "{_STORAGE_REQUEST_HEADERS}" always;
        add_header Access-Control-Max-Age 3600 always;
        return 204;
      }}
      add_header Access-Control-Allow-Origin * always;
      add_header Access-Control-Expose-Headers "{_STORAGE_RESPONSE_HEADERS}" always;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_pass http://127.0.0.1:{routes.storage}/;
    }}

    location / {{
      default_type application/json;
      return 404 '{{"message":"no route matched with those values"}}';
    }}
  }}
}}
"""
