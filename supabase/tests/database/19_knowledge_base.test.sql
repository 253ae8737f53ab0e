-- The knowledge base in the database: who reads and writes articles, their history, views,
-- votes, suggestions, ticket links and settings (anon, a customer who may submit, a customer of
-- an invite-only organization who was not invited, another organization's staff, an employee,
-- the admin), directly and through the API functions; that drafts, internal and archived
-- articles reach no customer by any path; who publishes; versions and history; the columns the
-- trigger keeps; what search finds (accents, stemming, all words before any, typos, websearch
-- syntax, snippets), suggestions, deflection figures, and that deleting people keeps articles.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(111);

\set nadia '{"sub":"f0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set ned '{"sub":"f0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set nell '{"sub":"f0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set carla '{"sub":"f0000000-0000-4000-8000-000000000011","role":"authenticated"}'
\set cody '{"sub":"f0000000-0000-4000-8000-000000000012","role":"authenticated"}'
\set ivy '{"sub":"f0000000-0000-4000-8000-000000000013","role":"authenticated"}'
\set otto '{"sub":"f0000000-0000-4000-8000-000000000021","role":"authenticated"}'
\set olga '{"sub":"f0000000-0000-4000-8000-000000000022","role":"authenticated"}'

\set nadia_id '''f0000000-0000-4000-8000-000000000001'''
\set ned_id '''f0000000-0000-4000-8000-000000000002'''
\set nell_id '''f0000000-0000-4000-8000-000000000003'''
\set carla_id '''f0000000-0000-4000-8000-000000000011'''
\set cody_id '''f0000000-0000-4000-8000-000000000012'''

-- Northwind (English) is the organization under test; Soleil writes in French; the Vault takes
-- tickets from invited customers only; Other is another tenant; Tally keeps the deflection
-- figures apart; Plain has no settings (simple) until it chooses English; Bulk is large.
\set nw '''f1000000-0000-4000-8000-000000000001'''
\set soleil '''f1000000-0000-4000-8000-000000000002'''
\set vault '''f1000000-0000-4000-8000-000000000003'''
\set other '''f1000000-0000-4000-8000-000000000004'''
\set tally '''f1000000-0000-4000-8000-000000000005'''
\set plain '''f1000000-0000-4000-8000-000000000006'''
\set bulk '''f1000000-0000-4000-8000-000000000007'''
\set other_missing '''f1000000-0000-4000-8000-000000000404'''

-- People: Nadia administers every organization but Other; Ned and Nell are Northwind's
-- employees (Ned also Tally's); Carla and Cody are customers, Ivy is invited to the Vault; Otto
-- and Olga are Other's employee and admin.
insert into auth.users (id, aud, role, email, email_confirmed_at, raw_user_meta_data) values
  ('f0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'nadia@northwind.test', now(), '{"display_name":"Nadia"}'),
  ('f0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'ned@northwind.test', now(), '{"display_name":"Ned"}'),
  ('f0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'nell@northwind.test', now(), '{"display_name":"Nell"}'),
  ('f0000000-0000-4000-8000-000000000011', 'authenticated', 'authenticated', 'carla@customer.test', now(), '{"display_name":"Carla"}'),
  ('f0000000-0000-4000-8000-000000000012', 'authenticated', 'authenticated', 'cody@customer.test', now(), '{"display_name":"Cody"}'),
  ('f0000000-0000-4000-8000-000000000013', 'authenticated', 'authenticated', 'ivy@customer.test', now(), '{"display_name":"Ivy"}'),
  ('f0000000-0000-4000-8000-000000000021', 'authenticated', 'authenticated', 'otto@other.test', now(), '{"display_name":"Otto"}'),
  ('f0000000-0000-4000-8000-000000000022', 'authenticated', 'authenticated', 'olga@other.test', now(), '{"display_name":"Olga"}');
insert into public.organizations (id, name, slug, customer_access) values
  (:nw, 'Northwind', 'northwind', 'public'),
  (:soleil, 'Soleil', 'soleil', 'public'),
  (:vault, 'Vault', 'vault', 'invite'),
  (:other, 'Other', 'other', 'public'),
  (:tally, 'Tally', 'tally', 'public'),
  (:plain, 'Plain', 'plain', 'public'),
  (:bulk, 'Bulk', 'bulk', 'public');
insert into public.organization_members (organization_id, user_id, role) values
  (:nw, :nadia_id, 'admin'), (:soleil, :nadia_id, 'admin'), (:vault, :nadia_id, 'admin'),
  (:tally, :nadia_id, 'admin'), (:plain, :nadia_id, 'admin'), (:bulk, :nadia_id, 'admin'),
  (:nw, :ned_id, 'employee'), (:tally, :ned_id, 'employee'), (:nw, :nell_id, 'employee'),
  (:other, 'f0000000-0000-4000-8000-000000000021', 'employee'),
  (:other, 'f0000000-0000-4000-8000-000000000022', 'admin');
insert into public.organization_customers (organization_id, email) values (:vault, 'ivy@customer.test');

-- Articles by name, as the API returned them.
create temporary table art (name text primary key, id uuid);
grant select, insert on art to authenticated, service_role;
grant select on art to anon;

-- How a call ended: 'ok' or its SQLSTATE.
create function pg_temp.outcome(p_sql text) returns text language plpgsql as $$
begin
  execute p_sql;
  return 'ok';
exception when others then
  return sqlstate;
end $$;
-- A refusal: "<SQLSTATE> <hint or ->".
create function pg_temp.refusal(p_sql text) returns text language plpgsql as $$
declare
  v_state text; v_hint text;
begin
  execute p_sql;
  return 'no error';
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_hint = pg_exception_hint;
  return v_state || ' ' || coalesce(nullif(v_hint, ''), '-');
end $$;
-- How many rows a write changed, or the SQLSTATE it failed with.
create function pg_temp.rows_changed(p_sql text) returns text language plpgsql as $$
declare
  v_rows integer;
begin
  execute p_sql;
  get diagnostics v_rows = row_count;
  return v_rows::text;
exception when others then
  return sqlstate;
end $$;
-- An article's id, and its current version whoever asks, by name.
create function pg_temp.id(p_name text) returns uuid language sql as $$
  select id from pg_temp.art where name = p_name
$$;
create function pg_temp.version(p_name text) returns integer language sql security definer as $$
  select a.version from public.articles a join pg_temp.art t on t.id = a.id where t.name = p_name
$$;
-- The names of the articles in a list of API items, in order.
create function pg_temp.names(p_items jsonb) returns text[] language sql as $$
  select coalesce(array_agg(coalesce(t.name, i.value ->> 'title') order by i.n), '{}')
  from jsonb_array_elements(p_items) with ordinality i (value, n)
  left join pg_temp.art t on t.id = (i.value ->> 'id')::uuid
$$;
-- What the caller reads of an organization's articles: directly, listed, found, suggested.
create function pg_temp.readable(p_org uuid) returns text[] language sql as $$
  select coalesce(array_agg(t.name order by t.name), '{}')
  from public.articles a join pg_temp.art t on t.id = a.id where a.organization_id = p_org
$$;
create function pg_temp.listed(p_org uuid) returns text[] language sql as $$
  select array(select unnest(pg_temp.names(public.list_articles(p_org, null, 100) -> 'items')) order by 1)
$$;
create function pg_temp.found(p_org uuid, p_q text) returns text[] language sql as $$
  select pg_temp.names(public.search_articles(p_org, p_q, 50) -> 'items')
$$;
create function pg_temp.suggested(p_org uuid, p_subject text, p_description text default null) returns text[] language sql as $$
  select pg_temp.names(public.suggest_articles(p_org, p_subject, p_description) -> 'items')
$$;
-- Opening each named article with get_article: 'ok' or the SQLSTATE.
create function pg_temp.opens(p_names text[]) returns text[] language sql as $$
  select array_agg(pg_temp.outcome(format('select public.get_article(%L)', pg_temp.id(n))) order by i)
  from unnest(p_names) with ordinality x (n, i)
$$;

-- The tables, secured -----------------------------------------------------------------------------
create temporary table kb_table (name regclass primary key);
grant select on kb_table to anon, authenticated;
insert into kb_table values ('public.articles'), ('public.article_events'), ('public.article_views'),
  ('public.article_votes'), ('public.article_suggestions'), ('public.ticket_articles'),
  ('public.knowledge_base_settings');
select ok((select bool_and(relrowsecurity) from pg_class where oid in (select name from kb_table)),
  'every knowledge-base table has row level security');
select is(
  (select array_agg(name::text order by name::text) from kb_table
   where has_table_privilege('anon', name, 'select') or has_table_privilege('anon', name, 'insert')
     or has_table_privilege('anon', name, 'update') or has_table_privilege('anon', name, 'delete')),
  null, 'anon has no privilege on any of them');
select is(
  (select array_agg(name::text order by name::text) from kb_table
   where has_table_privilege('authenticated', name, 'delete')
     or (name <> 'public.articles'::regclass and (has_table_privilege('authenticated', name, 'insert')
       or has_any_column_privilege('authenticated', name, 'insert') or has_any_column_privilege('authenticated', name, 'update')))),
  null, 'signed-in users delete nothing, and write only articles directly (the rest through the API)');
select ok(
  not has_column_privilege('authenticated', 'public.articles', 'status', 'insert')
  and not has_column_privilege('authenticated', 'public.articles', 'version', 'update')
  and not has_column_privilege('authenticated', 'public.articles', 'author_id', 'update')
  and not has_column_privilege('authenticated', 'public.articles', 'search_vector', 'update')
  and not has_column_privilege('authenticated', 'public.articles', 'published_at', 'update'),
  'nobody sets an article''s status on insert, nor its version, author, search columns or publication time');

-- The staff set up their knowledge bases through the API --------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'nadia';
select is(public.set_knowledge_base_settings(:nw, 'english', 'admins'),
  jsonb_build_object('org_id', :nw, 'language', 'english', 'publishers', 'admins'),
  'the admin sets her organization''s language and publishers');
select public.set_knowledge_base_settings(:soleil, 'french', 'admins') \gset
select public.set_knowledge_base_settings(:vault, 'english', 'admins') \gset
select public.set_knowledge_base_settings(:tally, 'english', 'admins') \gset
select public.set_knowledge_base_settings(:bulk, 'english', 'admins') \gset
set local request.jwt.claims = :'ned';
insert into art select 'refund_damaged', (public.create_article(:nw, 'Get a refund for a damaged order',
  E'If your parcel arrived damaged, we refund it in full.\n\n1. Open **Orders** and choose the order.\n2. Click <Report a problem> & attach a photo of the damage.',
  'public', 'Billing', array['refund', 'orders']) ->> 'id')::uuid;
select is(
  (select public.create_article(:nw, '  Reset a forgotten password ',
    'Click **Forgot password?** on the login page and follow the link we email you.', 'public', ' Account ', array[' login'])
   - 'id' - 'created_at' - 'updated_at'),
  jsonb_build_object('organization_id', :nw, 'title', 'Reset a forgotten password',
    'body', 'Click **Forgot password?** on the login page and follow the link we email you.', 'category', 'Account',
    'tags', jsonb_build_array('login'), 'status', 'draft', 'visibility', 'public', 'author_id', :ned_id,
    'published_at', null, 'version', 1),
  'an employee writes a draft: trimmed, by him, at version 1');
insert into art select 'password', id from public.articles where organization_id = :nw and title = 'Reset a forgotten password';
insert into art select 'escalation', (public.create_article(:nw, 'Refund escalations',
  'Internal: refunds above 500 EUR need a second approval from an admin.', 'internal', 'Billing') ->> 'id')::uuid;
insert into art select 'upcoming', (public.create_article(:nw, 'Refund window changes in spring',
  'Draft: the refund window grows to 60 days.', 'public', 'Billing') ->> 'id')::uuid;
insert into art select 'retired', (public.create_article(:nw, 'Send a refund request by fax',
  'Print the refund form and fax it to us.', 'public', 'Billing') ->> 'id')::uuid;
insert into art select 'plans', (public.create_article(:nw, 'Subscription plans and subscription prices',
  'Compare our subscription plans; every subscription renews each month.', 'public', 'Subscription', array['subscription']) ->> 'id')::uuid;
insert into art select 'leaving', (public.create_article(:nw, 'Leaving us',
  'You can cancel your subscription at any time from the billing page.', 'public', 'Account') ->> 'id')::uuid;
set local request.jwt.claims = :'nadia';
select is(
  (select array_agg(public.publish_article(pg_temp.id(n), 1) ->> 'status' order by n)
   from unnest(array['refund_damaged', 'password', 'escalation', 'retired', 'plans', 'leaving']) n),
  array_fill('published'::text, array[6]), 'the admin publishes six of them');
select is(public.archive_article(pg_temp.id('retired'), 2) ->> 'status', 'archived', 'and archives one');
insert into art select 'vault_guide', (public.create_article(:vault, 'Vault refund guide', 'How refunds work at the Vault.', 'public') ->> 'id')::uuid;
insert into art select 'vault_internal', (public.create_article(:vault, 'Vault refund desk notes', 'Internal refund notes.', 'internal') ->> 'id')::uuid;
select public.publish_article(pg_temp.id('vault_guide'), 1) \gset
select public.publish_article(pg_temp.id('vault_internal'), 1) \gset
insert into art select 'reservation', (public.create_article(:soleil, 'Réservation annulée',
  'Votre réservation a été annulée ? Le remboursement arrive sous cinq jours.', 'public', 'Réservations') ->> 'id')::uuid;
select public.publish_article(pg_temp.id('reservation'), 1) \gset
set local request.jwt.claims = :'olga';
insert into art select 'other_refund', (public.create_article(:other, 'Refund rules at Other', 'Other refunds everything.', 'public') ->> 'id')::uuid;
select public.publish_article(pg_temp.id('other_refund'), 1) \gset
insert into art select 'other_draft', (public.create_article(:other, 'Other refund draft', 'Not yet.', 'public') ->> 'id')::uuid;
reset role;
-- Carla's ticket at Northwind, which staff link articles to.
set local role authenticated;
set local request.jwt.claims = :'carla';
create temporary table carla_ticket as
  select (public.create_ticket(:nw, 'Parcel arrived damaged', 'The box was crushed.') -> 'ticket' ->> 'id')::uuid as id;
grant select on carla_ticket to authenticated, anon;
reset role;

-- Who reads what ---------------------------------------------------------------------------------------
-- Every article of Northwind, and those a customer may read: published and public.
create temporary table expected (who text primary key, names text[]);
grant select on expected to authenticated;
insert into expected values
  ('staff', array['escalation', 'leaving', 'password', 'plans', 'refund_damaged', 'retired', 'upcoming']),
  ('customer', array['leaving', 'password', 'plans', 'refund_damaged']);
-- The calls that change or report on Northwind's knowledge base, for the roles that may not.
create temporary table call (n integer primary key, sql text);
grant select on call to authenticated, anon;
insert into call values
  (1, format($$select public.create_article(%L, 'Sneaky', 'x', 'public')$$, :nw)),
  (2, format($$select public.update_article(%L, 1, '{"title": "Sneaky"}')$$, pg_temp.id('upcoming'))),
  (3, format('select public.publish_article(%L, 1)', pg_temp.id('upcoming'))),
  (4, format('select public.archive_article(%L, 2)', pg_temp.id('refund_damaged'))),
  (5, format($$select public.set_knowledge_base_settings(%L, 'simple', 'staff')$$, :nw)),
  (6, format($$select public.kb_stats(%L, now() - interval '1 day', now() + interval '1 day')$$, :nw)),
  (7, format('select public.link_article(%L, %L)', (select id from carla_ticket), pg_temp.id('refund_damaged')));
-- Direct writes, as PostgREST would make them.
create temporary table direct_write (n integer primary key, sql text);
grant select on direct_write to authenticated, anon;
insert into direct_write values
  (1, format($$insert into public.articles (organization_id, title, body, visibility) values (%L, 'Sneaky', '', 'public')$$, :nw)),
  (2, format($$update public.articles set title = 'Sneaky' where organization_id = %L$$, :nw)),
  (3, format('delete from public.articles where organization_id = %L', :nw)),
  (4, format('insert into public.article_views (article_id, organization_id, user_id) values (%L, %L, auth.uid())',
    pg_temp.id('refund_damaged'), :nw)),
  (5, format('insert into public.article_votes (article_id, organization_id, user_id, helpful) values (%L, %L, auth.uid(), true)',
    pg_temp.id('refund_damaged'), :nw)),
  (6, format('insert into public.article_suggestions (article_id, organization_id, user_id) values (%L, %L, auth.uid())',
    pg_temp.id('refund_damaged'), :nw)),
  (7, format($$insert into public.ticket_articles (ticket_id, article_id, organization_id, kind) values (%L, %L, %L, 'linked')$$,
    (select id from carla_ticket), pg_temp.id('escalation'), :nw)),
  (8, format($$update public.knowledge_base_settings set publishers = 'staff' where organization_id = %L$$, :nw)),
  (9, format('delete from public.article_events where organization_id = %L', :nw));
-- What of Northwind the caller reads in each of the other tables.
create function pg_temp.side_rows() returns integer[] language sql as $$
  select array[
    (select count(*)::integer from public.article_events where organization_id = 'f1000000-0000-4000-8000-000000000001'),
    (select count(*)::integer from public.article_views where organization_id = 'f1000000-0000-4000-8000-000000000001'),
    (select count(*)::integer from public.article_votes where organization_id = 'f1000000-0000-4000-8000-000000000001'),
    (select count(*)::integer from public.article_suggestions where organization_id = 'f1000000-0000-4000-8000-000000000001'),
    (select count(*)::integer from public.ticket_articles where organization_id = 'f1000000-0000-4000-8000-000000000001'),
    (select count(*)::integer from public.knowledge_base_settings where organization_id = 'f1000000-0000-4000-8000-000000000001')]
$$;

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select is(
  (select array_agg(pg_temp.outcome(format('select count(*) from %s', name)) order by name::text) from kb_table),
  array_fill('42501'::text, array[7]), 'anon reads none of the tables');
select is(
  array[pg_temp.outcome(format('select public.list_articles(%L)', :nw)),
        pg_temp.outcome(format($$select public.search_articles(%L, 'refund')$$, :nw)),
        pg_temp.outcome(format($$select public.suggest_articles(%L, 'refund')$$, :nw)),
        pg_temp.outcome(format('select public.get_article(%L)', pg_temp.id('refund_damaged'))),
        pg_temp.outcome(format('select public.mark_article_helpful(%L, true)', pg_temp.id('refund_damaged')))]
  || (select array_agg(pg_temp.outcome(sql) order by n) from call),
  array_fill('42501'::text, array[12]), 'and calls none of the functions, not even the reading ones');
reset role;

-- A customer who may submit to Northwind.
set local role authenticated;
set local request.jwt.claims = :'carla';
select is(pg_temp.readable(:nw), (select names from expected where who = 'customer'),
  'a customer reads only the published public articles directly');
select is(pg_temp.listed(:nw), (select names from expected where who = 'customer'), 'and lists only those');
select is(pg_temp.found(:nw, 'refund'), array['refund_damaged'],
  'search finds no draft, internal or archived article for her');
select is(pg_temp.suggested(:nw, 'refund', 'I want my refund'), array['refund_damaged'], 'nor do suggestions');
select is(pg_temp.opens(array['escalation', 'upcoming', 'retired', 'refund_damaged']), array['PT404', 'PT404', 'PT404', 'ok'],
  'she opens the published public article, and the others are "not found"');
select is(pg_temp.refusal(format('select public.list_articles(%L, array[%L])', :nw, 'draft')) || ' '
    || (public.list_articles(:nw, array['draft', 'archived']) -> 'items')::text,
  'no error []', 'asking list_articles for drafts or archived articles gives her none');
select is(public.get_article(pg_temp.id('refund_damaged')) - 'id' - 'created_at' - 'updated_at' - 'published_at' - 'body',
  jsonb_build_object('organization_id', :nw, 'title', 'Get a refund for a damaged order', 'category', 'Billing',
    'tags', jsonb_build_array('refund', 'orders'), 'status', 'published', 'visibility', 'public', 'author_id', :ned_id,
    'version', 2, 'my_vote', null, 'history', null),
  'get_article gives her the article without its history');
select is(public.mark_article_helpful(pg_temp.id('refund_damaged'), true),
  jsonb_build_object('article_id', pg_temp.id('refund_damaged'), 'helpful', true), 'she says it helped');
select is(public.get_article(pg_temp.id('refund_damaged')) -> 'my_vote', 'true'::jsonb, 'and reads her vote back');
select is(
  array[pg_temp.refusal(format('select public.mark_article_helpful(%L, true)', pg_temp.id('escalation'))),
        pg_temp.refusal(format('select public.mark_article_helpful(%L, false)', pg_temp.id('retired'))),
        pg_temp.refusal(format('select public.mark_article_helpful(%L, null)', pg_temp.id('refund_damaged')))],
  array['PT404 article_id', 'PT404 article_id', 'PT422 helpful'], 'she votes on no article she cannot read, and votes yes or no');
select is(pg_temp.side_rows(), array[0, 0, 1, 0, 0, 0],
  'of the other tables she reads only her own vote: no history, views, suggestions, links or settings');
select is((select array_agg(pg_temp.refusal(sql) order by n) from call),
  array['PT404 org_id', 'PT404 article_id', 'PT404 article_id', 'PT404 article_id', 'PT404 org_id', 'PT404 org_id', 'PT404 ticket_id'],
  'every writing or reporting function answers her "not found"');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['42501', '0', '42501', '42501', '42501', '42501', '42501', '42501', '42501'],
  'her direct writes change nothing');
-- Not invited to the Vault, she finds nothing of it; Ivy, invited, reads its public article.
select is(
  array[pg_temp.refusal(format('select public.list_articles(%L)', :vault)),
        pg_temp.refusal(format($$select public.search_articles(%L, 'refund')$$, :vault)),
        pg_temp.refusal(format($$select public.suggest_articles(%L, 'refund')$$, :vault)),
        pg_temp.refusal(format('select public.get_article(%L)', pg_temp.id('vault_guide')))]::text[]
  || pg_temp.readable(:vault),
  array['PT404 org_id', 'PT404 org_id', 'PT404 org_id', 'PT404 article_id'],
  'an invite-only organization shows a customer it did not invite nothing, by any path');
set local request.jwt.claims = :'ivy';
select is(
  jsonb_build_array(pg_temp.readable(:vault), pg_temp.listed(:vault), pg_temp.found(:vault, 'refund'),
    pg_temp.suggested(:vault, 'refund desk')),
  '[["vault_guide"], ["vault_guide"], ["vault_guide"], ["vault_guide"]]'::jsonb,
  'an invited customer reads, lists, finds and is suggested its published public article only');
reset role;

-- Another organization's employee and admin: as any customer of a public organization.
set local role authenticated;
set local request.jwt.claims = :'otto';
select is(array[pg_temp.readable(:nw), pg_temp.listed(:nw)], array[(select names from expected where who = 'customer'),
  (select names from expected where who = 'customer')], 'another organization''s employee reads Northwind as a customer does');
select is(array[pg_temp.found(:nw, 'refund'), pg_temp.suggested(:nw, 'refund')], array[array['refund_damaged'], array['refund_damaged']],
  'and finds only its published public article');
select is(pg_temp.side_rows(), array[0, 0, 0, 0, 0, 0], 'none of its history, views, votes, suggestions, links or settings');
select is((select array_agg(pg_temp.refusal(sql) order by n) from call),
  array['PT404 org_id', 'PT404 article_id', 'PT404 article_id', 'PT404 article_id', 'PT404 org_id', 'PT404 org_id', 'PT404 ticket_id'],
  'every writing or reporting function answers him "not found"');
select is((select array_agg(pg_temp.rows_changed(sql) order by n) from direct_write),
  array['42501', '0', '42501', '42501', '42501', '42501', '42501', '42501', '42501'], 'his direct writes change nothing');
select is(pg_temp.readable(:vault), '{}'::text[], 'nor does he read the invite-only organization''s articles');
set local request.jwt.claims = :'olga';
select is(
  array[pg_temp.refusal(format('select public.link_article(%L, %L)', (select id from carla_ticket), pg_temp.id('other_refund'))),
        pg_temp.refusal(format($$select public.update_article(%L, 1, '{"title": "Mine"}')$$, pg_temp.id('upcoming'))),
        pg_temp.rows_changed(format($$update public.articles set status = 'archived' where id = %L$$, pg_temp.id('refund_damaged')))],
  array['PT404 ticket_id', 'PT404 article_id', '0'], 'another organization''s admin changes nothing of Northwind''s');
reset role;

-- Staff.
set local role authenticated;
set local request.jwt.claims = :'ned';
select is(array[pg_temp.readable(:nw), pg_temp.listed(:nw)],
  array[(select names from expected where who = 'staff'), (select names from expected where who = 'staff')],
  'an employee reads and lists every article of his organization');
select is(pg_temp.names(public.list_articles(:nw, array['draft']) -> 'items'), array['upcoming'],
  'and lists the drafts alone');
select is((select array_agg(x order by x) from unnest(pg_temp.found(:nw, 'refund')) x), array['escalation', 'refund_damaged'],
  'his search finds published articles only, the internal ones included');
select is(pg_temp.opens(array['escalation', 'upcoming', 'retired']), array['ok', 'ok', 'ok'], 'he opens every one');
select is(pg_temp.readable(:other), array['other_refund'], 'of another organization he reads the published public articles');
select is(
  (select array_agg(n order by n) from (
     select unnest(pg_temp.names(p1 -> 'items') || pg_temp.names(p2 -> 'items') || pg_temp.names(p3 -> 'items')) n
     from (select public.list_articles(:nw, null, 3) p1) a,
       lateral (select public.list_articles(:nw, null, 3, p1 ->> 'next_cursor') p2) b,
       lateral (select public.list_articles(:nw, null, 3, p2 ->> 'next_cursor') p3) c
     where p3 ->> 'next_cursor' is null and not p3 -> 'items' -> 0 ? 'body') x),
  (select names from expected where who = 'staff'), 'list_articles pages through them all, without bodies, once each');
select is(
  array[pg_temp.refusal(format('select public.list_articles(%L, null, 0)', :nw)),
        pg_temp.refusal(format('select public.list_articles(%L, array[%L])', :nw, 'deleted')),
        pg_temp.refusal(format('select public.list_articles(%L, null, 10, %L)', :nw, 'bm90LWEtY3Vyc29y'))],
  array['PT422 limit', 'PT422 status', 'PT422 cursor'], 'the limit, statuses and cursor are checked');
select is(pg_temp.side_rows()::text, (select array[
    (select count(*) from public.article_events where organization_id = :nw),
    (select count(*) from public.article_views where organization_id = :nw),
    (select count(*) from public.article_votes where organization_id = :nw),
    (select count(*) from public.article_suggestions where organization_id = :nw),
    (select count(*) from public.ticket_articles where organization_id = :nw), 1]::text from (select) x),
  'he reads all of his organization''s history, views, votes, suggestions, links and its settings');
set local request.jwt.claims = :'nadia';
select is(array[pg_temp.readable(:nw), pg_temp.listed(:nw)],
  array[(select names from expected where who = 'staff'), (select names from expected where who = 'staff')],
  'so does the admin');
reset role;

-- Writing, publishing, versions and history ----------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'ned';
select is(
  array[pg_temp.refusal(format('select public.publish_article(%L, 1)', pg_temp.id('upcoming'))),
        pg_temp.refusal(format('select public.archive_article(%L, 2)', pg_temp.id('refund_damaged'))),
        pg_temp.refusal(format($$select public.update_article(%L, 2, '{"title": "Refunds"}')$$, pg_temp.id('refund_damaged'))),
        pg_temp.refusal(format($$select public.set_knowledge_base_settings(%L, 'english', 'staff')$$, :nw))],
  array['PT403 article_id', 'PT403 article_id', 'PT403 status', 'PT403 -'],
  'an employee may not publish, archive, edit a published article, nor change the settings');
select is(
  array[pg_temp.rows_changed(format($$update public.articles set status = 'published' where id = %L$$, pg_temp.id('upcoming'))),
        pg_temp.rows_changed(format($$update public.articles set body = 'Changed' where id = %L$$, pg_temp.id('refund_damaged'))),
        pg_temp.rows_changed(format($$update public.articles set status = 'draft' where id = %L$$, pg_temp.id('retired')))],
  array['PT403', 'PT403', 'PT403'], 'nor directly: publishing, editing what is published and unarchiving are refused');
select is(pg_temp.rows_changed(format(
    $$insert into public.articles (organization_id, title, visibility, status) values (%L, 'Sneaky', 'public', 'published')$$, :nw)),
  '42501', 'he cannot insert an article with a status');
with x as (
  insert into public.articles (organization_id, title, body, category, tags, visibility)
  values (:nw, 'Wifi router setup', 'Plug the router in and wait for the green light.', 'Hardware', array['wifi'], 'public')
  returning id)
insert into art select 'direct', id from x;
select is(
  (select jsonb_build_object('status', status, 'author_id', author_id, 'version', version, 'published_at', published_at,
     'search_title', search_title, 'indexed', search_vector @@ 'router & wifi & hardwar & green'::tsquery)
   from public.articles where id = pg_temp.id('direct')),
  jsonb_build_object('status', 'draft', 'author_id', :ned_id, 'version', 1, 'published_at', null,
    'search_title', 'wifi router setup hardware wifi', 'indexed', true),
  'an article he inserts directly is a draft by him at version 1, indexed by title, category, tags and body');
select pg_temp.rows_changed(format($$update public.articles set title = 'Configure your router' where id = %L$$,
  pg_temp.id('direct'))) as changed \gset
select is(
  :'changed' || ' ' || (select jsonb_build_object('version', version, 'indexed', search_vector @@ 'configur'::tsquery,
       'unindexed', not search_vector @@ 'setup'::tsquery, 'search_title', search_title)
     from public.articles where id = pg_temp.id('direct')),
  '1 {"indexed": true, "version": 2, "unindexed": true, "search_title": "configure your router hardware wifi"}',
  'his direct edit of the draft moves its version and re-indexes it');
select pg_temp.rows_changed(format('update public.articles set title = title, tags = tags where id = %L', pg_temp.id('direct')))
  as changed \gset
select is(:'changed' || ' ' || pg_temp.version('direct'), '1 2', 'an update that changes nothing keeps the version');
reset role;
-- The service role (the dashboard, imports) writes past the policies, not past the trigger.
set local role service_role;
set local request.jwt.claims = '{"role":"service_role"}';
with x as (
  insert into public.articles (organization_id, title, body, visibility, status, author_id, version, search_vector,
    search_title, created_at, published_at)
  values (:nw, 'Imported article', 'Imported from the old help centre.', 'public', 'published', :nell_id, 7,
    'forged'::tsvector, 'forged', now() - interval '1 year', now() - interval '1 year')
  returning id)
insert into art select 'imported', id from x;
select is(
  (select jsonb_build_object('status', status, 'author_id', author_id, 'version', version, 'published_at', published_at,
     'created_now', created_at = now(), 'indexed', search_vector @@ 'import'::tsquery and not search_vector @@ 'forg'::tsquery,
     'search_title', btrim(search_title))
   from public.articles where id = pg_temp.id('imported')),
  jsonb_build_object('status', 'draft', 'author_id', null, 'version', 1, 'published_at', null, 'created_now', true,
    'indexed', true, 'search_title', 'imported article'),
  'whoever inserts, the trigger makes a draft, sets author, times and version, and indexes it');
select pg_temp.rows_changed(format('update public.articles set version = 42 where id = %L', pg_temp.id('imported'))) as changed \gset
select is(
  array[:'changed' || ' ' || pg_temp.version('imported'),
        pg_temp.refusal(format('update public.articles set author_id = %L where id = %L', :nell_id, pg_temp.id('imported'))),
        pg_temp.refusal(format('update public.articles set organization_id = %L where id = %L', :other, pg_temp.id('imported')))],
  array['1 1', 'PT422 -', 'PT422 -'], 'nor sets its version, and nobody changes its author or organization');
reset role;

-- Versions and history.
-- A conflict: its SQLSTATE, its hint, and the article its detail carries (without its times).
create function pg_temp.conflict(p_sql text) returns jsonb language plpgsql as $$
declare
  v_state text; v_hint text; v_detail text;
begin
  execute p_sql;
  return null;
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_hint = pg_exception_hint, v_detail = pg_exception_detail;
  return jsonb_build_object('state', v_state, 'hint', v_hint, 'article', v_detail::jsonb - 'created_at' - 'updated_at' - 'published_at');
end $$;
set local role authenticated;
set local request.jwt.claims = :'nadia';
select is(
  pg_temp.conflict(format($$select public.update_article(%L, 1, '{"title": "Leaving Northwind"}')$$, pg_temp.id('leaving'))),
  jsonb_build_object('state', 'PT409', 'hint', 'expected_version', 'article', jsonb_build_object(
    'id', pg_temp.id('leaving'), 'organization_id', :nw, 'title', 'Leaving us',
    'body', 'You can cancel your subscription at any time from the billing page.', 'category', 'Account',
    'tags', '[]'::jsonb, 'status', 'published', 'visibility', 'public', 'author_id', :ned_id, 'version', 2)),
  'a change from a stale version is a conflict that carries the article as it is now');
select is(
  public.update_article(pg_temp.id('leaving'), 2, '{"title": "Leaving Northwind", "tags": [" account "], "category": null}')
    - 'id' - 'created_at' - 'updated_at' - 'published_at' - 'organization_id' - 'body' - 'author_id',
  '{"title": "Leaving Northwind", "tags": ["account"], "category": null, "status": "published", "visibility": "public", "version": 3}'::jsonb,
  'from the current version the admin edits a published article');
select is(
  (select array_agg(pg_temp.refusal(format('select public.update_article(%L, 3, %L)', pg_temp.id('leaving'), c)) order by i)
   from unnest(array['{}', '{"status": "draft"}', '{"title": " "}', '{"visibility": "secret"}', '{"tags": [1]}',
     '{"category": 5}', '{"body": null}', '[]']) with ordinality x (c, i)),
  array['PT422 changes', 'PT422 status', 'PT422 title', 'PT422 visibility', 'PT422 tags', 'PT422 category', 'PT422 body', 'PT422 changes'],
  'changes name known fields with valid values, and never the status');
select is(
  (select jsonb_agg(jsonb_build_object('kind', e ->> 'kind', 'actor_id', e ->> 'actor_id') order by i)
   from jsonb_array_elements(public.get_article(pg_temp.id('retired')) -> 'history') with ordinality x (e, i)),
  jsonb_build_array(jsonb_build_object('kind', 'created', 'actor_id', :ned_id), jsonb_build_object('kind', 'published', 'actor_id', :nadia_id),
    jsonb_build_object('kind', 'archived', 'actor_id', :nadia_id)),
  'staff read an article''s history: who created, published and archived it');
select is((public.get_article(pg_temp.id('leaving')) -> 'history' -> -1) - 'id' - 'created_at',
  jsonb_build_object('kind', 'updated', 'actor_id', :nadia_id, 'changes', jsonb_build_object(
    'title', jsonb_build_object('old', 'Leaving us', 'new', 'Leaving Northwind'),
    'category', jsonb_build_object('old', 'Account', 'new', null),
    'tags', jsonb_build_object('old', '[]'::jsonb, 'new', jsonb_build_array('account')))),
  'an edit records the old and new value of each changed field');
select is(
  (select array_agg(kind order by id) from public.article_events where article_id = pg_temp.id('direct')),
  array['created', 'updated'], 'direct writes are recorded as well, and a write that changes nothing is not');

-- Publish rights follow the organization's setting; changing the setting changes no article.
create temporary table versions_before as
  select a.id, a.version, (select count(*) from public.article_events e where e.article_id = a.id) as events
  from public.articles a where a.organization_id = :nw;
select is(public.set_knowledge_base_settings(:nw, 'english', 'staff') ->> 'publishers', 'staff', 'the admin lets staff publish');
select is(
  (select count(*)::integer from public.articles a join versions_before b on b.id = a.id
   where a.version <> b.version or (select count(*) from public.article_events e where e.article_id = a.id) <> b.events),
  0, 'which moves no article''s version and records nothing in their history (the language did not change)');
set local request.jwt.claims = :'ned';
select is(public.publish_article(pg_temp.id('direct'), pg_temp.version('direct')) ->> 'status', 'published',
  'where staff publish, an employee publishes');
select is(
  public.update_article(pg_temp.id('direct'), pg_temp.version('direct'), '{"body": "Plug it in; wait for the green light."}')
    ->> 'body', 'Plug it in; wait for the green light.', 'edits what is published');
select is(public.archive_article(pg_temp.id('direct'), pg_temp.version('direct')) ->> 'status', 'archived', 'and archives');
set local request.jwt.claims = :'nadia';
select public.set_knowledge_base_settings(:nw, 'english', 'admins') \gset
select is(
  array[pg_temp.refusal(format($$select public.set_knowledge_base_settings(%L, 'klingon', 'admins')$$, :nw)),
        pg_temp.refusal(format($$select public.set_knowledge_base_settings(%L, 'english', 'everyone')$$, :nw)),
        pg_temp.refusal(format($$select public.set_knowledge_base_settings(%L, 'english', 'admins')$$, :other))],
  array['PT422 language', 'PT422 publishers', 'PT404 org_id'],
  'the language and publishers are checked, and an admin sets only her own organizations''');
reset role;

-- Search ------------------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'carla';
select is(pg_temp.found(:nw, 'refunded'), array['refund_damaged'], 'English stemming: "refunded" finds "refund"');
select is(pg_temp.found(:nw, 'damages'), array['refund_damaged'], 'and "damages" finds "damaged"');
select is(pg_temp.found(:soleil, 'reservation annulee'), array['reservation'],
  'accents are folded: "reservation annulee" finds "Réservation annulée" in a French organization');
select is(pg_temp.found(:soleil, 'RÉSERVATIONS annulées remboursements'), array['reservation'],
  'with French stemming, in any case');
select is(pg_temp.found(:nw, 'cancel subscription'), array['leaving', 'plans'],
  'an article with every word (in its body) ranks above one with a single word, however often in its title');
select is(
  (select jsonb_build_object('method', r -> 'method', 'found', pg_temp.names(r -> 'items'))
   from (select public.search_articles(:nw, 'pasword') as r) x),
  jsonb_build_object('method', 'similar', 'found', jsonb_build_array('password')),
  'a typo ("pasword") finds by trigram similarity when full-text finds nothing');
select is(public.search_articles(:nw, 'refund') ->> 'method', 'full_text', 'and full-text says so too');
set local client_min_messages = warning;  -- no notice for each query without a word
select is(
  (select array_agg(pg_temp.outcome(format('select public.search_articles(%L, %L)', :nw, q)) order by i)
   from unnest(array['"unclosed', 'a & | !', '-', '!!!', '((', ')', ':*', 'refund:*', '<->', '\', '''', '"', 'or', 'OR OR',
     '-refund -', '"refund', 'refund & !', $$'); drop table public.articles; --$$, 'a:B', E'tab\there']) with ordinality x (q, i)),
  array_fill('ok'::text, array[20]), 'whatever is typed, search never errors');
select is(public.search_articles(:nw, '-'), '{"items": [], "method": null, "next_cursor": null}'::jsonb,
  'a lone "-" finds nothing');
reset client_min_messages;
select is(pg_temp.found(:nw, '"damaged order"'), array['refund_damaged'], 'quotes search a phrase');
select is(array(select unnest(pg_temp.found(:nw, 'password or subscription')) order by 1), array['leaving', 'password', 'plans'],
  '"or" finds either word');
select is(pg_temp.found(:nw, 'refund -damaged'), '{}'::text[],
  '"-" excludes a word: no article without "refund", and not the one with "damaged"');
select is(
  (select i ->> 'snippet' ~ '<mark>damaged</mark>' and i ->> 'snippet' ~ '&lt;Report a problem&gt; &amp; attach'
     and i ->> 'snippet' !~ '<(?!/?mark>)'
   from (select public.search_articles(:nw, 'damaged') -> 'items' -> 0 as i) x),
  true, 'the snippet is HTML-escaped, with <mark> around the words found');
select is(
  (select array[jsonb_array_length(i -> 'items')::text, (i -> 'items' -> 0) ? 'body' || '', i ->> 'next_cursor' is not null || '']
   from (select public.search_articles(:nw, 'subscription', 1) as i) x),
  array['1', 'false', 'true'], 'results come a page at a time, without the body');
select is(
  (select pg_temp.names(public.search_articles(:nw, 'subscription', 1) -> 'items')
     || pg_temp.names(public.search_articles(:nw, 'subscription', 1, public.search_articles(:nw, 'subscription', 1) ->> 'next_cursor') -> 'items')),
  array['plans', 'leaving'], 'the cursor gives the next page');
select is(
  array[pg_temp.refusal(format('select public.search_articles(%L, %L)', :nw, '  ')),
        pg_temp.refusal(format('select public.search_articles(%L, %L)', :nw, repeat('a', 201))),
        pg_temp.refusal(format('select public.search_articles(%L, %L, 0)', :nw, 'refund')),
        pg_temp.refusal(format('select public.search_articles(%L, %L, 51)', :nw, 'refund')),
        pg_temp.refusal(format('select public.search_articles(%L, %L, 10, %L)', :nw, 'refund', 'not-a-cursor')),
        pg_temp.refusal(format('select public.search_articles(%L, %L)', :other_missing, 'refund'))],
  array['PT422 q', 'PT422 q', 'PT422 limit', 'PT422 limit', 'PT422 cursor', 'PT404 org_id'],
  'the text, limit, cursor and organization are checked');
reset role;

-- A new language re-indexes the organization's articles, and changes nothing else.
set local role authenticated;
set local request.jwt.claims = :'nadia';
insert into art select 'plain_refunds', (public.create_article(:plain, 'Refunds explained', 'How refunds are paid back.', 'public') ->> 'id')::uuid;
select public.publish_article(pg_temp.id('plain_refunds'), 1) \gset
set local request.jwt.claims = :'carla';
select is(public.search_articles(:plain, 'refunded') ->> 'method', 'similar',
  'without a language (simple), full-text does not stem: "refunded" is only similar to "Refunds"');
set local request.jwt.claims = :'nadia';
select public.set_knowledge_base_settings(:plain, 'english', 'admins') \gset
set local request.jwt.claims = :'carla';
select is(
  (select jsonb_build_object('method', r -> 'method', 'found', pg_temp.names(r -> 'items'))
   from (select public.search_articles(:plain, 'refunded') as r) x),
  '{"method": "full_text", "found": ["plain_refunds"]}'::jsonb, 'in English it finds it by full-text');
set local request.jwt.claims = :'nadia';
select is(
  (select jsonb_build_object('version', r -> 'version', 'history', jsonb_path_query_array(r, '$.history[*].kind'))
   from (select public.get_article(pg_temp.id('plain_refunds')) as r) x),
  '{"version": 2, "history": ["created", "published"]}'::jsonb,
  're-indexing is no edit: the version stays where publishing left it, and the history says nothing');
reset role;

-- Suggestions while writing a ticket ------------------------------------------------------------------------
create function pg_temp.times_suggested(p_user uuid, p_name text) returns integer language sql security definer as $$
  select coalesce(sum(shown), 0)::integer from public.article_suggestions where user_id = p_user and article_id = pg_temp.id(p_name)
$$;
select pg_temp.times_suggested(:carla_id, 'refund_damaged') as shown_before \gset
set local role authenticated;
set local request.jwt.claims = :'carla';
select is(
  array[public.suggest_articles(:nw, 're'), public.suggest_articles(:nw, ' r ', ' '), public.suggest_articles(:nw, '', 'ab')],
  array_fill('{"items": []}'::jsonb, array[3]), 'below 3 characters nothing is suggested');
select is(pg_temp.times_suggested(:carla_id, 'refund_damaged'), :shown_before, 'nor recorded');
select is(pg_temp.suggested(:nw, 'Parcel', 'it arrived damaged'), array['refund_damaged'],
  'subject and description together find the article');
select is(
  (select array_agg(k order by k) from jsonb_object_keys(public.suggest_articles(:nw, 'damaged parcel') -> 'items' -> 0) k),
  array['category', 'id', 'rank', 'title'], 'a suggestion is an id, a title, a category and a rank');
select is(pg_temp.times_suggested(:carla_id, 'refund_damaged'), :shown_before + 2, 'each time it was suggested is counted');
reset role;

-- The articles suggested before a ticket was submitted anyway: only those she could read, of that organization.
set local role authenticated;
set local request.jwt.claims = :'carla';
create temporary table carla_second as
  select (public.create_ticket(:nw, 'Still broken', 'Nothing helped.', suggested_article_ids => array[
    pg_temp.id('refund_damaged'), pg_temp.id('escalation'), pg_temp.id('upcoming'), pg_temp.id('retired'),
    pg_temp.id('other_refund'), gen_random_uuid()]) -> 'ticket' ->> 'id')::uuid as id;
grant select on carla_second to authenticated;
select is((select count(*)::integer from public.ticket_articles where ticket_id = (select id from carla_second)), 0,
  'she does not read which articles were suggested to her ticket');
set local request.jwt.claims = :'ned';
select is(
  (select jsonb_agg(jsonb_build_object('name', t.name, 'kind', ta.kind, 'created_by', ta.created_by))
   from public.ticket_articles ta join pg_temp.art t on t.id = ta.article_id where ta.ticket_id = (select id from carla_second)),
  jsonb_build_array(jsonb_build_object('name', 'refund_damaged', 'kind', 'suggested', 'created_by', :carla_id)),
  'staff read that the published public article was suggested to her; internal, draft, archived and foreign ones were not recorded');
select is(
  array[pg_temp.refusal(format('select public.create_ticket(%L, %L, %L, suggested_article_ids => %L)', :nw, 'Hi', '',
    (select array_agg(gen_random_uuid()) from generate_series(1, 21))))],
  array['PT422 suggested_article_ids'], 'at most 20 suggested articles');

-- Staff link articles to a ticket; the requester sees those she may read.
select is(public.link_article((select id from carla_ticket), pg_temp.id('refund_damaged')),
  jsonb_build_object('ticket_id', (select id from carla_ticket), 'article_id', pg_temp.id('refund_damaged'), 'linked', true),
  'an employee links an article to a ticket');
select public.link_article((select id from carla_ticket), pg_temp.id('escalation')) \gset
select public.link_article((select id from carla_ticket), pg_temp.id('upcoming')) \gset
select is(
  array[public.link_article((select id from carla_ticket), pg_temp.id('refund_damaged')) ->> 'linked',
        pg_temp.refusal(format('select public.link_article(%L, %L)', (select id from carla_ticket), pg_temp.id('other_refund'))),
        pg_temp.refusal(format('select public.link_article(%L, %L)', gen_random_uuid(), pg_temp.id('refund_damaged')))],
  array['true', 'PT422 article_id', 'PT404 ticket_id'],
  'linking twice is linking once; only the organization''s own articles, only to its tickets');
select is(array(select unnest(pg_temp.names(public.get_ticket((select id from carla_ticket)) -> 'articles')) order by 1),
  array['escalation', 'refund_damaged', 'upcoming'], 'get_ticket shows staff every linked article');
set local request.jwt.claims = :'carla';
select is(pg_temp.names(public.get_ticket((select id from carla_ticket)) -> 'articles'), array['refund_damaged'],
  'and the requester only the published public one');
select is(
  (select array_agg(t.name) from public.ticket_articles ta join pg_temp.art t on t.id = ta.article_id
   where ta.ticket_id = (select id from carla_ticket)),
  array['refund_damaged'], 'as she reads them directly');
reset role;

-- Deflection and usefulness ------------------------------------------------------------------------------------
-- In Tally: Carla is suggested the Wi-Fi article, opens it, finds it helpful and submits nothing;
-- Cody opens it from the suggestions too, finds it unhelpful and submits a ticket anyway; Carla
-- also opens the bill article from a search. Ned, an employee, reads the figures.
set local role authenticated;
set local request.jwt.claims = :'nadia';
insert into art select 'tally_wifi', (public.create_article(:tally, 'Restart your wifi box', 'Unplug the box for ten seconds.', 'public') ->> 'id')::uuid;
insert into art select 'tally_bill', (public.create_article(:tally, 'Read your bill', 'Your bill lists every line.', 'public') ->> 'id')::uuid;
insert into art select 'tally_draft', (public.create_article(:tally, 'Wifi box draft', 'Not yet.', 'public') ->> 'id')::uuid;
select public.publish_article(pg_temp.id('tally_wifi'), 1) \gset
select public.publish_article(pg_temp.id('tally_bill'), 1) \gset
set local request.jwt.claims = :'carla';
select is(pg_temp.suggested(:tally, 'wifi box broken'), array['tally_wifi'], 'the published article is suggested, not the draft');
select public.get_article(pg_temp.id('tally_wifi'), true) \gset
select public.mark_article_helpful(pg_temp.id('tally_wifi'), false) \gset
select public.mark_article_helpful(pg_temp.id('tally_wifi'), true) \gset
select public.get_article(pg_temp.id('tally_bill')) \gset
set local request.jwt.claims = :'cody';
select public.suggest_articles(:tally, 'my wifi box') \gset
select public.get_article(pg_temp.id('tally_wifi'), true) \gset
select public.mark_article_helpful(pg_temp.id('tally_wifi'), false) \gset
select public.create_ticket(:tally, 'Wifi still down', '', suggested_article_ids => array[pg_temp.id('tally_wifi')]) \gset
set local request.jwt.claims = :'ned';
select is(
  public.kb_stats(:tally, now() - interval '1 day', now() + interval '1 day') #>> '{articles,0,deflections}', '0',
  'a deflection counts only once 24 hours have passed without a ticket');
-- A day later: Carla's visit was a day ago, and she never submitted a ticket.
reset role;
update public.article_views set created_at = created_at - interval '25 hours' where user_id = :carla_id;
set local role authenticated;
select is(
  public.kb_stats(:tally, now() - interval '2 days', now() + interval '1 day') - 'from' - 'to',
  jsonb_build_object('org_id', :tally, 'article_views', 3, 'tickets_submitted', 1, 'self_service', 3.00, 'articles', jsonb_build_array(
    jsonb_build_object('article_id', pg_temp.id('tally_wifi'), 'title', 'Restart your wifi box', 'views', 2, 'opened_from_suggestions', 2,
      'helpful', 1, 'not_helpful', 1, 'suggested', 2, 'submitted_after_suggestion', 1, 'deflections', 1),
    jsonb_build_object('article_id', pg_temp.id('tally_bill'), 'title', 'Read your bill', 'views', 1, 'opened_from_suggestions', 0,
      'helpful', 0, 'not_helpful', 0, 'suggested', 0, 'submitted_after_suggestion', 0, 'deflections', 0))),
  'kb_stats: views, votes (the last answer counts), suggestions, tickets submitted anyway, deflections and self-service');
select is(
  public.kb_stats(:tally, now() - interval '4 days', now() - interval '3 days') - 'from' - 'to',
  jsonb_build_object('org_id', :tally, 'article_views', 0, 'tickets_submitted', 0, 'self_service', null, 'articles', '[]'::jsonb),
  'a period before all that counts nothing');
select is(
  array[pg_temp.refusal(format('select public.kb_stats(%L, now(), now())', :tally)),
        pg_temp.refusal(format($$select public.kb_stats(%L, now() - interval '367 days', now())$$, :tally)),
        pg_temp.refusal(format('select public.kb_stats(%L, now() - interval ''1 day'', now())', :other))],
  array['PT422 to', 'PT422 to', 'PT404 org_id'], 'the period is checked, and only the organization''s staff read its figures');
select is(
  (select jsonb_build_object('votes', count(*), 'helpful', count(*) filter (where helpful)) from public.article_votes
   where organization_id = :tally and updated_at >= now() - interval '1 day'),
  '{"votes": 2, "helpful": 1}'::jsonb, 'staff read their organization''s recent votes directly');
select is(
  (select sum(shown)::integer from public.article_suggestions where organization_id = :tally and shown_on >= current_date - 7),
  2, 'and what was suggested this week');
reset role;

-- At scale ---------------------------------------------------------------------------------------------------------
-- Bulk holds a thousand published articles, ten of them about a thermostat, with the statistics
-- and index upkeep autovacuum gives a table of that size. (ANALYZE writes the table's size to
-- pg_class in place: that survives the rollback, and only changes plans after this file.)
-- Nadia imports them.
set local request.jwt.claims = :'nadia';
insert into public.articles (organization_id, title, body, category, tags, visibility)
select :bulk,
  format('%s the %s of model %s', (array['Reset', 'Update', 'Replace', 'Clean', 'Check', 'Configure', 'Repair', 'Register'])[1 + i % 8],
    case when i % 100 = 0 then 'thermostat' else (array['firmware', 'battery', 'screen', 'charger', 'antenna', 'speaker',
      'keyboard', 'sensor', 'display', 'fan', 'cable', 'dock', 'lens', 'motor', 'pump', 'filter', 'valve', 'hinge', 'remote',
      'strap'])[1 + (i / 8) % 20] end, i),
  format('How to %s it, step by step. Model %s needs a %s screwdriver and about %s minutes.',
    (array['open', 'close', 'test', 'inspect'])[1 + i % 4], i, (array['small', 'large', 'torx', 'flat'])[1 + i % 4], 5 + i % 30),
  (array['Hardware', 'Software', 'Care'])[1 + i % 3], array['model-' || i], 'public'
from generate_series(1, 1000) i;
-- Published as imported, without a history entry each.
set local session_replication_role = replica;
update public.articles set status = 'published', published_at = now() where organization_id = :bulk;
set local session_replication_role = origin;
analyze public.articles;
select gin_clean_pending_list('public.articles_search_idx'), gin_clean_pending_list('public.articles_search_title_idx') \gset
-- How often the caller's statements scanned an index so far in this transaction.
create function pg_temp.scans(p_index regclass) returns bigint language sql as $$
  select pg_stat_get_xact_numscans(p_index)
$$;
set local role authenticated;
set local request.jwt.claims = :'carla';
select pg_temp.scans('public.articles_search_idx') as scans_before \gset
select is(
  (select jsonb_build_object('method', r -> 'method', 'found', jsonb_array_length(r -> 'items'),
     'all_thermostats', r @? '$.items[*] ? (!(@.title like_regex "thermostat"))' = false)
   from (select public.search_articles(:bulk, 'thermostats', 50) as r) x),
  '{"method": "full_text", "found": 10, "all_thermostats": true}'::jsonb, 'among a thousand articles search finds the ten');
select cmp_ok(pg_temp.scans('public.articles_search_idx'), '>', :scans_before::bigint, 'through the full-text index');
select pg_temp.scans('public.articles_search_title_idx') as scans_before \gset
select is(
  (select jsonb_build_object('method', r -> 'method', 'first', r #>> '{items, 0, title}' like '% thermostat %')
   from (select public.search_articles(:bulk, 'termostat') as r) x),
  '{"method": "similar", "first": true}'::jsonb, 'a typo finds them by similarity');
select cmp_ok(pg_temp.scans('public.articles_search_title_idx'), '>', :scans_before::bigint, 'through the trigram index');
select is(
  (select jsonb_build_object('count', jsonb_array_length(r -> 'items'),
     'best_first', (select bool_and((r #>> array['items', (n - 1)::text, 'rank'])::real >= (r #>> array['items', n::text, 'rank'])::real)
                    from generate_series(1, jsonb_array_length(r -> 'items') - 1) n))
   from (select public.suggest_articles(:bulk, 'My thermostat', 'The thermostat of my model shows nothing') as r) x),
  '{"count": 5, "best_first": true}'::jsonb, 'suggestions are the five best, best first');
reset role;

-- Deleting people keeps the knowledge base -------------------------------------------------------------------------
-- Nell edits a draft and links an article, then leaves; Cody (a customer) deletes his account;
-- Ned, who wrote most of Northwind's articles, leaves too.
set local role authenticated;
set local request.jwt.claims = :'nell';
select public.update_article(pg_temp.id('upcoming'), pg_temp.version('upcoming'), '{"body": "The refund window grows to 60 days in March."}') \gset
select public.link_article((select id from carla_ticket), pg_temp.id('leaving')) \gset
reset role;
select is(pg_temp.outcome(format('delete from auth.users where id = %L', :nell_id)), 'ok', 'an employee who edited and linked articles is deleted');
select is(
  array[(select actor_id::text from public.article_events where article_id = pg_temp.id('upcoming') order by id desc limit 1),
        (select created_by::text from public.ticket_articles where article_id = pg_temp.id('leaving')),
        (select body from public.articles where id = pg_temp.id('upcoming'))],
  array[null, null, 'The refund window grows to 60 days in March.'],
  'her edit and her link stay, by nobody in particular now');
select is(pg_temp.outcome(format('delete from auth.users where id = %L', :cody_id)), 'ok', 'a customer deletes his account');
select is(
  array[(select count(*)::integer from public.article_views where user_id = :cody_id),
        (select count(*)::integer from public.article_votes where user_id = :cody_id),
        (select count(*)::integer from public.article_suggestions where user_id = :cody_id),
        (select count(*)::integer from public.ticket_articles ta join public.tickets t on t.id = ta.ticket_id where t.user_id = :cody_id)],
  array[0, 0, 0, 0], 'his views, votes, suggestions and tickets go with him');
select pg_temp.outcome(format('delete from auth.users where id = %L', :ned_id)) as ned_deleted \gset
select is(
  jsonb_build_object('deleted', :'ned_deleted',
    'articles_without_author', (select count(*) from public.articles where organization_id = :nw and author_id is null)),
  jsonb_build_object('deleted', 'ok', 'articles_without_author', 9),
  'deleting the employee who wrote articles keeps them, with no author');

-- The advisors call an index never scanned unused: this file's workload scans every one.
select is(
  (select array_agg(c.relname::text order by c.relname) from pg_index i join pg_class c on c.oid = i.indexrelid
   where i.indrelid in (select name from kb_table) and not i.indisunique and not i.indisprimary
     and pg_stat_get_numscans(c.oid) + pg_stat_get_xact_numscans(c.oid) = 0),
  null, 'every index of the knowledge base was scanned');

select * from finish();
rollback;
