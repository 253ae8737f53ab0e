create policy "Staff read all their org's articles, customers published public"
  on public.articles
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or (
      status = 'published' and visibility = 'public'
      and organization_id in (select private.my_submittable_org_ids())
    )
  );

create policy "Staff write drafts in their organizations"
  on public.articles
  for insert
  to authenticated
  with check (organization_id in (select private.my_org_ids()));

create policy "Staff change their organizations' articles"
  on public.articles
  for update
  to authenticated
  using (organization_id in (select private.my_org_ids()))
  with check (organization_id in (select private.my_org_ids()));
