-- The execute grants that service_role had only through default privileges.
--
-- Until now the local stack gave anon, authenticated and service_role every privilege on each new
-- object in public, as older hosted projects did; new hosted projects give none, so a migration
-- must grant what each role may do. Every table, view and sequence of the earlier migrations
-- already says so (ticket_events.id is an identity column, which needs no grant on its sequence),
-- and anon keeps nothing. What service_role lost is execute on four functions: the three below,
-- whose migrations revoked execute from public and granted it to authenticated only, and
-- private.ticket_detail, which began as public.get_ticket before it moved to private and
-- public.get_ticket calls. service_role may run every other API function (the migrations grant it
-- explicitly), so it may run these too; public.get_ticket as service_role failed with "permission
-- denied for function ticket_detail" without the last grant.

grant execute on function
  public.list_my_organizations(),
  public.list_submittable_organizations(),
  public.list_my_invitations()
  to service_role;

grant execute on function private.ticket_detail(uuid) to service_role;
