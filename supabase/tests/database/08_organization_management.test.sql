-- Self-service organizations: who may create, read and change them, the last-admin guard, the
-- admin-only API functions, and deleting a team on the record.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(43);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set globex_admin '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set alice_id '''c0000000-0000-4000-8000-000000000001'''
\set bob_id '''c0000000-0000-4000-8000-000000000002'''
\set escalations '''aaaaaaaa-0000-4000-8000-0000000000e1'''
\set export_ticket '''aaaaaaaa-1000-4000-8000-000000000003'''
create temporary table r (name text primary key, value jsonb);
grant all on r to authenticated;

-- anon ---------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.organizations', '42501', null, 'anon cannot read organizations');
select throws_ok($$insert into public.organizations (name, slug) values ('Anon Inc', 'anon-inc')$$,
  '42501', null, 'anon cannot create an organization');
select throws_ok($$select public.create_organization('Anon Inc', 'anon-inc')$$,
  '42501', null, 'anon cannot call create_organization');
reset role;

-- a customer creates an organization and becomes its admin -----------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select lives_ok($$insert into public.organizations (name, slug) values ('Alice Labs', 'alice-labs')$$,
  'a signed-in customer creates an organization');
select throws_ok(
  $$insert into public.organizations (name, slug, created_by)
    values ('Bob Labs', 'bob-labs', 'c0000000-0000-4000-8000-000000000002')$$,
  '42501', null, 'nobody creates an organization in someone else''s name');
select throws_ok($$insert into public.organizations (name, slug) values ('Acme again', 'acme')$$,
  '23505', null, 'a slug that is taken cannot be used again');
select is((select count(*)::int from public.organizations where slug = 'alice-labs'), 1,
  'the creator reads her new organization');
reset role;
select is(
  (select m.role from public.organization_members m join public.organizations o on o.id = m.organization_id
   where o.slug = 'alice-labs' and m.user_id = :alice_id),
  'admin', 'the creator became the admin of her organization');
select is((select created_by from public.organizations where slug = 'alice-labs'), :alice_id::uuid,
  'the organization records who created it');
select is((select count(*)::int from public.organizations where slug = 'bob-labs'), 0,
  'the spoofed organization was not created');

-- who reads an organization ----------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.organizations where slug = 'alice-labs'), 1,
  'another customer reads a public organization, to submit to it');
reset role;
update public.organizations set customer_access = 'invite' where slug = 'alice-labs';
set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.organizations where slug = 'alice-labs'), 0,
  'another customer cannot read an invite-only organization he was not invited to');
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.organizations where slug = 'alice-labs'), 0,
  'an employee of another organization cannot read an invite-only organization');
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.organizations where slug = 'alice-labs'), 1,
  'its admin still reads her invite-only organization');
reset role;

-- who changes an organization --------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'bob';
update public.organizations set name = 'Bob took over' where id = :acme;
set local request.jwt.claims = :'agent2';
update public.organizations set customer_access = 'invite', name = 'Agnes Corp' where id = :acme;
set local request.jwt.claims = :'globex_admin';
update public.organizations set name = 'Globex owns this' where id = :acme;
reset role;
select is((select name || ' / ' || customer_access from public.organizations where id = :acme), 'Acme Support / public',
  'a customer, an employee and the admin of another organization change nothing');

set local role authenticated;
set local request.jwt.claims = :'admin';
update public.organizations set name = 'Acme Support Inc', verified_domains = '{acme.test}' where id = :acme;
select throws_ok($$update public.organizations set created_by = 'a0000000-0000-4000-8000-000000000002'
  where id = 'aaaaaaaa-0000-4000-8000-000000000000'$$,
  '42501', null, 'not even the admin rewrites who created the organization');
select throws_ok($$update public.organizations set customer_access = 'everyone'
  where id = 'aaaaaaaa-0000-4000-8000-000000000000'$$,
  '23514', null, 'customer_access is one of public, domain and invite');
select throws_ok($$update public.organizations set verified_domains = '{"Not A Domain"}'
  where id = 'aaaaaaaa-0000-4000-8000-000000000000'$$,
  '23514', null, 'verified_domains holds lowercase domain names only');
reset role;
select is((select name || ' / ' || verified_domains::text from public.organizations where id = :acme), 'Acme Support Inc / {acme.test}',
  'the admin renames the organization and sets its domains');

-- the admin-only API functions refuse everyone else ----------------------------------------
set local role authenticated;
set local request.jwt.claims = :'agent2';
select throws_ok($$select public.update_organization('aaaaaaaa-0000-4000-8000-000000000000', '{"name":"x"}')$$,
  'PT403', null, 'an employee of the organization is forbidden to update it');
set local request.jwt.claims = :'alice';
select throws_ok($$select public.remove_member('aaaaaaaa-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000002')$$,
  'PT404', null, 'a customer who can see the organization does not find it to remove its members');
set local request.jwt.claims = :'globex_admin';
select throws_ok(
  $$select public.update_organization((select id from public.organizations where slug = 'alice-labs'), '{"name":"x"}')$$,
  'PT404', null, 'the admin of another organization does not find an organization it cannot see');
set local request.jwt.claims = :'bob';
select throws_ok(
  $$select public.update_organization((select id from public.organizations where slug = 'alice-labs'), '{"name":"x"}')$$,
  'PT404', null, 'a customer does not find an invite-only organization he was not invited to');
set local request.jwt.claims = :'admin';
select throws_ok($$select public.update_organization('aaaaaaaa-0000-4000-8000-000000000000', '{"slug":"acme2"}')$$,
  'PT422', null, 'the slug cannot be changed through update_organization');
reset role;
select is((select count(*)::int from public.organization_members
  where organization_id = :acme and user_id = 'a0000000-0000-4000-8000-000000000002'), 1,
  'the refused removal left the employee in place');

-- the last admin stays ---------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select throws_ok($$delete from public.organization_members where user_id = 'c0000000-0000-4000-8000-000000000001'
  and organization_id = (select id from public.organizations where slug = 'alice-labs')$$,
  'PT409', null, 'the only admin cannot leave her organization');
select throws_ok($$update public.organization_members set role = 'employee' where user_id = 'c0000000-0000-4000-8000-000000000001'
  and organization_id = (select id from public.organizations where slug = 'alice-labs')$$,
  'PT409', null, 'the only admin cannot step down');
insert into r select 'bob', public.invite_member((select id from public.organizations where slug = 'alice-labs'),
  'bob@example.test', 'employee');
set local request.jwt.claims = :'bob';
select is((public.accept_invitation((select (value ->> 'id')::uuid from r where name = 'bob')) ->> 'role'), 'employee',
  'the admin invites a customer, who accepts and joins as an employee');
set local request.jwt.claims = :'alice';
select throws_ok($$update public.organization_members set role = 'employee' where user_id = 'c0000000-0000-4000-8000-000000000001'
  and organization_id = (select id from public.organizations where slug = 'alice-labs')$$,
  'PT409', null, 'an employee does not count: the only admin still cannot step down');
select lives_ok($$update public.organization_members set role = 'admin' where user_id = 'c0000000-0000-4000-8000-000000000002'
  and organization_id = (select id from public.organizations where slug = 'alice-labs')$$,
  'the admin promotes the employee');
select lives_ok($$update public.organization_members set role = 'employee' where user_id = 'c0000000-0000-4000-8000-000000000001'
  and organization_id = (select id from public.organizations where slug = 'alice-labs')$$,
  'with a second admin, the first may step down');
set local request.jwt.claims = :'bob';
select throws_ok($$select public.remove_member((select id from public.organizations where slug = 'alice-labs'),
  'c0000000-0000-4000-8000-000000000002')$$,
  'PT409', null, 'the new only admin cannot remove himself through remove_member either');
select lives_ok($$select public.remove_member((select id from public.organizations where slug = 'alice-labs'),
  'c0000000-0000-4000-8000-000000000001')$$,
  'the admin removes the former admin');
reset role;
select is(
  (select array_agg(m.user_id::text || ':' || m.role) from public.organization_members m
   join public.organizations o on o.id = m.organization_id where o.slug = 'alice-labs'),
  array['c0000000-0000-4000-8000-000000000002:admin'],
  'the organization is left with exactly its one admin');

-- deleting a team unassigns its tickets, on the record -------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into public.teams (id, organization_id, name) values (:escalations, :acme, 'Escalations');
update public.tickets set assigned_team_id = :escalations where id = :export_ticket;
set local request.jwt.claims = :'agent2';
select throws_ok($$select public.delete_team('aaaaaaaa-0000-4000-8000-0000000000e1')$$,
  'PT403', null, 'an employee is forbidden to delete a team');
set local request.jwt.claims = :'globex_admin';
select throws_ok($$select public.delete_team('aaaaaaaa-0000-4000-8000-0000000000e1')$$,
  'PT404', null, 'the admin of another organization does not find the team');
set local request.jwt.claims = :'admin';
select is((public.delete_team(:escalations) ->> 'unassigned_tickets')::int, 1,
  'deleting the team reports the one ticket it unassigned');
reset role;
select is((select count(*)::int from public.teams where id = :escalations), 0, 'the team is gone');
select is((select assigned_team_id from public.tickets where id = :export_ticket), null::uuid,
  'the ticket lost its team');
select is(
  (select count(*)::int from public.ticket_events e
   where e.ticket_id = :export_ticket and e.kind = 'assignment_changed'
     and e.old_value ->> 'team_id' = 'aaaaaaaa-0000-4000-8000-0000000000e1'
     and e.old_value ->> 'team_name' = 'Escalations'
     and e.new_value -> 'team_id' = 'null'::jsonb
     and e.actor_id = 'a0000000-0000-4000-8000-000000000001'
     and not e.is_internal),
  1, 'the history records the unassignment, by the admin, with the old team''s name');
set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.ticket_events e
  where e.ticket_id = :export_ticket and e.kind = 'assignment_changed' and e.old_value ->> 'team_name' = 'Escalations'),
  1, 'the requester reads the unassignment in her ticket''s history');
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.ticket_events e where e.ticket_id = :export_ticket), 0,
  'another customer reads none of that history');
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.ticket_events e where e.ticket_id = :export_ticket), 0,
  'an employee of another organization reads none of that history');
reset role;

select * from finish();
rollback;
