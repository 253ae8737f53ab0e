create policy "Staff read the history of their organizations' articles"
  on public.article_events
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));
