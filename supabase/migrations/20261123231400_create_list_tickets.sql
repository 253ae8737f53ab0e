-- API: list_tickets with filters, word and partial-word search, and keyset pagination. The
-- statement is assembled from fixed fragments only; every caller value is a bound parameter.
--
-- Why a security definer worker: under the tickets select policy the planner multiplied the
-- caller's `handling_org_id = $1` by the policy's `handling_org_id in (select private.my_org_ids())`,
-- expected ~1/1000 of the real rows, and, since ilike is not leakproof and so runs after the policy,
-- read and sorted a whole organization for every search (635 ms at 180k tickets, 10 ms without RLS).
--
-- private.list_visible_tickets runs as its owner and applies the select policy itself, decided once
-- up front: staff of p_org_id get `handling_org_id = p_org_id`, anyone else also `user_id = me`;
-- without p_org_id, `handling_org_id = any (my staff orgs) or user_id = me`. The planner then sees
-- ordinary filters with honest estimates. 11_read_performance.test.sql holds the function to the
-- policy for staff, a requester of another organization's ticket, another customer and anon;
-- a change to "Requesters and staff of the handling org read tickets" must change both.
-- public.list_tickets stays security invoker (what PostgREST exposes) and calls it.

create function private.list_visible_tickets(
  p_org_id uuid default null,
  p_status text[] default null,
  p_priority text[] default null,
  p_assigned_employee_id uuid default null,
  p_assigned_team_id uuid default null,
  p_unassigned boolean default false,
  p_q text default null,
  p_sort text default 'created_at',
  p_direction text default 'desc',
  p_limit integer default 25,
  p_cursor text default null
)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_sort text := lower(coalesce(p_sort, 'created_at'));
  v_direction text := lower(coalesce(p_direction, 'desc'));
  v_limit integer := coalesce(p_limit, 25);
  v_op text;
  v_cursor jsonb;
  v_after_time timestamptz;
  v_after_id uuid;
  v_after_rank smallint;
  v_cursor_ok boolean := true;
  v_patterns text[];
  v_sql text;
  v_ticket public.tickets;
  v_last public.tickets;
  v_items jsonb := '[]'::jsonb;
  v_count integer := 0;
  v_next text;
  v_uid uuid := (select auth.uid());
  v_staff_orgs uuid[];
  v_role text := current_setting('role');
  v_bypass_rls boolean;
begin
  if v_sort not in ('created_at', 'updated_at', 'priority') then
    raise exception 'Sort by created_at, updated_at or priority.' using errcode = '22023', hint = 'sort';
  end if;
  if v_direction not in ('asc', 'desc') then
    raise exception 'The direction must be asc or desc.' using errcode = '22023', hint = 'direction';
  end if;
  if v_limit not between 1 and 100 then
    raise exception 'The limit must be between 1 and 100.' using errcode = '22023', hint = 'limit';
  end if;
  if p_status is not null and not p_status <@ array['open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed'] then
    raise exception 'Each status must be one of open, in_progress, waiting_on_customer, resolved or closed.'
      using errcode = '22023', hint = 'status';
  end if;
  if p_priority is not null and not p_priority <@ array['low', 'medium', 'high', 'urgent'] then
    raise exception 'Each priority must be one of low, medium, high or urgent.'
      using errcode = '22023', hint = 'priority';
  end if;
  if char_length(p_q) > 200 then
    raise exception 'The search text must be at most 200 characters long.' using errcode = '22023', hint = 'q';
  end if;

  -- The cursor is base64url JSON naming the sort, the direction and the last row's sort key.
  if p_cursor is not null then
    begin
      v_cursor := convert_from(
        decode(
          rpad(translate(p_cursor, '-_', '+/'), (char_length(p_cursor) + 3) / 4 * 4, '='),
          'base64'
        ),
        'UTF8'
      )::jsonb;
      v_after_time := (v_cursor ->> 't')::timestamptz;
      v_after_id := (v_cursor ->> 'i')::uuid;
      v_after_rank := (v_cursor ->> 'r')::smallint;
      v_cursor_ok := v_cursor ->> 's' = v_sort
        and v_cursor ->> 'd' = v_direction
        and v_after_time is not null
        and v_after_id is not null
        and (v_sort <> 'priority' or v_after_rank is not null);
    exception when others then
      v_cursor_ok := false;
    end;
    if not coalesce(v_cursor_ok, false) then
      raise exception 'The cursor is not valid for this listing; start again from the first page.'
        using errcode = '22023', hint = 'cursor';
    end if;
  end if;

  -- Each search word must occur in the subject or description; % _ \ match themselves.
  select array_agg('%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%')
  into v_patterns
  from regexp_split_to_table(btrim(coalesce(p_q, '')), '\s+') w
  where w <> '';

  -- The select policy on tickets, applied here as a plain filter: requesters see their own
  -- tickets, staff see their organizations'. Roles that bypass RLS see everything, as before.
  select coalesce(array_agg(o), '{}') into v_staff_orgs from private.my_org_ids() o;
  select r.rolsuper or r.rolbypassrls into v_bypass_rls
  from pg_catalog.pg_roles r
  where r.rolname = case v_role when 'none' then session_user else v_role end;

  v_op := case v_direction when 'desc' then '<' else '>' end;
  v_sql := 'select t.* from public.tickets t where true';
  if not coalesce(v_bypass_rls, false) then
    if p_org_id is null then
      v_sql := v_sql || ' and (t.handling_org_id = any ($11) or t.user_id = $12)';
    elsif not p_org_id = any (v_staff_orgs) then
      v_sql := v_sql || ' and t.user_id = $12';
    end if;
  end if;
  if p_org_id is not null then
    v_sql := v_sql || ' and t.handling_org_id = $1';
  end if;
  if p_status is not null then
    v_sql := v_sql || ' and t.status = any ($2)';
  end if;
  if p_priority is not null then
    v_sql := v_sql || ' and t.priority = any ($3)';
  end if;
  if p_assigned_employee_id is not null then
    v_sql := v_sql || ' and t.assigned_employee_id = $4';
  end if;
  if p_assigned_team_id is not null then
    v_sql := v_sql || ' and t.assigned_team_id = $5';
  end if;
  if coalesce(p_unassigned, false) then
    v_sql := v_sql || ' and t.assigned_team_id is null and t.assigned_employee_id is null';
  end if;
  for i in 1 .. coalesce(cardinality(v_patterns), 0) loop
    v_sql := v_sql || format(' and (t.subject || '' '' || t.description) ilike ($6)[%s]', i);
  end loop;
  if p_cursor is not null then
    v_sql := v_sql || case v_sort
      when 'created_at' then format(' and (t.created_at, t.id) %s ($7, $8)', v_op)
      when 'updated_at' then format(' and (t.updated_at, t.id) %s ($7, $8)', v_op)
      else format(' and (t.priority_rank, t.created_at, t.id) %s ($9, $7, $8)', v_op)
    end;
  end if;
  v_sql := v_sql || case v_sort
    when 'created_at' then format(' order by t.created_at %1$s, t.id %1$s', v_direction)
    when 'updated_at' then format(' order by t.updated_at %1$s, t.id %1$s', v_direction)
    else format(' order by t.priority_rank %1$s, t.created_at %1$s, t.id %1$s', v_direction)
  end;
  v_sql := v_sql || ' limit $10';

  for v_ticket in execute v_sql
    using p_org_id, p_status, p_priority, p_assigned_employee_id, p_assigned_team_id,
      v_patterns, v_after_time, v_after_id, v_after_rank, v_limit + 1, v_staff_orgs, v_uid
  loop
    v_count := v_count + 1;
    exit when v_count > v_limit;
    v_items := v_items || jsonb_build_array(private.ticket_json(v_ticket));
    v_last := v_ticket;
  end loop;

  if v_count > v_limit then
    v_next := rtrim(
      translate(
        encode(
          convert_to(
            jsonb_build_object(
              's', v_sort,
              'd', v_direction,
              't', case v_sort when 'updated_at' then v_last.updated_at else v_last.created_at end,
              'i', v_last.id,
              'r', v_last.priority_rank
            )::text,
            'UTF8'
          ),
          'base64'
        ),
        E'+/\n',
        '-_'
      ),
      '='
    );
  end if;

  return jsonb_build_object('items', v_items, 'next_cursor', v_next);
end;
$$;

comment on function private.list_visible_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) is
  'list_tickets'' worker: runs as owner and applies the tickets select policy as explicit filters '
  '(see this migration''s header for why); keep it in step with that policy.';
revoke execute on function private.list_visible_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) from public, anon;
grant execute on function private.list_visible_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) to authenticated, service_role;

create function public.list_tickets(
  p_org_id uuid default null,
  p_status text[] default null,
  p_priority text[] default null,
  p_assigned_employee_id uuid default null,
  p_assigned_team_id uuid default null,
  p_unassigned boolean default false,
  p_q text default null,
  p_sort text default 'created_at',
  p_direction text default 'desc',
  p_limit integer default 25,
  p_cursor text default null
)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select private.list_visible_tickets(
    p_org_id, p_status, p_priority, p_assigned_employee_id, p_assigned_team_id, p_unassigned,
    p_q, p_sort, p_direction, p_limit, p_cursor
  )
$$;

comment on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) is
  'A page of the tickets the caller may see, filtered, searched and sorted, with a cursor for the next page.';
revoke execute on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text)
  from public, anon;
grant execute on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text)
  to authenticated;
