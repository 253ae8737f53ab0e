-- Reading tickets straight through PostgREST (supabase-js `from('tickets').select(...)`) embeds the
-- people and team on them for every role, `*` included, and ticket_stats agrees with list_tickets.
--
-- 1. `tickets?select=id,profiles(display_name)` was ambiguous (PGRST201): ticket_views, keyed by
--    (user_id, ticket_id) with both referencing tickets and profiles, also joins the two tables.
--    A view record belongs to the Auth user, not to their public profile, so its user_id now
--    references auth.users, and the requester is the one path from tickets to profiles.
-- 2. `profiles(*)` answered 403: the email column was hidden by column grants. It was a copy of
--    auth.users.email that nothing read (the database's own helpers read auth.users), so it goes,
--    with the trigger that kept it in step, and every column of profiles is readable under the
--    table's policy. The trigger goes by dropping its function with `cascade`: hosted Supabase
--    lets `postgres` create a trigger on auth.users but only the table's owner may drop one.
-- 3. The assignee could be embedded only through organization_members, which customers may not
--    read (so a requester got `assignee: null` although they may see the assignee's name).
--    `requester` and `assignee` are computed relationships (PostgREST embeds a function taking a
--    ticket and returning one profile): `select=*,requester(display_name),assignee(display_name)`.
--    Both run as the caller, so the profiles policy still decides whose name shows.
-- 4. ticket_stats answered 404 to anyone but staff, while list_tickets answered the same caller
--    with the tickets they may see there (a requester's own; none for a stranger). ticket_stats
--    now counts exactly what list_tickets would list: staff read the organization's counters,
--    anyone else gets the counts of the tickets they may see in it, zeros for a stranger.

-- 1 --------------------------------------------------------------------------------------------
alter table public.ticket_views
  drop constraint ticket_views_user_id_fkey,
  add constraint ticket_views_user_id_fkey
    foreign key (user_id) references auth.users (id) on delete cascade;

-- 2 --------------------------------------------------------------------------------------------
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, display_name)
  values (
    new.id,
    left(
      coalesce(
        nullif(btrim(new.raw_user_meta_data ->> 'display_name'), ''),
        nullif(split_part(new.email, '@', 1), ''),
        'user'
      ),
      100
    )
  );
  return new;
end;
$$;

drop function private.sync_profile_email() cascade;  -- and its trigger on_auth_user_email_changed
alter table public.profiles drop column email;
grant select on table public.profiles to authenticated;

-- 3 --------------------------------------------------------------------------------------------
create function public.requester(public.tickets)
returns setof public.profiles
rows 1
language sql
stable
security invoker
set search_path = ''
as $$
  select p.* from public.profiles p where p.id = $1.user_id
$$;

create function public.assignee(public.tickets)
returns setof public.profiles
rows 1
language sql
stable
security invoker
set search_path = ''
as $$
  select p.* from public.profiles p where p.id = $1.assigned_employee_id
$$;

comment on function public.requester(public.tickets) is
  'Computed relationship: the ticket''s requester (tickets.user_id) as a profile, for embedding.';
comment on function public.assignee(public.tickets) is
  'Computed relationship: the ticket''s assignee (tickets.assigned_employee_id) as a profile, for embedding.';
revoke execute on function public.requester(public.tickets), public.assignee(public.tickets)
  from public, anon;
grant execute on function public.requester(public.tickets), public.assignee(public.tickets)
  to authenticated, service_role;

-- 4 --------------------------------------------------------------------------------------------
create or replace function public.ticket_stats(org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_staff boolean;
  v_stats jsonb;
begin
  if ticket_stats.org_id is null then
    raise exception 'Name the organization.' using errcode = 'PT422', hint = 'org_id';
  end if;
  v_staff := private.is_org_staff(ticket_stats.org_id);

  with counts (status, priority, unassigned, tickets) as (
    select c.status, c.priority, c.unassigned, c.tickets
    from private.ticket_stat_counts c
    where v_staff and c.organization_id = ticket_stats.org_id
    union all
    -- Under the tickets select policy: the caller's own requests, or nothing.
    select t.status, t.priority, t.assigned_team_id is null and t.assigned_employee_id is null, 1
    from public.tickets t
    where not v_staff and t.handling_org_id = ticket_stats.org_id
  )
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
  from counts c;

  return v_stats;
end;
$$;

comment on function public.ticket_stats(uuid) is
  'Ticket counts of an organization: what list_tickets would list to the caller (staff read private.ticket_stat_counts).';
