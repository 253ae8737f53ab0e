-- A requester's view record may change in one way only: when they last opened the ticket. Before,
-- the update grant covered every column and the update policy checked only the user, so a
-- requester could point their record at any ticket id, and the foreign-key error told them which
-- ids exist in any organization.

revoke update on table public.ticket_views from authenticated;
grant update (seen_at) on table public.ticket_views to authenticated;
