-- Ticket counts per organization × status × priority × unassigned, kept current by a statement
-- trigger on tickets, so ticket_stats reads a few dozen rows instead of scanning the organization.

create table private.ticket_stat_counts (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  status text not null,
  priority text not null,
  unassigned boolean not null,
  tickets bigint not null,
  primary key (organization_id, status, priority, unassigned)
);

comment on table private.ticket_stat_counts is
  'How many tickets each organization handles per status, priority and "no team and no employee"; '
  'maintained by private.count_ticket_changes(), rebuilt by private.rebuild_ticket_stat_counts().';

alter table private.ticket_stat_counts enable row level security;

revoke all on table private.ticket_stat_counts from public, anon, authenticated;
grant select on table private.ticket_stat_counts to authenticated;
grant all on table private.ticket_stat_counts to service_role;

create policy "Staff read their organizations' ticket counts"
  on private.ticket_stat_counts
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

-- One statement per ticket statement: the deltas of all changed rows are summed per key and applied
-- in key order, so two transactions touching the same counters lock them in the same order and
-- cannot deadlock on them. Changes made while an organization is being deleted (its tickets
-- deleted, their teams unset) leave its counts to the cascade: a new row would break the foreign key.
-- Runs as the owner: callers have no write access to the counts. Each branch names only the
-- transition tables its event has (PL/pgSQL plans a statement when it first runs it).
create function private.count_ticket_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'TRUNCATE' then
    delete from private.ticket_stat_counts;
  elsif tg_op = 'INSERT' then
    insert into private.ticket_stat_counts as c (organization_id, status, priority, unassigned, tickets)
    select n.handling_org_id, n.status, n.priority,
      n.assigned_team_id is null and n.assigned_employee_id is null, count(*)
    from new_rows n
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (organization_id, status, priority, unassigned)
      do update set tickets = c.tickets + excluded.tickets;
  elsif tg_op = 'DELETE' then
    insert into private.ticket_stat_counts as c (organization_id, status, priority, unassigned, tickets)
    select o.handling_org_id, o.status, o.priority,
      o.assigned_team_id is null and o.assigned_employee_id is null, -count(*)
    from old_rows o
    where exists (select 1 from public.organizations g where g.id = o.handling_org_id)
    group by 1, 2, 3, 4
    order by 1, 2, 3, 4
    on conflict (organization_id, status, priority, unassigned)
      do update set tickets = c.tickets + excluded.tickets;
  else
    insert into private.ticket_stat_counts as c (organization_id, status, priority, unassigned, tickets)
    select d.organization_id, d.status, d.priority, d.unassigned, sum(d.delta)
    from (
      select o.handling_org_id as organization_id, o.status, o.priority,
        o.assigned_team_id is null and o.assigned_employee_id is null as unassigned, -1 as delta
      from old_rows o
      union all
      select n.handling_org_id, n.status, n.priority,
        n.assigned_team_id is null and n.assigned_employee_id is null, 1
      from new_rows n
    ) d
    where exists (select 1 from public.organizations g where g.id = d.organization_id)
    group by 1, 2, 3, 4
    having sum(d.delta) <> 0
    order by 1, 2, 3, 4
    on conflict (organization_id, status, priority, unassigned)
      do update set tickets = c.tickets + excluded.tickets;
  end if;
  return null;
end;
$$;

comment on function private.count_ticket_changes() is
  'Trigger: applies a ticket statement''s changes to private.ticket_stat_counts, in key order.';
revoke execute on function private.count_ticket_changes() from public, anon, authenticated;

create trigger count_inserted_tickets
  after insert on public.tickets
  referencing new table as new_rows
  for each statement execute function private.count_ticket_changes();

create trigger count_updated_tickets
  after update on public.tickets
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.count_ticket_changes();

create trigger count_deleted_tickets
  after delete on public.tickets
  referencing old table as old_rows
  for each statement execute function private.count_ticket_changes();

create trigger count_truncated_tickets
  after truncate on public.tickets
  for each statement execute function private.count_ticket_changes();

-- For loads that bypass triggers (session_replication_role = replica): recount from scratch.
-- Blocks ticket writes (not reads) while it runs, so no change slips between the count and the swap.
create function private.rebuild_ticket_stat_counts()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  lock table public.tickets in share mode;
  delete from private.ticket_stat_counts;
  insert into private.ticket_stat_counts (organization_id, status, priority, unassigned, tickets)
  select t.handling_org_id, t.status, t.priority,
    t.assigned_team_id is null and t.assigned_employee_id is null, count(*)
  from public.tickets t
  group by 1, 2, 3, 4;
end;
$$;

comment on function private.rebuild_ticket_stat_counts() is
  'Recounts private.ticket_stat_counts from public.tickets; run after loading tickets with triggers off.';
revoke execute on function private.rebuild_ticket_stat_counts() from public, anon, authenticated;

select private.rebuild_ticket_stat_counts();
