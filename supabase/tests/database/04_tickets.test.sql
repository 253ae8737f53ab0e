-- Policies of public.tickets, exercised as every kind of caller.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(27);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

-- Alice submits a ticket to Acme.
set local request.jwt.claims = :'alice';
insert into public.tickets (id, handling_org_id, user_id, subject, description)
values ('eeeeeeee-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000000',
  'c0000000-0000-4000-8000-000000000001', 'Test ticket', 'Something is broken');

-- anon
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.tickets', '42501', null, 'anon cannot read tickets');
select throws_ok($$update public.tickets set subject = 'x'$$, '42501', null, 'anon cannot update tickets');
reset role;

-- requester
set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 1,
  'the requester reads her ticket');
select is((select count(*)::int from public.tickets where user_id <> 'c0000000-0000-4000-8000-000000000001'), 0,
  'the requester reads no one else''s tickets');
update public.tickets set subject = 'Edited by Alice' where id = 'eeeeeeee-0000-4000-8000-000000000001';
select throws_ok(
  $$insert into public.tickets (handling_org_id, user_id, subject) values
    ('aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000002', 'Spoofed')$$,
  '42501', null, 'a user cannot submit a ticket in someone else''s name');
select lives_ok(
  $$insert into public.tickets (handling_org_id, user_id, subject) values
    ('bbbbbbbb-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001', 'Own ticket')$$,
  'a user submits a ticket in her own name');
select throws_ok(
  $$update public.tickets set priority = 'urgent' where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  'PT403', null, 'the requester cannot change the priority directly either');
select throws_ok(
  $$update public.tickets set number = 99 where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  '42501', null, 'the ticket number cannot be written by clients');
select throws_ok(
  $$delete from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  '42501', null, 'the requester cannot delete tickets');
reset role;
select is((select subject from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 'Edited by Alice',
  'the requester''s update of her subject took effect');

-- another customer
set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 0,
  'another customer cannot read the ticket');
update public.tickets set subject = 'Edited by Bob' where id = 'eeeeeeee-0000-4000-8000-000000000001';
reset role;
select is((select subject from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 'Edited by Alice',
  'another customer''s update changes nothing');

-- colleague employee of the handling organization
set local role authenticated;
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 1,
  'an employee reads the organization''s ticket');
select is((select count(*)::int from public.tickets where handling_org_id <> 'aaaaaaaa-0000-4000-8000-000000000000'
  and user_id <> 'a0000000-0000-4000-8000-000000000003'), 0, 'an employee reads no other organization''s tickets');
update public.tickets set priority = 'high' where id = 'eeeeeeee-0000-4000-8000-000000000001';
reset role;
select is((select priority from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 'high',
  'an employee changes the priority');

-- admin of the handling organization
set local role authenticated;
set local request.jwt.claims = :'admin';
select is((select count(*)::int from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 1,
  'the admin reads the organization''s ticket');
update public.tickets set status = 'in_progress' where id = 'eeeeeeee-0000-4000-8000-000000000001';
select throws_ok(
  $$delete from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  '42501', null, 'not even the admin deletes tickets');
reset role;
select is((select status from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 'in_progress',
  'the admin changes the status');

-- employee of another organization
set local role authenticated;
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 0,
  'an employee of another organization cannot read the ticket');
update public.tickets set status = 'closed' where id = 'eeeeeeee-0000-4000-8000-000000000001';
reset role;
select is((select status from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 'in_progress',
  'an employee of another organization changes nothing');

-- every substantive update bumped the version and kept the trail
select is((select version from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 4,
  'three accepted updates moved the version from 1 to 4');
-- a write that changes nothing changes nothing: not the version, not updated_at, no event, no broadcast
create temporary table before_noop as
  select version, updated_at,
    (select count(*) from public.ticket_events e where e.ticket_id = t.id) as events,
    (select count(*) from realtime.messages m where m.payload ->> 'id' = t.id::text) as broadcasts
  from public.tickets t where id = 'eeeeeeee-0000-4000-8000-000000000001';
set local role authenticated;
set local request.jwt.claims = :'alice';
select lives_ok($$update public.tickets set version = 1 where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  'the requester may send a write that names only the version');
select lives_ok($$update public.tickets set subject = subject, version = 99 where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  'and one that repeats the current subject');
set local request.jwt.claims = :'agent1';
select lives_ok($$update public.tickets set status = status where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  'staff may repeat the current status');
reset role;
select results_eq(
  $$select version, updated_at,
      (select count(*) from public.ticket_events e where e.ticket_id = t.id),
      (select count(*) from realtime.messages m where m.payload ->> 'id' = t.id::text)
    from public.tickets t where id = 'eeeeeeee-0000-4000-8000-000000000001'$$,
  $$select version, updated_at, events, broadcasts from before_noop$$,
  'writes that change nothing moved neither version nor updated_at, and recorded and sent nothing');
set local role authenticated;
set local request.jwt.claims = :'alice';
update public.tickets set subject = 'Test ticket, clarified', version = 1
  where id = 'eeeeeeee-0000-4000-8000-000000000001';
reset role;
select is((select version from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'), 5,
  'a real change moves the version by exactly one, whatever the caller wrote to it');

select is((select number from public.tickets where id = 'eeeeeeee-0000-4000-8000-000000000001'),
  (select max(number) from public.tickets where handling_org_id = 'aaaaaaaa-0000-4000-8000-000000000000'),
  'the new ticket got the next number of its organization');

select * from finish();
rollback;
