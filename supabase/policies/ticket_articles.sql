create policy "Staff read ticket articles, requesters linked ones they may see"
  on public.ticket_articles
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or (
      kind = 'linked'
      and exists (select 1 from public.tickets t where t.id = ticket_articles.ticket_id and t.user_id = (select auth.uid()))
      and exists (select 1 from public.articles a where a.id = ticket_articles.article_id)
    )
  );
