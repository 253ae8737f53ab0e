-- list_tickets without p_org_id, for staff: one page per scope, merged.
--
-- Without an organization, the caller sees the tickets of every organization they staff and
-- their own requests elsewhere. As one query, `handling_org_id = any (my orgs) or user_id = me`
-- ordered by time, no index serves the order: an employee of an organization with 180k of 1M
-- tickets waited 100-170 ms while every ticket was read and sorted. Each scope now yields its
-- first page through the index that matches the sort (tickets_org_*_idx per organization,
-- tickets_requester_idx for the caller's own requests), and the pages are merged: 0.6 ms.
-- Listings of one organization, and callers that bypass RLS, run the query as before.
-- 11_read_performance.test.sql still holds the function to the tickets select policy, and pages
-- through the merged listing.

create or replace function private.list_visible_tickets(
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
  v_filters text := '';
  v_order text;
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
  if p_status is not null then
    v_filters := v_filters || ' and t.status = any ($2)';
  end if;
  if p_priority is not null then
    v_filters := v_filters || ' and t.priority = any ($3)';
  end if;
  if p_assigned_employee_id is not null then
    v_filters := v_filters || ' and t.assigned_employee_id = $4';
  end if;
  if p_assigned_team_id is not null then
    v_filters := v_filters || ' and t.assigned_team_id = $5';
  end if;
  if coalesce(p_unassigned, false) then
    v_filters := v_filters || ' and t.assigned_team_id is null and t.assigned_employee_id is null';
  end if;
  for i in 1 .. coalesce(cardinality(v_patterns), 0) loop
    v_filters := v_filters || format(' and (t.subject || '' '' || t.description) ilike ($6)[%s]', i);
  end loop;
  if p_cursor is not null then
    v_filters := v_filters || case v_sort
      when 'created_at' then format(' and (t.created_at, t.id) %s ($7, $8)', v_op)
      when 'updated_at' then format(' and (t.updated_at, t.id) %s ($7, $8)', v_op)
      else format(' and (t.priority_rank, t.created_at, t.id) %s ($9, $7, $8)', v_op)
    end;
  end if;
  v_order := case v_sort
    when 'created_at' then format(' order by t.created_at %1$s, t.id %1$s', v_direction)
    when 'updated_at' then format(' order by t.updated_at %1$s, t.id %1$s', v_direction)
    else format(' order by t.priority_rank %1$s, t.created_at %1$s, t.id %1$s', v_direction)
  end;

  if p_org_id is null and not coalesce(v_bypass_rls, false) then
    -- Each scope the caller sees (every organization they staff, and their own requests
    -- elsewhere) yields its first page through its own index; the pages are merged. One branch
    -- per organization, so the planner knows each one's size. The scopes are disjoint, so no
    -- ticket comes twice.
    v_sql := '';
    for i in 1 .. cardinality(v_staff_orgs) loop
      v_sql := v_sql
        || format('(select t.* from public.tickets t where t.handling_org_id = ($11)[%s]', i)
        || v_filters || v_order || ' limit $10) union all ';
    end loop;
    v_sql := 'select t.* from (' || v_sql
      || '(select t.* from public.tickets t where t.user_id = $12 and not t.handling_org_id = any ($11)'
      || v_filters || v_order || ' limit $10)) t' || v_order || ' limit $10';
  else
    v_sql := 'select t.* from public.tickets t where true';
    if p_org_id is not null then
      v_sql := v_sql || ' and t.handling_org_id = $1';
      if not coalesce(v_bypass_rls, false) and not p_org_id = any (v_staff_orgs) then
        v_sql := v_sql || ' and t.user_id = $12';
      end if;
    end if;
    v_sql := v_sql || v_filters || v_order || ' limit $10';
  end if;

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
  '(see 20261123231400_create_list_tickets.sql for why); keep it in step with that policy.';
