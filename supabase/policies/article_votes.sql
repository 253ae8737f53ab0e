create policy "Staff read their org's article votes, people their own"
  on public.article_votes
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()) or user_id = (select auth.uid()));
