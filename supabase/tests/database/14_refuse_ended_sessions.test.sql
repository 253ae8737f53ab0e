-- PostgREST's pre-request check refuses a token whose Auth session has ended (signed out, revoked,
-- past not_after) with PT401, and lets every other token through: anon, service_role, and
-- signed-in tokens without a session_id. Auth's session tables stay unreadable by the API roles.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(26);

\set ended_message 'Your session has ended (signed out, revoked or expired): sign in again.'
\set alice_id '''c0000000-0000-4000-8000-000000000001'''
\set live '''d0000000-0000-4000-8000-000000000001'''
\set expired '''d0000000-0000-4000-8000-000000000002'''
\set signed_out '''d0000000-0000-4000-8000-000000000003'''
\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set alice_live '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"d0000000-0000-4000-8000-000000000001"}'
\set alice_expired '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"d0000000-0000-4000-8000-000000000002"}'
\set alice_signed_out '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"d0000000-0000-4000-8000-000000000003"}'
\set alice_malformed '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"not-a-uuid"}'

-- Alice has three sessions: one live (ending in an hour), one past its not_after, one that she
-- is about to sign out of.
insert into auth.sessions (id, user_id, created_at, updated_at, aal, not_after) values
  (:live, :alice_id, now(), now(), 'aal1', now() + interval '1 hour'),
  (:expired, :alice_id, now(), now(), 'aal1', now() - interval '1 second'),
  (:signed_out, :alice_id, now(), now(), 'aal1', null);

-- How it is set up ----------------------------------------------------------------------------
select is(
  (select setting from pg_db_role_setting s, unnest(s.setconfig) setting
   where s.setrole = 'authenticator'::regrole and setting like 'pgrst.db_pre_request=%'),
  'pgrst.db_pre_request=public.check_request', 'PostgREST runs public.check_request before every request');
select ok(not (select prosecdef from pg_proc where oid = 'public.check_request()'::regprocedure),
  'check_request runs with the caller''s rights');
select ok((select prosecdef from pg_proc where oid = 'private.session_is_active(uuid)'::regprocedure),
  'the helper reading auth.sessions runs as its owner');
select function_privs_are('public', 'check_request', array[]::text[], 'anon', array['EXECUTE'],
  'anon may run the check (PostgREST runs it for every request)');
select function_privs_are('public', 'check_request', array[]::text[], 'authenticated', array['EXECUTE'],
  'signed-in users may run the check');
select function_privs_are('public', 'check_request', array[]::text[], 'service_role', array['EXECUTE'],
  'service_role may run the check, or every service_role request would fail');
select function_privs_are('private', 'session_is_active', array['uuid'], 'authenticated', array['EXECUTE'],
  'the helper serves signed-in users');
select function_privs_are('private', 'session_is_active', array['uuid'], 'anon', array[]::text[],
  'anon may not run the helper');
select function_privs_are('private', 'session_is_active', array['uuid'], 'service_role', array[]::text[],
  'service_role may not run the helper (it never needs it)');

-- Tokens without a live session's claim pass ---------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select lives_ok('select public.check_request()', 'the anon key passes');
select throws_ok('select count(*) from auth.sessions', '42501', null, 'anon cannot read Auth''s sessions');
reset role;

set local role service_role;
set local request.jwt.claims = '{"role":"service_role","session_id":"d0000000-0000-4000-8000-000000000003"}';
select lives_ok('select public.check_request()', 'service_role passes, whatever session it names');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select lives_ok('select public.check_request()', 'a signed-in token without a session_id passes');
select throws_ok('select count(*) from auth.sessions', '42501', null,
  'signed-in users cannot read Auth''s sessions');
select throws_ok('select count(*) from auth.refresh_tokens', '42501', null,
  'nor Auth''s refresh tokens');

set local request.jwt.claims = :'alice_live';
select lives_ok('select public.check_request()', 'a token of a live session passes');
select is(private.session_is_active(:live), true, 'the helper finds the live session');

-- Tokens of sessions that ended are refused ----------------------------------------------------
set local request.jwt.claims = :'alice_expired';
select throws_ok('select public.check_request()', 'PT401', :'ended_message',
  'a token of a session past its not_after is refused');
set local request.jwt.claims = :'alice_malformed';
select throws_ok('select public.check_request()', 'PT401', :'ended_message',
  'a token naming no session at all is refused');
set local request.jwt.claims = '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"d0000000-0000-4000-8000-0000000000ff"}';
select throws_ok('select public.check_request()', 'PT401', :'ended_message',
  'a token of a session Auth never had is refused');
set local request.jwt.claims = :'alice_signed_out';
select lives_ok('select public.check_request()', 'before signing out, the session''s token passes');
reset role;

delete from auth.sessions where id = :signed_out;  -- what Auth does on sign-out

set local role authenticated;
set local request.jwt.claims = :'alice_signed_out';
select throws_ok('select public.check_request()', 'PT401', :'ended_message',
  'after signing out, the same token is refused');
select is(private.session_is_active(:signed_out), false, 'the helper no longer finds it');
set local request.jwt.claims = :'alice_live';
select lives_ok('select public.check_request()', 'her other session goes on');
reset role;

update auth.sessions set not_after = now() - interval '1 second' where id = :live;
set local role authenticated;
set local request.jwt.claims = :'alice_live';
select throws_ok('select public.check_request()', 'PT401', :'ended_message',
  'once its not_after passes, that session''s token is refused too');
set local request.jwt.claims = :'alice';
select lives_ok('select public.check_request()', 'a token without a session_id still passes');
reset role;

select * from finish();
rollback;
