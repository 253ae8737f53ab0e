-- File names from callers who skip the BFF.
--
-- * create_attachment_upload refuses a file_name with control characters (C0 including tabs and
--   line breaks, DEL, C1) with PT422 hint file_name, as the README promises and the BFF already
--   does (U+0000 cannot reach a text parameter at all). As in
--   20261130150110_create_attachment_api.sql otherwise.
-- * private.sanitize_file_name also drops characters that look blank (U+3164, U+115F, U+1160,
--   U+FFA0 Hangul fillers, U+2800, U+17B4, U+17B5, U+034F, tags U+E0000-U+E007F), and renames
--   Windows device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or without an extension) by a
--   leading `_`. Names stored before keep their stored_name. As in
--   20261130150000_create_ticket_attachments.sql otherwise.
-- * private.require_attachment_type blocks more extensions that run or render as code on Windows
--   or Linux desktops: chm, one, iqy, slk, settingcontent-ms, library-ms, desktop, xht, shtm,
--   website, ps1xml. As in 20261130150110_create_attachment_api.sql otherwise.

create or replace function private.sanitize_file_name(p_name text)
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
  -- invisible characters, and those that show as blank (Hangul fillers, the blank Braille pattern,
  -- Khmer inherent vowels, the combining grapheme joiner, tag characters).
  v_name := regexp_replace(
    v_name,
    '[/\\\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0\U000e0000-\U000e007f]',
    '', 'g'
  );
  v_name := regexp_replace(v_name, '[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+', ' ', 'g');
  -- No hidden files, and no trailing dots or spaces (Windows drops them, changing the extension).
  v_name := regexp_replace(v_name, '^[ .]+|[ .]+$', '', 'g');
  -- Windows cannot open a file named like a device, whatever its extension: CON, PRN, AUX, NUL,
  -- COM1-9, LPT1-9 in any case. A leading _ makes it an ordinary name
  -- (before the cut to 200 characters, which keeps the start).
  if v_name ~* '^(con|prn|aux|nul|com[1-9]|lpt[1-9]) *(\.|$)' then
    v_name := '_' || v_name;
  end if;
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

create or replace function private.require_attachment_type(p_content_type text, p_stored_name text)
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
      'appref-ms', 'xll', 'xlam', 'docm', 'dotm', 'xlsm', 'xltm', 'pptm', 'potm', 'ppsm', 'swf',
      'chm', 'one', 'iqy', 'slk', 'settingcontent-ms', 'library-ms', 'desktop', 'xht', 'shtm',
      'website', 'ps1xml'
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

create or replace function public.create_attachment_upload(
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
  if create_attachment_upload.file_name ~ '[\u0001-\u001f\u007f-\u009f]' then
    raise exception 'The file name must not contain control characters (tabs and line breaks included).'
      using errcode = 'PT422', hint = 'file_name';
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
