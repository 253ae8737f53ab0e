-- Policies of public.organizations and public.organization_members.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(16);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
insert into auth.users (id, aud, role, email) values
  ('dddddddd-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'newhire@acme.test');

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.organizations', '42501', null, 'anon cannot read organizations');
select throws_ok('select count(*) from public.organization_members', '42501', null, 'anon cannot read memberships');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.organizations where slug in ('acme', 'globex')), 2,
  'a customer reads the organizations she may submit tickets to');
select is((select count(*)::int from public.organization_members), 0, 'a customer reads no memberships');
update public.organizations set name = 'Alice Corp' where id = :acme;
select throws_ok($$insert into public.organization_members (organization_id, user_id, role)
  values ('aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001', 'admin')$$,
  '42501', null, 'a customer cannot make herself a member');
reset role;
select is((select name from public.organizations where id = :acme), 'Acme Support', 'a customer cannot rename an organization');

set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.organization_members), 0, 'another customer reads no memberships');
reset role;

set local role authenticated;
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.organization_members), 3, 'an employee reads the memberships of his organization only');
update public.organizations set name = 'Agent Corp' where id = :acme;
select throws_ok($$insert into public.organization_members (organization_id, user_id, role)
  values ('aaaaaaaa-0000-4000-8000-000000000000', 'dddddddd-0000-4000-8000-000000000001', 'employee')$$,
  '42501', null, 'an employee cannot add members');
update public.organization_members set role = 'admin' where user_id = 'a0000000-0000-4000-8000-000000000003';
reset role;
select is((select name from public.organizations where id = :acme), 'Acme Support', 'an employee cannot rename the organization');
select is((select role from public.organization_members where user_id = 'a0000000-0000-4000-8000-000000000003'), 'employee',
  'an employee cannot promote himself');

set local role authenticated;
set local request.jwt.claims = :'admin';
update public.organizations set name = 'Acme Support Inc' where id = :acme;
select throws_ok($$insert into public.organization_members (organization_id, user_id, role)
  values ('aaaaaaaa-0000-4000-8000-000000000000', 'dddddddd-0000-4000-8000-000000000001', 'employee')$$,
  '42501', null, 'not even the admin adds a member directly: staff join by accepting an invitation');
delete from public.organization_members where user_id = 'a0000000-0000-4000-8000-000000000003';
reset role;
select is((select name from public.organizations where id = :acme), 'Acme Support Inc', 'the admin renames the organization');
select is((select count(*)::int from public.organization_members where organization_id = :acme), 2,
  'the admin removed a member');

set local role authenticated;
set local request.jwt.claims = :'globex';
select throws_ok($$insert into public.organization_members (organization_id, user_id, role)
  values ('aaaaaaaa-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000002', 'admin')$$,
  '42501', null, 'an employee of another organization cannot join Acme');
delete from public.organization_members where organization_id = 'aaaaaaaa-0000-4000-8000-000000000000';
reset role;
select is((select count(*)::int from public.organization_members where organization_id = :acme), 2,
  'an employee of another organization removes nobody');

select * from finish();
rollback;
