create policy "Uploaders upload the files of their pending attachments"
  on storage.objects
  for insert
  to authenticated
  with check (bucket_id = 'ticket-attachments' and private.can_upload_attachment_object(name));

create policy "Users read the attachment files they may see"
  on storage.objects
  for select
  to authenticated
  using (bucket_id = 'ticket-attachments' and private.can_read_attachment_object(name, version));
