-- A member who leaves an organization while assigned to tickets (an admin removing themselves) was
-- refused: the foreign key clears their assignments as part of the removal, and by then they are
-- no longer staff, so the change check took them for a customer. Clearing the assignment of
-- someone who has left is always allowed.

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
        using errcode = 'TK403', hint = 'priority';
    end if;
    if p_new.assigned_team_id is distinct from p_old.assigned_team_id then
      raise exception 'Only staff of the handling organization can assign a team.'
        using errcode = 'TK403', hint = 'assigned_team_id';
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
        using errcode = 'TK403', hint = 'assigned_employee_id';
    end if;
    if p_new.status is distinct from p_old.status
      and not (
        p_new.status = 'closed'
        or (p_new.status = 'open' and p_old.status in ('resolved', 'closed'))
      ) then
      raise exception 'Requesters can only close their ticket or reopen a resolved or closed one.'
        using errcode = 'TK403', hint = 'status';
    end if;
  end if;

  if p_new.assigned_team_id is not null and not exists (
    select 1 from public.teams t
    where t.id = p_new.assigned_team_id and t.organization_id = p_new.handling_org_id
  ) then
    raise exception 'The team does not belong to the organization handling this ticket.'
      using errcode = '22023', hint = 'assigned_team_id';
  end if;

  if p_new.assigned_employee_id is not null and not exists (
    select 1 from public.organization_members m
    where m.organization_id = p_new.handling_org_id and m.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not staff of the organization handling this ticket.'
      using errcode = '22023', hint = 'assigned_employee_id';
  end if;

  if p_new.assigned_team_id is not null and p_new.assigned_employee_id is not null and not exists (
    select 1 from public.team_members tm
    where tm.team_id = p_new.assigned_team_id and tm.user_id = p_new.assigned_employee_id
  ) then
    raise exception 'The assignee is not a member of the assigned team; assign a team member or change the team.'
      using errcode = '22023', hint = 'assigned_employee_id';
  end if;
end;
$$;
