"""Stand-in for Supabase Auth, local development and tests only.

Supabase Auth (GoTrue) cannot run here, so the local stack serves this instead, at the project
URL's `/auth/v1/` (nginx strips the prefix). It speaks Auth's HTTP API for what supabase-js does
with an email and a password, and keeps its state where Auth keeps it: users in `auth.users`
(bcrypt in `encrypted_password`), sessions in `auth.sessions`, rotating refresh tokens in
`auth.refresh_tokens` (created by supabase/local/bootstrap.sql).

    POST /signup                        a confirmed user and a session (autoconfirm, as locally)
    POST /token?grant_type=password     a session
    POST /token?grant_type=refresh_token  the session with a new access and refresh token
    GET  /user                          the signed-in user
    POST /logout?scope=global|local|others  ends sessions (204)
    GET  /.well-known/jwks.json         the stack's public signing key
    GET  /health                        200 once serving

Run it with `python -m devstack.auth --host 127.0.0.1 --port PORT --db-url URL --keys DIR`.
Never part of a deployment: it lives with the local stack's tooling, outside the product.
"""

from devstack.auth._app import create_app
from devstack.auth._settings import AuthSettings, SettingsError

__all__ = ["AuthSettings", "SettingsError", "create_app"]
