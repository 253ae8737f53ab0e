-- Policies of public.profiles: people see those they work with, and edit only themselves.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(14);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

set local request.jwt.claims = :'bob';
insert into public.tickets (id, handling_org_id, user_id, subject)
values ('eeeeeeee-0000-4000-8000-000000000011', 'bbbbbbbb-0000-4000-8000-000000000000',
  'c0000000-0000-4000-8000-000000000002', 'Profile test');

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.profiles', '42501', null, 'anon cannot read profiles');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.profiles where id = 'c0000000-0000-4000-8000-000000000002'), 0,
  'a customer cannot read another customer''s profile');
select is((select count(*)::int from public.profiles where id = 'a0000000-0000-4000-8000-000000000002'), 1,
  'a requester reads the profile of the employee assigned to her ticket');
select is((select count(*)::int from public.profiles where id = 'b0000000-0000-4000-8000-000000000001'), 0,
  'a requester cannot read staff who never worked her tickets');
update public.profiles set display_name = 'Alice Liddell' where id = 'c0000000-0000-4000-8000-000000000001';
update public.profiles set display_name = 'Hacked' where id = 'a0000000-0000-4000-8000-000000000002';
select lives_ok($$select * from public.profiles$$,
  'every column of profiles is readable: nothing private is kept there');
select is((select count(*)::int from public.profiles where id = 'a0000000-0000-4000-8000-000000000002'), 1,
  'the assignee''s profile is still readable after the failed update');
select hasnt_column('public', 'profiles', 'email', 'profiles keeps no email address: Auth has it');
reset role;
select is((select display_name from public.profiles where id = 'c0000000-0000-4000-8000-000000000001'), 'Alice Liddell',
  'a user updates her own display name');
select is((select display_name from public.profiles where id = 'a0000000-0000-4000-8000-000000000002'), 'Arthur Agent',
  'a user cannot update someone else''s profile');

set local role authenticated;
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.profiles where id = 'a0000000-0000-4000-8000-000000000001'), 1,
  'an employee reads a co-member''s profile');
select is((select count(*)::int from public.profiles where id = 'c0000000-0000-4000-8000-000000000001'), 1,
  'an employee reads the profile of a requester of the organization');
select is((select count(*)::int from public.profiles where id = 'b0000000-0000-4000-8000-000000000002'), 0,
  'an employee cannot read staff of another organization');
reset role;

set local role authenticated;
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.profiles where id = 'c0000000-0000-4000-8000-000000000002'), 1,
  'an employee reads the profile of a customer who wrote to the organization');
select is((select count(*)::int from public.profiles where id = 'a0000000-0000-4000-8000-000000000001'), 0,
  'an employee of another organization cannot read Acme staff');
reset role;

select * from finish();
rollback;
