-- get_ticket only reads; mark_ticket_seen records that the requester has seen the ticket, for the
-- requester only, and list_my_tickets' staff_replied follows it.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(17);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set globex_admin '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}'

\set alice_ticket '''aaaaaaaa-1000-4000-8000-000000000001'''
\set alice_id '''c0000000-0000-4000-8000-000000000001'''

create temporary table r (name text primary key, value jsonb);
grant all on r to authenticated;

-- anon -----------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok($$select public.mark_ticket_seen('aaaaaaaa-1000-4000-8000-000000000001')$$,
  '42501', null, 'anon cannot mark a ticket seen');
reset role;

-- the requester --------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(
  (select jsonb_path_query_array(public.list_my_tickets(null, null, null, 100), '$.items ? (@.id == "aaaaaaaa-1000-4000-8000-000000000001").staff_replied')),
  '[true]'::jsonb, 'before she has seen it, her ticket shows that staff replied');
insert into r select 'seen', public.mark_ticket_seen(:alice_ticket);
select is((select value from r where name = 'seen'),
  jsonb_build_object('ticket_id', :alice_ticket, 'seen_at', now()), 'mark_ticket_seen answers the ticket and when she saw it');
select is(
  (select jsonb_path_query_array(public.list_my_tickets(null, null, null, 100), '$.items ? (@.id == "aaaaaaaa-1000-4000-8000-000000000001").staff_replied')),
  '[false]'::jsonb, 'once seen, no staff reply is new');
select is((public.mark_ticket_seen(:alice_ticket) ->> 'seen_at')::timestamptz, now(), 'marking it seen again moves the time');
reset role;
select is((select array_agg(user_id::text || ' ' || (seen_at = now())) from public.ticket_views where ticket_id = :alice_ticket),
  array['c0000000-0000-4000-8000-000000000001 true'], 'one view was recorded, the requester''s');

-- everyone else --------------------------------------------------------------------------------
update public.ticket_views set seen_at = '2000-01-01' where ticket_id = :alice_ticket;
set local role authenticated;
set local request.jwt.claims = :'agent1';
select is(public.mark_ticket_seen(:alice_ticket), jsonb_build_object('ticket_id', :alice_ticket, 'seen_at', null),
  'staff of the organization may mark it, but nothing is recorded');
set local request.jwt.claims = :'admin';
select is((public.mark_ticket_seen(:alice_ticket) -> 'seen_at'), 'null'::jsonb, 'the admin records nothing either');
set local request.jwt.claims = :'bob';
select throws_ok($$select public.mark_ticket_seen('aaaaaaaa-1000-4000-8000-000000000001')$$,
  'PT404', null, 'another customer does not find the ticket');
set local request.jwt.claims = :'globex';
select throws_ok($$select public.mark_ticket_seen('aaaaaaaa-1000-4000-8000-000000000001')$$,
  'PT404', null, 'an employee of another organization does not find the ticket');
set local request.jwt.claims = :'globex_admin';
select throws_ok($$select public.mark_ticket_seen('aaaaaaaa-1000-4000-8000-000000000001')$$,
  'PT404', null, 'the admin of another organization does not find the ticket');
select throws_ok($$select public.mark_ticket_seen('aaaaaaaa-1000-4000-8000-00000000ffff')$$,
  'PT404', null, 'a ticket that does not exist is not found');
reset role;
select is(
  (select array_agg(user_id::text || ' ' || seen_at::date) from public.ticket_views where ticket_id = :alice_ticket),
  array['c0000000-0000-4000-8000-000000000001 2000-01-01'], 'staff and outsiders recorded and changed no view');

-- get_ticket is read-only (last: a transaction cannot go back to read-write) ----------------------
select is((select provolatile from pg_proc where oid = 'public.get_ticket(uuid)'::regprocedure), 's',
  'get_ticket is stable, so PostgREST may run it in a read-only transaction');
set local role authenticated;
set local request.jwt.claims = :'alice';
set local transaction_read_only = on;
select is((public.get_ticket(:alice_ticket) ->> 'id'), 'aaaaaaaa-1000-4000-8000-000000000001',
  'the requester reads her ticket in a read-only transaction');
reset role;
select is((select seen_at::date from public.ticket_views where ticket_id = :alice_ticket), '2000-01-01'::date,
  'reading the ticket recorded no view');
set local role authenticated;
set local request.jwt.claims = :'bob';
select throws_ok($$select public.get_ticket('aaaaaaaa-1000-4000-8000-000000000001')$$,
  'PT404', null, 'another customer does not find the ticket');
reset role;

select * from finish();
rollback;
