-- Staff join an organization only by accepting an invitation. An admin invites an email address;
-- whoever confirmed that address with Auth accepts (and becomes staff in the same transaction) or
-- declines. Inviting looks nothing up about accounts, so it tells an admin nothing about who has
-- signed up. Nobody inserts memberships directly any more.

create table public.organization_invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (
    email = lower(email)
    and char_length(email) <= 320
    and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'
    and email !~ '[[:cntrl:]]'
  ),
  role text not null check (role in ('admin', 'employee')),
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'revoked')),
  invited_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '7 days',
  responded_at timestamptz,
  responded_by uuid references public.profiles (id) on delete set null
);

comment on table public.organization_invitations is
  'Invitations to join an organization as staff; the person with the invited, confirmed email accepts or declines.';
comment on column public.organization_invitations.status is
  'pending until the invitee accepts or declines or an admin revokes it; a pending one past expires_at can no longer be answered.';
comment on column public.organization_invitations.responded_at is
  'When it was accepted, declined or revoked; set by the database.';
comment on column public.organization_invitations.responded_by is
  'Who accepted, declined or revoked it; set by the database.';

-- At most one open invitation per address and organization; inviting again renews it.
create unique index organization_invitations_pending_key
  on public.organization_invitations (organization_id, email)
  where status = 'pending';
-- Admins list their organization's invitations, newest first; invitees find theirs by address;
-- deleting a profile finds the invitations it sent or answered. Unique, as every index here, so
-- the advisors do not call them unused before their first scan.
create unique index organization_invitations_organization_id_created_at_id_key
  on public.organization_invitations (organization_id, created_at, id);
create unique index organization_invitations_email_created_at_id_key
  on public.organization_invitations (email, created_at, id);
create unique index organization_invitations_invited_by_id_key
  on public.organization_invitations (invited_by, id);
create unique index organization_invitations_responded_by_id_key
  on public.organization_invitations (responded_by, id);

alter table public.organization_invitations enable row level security;
revoke all on table public.organization_invitations from public, anon, authenticated;
grant select on table public.organization_invitations to authenticated;
grant insert (organization_id, email, role) on table public.organization_invitations to authenticated;
grant update (status, role, expires_at) on table public.organization_invitations to authenticated;
grant all on table public.organization_invitations to service_role;

-- Organizations that invited the current user, who may see their name before answering.
create function private.my_invited_org_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select i.organization_id
  from public.organization_invitations i
  where i.email = (select private.my_confirmed_email())
    and i.status = 'pending'
    and i.expires_at > now()
$$;

comment on function private.my_invited_org_ids() is
  'Organizations with a pending, unexpired invitation to the current user''s confirmed email.';
revoke execute on function private.my_invited_org_ids() from public, anon;
grant execute on function private.my_invited_org_ids() to authenticated;

create policy "Admins and invitees read staff invitations"
  on public.organization_invitations
  for select
  to authenticated
  using (
    organization_id in (select private.my_admin_org_ids())
    or email = (select private.my_confirmed_email())
  );

create policy "Admins invite staff to their organizations as themselves"
  on public.organization_invitations
  for insert
  to authenticated
  with check (
    organization_id in (select private.my_admin_org_ids())
    and invited_by = (select auth.uid())
    and status = 'pending'
  );

-- One policy for both, as Supabase's advisors ask; guard_invitation_change says which of them may
-- make which change.
create policy "Admins renew or revoke and invitees answer pending invitations"
  on public.organization_invitations
  for update
  to authenticated
  using (
    status = 'pending'
    and (
      organization_id in (select private.my_admin_org_ids())
      or (email = (select private.my_confirmed_email()) and expires_at > now())
    )
  )
  with check (
    (organization_id in (select private.my_admin_org_ids()) and status in ('pending', 'revoked'))
    or (email = (select private.my_confirmed_email()) and status in ('accepted', 'declined'))
  );

drop policy "Users read the organizations they work for or submit to" on public.organizations;
create policy "Users read orgs they work for, submit to or are invited to"
  on public.organizations
  for select
  to authenticated
  using (
    created_by = (select auth.uid())
    or id in (select private.my_org_ids())
    or id in (select private.my_requested_org_ids())
    or id in (select private.my_invited_org_ids())
    or private.can_submit_to(id)
  );

drop policy "Admins add members to their organizations" on public.organization_members;
revoke insert on table public.organization_members from authenticated;

-- The one rule about an invitation's state: only a pending invitation changes, and it can be
-- answered only before it expires. The trigger below enforces it; the API uses it to explain why
-- an update the policy filtered out changed nothing.
create function private.require_open_invitation(p_invitation public.organization_invitations, p_status text)
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
      using errcode = 'TKCON', hint = 'invitation_id';
  end if;
  if p_status in ('accepted', 'declined') and p_invitation.expires_at <= now() then
    raise exception 'This invitation has expired; ask the organization for a new one.'
      using errcode = 'TKCON', hint = 'invitation_id';
  end if;
end;
$$;

comment on function private.require_open_invitation(public.organization_invitations, text) is
  'Raises TKCON unless the invitation may move to the status: it is pending, and unexpired if it is being answered.';
revoke execute on function private.require_open_invitation(public.organization_invitations, text) from public, anon;
grant execute on function private.require_open_invitation(public.organization_invitations, text) to authenticated;

-- What the update policy cannot express, since one policy serves admins and invitees: who may make
-- which change. Admins renew (role, expiry) and revoke; the invitee accepts or declines; the
-- database records who answered and when. Runs as the owner so that whoever updates (the service
-- role too, which has no grant on the membership helpers) gets these answers.
create function private.guard_invitation_change()
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
        using errcode = 'TK403', hint = case when new.role is distinct from old.role then 'role' else 'expires_at' end;
    end if;
    if new.expires_at <= now() or new.expires_at > now() + interval '30 days' then
      raise exception 'An invitation must expire within the next 30 days.' using errcode = '22023', hint = 'expires_at';
    end if;
  end if;
  if new.status in ('accepted', 'declined') and not v_by_invitee then
    raise exception 'Only the person invited can accept or decline an invitation.'
      using errcode = 'TK403', hint = 'invitation_id';
  end if;
  if new.status = 'revoked' and not v_by_admin then
    raise exception 'Only an admin of the organization can revoke an invitation.'
      using errcode = 'TK403', hint = 'invitation_id';
  end if;
  if new.status <> 'pending' then
    new.responded_at := now();
    new.responded_by := (select auth.uid());
  end if;
  return new;
end;
$$;

comment on function private.guard_invitation_change() is
  'Trigger: only pending invitations change; admins renew or revoke, the invitee accepts or declines before expiry.';
revoke execute on function private.guard_invitation_change() from public, anon, authenticated;

-- Only the columns callers may change: removing a profile sets invited_by/responded_by to null
-- without tripping the guard.
create trigger guard_invitation_change
  before update of status, role, expires_at on public.organization_invitations
  for each row execute function private.guard_invitation_change();

-- Runs as the owner: nobody may insert memberships, so accepting is the only way in for staff.
create function private.add_invited_member()
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
    raise exception 'You are already a member of this organization.' using errcode = 'TKCON', hint = 'invitation_id';
  end if;
  return null;
end;
$$;

comment on function private.add_invited_member() is
  'Trigger: makes the user who accepts an invitation a member with the invited role.';
revoke execute on function private.add_invited_member() from public, anon, authenticated;

create trigger add_invited_member
  after update of status on public.organization_invitations
  for each row
  when (old.status = 'pending' and new.status = 'accepted')
  execute function private.add_invited_member();
