create policy "Staff read their organizations' article views"
  on public.article_views
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));
