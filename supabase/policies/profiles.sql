create policy "Users update their own profile"
  on public.profiles
  for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create policy "Users read the profiles of people they work with"
  on public.profiles
  for select
  to authenticated
  using (id = (select auth.uid()) or private.can_see_profile(id));
