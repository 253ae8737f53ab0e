-- Routing and assignment, the behaviour. Every decision is made by triggers inside the
-- transaction that creates or changes the ticket, so every path (the BFF, PostgREST, SQL) routes
-- and assigns the same way, and a rolled-back request leaves no half-made decision.
--
-- * A new ticket is routed before it is stored (BEFORE INSERT): the first matching rule, else the
--   organization's default team; if that team assigns automatically, an available member with
--   room is chosen at once, else the ticket waits in the team's queue. The row is stored final:
--   version 1, one ticket_created broadcast.
-- * Capacity freed (an assigned open ticket resolved, closed, deleted, reassigned or moved; a member made
--   available, added, or given more capacity; a strategy turned on) assigns the team's queue at
--   once, highest priority first, then longest waiting.
-- * Each team's decisions are serialized by its assignment lock (its team_assignment_settings
--   row, locked FOR UPDATE), taken before any ticket of the team, so loads are counted exactly
--   and no ticket is assigned twice. Every API path that changes who holds a ticket takes the
--   team first (updateTicket, claims, member and team removal), so the queue may wait for a
--   queued ticket someone is commenting on or editing without a deadlock, and never skips one.
-- * Changes these triggers make to tickets run at trigger depth 2 and are the database's own:
--   the per-role checks of tickets_check_change apply to what a person asks (depth 1), not to
--   the queue assigning a ticket because a requester closed another.
-- * The history explains each decision: `routed` (which rule, or the default team), the public
--   team change, `assignment_changed` with `assigned_by` (round_robin, least_loaded, claim or
--   manual; `over_capacity` when an admin assigned past it; `reason` when the database took a
--   ticket back), and `queued` when no one could take it.

-- Open tickets count towards capacity and may wait in a queue.
create function private.is_open_status(p_status text)
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  return p_status in ('open', 'in_progress', 'waiting_on_customer');
end;
$$;

comment on function private.is_open_status(text) is
  'Whether a ticket in this status is open work: open, in_progress or waiting_on_customer.';

create function private.priority_rank(p_priority text)
returns smallint
language plpgsql
immutable
set search_path = ''
as $$
begin
  return case p_priority when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'urgent' then 4 end;
end;
$$;

comment on function private.priority_rank(text) is 'low 1, medium 2, high 3, urgent 4; null for anything else.';

-- listTickets' search: every white-space separated word must occur, case-insensitively, with
-- % _ \ matching themselves. Routing keywords match with exactly these patterns.
create function private.search_patterns(p_q text)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg('%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%'), '{}')
    from regexp_split_to_table(btrim(coalesce(p_q, '')), '\s+') w
    where w <> ''
  );
end;
$$;

comment on function private.search_patterns(text) is
  'The ILIKE patterns listTickets'' search uses for q; a text matches when it is ILIKE all of them.';

-- Why the database assigned or took back a ticket, handed from the trigger that decides to the
-- trigger that writes the history (a BEFORE INSERT trigger cannot write events: the ticket is
-- not stored yet). Kept per ticket id in a transaction-local setting, taken once.
create function private.note_assignment(p_ticket_id uuid, p_note jsonb)
returns void
language plpgsql
volatile
set search_path = ''
as $$
begin
  perform set_config(
    'helpdesk.assignment_notes',
    (coalesce(nullif(current_setting('helpdesk.assignment_notes', true), '')::jsonb, '{}')
      || jsonb_build_object(p_ticket_id::text, p_note))::text,
    true
  );
end;
$$;

create function private.take_assignment_note(p_ticket_id uuid)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
  v_notes jsonb := nullif(current_setting('helpdesk.assignment_notes', true), '')::jsonb;
begin
  if v_notes is null or not v_notes ? p_ticket_id::text then
    return null;
  end if;
  perform set_config('helpdesk.assignment_notes', (v_notes - p_ticket_id::text)::text, true);
  return v_notes -> p_ticket_id::text;
end;
$$;

comment on function private.note_assignment(uuid, jsonb) is
  'Leaves why a ticket is being assigned for the history trigger (transaction-local).';
comment on function private.take_assignment_note(uuid) is
  'Returns and forgets the note private.note_assignment left for the ticket; null if none.';
revoke execute on function private.note_assignment(uuid, jsonb) from public, anon;
revoke execute on function private.take_assignment_note(uuid) from public, anon;
grant execute on function private.note_assignment(uuid, jsonb) to authenticated;
grant execute on function private.take_assignment_note(uuid) to authenticated;

-- The team's assignment lock. Returns its settings (a row of nulls for an unknown team).
-- The helpers on the create path are plpgsql, not SQL: SQL functions with a search_path are
-- planned again on every call, plpgsql keeps its plans for the session.
create function private.lock_team_assignment(p_team_id uuid)
returns public.team_assignment_settings
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_settings public.team_assignment_settings;
begin
  select s.* into v_settings from public.team_assignment_settings s where s.team_id = p_team_id for update;
  return v_settings;
end;
$$;

comment on function private.lock_team_assignment(uuid) is
  'Takes the team''s assignment lock until the transaction ends; returns its settings.';

-- The assignment locks of several teams of one organization, in team id order (the order every
-- path takes them in). For update_ticket, which passes the organization of a ticket the caller
-- can read; runs as the owner because requesters cannot read team settings.
create function private.lock_assignment_teams(p_org_id uuid, p_team_ids uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  perform 1
  from public.team_assignment_settings s
  where s.organization_id = p_org_id and s.team_id = any (p_team_ids)
  order by s.team_id
  for update;
end;
$$;

comment on function private.lock_assignment_teams(uuid, uuid[]) is
  'Takes the assignment locks of the organization''s given teams, in team id order.';
revoke execute on function private.lock_assignment_teams(uuid, uuid[]) from public, anon;
grant execute on function private.lock_assignment_teams(uuid, uuid[]) to authenticated;
revoke execute on function private.lock_team_assignment(uuid) from public, anon, authenticated;

-- Each member of a team with what assignment looks at. Runs as the caller: staff reading
-- teamWorkload see only their organizations' teams.
create function private.team_agents(p_team_id uuid)
returns table (
  user_id uuid, availability text, capacity integer, capacity_override integer,
  open_assigned integer, last_assigned_seq bigint
)
language sql
stable
set search_path = ''
as $$
  select tm.user_id, m.availability, coalesce(tm.capacity, s.default_capacity), tm.capacity,
    tm.open_assigned, tm.last_assigned_seq
  from public.team_members tm
  join public.team_assignment_settings s on s.team_id = tm.team_id
  join public.organization_members m on m.organization_id = tm.organization_id and m.user_id = tm.user_id
  where tm.team_id = p_team_id
$$;

comment on function private.team_agents(uuid) is
  'Per member of the team: availability, capacity (override or default), open tickets assigned in the team, round-robin position.';
revoke execute on function private.team_agents(uuid) from public, anon;
grant execute on function private.team_agents(uuid) to authenticated;
grant select (last_assigned_seq) on table public.team_members to authenticated;

-- Each member's open tickets of the team (team_members.open_assigned), kept as tickets change.
-- Every change that moves a count holds the team's assignment lock (or is the database's own,
-- under it), so a count read under the lock is exact.
create function private.count_team_load()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op in ('UPDATE', 'DELETE') and old.assigned_team_id is not null
    and old.assigned_employee_id is not null and private.is_open_status(old.status) then
    update public.team_members tm
    set open_assigned = tm.open_assigned - 1
    where tm.team_id = old.assigned_team_id and tm.user_id = old.assigned_employee_id;
  end if;
  if tg_op = 'UPDATE' and new.assigned_team_id is not null
    and new.assigned_employee_id is not null and private.is_open_status(new.status) then
    update public.team_members tm
    set open_assigned = tm.open_assigned + 1
    where tm.team_id = new.assigned_team_id and tm.user_id = new.assigned_employee_id;
  end if;
  return null;
end;
$$;

comment on function private.count_team_load() is
  'Trigger: keeps team_members.open_assigned as tickets are reassigned, resolved, reopened, moved or deleted (route_new_ticket counts new ones).';
revoke execute on function private.count_team_load() from public, anon, authenticated;

-- A new ticket is counted by route_new_ticket.
create trigger count_team_load_after_update
  after update of status, assigned_team_id, assigned_employee_id on public.tickets
  for each row
  when (
    old.assigned_team_id is distinct from new.assigned_team_id
    or old.assigned_employee_id is distinct from new.assigned_employee_id
    or (old.status in ('open', 'in_progress', 'waiting_on_customer'))
      <> (new.status in ('open', 'in_progress', 'waiting_on_customer'))
  )
  execute function private.count_team_load();

create trigger count_team_load_after_delete
  after delete on public.tickets
  for each row
  when (old.assigned_team_id is not null and old.assigned_employee_id is not null)
  execute function private.count_team_load();

-- Whether the team may give the member one more ticket: available and below capacity, not
-- counting p_ticket_id (the ticket being assigned, when it is already theirs).
create function private.has_room(p_team_id uuid, p_user_id uuid, p_ticket_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select m.availability = 'available'
      and tm.open_assigned - (
        select count(*) from public.tickets t
        where t.id = p_ticket_id and t.assigned_team_id = p_team_id and t.assigned_employee_id = p_user_id
          and t.status in ('open', 'in_progress', 'waiting_on_customer')
      ) < coalesce(tm.capacity, s.default_capacity)
    from public.team_members tm
    join public.team_assignment_settings s on s.team_id = tm.team_id
    join public.organization_members m on m.organization_id = tm.organization_id and m.user_id = tm.user_id
    where tm.team_id = p_team_id and tm.user_id = p_user_id
  ), false);
end;
$$;

comment on function private.has_room(uuid, uuid, uuid) is
  'Whether the member is available and below capacity in the team (not counting the given ticket).';
revoke execute on function private.has_room(uuid, uuid, uuid) from public, anon;
grant execute on function private.has_room(uuid, uuid, uuid) to authenticated;

-- The member the strategy chooses next, or null: only available members below capacity.
-- round_robin: the one chosen least recently; least_loaded: the most spare capacity, then the
-- one chosen least recently. Ties end on user_id, so the choice is deterministic.
create function private.next_assignee(p_team_id uuid, p_strategy text)
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_user_id uuid;
begin
  if p_strategy not in ('round_robin', 'least_loaded') then
    return null;
  end if;
  select a.user_id into v_user_id
  from (
    select tm.user_id, tm.last_assigned_seq, coalesce(tm.capacity, s.default_capacity) - tm.open_assigned as spare
    from public.team_members tm
    join public.team_assignment_settings s on s.team_id = tm.team_id
    join public.organization_members m on m.organization_id = tm.organization_id and m.user_id = tm.user_id
    where tm.team_id = p_team_id and m.availability = 'available'
  ) a
  where a.spare > 0
  order by
    case when p_strategy = 'least_loaded' then a.spare end desc nulls last,
    a.last_assigned_seq nulls first,
    a.user_id
  limit 1;
  return v_user_id;
end;
$$;

comment on function private.next_assignee(uuid, text) is
  'The available member below capacity the strategy picks next; null for manual or when nobody has room.';
revoke execute on function private.next_assignee(uuid, text) from public, anon, authenticated;

-- Moves the team's round-robin turn past the member. Call with the team's lock held.
create function private.take_assignment_turn(p_team_id uuid, p_user_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  update public.team_members tm
  set last_assigned_seq = nextval('private.assignment_turns')
  where tm.team_id = p_team_id and tm.user_id = p_user_id;
end;
$$;

comment on function private.take_assignment_turn(uuid, uuid) is
  'Records that the team just assigned a ticket to the member automatically (round-robin order).';
revoke execute on function private.take_assignment_turn(uuid, uuid) from public, anon, authenticated;

-- Assigns the team's queue while its strategy finds members with room; returns how many.
create function private.assign_from_queue(p_team_id uuid)
returns integer
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  v_settings public.team_assignment_settings := private.lock_team_assignment(p_team_id);
  v_assignee uuid;
  v_ticket_id uuid;
  v_assigned integer := 0;
begin
  if v_settings.strategy is null or v_settings.strategy = 'manual' then
    return 0;
  end if;
  loop
    -- The member first, so a team with nobody free locks no ticket.
    v_assignee := private.next_assignee(p_team_id, v_settings.strategy);
    exit when v_assignee is null;

    select t.id into v_ticket_id
    from public.tickets t
    where t.assigned_team_id = p_team_id
      and t.assigned_employee_id is null
      and t.status in ('open', 'in_progress', 'waiting_on_customer')
    order by t.priority_rank desc, t.created_at, t.id
    limit 1
    for no key update;
    exit when v_ticket_id is null;

    perform private.take_assignment_turn(p_team_id, v_assignee);
    perform private.note_assignment(v_ticket_id, jsonb_build_object(
      'assigned_by', v_settings.strategy, 'from_queue', true, 'system', true
    ));
    update public.tickets t set assigned_employee_id = v_assignee where t.id = v_ticket_id;
    v_assigned := v_assigned + 1;
  end loop;
  return v_assigned;
end;
$$;

comment on function private.assign_from_queue(uuid) is
  'Assigns the team''s queued tickets (priority, then waiting time) while members have room; returns the count.';
revoke execute on function private.assign_from_queue(uuid) from public, anon, authenticated;

-- The first rule of the organization, by position, whose given conditions all hold.
create function private.matching_routing_rule(
  p_org_id uuid, p_priority text, p_text text, p_requester_id uuid
)
returns public.routing_rules
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_rule public.routing_rules;
begin
  select r.* into v_rule
  from public.routing_rules r
  where r.organization_id = p_org_id
    and (r.priorities is null or p_priority = any (r.priorities))
    and (r.requester_domains is null or exists (
      select 1
      from auth.users u
      cross join lateral (select lower(substring(u.email from '@([^@]*)$')) as domain) q
      join unnest(r.requester_domains) d on q.domain = d or right(q.domain, char_length(d) + 1) = '.' || d
      where u.id = p_requester_id and u.email_confirmed_at is not null
    ))
    and (r.keywords is null or exists (
      select 1 from unnest(r.keywords) k
      where p_text ilike all (private.search_patterns(k))
    ))
  order by r.position
  limit 1;
  return v_rule;
end;
$$;

comment on function private.matching_routing_rule(uuid, text, text, uuid) is
  'The organization''s first routing rule (by position) matching the priority, text and requester; null if none.';
revoke execute on function private.matching_routing_rule(uuid, text, text, uuid) from public, anon, authenticated;

-- BEFORE INSERT: route the new ticket and assign it if its team does that automatically.
create function private.route_new_ticket()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_rule public.routing_rules;
  v_team_id uuid;
  v_note jsonb;
  v_settings public.team_assignment_settings;
begin
  -- A maintenance insert (service_role) that places the ticket itself is left as it is, and only
  -- counted (a new ticket's count is kept here rather than by count_team_load, so a routed
  -- ticket updates its assignee's row once).
  if new.assigned_team_id is not null or new.assigned_employee_id is not null then
    if new.assigned_team_id is not null and new.assigned_employee_id is not null
      and private.is_open_status(new.status) then
      update public.team_members tm
      set open_assigned = tm.open_assigned + 1
      where tm.team_id = new.assigned_team_id and tm.user_id = new.assigned_employee_id;
      perform private.note_assignment(new.id, jsonb_build_object(
        'counted', true, 'preset', true, 'team_id', new.assigned_team_id, 'assignee_id', new.assigned_employee_id
      ));
    end if;
    return new;
  end if;

  v_rule := private.matching_routing_rule(
    new.handling_org_id, new.priority, new.subject || ' ' || new.description, new.user_id
  );
  if v_rule.id is not null then
    v_team_id := v_rule.team_id;
    v_note := jsonb_build_object('routed_by', 'rule', 'rule_id', v_rule.id, 'rule_name', v_rule.name);
    if private.priority_rank(v_rule.set_priority) > private.priority_rank(new.priority) then
      v_note := v_note || jsonb_build_object('priority_from', new.priority, 'priority_to', v_rule.set_priority);
      new.priority := v_rule.set_priority;
    end if;
  else
    select s.team_id into v_team_id
    from public.team_assignment_settings s
    where s.organization_id = new.handling_org_id and s.is_default;
    if v_team_id is null then
      return new;
    end if;
    v_note := jsonb_build_object('routed_by', 'default_team');
  end if;

  v_settings := private.lock_team_assignment(v_team_id);
  new.assigned_team_id := v_team_id;
  new.assigned_employee_id := private.next_assignee(v_team_id, v_settings.strategy);
  if new.assigned_employee_id is not null then
    -- Its turn and its count, in one update of the member's row.
    update public.team_members tm
    set last_assigned_seq = nextval('private.assignment_turns'), open_assigned = tm.open_assigned + 1
    where tm.team_id = v_team_id and tm.user_id = new.assigned_employee_id;
  end if;
  perform private.note_assignment(new.id, v_note || jsonb_build_object(
    'strategy', v_settings.strategy, 'counted', new.assigned_employee_id is not null,
    'team_id', new.assigned_team_id, 'assignee_id', new.assigned_employee_id
  ));
  return new;
end;
$$;

comment on function private.route_new_ticket() is
  'Trigger: routes a new ticket to a team by the first matching rule or the default team, and assigns it by the team''s strategy.';
revoke execute on function private.route_new_ticket() from public, anon, authenticated;

create trigger route_new_ticket
  before insert on public.tickets
  for each row execute function private.route_new_ticket();

-- AFTER INSERT: the history of the routing decision (after the created event).
create function private.record_ticket_routing()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_note jsonb := private.take_assignment_note(new.id);
  v_team_name text;
begin
  if v_note is null or new.assigned_team_id is null or (v_note ->> 'preset')::boolean then
    return null;
  end if;
  select t.name into v_team_name from public.teams t where t.id = new.assigned_team_id;

  -- One statement: the routing, the public team change, and the assignment or the wait.
  insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value, is_internal)
  select new.id, null, x.kind, x.old_value, x.new_value, x.is_internal
  from (values
    (1, 'routed', null::jsonb, jsonb_strip_nulls(jsonb_build_object(
      'routed_by', v_note ->> 'routed_by',
      'rule_id', v_note -> 'rule_id',
      'rule_name', v_note -> 'rule_name',
      'team_id', new.assigned_team_id,
      'team_name', v_team_name,
      'priority_from', v_note -> 'priority_from',
      'priority_to', v_note -> 'priority_to'
    )), true),
    -- The team change requesters see, as when staff assign one.
    (2, 'assignment_changed', jsonb_build_object('team_id', null, 'team_name', null),
      jsonb_build_object('team_id', new.assigned_team_id, 'team_name', v_team_name), false),
    (3, 'assignment_changed', jsonb_build_object('employee_id', null, 'display_name', null),
      jsonb_build_object(
        'employee_id', new.assigned_employee_id,
        'display_name', (select p.display_name from public.profiles p where p.id = new.assigned_employee_id),
        'assigned_by', v_note ->> 'strategy'
      ), true),
    (4, 'queued', null, jsonb_build_object(
      'team_id', new.assigned_team_id, 'team_name', v_team_name, 'reason', 'no_agent_available'
    ), true)
  ) x (step, kind, old_value, new_value, is_internal)
  where x.step <= 2
    or (x.step = 3 and new.assigned_employee_id is not null)
    or (x.step = 4 and new.assigned_employee_id is null and v_note ->> 'strategy' <> 'manual')
  order by x.step;
  return null;
end;
$$;

comment on function private.record_ticket_routing() is
  'Trigger: records how a new ticket was routed, assigned or queued.';
revoke execute on function private.record_ticket_routing() from public, anon, authenticated;

create trigger record_routing
  after insert on public.tickets
  for each row execute function private.record_ticket_routing();

-- AFTER each INSERT statement: a row route_new_ticket counted that was not stored (INSERT ... ON
-- CONFLICT skipped it, or made it an update of the existing ticket) still has its note; its
-- count is given back, so no insert can make an agent look busier than their tickets.
create function private.uncount_unstored_tickets()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_notes jsonb := nullif(current_setting('helpdesk.assignment_notes', true), '')::jsonb;
  v_ticket_id text;
  v_note jsonb;
begin
  if v_notes is null or v_notes = '{}' then
    return null;
  end if;
  for v_ticket_id, v_note in select * from jsonb_each(v_notes) loop
    if (v_note ->> 'counted')::boolean and v_note ? 'team_id' then
      update public.team_members tm
      set open_assigned = tm.open_assigned - 1
      where tm.team_id = (v_note ->> 'team_id')::uuid and tm.user_id = (v_note ->> 'assignee_id')::uuid;
      perform private.take_assignment_note(v_ticket_id::uuid);
    end if;
  end loop;
  return null;
end;
$$;

comment on function private.uncount_unstored_tickets() is
  'Statement trigger: gives back the counts of new tickets an INSERT ... ON CONFLICT did not store.';
revoke execute on function private.uncount_unstored_tickets() from public, anon, authenticated;

create trigger uncount_unstored_tickets
  after insert on public.tickets
  for each statement execute function private.uncount_unstored_tickets();

-- The per-role rules apply to what a person asks (trigger depth 1); changes the database's own
-- triggers make (the queue, requeueing, a removed member's tickets) are not a person's request.
-- As in 20261130140000_name_function_parameters_like_the_api.sql, with that condition added.
create or replace function private.tickets_check_change(p_old public.tickets, p_new public.tickets)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if (select auth.uid()) is not null and pg_trigger_depth() <= 1
    and not private.is_org_staff(p_old.handling_org_id) then
    if p_new.priority is distinct from p_old.priority then
      raise exception 'Only staff of the handling organization can change the priority.'
        using errcode = 'PT403', hint = 'priority';
    end if;
    if p_new.assigned_team_id is distinct from p_old.assigned_team_id then
      raise exception 'Only staff of the handling organization can assign a team.'
        using errcode = 'PT403', hint = 'assigned_team_id';
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
        using errcode = 'PT403', hint = 'assigned_employee_id';
    end if;
    if p_new.status is distinct from p_old.status
      and not (
        p_new.status = 'closed'
        or (p_new.status = 'open' and p_old.status in ('resolved', 'closed'))
      ) then
      raise exception 'Requesters can only close their ticket or reopen a resolved or closed one.'
        using errcode = 'PT403', hint = 'status';
    end if;
  end if;

  if p_new.assigned_team_id is not null and not exists (
    select 1 from public.teams t
    where t.id = p_new.assigned_team_id and t.organization_id = p_new.handling_org_id
  ) then
    raise exception 'The team does not belong to the organization handling this ticket.'
      using errcode = 'PT422', hint = 'assigned_team_id';
  end if;

  if p_new.assigned_employee_id is not null and not exists (
    select 1 from public.organization_members m
    where m.organization_id = p_new.handling_org_id and m.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not staff of the organization handling this ticket.'
      using errcode = 'PT422', hint = 'assigned_employee_id';
  end if;

  if p_new.assigned_team_id is not null and p_new.assigned_employee_id is not null and not exists (
    select 1 from public.team_members tm
    where tm.team_id = p_new.assigned_team_id and tm.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not a member of the assigned team; assign a team member or change the team.'
      using errcode = 'PT422', hint = 'assigned_employee_id';
  end if;
end;
$$;

-- BEFORE UPDATE, after before_update: a person's change to who holds a ticket, or to whether it
-- is open, takes the teams' assignment locks (in team id order) and keeps capacity: in a team
-- that assigns automatically, an assignee must be available and below capacity (an admin may
-- assign anyway; the history says over_capacity), and a ticket reopened for an assignee who
-- is not goes back to the queue.
create function private.guard_ticket_assignment()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team_id uuid;
  v_strategy text;
begin
  if pg_trigger_depth() > 1
    or ((new.assigned_team_id, new.assigned_employee_id) is not distinct from (old.assigned_team_id, old.assigned_employee_id)
      and private.is_open_status(new.status) = private.is_open_status(old.status)) then
    return new;
  end if;

  for v_team_id in
    select distinct x from unnest(array[old.assigned_team_id, new.assigned_team_id]) x where x is not null order by x
  loop
    perform private.lock_team_assignment(v_team_id);
  end loop;

  if new.assigned_team_id is null or new.assigned_employee_id is null or not private.is_open_status(new.status) then
    return new;
  end if;
  select s.strategy into v_strategy from public.team_assignment_settings s where s.team_id = new.assigned_team_id;
  if v_strategy = 'manual' or private.has_room(new.assigned_team_id, new.assigned_employee_id, new.id) then
    return new;
  end if;

  if (new.assigned_team_id, new.assigned_employee_id) is not distinct from (old.assigned_team_id, old.assigned_employee_id) then
    -- Reopened for an assignee who is away or full: the team's queue takes it.
    perform private.note_assignment(new.id, jsonb_build_object('system', true, 'reason', 'assignee_unavailable'));
    new.assigned_employee_id := null;
    return new;
  end if;
  if private.is_org_admin(new.handling_org_id) then
    perform private.note_assignment(new.id, jsonb_build_object('assigned_by', 'manual',
      case when exists (
        select 1 from public.organization_members m
        where m.organization_id = new.handling_org_id and m.user_id = new.assigned_employee_id
          and m.availability <> 'available'
      ) then 'while_unavailable' else 'over_capacity' end, true));
    return new;
  end if;
  raise exception 'The assignee is not available or has no room for another ticket of this team; an admin may assign anyway.'
    using errcode = 'PT409', hint = 'assigned_employee_id', detail = 'assignee_unavailable';
end;
$$;

comment on function private.guard_ticket_assignment() is
  'Trigger: takes the teams'' assignment locks for a change of assignment or openness, and keeps capacity and availability.';
revoke execute on function private.guard_ticket_assignment() from public, anon, authenticated;

create trigger guard_assignment
  before update of status, assigned_team_id, assigned_employee_id on public.tickets
  for each row execute function private.guard_ticket_assignment();

-- Status, priority, details and assignment changes, as in 20261123230600_create_ticket_events.sql;
-- an employee assignment now says how it was made (assigned_by), and a change the database made
-- (the queue, requeueing) has no actor and says why (reason).
create or replace function private.record_ticket_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := (select auth.uid());
  v_old_details jsonb := '{}';
  v_new_details jsonb := '{}';
  v_note jsonb;
begin
  if new.status is distinct from old.status then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'status_changed',
      jsonb_build_object('status', old.status), jsonb_build_object('status', new.status));
  end if;

  if new.priority is distinct from old.priority then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'priority_changed',
      jsonb_build_object('priority', old.priority), jsonb_build_object('priority', new.priority));
  end if;

  if new.subject is distinct from old.subject then
    v_old_details := v_old_details || jsonb_build_object('subject', old.subject);
    v_new_details := v_new_details || jsonb_build_object('subject', new.subject);
  end if;
  if new.description is distinct from old.description then
    v_old_details := v_old_details || jsonb_build_object('description', old.description);
    v_new_details := v_new_details || jsonb_build_object('description', new.description);
  end if;
  if v_new_details <> '{}' then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'details_changed', v_old_details, v_new_details);
  end if;

  if new.assigned_team_id is distinct from old.assigned_team_id then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value, is_internal)
    values (
      new.id, v_actor, 'assignment_changed',
      jsonb_build_object(
        'team_id', old.assigned_team_id,
        'team_name', (select t.name from public.teams t where t.id = old.assigned_team_id)
      ),
      jsonb_build_object(
        'team_id', new.assigned_team_id,
        'team_name', (select t.name from public.teams t where t.id = new.assigned_team_id)
      ),
      false
    );
  end if;

  if new.assigned_employee_id is distinct from old.assigned_employee_id then
    v_note := coalesce(private.take_assignment_note(new.id), '{}');
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value, is_internal)
    values (
      new.id,
      case when (v_note ->> 'system')::boolean then null else v_actor end,
      'assignment_changed',
      jsonb_build_object(
        'employee_id', old.assigned_employee_id,
        'display_name', (select p.display_name from public.profiles p where p.id = old.assigned_employee_id)
      ),
      jsonb_build_object(
        'employee_id', new.assigned_employee_id,
        'display_name', (select p.display_name from public.profiles p where p.id = new.assigned_employee_id)
      ) || jsonb_strip_nulls(jsonb_build_object(
        'assigned_by', case when new.assigned_employee_id is not null
          then coalesce(v_note ->> 'assigned_by', 'manual') end,
        'over_capacity', v_note -> 'over_capacity',
        'while_unavailable', v_note -> 'while_unavailable',
        'from_queue', v_note -> 'from_queue',
        'reason', v_note -> 'reason'
      )),
      true
    );
  end if;

  return null;
end;
$$;

-- AFTER each UPDATE or DELETE statement (after every row's history is written): the teams where
-- a ticket gave back its place (an assigned open ticket resolved, closed, deleted, reassigned
-- or moved) or joined the queue assign their queues, in team id order; a ticket that joined an
-- automatic team's queue and is still waiting is recorded as queued. Per statement, not per
-- row: when one statement returns several tickets to a queue, the queue sees them all and
-- assigns them in its order, after their own events.
create function private.assign_after_ticket_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team_id uuid;
begin
  if tg_op = 'DELETE' then
    for v_team_id in
      select distinct o.assigned_team_id
      from old_rows o
      where o.assigned_team_id is not null and o.assigned_employee_id is not null
        and private.is_open_status(o.status)
      order by 1
    loop
      perform private.assign_from_queue(v_team_id);
    end loop;
    return null;
  end if;

  for v_team_id in
    select o.assigned_team_id
    from old_rows o
    join new_rows n on n.id = o.id
    where o.assigned_team_id is not null and o.assigned_employee_id is not null
      and private.is_open_status(o.status)
      and ((n.assigned_team_id, n.assigned_employee_id) is distinct from (o.assigned_team_id, o.assigned_employee_id)
        or not private.is_open_status(n.status))
    union
    select n.assigned_team_id
    from old_rows o
    join new_rows n on n.id = o.id
    where n.assigned_team_id is not null and n.assigned_employee_id is null and private.is_open_status(n.status)
      and not (o.assigned_team_id is not distinct from n.assigned_team_id
        and o.assigned_employee_id is null and private.is_open_status(o.status))
    order by 1
  loop
    perform private.assign_from_queue(v_team_id);
  end loop;

  insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
  select t.id, null, 'queued',
    jsonb_build_object('team_id', t.assigned_team_id, 'team_name', team.name, 'reason', 'no_agent_available'),
    true
  from old_rows o
  join new_rows n on n.id = o.id
  join public.tickets t on t.id = n.id
  join public.team_assignment_settings s on s.team_id = t.assigned_team_id
  join public.teams team on team.id = t.assigned_team_id
  where n.assigned_team_id is not null and n.assigned_employee_id is null and private.is_open_status(n.status)
    and not (o.assigned_team_id is not distinct from n.assigned_team_id
      and o.assigned_employee_id is null and private.is_open_status(o.status))
    and t.assigned_team_id = n.assigned_team_id and t.assigned_employee_id is null
    and private.is_open_status(t.status)
    and s.strategy <> 'manual'
  order by t.id;
  return null;
end;
$$;

comment on function private.assign_after_ticket_changes() is
  'Statement trigger: gives freed capacity to the teams'' queues and records tickets left waiting in one.';
revoke execute on function private.assign_after_ticket_changes() from public, anon, authenticated;

create trigger route_queued_tickets
  after update on public.tickets
  referencing old table as old_rows new table as new_rows
  for each statement execute function private.assign_after_ticket_changes();

create trigger route_queued_tickets_after_delete
  after delete on public.tickets
  referencing old table as old_rows
  for each statement execute function private.assign_after_ticket_changes();

-- A member's availability: available assigns the queues of their teams; away or offline returns
-- their open tickets to the queue in teams that ask for it (tickets someone is changing right
-- now are left to that change).
create function private.apply_availability()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_team_id uuid;
  v_settings public.team_assignment_settings;
  v_ticket_id uuid;
  v_ticket_ids uuid[];
begin
  for v_team_id in
    select tm.team_id from public.team_members tm
    where tm.organization_id = new.organization_id and tm.user_id = new.user_id
    order by tm.team_id
  loop
    if new.availability = 'available' then
      perform private.assign_from_queue(v_team_id);
      continue;
    end if;
    v_settings := private.lock_team_assignment(v_team_id);
    continue when not coalesce(v_settings.requeue_when_away, false);
    select coalesce(array_agg(x.id order by x.id), '{}') into v_ticket_ids
    from (
      select t.id from public.tickets t
      where t.assigned_team_id = v_team_id
        and t.assigned_employee_id = new.user_id
        and t.status in ('open', 'in_progress', 'waiting_on_customer')
      order by t.id
      for no key update
    ) x;
    foreach v_ticket_id in array v_ticket_ids loop
      perform private.note_assignment(v_ticket_id, jsonb_build_object(
        'system', true, 'reason', 'assignee_' || new.availability
      ));
    end loop;
    -- One statement, so the queue then assigns them all in its own order.
    update public.tickets t set assigned_employee_id = null where t.id = any (v_ticket_ids);
  end loop;
  return null;
end;
$$;

comment on function private.apply_availability() is
  'Trigger: a member made available takes queued tickets; made away or offline, returns theirs where the team requeues.';
revoke execute on function private.apply_availability() from public, anon, authenticated;

create trigger apply_availability
  after update of availability on public.organization_members
  for each row
  when (old.availability is distinct from new.availability)
  execute function private.apply_availability();

-- More room in a team (a member added or given more capacity, a strategy turned on, a higher
-- default capacity) assigns its queue.
create function private.assign_queue_of_changed_team()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.assign_from_queue(new.team_id);
  return null;
end;
$$;

comment on function private.assign_queue_of_changed_team() is
  'Trigger: assigns the team''s queue after its members, capacities or strategy changed.';
revoke execute on function private.assign_queue_of_changed_team() from public, anon, authenticated;

create trigger assign_queue
  after insert on public.team_members
  for each row execute function private.assign_queue_of_changed_team();

create trigger assign_queue_after_capacity_change
  after update of capacity on public.team_members
  for each row
  when (old.capacity is distinct from new.capacity)
  execute function private.assign_queue_of_changed_team();

create trigger assign_queue
  after update of strategy, default_capacity on public.team_assignment_settings
  for each row
  when (old.strategy is distinct from new.strategy or old.default_capacity is distinct from new.default_capacity)
  execute function private.assign_queue_of_changed_team();
