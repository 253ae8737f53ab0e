-- A write that changes nothing changes nothing. Before, a write that named only `version` (a
-- requester's `PATCH /tickets?id=eq.… {"version": 1}` through PostgREST, or an updateTicket whose
-- fields equal the current ones) moved version and updated_at, sent ticket_updated and put the
-- ticket on top of "recently updated" lists. The version is the trigger's to keep: it moves by
-- one exactly when a field a person can see changes, and whatever a caller writes to it is ignored.

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
      using errcode = '22023';
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

comment on function private.tickets_before_update() is
  'Trigger: guards ticket changes, keeps resolved_at/closed_at, and owns version and updated_at.';
