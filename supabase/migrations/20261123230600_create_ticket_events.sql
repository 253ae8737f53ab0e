-- The audit trail of tickets, written only by triggers.

create table public.ticket_events (
  id bigint generated always as identity primary key,
  ticket_id uuid not null references public.tickets (id) on delete cascade,
  actor_id uuid references public.profiles (id) on delete set null,
  kind text not null check (
    kind in (
      'created', 'status_changed', 'priority_changed', 'assignment_changed', 'comment_added', 'details_changed'
    )
  ),
  old_value jsonb,
  new_value jsonb,
  is_internal boolean not null default false,
  created_at timestamptz not null default now()
);

comment on table public.ticket_events is
  'Audit trail of tickets, written by triggers only; is_internal events are hidden from requesters.';
comment on column public.ticket_events.actor_id is 'The user who caused the event; null for the system.';

create unique index ticket_events_ticket_created_idx on public.ticket_events (ticket_id, created_at, id);
create unique index ticket_events_actor_idx on public.ticket_events (actor_id, id);

alter table public.ticket_events enable row level security;

-- Clients read events; only the triggers below (running as the owner) write them.
revoke all on table public.ticket_events from public, anon, authenticated;
grant select on table public.ticket_events to authenticated;
grant all on table public.ticket_events to service_role;

create policy "Requesters read public events and staff read all events"
  on public.ticket_events
  for select
  to authenticated
  using (
    exists (
      select 1
      from public.tickets t
      where t.id = ticket_events.ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not ticket_events.is_internal)
        )
    )
  );

create function private.record_ticket_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.ticket_events (ticket_id, actor_id, kind, new_value)
  values (
    new.id,
    (select auth.uid()),
    'created',
    jsonb_build_object('number', new.number, 'subject', new.subject, 'status', new.status, 'priority', new.priority)
  );
  return null;
end;
$$;

comment on function private.record_ticket_created() is 'Trigger: records the created event of a ticket.';
revoke execute on function private.record_ticket_created() from public, anon, authenticated;

create trigger record_created
  after insert on public.tickets
  for each row execute function private.record_ticket_created();

-- Team changes are public and carry the team name; who the employee is stays internal.
create function private.record_ticket_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_actor uuid := (select auth.uid());
  v_old_details jsonb := '{}';
  v_new_details jsonb := '{}';
begin
  if new.status is distinct from old.status then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'status_changed',
      jsonb_build_object('status', old.status), jsonb_build_object('status', new.status));
  end if;

  if new.priority is distinct from old.priority then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'priority_changed',
      jsonb_build_object('priority', old.priority), jsonb_build_object('priority', new.priority));
  end if;

  if new.subject is distinct from old.subject then
    v_old_details := v_old_details || jsonb_build_object('subject', old.subject);
    v_new_details := v_new_details || jsonb_build_object('subject', new.subject);
  end if;
  if new.description is distinct from old.description then
    v_old_details := v_old_details || jsonb_build_object('description', old.description);
    v_new_details := v_new_details || jsonb_build_object('description', new.description);
  end if;
  if v_new_details <> '{}' then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value)
    values (new.id, v_actor, 'details_changed', v_old_details, v_new_details);
  end if;

  if new.assigned_team_id is distinct from old.assigned_team_id then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value, is_internal)
    values (
      new.id, v_actor, 'assignment_changed',
      jsonb_build_object(
        'team_id', old.assigned_team_id,
        'team_name', (select t.name from public.teams t where t.id = old.assigned_team_id)
      ),
      jsonb_build_object(
        'team_id', new.assigned_team_id,
        'team_name', (select t.name from public.teams t where t.id = new.assigned_team_id)
      ),
      false
    );
  end if;

  if new.assigned_employee_id is distinct from old.assigned_employee_id then
    insert into public.ticket_events (ticket_id, actor_id, kind, old_value, new_value, is_internal)
    values (
      new.id, v_actor, 'assignment_changed',
      jsonb_build_object(
        'employee_id', old.assigned_employee_id,
        'display_name', (select p.display_name from public.profiles p where p.id = old.assigned_employee_id)
      ),
      jsonb_build_object(
        'employee_id', new.assigned_employee_id,
        'display_name', (select p.display_name from public.profiles p where p.id = new.assigned_employee_id)
      ),
      true
    );
  end if;

  return null;
end;
$$;

comment on function private.record_ticket_changes() is 'Trigger: records status, priority, details and assignment changes.';
revoke execute on function private.record_ticket_changes() from public, anon, authenticated;

create trigger record_changes
  after update on public.tickets
  for each row execute function private.record_ticket_changes();

-- A comment is activity on the ticket: it bumps updated_at but not version.
create function private.record_comment_added()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
  values (new.ticket_id, new.author_id, 'comment_added', jsonb_build_object('comment_id', new.id), new.is_internal);

  -- The requester sees updated_at: only public comments count as activity, or an internal note
  -- would betray that staff wrote something they cannot read.
  if not new.is_internal then
    update public.tickets set updated_at = now() where id = new.ticket_id;
  end if;
  return null;
end;
$$;

comment on function private.record_comment_added() is 'Trigger: records a comment_added event and touches the ticket.';
revoke execute on function private.record_comment_added() from public, anon, authenticated;

create trigger record_comment_added
  after insert on public.ticket_comments
  for each row execute function private.record_comment_added();
