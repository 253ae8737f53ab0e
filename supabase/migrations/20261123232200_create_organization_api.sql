-- API: organizations, their members, teams and invited customers. Every function runs as the
-- caller, so the policies decide; the checks up front only turn refusals into clear errors.

create function private.organization_json(p_org public.organizations)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_org.id,
    'name', p_org.name,
    'slug', p_org.slug,
    'customer_access', p_org.customer_access,
    'verified_domains', to_jsonb(p_org.verified_domains),
    'created_at', p_org.created_at
  )
$$;

comment on function private.organization_json(public.organizations) is 'The organization JSON the API returns.';

-- Raises unless the caller administers the organization: 403 for its other members, 404 for
-- everyone else (a customer or another organization's admin learns nothing about its staff).
create function private.require_admin(p_org_id uuid)
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
    raise exception 'Only admins of this organization can do this.' using errcode = 'TK403';
  end if;
  raise exception 'The organization was not found.' using errcode = 'TK404', hint = 'org_id';
end;
$$;

comment on function private.require_admin(uuid) is 'Raises TK403 (other members) or TK404 (anyone else) unless the current user administers the organization.';

-- Admins add people by email; the lookup works only for admins, so it cannot enumerate users.
create function private.user_id_for_email(p_email text)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select u.id
  from auth.users u
  where lower(u.email) = lower(btrim(p_email))
    and exists (select 1 from private.my_admin_org_ids())
$$;

comment on function private.user_id_for_email(text) is 'The id of the user with this email, for admins only.';

revoke execute on function
  private.organization_json(public.organizations),
  private.require_admin(uuid),
  private.user_id_for_email(text)
  from public, anon;
grant execute on function
  private.organization_json(public.organizations),
  private.require_admin(uuid),
  private.user_id_for_email(text)
  to authenticated;

create function public.create_organization(p_name text, p_slug text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org public.organizations;
begin
  if char_length(btrim(coalesce(p_name, ''))) not between 1 and 200 then
    raise exception 'The name must be 1 to 200 characters long.' using errcode = '22023', hint = 'name';
  end if;
  if coalesce(p_slug, '') !~ '^[a-z0-9-]{2,63}$' then
    raise exception 'The slug must be 2 to 63 lowercase letters, digits or hyphens.'
      using errcode = '22023', hint = 'slug';
  end if;
  insert into public.organizations (name, slug) values (btrim(p_name), p_slug) returning * into v_org;
  return private.organization_json(v_org) || jsonb_build_object('role', 'admin');
exception when unique_violation then
  raise exception 'The slug "%" is taken; choose another.', p_slug using errcode = 'TKCON', hint = 'slug';
end;
$$;

create function public.update_organization(p_org_id uuid, p_changes jsonb)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_key text;
  v_org public.organizations;
begin
  perform private.require_admin(p_org_id);
  select k into v_key from jsonb_object_keys(coalesce(p_changes, '{}')) k
  where k not in ('name', 'customer_access', 'verified_domains') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here.', v_key using errcode = '22023', hint = v_key;
  end if;
  update public.organizations o
  set
    name = case when p_changes ? 'name' then btrim(p_changes ->> 'name') else o.name end,
    customer_access = coalesce(p_changes ->> 'customer_access', o.customer_access),
    verified_domains = case
      when p_changes ? 'verified_domains' then
        array(select lower(d) from jsonb_array_elements_text(p_changes -> 'verified_domains') d)
      else o.verified_domains
    end
  where o.id = p_org_id
  returning * into v_org;
  return private.organization_json(v_org);
exception when check_violation then
  raise exception 'The name, customer access or domains are invalid.' using errcode = '22023', hint = 'body';
end;
$$;

create function private.member_json(p_member public.organization_members)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'organization_id', p_member.organization_id,
    'user_id', p_member.user_id,
    'role', p_member.role,
    'display_name', (select p.display_name from public.profiles p where p.id = p_member.user_id),
    'created_at', p_member.created_at
  )
$$;

comment on function private.member_json(public.organization_members) is 'The member JSON the API returns.';
revoke execute on function private.member_json(public.organization_members) from public, anon;
grant execute on function private.member_json(public.organization_members) to authenticated;

create function public.add_member(p_org_id uuid, p_email text, p_role text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid;
  v_member public.organization_members;
begin
  perform private.require_admin(p_org_id);
  if p_role is null or p_role not in ('admin', 'employee') then
    raise exception 'The role must be admin or employee.' using errcode = '22023', hint = 'role';
  end if;
  v_user_id := private.user_id_for_email(p_email);
  if v_user_id is null then
    raise exception 'Nobody has signed up with the email %; ask them to sign up first.', p_email
      using errcode = 'TK404', hint = 'email';
  end if;
  insert into public.organization_members (organization_id, user_id, role)
  values (p_org_id, v_user_id, p_role)
  returning * into v_member;
  return private.member_json(v_member);
exception when unique_violation then
  raise exception '% is already a member of this organization.', p_email using errcode = 'TKCON', hint = 'email';
end;
$$;

create function public.set_member_role(p_org_id uuid, p_user_id uuid, p_role text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_member public.organization_members;
begin
  perform private.require_admin(p_org_id);
  if p_role is null or p_role not in ('admin', 'employee') then
    raise exception 'The role must be admin or employee.' using errcode = '22023', hint = 'role';
  end if;
  update public.organization_members m
  set role = p_role
  where m.organization_id = p_org_id and m.user_id = p_user_id
  returning * into v_member;
  if not found then
    raise exception 'That user is not a member of this organization.' using errcode = 'TK404', hint = 'user_id';
  end if;
  return private.member_json(v_member);
end;
$$;

create function public.remove_member(p_org_id uuid, p_user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(p_org_id);
  delete from public.organization_members m where m.organization_id = p_org_id and m.user_id = p_user_id;
  if not found then
    raise exception 'That user is not a member of this organization.' using errcode = 'TK404', hint = 'user_id';
  end if;
  return jsonb_build_object('organization_id', p_org_id, 'user_id', p_user_id, 'removed', true);
end;
$$;

create function private.team_json(p_team public.teams)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_team.id,
    'organization_id', p_team.organization_id,
    'name', p_team.name,
    'member_ids', coalesce((
      select jsonb_agg(tm.user_id order by tm.created_at, tm.user_id)
      from public.team_members tm
      where tm.team_id = p_team.id
    ), '[]'::jsonb),
    'created_at', p_team.created_at
  )
$$;

comment on function private.team_json(public.teams) is 'The team JSON the API returns.';
revoke execute on function private.team_json(public.teams) from public, anon;
grant execute on function private.team_json(public.teams) to authenticated;

-- The team's organization, after checking the caller administers it (404 for unknown teams).
create function private.require_team_admin(p_team_id uuid)
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
    raise exception 'The team was not found.' using errcode = 'TK404', hint = 'team_id';
  end if;
  perform private.require_admin(v_org_id);
  return v_org_id;
end;
$$;

comment on function private.require_team_admin(uuid) is 'Raises unless the current user administers the team''s organization.';
revoke execute on function private.require_team_admin(uuid) from public, anon;
grant execute on function private.require_team_admin(uuid) to authenticated;

create function public.create_team(p_org_id uuid, p_name text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_admin(p_org_id);
  if char_length(btrim(coalesce(p_name, ''))) not between 1 and 100 then
    raise exception 'The team name must be 1 to 100 characters long.' using errcode = '22023', hint = 'name';
  end if;
  insert into public.teams (organization_id, name) values (p_org_id, btrim(p_name)) returning * into v_team;
  return private.team_json(v_team);
exception when unique_violation then
  raise exception 'This organization already has a team called "%".', btrim(p_name)
    using errcode = 'TKCON', hint = 'name';
end;
$$;

create function public.rename_team(p_team_id uuid, p_name text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_team_admin(p_team_id);
  if char_length(btrim(coalesce(p_name, ''))) not between 1 and 100 then
    raise exception 'The team name must be 1 to 100 characters long.' using errcode = '22023', hint = 'name';
  end if;
  update public.teams t set name = btrim(p_name) where t.id = p_team_id returning * into v_team;
  return private.team_json(v_team);
exception when unique_violation then
  raise exception 'This organization already has a team called "%".', btrim(p_name)
    using errcode = 'TKCON', hint = 'name';
end;
$$;

create function public.delete_team(p_team_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.require_team_admin(p_team_id);
  v_unassigned integer;
begin
  select count(*) into v_unassigned
  from public.tickets t
  where t.handling_org_id = v_org_id and t.assigned_team_id = p_team_id;
  delete from public.teams t where t.id = p_team_id;
  return jsonb_build_object('id', p_team_id, 'deleted', true, 'unassigned_tickets', v_unassigned);
end;
$$;

create function public.add_team_member(p_team_id uuid, p_user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.require_team_admin(p_team_id);
  v_team public.teams;
begin
  if not exists (
    select 1 from public.organization_members m
    where m.organization_id = v_org_id and m.user_id = p_user_id
  ) then
    raise exception 'Only staff of the organization can join its teams.' using errcode = '22023', hint = 'user_id';
  end if;
  insert into public.team_members (team_id, user_id) values (p_team_id, p_user_id)
  on conflict do nothing;
  select * into v_team from public.teams t where t.id = p_team_id;
  return private.team_json(v_team);
end;
$$;

create function public.remove_team_member(p_team_id uuid, p_user_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_team public.teams;
begin
  perform private.require_team_admin(p_team_id);
  delete from public.team_members tm where tm.team_id = p_team_id and tm.user_id = p_user_id;
  if not found then
    raise exception 'That user is not on this team.' using errcode = 'TK404', hint = 'user_id';
  end if;
  select * into v_team from public.teams t where t.id = p_team_id;
  return private.team_json(v_team);
end;
$$;

create function public.list_my_organizations()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(jsonb_agg(private.organization_json(o) || jsonb_build_object('role', m.role)
    order by o.name, o.id), '[]'::jsonb)
  from public.organization_members m
  join public.organizations o on o.id = m.organization_id
  where m.user_id = (select auth.uid())
$$;

create function public.list_submittable_organizations()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
    order by o.name, o.id), '[]'::jsonb)
  from public.organizations o
  where private.can_submit_to(o.id)
$$;

create function public.invite_customer(p_org_id uuid, p_email text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_email text := lower(btrim(coalesce(p_email, '')));
  v_invite public.organization_customers;
begin
  perform private.require_admin(p_org_id);
  if v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(v_email) > 320 then
    raise exception 'That is not an email address.' using errcode = '22023', hint = 'email';
  end if;
  insert into public.organization_customers (organization_id, email, invited_by)
  values (p_org_id, v_email, (select auth.uid()))
  on conflict (organization_id, email) do nothing;
  select * into v_invite from public.organization_customers c
  where c.organization_id = p_org_id and c.email = v_email;
  return jsonb_build_object(
    'organization_id', v_invite.organization_id,
    'email', v_invite.email,
    'created_at', v_invite.created_at
  );
end;
$$;

create function public.revoke_customer(p_org_id uuid, p_email text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(p_org_id);
  delete from public.organization_customers c
  where c.organization_id = p_org_id and c.email = lower(btrim(coalesce(p_email, '')));
  if not found then
    raise exception 'No invitation for % was found.', p_email using errcode = 'TK404', hint = 'email';
  end if;
  return jsonb_build_object('organization_id', p_org_id, 'email', lower(btrim(p_email)), 'revoked', true);
end;
$$;

do $$
declare
  v_signature text;
begin
  foreach v_signature in array array[
    'public.create_organization(text, text)',
    'public.update_organization(uuid, jsonb)',
    'public.add_member(uuid, text, text)',
    'public.set_member_role(uuid, uuid, text)',
    'public.remove_member(uuid, uuid)',
    'public.create_team(uuid, text)',
    'public.rename_team(uuid, text)',
    'public.delete_team(uuid)',
    'public.add_team_member(uuid, uuid)',
    'public.remove_team_member(uuid, uuid)',
    'public.list_my_organizations()',
    'public.list_submittable_organizations()',
    'public.invite_customer(uuid, text)',
    'public.revoke_customer(uuid, text)'
  ] loop
    execute format('revoke execute on function %s from public, anon', v_signature);
    execute format('grant execute on function %s to authenticated', v_signature);
  end loop;
end;
$$;

comment on function public.create_organization(text, text) is 'Create an organization; the caller becomes its first admin.';
comment on function public.update_organization(uuid, jsonb) is 'Change the name, customer access or verified domains of an organization (admins).';
comment on function public.add_member(uuid, text, text) is 'Add a signed-up user to an organization as admin or employee (admins).';
comment on function public.set_member_role(uuid, uuid, text) is 'Change a member''s role; the last admin stays (admins).';
comment on function public.remove_member(uuid, uuid) is 'Remove a member; the last admin stays (admins).';
comment on function public.create_team(uuid, text) is 'Create a team in an organization (admins).';
comment on function public.rename_team(uuid, text) is 'Rename a team (admins).';
comment on function public.delete_team(uuid) is 'Delete a team; its tickets become unassigned, on the record (admins).';
comment on function public.add_team_member(uuid, uuid) is 'Put a member of the organization on a team (admins).';
comment on function public.remove_team_member(uuid, uuid) is 'Take someone off a team (admins).';
comment on function public.list_my_organizations() is 'The organizations the caller is staff of, with the caller''s role.';
comment on function public.list_submittable_organizations() is 'The organizations the caller may submit tickets to.';
comment on function public.invite_customer(uuid, text) is 'Let a customer submit to an invite-only organization (admins).';
comment on function public.revoke_customer(uuid, text) is 'Withdraw a customer''s invitation (admins).';
