-- Tickets: numbered per organization, assigned only inside their organization, guarded by triggers.

create table public.tickets (
  id uuid primary key default gen_random_uuid(),
  handling_org_id uuid not null references public.organizations (id) on delete cascade,
  number integer not null check (number > 0),
  user_id uuid not null references public.profiles (id) on delete cascade,
  subject text not null check (char_length(btrim(subject)) between 1 and 200),
  description text not null default '' check (char_length(description) <= 10000),
  status text not null default 'open'
    check (status in ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')),
  priority text not null default 'medium' check (priority in ('low', 'medium', 'high', 'urgent')),
  priority_rank smallint generated always as (
    case priority when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'urgent' then 4 end
  ) stored,
  assigned_team_id uuid,
  assigned_employee_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  resolved_at timestamptz,
  closed_at timestamptz,
  version integer not null default 1,
  constraint tickets_handling_org_id_number_key unique (handling_org_id, number),
  constraint tickets_team_fkey foreign key (handling_org_id, assigned_team_id)
    references public.teams (organization_id, id) on delete set null (assigned_team_id),
  constraint tickets_assignee_fkey foreign key (handling_org_id, assigned_employee_id)
    references public.organization_members (organization_id, user_id) on delete set null (assigned_employee_id),
  constraint tickets_team_assignee_fkey foreign key (handling_org_id, assigned_team_id, assigned_employee_id)
    references public.team_members (organization_id, team_id, user_id) on delete set null (assigned_employee_id)
);

comment on table public.tickets is 'A support request from a user (the requester) to the handling organization.';
comment on column public.tickets.number is 'Human ticket number, 1, 2, ... per handling organization.';
comment on column public.tickets.priority_rank is 'Sort key for priority: urgent 4, high 3, medium 2, low 1.';
comment on column public.tickets.version is 'Optimistic concurrency token, incremented by every substantive update.';

-- Every btree index ends in id: each is unique by construction and gives keyset pagination a total order.
create unique index tickets_org_created_idx on public.tickets (handling_org_id, created_at, id);
create unique index tickets_org_updated_idx on public.tickets (handling_org_id, updated_at, id);
create unique index tickets_org_priority_idx on public.tickets (handling_org_id, priority_rank, created_at, id);
create unique index tickets_org_status_idx on public.tickets (handling_org_id, status, created_at, id);
create unique index tickets_org_assignee_idx
  on public.tickets (handling_org_id, assigned_employee_id, created_at, id);
create unique index tickets_org_team_idx
  on public.tickets (handling_org_id, assigned_team_id, assigned_employee_id, created_at, id);
create unique index tickets_requester_idx on public.tickets (user_id, created_at, id);
-- Word and partial-word search over subject and description (list_tickets matches this expression).
create index tickets_search_idx
  on public.tickets using gin ((subject || ' ' || description) extensions.gin_trgm_ops);

-- Per-organization counter row; `insert ... on conflict do update ... returning` serializes
-- concurrent submissions on the row lock, so numbers are unique and gapless.
create table private.ticket_counters (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  last_number integer not null check (last_number > 0)
);

comment on table private.ticket_counters is 'Last ticket number handed out per organization.';

alter table public.tickets enable row level security;
alter table private.ticket_counters enable row level security;

revoke all on table public.tickets, private.ticket_counters from public, anon, authenticated;
grant select on table public.tickets to authenticated;
grant insert (handling_org_id, user_id, subject, description, priority) on table public.tickets to authenticated;
grant update (subject, description, status, priority, assigned_team_id, assigned_employee_id, version)
  on table public.tickets to authenticated;
grant select, insert, update on table private.ticket_counters to authenticated;
grant all on table public.tickets, private.ticket_counters to service_role;

create policy "Requesters and staff of the handling org read tickets"
  on public.tickets
  for select
  to authenticated
  using (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()));

create policy "Users submit tickets as themselves"
  on public.tickets
  for insert
  to authenticated
  with check (user_id = (select auth.uid()) and private.can_submit_to(handling_org_id));

create policy "Requesters and staff of the handling org update tickets"
  on public.tickets
  for update
  to authenticated
  using (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()))
  with check (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()));

create policy "Submitters read counters of organizations they may submit to"
  on private.ticket_counters
  for select
  to authenticated
  using (private.can_submit_to(organization_id));

create policy "Submitters start counters of organizations they may submit to"
  on private.ticket_counters
  for insert
  to authenticated
  with check (private.can_submit_to(organization_id));

create policy "Submitters advance counters of organizations they may submit to"
  on private.ticket_counters
  for update
  to authenticated
  using (private.can_submit_to(organization_id))
  with check (private.can_submit_to(organization_id));

-- New tickets start open, unassigned, at version 1, with the next number of their organization.
create function private.tickets_before_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  insert into private.ticket_counters as c (organization_id, last_number)
  values (new.handling_org_id, 1)
  on conflict (organization_id) do update set last_number = c.last_number + 1
  returning c.last_number into new.number;

  new.status := 'open';
  new.version := 1;
  new.created_at := now();
  new.updated_at := now();
  new.resolved_at := null;
  new.closed_at := null;
  return new;
end;
$$;

comment on function private.tickets_before_insert() is 'Trigger: numbers a new ticket and sets its initial state.';
revoke execute on function private.tickets_before_insert() from public, anon, authenticated;

create trigger before_insert
  before insert on public.tickets
  for each row execute function private.tickets_before_insert();

-- Raises when a change breaks the role rules or puts an assignment outside the organization.
-- Runs as the owner so it can see memberships regardless of the caller's policies.
create function private.tickets_check_change(p_old public.tickets, p_new public.tickets)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null and not private.is_org_staff(p_old.handling_org_id) then
    if p_new.priority is distinct from p_old.priority then
      raise exception 'Only staff of the handling organization can change the priority.'
        using errcode = 'TK403', hint = 'priority';
    end if;
    if p_new.assigned_team_id is distinct from p_old.assigned_team_id then
      raise exception 'Only staff of the handling organization can assign a team.'
        using errcode = 'TK403', hint = 'assigned_team_id';
    end if;
    if p_new.assigned_employee_id is distinct from p_old.assigned_employee_id
      and not (
        -- the assignee just left the organization: the foreign key clears the assignment
        p_new.assigned_employee_id is null
        and not exists (
          select 1 from public.organization_members m
          where m.organization_id = p_old.handling_org_id and m.user_id = p_old.assigned_employee_id
        )
      ) then
      raise exception 'Only staff of the handling organization can assign an employee.'
        using errcode = 'TK403', hint = 'assigned_employee_id';
    end if;
    if p_new.status is distinct from p_old.status
      and not (
        p_new.status = 'closed'
        or (p_new.status = 'open' and p_old.status in ('resolved', 'closed'))
      ) then
      raise exception 'Requesters can only close their ticket or reopen a resolved or closed one.'
        using errcode = 'TK403', hint = 'status';
    end if;
  end if;

  if p_new.assigned_team_id is not null and not exists (
    select 1 from public.teams t
    where t.id = p_new.assigned_team_id and t.organization_id = p_new.handling_org_id
  ) then
    raise exception 'The team does not belong to the organization handling this ticket.'
      using errcode = '22023', hint = 'assigned_team_id';
  end if;

  if p_new.assigned_employee_id is not null and not exists (
    select 1 from public.organization_members m
    where m.organization_id = p_new.handling_org_id and m.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not staff of the organization handling this ticket.'
      using errcode = '22023', hint = 'assigned_employee_id';
  end if;

  if p_new.assigned_team_id is not null and p_new.assigned_employee_id is not null and not exists (
    select 1 from public.team_members tm
    where tm.team_id = p_new.assigned_team_id and tm.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not a member of the assigned team; assign a team member or change the team.'
      using errcode = '22023', hint = 'assigned_employee_id';
  end if;
end;
$$;

comment on function private.tickets_check_change(public.tickets, public.tickets) is
  'Enforces who may change what on a ticket, and that assignments stay inside its organization.';
revoke execute on function private.tickets_check_change(public.tickets, public.tickets) from public, anon;
grant execute on function private.tickets_check_change(public.tickets, public.tickets) to authenticated;

create function private.tickets_before_update()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.id <> old.id
    or new.handling_org_id <> old.handling_org_id
    or new.user_id <> old.user_id
    or new.number <> old.number
    or new.created_at <> old.created_at then
    raise exception 'A ticket''s id, number, organization, requester and creation time cannot change.'
      using errcode = '22023';
  end if;

  -- Touching only updated_at (a new comment) is not a change of the ticket itself.
  if (new.subject, new.description, new.status, new.priority,
      new.assigned_team_id, new.assigned_employee_id, new.version)
    is not distinct from
     (old.subject, old.description, old.status, old.priority,
      old.assigned_team_id, old.assigned_employee_id, old.version) then
    return new;
  end if;

  perform private.tickets_check_change(old, new);

  if new.status is distinct from old.status then
    if new.status = 'resolved' then
      new.resolved_at := now();
      new.closed_at := null;
    elsif new.status = 'closed' then
      new.closed_at := now();
    else
      new.resolved_at := null;
      new.closed_at := null;
    end if;
  end if;

  new.version := old.version + 1;
  new.updated_at := now();
  return new;
end;
$$;

comment on function private.tickets_before_update() is
  'Trigger: guards ticket changes, keeps resolved_at/closed_at, version and updated_at.';
revoke execute on function private.tickets_before_update() from public, anon, authenticated;

create trigger before_update
  before update on public.tickets
  for each row execute function private.tickets_before_update();
