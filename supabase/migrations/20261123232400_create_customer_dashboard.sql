-- The customer dashboard: my tickets across organizations, with whether staff replied since I
-- last opened each one. Opening a ticket (get_ticket) records that the requester has seen it.

create table public.ticket_views (
  user_id uuid not null references public.profiles (id) on delete cascade,
  ticket_id uuid not null references public.tickets (id) on delete cascade,
  seen_at timestamptz not null default now(),
  primary key (user_id, ticket_id)
);

comment on table public.ticket_views is 'When a requester last opened each of their tickets.';

create unique index ticket_views_ticket_id_user_id_key on public.ticket_views (ticket_id, user_id);
create unique index tickets_requester_updated_idx on public.tickets (user_id, updated_at, id);

alter table public.ticket_views enable row level security;
revoke all on table public.ticket_views from public, anon, authenticated;
grant select, insert, update on table public.ticket_views to authenticated;
grant all on table public.ticket_views to service_role;

create policy "Users read when they last opened their tickets"
  on public.ticket_views
  for select
  to authenticated
  using (user_id = (select auth.uid()));

create policy "Requesters record opening their own tickets"
  on public.ticket_views
  for insert
  to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.tickets t where t.id = ticket_id and t.user_id = (select auth.uid()))
  );

create policy "Requesters update when they opened their own tickets"
  on public.ticket_views
  for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- The read itself moves to private; the public function adds the "seen" record, so it is no
-- longer read-only (PostgREST runs it in a read-write transaction).
alter function public.get_ticket(uuid) set schema private;
alter function private.get_ticket(uuid) rename to ticket_detail;
comment on function private.ticket_detail(uuid) is 'The ticket with everything about it the current user may see.';

create function public.get_ticket(p_id uuid)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_detail jsonb := private.ticket_detail(p_id);
begin
  if (v_detail ->> 'user_id')::uuid = (select auth.uid()) then
    insert into public.ticket_views as v (user_id, ticket_id)
    values ((select auth.uid()), p_id)
    on conflict (user_id, ticket_id) do update set seen_at = now();
  end if;
  return v_detail;
end;
$$;

comment on function public.get_ticket(uuid) is
  'A ticket with its organization, people, team, comments and history, as far as the caller may see them.';
revoke execute on function public.get_ticket(uuid) from public, anon;
grant execute on function public.get_ticket(uuid) to authenticated;

create function public.list_my_tickets(
  p_status text[] default null,
  p_org_id uuid default null,
  p_cursor text default null,
  p_limit integer default 25
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
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception 'The limit must be between 1 and 100.' using errcode = '22023', hint = 'limit';
  end if;
  if p_cursor is not null then
    begin
      select (c ->> 'updated_at')::timestamptz, (c ->> 'id')::uuid
      into strict v_after_updated, v_after_id
      from (select convert_from(decode(p_cursor, 'base64'), 'utf8')::jsonb c) x;
    exception when others then
      v_after_updated := null;
    end;
    if v_after_updated is null or v_after_id is null then
      raise exception 'The cursor is not one this function produced.' using errcode = '22023', hint = 'cursor';
    end if;
  end if;

  with page as (
    select t.*
    from public.tickets t
    where t.user_id = (select auth.uid())
      and (p_status is null or t.status = any (p_status))
      and (p_org_id is null or t.handling_org_id = p_org_id)
      and (p_cursor is null or (t.updated_at, t.id) < (v_after_updated, v_after_id))
    order by t.updated_at desc, t.id desc
    limit p_limit
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
    'next_cursor', case when v_count = p_limit then replace(encode(convert_to(jsonb_build_object(
      'updated_at', v_items -> (v_count - 1) ->> 'updated_at',
      'id', v_items -> (v_count - 1) ->> 'id')::text, 'utf8'), 'base64'), E'\n', '') end
  );
end;
$$;

comment on function public.list_my_tickets(text[], uuid, text, integer) is
  'The caller''s own tickets across organizations, most recently active first, one page at a time.';
revoke execute on function public.list_my_tickets(text[], uuid, text, integer) from public, anon;
grant execute on function public.list_my_tickets(text[], uuid, text, integer) to authenticated;
