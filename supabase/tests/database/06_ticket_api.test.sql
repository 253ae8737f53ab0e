-- create_ticket, update_ticket, add_comment, get_ticket and ticket_stats as their callers see them.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(28);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
create temporary table r (name text primary key, value jsonb);
grant all on r to authenticated;

set local role authenticated;
set local request.jwt.claims = :'alice';
insert into r select 'first', public.create_ticket(:acme, '  Broken printer  ', 'It jams', 'high', 'key-1', 'hash-1');
insert into r select 'replay', public.create_ticket(:acme, 'Broken printer', 'It jams', 'high', 'key-1', 'hash-1');
select is((select value -> 'replayed' from r where name = 'first'), 'false'::jsonb, 'a new request is not a replay');
select is((select value -> 'ticket' -> 'subject' from r where name = 'first'), '"Broken printer"'::jsonb, 'the subject is stored trimmed');
select is((select value -> 'ticket' ->> 'status' from r where name = 'first'), 'open', 'a new ticket is open');
select is((select value -> 'replayed' from r where name = 'replay'), 'true'::jsonb, 'the same key and hash replay');
select is((select value -> 'ticket' from r where name = 'replay'), (select value -> 'ticket' from r where name = 'first'),
  'the replay returns the original ticket');
select is((select count(*)::int from public.tickets where subject = 'Broken printer'), 1, 'the replay created nothing');
select throws_ok($$select public.create_ticket('aaaaaaaa-0000-4000-8000-000000000000', 'Other', '', 'low', 'key-1', 'hash-2')$$,
  'PT422', 'Idempotency key was already used with a different request', 'a reused key with another request is refused');
select throws_ok($$select public.create_ticket('aaaaaaaa-0000-4000-8000-00000000ffff', 'Nowhere', '')$$,
  'PT404', null, 'an unknown organization is not found');
select throws_ok($$select public.create_ticket('aaaaaaaa-0000-4000-8000-000000000000', '   ', '')$$,
  'PT422', null, 'a blank subject is refused');
select throws_ok($$select public.create_ticket('aaaaaaaa-0000-4000-8000-000000000000', 'x', '', 'critical')$$,
  'PT422', null, 'an unknown priority is refused');
insert into r select 'globex', public.create_ticket('bbbbbbbb-0000-4000-8000-000000000000', 'Globex one', '');
reset role;
select is(((select value -> 'ticket' ->> 'number' from r where name = 'first')::int),
  (select count(*)::int from public.tickets where handling_org_id = :acme), 'Acme tickets are numbered 1..n');
select is(((select value -> 'ticket' ->> 'number' from r where name = 'globex')::int),
  (select count(*)::int from public.tickets where handling_org_id = 'bbbbbbbb-0000-4000-8000-000000000000'),
  'Globex numbers its tickets separately');

-- update_ticket as the requester
set local role authenticated;
set local request.jwt.claims = :'alice';
select throws_ok(format($$select public.update_ticket(%L, 1, '{"priority":"low"}')$$, (select value -> 'ticket' ->> 'id' from r where name = 'first')),
  'PT403', null, 'the requester may not change the priority');
select throws_ok(format($$select public.update_ticket(%L, 1, '{"status":"in_progress"}')$$, (select value -> 'ticket' ->> 'id' from r where name = 'first')),
  'PT403', null, 'the requester may not move the ticket into progress');
select throws_ok(format($$select public.update_ticket(%L, 1, '{"colour":"red"}')$$, (select value -> 'ticket' ->> 'id' from r where name = 'first')),
  'PT422', null, 'an unknown field is refused');
insert into r select 'closed', public.update_ticket((select (value -> 'ticket' ->> 'id')::uuid from r where name = 'first'), 1, '{"status":"closed"}');
select is((select value ->> 'version' from r where name = 'closed'), '2', 'an update moves the version on');
select isnt((select value ->> 'closed_at' from r where name = 'closed'), null, 'closing sets closed_at');
select throws_ok(format($$select public.update_ticket(%L, 1, '{"subject":"Stale"}')$$, (select value -> 'ticket' ->> 'id' from r where name = 'first')),
  'PT409', null, 'a stale version is a conflict');
reset role;

-- update_ticket and comments as staff
set local role authenticated;
set local request.jwt.claims = :'agent1';
select throws_ok(format($$select public.update_ticket(%L, 2, '{"assigned_employee_id":"c0000000-0000-4000-8000-000000000001"}')$$,
  (select value -> 'ticket' ->> 'id' from r where name = 'first')), 'PT422', null, 'only staff can be assigned');
select throws_ok(format($$select public.update_ticket(%L, 2, '{"assigned_team_id":"aaaaaaaa-0000-4000-8000-0000000000b2","assigned_employee_id":"a0000000-0000-4000-8000-000000000002"}')$$,
  (select value -> 'ticket' ->> 'id' from r where name = 'first')), 'PT422', null, 'the assignee must be on the assigned team');
insert into r select 'reopened', public.update_ticket((select (value -> 'ticket' ->> 'id')::uuid from r where name = 'first'), 2,
  '{"status":"in_progress","priority":"urgent","assigned_team_id":"aaaaaaaa-0000-4000-8000-0000000000b1","assigned_employee_id":"a0000000-0000-4000-8000-000000000002"}');
select is((select value ->> 'closed_at' from r where name = 'reopened'), null, 'reopening clears closed_at');
insert into r select 'note', public.add_comment((select (value -> 'ticket' ->> 'id')::uuid from r where name = 'first'), 'Checked the logs', true);
select is((select value -> 'is_internal' from r where name = 'note'), 'true'::jsonb, 'staff add internal notes');
insert into r select 'stats', public.ticket_stats(:acme);
reset role;
select is((select value -> 'total' from r where name = 'stats'), to_jsonb((select count(*) from public.tickets where handling_org_id = :acme)),
  'ticket_stats counts every ticket of the organization');

-- what the requester sees
set local role authenticated;
set local request.jwt.claims = :'alice';
select throws_ok(format($$select public.add_comment(%L, 'psst', true)$$, (select value -> 'ticket' ->> 'id' from r where name = 'first')),
  'PT403', null, 'a requester cannot add internal notes');
insert into r select 'view', public.get_ticket((select (value -> 'ticket' ->> 'id')::uuid from r where name = 'first'));
select is((select jsonb_array_length(value -> 'comments') from r where name = 'view'), 0, 'the requester does not see the internal note');
select is((select value -> 'team' ->> 'name' from r where name = 'view'), 'Billing', 'the requester sees the team name');
select is(
  (select array_agg(e ->> 'kind' order by (e ->> 'id')::bigint) from r, jsonb_array_elements(value -> 'events') e where name = 'view'),
  array['created', 'status_changed', 'status_changed', 'priority_changed', 'assignment_changed'],
  'the requester sees the public events, written by the triggers, oldest first');
select is((public.ticket_stats('aaaaaaaa-0000-4000-8000-000000000000') ->> 'total')::int,
  jsonb_array_length(public.list_tickets(org_id => 'aaaaaaaa-0000-4000-8000-000000000000', "limit" => 100) -> 'items'),
  'a customer''s stats count the tickets list_tickets lists to her: her own');
reset role;

select * from finish();
rollback;
