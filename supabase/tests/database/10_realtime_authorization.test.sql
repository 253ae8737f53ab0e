-- Who may join (receive) and send on the private ticket topics, checked the way the Realtime
-- server checks a channel join: insert a probe message as the superuser, then in the same
-- transaction set role, request.jwt.claims and realtime.topic and see whether a select of the probe
-- passes RLS (receive); insert a message as that role and see whether RLS refuses it (send).
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(47);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set anon '{"role":"anon"}'

\set acme_topic 'org:aaaaaaaa-0000-4000-8000-000000000000:tickets'
\set globex_topic 'org:bbbbbbbb-0000-4000-8000-000000000000:tickets'
\set alice_topic 'user:c0000000-0000-4000-8000-000000000001:tickets'
\set bob_topic 'user:c0000000-0000-4000-8000-000000000002:tickets'

-- Receive: the probe is visible to the role under the topic, as Realtime's join check asks.
create function pg_temp.can_receive(p_claims text, p_topic text, p_extension text default 'broadcast')
returns boolean
language plpgsql
as $$
declare
  v_probe uuid;
  v_seen boolean;
begin
  insert into realtime.messages (topic, extension) values (p_topic, p_extension) returning id into v_probe;
  perform set_config('role', coalesce(p_claims::jsonb ->> 'role', 'anon'), true);
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('realtime.topic', p_topic, true);
  select exists (
    select 1 from realtime.messages m
    where m.topic = p_topic and m.extension = p_extension and m.id = v_probe
  ) into v_seen;
  perform set_config('role', 'none', true);
  perform set_config('realtime.topic', '', true);
  return v_seen;
end;
$$;

-- Send: an insert as the role; RLS refusing it (42501) means the client may not send.
create function pg_temp.can_send(p_claims text, p_topic text)
returns boolean
language plpgsql
as $$
declare
  v_sent boolean;
begin
  perform set_config('role', coalesce(p_claims::jsonb ->> 'role', 'anon'), true);
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('realtime.topic', p_topic, true);
  begin
    insert into realtime.messages (topic, extension, event, payload)
    values (p_topic, 'broadcast', 'ticket_updated', '{"status":"closed"}');
    v_sent := true;
  exception when insufficient_privilege then
    v_sent := false;
  end;
  perform set_config('role', 'none', true);
  perform set_config('realtime.topic', '', true);
  return v_sent;
end;
$$;

-- The policies themselves.
select policies_are('realtime', 'messages', array[
  'Staff receive their organization''s ticket broadcasts',
  'Requesters receive broadcasts of their own tickets'
], 'realtime.messages has exactly the ticket topic policies');
select policy_cmd_is('realtime', 'messages', 'Staff receive their organization''s ticket broadcasts', 'select',
  'the staff policy only lets staff receive');
select policy_cmd_is('realtime', 'messages', 'Requesters receive broadcasts of their own tickets', 'select',
  'the requester policy only lets requesters receive');
select policy_roles_are('realtime', 'messages', 'Staff receive their organization''s ticket broadcasts',
  array['authenticated'], 'the staff policy applies to signed-in users only');
select policy_roles_are('realtime', 'messages', 'Requesters receive broadcasts of their own tickets',
  array['authenticated'], 'the requester policy applies to signed-in users only');

-- org:<id>:tickets
select ok(pg_temp.can_receive(:'agent1', :'acme_topic'), 'an employee receives their organization''s topic');
select ok(pg_temp.can_receive(:'admin', :'acme_topic'), 'an admin receives their organization''s topic');
select ok(not pg_temp.can_receive(:'globex', :'acme_topic'), 'staff of another organization do not receive it');
select ok(not pg_temp.can_receive(:'alice', :'acme_topic'), 'a requester does not receive the organization''s topic');
select ok(not pg_temp.can_receive(:'bob', :'acme_topic'), 'another customer does not receive the organization''s topic');
select ok(not pg_temp.can_receive(:'anon', :'acme_topic'), 'anon does not receive the organization''s topic');
select ok(pg_temp.can_receive(:'globex', :'globex_topic'), 'Globex staff receive Globex''s topic');
select ok(not pg_temp.can_receive(:'agent1', :'globex_topic'), 'Acme staff do not receive Globex''s topic');

select ok(not pg_temp.can_send(:'agent1', :'acme_topic'), 'an employee cannot send on their organization''s topic');
select ok(not pg_temp.can_send(:'admin', :'acme_topic'), 'an admin cannot send on their organization''s topic');
select ok(not pg_temp.can_send(:'globex', :'acme_topic'), 'staff of another organization cannot send on it');
select ok(not pg_temp.can_send(:'alice', :'acme_topic'), 'a requester cannot send on the organization''s topic');
select ok(not pg_temp.can_send(:'bob', :'acme_topic'), 'another customer cannot send on the organization''s topic');
select ok(not pg_temp.can_send(:'anon', :'acme_topic'), 'anon cannot send on the organization''s topic');

-- user:<id>:tickets
select ok(pg_temp.can_receive(:'alice', :'alice_topic'), 'the requester receives their own topic');
select ok(not pg_temp.can_receive(:'bob', :'alice_topic'), 'another customer does not receive it');
select ok(not pg_temp.can_receive(:'agent1', :'alice_topic'), 'staff of the organization do not receive a requester''s topic');
select ok(not pg_temp.can_receive(:'admin', :'alice_topic'), 'an admin does not receive a requester''s topic');
select ok(not pg_temp.can_receive(:'globex', :'alice_topic'), 'staff of another organization do not receive it');
select ok(not pg_temp.can_receive(:'anon', :'alice_topic'), 'anon does not receive a requester''s topic');
select ok(pg_temp.can_receive(:'bob', :'bob_topic'), 'another customer receives their own topic');

select ok(not pg_temp.can_send(:'alice', :'alice_topic'), 'the requester cannot send on their own topic');
select ok(not pg_temp.can_send(:'bob', :'alice_topic'), 'another customer cannot send on it');
select ok(not pg_temp.can_send(:'agent1', :'alice_topic'), 'staff cannot send on a requester''s topic');
select ok(not pg_temp.can_send(:'globex', :'alice_topic'), 'staff of another organization cannot send on it');
select ok(not pg_temp.can_send(:'anon', :'alice_topic'), 'anon cannot send on a requester''s topic');

-- Malformed and look-alike topics match nothing, and never raise.
select ok(not pg_temp.can_receive(:'agent1', 'org:not-a-uuid:tickets'), 'a topic with a malformed id matches nothing');
select ok(not pg_temp.can_receive(:'agent1', 'org:AAAAAAAA-0000-4000-8000-000000000000:tickets'),
  'an organization id in another spelling matches nothing');
select ok(not pg_temp.can_receive(:'agent1', 'org:aaaaaaaa-0000-4000-8000-000000000000:tickets:all'),
  'a topic that only starts like the organization''s matches nothing');
select ok(not pg_temp.can_receive(:'alice', 'user:c0000000-0000-4000-8000-000000000001'),
  'a requester topic without its suffix matches nothing');
select ok(not pg_temp.can_receive(:'agent1', ''), 'an empty topic matches nothing');
select ok(not pg_temp.can_receive('{"role":"authenticated"}', :'alice_topic'), 'a token without a subject receives nothing');

-- Only broadcast: presence on these topics is not allowed.
select ok(not pg_temp.can_receive(:'agent1', :'acme_topic', 'presence'), 'staff get no presence on the organization''s topic');
select ok(not pg_temp.can_receive(:'alice', :'alice_topic', 'presence'), 'the requester gets no presence on their topic');

-- The topic setting never opens rows of another topic.
insert into realtime.messages (topic, extension, event, payload)
values (:'bob_topic', 'broadcast', 'ticket_updated', '{"secret":true}');
set local role authenticated;
set local request.jwt.claims = :'alice';
set local realtime.topic = :'alice_topic';
select is((select count(*)::int from realtime.messages where topic = :'bob_topic'), 0,
  'with their own topic set, the requester still reads nothing of another customer''s topic');
set local request.jwt.claims = :'agent1';
set local realtime.topic = :'acme_topic';
select is((select count(*)::int from realtime.messages where topic <> :'acme_topic'), 0,
  'with the organization''s topic set, staff read only that topic''s messages');
reset role;

-- Realtime's check also runs as anon: it reads nothing and writes nothing, with no error beyond RLS.
set local role anon;
set local request.jwt.claims = :'anon';
set local realtime.topic = :'acme_topic';
select is((select count(*)::int from realtime.messages), 0, 'anon reads no messages at all');
select throws_ok($$insert into realtime.messages (topic, extension) values ('org:aaaaaaaa-0000-4000-8000-000000000000:tickets', 'broadcast')$$,
  '42501', null, 'anon cannot insert a message');
reset role;

-- A session that ended (signed out, revoked, past not_after) opens no channel, live or not.
insert into auth.sessions (id, user_id, created_at, updated_at, aal, not_after) values
  ('d0000000-0000-4000-8000-0000000000a1', 'a0000000-0000-4000-8000-000000000002', now(), now(), 'aal1', null),
  ('d0000000-0000-4000-8000-0000000000a2', 'c0000000-0000-4000-8000-000000000001', now(), now(), 'aal1', now() - interval '1 second');
select ok(pg_temp.can_receive(
    '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated","session_id":"d0000000-0000-4000-8000-0000000000a1"}',
    :'acme_topic'),
  'an employee whose session is live receives their organization''s topic');
select ok(not pg_temp.can_receive(
    '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated","session_id":"d0000000-0000-4000-8000-0000000000a9"}',
    :'acme_topic'),
  'an employee whose session was signed out does not');
select ok(not pg_temp.can_receive(
    '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"d0000000-0000-4000-8000-0000000000a2"}',
    :'alice_topic'),
  'a requester whose session is past not_after does not receive their own topic');
select ok(not pg_temp.can_receive(
    '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated","session_id":"not-a-uuid"}',
    :'alice_topic'),
  'a malformed session id opens nothing');

select * from finish();
rollback;
