-- Comments on tickets; internal ones are notes among staff that requesters never see.

create table public.ticket_comments (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references public.tickets (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  body text not null check (char_length(body) <= 10000 and char_length(btrim(body)) >= 1),
  is_internal boolean not null default false,
  created_at timestamptz not null default now()
);

comment on table public.ticket_comments is 'Conversation on a ticket; is_internal marks staff-only notes.';
comment on column public.ticket_comments.author_id is 'Null once the author''s account is deleted.';

create unique index ticket_comments_ticket_created_idx on public.ticket_comments (ticket_id, created_at, id);
create unique index ticket_comments_author_idx on public.ticket_comments (author_id, id);

alter table public.ticket_comments enable row level security;

revoke all on table public.ticket_comments from public, anon, authenticated;
grant select on table public.ticket_comments to authenticated;
grant insert (ticket_id, author_id, body, is_internal) on table public.ticket_comments to authenticated;
grant all on table public.ticket_comments to service_role;

create policy "Requesters read public comments and staff read all comments"
  on public.ticket_comments
  for select
  to authenticated
  using (
    exists (
      select 1
      from public.tickets t
      where t.id = ticket_comments.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_comments.is_internal)
        )
    )
  );

create policy "Requesters comment publicly and staff comment on their tickets"
  on public.ticket_comments
  for insert
  to authenticated
  with check (
    author_id = (select auth.uid())
    and exists (
      select 1
      from public.tickets t
      where t.id = ticket_comments.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_comments.is_internal)
        )
    )
  );
