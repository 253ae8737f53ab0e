create policy "Requesters and staff of the handling org read tickets"
  on public.tickets
  for select
  to authenticated
  using (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()));

create policy "Users submit tickets as themselves"
  on public.tickets
  for insert
  to authenticated
  with check (user_id = (select auth.uid()) and private.can_submit_to(handling_org_id));

create policy "Requesters and staff of the handling org update tickets"
  on public.tickets
  for update
  to authenticated
  using (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()))
  with check (user_id = (select auth.uid()) or handling_org_id in (select private.my_org_ids()));
