-- Sessions that ended are refused by PostgREST, and so by the BFF, which forwards the caller's
-- token. An access token is a JWT that stays valid until it expires, while Supabase Auth ends a
-- session (sign-out, a reused refresh token, its not_after passing) in auth.sessions. PostgREST
-- runs public.check_request() after it verified the token and before every request's query, so a
-- token whose session has ended is refused at once, with 401.
--
-- Tokens without a session_id claim (the anon key, service_role, tokens minted by hand) pass as
-- before.

-- auth.sessions is not readable by the API roles (on hosted Supabase, Auth owns it and postgres
-- may read it), so the check runs as this helper's owner.
create function private.session_is_active(session_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select
    from auth.sessions s
    where s.id = session_id
      and (s.not_after is null or s.not_after > now())
  );
$$;

comment on function private.session_is_active(uuid) is
  'Whether an Auth session exists and has not passed its not_after (auth.sessions).';
revoke execute on function private.session_is_active(uuid)
  from public, anon, authenticated, service_role;
grant execute on function private.session_is_active(uuid) to authenticated;

-- Whether the session behind the current request's token, if it names one, is still active.
-- One rule for every door: PostgREST's pre-request check and Realtime's channel policies.
create function private.current_session_is_active()
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  v_session_id text := nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'session_id';
begin
  if v_session_id is null then
    return true;
  end if;
  -- SQL does not promise to evaluate `or` left to right: check the shape before the cast.
  return v_session_id ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    and private.session_is_active(v_session_id::uuid);
end;
$$;

comment on function private.current_session_is_active() is
  'Whether the request''s token names no session, or an active one (auth.sessions).';
revoke execute on function private.current_session_is_active()
  from public, anon, authenticated, service_role;
grant execute on function private.current_session_is_active() to authenticated;

-- PostgREST calls it under the request's role, whichever it is: every API role may execute it.
create function public.check_request()
returns void
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  -- Nested, not `or`: anon may not touch the private schema, and SQL may evaluate either side.
  if nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' is distinct from 'authenticated' then
    return;
  end if;
  if private.current_session_is_active() then
    return;
  end if;
  raise exception 'Your session has ended (signed out, revoked or expired): sign in again.'
    using errcode = 'PT401', hint = 'session_ended';
end;
$$;

comment on function public.check_request() is
  'PostgREST pre-request: refuses (PT401, HTTP 401) a token whose Auth session has ended.';
revoke execute on function public.check_request() from public, anon, authenticated, service_role;
grant execute on function public.check_request() to anon, authenticated, service_role;

-- In-database configuration: PostgREST reads its authenticator role's pgrst.* settings at start
-- and on `reload config`.
alter role authenticator set pgrst.db_pre_request to 'public.check_request';
notify pgrst, 'reload config';
