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
