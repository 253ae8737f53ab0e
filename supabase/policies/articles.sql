create policy "Staff read all their org's articles, customers published public"
  on public.articles
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or (
      status = 'published' and visibility = 'public'
      and (private.is_public_org(organization_id) or organization_id in (select private.my_other_submittable_org_ids()))
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
