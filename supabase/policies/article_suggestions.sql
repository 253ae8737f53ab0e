create policy "Staff read their organizations' article suggestions"
  on public.article_suggestions
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));
