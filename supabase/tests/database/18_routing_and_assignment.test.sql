-- Routing and assignment in the database: who reads and changes rules, team settings, capacities
-- and availability (anon, a requester, a colleague employee, another organization's staff, the
-- admin); how a new ticket is routed (first rule by position, every given condition, keywords as
-- listTickets' search finds them, requester domains, set_priority, the default team); how teams
-- assign (round robin, least loaded, capacity, availability, the queue, claiming, manual
-- assignment); and what the history says about it, to staff and to the requester.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(141);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set carol '{"sub":"c0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set dave '{"sub":"c0000000-0000-4000-8000-000000000004","role":"authenticated"}'
\set eve '{"sub":"c0000000-0000-4000-8000-000000000005","role":"authenticated"}'
\set frank '{"sub":"c0000000-0000-4000-8000-000000000006","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set globex_admin '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set q1 '{"sub":"a0000000-0000-4000-8000-000000000011","role":"authenticated"}'
\set q2 '{"sub":"a0000000-0000-4000-8000-000000000012","role":"authenticated"}'
\set r2 '{"sub":"a0000000-0000-4000-8000-000000000022","role":"authenticated"}'
\set r3 '{"sub":"a0000000-0000-4000-8000-000000000023","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set globex_org '''bbbbbbbb-0000-4000-8000-000000000000'''
\set alice_id '''c0000000-0000-4000-8000-000000000001'''
\set admin_id '''a0000000-0000-4000-8000-000000000001'''
\set q1_id '''a0000000-0000-4000-8000-000000000011'''
\set q2_id '''a0000000-0000-4000-8000-000000000012'''
\set r1_id '''a0000000-0000-4000-8000-000000000021'''
\set l1_id '''a0000000-0000-4000-8000-000000000031'''
\set l2_id '''a0000000-0000-4000-8000-000000000032'''

-- Teams: two manual ones rules route to, one per automatic strategy, the queue's, and Globex's.
\set billing '''aaaaaaaa-0000-4000-8000-0000000000b1'''
\set team_a '''aaaaaaaa-0000-4000-8000-0000000000c1'''
\set team_b '''aaaaaaaa-0000-4000-8000-0000000000c2'''
\set rr '''aaaaaaaa-0000-4000-8000-0000000000d1'''
\set ll '''aaaaaaaa-0000-4000-8000-0000000000d2'''
\set queue '''aaaaaaaa-0000-4000-8000-0000000000d3'''
\set globex_team '''bbbbbbbb-0000-4000-8000-0000000000d9'''

-- Tickets the test submits, by fixed id so that ties in the queue end the same way every run.
\set t_urgent_invoice '''aaaaaaaa-3000-4000-8000-000000000001'''
\set t_low_invoice '''aaaaaaaa-3000-4000-8000-000000000002'''
\set t_no_rule '''aaaaaaaa-3000-4000-8000-000000000003'''
\set t_carol_low '''aaaaaaaa-3000-4000-8000-000000000004'''
\set t_dave '''aaaaaaaa-3000-4000-8000-000000000005'''
\set t_eve '''aaaaaaaa-3000-4000-8000-000000000006'''
\set t_carol_urgent '''aaaaaaaa-3000-4000-8000-000000000007'''
\set t_carol_invoice '''aaaaaaaa-3000-4000-8000-000000000008'''
\set t_carol_reordered '''aaaaaaaa-3000-4000-8000-000000000009'''
\set t_eve_no_default '''aaaaaaaa-3000-4000-8000-000000000010'''
\set t_frank '''aaaaaaaa-3000-4000-8000-000000000011'''
\set ll1 '''aaaaaaaa-5000-4000-8000-000000000001'''
\set ll2 '''aaaaaaaa-5000-4000-8000-000000000002'''
\set ll3 '''aaaaaaaa-5000-4000-8000-000000000003'''
\set ll4 '''aaaaaaaa-5000-4000-8000-000000000004'''
\set ll5 '''aaaaaaaa-5000-4000-8000-000000000005'''
\set qa '''aaaaaaaa-6000-4000-8000-0000000000a1'''
\set qb '''aaaaaaaa-6000-4000-8000-0000000000a2'''
\set qc '''aaaaaaaa-6000-4000-8000-0000000000a3'''
\set qd '''aaaaaaaa-6000-4000-8000-0000000000a4'''
\set qe '''aaaaaaaa-6000-4000-8000-0000000000a5'''
\set qf '''aaaaaaaa-6000-4000-8000-0000000000a6'''
\set qg '''aaaaaaaa-6000-4000-8000-0000000000a7'''
\set qh '''aaaaaaaa-6000-4000-8000-0000000000a8'''

-- Start from no routing at all, whatever the seed sets up: no rules, every team manual, no default.
delete from public.routing_rules;
update public.team_assignment_settings set strategy = 'manual', default_capacity = 10, requeue_when_away = false, is_default = false;

-- People: staff of Acme for the automatic teams, and requesters at example.com, a subdomain of
-- it, a lookalike domain, and in capitals.
insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data) values
  ('a0000000-0000-4000-8000-000000000011', 'authenticated', 'authenticated', 'quinn@acme.test', now(), '{"display_name":"Quinn Ames"}'),
  ('a0000000-0000-4000-8000-000000000012', 'authenticated', 'authenticated', 'quentin@acme.test', now(), '{"display_name":"Quinn Baker"}'),
  ('a0000000-0000-4000-8000-000000000021', 'authenticated', 'authenticated', 'rita@acme.test', now(), '{"display_name":"Rita"}'),
  ('a0000000-0000-4000-8000-000000000022', 'authenticated', 'authenticated', 'rob@acme.test', now(), '{"display_name":"Rob"}'),
  ('a0000000-0000-4000-8000-000000000023', 'authenticated', 'authenticated', 'ruth@acme.test', now(), '{"display_name":"Ruth"}'),
  ('a0000000-0000-4000-8000-000000000031', 'authenticated', 'authenticated', 'lena@acme.test', now(), '{"display_name":"Lena"}'),
  ('a0000000-0000-4000-8000-000000000032', 'authenticated', 'authenticated', 'leo@acme.test', now(), '{"display_name":"Leo"}'),
  ('c0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'carol@example.com', now(), '{}'),
  ('c0000000-0000-4000-8000-000000000004', 'authenticated', 'authenticated', 'dave@eu.example.com', now(), '{}'),
  ('c0000000-0000-4000-8000-000000000005', 'authenticated', 'authenticated', 'eve@badexample.com', now(), '{}'),
  ('c0000000-0000-4000-8000-000000000006', 'authenticated', 'authenticated', 'Frank@Mail.Example.COM', now(), '{}');
insert into public.organization_members (organization_id, user_id, role)
select :acme, u, 'employee' from unnest(array[
  'a0000000-0000-4000-8000-000000000011', 'a0000000-0000-4000-8000-000000000012', 'a0000000-0000-4000-8000-000000000021',
  'a0000000-0000-4000-8000-000000000022', 'a0000000-0000-4000-8000-000000000023', 'a0000000-0000-4000-8000-000000000031',
  'a0000000-0000-4000-8000-000000000032']::uuid[]) u;
insert into public.teams (id, organization_id, name) values
  (:team_a, :acme, 'Routing A'), (:team_b, :acme, 'Routing B'), (:rr, :acme, 'Round Robin'),
  (:ll, :acme, 'Least Loaded'), (:queue, :acme, 'Queue'), (:globex_team, :globex_org, 'Globex Desk');
insert into public.team_members (team_id, user_id) values
  (:rr, 'a0000000-0000-4000-8000-000000000021'), (:rr, 'a0000000-0000-4000-8000-000000000022'),
  (:rr, 'a0000000-0000-4000-8000-000000000023'),
  (:ll, 'a0000000-0000-4000-8000-000000000031'), (:ll, 'a0000000-0000-4000-8000-000000000032'),
  (:queue, 'a0000000-0000-4000-8000-000000000011'), (:queue, 'a0000000-0000-4000-8000-000000000012'),
  (:globex_team, 'b0000000-0000-4000-8000-000000000002');

-- Rules by name, as the API returned them.
create temporary table rule (name text primary key, id uuid, value jsonb);
grant all on rule to authenticated;

-- How a call ended: 'ok' or its SQLSTATE.
create function pg_temp.outcome(p_sql text) returns text language plpgsql as $$
begin
  execute p_sql;
  return 'ok';
exception when others then
  return sqlstate;
end $$;
-- A refusal: "<SQLSTATE> <detail or -> <hint or ->".
create function pg_temp.refusal(p_sql text) returns text language plpgsql as $$
declare
  v_state text; v_detail text; v_hint text;
begin
  execute p_sql;
  return 'no error';
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return v_state || ' ' || coalesce(nullif(v_detail, ''), '-') || ' ' || coalesce(nullif(v_hint, ''), '-');
end $$;
-- How many rows a write changed, or the SQLSTATE it failed with.
create function pg_temp.rows_changed(p_sql text) returns text language plpgsql as $$
declare
  v_rows integer;
begin
  execute p_sql;
  get diagnostics v_rows = row_count;
  return v_rows::text;
exception when others then
  return sqlstate;
end $$;
-- Submit a ticket to Acme as the current user, with a fixed id.
create function pg_temp.submit(p_id uuid, p_subject text, p_priority text, p_description text default '')
returns jsonb language sql as $$
  select public.create_ticket('aaaaaaaa-0000-4000-8000-000000000000', p_subject, p_description, p_priority,
    null, null, p_id) -> 'ticket'
$$;
-- Read as the test's superuser: a ticket's assignee, its routed event, its last employee
-- assignment event (with its actor), its events of a kind, a team's open load per member.
create function pg_temp.assignee(p_ticket uuid) returns uuid language sql as $$
  select assigned_employee_id from public.tickets where id = p_ticket
$$;
create function pg_temp.routed(p_ticket uuid) returns jsonb language sql as $$
  select new_value from public.ticket_events where ticket_id = p_ticket and kind = 'routed'
$$;
create function pg_temp.last_assignment(p_ticket uuid) returns jsonb language sql as $$
  select jsonb_build_object('actor_id', actor_id) || new_value from public.ticket_events
  where ticket_id = p_ticket and kind = 'assignment_changed' and new_value ? 'employee_id'
  order by id desc limit 1
$$;
create function pg_temp.event_count(p_ticket uuid, p_kind text) returns integer language sql as $$
  select count(*)::integer from public.ticket_events where ticket_id = p_ticket and kind = p_kind
$$;
create function pg_temp.loads(p_team uuid) returns integer[] language sql as $$
  select array_agg(n order by user_id) from (
    select tm.user_id, count(t.id)::integer n
    from public.team_members tm
    left join public.tickets t on t.assigned_team_id = tm.team_id and t.assigned_employee_id = tm.user_id
      and t.status in ('open', 'in_progress', 'waiting_on_customer')
    where tm.team_id = p_team group by tm.user_id) x
$$;
create function pg_temp.queued(p_team uuid) returns uuid[] language sql as $$
  select coalesce(array_agg(id order by priority_rank desc, created_at, id), '{}') from public.tickets
  where assigned_team_id = p_team and assigned_employee_id is null and status in ('open', 'in_progress', 'waiting_on_customer')
$$;

-- The tables, secured ------------------------------------------------------------------------------
select ok(
  (select bool_and(relrowsecurity) from pg_class
   where oid in ('public.routing_rules'::regclass, 'public.team_assignment_settings'::regclass)),
  'routing_rules and team_assignment_settings have row level security');
select ok(
  not has_table_privilege('anon', 'public.routing_rules', 'select')
  and not has_table_privilege('anon', 'public.team_assignment_settings', 'select')
  and not has_column_privilege('anon', 'public.team_members', 'capacity', 'select')
  and not has_column_privilege('anon', 'public.organization_members', 'availability', 'select'),
  'anon has no access to rules, team settings, capacities or availability');
select ok(
  not has_column_privilege('authenticated', 'public.organization_members', 'availability', 'update')
  and not has_column_privilege('authenticated', 'public.team_members', 'last_assigned_seq', 'update')
  and not has_sequence_privilege('authenticated', 'private.assignment_turns', 'usage'),
  'nobody writes availability but through set_my_availability, nor the round-robin bookkeeping');

-- The admin sets up routing -----------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(
  public.set_team_assignment(:rr, 'round_robin', 10, false) -> 'strategy', '"round_robin"'::jsonb,
  'the admin makes a team assign by round robin, and gets its workload back');
select public.set_team_assignment(:ll, 'least_loaded', 10, false) \gset
select public.set_member_capacity(:ll, :l1_id, 3) \gset
select is(
  jsonb_path_query_array(public.set_member_capacity(:ll, :l2_id, 1), '$.agents[*] ? (@.capacity_override != null).capacity'),
  '[3, 1]'::jsonb, 'and gives two members their own capacities');
select public.set_team_assignment(:queue, 'round_robin', 1, true) \gset
insert into rule select 'Urgent invoices', null,
  public.create_routing_rule(:acme, 'Urgent invoices', '{"priorities": ["urgent"], "keywords": ["invoice"]}', :team_b);
insert into rule select 'Invoices', null,
  public.create_routing_rule(:acme, '  Invoices ', '{"keywords": ["Invoice "]}', :team_a);
insert into rule select 'Example customers', null,
  public.create_routing_rule(:acme, 'Example customers', '{"requester_domains": ["Example.COM"]}', :team_b, 'high');
insert into rule select 'Round robin', null, public.create_routing_rule(:acme, 'Round robin', '{"keywords": ["rr-ticket"]}', :rr);
insert into rule select 'Least loaded', null, public.create_routing_rule(:acme, 'Least loaded', '{"keywords": ["ll-ticket"]}', :ll);
insert into rule select 'Queue', null, public.create_routing_rule(:acme, 'Queue', '{"keywords": ["q-ticket"]}', :queue);
update rule set id = (value ->> 'id')::uuid;
select is(
  (select value - 'id' - 'created_at' - 'updated_at' from rule where name = 'Example customers'),
  jsonb_build_object('organization_id', :acme, 'name', 'Example customers', 'position', 3,
    'conditions', jsonb_build_object('requester_domains', jsonb_build_array('example.com')),
    'team_id', :team_b, 'set_priority', 'high', 'version', 1),
  'create_routing_rule answers the rule: at the end, its domains lowercase');
select is(
  (select value -> 'conditions' from rule where name = 'Invoices') || jsonb_build_object('name', (select value -> 'name' from rule where name = 'Invoices')),
  '{"keywords": ["Invoice"], "name": "Invoices"}'::jsonb, 'names and keywords are trimmed');
select is(public.set_default_team(:acme, :team_a) -> 'default_team_id', to_jsonb(:team_a::uuid),
  'the admin names the default team');
reset role;

-- Who reads and changes what ------------------------------------------------------------------------
-- The same calls for every role: the reading functions, the admin's functions, the staff's own.
create temporary table call (n integer primary key, kind text, sql text);
grant select on call to authenticated, anon;
insert into call values
  (1, 'read', format('select public.list_routing_rules(%L)', :acme)),
  (2, 'read', format('select public.team_workload(%L)', :queue)),
  (3, 'read', format('select public.list_team_queue(%L)', :queue)),
  (4, 'change', format($$select public.create_routing_rule(%L, 'Sneaky', '{"keywords": ["x"]}', %L)$$, :acme, :team_a)),
  (5, 'change', format($$select public.update_routing_rule(%L, 1, '{"name": "Sneaky"}')$$, (select id from rule where name = 'Queue'))),
  (6, 'change', format('select public.delete_routing_rule(%L)', (select id from rule where name = 'Queue'))),
  (7, 'change', format('select public.reorder_routing_rules(%L, %L)', :acme, (select array_agg(id order by name) from rule))),
  (8, 'change', format('select public.set_default_team(%L, null)', :acme)),
  (9, 'change', format($$select public.set_team_assignment(%L, 'manual', 0, false)$$, :queue)),
  (10, 'change', format('select public.set_member_capacity(%L, %L, 0)', :queue, :q1_id)),
  (11, 'staff', format($$select public.set_my_availability(%L, 'away')$$, :acme)),
  (12, 'staff', format('select public.claim_next_ticket(%L)', :queue));
-- Direct writes to the tables, as PostgREST would make them.
create temporary table direct_write (n integer primary key, sql text);
grant select on direct_write to authenticated, anon;
insert into direct_write values
  (1, format($$update public.routing_rules set name = name || ' (changed)' where organization_id = %L$$, :acme)),
  (2, format('delete from public.routing_rules where organization_id = %L', :acme)),
  (3, format($$insert into public.routing_rules (organization_id, name, position, keywords, team_id)
      values (%L, 'Sneaky', 99, '{x}', %L)$$, :acme, :team_a)),
  (4, format($$update public.team_assignment_settings set strategy = 'manual' where organization_id = %L$$, :acme)),
  (5, format('update public.team_members set capacity = 0 where organization_id = %L', :acme)),
  (6, format($$update public.organization_members set availability = 'offline' where organization_id = %L$$, :acme));
-- What each kind of row of Acme's a role reads (rules, team settings, capacities, availability).
create function pg_temp.visible() returns integer[] language sql as $$
  select array[
    (select count(*)::integer from public.routing_rules where organization_id = 'aaaaaaaa-0000-4000-8000-000000000000'),
    (select count(*)::integer from public.team_assignment_settings
      where organization_id = 'aaaaaaaa-0000-4000-8000-000000000000' and default_capacity >= 0),
    (select count(*)::integer from public.team_members
      where organization_id = 'aaaaaaaa-0000-4000-8000-000000000000' and capacity is distinct from -1),
    (select count(*)::integer from public.organization_members
      where organization_id = 'aaaaaaaa-0000-4000-8000-000000000000' and availability is not null)]
$$;
create temporary table acme_rows as select pg_temp.visible() as counts;
grant select on acme_rows to authenticated;
select ok((select counts[1] = 6 and 0 < all (counts) from acme_rows),
  'Acme has its 6 rules, team settings, team memberships and staff for the roles to read');

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select is(
  array[pg_temp.outcome('select count(*) from public.routing_rules'),
        pg_temp.outcome('select count(*) from public.team_assignment_settings')]
    || (select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('42501'::text, array[14]), 'anon reads no table and calls no routing function');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.visible(), array[0, 0, 0, 0],
  'a requester of Acme''s tickets reads no rule, team setting, capacity or availability');
select is((select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('PT404'::text, array[12]), 'every routing function answers her "not found"');
select is(public.claim_next_ticket(), '{"ticket": null}'::jsonb, 'claiming from no team in particular finds nothing for her');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['0', '0', '42501', '0', '42501', '42501'], 'her direct writes change nothing');
set local request.jwt.claims = :'globex';
select is(pg_temp.visible(), array[0, 0, 0, 0], 'an employee of another organization reads none of Acme''s');
select is((select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('PT404'::text, array[12]), 'and finds none of its routing through the functions');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['0', '0', '42501', '0', '42501', '42501'], 'nor changes any of it directly');
set local request.jwt.claims = :'globex_admin';
select is((select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('PT404'::text, array[12]), 'nor does the admin of another organization');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['0', '0', '42501', '0', '42501', '42501'], 'directly either');
set local request.jwt.claims = :'agent1';
select is(pg_temp.visible(), (select counts from acme_rows),
  'a colleague employee reads every rule, team setting, capacity and availability of the organization');
select is((select array_agg(pg_temp.outcome(sql) order by n) from call where kind = 'read'),
  array['ok', 'ok', 'ok'], 'and may list the rules, a team''s workload and its queue');
select is((select array_agg(pg_temp.outcome(sql) order by n) from call where kind = 'change'),
  array_fill('PT403'::text, array[7]), 'but every admin function is forbidden to him');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['0', '0', '42501', '0', '42501', '42501'], 'and his direct writes change nothing');
select is(pg_temp.refusal(format('select public.claim_next_ticket(%L)', :queue)),
  'PT403 - team_id', 'he may not claim from a team he is not on');
select is(public.set_my_availability(:acme, 'away'),
  jsonb_build_object('organization_id', :acme, 'user_id', 'a0000000-0000-4000-8000-000000000002', 'availability', 'away'),
  'he sets his own availability');
set local request.jwt.claims = :'q1';
select is((select availability from public.organization_members where user_id = 'a0000000-0000-4000-8000-000000000002'),
  'away', 'which his colleagues read');
set local request.jwt.claims = :'agent1';
select public.set_my_availability(:acme, 'available') \gset
select is(pg_temp.refusal(format($$select public.set_my_availability(%L, 'busy')$$, :acme)),
  'PT422 - status', 'availability is available, away or offline');
select is(pg_temp.refusal(format($$select public.set_my_availability(%L, 'away')$$, :globex_org)),
  'PT404 - org_id', 'and only in an organization he is staff of');
set local request.jwt.claims = :'admin';
select is(
  array[pg_temp.rows_changed(format('update public.team_members set capacity = 5 where team_id = %L and user_id = %L', :rr, :r1_id)),
        pg_temp.rows_changed(format('update public.team_assignment_settings set requeue_when_away = true where team_id = %L', :team_b)),
        pg_temp.rows_changed(format($$update public.organization_members set availability = 'away' where user_id = %L$$, :q1_id))],
  array['42501', '1', '42501'], 'the admin changes team settings directly, but capacities only through set_member_capacity, and nobody''s availability');
select is(public.set_member_capacity(:rr, :r1_id, null) -> 'agents' -> 0 -> 'capacity', '10'::jsonb,
  'a capacity set to null is the team''s default again');
select is(pg_temp.refusal(format('select public.set_member_capacity(%L, %L, 1001)', :rr, :r1_id)),
  'PT422 - capacity', 'a capacity is 0 to 1000');
select is(pg_temp.refusal(format('select public.set_member_capacity(%L, %L, 1)', :rr, :q1_id)),
  'PT422 - user_id', 'and only for a member of the team');
select is(pg_temp.refusal(format($$select public.set_team_assignment(%L, 'fastest', 1, false)$$, :rr)),
  'PT422 - strategy', 'the strategy is manual, round_robin or least_loaded');
select is(pg_temp.refusal(format('select public.set_default_team(%L, %L)', :acme, :globex_team)),
  'PT422 - team_id', 'the default team is one of the organization''s own');
reset role;

-- Conditions are checked -----------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
create function pg_temp.create_refusal(p_conditions text, p_set_priority text default null, p_team uuid default null,
  p_name text default 'New rule', p_position integer default null)
returns text language sql as $$
  select pg_temp.refusal(format('select public.create_routing_rule(%L, %L, %L, %L, %L, %L)',
    'aaaaaaaa-0000-4000-8000-000000000000', p_name, p_conditions,
    coalesce(p_team, 'aaaaaaaa-0000-4000-8000-0000000000c1'), p_set_priority, p_position))
$$;
select is(pg_temp.create_refusal('{"keywords": []}'), 'PT422 - conditions.keywords', 'an empty list of keywords is refused');
select is(pg_temp.create_refusal('{"priorities": []}'), 'PT422 - conditions.priorities', 'so is an empty list of priorities');
select is(pg_temp.create_refusal('{"colour": ["red"]}'), 'PT422 - conditions.colour', 'an unknown condition is refused by name');
select is(pg_temp.create_refusal('{"priorities": ["critical"]}'), 'PT422 - conditions.priorities', 'so is an unknown priority');
select is(
  array[pg_temp.create_refusal('{"requester_domains": ["example"]}'),
        pg_temp.create_refusal('{"requester_domains": ["@example.com"]}'),
        pg_temp.create_refusal('{"requester_domains": ["exa mple.com"]}')],
  array_fill('PT422 - conditions.requester_domains'::text, array[3]), 'and anything but a domain name');
select is(pg_temp.create_refusal('{"keywords": ["invoice", "   "]}'), 'PT422 - conditions.keywords', 'and a blank keyword');
select is(pg_temp.create_refusal('{"keywords": "invoice"}'), 'PT422 - conditions.keywords', 'a condition is a list');
select is(pg_temp.create_refusal('["invoice"]'), 'PT422 - conditions', 'the conditions are an object');
select is(pg_temp.create_refusal('{"keywords": ["x"]}', 'critical'), 'PT422 - set_priority', 'set_priority is a priority');
select is(pg_temp.create_refusal('{"keywords": ["x"]}', null, :globex_team), 'PT422 - team_id',
  'a rule routes only to a team of its organization');
select is(pg_temp.create_refusal('{"keywords": ["x"]}', null, null, 'Queue'), 'PT409 - name', 'rule names are unique');
select is(pg_temp.create_refusal('{"keywords": ["x"]}', null, null, 'New rule', 8), 'PT422 - position',
  'a new rule goes between the first position and the end');
select is((select count(*)::integer from public.routing_rules), 6, 'none of those made a rule');
reset role;

-- Routing ---------------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.submit(:t_urgent_invoice, 'Invoice charged twice', 'urgent') ->> 'assigned_team_id', :team_b,
  'an urgent invoice matches the first two rules and goes where the first by position sends it');
select is(pg_temp.submit(:t_low_invoice, 'Copy of my INVOICE', 'low') ->> 'assigned_team_id', :team_a,
  'a low one fails the first rule''s priority condition: every condition must hold');
select is(pg_temp.submit(:t_no_rule, 'Printer jam', 'urgent', 'The printer says PC LOAD LETTER') ->> 'assigned_team_id', :team_a,
  'a ticket no rule matches goes to the default team');
set local request.jwt.claims = :'carol';
select is(pg_temp.submit(:t_carol_low, 'Hello', 'low') ->> 'priority', 'high',
  'a rule''s set_priority raises a low ticket');
select is(pg_temp.submit(:t_carol_urgent, 'Hello again', 'urgent') ->> 'priority', 'urgent', 'and never lowers an urgent one');
select is(pg_temp.submit(:t_carol_invoice, 'Invoice', 'low') ->> 'assigned_team_id', :team_a,
  'a ticket two rules match goes by the earlier one');
set local request.jwt.claims = :'dave';
select is(pg_temp.submit(:t_dave, 'Hello', 'medium') ->> 'assigned_team_id', :team_b,
  'a requester at a subdomain (eu.example.com) matches a rule for example.com');
set local request.jwt.claims = :'frank';
select is(pg_temp.submit(:t_frank, 'Hello', 'medium') ->> 'assigned_team_id', :team_b,
  'so does one whose address is in capitals (Mail.Example.COM)');
set local request.jwt.claims = :'eve';
select is(pg_temp.submit(:t_eve, 'Hello', 'medium') ->> 'assigned_team_id', :team_a,
  'a lookalike domain (badexample.com) does not: the default team takes it');
reset role;
select is(pg_temp.routed(:t_urgent_invoice),
  jsonb_build_object('routed_by', 'rule', 'rule_id', (select id from rule where name = 'Urgent invoices'),
    'rule_name', 'Urgent invoices', 'team_id', :team_b, 'team_name', 'Routing B'),
  'the history names the rule that routed a ticket');
select is(pg_temp.routed(:t_no_rule),
  jsonb_build_object('routed_by', 'default_team', 'team_id', :team_a, 'team_name', 'Routing A'),
  'or says the default team took it');
select is(pg_temp.routed(:t_carol_low) - 'rule_id' - 'team_id',
  '{"routed_by": "rule", "rule_name": "Example customers", "team_name": "Routing B", "priority_from": "low", "priority_to": "high"}'::jsonb,
  'and the priority the rule raised');
select ok(not pg_temp.routed(:t_carol_urgent) ? 'priority_from', 'a priority left as it was is not mentioned');
select is(
  (select array_agg(new_value ->> 'priority' order by id) from public.ticket_events where ticket_id = :t_carol_low and kind = 'created'),
  array['high'], 'the ticket is created with the raised priority');
select is((select array_agg(kind order by id) from public.ticket_events where ticket_id = :t_low_invoice),
  array['created', 'routed', 'assignment_changed'], 'a ticket routed to a manual team is neither assigned nor queued');

set local role authenticated;
set local request.jwt.claims = :'admin';
select is(
  jsonb_path_query_array(public.reorder_routing_rules(:acme, array[
    (select id from rule where name = 'Example customers'), (select id from rule where name = 'Urgent invoices'),
    (select id from rule where name = 'Invoices'), (select id from rule where name = 'Round robin'),
    (select id from rule where name = 'Least loaded'), (select id from rule where name = 'Queue')]), '$.rules[*].name'),
  '["Example customers", "Urgent invoices", "Invoices", "Round robin", "Least loaded", "Queue"]'::jsonb,
  'the admin moves a rule to the top');
select is(pg_temp.refusal(format('select public.reorder_routing_rules(%L, %L)', :acme,
    (select array_agg(id) from rule where name <> 'Queue'))),
  'PT422 - rule_ids', 'a reorder lists every rule exactly once');
set local request.jwt.claims = :'carol';
select is(pg_temp.submit(:t_carol_reordered, 'Invoice', 'low') ->> 'assigned_team_id', :team_b,
  'the same ticket now goes by the rule moved before the other');
set local request.jwt.claims = :'admin';
select is(public.set_default_team(:acme, null) -> 'default_team_id', 'null'::jsonb, 'the admin removes the default team');
set local request.jwt.claims = :'eve';
select is(pg_temp.submit(:t_eve_no_default, 'Hello', 'medium') -> 'assigned_team_id', 'null'::jsonb,
  'with no rule matching and no default team, a ticket has no team');
reset role;
select is((select array_agg(kind order by id) from public.ticket_events where ticket_id = :t_eve_no_default),
  array['created'], 'and no routing history');

-- Keywords match as listTickets' search: case-insensitive substrings, every word of a keyword, % _ \
-- matching themselves. A probe rule at the top is given each keyword in turn.
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into rule select 'Probe', null,
  public.create_routing_rule(:acme, 'Probe', '{"keywords": ["zzz"]}', :team_b, null, 1);
update rule set id = (value ->> 'id')::uuid where name = 'Probe';
select is(
  jsonb_path_query_array(public.list_routing_rules(:acme), '$.rules[*].position'),
  '[1, 2, 3, 4, 5, 6, 7]'::jsonb, 'a rule created at position 1 moves the others down');
reset role;
create temporary table keyword_case (n integer primary key, keyword text, subject text, description text,
  expected boolean, ticket_id uuid, routed boolean);
grant select on keyword_case to authenticated;
insert into keyword_case (n, keyword, subject, description, expected) values
  (1, 'INVOICE', 'where is my invoice', '', true),
  (2, 'voic', 'Invoice copy', '', true),
  (3, 'refund order', 'Order 1042', 'please refund it', true),
  (4, 'refund order', 'Refund please', 'nothing else', false),
  (5, '100%', 'A 1000 euro discount', '', false),
  (6, '100%', 'A 100% discount', '', true),
  (7, 'a_c', 'the abc song', '', false),
  (8, 'a_c', 'file a_c.txt', '', true),
  (9, 'C:\temp', 'path C:temp', '', false),
  (10, 'C:\temp', 'path C:\temp\x', '', true),
  (11, 'printer', 'Print', 'er', false);
do $$
declare
  v_case record;
  v_id uuid;
begin
  for v_case in select * from keyword_case order by n loop
    update public.routing_rules set keywords = array[v_case.keyword] where name = 'Probe';
    insert into public.tickets (handling_org_id, user_id, subject, description, priority)
    values ('aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001', v_case.subject, v_case.description, 'low')
    returning id into v_id;
    update keyword_case set ticket_id = v_id,
      routed = coalesce((select new_value ->> 'rule_id' = (select id::text from rule where name = 'Probe')
                         from public.ticket_events where ticket_id = v_id and kind = 'routed'), false)
    where n = v_case.n;
  end loop;
end $$;
select is((select array_agg(routed order by n) from keyword_case), (select array_agg(expected order by n) from keyword_case),
  'a keyword matches case-insensitively, inside words, every word of it anywhere in subject and description, % _ \ literally');
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(
  (select array_agg(public.list_tickets(org_id => :acme, q => keyword, "limit" => 100) -> 'items'
     @> jsonb_build_array(jsonb_build_object('id', ticket_id)) order by n) from keyword_case),
  (select array_agg(routed order by n) from keyword_case),
  'a keyword rule matches exactly the tickets listTickets finds searching for the keyword');
select is(public.delete_routing_rule((select id from rule where name = 'Probe')),
  jsonb_build_object('id', (select id from rule where name = 'Probe'), 'deleted', true), 'the admin deletes a rule');
select is(
  jsonb_path_query_array(public.list_routing_rules(:acme), '$.rules[*] ? (@.position > 0).position'),
  '[1, 2, 3, 4, 5, 6]'::jsonb, 'and the positions close up');
select is(
  public.update_routing_rule((select id from rule where name = 'Invoices'), 1, '{"name": "Invoice questions"}') - 'created_at' - 'updated_at' - 'id',
  jsonb_build_object('organization_id', :acme, 'name', 'Invoice questions', 'position', 3,
    'conditions', '{"keywords": ["Invoice"]}'::jsonb, 'team_id', :team_a, 'set_priority', null, 'version', 2),
  'the admin renames a rule; its version goes up');
select is(pg_temp.refusal(format($$select public.update_routing_rule(%L, 1, '{"name": "Stale"}')$$, (select id from rule where name = 'Invoices'))),
  format('PT409 %s expected_version', public.list_routing_rules(:acme) -> 'rules' -> 2),
  'a change from an old version is refused with the rule as it is now');
select is(pg_temp.refusal(format($$select public.update_routing_rule(%L, 2, '{"position": 1}')$$, (select id from rule where name = 'Invoices'))),
  'PT422 - position', 'the position changes only by reordering');
select is(pg_temp.refusal(format($$select public.update_routing_rule(%L, 2, '{"conditions": {"keywords": []}}')$$, (select id from rule where name = 'Invoices'))),
  'PT422 - conditions.keywords', 'changed conditions are checked as new ones');
reset role;

-- Round robin -------------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select count(public.create_ticket(:acme, 'rr-ticket ' || i, '', 'medium')) from generate_series(1, 6) i \gset
reset role;
select is(pg_temp.loads(:rr), array[2, 2, 2], 'round robin gives six tickets to three members two each');
select is(
  (select array_agg(t.assigned_employee_id::text order by t.number) from public.tickets t where t.assigned_team_id = :rr),
  array['a0000000-0000-4000-8000-000000000021', 'a0000000-0000-4000-8000-000000000022', 'a0000000-0000-4000-8000-000000000023',
        'a0000000-0000-4000-8000-000000000021', 'a0000000-0000-4000-8000-000000000022', 'a0000000-0000-4000-8000-000000000023'],
  'in turn');
select is(
  (select pg_temp.last_assignment(t.id) - 'employee_id' from public.tickets t where t.assigned_team_id = :rr order by t.number limit 1),
  '{"actor_id": null, "assigned_by": "round_robin", "display_name": "Rita"}'::jsonb,
  'the history says round robin chose the member');
set local role authenticated;
set local request.jwt.claims = :'r3';
select public.set_my_availability(:acme, 'away') \gset
set local request.jwt.claims = :'alice';
select count(public.create_ticket(:acme, 'rr-ticket ' || i, '', 'medium')) from generate_series(7, 10) i \gset
reset role;
select is(pg_temp.loads(:rr), array[4, 4, 2], 'a member who is away is skipped (and keeps hers: this team does not requeue)');
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.set_member_capacity(:rr, :r1_id, 4) \gset
set local request.jwt.claims = :'alice';
select count(public.create_ticket(:acme, 'rr-ticket ' || i, '', 'medium')) from generate_series(11, 12) i \gset
reset role;
select is(pg_temp.loads(:rr), array[4, 6, 2], 'so is a member at capacity');
set local role authenticated;
set local request.jwt.claims = :'r2';
select is(public.claim_next_ticket(:rr), '{"ticket": null}'::jsonb, 'claiming from an empty queue finds no ticket');
set local request.jwt.claims = :'r3';
select public.set_my_availability(:acme, 'available') \gset
-- A member leaves the team: her open tickets go to the others at once.
set local request.jwt.claims = :'admin';
delete from public.team_members where team_id = 'aaaaaaaa-0000-4000-8000-0000000000d1'
  and user_id = 'a0000000-0000-4000-8000-000000000023';
reset role;
select is(pg_temp.loads(:rr), array[4, 8], 'a member removed from the team leaves her open tickets to the member with room');
select is(
  (select count(*)::integer from public.tickets t
   where t.assigned_team_id = :rr and (pg_temp.last_assignment(t.id) ->> 'employee_id') is distinct from t.assigned_employee_id::text),
  0, 'and each ticket''s history ends with who holds it now');

-- Least loaded ---------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select pg_temp.submit(:ll1, 'll-ticket 1', 'medium') \gset
select pg_temp.submit(:ll2, 'll-ticket 2', 'medium') \gset
select pg_temp.submit(:ll3, 'll-ticket 3', 'medium') \gset
select pg_temp.submit(:ll4, 'll-ticket 4', 'medium') \gset
select pg_temp.submit(:ll5, 'll-ticket 5', 'medium') \gset
reset role;
select is(
  array[pg_temp.assignee(:ll1), pg_temp.assignee(:ll2), pg_temp.assignee(:ll3), pg_temp.assignee(:ll4), pg_temp.assignee(:ll5)],
  array[:l1_id, :l1_id, :l2_id, :l1_id, null]::uuid[],
  'least loaded picks the most spare capacity (3 against 1, 2 against 1), then whoever waited longer, and never past capacity');
select is(pg_temp.last_assignment(:ll3) ->> 'assigned_by', 'least_loaded', 'the history says least loaded chose');
select is(
  (select new_value from public.ticket_events where ticket_id = :ll5 and kind = 'queued'),
  jsonb_build_object('team_id', :ll, 'team_name', 'Least Loaded', 'reason', 'no_agent_available'),
  'a ticket nobody can take is queued, and the history says why');
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(public.set_member_capacity(:ll, :l2_id, 2) -> 'queued', '0'::jsonb, 'raising a capacity assigns the queue at once');
reset role;
select is(pg_temp.last_assignment(:ll5) - 'employee_id' - 'display_name',
  '{"actor_id": null, "assigned_by": "least_loaded", "from_queue": true}'::jsonb, 'to the member with the new room');

-- The queue (round robin, capacity 1, away returns tickets) ----------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select pg_temp.submit(:qa, 'q-ticket a', 'medium') \gset
select pg_temp.submit(:qb, 'q-ticket b', 'medium') \gset
select pg_temp.submit(:qc, 'q-ticket c', 'low') \gset
select pg_temp.submit(:qd, 'q-ticket d', 'high') \gset
select pg_temp.submit(:qe, 'q-ticket e', 'high') \gset
reset role;
select is(array[pg_temp.assignee(:qa), pg_temp.assignee(:qb)], array[:q1_id, :q2_id]::uuid[],
  'each member takes one ticket');
select is(
  array[pg_temp.event_count(:qc, 'queued'), pg_temp.event_count(:qd, 'queued'), pg_temp.event_count(:qe, 'queued')],
  array[1, 1, 1], 'the next three are queued');
-- Waiting since: c three hours, d two, e one.
set local session_replication_role = replica;
update public.tickets set created_at = now() - interval '3 hours' where id = :qc;
update public.tickets set created_at = now() - interval '2 hours' where id = :qd;
update public.tickets set created_at = now() - interval '1 hour' where id = :qe;
set local session_replication_role = origin;
set local role authenticated;
set local request.jwt.claims = :'q1';
select is(jsonb_path_query_array(public.list_team_queue(:queue), '$.items[*].id'),
  jsonb_build_array(:qd, :qe, :qc), 'the queue lists the highest priority first, then the longest waiting');
create temporary table page as select public.list_team_queue(:queue, 2) as value;
select is(jsonb_path_query_array((select value from page), '$.items[*].id'), jsonb_build_array(:qd, :qe), 'a page of two');
select is(
  (select jsonb_build_object('ids', jsonb_path_query_array(v, '$.items[*].id'), 'next_cursor', v -> 'next_cursor')
   from (select public.list_team_queue(:queue, 2, (select value ->> 'next_cursor' from page)) v) x),
  jsonb_build_object('ids', jsonb_build_array(:qc), 'next_cursor', null), 'then the rest, and no cursor');
set local request.jwt.claims = :'agent1';
select is(
  public.team_workload(:queue) - 'team_id' - 'organization_id',
  jsonb_build_object('strategy', 'round_robin', 'default_capacity', 1, 'requeue_when_away', true, 'is_default', false,
    'queued', 3, 'agents', jsonb_build_array(
      jsonb_build_object('user_id', :q1_id, 'display_name', 'Quinn Ames', 'availability', 'available', 'open_assigned', 1, 'capacity', 1, 'capacity_override', null),
      jsonb_build_object('user_id', :q2_id, 'display_name', 'Quinn Baker', 'availability', 'available', 'open_assigned', 1, 'capacity', 1, 'capacity_override', null))),
  'a colleague reads the team''s workload: each member''s availability, load and capacity, and the queue''s size');
set local request.jwt.claims = :'q1';
select is(public.update_ticket(:qa, 1, '{"status": "resolved"}') ->> 'status', 'resolved', 'a member resolves her ticket');
reset role;
select is(pg_temp.assignee(:qd), :q1_id::uuid, 'the head of the queue (high, waiting longest) is hers at once');
select is(pg_temp.last_assignment(:qd) - 'employee_id' - 'display_name',
  '{"actor_id": null, "assigned_by": "round_robin", "from_queue": true}'::jsonb,
  'by the team''s strategy, from the queue, by nobody in particular');
set local role authenticated;
set local request.jwt.claims = :'alice';
update public.tickets set status = 'closed' where id = :qb;
reset role;
select is(pg_temp.assignee(:qe), :q2_id::uuid, 'the requester closing her ticket frees its assignee for the next');
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.update_ticket(:qd, (select version from public.tickets where id = :qd),
  jsonb_build_object('assigned_team_id', :billing, 'assigned_employee_id', null)) \gset
reset role;
select is(pg_temp.assignee(:qc), :q1_id::uuid, 'moving a ticket to another team frees its assignee for the last in the queue');
select is(pg_temp.event_count(:qd, 'queued'), 1, 'the moved ticket waits in the manual team without being queued again');
select is(pg_temp.queued(:queue), '{}'::uuid[], 'the queue is empty');

-- Manual assignment over capacity.
set local role authenticated;
set local request.jwt.claims = :'alice';
select pg_temp.submit(:qf, 'q-ticket f', 'medium') \gset
set local request.jwt.claims = :'q2';
select is(
  pg_temp.refusal(format('select public.update_ticket(%L, 1, %L)', :qf, jsonb_build_object('assigned_employee_id', :q1_id))),
  'PT409 assignee_unavailable assigned_employee_id', 'an employee cannot assign a ticket to a member at capacity');
set local request.jwt.claims = :'admin';
select is(public.update_ticket(:qf, 1, jsonb_build_object('assigned_employee_id', :q1_id)) ->> 'assigned_employee_id', :q1_id,
  'the admin can');
reset role;
select is(pg_temp.last_assignment(:qf) - 'employee_id' - 'display_name',
  jsonb_build_object('actor_id', :admin_id, 'assigned_by', 'manual', 'over_capacity', true),
  'and the history says the admin assigned past capacity');
select is(pg_temp.loads(:queue), array[2, 1], 'one member holds two tickets against a capacity of one');

-- Claiming.
set local role authenticated;
set local request.jwt.claims = :'alice';
select pg_temp.submit(:qg, 'q-ticket g', 'low') \gset
set local request.jwt.claims = :'q2';
select is(pg_temp.refusal(format('select public.claim_next_ticket(%L)', :queue)),
  'PT409 assignee_unavailable team_id', 'a member at capacity cannot claim');
set local request.jwt.claims = :'admin';
select public.set_member_capacity(:queue, :q2_id, 3) \gset
reset role;
select is(pg_temp.assignee(:qg), :q2_id::uuid, 'more capacity takes the queue at once');

-- Away: the member's open tickets return to the queue, and go to whoever has room.
set local role authenticated;
set local request.jwt.claims = :'q1';
select public.set_my_availability(:acme, 'away') \gset
reset role;
select is(cardinality(pg_temp.queued(:queue)), 1,
  'a member going away returns her two open tickets; the other member, with room for one, takes one');
select is(
  (select pg_temp.last_assignment(id) - 'display_name' - 'employee_id' from public.tickets
   where id in (:qc, :qf) and assigned_employee_id = :q2_id),
  '{"actor_id": null, "assigned_by": "round_robin", "from_queue": true}'::jsonb, 'from the queue');
select is(
  array[pg_temp.assignee(:qf), pg_temp.assignee(:qc)], array[:q2_id, null]::uuid[],
  'the returned tickets are assigned in the queue''s order: the medium one before the low one');
select is(
  (select new_value - 'display_name' from public.ticket_events
   where ticket_id = :qc and kind = 'assignment_changed' and new_value ? 'employee_id' and new_value -> 'employee_id' = 'null'
   order by id limit 1),
  '{"employee_id": null, "reason": "assignee_away"}'::jsonb, 'the history says why the ticket was taken back');
select is(
  (select actor_id from public.ticket_events
   where ticket_id = :qc and kind = 'assignment_changed' and new_value ? 'employee_id' and new_value -> 'employee_id' = 'null'
   order by id limit 1),
  null, 'by nobody in particular');
set local role authenticated;
set local request.jwt.claims = :'q2';
select public.set_my_availability(:acme, 'offline') \gset
reset role;
select is(cardinality(pg_temp.queued(:queue)), 4, 'with both away, all four open tickets wait in the queue');
select is(pg_temp.loads(:queue), array[0, 0], 'and nobody holds one');
set local role authenticated;
set local request.jwt.claims = :'q2';
select is(pg_temp.refusal(format('select public.claim_next_ticket(%L)', :queue)),
  'PT409 assignee_unavailable team_id', 'a member who is offline cannot claim');
set local request.jwt.claims = :'q1';
select is(pg_temp.refusal(format('select public.claim_next_ticket(%L)', :queue)),
  'PT409 assignee_unavailable team_id', 'nor one who is away, with room to spare');

-- Reopening a resolved ticket whose assignee is away.
set local request.jwt.claims = :'alice';
update public.tickets set status = 'open' where id = :qa;
reset role;
select is(pg_temp.assignee(:qa), null, 'a reopened ticket whose assignee is away goes back to the queue');
select is(pg_temp.last_assignment(:qa) - 'display_name', '{"actor_id": null, "employee_id": null, "reason": "assignee_unavailable"}'::jsonb,
  'the history says why');
select is(pg_temp.event_count(:qa, 'queued'), 1, 'and that it waits in the queue');
-- f waited since half an hour: it comes before a, also medium.
set local session_replication_role = replica;
update public.tickets set created_at = now() - interval '30 minutes' where id = :qf;
set local session_replication_role = origin;
select is(pg_temp.queued(:queue), array[:qe, :qf, :qa, :qc, :qg]::uuid[],
  'the queue: high first, then medium by time waited, then low by time waited');

-- Coming back.
set local role authenticated;
set local request.jwt.claims = :'q1';
select public.set_my_availability(:acme, 'available') \gset
reset role;
select is(pg_temp.assignee(:qe), :q1_id::uuid, 'a member becoming available takes the head of the queue');
select is(pg_temp.queued(:queue), array[:qf, :qa, :qc, :qg]::uuid[], 'as much as her capacity allows');
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.set_member_capacity(:queue, :q1_id, 2) \gset
reset role;
select is(pg_temp.assignee(:qf), :q1_id::uuid, 'a higher capacity takes the next: of equal priority, the one waiting longer');

-- A manual team: nothing is assigned automatically, people claim.
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.set_team_assignment(:queue, 'manual', 1, false) \gset
set local request.jwt.claims = :'alice';
select is(pg_temp.submit(:qh, 'q-ticket h', 'urgent') -> 'assigned_employee_id', 'null'::jsonb,
  'a manual team assigns nobody to a new ticket');
set local request.jwt.claims = :'q2';
select public.set_my_availability(:acme, 'available') \gset
reset role;
select is(pg_temp.event_count(:qh, 'queued'), 0, 'nor says it is queued');
select is(pg_temp.queued(:queue), array[:qh, :qa, :qc, :qg]::uuid[], 'a member becoming available takes nothing in a manual team');
set local role authenticated;
set local request.jwt.claims = :'q2';
select is(public.claim_next_ticket(:queue) -> 'ticket' ->> 'id', :qh, 'a member claims the head of the queue');
reset role;
select is(pg_temp.last_assignment(:qh) - 'display_name',
  jsonb_build_object('actor_id', :q2_id, 'employee_id', :q2_id, 'assigned_by', 'claim', 'from_queue', true), 'the history says she claimed it');
set local role authenticated;
set local request.jwt.claims = :'q2';
select is(public.claim_next_ticket() -> 'ticket' ->> 'id', :qa, 'claiming from no team in particular takes the head of her team''s queue');
set local request.jwt.claims = :'q1';
select is(pg_temp.refusal('select public.claim_next_ticket()'), 'PT409 assignee_unavailable team_id',
  'capacity holds for claims in a manual team too');
set local request.jwt.claims = :'q2';
select is(public.update_ticket(:qc, (select version from public.tickets where id = :qc), jsonb_build_object('assigned_employee_id', :q1_id))
    ->> 'assigned_employee_id', :q1_id, 'in a manual team an employee may assign past capacity');
reset role;
select is(pg_temp.last_assignment(:qc) - 'display_name' - 'employee_id',
  jsonb_build_object('actor_id', :q2_id, 'assigned_by', 'manual'), 'and the history says manual, not over capacity');

set local role authenticated;
set local request.jwt.claims = :'admin';
select public.set_team_assignment(:queue, 'round_robin', 1, true) \gset
reset role;
select is(pg_temp.last_assignment(:qg) - 'display_name' - 'actor_id',
  jsonb_build_object('employee_id', :q2_id, 'assigned_by', 'round_robin', 'from_queue', true),
  'turning round robin on assigns the queue to whoever has room');

-- What the requester's history shows --------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
create temporary table alice_events as
  select e.* from public.ticket_events e join public.tickets t on t.id = e.ticket_id
  where t.user_id = 'c0000000-0000-4000-8000-000000000001' and t.handling_org_id = 'aaaaaaaa-0000-4000-8000-000000000000';
select is((select count(*)::integer from alice_events where kind in ('routed', 'queued')), 0,
  'the requester reads no routed or queued event');
select is((select count(*)::integer from alice_events where kind = 'assignment_changed' and (new_value ? 'employee_id' or old_value ? 'employee_id')),
  0, 'nor who was assigned, how or why');
select is(
  (select jsonb_agg(jsonb_build_object('actor_id', actor_id, 'is_internal', is_internal) || new_value) from alice_events
   where ticket_id = :qa and kind = 'assignment_changed'),
  jsonb_build_array(jsonb_build_object('actor_id', null, 'is_internal', false, 'team_id', :queue, 'team_name', 'Queue')),
  'she reads the team her ticket went to');
select is((select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('PT404'::text, array[12]), 'with her tickets in the team, every routing function still answers her "not found"');
select is(jsonb_path_query_array(public.get_ticket(:qa), '$.events[*].kind'), '["created", "assignment_changed", "status_changed", "status_changed"]'::jsonb,
  'get_ticket shows her the same');
set local request.jwt.claims = :'agent1';
select is(
  (select array_agg(kind order by id) from public.ticket_events where ticket_id = :qa),
  array['created', 'routed', 'assignment_changed', 'assignment_changed', 'status_changed', 'status_changed', 'assignment_changed',
        'queued', 'assignment_changed'],
  'staff read the whole story: routed, assigned, resolved, reopened, taken back, queued, claimed');
reset role;

select * from finish();
rollback;
