-- The API's functions take parameters named like the BFF's inputs, and raise errors PostgREST
-- answers with the right HTTP status.
--
-- A frontend calling `supabase.rpc('list_tickets', { org_id })` got PGRST202: the parameters were
-- `p_`-prefixed. PostgreSQL cannot rename a parameter in place, so each function is dropped and
-- created again with the same body, its parameters now named as in the BFF (`ticket_id` for the
-- ticket, `is_internal` for internal notes) and referred to inside the body by the function's
-- name (`list_tickets.org_id`), which keeps them apart from columns of the same name.
--
-- Domain errors were raised with SQLSTATEs of our own (TK403, TK404, TK409, TKCON, TK422) and
-- 22023, which PostgREST answers with 400. They now use PostgREST's PTxyz form, answered with
-- HTTP status xyz, so a direct caller gets the status the BFF gives:
--   PT403  forbidden            the caller may see the thing but not do this
--   PT404  not_found            nothing the caller may see (the hint names the input)
--   PT409  conflict             a clash with existing data (the hint names the input); with a
--                               detail holding the current ticket, version_conflict
--   PT422  validation_failed    the input named by the hint is invalid (idempotency_key_reused
--                               when the hint is idempotency_key and the key was used before)
-- Private helpers that raise these are replaced with the new codes only; their bodies are
-- otherwise unchanged. Grants are restated: authenticated may execute, anon may not.

-- create_ticket: was in 20261123230900_create_create_ticket.sql
drop function public.create_ticket(uuid, text, text, text, text, text);
create function public.create_ticket(
  handling_org_id uuid,
  subject text,
  description text,
  priority text default 'medium',
  idempotency_key text default null,
  request_hash text default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_subject text := btrim(coalesce(create_ticket.subject, ''));
  v_description text := coalesce(create_ticket.description, '');
  v_stored private.idempotency_keys;
  v_ticket public.tickets;
  v_response jsonb;
begin
  if v_user_id is null then
    raise exception 'Sign in to create a ticket.' using errcode = '42501';
  end if;
  if create_ticket.handling_org_id is null then
    raise exception 'Choose the organization that should handle the ticket.'
      using errcode = 'PT422', hint = 'handling_org_id';
  end if;
  if char_length(v_subject) not between 1 and 200 then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'subject';
  end if;
  if char_length(v_description) > 10000 then
    raise exception 'The description must be at most 10000 characters long.'
      using errcode = 'PT422', hint = 'description';
  end if;
  if create_ticket.priority is null or create_ticket.priority not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'priority';
  end if;
  if create_ticket.idempotency_key is not null and char_length(create_ticket.idempotency_key) not between 1 and 255 then
    raise exception 'The idempotency key must be 1 to 255 characters long.'
      using errcode = 'PT422', hint = 'idempotency_key';
  end if;

  if create_ticket.idempotency_key is not null then
    -- The first caller claims the key; a concurrent caller waits here on the primary key until
    -- the first commits (then replays) or rolls back (then claims it itself).
    insert into private.idempotency_keys (user_id, key, request_hash)
    values (v_user_id, create_ticket.idempotency_key, create_ticket.request_hash)
    on conflict (user_id, key) do nothing;

    if not found then
      select * into v_stored
      from private.idempotency_keys k
      where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;

      if v_stored.request_hash is distinct from create_ticket.request_hash then
        raise exception 'Idempotency key was already used with a different request'
          using errcode = 'PT422', hint = 'idempotency_key';
      end if;
      return v_stored.response || jsonb_build_object('replayed', true);
    end if;
  end if;

  perform private.require_can_submit(create_ticket.handling_org_id);

  insert into public.tickets (handling_org_id, user_id, subject, description, priority)
  values (create_ticket.handling_org_id, v_user_id, v_subject, v_description, create_ticket.priority)
  returning * into v_ticket;

  v_response := jsonb_build_object('ticket', private.ticket_json(v_ticket), 'replayed', false);

  if create_ticket.idempotency_key is not null then
    update private.idempotency_keys k
    set response = v_response
    where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;
  end if;

  return v_response;
end;
$$;

comment on function public.create_ticket(uuid, text, text, text, text, text) is
  'Submit a ticket as the current user; with an idempotency key, a repeated request replays the first response.';
revoke execute on function public.create_ticket(uuid, text, text, text, text, text) from public, anon;
grant execute on function public.create_ticket(uuid, text, text, text, text, text) to authenticated, service_role;

-- update_ticket: was in 20261123231000_create_update_ticket.sql
drop function public.update_ticket(uuid, integer, jsonb);
create function public.update_ticket(ticket_id uuid, expected_version integer, changes jsonb)
returns jsonb
language plpgsql
security invoker
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

  if not exists (select 1 from public.tickets t where t.id = update_ticket.ticket_id) then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
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

  return private.ticket_json(v_ticket);
end;
$$;

comment on function public.update_ticket(uuid, integer, jsonb) is
  'Change the named fields of a ticket if it is still at the expected version.';
revoke execute on function public.update_ticket(uuid, integer, jsonb) from public, anon;
grant execute on function public.update_ticket(uuid, integer, jsonb) to authenticated, service_role;

-- add_comment: was in 20261123231100_create_add_comment.sql
drop function public.add_comment(uuid, text, boolean);
create function public.add_comment(ticket_id uuid, body text, is_internal boolean default false)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid;
  v_comment public.ticket_comments;
begin
  if add_comment.ticket_id is null then
    raise exception 'Name the ticket to comment on.' using errcode = 'PT422', hint = 'ticket_id';
  end if;
  if add_comment.body is null or char_length(btrim(add_comment.body)) = 0 or char_length(add_comment.body) > 10000 then
    raise exception 'The comment must be 1 to 10000 characters long.' using errcode = 'PT422', hint = 'body';
  end if;

  select t.handling_org_id into v_org_id from public.tickets t where t.id = add_comment.ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  if coalesce(add_comment.is_internal, false) and not private.is_org_staff(v_org_id) then
    raise exception 'Only staff of the handling organization can add internal notes.'
      using errcode = 'PT403', hint = 'internal';
  end if;

  insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
  values (add_comment.ticket_id, (select auth.uid()), add_comment.body, coalesce(add_comment.is_internal, false))
  returning * into v_comment;

  return jsonb_build_object(
    'id', v_comment.id,
    'ticket_id', v_comment.ticket_id,
    'author_id', v_comment.author_id,
    'body', v_comment.body,
    'is_internal', v_comment.is_internal,
    'created_at', v_comment.created_at
  );
end;
$$;

comment on function public.add_comment(uuid, text, boolean) is
  'Comment on a ticket; internal notes are for staff of the handling organization only.';
revoke execute on function public.add_comment(uuid, text, boolean) from public, anon;
grant execute on function public.add_comment(uuid, text, boolean) to authenticated, service_role;

-- ticket_stats: was in 20261123231300_create_ticket_stats.sql
drop function public.ticket_stats(uuid);
create function public.ticket_stats(org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_stats jsonb;
begin
  if ticket_stats.org_id is null or not private.is_org_staff(ticket_stats.org_id) then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;

  select jsonb_build_object(
    'org_id', ticket_stats.org_id,
    'total', coalesce(sum(c.tickets), 0)::bigint,
    'by_status', jsonb_build_object(
      'open', coalesce(sum(c.tickets) filter (where c.status = 'open'), 0)::bigint,
      'in_progress', coalesce(sum(c.tickets) filter (where c.status = 'in_progress'), 0)::bigint,
      'waiting_on_customer', coalesce(sum(c.tickets) filter (where c.status = 'waiting_on_customer'), 0)::bigint,
      'resolved', coalesce(sum(c.tickets) filter (where c.status = 'resolved'), 0)::bigint,
      'closed', coalesce(sum(c.tickets) filter (where c.status = 'closed'), 0)::bigint
    ),
    'by_priority', jsonb_build_object(
      'low', coalesce(sum(c.tickets) filter (where c.priority = 'low'), 0)::bigint,
      'medium', coalesce(sum(c.tickets) filter (where c.priority = 'medium'), 0)::bigint,
      'high', coalesce(sum(c.tickets) filter (where c.priority = 'high'), 0)::bigint,
      'urgent', coalesce(sum(c.tickets) filter (where c.priority = 'urgent'), 0)::bigint
    ),
    'open', coalesce(sum(c.tickets) filter (where c.status = 'open'), 0)::bigint,
    'in_progress', coalesce(sum(c.tickets) filter (where c.status = 'in_progress'), 0)::bigint,
    'high_priority', coalesce(sum(c.tickets) filter (
      where c.priority in ('high', 'urgent') and c.status not in ('resolved', 'closed')
    ), 0)::bigint,
    'unassigned', coalesce(sum(c.tickets) filter (
      where c.unassigned and c.status not in ('resolved', 'closed')
    ), 0)::bigint
  )
  into v_stats
  from private.ticket_stat_counts c
  where c.organization_id = ticket_stats.org_id;

  return v_stats;
end;
$$;

comment on function public.ticket_stats(uuid) is
  'Ticket counts of an organization, for its staff (read from private.ticket_stat_counts).';
revoke execute on function public.ticket_stats(uuid) from public, anon;
grant execute on function public.ticket_stats(uuid) to authenticated, service_role;

-- list_tickets: was in 20261123231400_create_list_tickets.sql
drop function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text);
create function public.list_tickets(
  org_id uuid default null,
  status text[] default null,
  priority text[] default null,
  assigned_employee_id uuid default null,
  assigned_team_id uuid default null,
  unassigned boolean default false,
  q text default null,
  sort text default 'created_at',
  direction text default 'desc',
  "limit" integer default 25,
  cursor text default null
)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select private.list_visible_tickets(
    list_tickets.org_id, list_tickets.status, list_tickets.priority, list_tickets.assigned_employee_id, list_tickets.assigned_team_id, list_tickets.unassigned,
    list_tickets.q, list_tickets.sort, list_tickets.direction, list_tickets."limit", list_tickets.cursor
  )
$$;

comment on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) is
  'A page of the tickets the caller may see, filtered, searched and sorted, with a cursor for the next page.';
revoke execute on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) from public, anon;
grant execute on function public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text) to authenticated, service_role;

-- create_organization: was in 20261123232200_create_organization_api.sql
drop function public.create_organization(text, text);
create function public.create_organization(name text, slug text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org public.organizations;
begin
  if char_length(btrim(coalesce(create_organization.name, ''))) not between 1 and 200 then
    raise exception 'The name must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'name';
  end if;
  if coalesce(create_organization.slug, '') !~ '^[a-z0-9-]{2,63}$' then
    raise exception 'The slug must be 2 to 63 lowercase letters, digits or hyphens.'
      using errcode = 'PT422', hint = 'slug';
  end if;
  insert into public.organizations (name, slug) values (btrim(create_organization.name), create_organization.slug) returning * into v_org;
  return private.organization_json(v_org) || jsonb_build_object('role', 'admin');
exception when unique_violation then
  raise exception 'The slug "%" is taken; choose another.', create_organization.slug using errcode = 'PT409', hint = 'slug';
end;
$$;

comment on function public.create_organization(text, text) is
  'Create an organization; the caller becomes its first admin.';
revoke execute on function public.create_organization(text, text) from public, anon;
grant execute on function public.create_organization(text, text) to authenticated, service_role;

-- update_organization: was in 20261123232200_create_organization_api.sql
drop function public.update_organization(uuid, jsonb);
create function public.update_organization(org_id uuid, changes jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_org public.organizations;
begin
  perform private.require_admin(update_organization.org_id);
  select k into v_key from jsonb_object_keys(coalesce(update_organization.changes, '{}')) k
  where k not in ('name', 'customer_access', 'verified_domains') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here.', v_key using errcode = 'PT422', hint = v_key;
  end if;
  update public.organizations o
  set
    name = case when update_organization.changes ? 'name' then btrim(update_organization.changes ->> 'name') else o.name end,
    customer_access = coalesce(update_organization.changes ->> 'customer_access', o.customer_access),
    verified_domains = case
      when update_organization.changes ? 'verified_domains' then
        array(select lower(d) from jsonb_array_elements_text(update_organization.changes -> 'verified_domains') d)
      else o.verified_domains
    end
  where o.id = update_organization.org_id
  returning * into v_org;
  return private.organization_json(v_org);
exception when check_violation then
  raise exception 'The name, customer access or domains are invalid.' using errcode = 'PT422', hint = 'body';
end;
$$;

comment on function public.update_organization(uuid, jsonb) is
  'Change the name, customer access or verified domains of an organization (admins).';
revoke execute on function public.update_organization(uuid, jsonb) from public, anon;
grant execute on function public.update_organization(uuid, jsonb) to authenticated, service_role;

-- set_member_role: was in 20261123232200_create_organization_api.sql
drop function public.set_member_role(uuid, uuid, text);
create function public.set_member_role(org_id uuid, user_id uuid, role text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_member public.organization_members;
begin
  perform private.require_admin(set_member_role.org_id);
  if set_member_role.role is null or set_member_role.role not in ('admin', 'employee') then
    raise exception 'The role must be admin or employee.' using errcode = 'PT422', hint = 'role';
  end if;
  update public.organization_members m
  set role = set_member_role.role
  where m.organization_id = set_member_role.org_id and m.user_id = set_member_role.user_id
  returning * into v_member;
  if not found then
    raise exception 'That user is not a member of this organization.' using errcode = 'PT404', hint = 'user_id';
  end if;
  return private.member_json(v_member);
end;
$$;

comment on function public.set_member_role(uuid, uuid, text) is
  'Change a member''s role; the last admin stays (admins).';
revoke execute on function public.set_member_role(uuid, uuid, text) from public, anon;
grant execute on function public.set_member_role(uuid, uuid, text) to authenticated, service_role;

-- remove_member: was in 20261123232200_create_organization_api.sql
drop function public.remove_member(uuid, uuid);
create function public.remove_member(org_id uuid, user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(remove_member.org_id);
  delete from public.organization_members m where m.organization_id = remove_member.org_id and m.user_id = remove_member.user_id;
  if not found then
    raise exception 'That user is not a member of this organization.' using errcode = 'PT404', hint = 'user_id';
  end if;
  return jsonb_build_object('organization_id', remove_member.org_id, 'user_id', remove_member.user_id, 'removed', true);
end;
$$;

comment on function public.remove_member(uuid, uuid) is
  'Remove a member; the last admin stays (admins).';
revoke execute on function public.remove_member(uuid, uuid) from public, anon;
grant execute on function public.remove_member(uuid, uuid) to authenticated, service_role;

-- create_team: was in 20261123232200_create_organization_api.sql
drop function public.create_team(uuid, text);
create function public.create_team(org_id uuid, name text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_admin(create_team.org_id);
  if char_length(btrim(coalesce(create_team.name, ''))) not between 1 and 100 then
    raise exception 'The team name must be 1 to 100 characters long.' using errcode = 'PT422', hint = 'name';
  end if;
  insert into public.teams (organization_id, name) values (create_team.org_id, btrim(create_team.name)) returning * into v_team;
  return private.team_json(v_team);
exception when unique_violation then
  raise exception 'This organization already has a team called "%".', btrim(create_team.name)
    using errcode = 'PT409', hint = 'name';
end;
$$;

comment on function public.create_team(uuid, text) is
  'Create a team in an organization (admins).';
revoke execute on function public.create_team(uuid, text) from public, anon;
grant execute on function public.create_team(uuid, text) to authenticated, service_role;

-- rename_team: was in 20261123232200_create_organization_api.sql
drop function public.rename_team(uuid, text);
create function public.rename_team(team_id uuid, name text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_team_admin(rename_team.team_id);
  if char_length(btrim(coalesce(rename_team.name, ''))) not between 1 and 100 then
    raise exception 'The team name must be 1 to 100 characters long.' using errcode = 'PT422', hint = 'name';
  end if;
  update public.teams t set name = btrim(rename_team.name) where t.id = rename_team.team_id returning * into v_team;
  return private.team_json(v_team);
exception when unique_violation then
  raise exception 'This organization already has a team called "%".', btrim(rename_team.name)
    using errcode = 'PT409', hint = 'name';
end;
$$;

comment on function public.rename_team(uuid, text) is
  'Rename a team (admins).';
revoke execute on function public.rename_team(uuid, text) from public, anon;
grant execute on function public.rename_team(uuid, text) to authenticated, service_role;

-- delete_team: was in 20261123232200_create_organization_api.sql
drop function public.delete_team(uuid);
create function public.delete_team(team_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.require_team_admin(delete_team.team_id);
  v_unassigned integer;
begin
  select count(*) into v_unassigned
  from public.tickets t
  where t.handling_org_id = v_org_id and t.assigned_team_id = delete_team.team_id;
  delete from public.teams t where t.id = delete_team.team_id;
  return jsonb_build_object('id', delete_team.team_id, 'deleted', true, 'unassigned_tickets', v_unassigned);
end;
$$;

comment on function public.delete_team(uuid) is
  'Delete a team; its tickets become unassigned, on the record (admins).';
revoke execute on function public.delete_team(uuid) from public, anon;
grant execute on function public.delete_team(uuid) to authenticated, service_role;

-- add_team_member: was in 20261123232200_create_organization_api.sql
drop function public.add_team_member(uuid, uuid);
create function public.add_team_member(team_id uuid, user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.require_team_admin(add_team_member.team_id);
  v_team public.teams;
begin
  if not exists (
    select 1 from public.organization_members m
    where m.organization_id = v_org_id and m.user_id = add_team_member.user_id
  ) then
    raise exception 'Only staff of the organization can join its teams.' using errcode = 'PT422', hint = 'user_id';
  end if;
  insert into public.team_members (team_id, user_id) values (add_team_member.team_id, add_team_member.user_id)
  on conflict do nothing;
  select * into v_team from public.teams t where t.id = add_team_member.team_id;
  return private.team_json(v_team);
end;
$$;

comment on function public.add_team_member(uuid, uuid) is
  'Put a member of the organization on a team (admins).';
revoke execute on function public.add_team_member(uuid, uuid) from public, anon;
grant execute on function public.add_team_member(uuid, uuid) to authenticated, service_role;

-- remove_team_member: was in 20261123232200_create_organization_api.sql
drop function public.remove_team_member(uuid, uuid);
create function public.remove_team_member(team_id uuid, user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_team_admin(remove_team_member.team_id);
  delete from public.team_members tm where tm.team_id = remove_team_member.team_id and tm.user_id = remove_team_member.user_id;
  if not found then
    raise exception 'That user is not on this team.' using errcode = 'PT404', hint = 'user_id';
  end if;
  select * into v_team from public.teams t where t.id = remove_team_member.team_id;
  return private.team_json(v_team);
end;
$$;

comment on function public.remove_team_member(uuid, uuid) is
  'Take someone off a team (admins).';
revoke execute on function public.remove_team_member(uuid, uuid) from public, anon;
grant execute on function public.remove_team_member(uuid, uuid) to authenticated, service_role;

-- invite_customer: was in 20261123232200_create_organization_api.sql
drop function public.invite_customer(uuid, text);
create function public.invite_customer(org_id uuid, email text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_email text := lower(btrim(coalesce(invite_customer.email, '')));
  v_invite public.organization_customers;
begin
  perform private.require_admin(invite_customer.org_id);
  if v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(v_email) > 320 then
    raise exception 'That is not an email address.' using errcode = 'PT422', hint = 'email';
  end if;
  insert into public.organization_customers (organization_id, email, invited_by)
  values (invite_customer.org_id, v_email, (select auth.uid()))
  on conflict (organization_id, email) do nothing;
  select * into v_invite from public.organization_customers c
  where c.organization_id = invite_customer.org_id and c.email = v_email;
  return jsonb_build_object(
    'organization_id', v_invite.organization_id,
    'email', v_invite.email,
    'created_at', v_invite.created_at
  );
end;
$$;

comment on function public.invite_customer(uuid, text) is
  'Let a customer submit to an invite-only organization (admins).';
revoke execute on function public.invite_customer(uuid, text) from public, anon;
grant execute on function public.invite_customer(uuid, text) to authenticated, service_role;

-- revoke_customer: was in 20261123232200_create_organization_api.sql
drop function public.revoke_customer(uuid, text);
create function public.revoke_customer(org_id uuid, email text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(revoke_customer.org_id);
  delete from public.organization_customers c
  where c.organization_id = revoke_customer.org_id and c.email = lower(btrim(coalesce(revoke_customer.email, '')));
  if not found then
    raise exception 'No invitation for % was found.', revoke_customer.email using errcode = 'PT404', hint = 'email';
  end if;
  return jsonb_build_object('organization_id', revoke_customer.org_id, 'email', lower(btrim(revoke_customer.email)), 'revoked', true);
end;
$$;

comment on function public.revoke_customer(uuid, text) is
  'Withdraw a customer''s invitation (admins).';
revoke execute on function public.revoke_customer(uuid, text) from public, anon;
grant execute on function public.revoke_customer(uuid, text) to authenticated, service_role;

-- get_ticket: was in 20261130100100_separate_marking_tickets_seen.sql
drop function public.get_ticket(uuid);
create function public.get_ticket(ticket_id uuid)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select private.ticket_detail(get_ticket.ticket_id)
$$;

comment on function public.get_ticket(uuid) is
  'A ticket with its organization, people, team, comments and history, as far as the caller may see them; records nothing.';
revoke execute on function public.get_ticket(uuid) from public, anon;
grant execute on function public.get_ticket(uuid) to authenticated, service_role;

-- list_my_tickets: was in 20261123232400_create_customer_dashboard.sql
drop function public.list_my_tickets(text[], uuid, text, integer);
create function public.list_my_tickets(
  status text[] default null,
  org_id uuid default null,
  cursor text default null,
  "limit" integer default 25
)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_after_updated timestamptz;
  v_after_id uuid;
  v_items jsonb;
  v_count integer;
begin
  if list_my_tickets."limit" is null or list_my_tickets."limit" not between 1 and 100 then
    raise exception 'The limit must be between 1 and 100.' using errcode = 'PT422', hint = 'limit';
  end if;
  if list_my_tickets.cursor is not null then
    begin
      select (c ->> 'updated_at')::timestamptz, (c ->> 'id')::uuid
      into strict v_after_updated, v_after_id
      from (select convert_from(decode(list_my_tickets.cursor, 'base64'), 'utf8')::jsonb c) x;
    exception when others then
      v_after_updated := null;
    end;
    if v_after_updated is null or v_after_id is null then
      raise exception 'The cursor is not one this function produced.' using errcode = 'PT422', hint = 'cursor';
    end if;
  end if;

  with page as (
    select t.*
    from public.tickets t
    where t.user_id = (select auth.uid())
      and (list_my_tickets.status is null or t.status = any (list_my_tickets.status))
      and (list_my_tickets.org_id is null or t.handling_org_id = list_my_tickets.org_id)
      and (list_my_tickets.cursor is null or (t.updated_at, t.id) < (v_after_updated, v_after_id))
    order by t.updated_at desc, t.id desc
    limit list_my_tickets."limit"
  )
  select
    coalesce(jsonb_agg(
      private.ticket_json(page) || jsonb_build_object(
        'organization_name', (select o.name from public.organizations o where o.id = page.handling_org_id),
        'last_activity_at', page.updated_at,
        'staff_replied', exists (
          select 1
          from public.ticket_comments c
          where c.ticket_id = page.id
            and not c.is_internal
            and c.author_id is distinct from page.user_id
            and c.created_at > coalesce(
              (select v.seen_at from public.ticket_views v
               where v.user_id = page.user_id and v.ticket_id = page.id),
              '-infinity'::timestamptz)
        )
      )
      order by page.updated_at desc, page.id desc
    ), '[]'::jsonb),
    count(*)
  into v_items, v_count
  from page;

  return jsonb_build_object(
    'items', v_items,
    'next_cursor', case when v_count = list_my_tickets."limit" then replace(encode(convert_to(jsonb_build_object(
      'updated_at', v_items -> (v_count - 1) ->> 'updated_at',
      'id', v_items -> (v_count - 1) ->> 'id')::text, 'utf8'), 'base64'), E'\n', '') end
  );
end;
$$;

comment on function public.list_my_tickets(text[], uuid, text, integer) is
  'The caller''s own tickets across organizations, most recently active first, one page at a time.';
revoke execute on function public.list_my_tickets(text[], uuid, text, integer) from public, anon;
grant execute on function public.list_my_tickets(text[], uuid, text, integer) to authenticated, service_role;

-- invite_member: was in 20261130100050_replace_add_member_with_invitations.sql
drop function public.invite_member(uuid, text, text);
create function public.invite_member(org_id uuid, email text, role text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_invitation public.organization_invitations;
begin
  perform private.require_admin(invite_member.org_id);
  if invite_member.role is null or invite_member.role not in ('admin', 'employee') then
    raise exception 'The role must be admin or employee.' using errcode = 'PT422', hint = 'role';
  end if;
  insert into public.organization_invitations (organization_id, email, role)
  values (invite_member.org_id, lower(btrim(coalesce(invite_member.email, ''))), invite_member.role)
  on conflict (organization_id, email) where status = 'pending'
  do update set role = excluded.role, expires_at = default  -- 7 days from now, as a new one
  returning * into v_invitation;
  return private.invitation_json(v_invitation);
exception when check_violation then  -- the role is valid, so it is the table's one rule for addresses
  raise exception 'That is not an email address.' using errcode = 'PT422', hint = 'email';
end;
$$;

comment on function public.invite_member(uuid, text, text) is
  'Invite an email address to join an organization as admin or employee, or renew its pending invitation (admins).';
revoke execute on function public.invite_member(uuid, text, text) from public, anon;
grant execute on function public.invite_member(uuid, text, text) to authenticated, service_role;

-- list_invitations: was in 20261130100050_replace_add_member_with_invitations.sql
drop function public.list_invitations(uuid);
create function public.list_invitations(org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(list_invitations.org_id);
  return jsonb_build_object('items', coalesce((
    select jsonb_agg(private.invitation_json(i) order by i.created_at desc, i.id desc)
    from public.organization_invitations i
    where i.organization_id = list_invitations.org_id
  ), '[]'::jsonb));
end;
$$;

comment on function public.list_invitations(uuid) is
  'The organization''s staff invitations, newest first (admins).';
revoke execute on function public.list_invitations(uuid) from public, anon;
grant execute on function public.list_invitations(uuid) to authenticated, service_role;

-- revoke_invitation: was in 20261130100050_replace_add_member_with_invitations.sql
drop function public.revoke_invitation(uuid);
create function public.revoke_invitation(invitation_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.invitation_org_id(revoke_invitation.invitation_id);
  v_invitation public.organization_invitations;
begin
  if v_org_id is null then
    raise exception 'The invitation was not found.' using errcode = 'PT404', hint = 'invitation_id';
  end if;
  perform private.require_admin(v_org_id);
  update public.organization_invitations i
  set status = 'revoked'
  where i.id = revoke_invitation.invitation_id and i.status = 'pending'
  returning * into v_invitation;
  if not found then
    perform private.explain_unchanged_invitation(revoke_invitation.invitation_id, 'revoked');
  end if;
  return private.invitation_json(v_invitation);
end;
$$;

comment on function public.revoke_invitation(uuid) is
  'Withdraw a pending staff invitation (admins).';
revoke execute on function public.revoke_invitation(uuid) from public, anon;
grant execute on function public.revoke_invitation(uuid) to authenticated, service_role;

-- accept_invitation: was in 20261130100050_replace_add_member_with_invitations.sql
drop function public.accept_invitation(uuid);
create function public.accept_invitation(invitation_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_invitation public.organization_invitations;
  v_member public.organization_members;
begin
  -- The add_invited_member trigger creates the membership, or refuses if there already is one.
  update public.organization_invitations i
  set status = 'accepted'
  where i.id = accept_invitation.invitation_id and i.email = (select private.my_confirmed_email())
  returning * into v_invitation;
  if not found then
    perform private.explain_unchanged_invitation(accept_invitation.invitation_id, 'accepted');
  end if;
  select * into v_member
  from public.organization_members m
  where m.organization_id = v_invitation.organization_id and m.user_id = (select auth.uid());
  return private.member_json(v_member);
end;
$$;

comment on function public.accept_invitation(uuid) is
  'Accept an invitation sent to me: I join the organization with the invited role.';
revoke execute on function public.accept_invitation(uuid) from public, anon;
grant execute on function public.accept_invitation(uuid) to authenticated, service_role;

-- decline_invitation: was in 20261130100050_replace_add_member_with_invitations.sql
drop function public.decline_invitation(uuid);
create function public.decline_invitation(invitation_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_answer jsonb;
begin
  -- One statement, so the organization's name is read as the invitee saw it: declining ends the
  -- invitation that let them see it.
  with declined as (
    update public.organization_invitations i
    set status = 'declined'
    where i.id = decline_invitation.invitation_id and i.email = (select private.my_confirmed_email())
    returning i
  )
  select private.invitation_json(d.i) into v_answer from declined d;
  if v_answer is null then
    perform private.explain_unchanged_invitation(decline_invitation.invitation_id, 'declined');
  end if;
  return v_answer;
end;
$$;

comment on function public.decline_invitation(uuid) is
  'Decline an invitation sent to me.';
revoke execute on function public.decline_invitation(uuid) from public, anon;
grant execute on function public.decline_invitation(uuid) to authenticated, service_role;

-- mark_ticket_seen: was in 20261130100100_separate_marking_tickets_seen.sql
drop function public.mark_ticket_seen(uuid);
create function public.mark_ticket_seen(ticket_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_requester_id uuid;
  v_seen_at timestamptz;
begin
  select t.user_id into v_requester_id from public.tickets t where t.id = mark_ticket_seen.ticket_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;
  if v_requester_id = (select auth.uid()) then
    insert into public.ticket_views as v (user_id, ticket_id)
    values (v_requester_id, mark_ticket_seen.ticket_id)
    on conflict (user_id, ticket_id) do update set seen_at = now()
    returning v.seen_at into v_seen_at;
  end if;
  return jsonb_build_object('ticket_id', mark_ticket_seen.ticket_id, 'seen_at', v_seen_at);
end;
$$;

comment on function public.mark_ticket_seen(uuid) is
  'Record that the requester has seen their ticket now (for staff_replied in list_my_tickets); staff record nothing.';
revoke execute on function public.mark_ticket_seen(uuid) from public, anon;
grant execute on function public.mark_ticket_seen(uuid) to authenticated, service_role;

-- private.require_can_submit: was in 20261123232000_add_customer_access.sql
create or replace function private.require_can_submit(p_org_id uuid)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_access text;
begin
  if private.can_submit_to(p_org_id) then
    return;
  end if;
  select o.customer_access into v_access from public.organizations o where o.id = p_org_id;
  if v_access is null then
    raise exception 'The organization was not found; check the organization you are submitting to.'
      using errcode = 'PT404', hint = 'handling_org_id';
  end if;
  raise exception '%', case v_access
      when 'domain' then 'This organization accepts tickets only from confirmed email addresses at its own domains.'
      else 'This organization accepts tickets only from customers it has invited.'
    end
    using errcode = 'PT403', hint = 'handling_org_id';
end;
$$;

-- private.tickets_check_change: was in 20261123230400_create_tickets.sql
create or replace function private.tickets_check_change(p_old public.tickets, p_new public.tickets)
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

-- private.tickets_before_update: was in 20261130110000_change_nothing_when_a_ticket_write_changes_nothing.sql
create or replace function private.tickets_before_update()
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
      using errcode = 'PT422';
  end if;

  -- Nothing a person can see changed (a new comment touches only updated_at): the version stays.
  if (new.subject, new.description, new.status, new.priority,
      new.assigned_team_id, new.assigned_employee_id)
    is not distinct from
     (old.subject, old.description, old.status, old.priority,
      old.assigned_team_id, old.assigned_employee_id) then
    new.version := old.version;
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

-- private.ticket_detail: was in 20261130100100_separate_marking_tickets_seen.sql
create or replace function private.ticket_detail(p_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_ticket public.tickets;
begin
  select * into v_ticket from public.tickets t where t.id = p_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  return private.ticket_json(v_ticket) || jsonb_build_object(
    'organization', (
      select jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
      from public.organizations o
      where o.id = v_ticket.handling_org_id
    ),
    'requester', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.user_id
    ),
    'assignee', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.assigned_employee_id
    ),
    'team', (
      select jsonb_build_object('id', tm.id, 'name', tm.name)
      from public.teams tm
      where tm.id = v_ticket.assigned_team_id
    ),
    'comments', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', c.id,
          'ticket_id', c.ticket_id,
          'author_id', c.author_id,
          'body', c.body,
          'is_internal', c.is_internal,
          'created_at', c.created_at
        )
        order by c.created_at, c.id
      )
      from public.ticket_comments c
      where c.ticket_id = v_ticket.id
    ), '[]'::jsonb),
    'events', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', e.id,
          'kind', e.kind,
          'actor_id', e.actor_id,
          'old_value', e.old_value,
          'new_value', e.new_value,
          'is_internal', e.is_internal,
          'created_at', e.created_at
        )
        order by e.created_at, e.id
      )
      from public.ticket_events e
      where e.ticket_id = v_ticket.id
    ), '[]'::jsonb)
  );
end;$$;

-- private.list_visible_tickets: was in 20261124010000_list_tickets_per_scope_without_org.sql
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
    raise exception 'Sort by created_at, updated_at or priority.' using errcode = 'PT422', hint = 'sort';
  end if;
  if v_direction not in ('asc', 'desc') then
    raise exception 'The direction must be asc or desc.' using errcode = 'PT422', hint = 'direction';
  end if;
  if v_limit not between 1 and 100 then
    raise exception 'The limit must be between 1 and 100.' using errcode = 'PT422', hint = 'limit';
  end if;
  if p_status is not null and not p_status <@ array['open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed'] then
    raise exception 'Each status must be one of open, in_progress, waiting_on_customer, resolved or closed.'
      using errcode = 'PT422', hint = 'status';
  end if;
  if p_priority is not null and not p_priority <@ array['low', 'medium', 'high', 'urgent'] then
    raise exception 'Each priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'priority';
  end if;
  if char_length(p_q) > 200 then
    raise exception 'The search text must be at most 200 characters long.' using errcode = 'PT422', hint = 'q';
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
        using errcode = 'PT422', hint = 'cursor';
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

-- private.keep_one_admin: was in 20261123232100_guard_organization_management.sql
create or replace function private.keep_one_admin()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role <> 'admin' or (tg_op = 'UPDATE' and new.role = 'admin') then
    return coalesce(new, old);
  end if;
  perform 1 from public.organizations o where o.id = old.organization_id for update;
  if not found then
    return coalesce(new, old);  -- the organization itself is being deleted
  end if;
  if not exists (
    select 1
    from public.organization_members m
    where m.organization_id = old.organization_id
      and m.role = 'admin'
      and m.user_id <> old.user_id
  ) then
    raise exception 'An organization needs at least one admin; make someone else an admin first.'
      using errcode = 'PT409', hint = 'user_id';
  end if;
  return coalesce(new, old);
end;
$$;

-- private.require_admin: was in 20261123232200_create_organization_api.sql
create or replace function private.require_admin(p_org_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if private.is_org_admin(p_org_id) then
    return;
  end if;
  if private.is_org_staff(p_org_id) then
    raise exception 'Only admins of this organization can do this.' using errcode = 'PT403';
  end if;
  raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
end;
$$;

-- private.require_team_admin: was in 20261123232200_create_organization_api.sql
create or replace function private.require_team_admin(p_team_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  v_org_id uuid;
begin
  select t.organization_id into v_org_id from public.teams t where t.id = p_team_id;
  if v_org_id is null then
    raise exception 'The team was not found.' using errcode = 'PT404', hint = 'team_id';
  end if;
  perform private.require_admin(v_org_id);
  return v_org_id;
end;
$$;

-- private.require_open_invitation: was in 20261130100000_create_organization_invitations.sql
create or replace function private.require_open_invitation(p_invitation public.organization_invitations, p_status text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_invitation.status <> 'pending' then
    raise exception '%', case p_invitation.status
        when 'accepted' then 'This invitation was already accepted; an invitation can be used once.'
        when 'declined' then 'This invitation was declined; ask the organization for a new one.'
        else 'This invitation was revoked by the organization.'
      end
      using errcode = 'PT409', hint = 'invitation_id';
  end if;
  if p_status in ('accepted', 'declined') and p_invitation.expires_at <= now() then
    raise exception 'This invitation has expired; ask the organization for a new one.'
      using errcode = 'PT409', hint = 'invitation_id';
  end if;
end;
$$;

-- private.guard_invitation_change: was in 20261130100000_create_organization_invitations.sql
create or replace function private.guard_invitation_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_by_admin boolean := private.is_org_admin(old.organization_id);
  v_by_invitee boolean := coalesce(old.email = (select private.my_confirmed_email()), false);
begin
  perform private.require_open_invitation(old, new.status);
  if (new.role, new.expires_at) is distinct from (old.role, old.expires_at) then
    if not v_by_admin or new.status <> 'pending' then
      raise exception 'Only an admin can change the role or expiry of an invitation, and only while it is pending.'
        using errcode = 'PT403', hint = case when new.role is distinct from old.role then 'role' else 'expires_at' end;
    end if;
    if new.expires_at <= now() or new.expires_at > now() + interval '30 days' then
      raise exception 'An invitation must expire within the next 30 days.' using errcode = 'PT422', hint = 'expires_at';
    end if;
  end if;
  if new.status in ('accepted', 'declined') and not v_by_invitee then
    raise exception 'Only the person invited can accept or decline an invitation.'
      using errcode = 'PT403', hint = 'invitation_id';
  end if;
  if new.status = 'revoked' and not v_by_admin then
    raise exception 'Only an admin of the organization can revoke an invitation.'
      using errcode = 'PT403', hint = 'invitation_id';
  end if;
  if new.status <> 'pending' then
    new.responded_at := now();
    new.responded_by := (select auth.uid());
  end if;
  return new;
end;
$$;

-- private.add_invited_member: was in 20261130100000_create_organization_invitations.sql
create or replace function private.add_invited_member()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.organization_members (organization_id, user_id, role)
  values (new.organization_id, (select auth.uid()), new.role)
  on conflict (organization_id, user_id) do nothing;
  if not found then
    raise exception 'You are already a member of this organization.' using errcode = 'PT409', hint = 'invitation_id';
  end if;
  return null;
end;
$$;

-- private.explain_unchanged_invitation: was in 20261130100050_replace_add_member_with_invitations.sql
create or replace function private.explain_unchanged_invitation(p_invitation_id uuid, p_status text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
  v_invitation public.organization_invitations;
begin
  select * into v_invitation
  from public.organization_invitations i
  where i.id = p_invitation_id
    and (p_status = 'revoked' or i.email = (select private.my_confirmed_email()));
  if found then
    perform private.require_open_invitation(v_invitation, p_status);
  end if;
  raise exception 'The invitation was not found.' using errcode = 'PT404', hint = 'invitation_id';
end;
$$;
