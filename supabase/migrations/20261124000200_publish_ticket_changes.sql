-- Postgres Changes for simple clients: tickets and comments in the supabase_realtime publication.
-- Realtime checks each change against the subscriber's select policies, so a requester hears of
-- their own tickets and public comments only. Limits: deletes are not filtered by RLS (every
-- subscriber to the table hears of every delete, though only its primary key), changes carry the
-- raw row (priority_rank included), and every change is checked once per subscriber on a single
-- thread, which scales far worse than broadcast. The frontend should use the private broadcast
-- topics org:<id>:tickets and user:<id>:tickets instead. ticket_events stay unpublished.

alter publication supabase_realtime add table public.tickets, public.ticket_comments;
