create policy "Staff read their organizations' knowledge base settings"
  on public.knowledge_base_settings
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));
