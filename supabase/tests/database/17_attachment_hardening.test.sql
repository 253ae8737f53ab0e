-- Attachments against callers who skip the BFF: a file replaced after it was attached, redacted
-- names in the history, per-user storage, replayed idempotency keys, hostile file names and
-- mistyped organization changes. Roles as in 16_ticket_attachments.test.sql: alice (requester),
-- agent1 (a colleague employee), admin (Acme's admin), bob (another customer).
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(38);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set alice_ticket '''aaaaaaaa-1000-4000-8000-000000000001'''

-- Attachments by the test's own names; any role may note one here.
create temporary table att (name text primary key, value jsonb);
grant all on att to authenticated, anon, service_role;
create temporary view a with (security_invoker = true) as
  select name, (value ->> 'id')::uuid as id, value ->> 'object_name' as object_name from att;
grant select on a to authenticated, anon, service_role;

-- What a refusal says: "<SQLSTATE> <detail or -> <hint or ->".
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

-- What the Storage server writes once the caller's insert passed the policies, in a version of
-- its own as Storage gives every upload.
create function pg_temp.upload(p_object_name text, p_mimetype text, p_size bigint) returns void
language sql as $$
  insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
  values ('ticket-attachments', p_object_name, auth.uid(), auth.uid()::text, gen_random_uuid()::text,
    jsonb_build_object('mimetype', p_mimetype, 'size', p_size, 'contentLength', p_size))
$$;

-- Whether the current user can read the object of an attachment through Storage.
create function pg_temp.readable(p_name text) returns boolean language sql as $$
  select exists (select 1 from storage.objects o
    where o.bucket_id = 'ticket-attachments' and o.name = (select object_name from a where name = p_name))
$$;

-- 1. A file cannot be replaced once attached -------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
insert into att select 'kept', public.create_attachment_upload(:alice_ticket, 'kept.pdf', 'application/pdf', 100);
insert into att select 'swapped', public.create_attachment_upload(:alice_ticket, 'invoice.pdf', 'application/pdf', 100);
select pg_temp.upload(object_name, 'application/pdf', 100) from a where name in ('kept', 'swapped');
select ok(pg_temp.readable('swapped'), 'the uploader reads her pending upload');
insert into att select 'comment', public.add_comment(:alice_ticket, 'Two invoices', false,
  (select array_agg(id) from a where name in ('kept', 'swapped')));
reset role;
select is(
  (select count(*)::int from public.ticket_attachments t join storage.objects o on o.name = t.object_name
   where t.id in (select id from a where name in ('kept', 'swapped')) and t.object_version = o.version),
  2, 'attaching records the version of the object it checked');
set local role authenticated;
set local request.jwt.claims = :'agent1';
select ok(pg_temp.readable('swapped'), 'staff read the attached file');
reset role;

-- The uploader PUTs again with her upsert token: Storage, as its superuser, writes a new version.
update storage.objects
set version = gen_random_uuid()::text, updated_at = now(),
  metadata = '{"mimetype": "text/html", "size": 900000000, "contentLength": 900000000}'
where bucket_id = 'ticket-attachments' and name = (select object_name from a where name = 'swapped');

set local role authenticated;
set local request.jwt.claims = :'agent1';
select ok(not pg_temp.readable('swapped'), 'staff can no longer read a replaced file');
select ok(pg_temp.readable('kept'), 'but still the file beside it, unchanged');
set local request.jwt.claims = :'admin';
select ok(not pg_temp.readable('swapped'), 'nor can the admin');
set local request.jwt.claims = :'alice';
select ok(not pg_temp.readable('swapped'), 'nor the uploader who replaced it');
reset role;

set local role service_role;
create temporary table claimed as select public.claim_attachment_purge(1000) as items;
reset role;
select ok(
  (select items @> jsonb_build_array(jsonb_build_object('id', (select id from a where name = 'swapped'))) from claimed),
  'the purge claims the replaced file''s object');
select ok(
  (select not items @> jsonb_build_array(jsonb_build_object('id', (select id from a where name = 'kept'))) from claimed),
  'and not the unchanged one');
select is(
  (select (status, removed_reason, removed_by)::text from public.ticket_attachments where id = (select id from a where name = 'swapped')),
  '(removed,replaced,)', 'the replaced file is removed, as replaced, by nobody');
select is(
  (select (status, purge_after = expires_at + interval '2 hours 10 minutes')::text from public.ticket_attachments
   where id = (select id from a where name = 'kept')),
  '(attached,t)', 'the unchanged file stays attached, to be looked at once more when its upload window has closed');

-- 2. Concurrent comments on one ticket queue instead of deadlocking --------------------------------
-- One session cannot race another; what it can see is that the ticket is locked FOR UPDATE before
-- a public comment is written (tests in Python run eight commenters at once).
select ok(
  exists (select 1 from pg_trigger tg
    where tg.tgrelid = 'public.ticket_comments'::regclass
      and tg.tgfoid = to_regprocedure('private.lock_ticket_for_comment()')
      and tg.tgtype & 2 <> 0 and tg.tgtype & 4 <> 0),
  'a comment locks its ticket before its row is written (before insert)');
set local role authenticated;
set local request.jwt.claims = :'alice';
select lives_ok(format($$select public.add_comment(%L, 'Still works')$$, :alice_ticket),
  'commenting still works with the lock');
reset role;

-- 3. A removed file's name leaves the history ------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
select public.remove_attachment((select id from a where name = 'kept')) \gset
set local request.jwt.claims = :'alice';
select is(
  jsonb_path_query_array(public.get_ticket(:alice_ticket), '$.events[*] ? (@.kind == "attachment_added").new_value'),
  (select jsonb_agg(jsonb_build_object('id', id) order by id) from a where name in ('kept', 'swapped')),
  'the requester''s history says two files were added, by id only, once they are removed');
set local request.jwt.claims = :'agent1';
select ok(
  public.get_ticket(:alice_ticket)::text not like '%kept.pdf%' and public.get_ticket(:alice_ticket)::text not like '%invoice.pdf%',
  'staff see neither name anywhere in the ticket');
reset role;
select is(
  (select count(*)::int from public.ticket_events where new_value ? 'file_name'
     and new_value ->> 'id' in (select id::text from a where name in ('kept', 'swapped'))),
  0, 'no event keeps the removed files'' names, whoever removed them (an admin, the purge)');

-- 4. Pending uploads are bounded per user, across tickets ------------------------------------------
-- Drafts take any fresh id: ten made-up drafts cannot hold more than 20 files or 100 MiB of hers.
set local role authenticated;
set local request.jwt.claims = :'bob';
insert into att select format('bob big %s', i),
    public.create_attachment_upload(gen_random_uuid(), format('big %s.zip', i), 'application/zip', 26214400, :acme)
  from generate_series(1, 4) i;
select is(pg_temp.refusal(format($$select public.create_attachment_upload(gen_random_uuid(), 'one more.zip', 'application/zip', 1, %L)$$, :acme)),
  'PT422 pending_uploads_full size_bytes', 'a user''s pending uploads stop at 100 MiB, whatever draft ids she makes up');
select lives_ok(format($$select public.remove_attachment(%L)$$, (select id from a where name = 'bob big 1')),
  'removing one of them');
select is(public.create_attachment_upload(gen_random_uuid(), 'one more.zip', 'application/zip', 1, :acme) ->> 'status', 'pending',
  'makes room again');
set local request.jwt.claims = :'alice';
insert into att select format('alice small %s', i),
    public.create_attachment_upload(gen_random_uuid(), format('small %s.png', i), 'image/png', 1, :acme)
  from generate_series(1, 20) i;
select is(pg_temp.refusal(format($$select public.create_attachment_upload(gen_random_uuid(), 'small 21.png', 'image/png', 1, %L)$$, :acme)),
  'PT422 too_many_attachments ticket_id', 'a 21st pending upload is refused, even for another draft');
set local request.jwt.claims = :'agent1';
select is(public.create_attachment_upload(:alice_ticket, 'mine.png', 'image/png', 1) ->> 'status', 'pending',
  'the limits are the user''s own: a colleague still uploads');
reset role;

-- 5. An idempotency key without a request hash still tells requests apart ----------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select is(public.create_ticket(:acme, 'Direct', 'From supabase-js', 'medium', 'direct-key') -> 'replayed', 'false'::jsonb,
  'a direct caller creates a ticket with an idempotency key and no hash');
select is(public.create_ticket(:acme, 'Direct', 'From supabase-js', 'medium', 'direct-key') -> 'replayed', 'true'::jsonb,
  'the same request again replays it');
select is(pg_temp.refusal(format($$select public.create_ticket(%L, 'Another', 'Something else', 'high', 'direct-key')$$, :acme)),
  'PT422 - idempotency_key', 'another request with the same key is refused, not replayed');
reset role;

-- 6. Hostile file names ------------------------------------------------------------------------------
select is(private.sanitize_file_name(E'\u3164\u115f\u1160\uffa0invoice\u2800\u17b4\u17b5\u034f.pdf'), 'invoice.pdf',
  'characters that show as blank go (Hangul fillers, blank Braille, Khmer vowels, grapheme joiner)');
select is(private.sanitize_file_name(E'in\U000E0041\U000E007Fvoice.pdf'), 'invoice.pdf', 'tag characters go');
select is(private.sanitize_file_name(E'\u3164'), 'file', 'a name of blanks only is "file"');
select is(private.sanitize_file_name('con.txt'), '_con.txt', 'a Windows device name gets a leading _');
select is(private.sanitize_file_name('LPT1'), '_LPT1', 'with or without an extension');
select is(private.sanitize_file_name('Com9.tar.gz'), '_Com9.tar.gz', 'in any case, whatever follows the first dot');
select is(private.sanitize_file_name('console.txt'), 'console.txt', 'a name merely starting like one is left alone');
set local role authenticated;
set local request.jwt.claims = :'agent1';
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'application/pdf', 10)$$, :alice_ticket, E'bell\u0007.pdf')),
  'PT422 - file_name', 'a file name with a C0 control character is refused');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'application/pdf', 10)$$, :alice_ticket, E'two\nlines.pdf')),
  'PT422 - file_name', 'a line break too');
select is(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'application/pdf', 10)$$, :alice_ticket, E'x\u007f\u0085.pdf')),
  'PT422 - file_name', 'DEL and C1 controls too');
select is(
  (select array_agg(pg_temp.refusal(format($$select public.create_attachment_upload(%L, %L, 'application/octet-stream', 10)$$, :alice_ticket, n)) order by n)
   from unnest(array['help.chm', 'notes.one', 'query.iqy', 'sheet.slk', 'x.settingcontent-ms', 'x.library-ms', 'app.desktop',
     'page.xht', 'page.shtm', 'x.website', 'types.ps1xml']) n),
  array_fill('PT422 attachment_type_blocked file_name'::text, array[11]),
  'more extensions that run or render as code are blocked');
select is(public.create_attachment_upload(:alice_ticket, 'report.xlsb', 'application/octet-stream', 10) ->> 'status', 'pending',
  'an ordinary binary Excel workbook is not');
reset role;

-- 7. Organization changes of the wrong JSON type ----------------------------------------------------
create temporary table org_before as select name, verified_domains from public.organizations where id = :acme;
set local role authenticated;
set local request.jwt.claims = :'admin';
select is(
  (select array_agg(pg_temp.refusal(format($$select public.update_organization(%L, %L)$$, :acme, c)) order by o)
   from unnest(array['{"name": ["a"]}', '{"name": null}', '{"name": 7}', '{"customer_access": 5}', '{"customer_access": null}',
     '{"verified_domains": null}', '{"verified_domains": "acme.test"}', '{"verified_domains": [1]}', '[]'])
     with ordinality as u(c, o)),
  array['PT422 - name', 'PT422 - name', 'PT422 - name', 'PT422 - customer_access', 'PT422 - customer_access',
    'PT422 - verified_domains', 'PT422 - verified_domains', 'PT422 - verified_domains', 'PT422 - changes'],
  'each field of the wrong JSON type is refused, naming it');
reset role;
select is((select (name, verified_domains)::text from public.organizations where id = :acme),
  (select (name, verified_domains)::text from org_before), 'and nothing changed');

select * from finish();
rollback;
