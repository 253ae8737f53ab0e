-- Routing and assignment, the API (server actions of the same names in camelCase). Functions
-- run as the caller (security invoker), so the policies of 20261130170000 decide who may read
-- and change what; the assignment internals they call take the team's lock.

-- JSON of a routing rule, as every routing action returns it.
create function private.routing_rule_json(p_rule public.routing_rules)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_rule.id,
    'organization_id', p_rule.organization_id,
    'name', p_rule.name,
    'position', p_rule.position,
    'conditions', jsonb_strip_nulls(jsonb_build_object(
      'priorities', to_jsonb(p_rule.priorities),
      'keywords', to_jsonb(p_rule.keywords),
      'requester_domains', to_jsonb(p_rule.requester_domains)
    )),
    'team_id', p_rule.team_id,
    'set_priority', p_rule.set_priority,
    'version', p_rule.version,
    'created_at', p_rule.created_at,
    'updated_at', p_rule.updated_at
  )
$$;

comment on function private.routing_rule_json(public.routing_rules) is 'The API''s JSON for a routing rule.';

-- One condition list from a rule's conditions object: absent or null is "not checked"; given,
-- a non-empty array of strings.
create function private.condition_list(p_conditions jsonb, p_key text, p_max integer)
returns text[]
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_value jsonb := p_conditions -> p_key;
  v_list text[];
begin
  if v_value is null or jsonb_typeof(v_value) = 'null' then
    return null;
  end if;
  if jsonb_typeof(v_value) <> 'array' or jsonb_array_length(v_value) not between 1 and p_max
    or exists (select 1 from jsonb_array_elements(v_value) e where jsonb_typeof(e) <> 'string') then
    raise exception 'conditions.% must be a list of 1 to % strings; leave it out to match any.', p_key, p_max
      using errcode = 'PT422', hint = 'conditions.' || p_key;
  end if;
  -- Trimmed of the white space the BFF trims.
  select array_agg(regexp_replace(
    e, '^[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+|[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+$',
    '', 'g') order by o)
  into v_list
  from jsonb_array_elements_text(v_value) with ordinality x(e, o);
  return v_list;
end;
$$;

-- The three condition lists of a rule, checked and normalized (keywords trimmed, domains and
-- priorities lowercase as stored).
create function private.routing_conditions(
  p_conditions jsonb,
  out priorities text[],
  out keywords text[],
  out requester_domains text[]
)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_key text;
begin
  if p_conditions is null or jsonb_typeof(p_conditions) <> 'object' then
    raise exception 'The conditions must be an object with priorities, keywords or requester_domains.'
      using errcode = 'PT422', hint = 'conditions';
  end if;
  select k into v_key from jsonb_object_keys(p_conditions) k
  where k not in ('priorities', 'keywords', 'requester_domains') limit 1;
  if v_key is not null then
    raise exception 'Unknown condition "%"; use priorities, keywords or requester_domains.', v_key
      using errcode = 'PT422', hint = 'conditions.' || v_key;
  end if;

  priorities := private.condition_list(p_conditions, 'priorities', 4);
  if exists (select 1 from unnest(priorities) p where p not in ('low', 'medium', 'high', 'urgent')) then
    raise exception 'Each priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'conditions.priorities';
  end if;
  select array_agg(distinct p order by p) into priorities from unnest(priorities) p;

  keywords := private.condition_list(p_conditions, 'keywords', 20);
  if not private.valid_routing_keywords(keywords) then
    raise exception 'Each keyword must be 1 to 100 characters long, without control characters.'
      using errcode = 'PT422', hint = 'conditions.keywords';
  end if;

  requester_domains := private.condition_list(p_conditions, 'requester_domains', 20);
  select array_agg(lower(d) order by o) into requester_domains
  from unnest(requester_domains) with ordinality x(d, o);
  if not private.valid_routing_domains(requester_domains) then
    raise exception 'Each requester domain must be a domain name such as example.com.'
      using errcode = 'PT422', hint = 'conditions.requester_domains';
  end if;
end;
$$;

comment on function private.routing_conditions(jsonb) is
  'Checks a routing rule''s conditions object; raises PT422 naming the condition.';
comment on function private.condition_list(jsonb, text, integer) is
  'One condition list of a rule: null when not given, else 1 to p_max trimmed strings (PT422 otherwise).';

create function private.require_routing_rule_fields(p_name text, p_set_priority text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if char_length(btrim(coalesce(p_name, ''))) not between 1 and 100 then
    raise exception 'The rule name must be 1 to 100 characters long.' using errcode = 'PT422', hint = 'name';
  end if;
  if p_set_priority is not null and p_set_priority not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'set_priority must be one of low, medium, high or urgent, or null to keep the priority.'
      using errcode = 'PT422', hint = 'set_priority';
  end if;
end;
$$;

-- The rule's team must be a team of the same organization.
create function private.require_team_of(p_org_id uuid, p_team_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_team_id is null or not exists (
    select 1 from public.teams t where t.id = p_team_id and t.organization_id = p_org_id
  ) then
    raise exception 'The team is not a team of this organization.' using errcode = 'PT422', hint = 'team_id';
  end if;
end;
$$;

-- Serializes changes to an organization's rules and default team, so positions stay 1..n.
create function private.lock_routing_rules(p_org_id uuid)
returns void
language sql
volatile
set search_path = ''
as $$
  select pg_advisory_xact_lock(hashtextextended('routing_rules ' || p_org_id::text, 0))
$$;

-- Rules per organization are few and all evaluated for each new ticket.
create function public.create_routing_rule(
  org_id uuid,
  name text,
  conditions jsonb,
  team_id uuid,
  set_priority text default null,
  "position" integer default null
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_conditions record;
  v_count integer;
  v_last integer;
  v_rule public.routing_rules;
begin
  perform private.require_admin(create_routing_rule.org_id);
  perform private.require_routing_rule_fields(create_routing_rule.name, create_routing_rule.set_priority);
  select * into v_conditions from private.routing_conditions(create_routing_rule.conditions);
  perform private.require_team_of(create_routing_rule.org_id, create_routing_rule.team_id);

  perform private.lock_routing_rules(create_routing_rule.org_id);
  select count(*), coalesce(max(r."position"), 0) into v_count, v_last
  from public.routing_rules r where r.organization_id = create_routing_rule.org_id;
  if v_count >= 100 then
    raise exception 'An organization has at most 100 routing rules.' using errcode = 'PT422', hint = 'org_id';
  end if;
  if create_routing_rule."position" is not null and create_routing_rule."position" not between 1 and v_last + 1 then
    raise exception 'The position must be between 1 and % (the end).', v_last + 1
      using errcode = 'PT422', hint = 'position';
  end if;

  update public.routing_rules r
  set "position" = r."position" + 1
  where r.organization_id = create_routing_rule.org_id and r."position" >= create_routing_rule."position";

  insert into public.routing_rules (
    organization_id, name, "position", priorities, keywords, requester_domains, team_id, set_priority
  )
  values (
    create_routing_rule.org_id, btrim(create_routing_rule.name),
    coalesce(create_routing_rule."position", v_last + 1),
    v_conditions.priorities, v_conditions.keywords, v_conditions.requester_domains,
    create_routing_rule.team_id, create_routing_rule.set_priority
  )
  returning * into v_rule;
  return private.routing_rule_json(v_rule);
exception when unique_violation then
  raise exception 'This organization already has a routing rule called "%".', btrim(create_routing_rule.name)
    using errcode = 'PT409', hint = 'name';
end;
$$;

-- The rule, for a change: 404 unless the caller is staff of its organization, 403 unless admin.
create function private.require_routing_rule_admin(p_rule_id uuid)
returns public.routing_rules
language plpgsql
stable
set search_path = ''
as $$
declare
  v_rule public.routing_rules;
begin
  select * into v_rule from public.routing_rules r where r.id = p_rule_id;
  if v_rule.id is null then
    raise exception 'The routing rule was not found.' using errcode = 'PT404', hint = 'rule_id';
  end if;
  perform private.require_admin(v_rule.organization_id);
  return v_rule;
end;
$$;

create function public.update_routing_rule(rule_id uuid, expected_version integer, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_rule public.routing_rules := private.require_routing_rule_admin(update_routing_rule.rule_id);
  v_key text;
  v_conditions record;
begin
  if update_routing_rule.expected_version is null then
    raise exception 'Send the version of the rule you are changing.' using errcode = 'PT422', hint = 'expected_version';
  end if;
  if update_routing_rule.changes is null or jsonb_typeof(update_routing_rule.changes) <> 'object'
    or update_routing_rule.changes = '{}' then
    raise exception 'The changes must be a JSON object naming name, conditions, team_id or set_priority.'
      using errcode = 'PT422', hint = 'changes';
  end if;
  select k into v_key from jsonb_object_keys(update_routing_rule.changes) k
  where k not in ('name', 'conditions', 'team_id', 'set_priority') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here; change name, conditions, team_id or set_priority (reorderRoutingRules moves rules).', v_key
      using errcode = 'PT422', hint = v_key;
  end if;
  if update_routing_rule.changes ? 'name' then
    if jsonb_typeof(update_routing_rule.changes -> 'name') is distinct from 'string' then
      raise exception 'The rule name must be 1 to 100 characters long.' using errcode = 'PT422', hint = 'name';
    end if;
    v_rule.name := btrim(update_routing_rule.changes ->> 'name');
  end if;
  if update_routing_rule.changes ? 'set_priority' then
    if jsonb_typeof(update_routing_rule.changes -> 'set_priority') not in ('string', 'null') then
      raise exception 'set_priority must be one of low, medium, high or urgent, or null to keep the priority.'
        using errcode = 'PT422', hint = 'set_priority';
    end if;
    v_rule.set_priority := update_routing_rule.changes ->> 'set_priority';
  end if;
  perform private.require_routing_rule_fields(v_rule.name, v_rule.set_priority);
  if update_routing_rule.changes ? 'conditions' then
    select * into v_conditions from private.routing_conditions(update_routing_rule.changes -> 'conditions');
    v_rule.priorities := v_conditions.priorities;
    v_rule.keywords := v_conditions.keywords;
    v_rule.requester_domains := v_conditions.requester_domains;
  end if;
  if update_routing_rule.changes ? 'team_id' then
    if jsonb_typeof(update_routing_rule.changes -> 'team_id') is distinct from 'string'
      or (update_routing_rule.changes ->> 'team_id') !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
      raise exception 'team_id must be the UUID of a team of this organization.' using errcode = 'PT422', hint = 'team_id';
    end if;
    v_rule.team_id := (update_routing_rule.changes ->> 'team_id')::uuid;
    perform private.require_team_of(v_rule.organization_id, v_rule.team_id);
  end if;

  update public.routing_rules r
  set name = v_rule.name, priorities = v_rule.priorities, keywords = v_rule.keywords,
    requester_domains = v_rule.requester_domains, team_id = v_rule.team_id,
    set_priority = v_rule.set_priority
  where r.id = update_routing_rule.rule_id and r.version = update_routing_rule.expected_version
  returning * into v_rule;
  if not found then
    select * into v_rule from public.routing_rules r where r.id = update_routing_rule.rule_id;
    raise exception 'The rule was changed by someone else (now at version %); review it and try again.', v_rule.version
      using errcode = 'PT409', hint = 'expected_version', detail = private.routing_rule_json(v_rule)::text;
  end if;
  return private.routing_rule_json(v_rule);
exception when unique_violation then
  raise exception 'This organization already has a routing rule called "%".', v_rule.name
    using errcode = 'PT409', hint = 'name';
end;
$$;

create function public.delete_routing_rule(rule_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_rule public.routing_rules := private.require_routing_rule_admin(delete_routing_rule.rule_id);
begin
  perform private.lock_routing_rules(v_rule.organization_id);
  -- The rules after it move up (private.close_routing_rule_gaps).
  delete from public.routing_rules r where r.id = delete_routing_rule.rule_id returning * into v_rule;
  if not found then
    raise exception 'The routing rule was not found.' using errcode = 'PT404', hint = 'rule_id';
  end if;
  return jsonb_build_object('id', v_rule.id, 'deleted', true);
end;
$$;

create function public.list_routing_rules(org_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.is_org_staff(list_routing_rules.org_id) then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;
  return jsonb_build_object(
    'rules', coalesce((
      select jsonb_agg(private.routing_rule_json(r) order by r."position")
      from public.routing_rules r
      where r.organization_id = list_routing_rules.org_id
    ), '[]'::jsonb),
    'default_team_id', (
      select s.team_id from public.team_assignment_settings s
      where s.organization_id = list_routing_rules.org_id and s.is_default
    )
  );
end;
$$;

-- rule_ids: every rule of the organization, once, in the new order.
create function public.reorder_routing_rules(org_id uuid, rule_ids uuid[])
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_admin(reorder_routing_rules.org_id);
  perform private.lock_routing_rules(reorder_routing_rules.org_id);
  if reorder_routing_rules.rule_ids is null
    or cardinality(reorder_routing_rules.rule_ids) <> (select count(distinct x) from unnest(reorder_routing_rules.rule_ids) x)
    or array(select x from unnest(reorder_routing_rules.rule_ids) x order by x)
      is distinct from array(
        select r.id from public.routing_rules r where r.organization_id = reorder_routing_rules.org_id order by r.id
      ) then
    raise exception 'List every routing rule of the organization exactly once, in the new order.'
      using errcode = 'PT422', hint = 'rule_ids';
  end if;
  update public.routing_rules r
  set "position" = x.o
  from unnest(reorder_routing_rules.rule_ids) with ordinality x(id, o)
  where r.id = x.id and r."position" <> x.o;
  return public.list_routing_rules(reorder_routing_rules.org_id);
end;
$$;

-- The caller's availability in one organization they are staff of.
create function public.set_my_availability(org_id uuid, status text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_member public.organization_members;
begin
  if set_my_availability.status is null or set_my_availability.status not in ('available', 'away', 'offline') then
    raise exception 'The availability must be available, away or offline.' using errcode = 'PT422', hint = 'status';
  end if;
  update public.organization_members m
  set availability = set_my_availability.status
  where m.organization_id = set_my_availability.org_id and m.user_id = (select auth.uid())
  returning * into v_member;
  if not found then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;
  return jsonb_build_object(
    'organization_id', v_member.organization_id, 'user_id', v_member.user_id, 'availability', v_member.availability
  );
end;
$$;

comment on function public.set_my_availability(uuid, text) is
  'Sets the caller''s own availability in an organization they are staff of (security definer: members have no other write to their membership).';

create function public.set_team_assignment(
  team_id uuid, strategy text, default_capacity integer, requeue_when_away boolean
)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_team_admin(set_team_assignment.team_id);
  if set_team_assignment.strategy is null or set_team_assignment.strategy not in ('manual', 'round_robin', 'least_loaded') then
    raise exception 'The strategy must be manual, round_robin or least_loaded.' using errcode = 'PT422', hint = 'strategy';
  end if;
  if set_team_assignment.default_capacity is null or set_team_assignment.default_capacity not between 0 and 1000 then
    raise exception 'The default capacity must be 0 to 1000 open tickets.' using errcode = 'PT422', hint = 'default_capacity';
  end if;
  if set_team_assignment.requeue_when_away is null then
    raise exception 'Say whether tickets return to the queue when their assignee is away.'
      using errcode = 'PT422', hint = 'requeue_when_away';
  end if;
  perform private.lock_team_assignment(set_team_assignment.team_id);
  update public.team_assignment_settings s
  set strategy = set_team_assignment.strategy, default_capacity = set_team_assignment.default_capacity,
    requeue_when_away = set_team_assignment.requeue_when_away, updated_at = now()
  where s.team_id = set_team_assignment.team_id;
  return public.team_workload(set_team_assignment.team_id);
end;
$$;

-- capacity null: the team's default again. Security definer: capacities change only here, after
-- the team's lock (a direct write would take the member's row first and could deadlock with an
-- assignment holding the team).
create function public.set_member_capacity(team_id uuid, user_id uuid, capacity integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_team_admin(set_member_capacity.team_id);
  if set_member_capacity.capacity not between 0 and 1000 then
    raise exception 'The capacity must be 0 to 1000 open tickets, or null for the team''s default.'
      using errcode = 'PT422', hint = 'capacity';
  end if;
  perform private.lock_team_assignment(set_member_capacity.team_id);
  update public.team_members tm
  set capacity = set_member_capacity.capacity
  where tm.team_id = set_member_capacity.team_id and tm.user_id = set_member_capacity.user_id;
  if not found then
    raise exception 'This person is not on the team.' using errcode = 'PT422', hint = 'user_id';
  end if;
  return public.team_workload(set_member_capacity.team_id);
end;
$$;

-- team_id null: no default team (tickets no rule matches stay without a team).
create function public.set_default_team(org_id uuid, team_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_admin(set_default_team.org_id);
  if set_default_team.team_id is not null then
    perform private.require_team_of(set_default_team.org_id, set_default_team.team_id);
  end if;
  perform private.lock_routing_rules(set_default_team.org_id);
  update public.team_assignment_settings s
  set is_default = false, updated_at = now()
  where s.organization_id = set_default_team.org_id and s.is_default
    and s.team_id is distinct from set_default_team.team_id;
  update public.team_assignment_settings s
  set is_default = true, updated_at = now()
  where s.team_id = set_default_team.team_id and not s.is_default;
  return public.list_routing_rules(set_default_team.org_id);
end;
$$;

-- The team's settings, each member's availability, load and capacity, and its queue's size.
create function public.team_workload(team_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_settings public.team_assignment_settings;
begin
  select s.team_id, s.organization_id, s.strategy, s.default_capacity, s.requeue_when_away, s.is_default, s.updated_at
  into v_settings.team_id, v_settings.organization_id, v_settings.strategy, v_settings.default_capacity,
    v_settings.requeue_when_away, v_settings.is_default, v_settings.updated_at
  from public.team_assignment_settings s
  where s.team_id = team_workload.team_id;
  if v_settings.team_id is null then
    raise exception 'The team was not found.' using errcode = 'PT404', hint = 'team_id';
  end if;
  return jsonb_build_object(
    'team_id', v_settings.team_id,
    'organization_id', v_settings.organization_id,
    'strategy', v_settings.strategy,
    'default_capacity', v_settings.default_capacity,
    'requeue_when_away', v_settings.requeue_when_away,
    'is_default', v_settings.is_default,
    'queued', (
      select count(*) from public.tickets t
      where t.assigned_team_id = team_workload.team_id and t.assigned_employee_id is null
        and t.status in ('open', 'in_progress', 'waiting_on_customer')
    ),
    'agents', coalesce((
      select jsonb_agg(jsonb_build_object(
        'user_id', a.user_id,
        'display_name', p.display_name,
        'availability', a.availability,
        'open_assigned', a.open_assigned,
        'capacity', a.capacity,
        'capacity_override', a.capacity_override
      ) order by p.display_name nulls last, a.user_id)
      from private.team_agents(team_workload.team_id) a
      left join public.profiles p on p.id = a.user_id
    ), '[]'::jsonb)
  );
end;
$$;

-- The team's queue in the order it is assigned: highest priority, then longest waiting. The
-- cursor is base64url JSON of the last row's priority rank, created_at and id.
create function public.list_team_queue(team_id uuid, "limit" integer default 25, cursor text default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_cursor jsonb;
  v_rank smallint;
  v_created timestamptz;
  v_id uuid;
  v_rows public.tickets[];
  v_last public.tickets;
  v_next text;
begin
  if not exists (select 1 from public.team_assignment_settings s where s.team_id = list_team_queue.team_id) then
    raise exception 'The team was not found.' using errcode = 'PT404', hint = 'team_id';
  end if;
  if list_team_queue."limit" is null or list_team_queue."limit" not between 1 and 100 then
    raise exception 'The limit must be 1 to 100.' using errcode = 'PT422', hint = 'limit';
  end if;
  if list_team_queue.cursor is not null then
    begin
      v_cursor := convert_from(decode(
        rpad(translate(list_team_queue.cursor, '-_', '+/'), (char_length(list_team_queue.cursor) + 3) / 4 * 4, '='),
        'base64'), 'UTF8')::jsonb;
      v_rank := (v_cursor ->> 'r')::smallint;
      v_created := (v_cursor ->> 'c')::timestamptz;
      v_id := (v_cursor ->> 'i')::uuid;
    exception when others then
      v_id := null;
    end;
    if v_rank is null or v_created is null or v_id is null then
      raise exception 'The cursor is not one this listing returned.' using errcode = 'PT422', hint = 'cursor';
    end if;
  end if;

  select coalesce(array_agg(q order by q.priority_rank desc, q.created_at, q.id), '{}') into v_rows
  from (
    select t.*
    from public.tickets t
    where t.assigned_team_id = list_team_queue.team_id
      and t.assigned_employee_id is null
      and t.status in ('open', 'in_progress', 'waiting_on_customer')
      and (v_id is null or (-t.priority_rank, t.created_at, t.id) > (-v_rank, v_created, v_id))
    order by t.priority_rank desc, t.created_at, t.id
    limit list_team_queue."limit" + 1
  ) q;

  if cardinality(v_rows) > list_team_queue."limit" then
    v_rows := v_rows[1:list_team_queue."limit"];
    v_last := v_rows[list_team_queue."limit"];
    v_next := rtrim(translate(encode(convert_to(
      jsonb_build_object('r', v_last.priority_rank, 'c', v_last.created_at, 'i', v_last.id)::text, 'UTF8'
    ), 'base64'), E'+/\n', '-_'), '=');
  end if;
  return jsonb_build_object(
    'items', coalesce((
      select jsonb_agg(private.ticket_json(v_rows[i]) order by i) from generate_subscripts(v_rows, 1) i
    ), '[]'::jsonb),
    'next_cursor', v_next
  );
end;
$$;

-- Pull the next ticket of a queue: the given team's, or the caller's team whose next ticket
-- comes first. The caller must be on the team, available and below capacity (409
-- assignee_unavailable). Returns {"ticket": null} when the queue is empty.
create function public.claim_next_ticket(team_id uuid default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_team_id uuid := claim_next_ticket.team_id;
  v_ticket public.tickets;
begin
  if v_user_id is null then
    raise exception 'Sign in to claim a ticket.' using errcode = '42501';
  end if;
  if v_team_id is not null then
    if not exists (select 1 from public.team_members tm where tm.team_id = v_team_id and tm.user_id = v_user_id) then
      if exists (select 1 from public.teams t where t.id = v_team_id and private.is_org_staff(t.organization_id)) then
        raise exception 'Only members of the team can claim its tickets.' using errcode = 'PT403', hint = 'team_id';
      end if;
      raise exception 'The team was not found.' using errcode = 'PT404', hint = 'team_id';
    end if;
  else
    -- The team whose queue comes first, among the caller's teams with room for them.
    select tm.team_id into v_team_id
    from public.team_members tm
    cross join lateral (
      select t.priority_rank, t.created_at, t.id
      from public.tickets t
      where t.assigned_team_id = tm.team_id and t.assigned_employee_id is null
        and t.status in ('open', 'in_progress', 'waiting_on_customer')
      order by t.priority_rank desc, t.created_at, t.id
      limit 1
    ) head
    where tm.user_id = v_user_id
    order by private.has_room(tm.team_id, v_user_id, null) desc, head.priority_rank desc, head.created_at, head.id
    limit 1;
    if v_team_id is null then
      return jsonb_build_object('ticket', null);
    end if;
  end if;

  perform private.lock_team_assignment(v_team_id);
  if not private.has_room(v_team_id, v_user_id, null) then
    raise exception 'You are not available or have no room for another ticket of this team.'
      using errcode = 'PT409', hint = 'team_id', detail = 'assignee_unavailable';
  end if;
  select t.* into v_ticket
  from public.tickets t
  where t.assigned_team_id = v_team_id and t.assigned_employee_id is null
    and t.status in ('open', 'in_progress', 'waiting_on_customer')
  order by t.priority_rank desc, t.created_at, t.id
  limit 1
  for no key update;
  if v_ticket.id is null then
    return jsonb_build_object('ticket', null);
  end if;

  perform private.note_assignment(v_ticket.id, jsonb_build_object('assigned_by', 'claim', 'from_queue', true));
  update public.tickets t set assigned_employee_id = v_user_id where t.id = v_ticket.id returning * into v_ticket;
  return jsonb_build_object('ticket', private.ticket_json(v_ticket));
end;
$$;

-- Removing people from teams and deleting teams: as in 20261130140000_name_function_parameters_like_the_api.sql,
-- taking the teams' assignment locks first. The removal unassigns the member's tickets, and
-- the queue then runs (it needs the team): holding the member's row while waiting for the
-- team would deadlock with an assignment that holds the team and counts on that row.
create or replace function public.remove_team_member(team_id uuid, user_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_team_admin(remove_team_member.team_id);
  perform private.lock_team_assignment(remove_team_member.team_id);
  delete from public.team_members tm where tm.team_id = remove_team_member.team_id and tm.user_id = remove_team_member.user_id;
  if not found then
    raise exception 'That user is not on this team.' using errcode = 'PT404', hint = 'user_id';
  end if;
  select * into v_team from public.teams t where t.id = remove_team_member.team_id;
  return private.team_json(v_team);
end;
$$;

create or replace function public.remove_member(org_id uuid, user_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
begin
  perform private.require_admin(remove_member.org_id);
  perform private.lock_assignment_teams(remove_member.org_id, array(
    select tm.team_id from public.team_members tm
    where tm.organization_id = remove_member.org_id and tm.user_id = remove_member.user_id
  ));
  delete from public.organization_members m where m.organization_id = remove_member.org_id and m.user_id = remove_member.user_id;
  if not found then
    raise exception 'That user is not a member of this organization.' using errcode = 'PT404', hint = 'user_id';
  end if;
  return jsonb_build_object('organization_id', remove_member.org_id, 'user_id', remove_member.user_id, 'removed', true);
end;
$$;

-- Also takes the organization's rule lock first: the team's rules go with it.
create or replace function public.delete_team(team_id uuid)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_org_id uuid := private.require_team_admin(delete_team.team_id);
  v_unassigned integer;
begin
  perform private.lock_routing_rules(v_org_id);
  perform private.lock_team_assignment(delete_team.team_id);
  select count(*) into v_unassigned
  from public.tickets t
  where t.handling_org_id = v_org_id and t.assigned_team_id = delete_team.team_id;
  delete from public.teams t where t.id = delete_team.team_id;
  return jsonb_build_object('id', delete_team.team_id, 'deleted', true, 'unassigned_tickets', v_unassigned);
end;
$$;

-- update_ticket: as in 20261130140000_name_function_parameters_like_the_api.sql, with two
-- changes. A change of assignment or openness takes the assignment locks of the ticket's teams
-- before the ticket's row, in the order the queue takes them, so an update never holds the
-- ticket while waiting for a team. And the answer is read after the update: the queue may
-- have assigned the ticket in the same transaction (a new version).
create or replace function public.update_ticket(ticket_id uuid, expected_version integer, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_key text;
  v_ticket public.tickets;
begin
  if update_ticket.ticket_id is null then
    raise exception 'Name the ticket to update.' using errcode = 'PT422', hint = 'ticket_id';
  end if;
  if update_ticket.expected_version is null then
    raise exception 'Send the version of the ticket you are changing.'
      using errcode = 'PT422', hint = 'expected_version';
  end if;
  if update_ticket.changes is null or jsonb_typeof(update_ticket.changes) <> 'object' then
    raise exception 'The changes must be a JSON object of the fields to change.'
      using errcode = 'PT422', hint = 'changes';
  end if;

  select k into v_key
  from jsonb_object_keys(update_ticket.changes) k
  where k not in ('subject', 'description', 'status', 'priority', 'assigned_team_id', 'assigned_employee_id')
  limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed; change subject, description, status, priority, assigned_team_id or assigned_employee_id.', v_key
      using errcode = 'PT422', hint = v_key;
  end if;

  if update_ticket.changes ? 'subject' and (
    jsonb_typeof(update_ticket.changes -> 'subject') is distinct from 'string'
    or char_length(btrim(update_ticket.changes ->> 'subject')) not between 1 and 200
  ) then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'subject';
  end if;
  if update_ticket.changes ? 'description' and (
    jsonb_typeof(update_ticket.changes -> 'description') is distinct from 'string'
    or char_length(update_ticket.changes ->> 'description') > 10000
  ) then
    raise exception 'The description must be text of at most 10000 characters.'
      using errcode = 'PT422', hint = 'description';
  end if;
  if update_ticket.changes ? 'status' and (update_ticket.changes ->> 'status') is not distinct from null
    or coalesce(update_ticket.changes ->> 'status', 'open')
      not in ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed') then
    raise exception 'The status must be one of open, in_progress, waiting_on_customer, resolved or closed.'
      using errcode = 'PT422', hint = 'status';
  end if;
  if update_ticket.changes ? 'priority' and (update_ticket.changes ->> 'priority') is not distinct from null
    or coalesce(update_ticket.changes ->> 'priority', 'low') not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'priority';
  end if;
  foreach v_key in array array['assigned_team_id', 'assigned_employee_id'] loop
    if update_ticket.changes ? v_key
      and jsonb_typeof(update_ticket.changes -> v_key) <> 'null'
      and (
        jsonb_typeof(update_ticket.changes -> v_key) <> 'string'
        or (update_ticket.changes ->> v_key) !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      ) then
      raise exception 'The field "%" must be a UUID, or null to unassign.', v_key
        using errcode = 'PT422', hint = v_key;
    end if;
  end loop;

  select * into v_ticket from public.tickets t where t.id = update_ticket.ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  -- Only a change of who holds the ticket, or of whether it is open, needs the teams.
  if update_ticket.changes ?| array['assigned_team_id', 'assigned_employee_id']
    or private.is_open_status(coalesce(update_ticket.changes ->> 'status', v_ticket.status))
      <> private.is_open_status(v_ticket.status) then
    perform private.lock_assignment_teams(v_ticket.handling_org_id, array[
      v_ticket.assigned_team_id,
      case when update_ticket.changes ? 'assigned_team_id' then (update_ticket.changes ->> 'assigned_team_id')::uuid end
    ]);
  end if;

  update public.tickets t
  set
    subject = case when update_ticket.changes ? 'subject' then btrim(update_ticket.changes ->> 'subject') else t.subject end,
    description = case when update_ticket.changes ? 'description' then update_ticket.changes ->> 'description' else t.description end,
    status = case when update_ticket.changes ? 'status' then update_ticket.changes ->> 'status' else t.status end,
    priority = case when update_ticket.changes ? 'priority' then update_ticket.changes ->> 'priority' else t.priority end,
    assigned_team_id = case
      when update_ticket.changes ? 'assigned_team_id' then (update_ticket.changes ->> 'assigned_team_id')::uuid
      else t.assigned_team_id
    end,
    assigned_employee_id = case
      when update_ticket.changes ? 'assigned_employee_id' then (update_ticket.changes ->> 'assigned_employee_id')::uuid
      else t.assigned_employee_id
    end,
    version = t.version + 1
  where t.id = update_ticket.ticket_id and t.version = update_ticket.expected_version
  returning * into v_ticket;

  if not found then
    select * into v_ticket from public.tickets t where t.id = update_ticket.ticket_id;
    if not found then
      raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
    end if;
    raise exception 'The ticket was changed by someone else (now at version %); review the current ticket and try again.', v_ticket.version
      using errcode = 'PT409', detail = private.ticket_json(v_ticket)::text, hint = 'expected_version';
  end if;

  -- The queue may have assigned it since (a later version): answer with what is stored.
  select * into v_ticket from public.tickets t where t.id = update_ticket.ticket_id;
  return private.ticket_json(v_ticket);
end;
$$;

revoke execute on function
  private.condition_list(jsonb, text, integer),
  private.routing_conditions(jsonb),
  private.require_routing_rule_fields(text, text),
  private.require_team_of(uuid, uuid),
  private.lock_routing_rules(uuid),
  private.require_routing_rule_admin(uuid),
  public.create_routing_rule(uuid, text, jsonb, uuid, text, integer),
  public.update_routing_rule(uuid, integer, jsonb),
  public.delete_routing_rule(uuid),
  public.list_routing_rules(uuid),
  public.reorder_routing_rules(uuid, uuid[]),
  public.set_my_availability(uuid, text),
  public.set_team_assignment(uuid, text, integer, boolean),
  public.set_member_capacity(uuid, uuid, integer),
  public.set_default_team(uuid, uuid),
  public.team_workload(uuid),
  public.list_team_queue(uuid, integer, text),
  public.claim_next_ticket(uuid)
from public, anon;
grant execute on function
  private.condition_list(jsonb, text, integer),
  private.routing_conditions(jsonb),
  private.require_routing_rule_fields(text, text),
  private.require_team_of(uuid, uuid),
  private.lock_routing_rules(uuid),
  private.require_routing_rule_admin(uuid),
  private.lock_team_assignment(uuid),
  public.create_routing_rule(uuid, text, jsonb, uuid, text, integer),
  public.update_routing_rule(uuid, integer, jsonb),
  public.delete_routing_rule(uuid),
  public.list_routing_rules(uuid),
  public.reorder_routing_rules(uuid, uuid[]),
  public.set_my_availability(uuid, text),
  public.set_team_assignment(uuid, text, integer, boolean),
  public.set_member_capacity(uuid, uuid, integer),
  public.set_default_team(uuid, uuid),
  public.team_workload(uuid),
  public.list_team_queue(uuid, integer, text),
  public.claim_next_ticket(uuid)
to authenticated, service_role;
