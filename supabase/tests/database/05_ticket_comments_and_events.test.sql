-- Policies of public.ticket_comments and public.ticket_events: internal ones are staff-only.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(19);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

\set t '''eeeeeeee-0000-4000-8000-000000000021'''
set local request.jwt.claims = :'alice';
insert into public.tickets (id, handling_org_id, user_id, subject)
values ('eeeeeeee-0000-4000-8000-000000000021', 'aaaaaaaa-0000-4000-8000-000000000000',
  'c0000000-0000-4000-8000-000000000001', 'Comment test');
insert into public.ticket_comments (ticket_id, author_id, body) values (:t, 'c0000000-0000-4000-8000-000000000001', 'Public question');
set local request.jwt.claims = :'agent1';
insert into public.ticket_comments (ticket_id, author_id, body, is_internal) values (:t, 'a0000000-0000-4000-8000-000000000002', 'Staff note', true);

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.ticket_comments', '42501', null, 'anon cannot read comments');
select throws_ok('select count(*) from public.ticket_events', '42501', null, 'anon cannot read events');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.ticket_comments where ticket_id = :t), 1, 'the requester reads only the public comment');
select is((select count(*)::int from public.ticket_events where ticket_id = :t and is_internal), 0,
  'the requester reads no internal events');
select is((select count(*)::int from public.ticket_events where ticket_id = :t), 2,
  'the requester reads the created and public comment events');
select throws_ok($$insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
  values ('eeeeeeee-0000-4000-8000-000000000021', 'c0000000-0000-4000-8000-000000000001', 'Sneaky', true)$$,
  '42501', null, 'the requester cannot write an internal comment');
select throws_ok($$insert into public.ticket_comments (ticket_id, author_id, body)
  values ('eeeeeeee-0000-4000-8000-000000000021', 'a0000000-0000-4000-8000-000000000002', 'Impersonation')$$,
  '42501', null, 'nobody comments in someone else''s name');
select throws_ok($$insert into public.ticket_events (ticket_id, kind) values ('eeeeeeee-0000-4000-8000-000000000021', 'created')$$,
  '42501', null, 'clients cannot write events');
select throws_ok($$delete from public.ticket_events where ticket_id = 'eeeeeeee-0000-4000-8000-000000000021'$$,
  '42501', null, 'clients cannot delete events');
reset role;

set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.ticket_comments where ticket_id = :t), 0, 'another customer reads no comments');
select is((select count(*)::int from public.ticket_events where ticket_id = :t), 0, 'another customer reads no events');
select throws_ok($$insert into public.ticket_comments (ticket_id, author_id, body)
  values ('eeeeeeee-0000-4000-8000-000000000021', 'c0000000-0000-4000-8000-000000000002', 'Hi')$$,
  '42501', null, 'another customer cannot comment');
reset role;

set local role authenticated;
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.ticket_comments where ticket_id = :t), 2, 'a colleague reads all comments');
select is((select count(*)::int from public.ticket_events where ticket_id = :t and is_internal), 1,
  'a colleague reads the internal comment event');
select throws_ok($$update public.ticket_events set kind = 'created' where ticket_id = 'eeeeeeee-0000-4000-8000-000000000021'$$,
  '42501', null, 'staff cannot rewrite events');
reset role;

set local role authenticated;
set local request.jwt.claims = :'admin';
select is((select count(*)::int from public.ticket_comments where ticket_id = :t), 2, 'the admin reads all comments');
select lives_ok($$insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
  values ('eeeeeeee-0000-4000-8000-000000000021', 'a0000000-0000-4000-8000-000000000001', 'Admin note', true)$$,
  'the admin writes an internal note');
reset role;

set local role authenticated;
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.ticket_comments where ticket_id = :t), 0, 'staff of another organization read no comments');
select is((select count(*)::int from public.ticket_events where ticket_id = :t), 0, 'staff of another organization read no events');
reset role;

select * from finish();
rollback;
