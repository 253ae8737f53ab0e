-- Ticket attachments as each role meets them: registering an upload, uploading it through Storage
-- (the policies on storage.objects, exercised by inserting rows as the Storage server does under
-- the caller's role), attaching it to a ticket or comment, reading it (table, get_attachment,
-- Storage, get_ticket, broadcasts), removing it, and the purge. Files on internal notes never
-- reach a customer by any path. Roles: alice (requester), bob (another customer), agent1 (a
-- colleague employee), admin (Acme's admin), globex (an employee of another organization), anon.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(160);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set globex_org '''bbbbbbbb-0000-4000-8000-000000000000'''
\set alice_ticket '''aaaaaaaa-1000-4000-8000-000000000001'''
\set bob_ticket '''aaaaaaaa-1000-4000-8000-000000000004'''
\set alice_id '''c0000000-0000-4000-8000-000000000001'''
\set alice_topic 'user:c0000000-0000-4000-8000-000000000001:tickets'
\set acme_topic 'org:aaaaaaaa-0000-4000-8000-000000000000:tickets'
\set draft '''dddddddd-5000-4000-8000-000000000001'''

-- Comment broadcasts go out at commit; a test never commits, so this sends them.
\set at_commit 'set constraints public.realtime_comment_added immediate; set constraints public.realtime_comment_added deferred;'

-- Attachments by the test's own names; any role may note one here.
create temporary table att (name text primary key, value jsonb);
grant all on att to authenticated, anon, service_role;
create temporary view a with (security_invoker = true) as
  select name, (value ->> 'id')::uuid as id, value ->> 'object_name' as object_name from att;
grant select on a to authenticated, anon, service_role;

-- What a refusal says: "<SQLSTATE> <detail or -> <hint or ->", and its message.
create function pg_temp.refusal(p_sql text) returns text language plpgsql as $$
declare
  v_state text; v_detail text; v_hint text;
begin
  execute p_sql;
  return 'no error';
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return v_state || ' ' || coalesce(nullif(v_detail, ''), '-') || ' ' || coalesce(nullif(v_hint, ''), '-');
end $$;
create function pg_temp.refusal_message(p_sql text) returns text language plpgsql as $$
begin
  execute p_sql;
  return 'no error';
exception when others then
  return sqlerrm;
end $$;

-- What the Storage server writes once the caller's insert passed the policies (here the insert
-- itself runs as the caller, so the insert policy decides).
create function pg_temp.upload(p_object_name text, p_mimetype text, p_size bigint) returns void
language sql as $$
  insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
  values ('ticket-attachments', p_object_name, auth.uid(), auth.uid()::text,
    jsonb_build_object('mimetype', p_mimetype, 'size', p_size, 'contentLength', p_size))
$$;

create temporary table sent_log (like realtime.messages);
\set next_write 'with moved as (delete from realtime.messages returning *) insert into sent_log select * from moved;'

-- The bucket and the table, secured ---------------------------------------------------------------
select is(
  (select (public, file_size_limit)::text from storage.buckets where id = 'ticket-attachments'),
  '(f,26214400)', 'the bucket is private and takes files of up to 25 MiB');
select ok(
  (select allowed_mime_types @> array['image/png', 'application/pdf', 'text/plain', 'application/octet-stream']
     and not allowed_mime_types && array['text/html', 'image/svg+xml', 'application/javascript', 'application/x-msdownload']
   from storage.buckets where id = 'ticket-attachments'),
  'the bucket takes ordinary documents, and no HTML, SVG, scripts or executables');
select ok((select relrowsecurity from pg_class where oid = 'public.ticket_attachments'::regclass),
  'ticket_attachments has row level security');
select ok(
  has_table_privilege('authenticated', 'public.ticket_attachments', 'select')
  and not has_table_privilege('authenticated', 'public.ticket_attachments', 'insert')
  and not has_table_privilege('authenticated', 'public.ticket_attachments', 'update')
  and not has_table_privilege('authenticated', 'public.ticket_attachments', 'delete')
  and not has_table_privilege('anon', 'public.ticket_attachments', 'select'),
  'users only read attachments (writes go through the functions); anon has nothing');
select is(
  (select array_agg(cmd::text order by cmd) from pg_policies where schemaname = 'storage' and tablename = 'objects'),
  array['INSERT', 'SELECT'], 'storage.objects has insert and select policies only: no overwriting, no deleting');
select ok(
  not has_function_privilege('authenticated', 'public.claim_attachment_purge(integer)', 'execute')
  and not has_function_privilege('anon', 'public.claim_attachment_purge(integer)', 'execute')
  and not has_function_privilege('authenticated', 'public.finish_attachment_purge(uuid[])', 'execute')
  and has_function_privilege('service_role', 'public.finish_attachment_purge(uuid[])', 'execute'),
  'only the service role may run the purge');

-- File names -----------------------------------------------------------------------------------
select is(private.sanitize_file_name('../../x'), 'x', 'path traversal leaves the bare name');
select is(private.sanitize_file_name('..\..\Windows\win.ini'), 'Windowswin.ini', 'backslashes go too');
select is(private.sanitize_file_name(E'inv\u0001oi\u007fce\u0085 \u009b2024.pdf'), 'invoice 2024.pdf',
  'control characters (C0, DEL, C1) go');
select is(private.sanitize_file_name(E'a\tb\r\nc.txt'), 'a b c.txt', 'tabs and line breaks become single spaces');
select is(private.sanitize_file_name(E'invoice\u202Efdp.exe'), 'invoicefdp.exe',
  'a right-to-left override goes, so the real extension shows');
select is(private.sanitize_file_name(E'\u2066a\u200bb\u200dc\ufeff\u2069.pdf'), 'abc.pdf',
  'bidi isolates and zero-width characters go');
select is(private.sanitize_file_name(E'  many \u00a0\u3000 spaces  .pdf'), 'many spaces .pdf',
  'white space of every kind collapses to one space, trimmed');
select is(private.sanitize_file_name('...hidden.txt...'), 'hidden.txt', 'no leading dots, no trailing dots');
select is(private.sanitize_file_name(' ./ '), 'file', 'a name with nothing left is "file"');
select is(private.sanitize_file_name(repeat('a', 996) || '.pdf'), repeat('a', 196) || '.pdf',
  'a 1,000-character name is cut to 200 characters, keeping its extension');
select is(private.sanitize_file_name(repeat('b', 1000)), repeat('b', 200), 'one without an extension is cut to 200');
select is(private.sanitize_file_name(E'Cafe\u0301 menu.pdf'), private.sanitize_file_name(E'Caf\u00e9 menu.pdf'),
  'NFD and NFC spellings of a name give the same stored name');
select is(private.sanitize_file_name(E'Cafe\u0301.pdf'), E'Caf\u00e9.pdf', 'the stored name is NFC');
select is(private.attachment_object_key(E'R\u00e9sum\u00e9 (final) \u5831\u544a.pdf'), 'R_sum_final_.pdf',
  'the object key keeps only what Storage accepts in keys');

-- Registering an upload, as each role ------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
insert into att select 'alice_public', public.create_attachment_upload(:alice_ticket, 'Photo of the invoice.PNG', 'Image/PNG', 48213);
insert into att select 'alice_pending', public.create_attachment_upload(:alice_ticket, 'notes.txt', 'text/plain; charset=utf-8', 12);
reset role;
select is(
  (select array_agg(k order by k) from att, jsonb_object_keys(att.value) k where att.name = 'alice_public'),
  array['bucket_id', 'comment_id', 'content_type', 'created_at', 'expires_at', 'file_name', 'handling_org_id', 'id',
        'is_internal', 'object_name', 'size_bytes', 'status', 'stored_name', 'ticket_id', 'uploaded_by'],
  'create_attachment_upload answers the attachment JSON');
select is(
  (select jsonb_build_object('status', value -> 'status', 'uploaded_by', value -> 'uploaded_by', 'bucket_id', value -> 'bucket_id',
     'content_type', value -> 'content_type', 'comment_id', value -> 'comment_id', 'is_internal', value -> 'is_internal')
   from att where name = 'alice_public'),
  jsonb_build_object('status', 'pending', 'uploaded_by', :alice_id, 'bucket_id', 'ticket-attachments',
     'content_type', 'image/png', 'comment_id', null, 'is_internal', false),
  'the requester''s upload is pending, hers, in the bucket, its type lowercased');
select is((select value ->> 'object_name' from att where name = 'alice_public'),
  format('%s/%s/%s/Photo_of_the_invoice.PNG', :acme, :alice_ticket, (select id from a where name = 'alice_public')),
  'the object name is <organization>/<ticket>/<attachment>/<key of the stored name>');
select is((select value ->> 'content_type' from att where name = 'alice_pending'), 'text/plain',
  'parameters of the content type are dropped');
select is(
  (select (value ->> 'expires_at')::timestamptz - (value ->> 'created_at')::timestamptz from att where name = 'alice_public'),
  interval '60 minutes', 'a pending upload expires after 60 minutes');

set local role authenticated;
set local request.jwt.claims = :'agent1';
insert into att select 'agent_note_file', public.create_attachment_upload(:alice_ticket, 'Provider log.csv', 'text/csv', 2048);
insert into att select 'agent_public_file', public.create_attachment_upload(:alice_ticket, 'refund.pdf', 'application/pdf', 4096);
reset role;
select is((select value ->> 'status' from att where name = 'agent_note_file'), 'pending', 'a colleague employee may upload to the ticket');

set local role authenticated;
set local request.jwt.claims = :'admin';
insert into att select 'admin_file', public.create_attachment_upload(:alice_ticket, 'policy.docx',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 30000);
reset role;
select is((select value ->> 'status' from att where name = 'admin_file'), 'pending', 'the organization''s admin may upload to the ticket');

set local role authenticated;
set local request.jwt.claims = :'bob';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'x.png', 'image/png', 10)$$, :alice_ticket)),
  'PT404 - ticket_id', 'another customer cannot upload to the ticket: not found');
set local request.jwt.claims = :'globex';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'x.png', 'image/png', 10)$$, :alice_ticket)),
  'PT404 - ticket_id', 'another organization''s employee cannot either');
reset role;
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'x.png', 'image/png', 10)$$, :alice_ticket)),
  '42501 - -', 'anon may not register uploads');
reset role;

-- Uploading through Storage: the insert policy on storage.objects ---------------------------------
set local role authenticated;
set local request.jwt.claims = :'bob';
select throws_ok(format($$select pg_temp.upload(%L, 'image/png', 48213)$$, (select object_name from a where name = 'alice_public')),
  '42501', null, 'another customer cannot upload to the requester''s pending attachment');
set local request.jwt.claims = :'agent1';
select throws_ok(format($$select pg_temp.upload(%L, 'image/png', 48213)$$, (select object_name from a where name = 'alice_public')),
  '42501', null, 'nor can a colleague of the organization: only the uploader');
set local request.jwt.claims = :'globex';
select throws_ok(format($$select pg_temp.upload(%L, 'image/png', 48213)$$, (select object_name from a where name = 'alice_public')),
  '42501', null, 'nor another organization''s employee');
set local request.jwt.claims = :'alice';
select throws_ok(format($$select pg_temp.upload('%s/%s/free-space/movie.mp4', 'video/mp4', 100)$$, :acme, :alice_ticket),
  '42501', null, 'the requester cannot upload anywhere else in the bucket');
select lives_ok(format($$select pg_temp.upload(%L, 'image/png', 48213)$$, (select object_name from a where name = 'alice_public')),
  'the uploader uploads her pending attachment''s file');
with changed as (
  update storage.objects set metadata = metadata || '{"size": 1}'
  where bucket_id = 'ticket-attachments' and name = (select object_name from a where name = 'alice_public') returning 1)
select is((select count(*)::int from changed), 0, 'she cannot change the object afterwards (no update policy)');
set local storage.allow_delete_query = 'true';  -- as the Storage API sets it
with gone as (
  delete from storage.objects where bucket_id = 'ticket-attachments'
    and name = (select object_name from a where name = 'alice_public') returning 1)
select is((select count(*)::int from gone), 0, 'nor delete it (no delete policy: only the purge deletes)');
set local storage.allow_delete_query = 'false';
set local request.jwt.claims = :'agent1';
select pg_temp.upload(object_name, 'text/csv', 2048) from a where name = 'agent_note_file' \gset
select pg_temp.upload(object_name, 'application/pdf', 4096) from a where name = 'agent_public_file' \gset
reset role;
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok(format($$select pg_temp.upload(%L, 'image/png', 48213)$$, (select object_name from a where name = 'alice_pending')),
  '42501', null, 'anon cannot upload');
reset role;

-- Attaching to a comment, as each role -----------------------------------------------------------
:next_write
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.add_comment(%L, 'psst', true)$$, :alice_ticket)),
  'PT403 - is_internal', 'a requester''s internal note is refused, naming is_internal');
select is(pg_temp.refusal(format($$select public.add_comment(%L, 'Here', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'alice_pending'))),
  'PT422 attachment_not_ready attachment_ids', 'a file not uploaded yet cannot be attached');
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Here', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'alice_pending'))),
  format('Attachment %s cannot be attached: its file has not been uploaded.', (select id from a where name = 'alice_pending')),
  'the refusal names the attachment and why');
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Here', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'agent_public_file'))),
  format('Attachment %s cannot be attached: it is not one of your uploads.', (select id from a where name = 'agent_public_file')),
  'someone else''s upload cannot be attached');
select is(pg_temp.refusal(format($$select public.add_comment(%L, 'Eleven', false, %L::uuid[])$$,
    :alice_ticket, (select array_agg(gen_random_uuid()) from generate_series(1, 11)))),
  'PT422 too_many_attachments attachment_ids', 'at most 10 files go on one comment');
insert into att select 'alice_comment', public.add_comment(:alice_ticket, 'The invoice, photographed.', false,
  array[(select id from a where name = 'alice_public')]);
reset role;
:at_commit
select is((select value -> 'attachments' -> 0 ->> 'id' from att where name = 'alice_comment'),
  (select id::text from a where name = 'alice_public'), 'add_comment answers the comment with its files');
select is(
  (select array_agg(k order by k) from att, jsonb_object_keys(att.value -> 'attachments' -> 0) k where att.name = 'alice_comment'),
  array['content_type', 'created_at', 'file_name', 'id', 'size_bytes', 'stored_name', 'uploaded_by'],
  'each file as comments list them');
select is(
  (select (status, comment_id::text, is_internal, attached_at is not null)::text from public.ticket_attachments
   where id = (select id from a where name = 'alice_public')),
  (select ('attached', value ->> 'id', false, true)::text from att where name = 'alice_comment'),
  'the file is attached to the comment, public like it');
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Again', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'alice_public'))),
  format('Attachment %s cannot be attached: it is attached already.', (select id from a where name = 'alice_public')),
  'an attached file cannot be attached again');
select is(
  (select jsonb_build_object('topic', topic, 'attachments', payload -> 'attachments') from realtime.messages
   where topic = :'alice_topic' and event = 'comment_added'),
  jsonb_build_object('topic', :'alice_topic', 'attachments', jsonb_build_array(jsonb_build_object(
    'id', (select id from a where name = 'alice_public'), 'file_name', 'Photo of the invoice.PNG',
    'content_type', 'image/png', 'size_bytes', 48213))),
  'the comment_added broadcast carries the files');

:next_write
set local role authenticated;
set local request.jwt.claims = :'agent1';
insert into att select 'agent_note', public.add_comment(:alice_ticket, 'Provider''s log, do not share.', true,
  array[(select id from a where name = 'agent_note_file')]);
insert into att select 'agent_reply', public.add_comment(:alice_ticket, 'Your refund.', false,
  array[(select id from a where name = 'agent_public_file')]);
set local request.jwt.claims = :'bob';
select is(pg_temp.refusal(format($$select public.add_comment(%L, 'Mine now', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'admin_file'))),
  'PT404 - ticket_id', 'another customer cannot comment there, files or not');
set local request.jwt.claims = :'globex';
select is(pg_temp.refusal(format($$select public.add_comment(%L, 'Mine now', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'admin_file'))),
  'PT404 - ticket_id', 'nor another organization''s employee');
set local request.jwt.claims = :'admin';
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Policy', true, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'admin_file'))),
  format('Attachment %s cannot be attached: its file has not been uploaded.', (select id from a where name = 'admin_file')),
  'the admin''s own upload, not uploaded yet, cannot be attached either');
reset role;
:at_commit
select is(
  (select (status, is_internal)::text from public.ticket_attachments where id = (select id from a where name = 'agent_note_file')),
  '(attached,t)', 'a file on an internal note is internal');
select is((select count(*)::int from realtime.messages where topic like 'user:%' and payload::text like '%Provider log%'), 0,
  'the internal note''s file is on no requester''s topic');
select is(
  (select payload -> 'attachments' -> 0 ->> 'file_name' from realtime.messages
   where topic = :'acme_topic' and payload ->> 'id' = (select value ->> 'id' from att where name = 'agent_note')),
  'Provider log.csv', 'staff hear of the internal note''s file');
select is(
  (select count(*)::int from realtime.messages where topic = :'alice_topic' and event = 'comment_added'),
  1, 'the requester hears of the public reply only');

-- Reading, as each role ----------------------------------------------------------------------------
create temporary view visible_names with (security_invoker = true) as
  select coalesce(array_agg(a.name order by a.name), '{}') as names from a
  where a.id in (select t.id from public.ticket_attachments t);
create temporary view readable_objects with (security_invoker = true) as
  select coalesce(array_agg(a.name order by a.name), '{}') as names from a
  where a.object_name in (select o.name from storage.objects o where o.bucket_id = 'ticket-attachments');
grant select on visible_names, readable_objects to authenticated, anon;
create temporary table seen (role text primary key, rows text[], objects text[], detail text);
grant all on seen to authenticated, anon;

set local role authenticated;
set local request.jwt.claims = :'alice';
insert into seen select 'alice', (select names from visible_names), (select names from readable_objects),
  public.get_ticket(:alice_ticket)::text;
set local request.jwt.claims = :'bob';
insert into seen select 'bob', (select names from visible_names), (select names from readable_objects), null;
set local request.jwt.claims = :'agent1';
insert into seen select 'agent1', (select names from visible_names), (select names from readable_objects),
  public.get_ticket(:alice_ticket)::text;
set local request.jwt.claims = :'admin';
insert into seen select 'admin', (select names from visible_names), (select names from readable_objects), null;
set local request.jwt.claims = :'globex';
insert into seen select 'globex', (select names from visible_names), (select names from readable_objects), null;
reset role;
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
insert into seen select 'anon', null, (select names from readable_objects), null;
reset role;

select is((select rows from seen where role = 'alice'), array['agent_public_file', 'alice_pending', 'alice_public'],
  'the requester reads the public files and her own pending upload, never the internal note''s file');
select is((select objects from seen where role = 'alice'), array['agent_public_file', 'alice_public'],
  'Storage lets her read the public files that are uploaded');
select is((select rows from seen where role = 'agent1'),
  array['agent_note_file', 'agent_public_file', 'alice_public'],
  'a colleague reads every attached file, internal ones included, not others'' pending uploads');
select is((select objects from seen where role = 'agent1'), array['agent_note_file', 'agent_public_file', 'alice_public'],
  'Storage lets him read every attached file');
select is((select rows from seen where role = 'admin'),
  array['admin_file', 'agent_note_file', 'agent_public_file', 'alice_public'],
  'the admin reads what staff read, and her own pending upload');
select is((select objects from seen where role = 'admin'), array['agent_note_file', 'agent_public_file', 'alice_public'],
  'and Storage agrees');
select is((select rows from seen where role = 'bob'), '{}'::text[], 'another customer reads no attachment');
select is((select objects from seen where role = 'bob'), '{}'::text[], 'and no file');
select is((select rows from seen where role = 'globex'), '{}'::text[], 'another organization''s employee reads no attachment');
select is((select objects from seen where role = 'globex'), '{}'::text[], 'and no file');
select is((select objects from seen where role = 'anon'), '{}'::text[], 'anon reads no file');
set local role anon;
select throws_ok('select * from public.ticket_attachments', '42501', null, 'anon may not read attachments at all');
reset role;

select ok((select detail not like '%' || (select id::text from a where name = 'agent_note_file') || '%'
                and detail not like '%Provider log%' from seen where role = 'alice'),
  'get_ticket shows the requester nothing of the internal note''s file, not even its id');
select is(
  (select jsonb_agg(x order by x) from seen, jsonb_array_elements_text(jsonb_path_query_array(detail::jsonb, '$.comments[*].attachments[*].id')) x
   where role = 'alice'),
  (select jsonb_agg(id::text order by id::text) from a where name in ('alice_public', 'agent_public_file')),
  'get_ticket lists the public files under their comments');
select is(
  (select jsonb_path_query_array(detail::jsonb, '$.comments[*] ? (@.is_internal == true).attachments[*].file_name') from seen where role = 'agent1'),
  '["Provider log.csv"]'::jsonb, 'staff see the internal note''s file under it');
select is(
  (select jsonb_path_query_array(detail::jsonb, '$.events[*] ? (@.kind == "attachment_added").new_value.file_name') from seen where role = 'alice'),
  '["Photo of the invoice.PNG", "refund.pdf"]'::jsonb, 'the requester''s history shows the public files added');
select is(
  (select jsonb_path_query_array(detail::jsonb, '$.events[*] ? (@.kind == "attachment_added").is_internal') from seen where role = 'agent1'),
  '[false, true, false]'::jsonb, 'staff''s history shows the internal file added too, as internal');

set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.get_attachment(%L)$$, (select id from a where name = 'agent_note_file'))),
  'PT404 - attachment_id', 'get_attachment: the internal note''s file is not found for the requester');
select is(public.get_attachment((select id from a where name = 'alice_public')) ->> 'status', 'attached',
  'get_attachment answers her own attached file');
select is(public.get_attachment((select id from a where name = 'alice_pending')) ->> 'status', 'pending',
  'and her own pending one');
set local request.jwt.claims = :'agent1';
select is(public.get_attachment((select id from a where name = 'agent_note_file')) ->> 'is_internal', 'true',
  'get_attachment answers staff the internal note''s file');
select is(pg_temp.refusal(format($$select public.get_attachment(%L)$$, (select id from a where name = 'alice_pending'))),
  'PT404 - attachment_id', 'someone else''s pending upload is not found');
set local request.jwt.claims = :'globex';
select is(pg_temp.refusal(format($$select public.get_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT404 - attachment_id', 'nor is anything for another organization''s employee');
reset role;

-- Limits -----------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
insert into att select 'limits_ticket', public.create_ticket(:acme, 'Limits', '') -> 'ticket';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'huge.zip', 'application/zip', 26214401)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_too_large size_bytes', 'a file over 25 MiB is too large');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'empty.txt', 'text/plain', 0)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 - size_bytes', 'an empty file is invalid');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'page.html', 'text/html', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_type_blocked content_type', 'HTML is blocked');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'logo.svg', 'image/svg+xml', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_type_blocked content_type', 'SVG is blocked');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'movie.avi', 'video/x-msvideo', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_type_blocked content_type', 'a type outside the bucket''s allowlist is blocked');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'setup.exe', 'application/octet-stream', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_type_blocked file_name', 'an executable sent as unknown binary is blocked by its extension');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'invoice.pdf.JS ', 'text/plain', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_type_blocked file_name', 'a script is blocked whatever its case and trailing space');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'application/pdf', 10)$$,
    (select id from a where name = 'limits_ticket'), E'invoice\u202Efdp.exe')),
  'PT422 attachment_type_blocked file_name', 'a right-to-left override does not hide an .exe');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'a.png', 'png', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 - content_type', 'a content type that is not a media type is invalid');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, '   ', 'image/png', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 - file_name', 'a blank file name is invalid');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'image/png', 10)$$,
    (select id from a where name = 'limits_ticket'), repeat('x', 1001))),
  'PT422 - file_name', 'a file name over 1000 characters is invalid');
insert into att select 'long_name', public.create_attachment_upload((select id from a where name = 'limits_ticket'),
  repeat('y', 996) || '.pdf', 'application/pdf', 10);
select is((select (char_length(value ->> 'file_name'), char_length(value ->> 'stored_name'))::text from att where name = 'long_name'),
  '(1000,200)', 'a 1,000-character name is kept as given and stored in 200');
reset role;

-- The organization's own limit.
set local role authenticated;
set local request.jwt.claims = :'agent1';
select is(pg_temp.refusal(format($$select public.update_organization(%L, '{"attachment_size_limit_bytes": 1000}')$$, :acme)),
  'PT403 - -', 'employees cannot set the attachment size limit');
set local request.jwt.claims = :'admin';
select is(pg_temp.refusal(format($$select public.update_organization(%L, '{"attachment_size_limit_bytes": 26214401}')$$, :acme)),
  'PT422 - attachment_size_limit_bytes', 'the limit is at most 25 MiB');
select is(pg_temp.refusal(format($$select public.update_organization(%L, '{"attachment_size_limit_bytes": "big"}')$$, :acme)),
  'PT422 - attachment_size_limit_bytes', 'the limit is a number of bytes');
select is(public.update_organization(:acme, '{"attachment_size_limit_bytes": 1000}') -> 'attachment_size_limit_bytes',
  '1000'::jsonb, 'the admin sets a lower limit, shown in the organization');
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'b.png', 'image/png', 1001)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 attachment_too_large size_bytes', 'a file over the organization''s limit is too large');
select is(public.create_attachment_upload((select id from a where name = 'limits_ticket'), 'c.png', 'image/png', 1000) ->> 'status',
  'pending', 'a file at the limit is taken');
set local request.jwt.claims = :'admin';
select is(public.update_organization(:acme, '{"attachment_size_limit_bytes": null}') -> 'attachment_size_limit_bytes',
  'null'::jsonb, 'null goes back to 25 MiB');
reset role;

-- 20 pending uploads per user (across tickets: 17_attachment_hardening.test.sql); 100 MiB per ticket.
set local role authenticated;
set local request.jwt.claims = :'alice';
insert into att select format('page %s', i),
    public.create_attachment_upload((select id from a where name = 'limits_ticket'), format('page %s.png', i), 'image/png', 10)
  from generate_series(1, 16) i;  -- with c.png, long_name and notes.txt on her other ticket: 19 of hers pending
insert into att select 'twentieth', public.create_attachment_upload((select id from a where name = 'limits_ticket'), 'p20.png', 'image/png', 10);
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'p21.png', 'image/png', 10)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 too_many_attachments ticket_id', 'a 21st pending upload of hers is refused');
set local request.jwt.claims = :'agent1';
select is(public.create_attachment_upload((select id from a where name = 'limits_ticket'), 'mine.png', 'image/png', 10) ->> 'status',
  'pending', 'the count is per user: a colleague may still upload');
insert into att select format('big %s', i),
    public.create_attachment_upload((select id from a where name = 'limits_ticket'), format('big %s.zip', i), 'application/zip', 26214400)
  from generate_series(1, 3) i;
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'last.zip', 'application/zip', 26214400)$$,
    (select id from a where name = 'limits_ticket'))),
  'PT422 ticket_attachments_full size_bytes', 'files past 100 MiB on one ticket are refused');
reset role;
update public.ticket_attachments set expires_at = now() - interval '1 minute', purge_after = now() - interval '1 minute'
where id = (select id from a where name = 'twentieth');
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(public.create_attachment_upload((select id from a where name = 'limits_ticket'), 'p21.png', 'image/png', 10) ->> 'status',
  'pending', 'an expired upload counts no more');
select is((select count(public.remove_attachment(id))::int from a where name like 'page %'), 16,
  'removing her pending pages makes room for her next uploads');
reset role;

-- Drafts: files for a ticket still being written -----------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'd.png', 'image/png', 10)$$, :draft)),
  'PT404 - ticket_id', 'an unknown ticket without an organization is not found');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'd.png', 'image/png', 10, %L)$$, :bob_ticket, :acme)),
  'PT404 - ticket_id', 'a draft cannot take the id of someone else''s ticket');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'd.png', 'image/png', 10, %L)$$, :draft, 'eeeeeeee-0000-4000-8000-000000000404')),
  'PT404 - handling_org_id', 'a draft for an unknown organization is not found');
reset role;
update public.organizations set customer_access = 'invite' where id = :globex_org;
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, 'd.png', 'image/png', 10, %L)$$, :draft, :globex_org)),
  'PT403 - handling_org_id', 'a draft for an organization she may not submit to is refused');
insert into att select 'draft_file', public.create_attachment_upload(:draft, 'Error screen.jpg', 'image/jpeg', 5000, :acme);
insert into att select 'draft_other', public.create_attachment_upload(:draft, 'Second.jpg', 'image/jpeg', 6000, :acme);
select is((select (value ->> 'ticket_id', value ->> 'handling_org_id', value ->> 'status')::text from att where name = 'draft_file'),
  (select (:draft, :acme, 'pending')::text), 'a draft''s file is pending for the reserved id at the chosen organization');
select pg_temp.upload(object_name, 'image/jpeg', 5000) from a where name = 'draft_file' \gset
select pg_temp.upload(object_name, 'image/png', 6000) from a where name = 'draft_other' \gset
select is(pg_temp.refusal(format($$select public.create_ticket(%L, 'With files', '', 'medium', null, null, null, array[%L]::uuid[])$$,
    :acme, (select id from a where name = 'draft_file'))),
  'PT422 - ticket_id', 'attachment ids need the reserved ticket id');
select is(pg_temp.refusal_message(format($$select public.create_ticket(%L, 'With files', '', 'medium', null, null, %L, array[%L, %L]::uuid[])$$,
    :acme, :draft, (select id from a where name = 'draft_file'), (select id from a where name = 'draft_other'))),
  format('Attachment %s cannot be attached: its file was uploaded as image/png, not as the declared image/jpeg.', (select id from a where name = 'draft_other')),
  'a file uploaded as another type cannot be attached');
select is((select count(*)::int from public.tickets where id = :draft), 0, 'and the ticket was not created');
select is(pg_temp.refusal(format($$select public.create_ticket(%L, 'With files', '', 'medium', null, null, %L, array[%L]::uuid[])$$,
    :globex_org, :draft, (select id from a where name = 'draft_file'))),
  'PT403 - handling_org_id', 'a draft''s ticket is still held to who may submit where');
insert into att select 'draft_ticket', public.create_ticket(:acme, 'With files', 'See the screenshot.', 'high', 'draft-key', 'draft-hash',
  :draft, array[(select id from a where name = 'draft_file')]) -> 'ticket';
select is((select value ->> 'id' from att where name = 'draft_ticket'), :draft, 'the ticket takes the reserved id');
select is(
  (select (status, comment_id, is_internal)::text from public.ticket_attachments where id = (select id from a where name = 'draft_file')),
  '(attached,,f)', 'its file is attached to the ticket itself, public');
select is(
  jsonb_path_query_array(public.get_ticket(:draft), '$.attachments[*].file_name'),
  '["Error screen.jpg"]'::jsonb, 'get_ticket lists the ticket''s own files');
select is(public.create_ticket(:acme, 'With files', 'See the screenshot.', 'high', 'draft-key', 'draft-hash',
    :draft, array[(select id from a where name = 'draft_file')]) -> 'replayed',
  'true'::jsonb, 'a retry with the same idempotency key replays the ticket');
select is(pg_temp.refusal(format($$select public.create_ticket(%L, 'Again', '', 'medium', null, null, %L)$$, :acme, :draft)),
  'PT409 - ticket_id', 'another ticket cannot take the same id');
reset role;
set local role authenticated;
set local request.jwt.claims = :'agent1';
select is(
  jsonb_path_query_array(public.get_ticket(:draft), '$.attachments[*].file_name'),
  '["Error screen.jpg"]'::jsonb, 'staff see the ticket''s own files');
set local request.jwt.claims = :'bob';
select is(pg_temp.refusal(format($$select public.get_attachment(%L)$$, (select id from a where name = 'draft_file'))),
  'PT404 - attachment_id', 'another customer does not');
reset role;

-- Attaching refuses what does not match -------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
insert into att select 'wrong_size', public.create_attachment_upload(:alice_ticket, 'scan.pdf', 'application/pdf', 1000);
select pg_temp.upload(object_name, 'application/pdf', 999) from a where name = 'wrong_size' \gset
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Scan', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'wrong_size'))),
  format('Attachment %s cannot be attached: its file is 999 bytes, not the 1000 bytes declared.', (select id from a where name = 'wrong_size')),
  'a file of another size than declared cannot be attached');
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Elsewhere', false, array[%L]::uuid[])$$,
    'aaaaaaaa-1000-4000-8000-000000000002', (select id from a where name = 'alice_pending'))),
  format('Attachment %s cannot be attached: it was uploaded for another ticket.', (select id from a where name = 'alice_pending')),
  'a file registered for one ticket cannot go on another');
insert into att select 'expiring', public.create_attachment_upload(:alice_ticket, 'late.txt', 'text/plain', 5);
select pg_temp.upload(object_name, 'text/plain', 5) from a where name = 'expiring' \gset
reset role;
update public.ticket_attachments set expires_at = now() - interval '1 second', purge_after = now() - interval '1 second'
where id = (select id from a where name = 'expiring');
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal_message(format($$select public.add_comment(%L, 'Late', false, array[%L]::uuid[])$$,
    :alice_ticket, (select id from a where name = 'expiring'))),
  format('Attachment %s cannot be attached: it expired; upload the file again.', (select id from a where name = 'expiring')),
  'an expired upload cannot be attached');
select throws_ok(format($$select pg_temp.upload(%L || '-again', 'text/plain', 5)$$, (select object_name from a where name = 'expiring')),
  '42501', null, 'nor can anything be uploaded for it');
reset role;

-- Removing, as each role -------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'bob';
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT404 - attachment_id', 'another customer cannot remove a file: not found');
set local request.jwt.claims = :'globex';
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT404 - attachment_id', 'nor can another organization''s employee');
set local request.jwt.claims = :'alice';
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT403 - attachment_id', 'the requester cannot take back an attached file');
set local request.jwt.claims = :'agent1';
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT403 - attachment_id', 'nor can an employee: only admins remove attached files');
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_pending'))),
  'PT404 - attachment_id', 'an employee does not see the requester''s pending upload');
set local request.jwt.claims = :'alice';
insert into att select 'alice_pending_removed', public.remove_attachment((select id from a where name = 'alice_pending'));
select is((select (value ->> 'status', value ->> 'id')::text from att where name = 'alice_pending_removed'),
  (select ('removed', id)::text from a where name = 'alice_pending'), 'the uploader removes her pending upload');
select is(pg_temp.refusal(format($$select public.get_attachment(%L)$$, (select id from a where name = 'alice_pending'))),
  'PT404 - attachment_id', 'a removed upload is gone for her too');
reset role;
select is(
  (select (removed_by = :alice_id, removed_at is not null)::text from public.ticket_attachments where id = (select id from a where name = 'alice_pending')),
  '(t,t)', 'with who and when');
set local role anon;
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  '42501 - -', 'anon may not remove anything');
reset role;
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into att select 'redacted', public.remove_attachment((select id from a where name = 'alice_public'));
insert into att select 'note_redacted', public.remove_attachment((select id from a where name = 'agent_note_file'));
select is((select value ->> 'status' from att where name = 'redacted'), 'removed', 'the admin removes an attached file (redaction)');
select is(pg_temp.refusal(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'alice_public'))),
  'PT404 - attachment_id', 'a removed file cannot be removed again');
select is(
  jsonb_path_query_array(public.get_ticket(:alice_ticket), '$.events[*] ? (@.kind == "attachment_removed")'),
  jsonb_build_array(
    jsonb_build_object('id', (select (e.id) from public.ticket_events e where e.kind = 'attachment_removed' and not e.is_internal and e.ticket_id = :alice_ticket),
      'kind', 'attachment_removed', 'actor_id', 'a0000000-0000-4000-8000-000000000001',
      'old_value', null, 'new_value', jsonb_build_object('id', (select id from a where name = 'alice_public')),
      'is_internal', false,
      'created_at', now()),
    jsonb_build_object('id', (select (e.id) from public.ticket_events e where e.kind = 'attachment_removed' and e.is_internal and e.ticket_id = :alice_ticket),
      'kind', 'attachment_removed', 'actor_id', 'a0000000-0000-4000-8000-000000000001',
      'old_value', null, 'new_value', jsonb_build_object('id', (select id from a where name = 'agent_note_file'), 'file_name', 'Provider log.csv'),
      'is_internal', true,
      'created_at', now())),
  'the history records each removal; a public file''s by id only, an internal one''s for staff with its name');
set local request.jwt.claims = :'alice';
select is(
  jsonb_path_query_array(public.get_ticket(:alice_ticket), '$.events[*] ? (@.kind == "attachment_removed").new_value'),
  jsonb_build_array(jsonb_build_object('id', (select id from a where name = 'alice_public'))),
  'the requester sees "attachment removed", without the file name');
select is(
  jsonb_path_query_array(public.get_ticket(:alice_ticket), '$.comments[*].attachments[*].id'),
  jsonb_build_array((select id from a where name = 'agent_public_file')),
  'the removed file is gone from its comment');
select ok((select not ('alice_public' = any (names)) from readable_objects), 'and Storage serves it to nobody');
set local request.jwt.claims = :'admin';
select ok((select not (names && array['alice_public', 'agent_note_file']) from readable_objects),
  'not even to the admin');
reset role;

-- Deleting a ticket or a comment leaves their files to the purge ----------------------------------
set local role service_role;
delete from public.ticket_comments where id = (select (value ->> 'id')::uuid from att where name = 'agent_reply');
delete from public.tickets where id = :draft;
reset role;
select is(
  (select (status, comment_id, removed_by)::text from public.ticket_attachments where id = (select id from a where name = 'agent_public_file')),
  '(removed,,)', 'a deleted comment''s file is removed, by nobody');
select is(
  (select (status, purge_after <= now())::text from public.ticket_attachments where id = (select id from a where name = 'draft_file')),
  '(removed,t)', 'a deleted ticket''s file is removed and due for the purge');
select is(
  (select count(*)::int from public.ticket_attachments where ticket_id = :draft and status <> 'removed'),
  0, 'every file of the deleted ticket, drafts included, is removed');

-- The purge --------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
select throws_ok('select public.claim_attachment_purge()', '42501', null, 'users cannot claim the purge');
reset role;
-- Long expired: pending past its upload window.
update public.ticket_attachments
set created_at = now() - interval '4 hours', expires_at = now() - interval '3 hours', purge_after = now() - interval '3 hours'
where id = (select id from a where name = 'twentieth');
set local role service_role;
create temporary table claimed as select public.claim_attachment_purge(1000) as items;
select is(
  (select array_agg(k order by k) from claimed, jsonb_object_keys(items -> 0) k),
  array['bucket_id', 'id', 'object_name'], 'a claim lists id, bucket and object name');
select ok(
  (select jsonb_agg(i ->> 'id' order by i ->> 'id') from claimed, jsonb_array_elements(items) i) @>
  (select jsonb_agg(id::text) from a where name in ('alice_pending', 'alice_public', 'agent_note_file', 'agent_public_file',
     'draft_file', 'draft_other', 'twentieth', 'expiring')),
  'it claims the removed files and the expired uploads');
select ok(
  not ((select jsonb_agg(i ->> 'id') from claimed, jsonb_array_elements(items) i) @>
       (select jsonb_agg(id::text) from a where name in ('long_name'))),
  'and not an upload that may still be attached');
select is(
  (select count(*)::int from claimed, jsonb_array_elements(items) i
   where i ->> 'object_name' <> (select t.object_name from public.ticket_attachments t where t.id = (i ->> 'id')::uuid)),
  0, 'each with its object name');
select is(public.claim_attachment_purge(1000), '[]'::jsonb, 'a second purger gets none of them: they are leased');
select is(
  public.finish_attachment_purge((select array_agg((i ->> 'id')::uuid) from claimed, jsonb_array_elements(items) i)),
  jsonb_build_object('purged', (select jsonb_array_length(items) from claimed)), 'finishing counts what was purged');
select is((select count(*)::int from public.ticket_attachments where id = (select id from a where name = 'twentieth')), 0,
  'an upload expired long ago is deleted');
select is(
  (select (status, purged_at = now())::text from public.ticket_attachments where id = (select id from a where name = 'alice_public')),
  '(removed,t)', 'a removed file keeps its record, purged');
select is(
  (select (status, purge_after = expires_at + interval '2 hours 10 minutes')::text from public.ticket_attachments
   where id = (select id from a where name = 'expiring')),
  '(pending,t)', 'a just-expired upload stays until no upload URL signed for it can be used, then is purged again');
select is(public.claim_attachment_purge(1000), '[]'::jsonb, 'until then nothing is due');
reset role;
update public.ticket_attachments
set created_at = created_at - interval '4 hours', expires_at = expires_at - interval '4 hours',
  purge_after = purge_after - interval '4 hours'
where id in (select id from a where name in ('expiring', 'alice_public'));
set local role service_role;
select is(
  (select jsonb_agg(i ->> 'id' order by i ->> 'id') from jsonb_array_elements(public.claim_attachment_purge(1000)) i),
  (select jsonb_agg(id::text order by id::text) from a where name in ('expiring', 'alice_public')),
  'after the window both come back once');
select is(
  public.finish_attachment_purge((select array_agg(id) from a where name in ('expiring', 'alice_public'))),
  '{"purged": 2}'::jsonb, 'and are finished');
select is(
  (select count(*)::int from public.ticket_attachments where id = (select id from a where name = 'expiring')), 0,
  'the expired upload is deleted now');
select is(
  (select purge_after from public.ticket_attachments where id = (select id from a where name = 'alice_public')), null,
  'the removed file is purged for good');
select is(public.claim_attachment_purge(1000), '[]'::jsonb, 'and nothing is left to purge');
select is(pg_temp.refusal('select public.claim_attachment_purge(0)'), 'PT422 - max_items', 'a claim takes 1 to 1000');
reset role;

-- Nothing internal reached a requester's topic ---------------------------------------------------
:next_write
select is((select count(*)::int from sent_log where topic like 'user:%' and payload -> 'is_internal' = 'true'), 0,
  'no requester message carries an internal note');
select is((select count(*)::int from sent_log where topic like 'user:%'
    and payload::text like '%' || (select id::text from a where name = 'agent_note_file') || '%'), 0,
  'nor the internal note''s file');

select * from finish();
rollback;
