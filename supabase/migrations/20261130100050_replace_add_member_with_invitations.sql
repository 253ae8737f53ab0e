-- API: staff invitations replace add_member, which made anyone who had signed up staff without
-- asking them, and told admins who had signed up. Every function runs as the caller, so the
-- policies and the invitation triggers decide; the checks here only turn refusals into clear errors.

drop function public.add_member(uuid, text, text);
drop function private.user_id_for_email(text);

-- A pending invitation past its expiry is reported as expired. The organization is read as the
-- caller may see it: admins always, the invitee while the invitation is open.
create function private.invitation_json(p_invitation public.organization_invitations)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_invitation.id,
    'organization_id', p_invitation.organization_id,
    'organization', (
      select jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
      from public.organizations o
      where o.id = p_invitation.organization_id
    ),
    'email', p_invitation.email,
    'role', p_invitation.role,
    'status', case
      when p_invitation.status = 'pending' and p_invitation.expires_at <= now() then 'expired'
      else p_invitation.status
    end,
    'invited_by', p_invitation.invited_by,
    'created_at', p_invitation.created_at,
    'expires_at', p_invitation.expires_at,
    'responded_at', p_invitation.responded_at
  )
$$;

comment on function private.invitation_json(public.organization_invitations) is 'The invitation JSON the API returns.';

-- The organization of an invitation, for its staff only: employees, who cannot read invitations,
-- are told 403 as require_admin tells them; everyone else learns nothing.
create function private.invitation_org_id(p_invitation_id uuid)
returns uuid
language sql
stable
security definer
set search_path = ''
as $$
  select i.organization_id
  from public.organization_invitations i
  where i.id = p_invitation_id
    and i.organization_id in (select private.my_org_ids())
$$;

comment on function private.invitation_org_id(uuid) is 'The organization of an invitation, if the current user is its staff.';

-- Why an answer or a revocation changed nothing, once the update policy has filtered the row out:
-- TKCON when the invitation is no longer open, TK404 when it is not the caller's to change.
create function private.explain_unchanged_invitation(p_invitation_id uuid, p_status text)
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
  raise exception 'The invitation was not found.' using errcode = 'TK404', hint = 'invitation_id';
end;
$$;

comment on function private.explain_unchanged_invitation(uuid, text) is
  'Raises TKCON (no longer open) or TK404 (not the caller''s) for an invitation an update left unchanged.';

revoke execute on function
  private.invitation_json(public.organization_invitations),
  private.invitation_org_id(uuid),
  private.explain_unchanged_invitation(uuid, text)
  from public, anon;
grant execute on function
  private.invitation_json(public.organization_invitations),
  private.invitation_org_id(uuid),
  private.explain_unchanged_invitation(uuid, text)
  to authenticated;

-- The same answer whether or not anyone has signed up with the address, or is already a member.
create function public.invite_member(p_org_id uuid, p_email text, p_role text)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_invitation public.organization_invitations;
begin
  perform private.require_admin(p_org_id);
  if p_role is null or p_role not in ('admin', 'employee') then
    raise exception 'The role must be admin or employee.' using errcode = '22023', hint = 'role';
  end if;
  insert into public.organization_invitations (organization_id, email, role)
  values (p_org_id, lower(btrim(coalesce(p_email, ''))), p_role)
  on conflict (organization_id, email) where status = 'pending'
  do update set role = excluded.role, expires_at = default  -- 7 days from now, as a new one
  returning * into v_invitation;
  return private.invitation_json(v_invitation);
exception when check_violation then  -- the role is valid, so it is the table's one rule for addresses
  raise exception 'That is not an email address.' using errcode = '22023', hint = 'email';
end;
$$;

create function public.list_invitations(p_org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
begin
  perform private.require_admin(p_org_id);
  return jsonb_build_object('items', coalesce((
    select jsonb_agg(private.invitation_json(i) order by i.created_at desc, i.id desc)
    from public.organization_invitations i
    where i.organization_id = p_org_id
  ), '[]'::jsonb));
end;
$$;

create function public.revoke_invitation(p_invitation_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid := private.invitation_org_id(p_invitation_id);
  v_invitation public.organization_invitations;
begin
  if v_org_id is null then
    raise exception 'The invitation was not found.' using errcode = 'TK404', hint = 'invitation_id';
  end if;
  perform private.require_admin(v_org_id);
  update public.organization_invitations i
  set status = 'revoked'
  where i.id = p_invitation_id and i.status = 'pending'
  returning * into v_invitation;
  if not found then
    perform private.explain_unchanged_invitation(p_invitation_id, 'revoked');
  end if;
  return private.invitation_json(v_invitation);
end;
$$;

create function public.list_my_invitations()
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object('items', coalesce(
    jsonb_agg(private.invitation_json(i) order by i.created_at desc, i.id desc), '[]'::jsonb))
  from public.organization_invitations i
  where i.email = (select private.my_confirmed_email())
    and i.status = 'pending'
    and i.expires_at > now()
$$;

create function public.accept_invitation(p_invitation_id uuid)
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
  where i.id = p_invitation_id and i.email = (select private.my_confirmed_email())
  returning * into v_invitation;
  if not found then
    perform private.explain_unchanged_invitation(p_invitation_id, 'accepted');
  end if;
  select * into v_member
  from public.organization_members m
  where m.organization_id = v_invitation.organization_id and m.user_id = (select auth.uid());
  return private.member_json(v_member);
end;
$$;

create function public.decline_invitation(p_invitation_id uuid)
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
    where i.id = p_invitation_id and i.email = (select private.my_confirmed_email())
    returning i
  )
  select private.invitation_json(d.i) into v_answer from declined d;
  if v_answer is null then
    perform private.explain_unchanged_invitation(p_invitation_id, 'declined');
  end if;
  return v_answer;
end;
$$;

revoke execute on function
  public.invite_member(uuid, text, text),
  public.list_invitations(uuid),
  public.revoke_invitation(uuid),
  public.list_my_invitations(),
  public.accept_invitation(uuid),
  public.decline_invitation(uuid)
  from public, anon;
grant execute on function
  public.invite_member(uuid, text, text),
  public.list_invitations(uuid),
  public.revoke_invitation(uuid),
  public.list_my_invitations(),
  public.accept_invitation(uuid),
  public.decline_invitation(uuid)
  to authenticated;

comment on function public.invite_member(uuid, text, text) is
  'Invite an email address to join an organization as admin or employee, or renew its pending invitation (admins).';
comment on function public.list_invitations(uuid) is 'The organization''s staff invitations, newest first (admins).';
comment on function public.revoke_invitation(uuid) is 'Withdraw a pending staff invitation (admins).';
comment on function public.list_my_invitations() is
  'The pending, unexpired invitations to the caller''s confirmed email, newest first.';
comment on function public.accept_invitation(uuid) is 'Accept an invitation sent to me: I join the organization with the invited role.';
comment on function public.decline_invitation(uuid) is 'Decline an invitation sent to me.';
