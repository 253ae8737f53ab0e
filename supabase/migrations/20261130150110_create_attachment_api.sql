-- The attachment API: register a file for upload, read one, remove one; and the history of
-- attachments (ticket_events kinds attachment_added and attachment_removed).
--
-- Errors, as the other API functions raise them (hint: the input at fault). The limits carry a
-- stable code of their own in `detail`, which the BFF maps to its error codes:
--   PT422 detail attachment_too_large     size_bytes over 25 MiB or the organization's limit
--   PT422 detail attachment_type_blocked  content_type not in the bucket's allowlist, or an
--                                         executable, script or markup type or file extension
--   PT422 detail too_many_attachments     20 pending uploads of yours for one ticket already
--   PT422 detail ticket_attachments_full  the ticket's files (attached, and pending unexpired)
--                                         would pass 100 MiB
--   PT404 hint ticket_id / attachment_id  nothing the caller may see
--   PT403 hint attachment_id              removing a file the caller sees but may not remove

-- The attachment JSON every attachment function returns.
create function private.attachment_json(p_attachment public.ticket_attachments)
returns jsonb
language sql
immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_attachment.id,
    'ticket_id', p_attachment.ticket_id,
    'handling_org_id', p_attachment.handling_org_id,
    'comment_id', p_attachment.comment_id,
    'file_name', p_attachment.file_name,
    'stored_name', p_attachment.stored_name,
    'content_type', p_attachment.content_type,
    'size_bytes', p_attachment.size_bytes,
    'status', p_attachment.status,
    'is_internal', p_attachment.is_internal,
    'bucket_id', 'ticket-attachments',
    'object_name', p_attachment.object_name,
    'uploaded_by', p_attachment.uploaded_by,
    'created_at', p_attachment.created_at,
    'expires_at', p_attachment.expires_at
  )
$$;

comment on function private.attachment_json(public.ticket_attachments) is
  'The attachment JSON create_attachment_upload, get_attachment and remove_attachment return.';

-- Types and extensions -----------------------------------------------------------------------------
-- Raises attachment_type_blocked unless the type is in the bucket's allowlist and neither the type
-- nor the stored name's extension is one that runs or renders as code: the bucket takes
-- application/octet-stream, so an .exe would pass as that.
create function private.require_attachment_type(p_content_type text, p_stored_name text)
returns void
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_extension text := lower(substring(p_stored_name from '\.([^.]+)$'));
begin
  if p_content_type in (
      'text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml',
      'application/javascript', 'text/javascript', 'application/ecmascript', 'text/ecmascript',
      'application/x-javascript', 'application/wasm', 'application/x-sh', 'application/x-shellscript',
      'text/x-shellscript', 'application/x-csh', 'text/x-python', 'application/x-python-code',
      'application/x-perl', 'application/x-ruby', 'application/x-php', 'application/x-httpd-php',
      'text/x-php', 'application/java-archive', 'application/x-java-archive',
      'application/x-java-jnlp-file', 'application/x-msdownload', 'application/x-msdos-program',
      'application/x-dosexec', 'application/x-executable', 'application/x-sharedlib',
      'application/x-mach-binary', 'application/vnd.microsoft.portable-executable',
      'application/x-msi', 'application/x-ms-installer', 'application/x-bat', 'application/hta',
      'application/x-ms-shortcut', 'application/vnd.android.package-archive',
      'application/x-apple-diskimage', 'application/x-iso9660-image'
    ) then
    raise exception 'Files of type % cannot be attached: it can run or render as code.', p_content_type
      using errcode = 'PT422', detail = 'attachment_type_blocked', hint = 'content_type';
  end if;
  if v_extension in (
      'exe', 'dll', 'bat', 'cmd', 'com', 'msi', 'msp', 'mst', 'msix', 'appx', 'scr', 'pif', 'cpl',
      'ps1', 'psm1', 'psd1', 'vbs', 'vbe', 'js', 'jse', 'mjs', 'cjs', 'wsf', 'wsh', 'wsc', 'ws',
      'hta', 'lnk', 'url', 'scf', 'reg', 'inf', 'jar', 'jnlp', 'class', 'sh', 'bash', 'zsh', 'csh',
      'ksh', 'command', 'py', 'pyw', 'pl', 'rb', 'php', 'php3', 'php4', 'php5', 'phtml', 'phar',
      'html', 'htm', 'xhtml', 'shtml', 'mht', 'mhtml', 'svg', 'svgz', 'xml', 'xsl', 'app', 'apk',
      'ipa', 'dmg', 'pkg', 'deb', 'rpm', 'iso', 'img', 'vhd', 'vhdx', 'gadget', 'msc', 'application',
      'appref-ms', 'xll', 'xlam', 'docm', 'dotm', 'xlsm', 'xltm', 'pptm', 'potm', 'ppsm', 'swf'
    ) then
    raise exception 'Files named .% cannot be attached: they can run or render as code.', v_extension
      using errcode = 'PT422', detail = 'attachment_type_blocked', hint = 'file_name';
  end if;
  if not exists (
    select 1 from storage.buckets b
    where b.id = 'ticket-attachments' and p_content_type = any (b.allowed_mime_types)
  ) then
    raise exception 'Files of type % cannot be attached; attach images, PDFs, text, office documents, archives or mail, or send application/octet-stream.', p_content_type
      using errcode = 'PT422', detail = 'attachment_type_blocked', hint = 'content_type';
  end if;
end;
$$;

comment on function private.require_attachment_type(text, text) is
  'Raises PT422 attachment_type_blocked for a type outside the bucket''s allowlist, or an executable, script or markup type or extension.';

-- Registering ------------------------------------------------------------------------------------
-- Writes the pending row. Runs as the owner: the limits count every user's files on the ticket,
-- and clients have no insert privilege. The caller (create_attachment_upload) has checked that the
-- current user may see the ticket or submit it as a draft; one advisory lock per ticket serializes
-- registrations, so concurrent uploads cannot pass the limits together.
create function private.register_attachment(
  p_ticket_id uuid,
  p_handling_org_id uuid,
  p_file_name text,
  p_content_type text,
  p_size_bytes bigint
)
returns public.ticket_attachments
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_id uuid := gen_random_uuid();
  v_stored_name text := private.sanitize_file_name(p_file_name);
  v_size_limit bigint;
  v_ticket_total bigint;
  v_pending integer;
  v_attachment public.ticket_attachments;
begin
  perform private.require_attachment_type(p_content_type, v_stored_name);

  select coalesce(o.attachment_size_limit_bytes, 26214400) into v_size_limit
  from public.organizations o
  where o.id = p_handling_org_id;
  if p_size_bytes > coalesce(v_size_limit, 26214400) then
    raise exception 'The file is % bytes; this organization accepts files of at most % bytes (% MiB).',
        p_size_bytes, v_size_limit, round(v_size_limit / 1048576.0, 1)
      using errcode = 'PT422', detail = 'attachment_too_large', hint = 'size_bytes';
  end if;

  perform pg_advisory_xact_lock(hashtextextended('ticket_attachments:' || p_ticket_id::text, 0));

  select
    coalesce(sum(a.size_bytes), 0)::bigint,
    (count(*) filter (where a.status = 'pending' and a.uploaded_by = v_user_id))::integer
  into v_ticket_total, v_pending
  from public.ticket_attachments a
  where a.ticket_id = p_ticket_id
    and (a.status = 'attached' or (a.status = 'pending' and a.expires_at > now()));
  if v_pending >= 20 then
    raise exception 'You have 20 uploads waiting to be attached to this ticket; attach or remove some first.'
      using errcode = 'PT422', detail = 'too_many_attachments', hint = 'ticket_id';
  end if;
  if v_ticket_total + p_size_bytes > 104857600 then
    raise exception 'This ticket''s files would pass 100 MiB (% bytes are taken, % bytes are left).',
        v_ticket_total, greatest(104857600 - v_ticket_total, 0)
      using errcode = 'PT422', detail = 'ticket_attachments_full', hint = 'size_bytes';
  end if;

  -- Not attached by expires_at, it cannot be any more and the purge deletes it.
  insert into public.ticket_attachments (
    id, ticket_id, handling_org_id, file_name, stored_name, content_type, size_bytes, object_name,
    expires_at, purge_after
  )
  values (
    v_id, p_ticket_id, p_handling_org_id, p_file_name, v_stored_name, p_content_type, p_size_bytes,
    format('%s/%s/%s/%s', p_handling_org_id, p_ticket_id, v_id, private.attachment_object_key(v_stored_name)),
    now() + interval '60 minutes', now() + interval '60 minutes'
  )
  returning * into v_attachment;
  return v_attachment;
end;
$$;

comment on function private.register_attachment(uuid, uuid, text, text, bigint) is
  'Writes a pending attachment for the current user after checking type, size and the ticket''s limits.';

-- Whether a ticket of this id exists, whoever may see it (a draft may not take a taken id).
create function private.ticket_id_taken(p_ticket_id uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.tickets t where t.id = p_ticket_id)
$$;

comment on function private.ticket_id_taken(uuid) is 'Whether any ticket has this id, visible to the current user or not.';

create function public.create_attachment_upload(
  ticket_id uuid,
  file_name text,
  content_type text,
  size_bytes bigint,
  handling_org_id uuid default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_org_id uuid;
  v_content_type text := lower(btrim(split_part(coalesce(create_attachment_upload.content_type, ''), ';', 1)));
begin
  if (select auth.uid()) is null then
    raise exception 'Sign in to attach files.' using errcode = '42501';
  end if;
  if create_attachment_upload.ticket_id is null then
    raise exception 'Name the ticket the file is for.' using errcode = 'PT422', hint = 'ticket_id';
  end if;
  if char_length(btrim(coalesce(create_attachment_upload.file_name, ''))) = 0
    or char_length(create_attachment_upload.file_name) > 1000 then
    raise exception 'The file name must be 1 to 1000 characters long.' using errcode = 'PT422', hint = 'file_name';
  end if;
  if v_content_type !~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$' or char_length(v_content_type) > 255 then
    raise exception 'The content type must be a media type such as image/png.' using errcode = 'PT422', hint = 'content_type';
  end if;
  if create_attachment_upload.size_bytes is null or create_attachment_upload.size_bytes < 1 then
    raise exception 'The size must be a positive number of bytes.' using errcode = 'PT422', hint = 'size_bytes';
  end if;
  -- A ticket the caller may see (the tickets select policy decides) ...
  select t.handling_org_id into v_org_id from public.tickets t where t.id = create_attachment_upload.ticket_id;
  if not found then
    -- ... or one they are about to submit with this id.
    if create_attachment_upload.handling_org_id is null
      or private.ticket_id_taken(create_attachment_upload.ticket_id) then
      raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
    end if;
    perform private.require_can_submit(create_attachment_upload.handling_org_id);
    v_org_id := create_attachment_upload.handling_org_id;
  end if;

  return private.attachment_json(private.register_attachment(
    create_attachment_upload.ticket_id, v_org_id, create_attachment_upload.file_name, v_content_type,
    create_attachment_upload.size_bytes
  ));
end;
$$;

comment on function public.create_attachment_upload(uuid, text, text, bigint, uuid) is
  'Register a file to upload for a ticket you may see, or (with handling_org_id) for the ticket you are about to submit with this id; pending for 60 minutes.';

-- Reading ----------------------------------------------------------------------------------------
create function public.get_attachment(attachment_id uuid)
returns jsonb
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  v_attachment public.ticket_attachments;
begin
  -- The table's select policy decides.
  select * into v_attachment from public.ticket_attachments a where a.id = get_attachment.attachment_id;
  if not found then
    raise exception 'The attachment was not found.' using errcode = 'PT404', hint = 'attachment_id';
  end if;
  return private.attachment_json(v_attachment);
end;
$$;

comment on function public.get_attachment(uuid) is
  'An attachment the caller may see (attached to what they see, or their own pending one); PT404 otherwise.';

-- Removing ---------------------------------------------------------------------------------------
create function private.remove_attachment(p_attachment_id uuid)
returns public.ticket_attachments
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_attachment public.ticket_attachments;
begin
  select * into v_attachment from public.ticket_attachments a where a.id = p_attachment_id for update;
  if not found or v_attachment.status = 'removed' then
    raise exception 'The attachment was not found.' using errcode = 'PT404', hint = 'attachment_id';
  end if;
  if not (
    (v_attachment.status = 'pending' and v_attachment.uploaded_by = v_user_id)
    or private.is_org_admin(v_attachment.handling_org_id)
  ) then
    if private.can_see_attachment(v_attachment.ticket_id, v_attachment.status, v_attachment.is_internal, v_attachment.uploaded_by) then
      raise exception 'Only the organization''s admins can remove an attached file.'
        using errcode = 'PT403', hint = 'attachment_id';
    end if;
    raise exception 'The attachment was not found.' using errcode = 'PT404', hint = 'attachment_id';
  end if;

  update public.ticket_attachments a
  set status = 'removed', removed_at = now(), removed_by = v_user_id, purge_after = now()
  where a.id = p_attachment_id
  returning * into v_attachment;
  return v_attachment;
end;
$$;

comment on function private.remove_attachment(uuid) is
  'Removes an attachment: the uploader''s own pending one, or any of the organization''s (its admins).';

create function public.remove_attachment(attachment_id uuid)
returns jsonb
language sql
security invoker
set search_path = ''
as $$
  select private.attachment_json(private.remove_attachment(remove_attachment.attachment_id))
$$;

comment on function public.remove_attachment(uuid) is
  'Remove a file: the uploader while it is pending, the organization''s admins at any time. Unreadable at once; the purge deletes its object.';

-- History ----------------------------------------------------------------------------------------
alter table public.ticket_events drop constraint ticket_events_kind_check;
alter table public.ticket_events add constraint ticket_events_kind_check check (
  kind in (
    'created', 'status_changed', 'priority_changed', 'assignment_changed', 'comment_added', 'details_changed',
    'attachment_added', 'attachment_removed'
  )
);

-- An attachment shows in the history as its comment does (is_internal copied). A public file's
-- removal names only its id: a redacted file's name must not reach the requester again.
create function private.record_attachment_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A deleted ticket's attachments are removed without history: its history is gone with it.
  if not exists (select 1 from public.tickets t where t.id = new.ticket_id) then
    return null;
  end if;
  if old.status = 'pending' and new.status = 'attached' then
    insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
    values (new.ticket_id, (select auth.uid()), 'attachment_added',
      jsonb_build_object('id', new.id, 'file_name', new.file_name), new.is_internal);
  elsif old.status = 'attached' and new.status = 'removed' then
    insert into public.ticket_events (ticket_id, actor_id, kind, new_value, is_internal)
    values (new.ticket_id, (select auth.uid()), 'attachment_removed',
      case when new.is_internal then jsonb_build_object('id', new.id, 'file_name', new.file_name)
        else jsonb_build_object('id', new.id) end,
      new.is_internal);
  end if;
  return null;
end;
$$;

comment on function private.record_attachment_change() is
  'Trigger: records attachment_added and attachment_removed events.';

create trigger record_attachment_change
  after update of status on public.ticket_attachments
  for each row
  when (old.status is distinct from new.status)
  execute function private.record_attachment_change();

-- Grants -----------------------------------------------------------------------------------------
revoke execute on function
  private.attachment_json(public.ticket_attachments),
  private.require_attachment_type(text, text),
  private.register_attachment(uuid, uuid, text, text, bigint),
  private.ticket_id_taken(uuid),
  private.remove_attachment(uuid),
  public.create_attachment_upload(uuid, text, text, bigint, uuid),
  public.get_attachment(uuid),
  public.remove_attachment(uuid)
  from public, anon;
revoke execute on function private.record_attachment_change() from public, anon, authenticated;
grant execute on function
  private.attachment_json(public.ticket_attachments),
  private.require_attachment_type(text, text),
  private.register_attachment(uuid, uuid, text, text, bigint),
  private.ticket_id_taken(uuid),
  private.remove_attachment(uuid),
  public.create_attachment_upload(uuid, text, text, bigint, uuid),
  public.get_attachment(uuid),
  public.remove_attachment(uuid)
  to authenticated, service_role;
