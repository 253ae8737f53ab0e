-- Policies of public.teams and public.team_members; team members must be staff of the organization.
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

\set billing '''aaaaaaaa-0000-4000-8000-0000000000b1'''

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.teams', '42501', null, 'anon cannot read teams');
select throws_ok('select count(*) from public.team_members', '42501', null, 'anon cannot read team members');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.teams where id = :billing), 1,
  'a requester reads the team assigned to her ticket');
select is((select count(*)::int from public.team_members), 0, 'a requester reads no team memberships');
reset role;

set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.teams where name = 'Technical'), 1,
  'a requester reads the team assigned to his ticket');
select throws_ok($$insert into public.teams (organization_id, name) values ('aaaaaaaa-0000-4000-8000-000000000000', 'Bob team')$$,
  '42501', null, 'a customer cannot create teams');
reset role;

set local role authenticated;
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.team_members), 2, 'an employee reads his organization''s team memberships');
select throws_ok($$insert into public.team_members (team_id, user_id) values ('aaaaaaaa-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000003')$$,
  '42501', null, 'an employee cannot join a team himself');
reset role;

set local role authenticated;
set local request.jwt.claims = :'admin';
select lives_ok($$insert into public.teams (id, organization_id, name) values ('aaaaaaaa-0000-4000-8000-0000000000b3', 'aaaaaaaa-0000-4000-8000-000000000000', 'Sales')$$,
  'the admin creates a team');
select lives_ok($$insert into public.team_members (team_id, user_id) values ('aaaaaaaa-0000-4000-8000-0000000000b3', 'a0000000-0000-4000-8000-000000000003')$$,
  'the admin puts an employee on a team');
select throws_ok($$insert into public.team_members (team_id, user_id) values ('aaaaaaaa-0000-4000-8000-0000000000b3', 'c0000000-0000-4000-8000-000000000001')$$,
  '23503', null, 'a customer cannot be put on a team: members must be staff of the organization');
select throws_ok($$insert into public.team_members (team_id, user_id) values ('aaaaaaaa-0000-4000-8000-0000000000b3', 'b0000000-0000-4000-8000-000000000002')$$,
  '23503', null, 'staff of another organization cannot be put on the team');
reset role;

set local role authenticated;
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.teams), 0, 'an employee of another organization reads none of Acme''s teams');
delete from public.teams where id = 'aaaaaaaa-0000-4000-8000-0000000000b1';
reset role;
select is((select count(*)::int from public.teams where id = :billing), 1, 'an employee of another organization deletes no team');

select * from finish();
rollback;
