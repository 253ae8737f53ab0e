-- API: ticket_stats, an organization's dashboard counts, read from the counts kept by
-- 20261123231250_count_tickets_for_stats.sql instead of scanning the organization's tickets.

create function public.ticket_stats(p_org_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_stats jsonb;
begin
  if p_org_id is null or not private.is_org_staff(p_org_id) then
    raise exception 'The organization was not found.' using errcode = 'TK404', hint = 'org_id';
  end if;

  select jsonb_build_object(
    'org_id', p_org_id,
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
  from private.ticket_stat_counts c
  where c.organization_id = p_org_id;

  return v_stats;
end;
$$;

comment on function public.ticket_stats(uuid) is
  'Ticket counts of an organization, for its staff (read from private.ticket_stat_counts).';
revoke execute on function public.ticket_stats(uuid) from public, anon;
grant execute on function public.ticket_stats(uuid) to authenticated;
