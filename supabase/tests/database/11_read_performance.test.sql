-- Read paths built for scale: the ticket counts behind ticket_stats stay equal to a fresh count,
-- and list_tickets (which applies the tickets select policy itself) shows exactly what the policy shows.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(18);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set globex_agent '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set globex '''bbbbbbbb-0000-4000-8000-000000000000'''

-- Counts are spread over shards; their sums per key must equal a fresh count.
create function pg_temp.counts_match() returns boolean language sql as $$
  with counts as (
    select c.organization_id, c.status, c.priority, c.unassigned, sum(c.tickets) as tickets
    from private.ticket_stat_counts c
    group by 1, 2, 3, 4
    having sum(c.tickets) <> 0
  )
  select not exists (
    (select c.organization_id, c.status, c.priority, c.unassigned, c.tickets
     from counts c
     except
     select t.handling_org_id, t.status, t.priority,
       t.assigned_team_id is null and t.assigned_employee_id is null, count(*)
     from public.tickets t group by 1, 2, 3, 4)
    union all
    (select t.handling_org_id, t.status, t.priority,
       t.assigned_team_id is null and t.assigned_employee_id is null, count(*)
     from public.tickets t group by 1, 2, 3, 4
     except
     select c.organization_id, c.status, c.priority, c.unassigned, c.tickets
     from counts c)
  )
$$;

-- What ticket_stats returned when it counted the tickets themselves.
create function pg_temp.counted_stats(p_org_id uuid) returns jsonb language sql as $$
  select jsonb_build_object(
    'org_id', p_org_id, 'total', count(*),
    'by_status', jsonb_build_object(
      'open', count(*) filter (where t.status = 'open'),
      'in_progress', count(*) filter (where t.status = 'in_progress'),
      'waiting_on_customer', count(*) filter (where t.status = 'waiting_on_customer'),
      'resolved', count(*) filter (where t.status = 'resolved'),
      'closed', count(*) filter (where t.status = 'closed')),
    'by_priority', jsonb_build_object(
      'low', count(*) filter (where t.priority = 'low'),
      'medium', count(*) filter (where t.priority = 'medium'),
      'high', count(*) filter (where t.priority = 'high'),
      'urgent', count(*) filter (where t.priority = 'urgent')),
    'open', count(*) filter (where t.status = 'open'),
    'in_progress', count(*) filter (where t.status = 'in_progress'),
    'high_priority', count(*) filter (where t.priority in ('high', 'urgent') and t.status not in ('resolved', 'closed')),
    'unassigned', count(*) filter (
      where t.assigned_team_id is null and t.assigned_employee_id is null and t.status not in ('resolved', 'closed')))
  from public.tickets t where t.handling_org_id = p_org_id
$$;

select ok(pg_temp.counts_match(), 'the seeded tickets are counted');

-- A mix of writes, as the API makes them and as bulk statements.
set local request.jwt.claims = :'alice';
insert into public.tickets (handling_org_id, user_id, subject, description, priority)
select case when i % 3 = 0 then :globex else :acme end::uuid, 'c0000000-0000-4000-8000-000000000001',
  'Counted ticket ' || i, 'Printer trouble ' || i, (array['low', 'medium', 'high', 'urgent'])[1 + i % 4]
from generate_series(1, 40) i;
-- Requested by Globex staff, handled by Acme.
set local request.jwt.claims = :'globex_agent';
insert into public.tickets (id, handling_org_id, user_id, subject, description)
values ('aaaaaaaa-1000-4000-8000-0000000000f1', :acme, 'b0000000-0000-4000-8000-000000000002',
  'Printer at Globex', 'Requested from another organization.');
select ok(pg_temp.counts_match(), 'inserted tickets are counted');

set local request.jwt.claims = :'agent1';
update public.tickets set status = 'in_progress', assigned_team_id = 'aaaaaaaa-0000-4000-8000-0000000000b2'
where handling_org_id = :acme and subject like 'Counted ticket %' and subject < 'Counted ticket 2';
update public.tickets set status = 'resolved', priority = 'urgent'
where handling_org_id = :acme and subject like 'Counted ticket 2%';
update public.tickets set assigned_team_id = 'aaaaaaaa-0000-4000-8000-0000000000b1',
  assigned_employee_id = 'a0000000-0000-4000-8000-000000000002'
where id = 'aaaaaaaa-1000-4000-8000-000000000002';
update public.tickets set updated_at = now() where handling_org_id = :acme;
select ok(pg_temp.counts_match(), 'status, priority and assignment changes move the counts');

delete from public.tickets where subject like 'Counted ticket 3%';
select ok(pg_temp.counts_match(), 'deleted tickets leave the counts');

set local request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}';
delete from public.teams where id = 'aaaaaaaa-0000-4000-8000-0000000000b2';
delete from public.organization_members
where organization_id = :acme and user_id = 'a0000000-0000-4000-8000-000000000002';
select ok(pg_temp.counts_match(), 'tickets unassigned by deleting a team or an employee are counted as unassigned');

set local role authenticated;
set local request.jwt.claims = :'alice';
update public.tickets set status = 'closed' where id = 'aaaaaaaa-1000-4000-8000-000000000003';
reset role;
select ok(pg_temp.counts_match(), 'a requester closing a ticket moves the counts');

update private.ticket_stat_counts set tickets = tickets + 7;
select private.rebuild_ticket_stat_counts();
select ok(pg_temp.counts_match(), 'rebuilding recounts counts that drifted (a load with triggers off)');

set local role authenticated;
set local request.jwt.claims = :'agent1';
select is(public.ticket_stats('aaaaaaaa-0000-4000-8000-000000000000') -> 'by_status',
  '{"open": 0, "closed": 0, "resolved": 0, "in_progress": 0, "waiting_on_customer": 0}'::jsonb,
  'an employee removed from the organization counts nothing there any more');
set local request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}';
select is(public.ticket_stats(:acme), pg_temp.counted_stats(:acme), 'ticket_stats equals a fresh count');
select is((select count(*)::int from private.ticket_stat_counts where organization_id <> :acme), 0,
  'staff read only their own organizations'' counts');
reset role;

-- list_tickets returns what the select policy lets the same caller read, with and without an org.
create function pg_temp.listed(p_org_id uuid, p_q text default null) returns uuid[] language sql as $$
  select coalesce(array_agg((i ->> 'id')::uuid order by (i ->> 'id')), '{}')
  from jsonb_array_elements(public.list_tickets(org_id => p_org_id, q => p_q, "limit" => 100) -> 'items') i
$$;
create function pg_temp.readable(p_org_id uuid, p_q text default null) returns uuid[] language sql as $$
  select coalesce(array_agg(t.id order by t.id), '{}')
  from public.tickets t
  where (p_org_id is null or t.handling_org_id = p_org_id)
    and (p_q is null or (t.subject || ' ' || t.description) ilike '%' || p_q || '%')
$$;
create function pg_temp.same_as_policy() returns boolean language sql as $$
  select pg_temp.listed(null) = pg_temp.readable(null)
    and pg_temp.listed('aaaaaaaa-0000-4000-8000-000000000000') = pg_temp.readable('aaaaaaaa-0000-4000-8000-000000000000')
    and pg_temp.listed('aaaaaaaa-0000-4000-8000-000000000000', 'printe')
      = pg_temp.readable('aaaaaaaa-0000-4000-8000-000000000000', 'printe')
    and pg_temp.listed(gen_random_uuid()) = '{}'
$$;

-- Every ticket of the listing without an organization, in order, two per page.
create function pg_temp.paged(p_sort text, p_direction text) returns uuid[] language plpgsql as $$
declare
  v_page jsonb;
  v_cursor text;
  v_ids uuid[] := '{}';
begin
  loop
    v_page := public.list_tickets(sort => p_sort, direction => p_direction, "limit" => 2,
      cursor => v_cursor);
    v_ids := v_ids || array(select (i ->> 'id')::uuid from jsonb_array_elements(v_page -> 'items') i);
    v_cursor := v_page ->> 'next_cursor';
    exit when v_cursor is null;
  end loop;
  return v_ids;
end;
$$;
-- The tickets the select policy lets the caller read, in the order list_tickets promises.
create function pg_temp.in_order(p_sort text, p_direction text) returns uuid[] language sql as $$
  select coalesce(array_agg(t.id order by
    case when p_sort = 'priority' and p_direction = 'asc' then t.priority_rank end asc,
    case when p_sort = 'priority' and p_direction = 'desc' then t.priority_rank end desc,
    case when p_sort = 'updated_at' and p_direction = 'asc' then t.updated_at end asc,
    case when p_sort = 'updated_at' and p_direction = 'desc' then t.updated_at end desc,
    case when p_sort <> 'updated_at' and p_direction = 'asc' then t.created_at end asc,
    case when p_sort <> 'updated_at' and p_direction = 'desc' then t.created_at end desc,
    case when p_direction = 'asc' then t.id end asc,
    case when p_direction = 'desc' then t.id end desc), '{}')
  from public.tickets t
$$;
create function pg_temp.pages_match() returns boolean language sql as $$
  select bool_and(pg_temp.paged(s, d) = pg_temp.in_order(s, d))
  from unnest(array['created_at', 'updated_at', 'priority']) s, unnest(array['asc', 'desc']) d
$$;

set local role authenticated;
set local request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}';
select ok(pg_temp.same_as_policy() and cardinality(pg_temp.listed(:acme)) > 10,
  'staff list every ticket of their organization, as the policy reads them');
set local request.jwt.claims = :'globex_agent';
select ok(pg_temp.same_as_policy() and pg_temp.listed(:acme) = array['aaaaaaaa-1000-4000-8000-0000000000f1'::uuid],
  'a requester from another organization lists only the ticket she submitted there');
select ok(pg_temp.pages_match() and cardinality(pg_temp.paged('created_at', 'desc')) > 2
  and 'aaaaaaaa-1000-4000-8000-0000000000f1' = any (pg_temp.paged('priority', 'asc')),
  'without an organization, staff page through their organization and their own requests elsewhere, each sort in order');
set local request.jwt.claims = :'alice';
select ok(pg_temp.pages_match(), 'a customer pages through her own tickets, each sort in order');
select ok(pg_temp.same_as_policy() and cardinality(pg_temp.listed(null)) > 0
  and not exists (select 1 from unnest(pg_temp.listed(null)) x join public.tickets t on t.id = x
    where t.user_id <> 'c0000000-0000-4000-8000-000000000001'),
  'a customer lists only her own tickets');
reset role;

set local role anon;
select throws_ok($$select public.list_tickets()$$, '42501', null, 'anon cannot list tickets');
reset role;

delete from public.organizations where id = :globex;
select ok(pg_temp.counts_match(), 'deleting an organization deletes its tickets and their counts');
select is((select count(*)::int from private.ticket_stat_counts where organization_id = :globex), 0,
  'no counts outlive their organization');

select * from finish();
rollback;
