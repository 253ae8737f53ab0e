"""Stand-in for Supabase Realtime, local development and tests only.

Never part of a deployment: hosted Supabase runs the real Realtime server. This one speaks the
Phoenix channel protocol as supabase-js speaks it, for what the product uses: private broadcast
channels. A join is authorized as Realtime authorizes it, by the RLS policies on
`realtime.messages` under the token's role and claims with `realtime.topic` set; the rows the
database writes to `realtime.messages` for a topic reach its joined clients in commit order;
an access token update or expiry re-checks the channel, and a client's own broadcast is sent on
only if the insert policy allows it.

Run it as `python -m devstack.realtime --host 127.0.0.1 --port PORT --db-url URL --keys KEYS_DIR`;
it answers `GET /health` once it listens for messages.
"""

from devstack.realtime._server import ServerConfig, StartupError, serve_until

__all__ = ["ServerConfig", "StartupError", "serve_until"]
