-- Files attached to tickets and comments (issue 13): the private bucket that holds them, the table
-- that says whose they are and who may read them, and the policies on storage.objects that let
-- Supabase Storage upload and serve exactly those files.
--
-- How a file travels. The client registers it (create_attachment_upload, next migrations): a row
-- here, `pending`, for 60 minutes, uploaded_by the caller, with the object name it must be uploaded
-- under. Storage lets the caller upload to that name only (the insert policy below). create_ticket
-- or add_comment then attaches it (`attached`) once the object is really there, as declared. Only
-- then do others see it: exactly who may see its comment (or, on the ticket itself, the ticket).
-- Removing it (`removed`) makes it unreadable at once; the purge, run by the service role, deletes
-- its object through the Storage API (direct deletes from storage.objects are blocked) and notes
-- purged_at.
--
-- Rows outlive what they belong to, so that the purge still finds their objects:
--   * ticket_id has no foreign key. A file registered for a ticket still being written (a draft)
--     names the id the client reserved for it, which no ticket has yet; and when a ticket is
--     deleted, its attachments stay, marked removed by an `after delete` trigger on tickets.
--   * handling_org_id has no foreign key either: a cascade from organizations would delete the rows
--     and orphan the objects. Deleting an organization deletes its tickets, whose trigger marks
--     their attachments removed; drafts for it expire and are purged like any other.
--   * comment_id references ticket_comments `on delete set null`, not `cascade` (which would delete
--     the rows with the comment); a `before delete` trigger on ticket_comments marks the comment's
--     attachments removed first. Comments are deleted only with their ticket, or by the service role.
--
-- The object name is `<handling_org_id>/<ticket_id>/<id>/<key>`, where <key> is stored_name with
-- every run of characters other than ASCII letters, digits, `.`, `_` and `-` replaced by `_`:
-- Storage refuses keys with other characters (non-ASCII ones in particular: supabase/storage#133),
-- and URLs carry these unchanged. Users never see it: downloads are named stored_name, the
-- sanitized file name (Unicode kept).

-- The bucket -------------------------------------------------------------------------------------
-- Private; Storage itself refuses bigger files and other types. The allowlist is of ordinary
-- documents, images, archives and mail; no HTML, SVG, scripts or executables (Storage serves a
-- download with the type it was uploaded with). application/octet-stream takes files the browser
-- cannot name; their file name extension is checked by create_attachment_upload instead.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'ticket-attachments',
  'ticket-attachments',
  false,
  26214400,
  array[
    'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'image/bmp',
    'image/tiff',
    'video/mp4', 'video/quicktime', 'video/webm',
    'application/pdf',
    'text/plain', 'text/csv', 'text/markdown', 'application/json',
    'application/zip', 'application/x-zip-compressed', 'application/gzip', 'application/x-gzip',
    'application/x-7z-compressed', 'application/x-tar',
    'message/rfc822', 'application/vnd.ms-outlook',
    'application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.text',
    'application/vnd.oasis.opendocument.spreadsheet',
    'application/vnd.oasis.opendocument.presentation',
    'application/octet-stream'
  ]
)
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;

-- File names -------------------------------------------------------------------------------------
-- The name a file is stored and downloaded under. Names that differ only by Unicode normalization
-- give the same result (NFC before and after: removing characters can bring a base letter and a
-- combining mark together).
create function private.sanitize_file_name(p_name text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
  v_name text := normalize(coalesce(p_name, ''), nfc);
  v_extension text;
begin
  -- Line breaks and tabs separate words: they become spaces, like every other kind of space below.
  v_name := regexp_replace(v_name, '[\t\n\v\f\r\u0085\u2028\u2029]', ' ', 'g');
  -- Gone: path separators, the remaining C0 and C1 controls and DEL, bidirectional controls
  -- (a right-to-left override shows "evil\u202Efdp.exe" as "evilexe.pdf"), zero-width and other
  -- invisible characters.
  v_name := regexp_replace(
    v_name,
    '[/\\\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]',
    '', 'g'
  );
  v_name := regexp_replace(v_name, '[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+', ' ', 'g');
  -- No hidden files, and no trailing dots or spaces (Windows drops them, changing the extension).
  v_name := regexp_replace(v_name, '^[ .]+|[ .]+$', '', 'g');
  if char_length(v_name) > 200 then
    v_extension := substring(v_name from '\.([^. ]{1,20})$');
    if v_extension is null then
      v_name := left(v_name, 200);
    else
      v_name := left(v_name, 199 - char_length(v_extension));
      v_name := regexp_replace(v_name, '[ .]+$', '') || '.' || v_extension;
    end if;
    v_name := regexp_replace(v_name, '[ .]+$', '');
  end if;
  v_name := normalize(v_name, nfc);
  return case when v_name = '' then 'file' else v_name end;
end;
$$;

comment on function private.sanitize_file_name(text) is
  'A file name safe to store and download under: NFC, no path separators, controls, bidi or invisible characters, one space between words, no leading or trailing dots, at most 200 characters with its extension kept; "file" if nothing is left.';

-- The last part of an attachment's object name: Storage's keys take a subset of ASCII only.
create function private.attachment_object_key(p_stored_name text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select regexp_replace(p_stored_name, '[^A-Za-z0-9._-]+', '_', 'g')
$$;

comment on function private.attachment_object_key(text) is
  'The object key for a stored_name: every run of characters other than ASCII letters, digits, . _ - becomes _.';

revoke execute on function private.sanitize_file_name(text), private.attachment_object_key(text)
  from public, anon;
grant execute on function private.sanitize_file_name(text), private.attachment_object_key(text)
  to authenticated, service_role;

-- The table --------------------------------------------------------------------------------------
create table public.ticket_attachments (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null,
  handling_org_id uuid not null,
  comment_id uuid references public.ticket_comments (id) on delete set null,
  uploaded_by uuid default auth.uid() references public.profiles (id) on delete set null,
  file_name text not null check (char_length(file_name) between 1 and 1000),
  stored_name text not null check (char_length(stored_name) between 1 and 200),
  content_type text not null
    check (content_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$'),
  size_bytes bigint not null check (size_bytes between 1 and 26214400),
  object_name text not null constraint ticket_attachments_object_name_key unique,
  status text not null default 'pending' check (status in ('pending', 'attached', 'removed')),
  is_internal boolean not null default false,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  attached_at timestamptz,
  removed_at timestamptz,
  removed_by uuid references public.profiles (id) on delete set null,
  purged_at timestamptz,
  purge_after timestamptz,
  constraint ticket_attachments_attached_check check (status <> 'attached' or attached_at is not null),
  constraint ticket_attachments_removed_check check (status <> 'removed' or removed_at is not null),
  constraint ticket_attachments_pending_check check (status <> 'pending' or comment_id is null)
);

comment on table public.ticket_attachments is
  'Files on tickets (comment_id null) and comments; pending until attached, readable like their comment, removed files purged from Storage.';
comment on column public.ticket_attachments.ticket_id is
  'The ticket; for a ticket still being written, the id its author reserved for it. No foreign key: rows outlive their ticket until purged.';
comment on column public.ticket_attachments.file_name is 'The name as the uploader''s device gave it.';
comment on column public.ticket_attachments.stored_name is 'private.sanitize_file_name(file_name): the download''s name.';
comment on column public.ticket_attachments.object_name is
  'The object in bucket ticket-attachments: <handling_org_id>/<ticket_id>/<id>/<attachment_object_key(stored_name)>.';
comment on column public.ticket_attachments.is_internal is 'Copied from the comment when attached: staff only.';
comment on column public.ticket_attachments.expires_at is
  'created_at + 60 minutes: a pending attachment not attached by then cannot be, and is purged.';
comment on column public.ticket_attachments.purged_at is 'When the purge last deleted the object of a removed attachment.';
comment on column public.ticket_attachments.purge_after is
  'When the purge should (again) delete this attachment''s object; null when nothing is left to delete. Internal: set by the attachment functions and the purge.';

-- Every index is unique by ending in id (as on tickets).
create unique index ticket_attachments_ticket_idx on public.ticket_attachments (ticket_id, created_at, id);
create unique index ticket_attachments_comment_idx on public.ticket_attachments (comment_id, created_at, id);
create unique index ticket_attachments_uploader_idx
  on public.ticket_attachments (uploaded_by, ticket_id, status, id);
create unique index ticket_attachments_removed_by_idx on public.ticket_attachments (removed_by, id);
create unique index ticket_attachments_purge_idx
  on public.ticket_attachments (purge_after, id) where purge_after is not null;

alter table public.ticket_attachments enable row level security;

-- Clients read; every write goes through the API's functions (their private helpers).
revoke all on table public.ticket_attachments from public, anon, authenticated;
grant select on table public.ticket_attachments to authenticated;
grant all on table public.ticket_attachments to service_role;

-- Who sees an attachment ---------------------------------------------------------------------------
-- The one rule, used by the table's policy, by the policies on storage.objects and by the API: an
-- attached file is seen by whoever sees its comment (public: the requester and the organization's
-- staff; internal: staff only), a file on the ticket itself like a public comment; a pending one
-- by its uploader only; a removed one by nobody.
create function private.can_see_attachment(
  p_ticket_id uuid, p_status text, p_is_internal boolean, p_uploaded_by uuid
)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(case p_status
    when 'pending' then p_uploaded_by = (select auth.uid())
    when 'attached' then exists (
      select 1
      from public.tickets t
      where t.id = p_ticket_id
        and (
          t.handling_org_id in (select private.my_org_ids())
          or (t.user_id = (select auth.uid()) and not p_is_internal)
        )
    )
    else false
  end, false)
$$;

comment on function private.can_see_attachment(uuid, text, boolean, uuid) is
  'Whether the current user may see an attachment: attached and its comment (or ticket) visible to them, or their own pending one.';

-- For Storage's policies: the object name is looked up by its unique index.
create function private.can_read_attachment_object(p_object_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.ticket_attachments a
    where a.object_name = p_object_name
      and private.can_see_attachment(a.ticket_id, a.status, a.is_internal, a.uploaded_by)
  )
$$;

comment on function private.can_read_attachment_object(text) is
  'Whether the current user may read the object of this name in ticket-attachments.';

create function private.can_upload_attachment_object(p_object_name text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.ticket_attachments a
    where a.object_name = p_object_name
      and a.status = 'pending'
      and a.expires_at > now()
      and a.uploaded_by = (select auth.uid())
  )
$$;

comment on function private.can_upload_attachment_object(text) is
  'Whether the current user may upload the object of this name: the name of their own pending, unexpired attachment.';

revoke execute on function
  private.can_see_attachment(uuid, text, boolean, uuid),
  private.can_read_attachment_object(text),
  private.can_upload_attachment_object(text)
  from public, anon;
grant execute on function
  private.can_see_attachment(uuid, text, boolean, uuid),
  private.can_read_attachment_object(text),
  private.can_upload_attachment_object(text)
  to authenticated, service_role;

create policy "Users read attachments whose comment or ticket they see"
  on public.ticket_attachments
  for select
  to authenticated
  using (private.can_see_attachment(ticket_id, status, is_internal, uploaded_by));

-- Storage: uploads to the caller's pending attachments, reads of the attachments they may see. No
-- update policy (no overwriting, no upserts) and no delete policy: only the purge deletes, as the
-- service role, through the Storage API.
create policy "Uploaders upload the files of their pending attachments"
  on storage.objects
  for insert
  to authenticated
  with check (bucket_id = 'ticket-attachments' and private.can_upload_attachment_object(name));

create policy "Users read the attachment files they may see"
  on storage.objects
  for select
  to authenticated
  using (bucket_id = 'ticket-attachments' and private.can_read_attachment_object(name));

-- Rows outlive their ticket and comment ------------------------------------------------------------
create function private.remove_attachments_of_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'tickets' then
    update public.ticket_attachments a
    set status = 'removed', removed_at = now(), removed_by = null, purge_after = now()
    where a.ticket_id = old.id and a.status <> 'removed';
  else
    update public.ticket_attachments a
    set status = 'removed', removed_at = now(), removed_by = null, purge_after = now()
    where a.comment_id = old.id and a.status <> 'removed';
  end if;
  return old;
end;
$$;

comment on function private.remove_attachments_of_deleted() is
  'Trigger: a deleted ticket or comment leaves its attachments removed, for the purge to delete their objects.';
revoke execute on function private.remove_attachments_of_deleted() from public, anon, authenticated;

create trigger remove_attachments
  after delete on public.tickets
  for each row execute function private.remove_attachments_of_deleted();

-- Before: the foreign key's `set null` runs after the delete and would lose which comment it was.
create trigger remove_attachments
  before delete on public.ticket_comments
  for each row execute function private.remove_attachments_of_deleted();
