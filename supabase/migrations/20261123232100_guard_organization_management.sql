-- Self-service organizations: any signed-in user may create one and becomes its first admin; an
-- organization never loses its last admin; deleting a team unassigns its tickets on the record.

alter table public.organizations
  add column created_by uuid default auth.uid() references public.profiles (id) on delete set null;

comment on column public.organizations.created_by is 'The user who created the organization (its first admin).';

create unique index organizations_created_by_id_key on public.organizations (created_by, id);

grant insert (name, slug, customer_access, verified_domains) on table public.organizations to authenticated;

create policy "Users create organizations as themselves"
  on public.organizations
  for insert
  to authenticated
  with check (created_by = (select auth.uid()));

-- Runs as the owner: the creator is not yet an admin who could insert the membership.
create function private.add_creator_as_admin()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.organization_members (organization_id, user_id, role)
    values (new.id, new.created_by, 'admin');
  end if;
  return null;
end;
$$;

comment on function private.add_creator_as_admin() is 'Trigger: makes the creator of an organization its first admin.';
revoke execute on function private.add_creator_as_admin() from public, anon, authenticated;

create trigger add_creator_as_admin
  after insert on public.organizations
  for each row execute function private.add_creator_as_admin();

-- Locks the organization row first, so two admins demoting each other at once are serialized and
-- the second sees that the first is no longer an admin.
create function private.keep_one_admin()
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
      using errcode = 'TKCON', hint = 'user_id';
  end if;
  return coalesce(new, old);
end;
$$;

comment on function private.keep_one_admin() is 'Trigger: refuses to remove or demote the last admin of an organization.';
revoke execute on function private.keep_one_admin() from public, anon, authenticated;

create trigger keep_one_admin
  before update of role or delete on public.organization_members
  for each row execute function private.keep_one_admin();

-- Runs as the caller (an admin, who is staff), so the ticket triggers record who unassigned them,
-- while the team's name is still there for the history.
create function private.unassign_team_tickets()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  update public.tickets t
  set assigned_team_id = null
  where t.handling_org_id = old.organization_id
    and t.assigned_team_id = old.id;
  return old;
end;
$$;

comment on function private.unassign_team_tickets() is
  'Trigger: before a team is deleted, unassigns its tickets so the audit trail records it.';
revoke execute on function private.unassign_team_tickets() from public, anon, authenticated;

create trigger unassign_team_tickets
  before delete on public.teams
  for each row execute function private.unassign_team_tickets();
