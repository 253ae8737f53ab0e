create policy "Users read attachments whose comment or ticket they see"
  on public.ticket_attachments
  for select
  to authenticated
  using (private.can_see_attachment(ticket_id, status, is_internal, uploaded_by));
