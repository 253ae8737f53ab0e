-- Routing and assignment, the data: routing rules per organization, an assignment strategy and
-- capacity per team, a capacity override per team member, and each staff member's availability.
-- Everything here is readable by the organization's staff only; customers see none of it by any
-- path (they see a ticket's team, as before). The behaviour is in
-- 20261130170100_route_and_assign_tickets.sql, the API in 20261130170200_create_routing_api.sql.

-- Availability: set by each staff member for themself (set_my_availability), per organization.
alter table public.organization_members
  add column availability text not null default 'available'
    check (availability in ('available', 'away', 'offline'));

comment on column public.organization_members.availability is
  'available, away or offline; automatic assignment and claiming choose only available staff.';
grant select (availability) on table public.organization_members to authenticated;

-- Capacity: the most open tickets (open, in progress, waiting on customer) the team assigns to
-- the member; null takes the team's default. last_assigned_seq orders round robin.
alter table public.team_members
  add column capacity integer check (capacity between 0 and 1000),
  add column last_assigned_seq bigint,
  add column open_assigned integer not null default 0 check (open_assigned >= 0);

comment on column public.team_members.capacity is
  'Most open tickets of this team assigned to the member (0 to 1000); null: the team''s default_capacity.';
comment on column public.team_members.open_assigned is
  'The member''s open tickets of this team, kept by triggers on tickets; what automatic assignment compares with capacity.';
comment on column public.team_members.last_assigned_seq is
  'When automatic assignment last chose this member (private.assignment_turns); round robin picks the lowest.';

-- Numbers the automatic assignments, so round robin knows who was chosen least recently. One
-- sequence for every team: only the order within a team matters.
create sequence private.assignment_turns;
grant select (capacity, open_assigned) on table public.team_members to authenticated;

update public.team_members tm
set open_assigned = load.tickets
from (
  select t.assigned_team_id, t.assigned_employee_id, count(*) as tickets
  from public.tickets t
  where t.assigned_employee_id is not null and t.status in ('open', 'in_progress', 'waiting_on_customer')
  group by 1, 2
) load
where tm.team_id = load.assigned_team_id and tm.user_id = load.assigned_employee_id;
-- Capacities change through set_member_capacity only (it takes the team's lock first).

-- One row per team, made with the team. Locking it (select ... for update) is the team's
-- assignment lock: every automatic assignment, claim and capacity-bound manual assignment in the
-- team holds it, so loads are counted and changed one decision at a time.
create table public.team_assignment_settings (
  team_id uuid primary key,
  organization_id uuid not null,
  strategy text not null default 'manual' check (strategy in ('manual', 'round_robin', 'least_loaded')),
  default_capacity integer not null default 10 check (default_capacity between 0 and 1000),
  requeue_when_away boolean not null default false,
  is_default boolean not null default false,
  updated_at timestamptz not null default now(),
  constraint team_assignment_settings_team_fkey foreign key (organization_id, team_id)
    references public.teams (organization_id, id) on delete cascade
);

comment on table public.team_assignment_settings is
  'How a team assigns its tickets: strategy, default capacity, requeue when away, whether it is the organization''s default team.';
comment on column public.team_assignment_settings.strategy is
  'manual (people assign), round_robin (the available member with room assigned least recently) or least_loaded (the one with the most spare capacity).';
comment on column public.team_assignment_settings.requeue_when_away is
  'When a member becomes away or offline, their open tickets of this team go back to its queue.';
comment on column public.team_assignment_settings.is_default is
  'Tickets no routing rule matches go to this team (at most one per organization).';

create unique index team_assignment_settings_default_key
  on public.team_assignment_settings (organization_id) where is_default;
create unique index team_assignment_settings_organization_id_team_id_key
  on public.team_assignment_settings (organization_id, team_id);

insert into public.team_assignment_settings (team_id, organization_id)
select t.id, t.organization_id from public.teams t;

create function private.create_team_assignment_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.team_assignment_settings (team_id, organization_id) values (new.id, new.organization_id);
  return null;
end;
$$;

comment on function private.create_team_assignment_settings() is
  'Trigger: gives a new team its assignment settings (manual, capacity 10).';
revoke execute on function private.create_team_assignment_settings() from public, anon, authenticated;

create trigger create_assignment_settings
  after insert on public.teams
  for each row execute function private.create_team_assignment_settings();

alter table public.team_assignment_settings enable row level security;
revoke all on table public.team_assignment_settings from public, anon, authenticated;
grant select (team_id, organization_id, strategy, default_capacity, requeue_when_away, is_default, updated_at)
  on table public.team_assignment_settings to authenticated;
grant update (strategy, default_capacity, requeue_when_away, is_default, updated_at)
  on table public.team_assignment_settings to authenticated;
grant all on table public.team_assignment_settings to service_role;

create policy "Staff read their organizations' team assignment settings"
  on public.team_assignment_settings
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins change their organizations' team assignment settings"
  on public.team_assignment_settings
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));

-- What a stored keyword or requester domain may be, whoever writes the rule: a keyword is 1 to
-- 100 characters on one line (no control characters, no line or paragraph separators) without
-- surrounding white space (an empty one would match every ticket), as the BFF's single-line
-- text; a domain is a lowercase domain name (the requester's is compared lowercased).
create function private.valid_routing_keywords(p_keywords text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(bool_and(
    k is not null and char_length(k) between 1 and 100
    and k !~ '^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
    and k !~ '[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$'
    and k !~ '[[:cntrl:]\u0080-\u009f\u2028\u2029]'
  ), true)
  from unnest(p_keywords) k
$$;

create function private.valid_routing_domains(p_domains text[])
returns boolean
language sql
immutable
set search_path = ''
as $$
  select coalesce(bool_and(
    d is not null and char_length(d) <= 253 and d ~ '^([a-z0-9-]+\.)+[a-z]{2,63}$'
  ), true)
  from unnest(p_domains) d
$$;

comment on function private.valid_routing_keywords(text[]) is
  'Each keyword is 1 to 100 characters, without control characters or surrounding white space.';
comment on function private.valid_routing_domains(text[]) is
  'Each requester domain is a lowercase domain name such as example.com.';

-- Routing rules: ordered per organization, first match wins. A condition left null is not
-- checked; one given is a non-empty list, and every given condition must hold.
create table public.routing_rules (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (private.valid_routing_keywords(array[name])),
  position integer not null check (position > 0),
  priorities text[] check (
    cardinality(priorities) between 1 and 4
    and priorities <@ array['low', 'medium', 'high', 'urgent']
  ),
  keywords text[] check (cardinality(keywords) between 1 and 20 and private.valid_routing_keywords(keywords)),
  requester_domains text[] check (
    cardinality(requester_domains) between 1 and 20 and private.valid_routing_domains(requester_domains)
  ),
  team_id uuid not null,
  set_priority text check (set_priority in ('low', 'medium', 'high', 'urgent')),
  version integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint routing_rules_organization_id_name_key unique (organization_id, name),
  -- Deferred so a reorder can move every position in one statement.
  constraint routing_rules_organization_id_position_key unique (organization_id, position)
    deferrable initially deferred,
  -- A rule routes only to a team of its own organization; deleting the team deletes its rules.
  constraint routing_rules_team_fkey foreign key (organization_id, team_id)
    references public.teams (organization_id, id) on delete cascade
);

comment on table public.routing_rules is
  'Routes new tickets to a team: the first rule, by position, whose given conditions all hold.';
comment on column public.routing_rules.priorities is
  'The ticket''s priority (as submitted) is one of these; null: any priority.';
comment on column public.routing_rules.keywords is
  'One of these is found in the subject or description the way listTickets'' search finds it; null: any text.';
comment on column public.routing_rules.requester_domains is
  'The requester''s email domain is one of these or a subdomain of one; null: any requester.';
comment on column public.routing_rules.set_priority is
  'Raise the ticket to this priority (never lowers it); null: keep it.';

create index routing_rules_team_id_idx on public.routing_rules (organization_id, team_id, id);

-- At most 100 rules per organization (each new ticket tries them all), whoever writes. The
-- version and the times are the database's to keep, as on tickets, whoever writes: a change
-- of what a rule does (name, conditions, team, set_priority) moves the version by one; a move to
-- another position (another rule added, deleted or reordered) does not.
create function private.routing_rules_before_write()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if (select count(*) from public.routing_rules r where r.organization_id = new.organization_id) >= 100 then
      raise exception 'An organization has at most 100 routing rules.' using errcode = 'PT422', hint = 'org_id';
    end if;
    new.version := 1;
    new.created_at := now();
    new.updated_at := now();
  elsif new.id <> old.id or new.organization_id <> old.organization_id or new.created_at <> old.created_at then
    raise exception 'A routing rule''s id, organization and creation time cannot change.' using errcode = 'PT422';
  elsif (new.name, new.priorities, new.keywords, new.requester_domains, new.team_id, new.set_priority)
    is distinct from (old.name, old.priorities, old.keywords, old.requester_domains, old.team_id, old.set_priority) then
    new.version := old.version + 1;
    new.updated_at := now();
  else
    new.version := old.version;
    new.updated_at := old.updated_at;
  end if;
  return new;
end;
$$;

comment on function private.routing_rules_before_write() is
  'Trigger: keeps a routing rule''s version, created_at and updated_at.';
revoke execute on function private.routing_rules_before_write() from public, anon, authenticated;

create trigger before_write
  before insert or update on public.routing_rules
  for each row execute function private.routing_rules_before_write();

-- Positions stay 1..n, however rules go (deleteRoutingRule, a direct delete, their team deleted).
create function private.close_routing_rule_gaps()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.lock_routing_rules(x.organization_id)
  from (select distinct o.organization_id from old_rows o order by 1) x;
  update public.routing_rules r
  set "position" = ranked.n
  from (
    select x.id, row_number() over (partition by x.organization_id order by x."position", x.id) as n
    from public.routing_rules x
    where x.organization_id in (select o.organization_id from old_rows o)
  ) ranked
  where r.id = ranked.id and r."position" <> ranked.n;
  return null;
end;
$$;

comment on function private.close_routing_rule_gaps() is
  'Statement trigger: renumbers the positions of the organizations whose rules were deleted.';
revoke execute on function private.close_routing_rule_gaps() from public, anon, authenticated;

create trigger close_gaps
  after delete on public.routing_rules
  referencing old table as old_rows
  for each statement execute function private.close_routing_rule_gaps();

alter table public.routing_rules enable row level security;
revoke all on table public.routing_rules from public, anon, authenticated;
grant select, insert, update, delete on table public.routing_rules to authenticated;
grant all on table public.routing_rules to service_role;

create policy "Staff read their organizations' routing rules"
  on public.routing_rules
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Admins add routing rules to their organizations"
  on public.routing_rules
  for insert
  to authenticated
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins change their organizations' routing rules"
  on public.routing_rules
  for update
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()))
  with check (organization_id in (select private.my_admin_org_ids()));

create policy "Admins delete their organizations' routing rules"
  on public.routing_rules
  for delete
  to authenticated
  using (organization_id in (select private.my_admin_org_ids()));

-- A team's queue (its open unassigned tickets, highest priority first, then longest waiting)
-- reads one small index.
create unique index tickets_team_queue_idx
  on public.tickets (assigned_team_id, priority_rank desc, created_at, id)
  where assigned_team_id is not null and assigned_employee_id is null
    and status in ('open', 'in_progress', 'waiting_on_customer');

-- The history explains routing: which rule (or the default team) routed a ticket, and why it
-- waits in a queue. Both are internal: requesters see the team change, as before.
alter table public.ticket_events drop constraint ticket_events_kind_check;
alter table public.ticket_events add constraint ticket_events_kind_check check (
  kind in (
    'created', 'status_changed', 'priority_changed', 'assignment_changed', 'comment_added', 'details_changed',
    'attachment_added', 'attachment_removed', 'routed', 'queued'
  )
);
