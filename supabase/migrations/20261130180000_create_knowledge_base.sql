-- Knowledge base, the data: articles per organization, their history, and what customers do with
-- them (views, votes, suggestions shown, links from tickets). The API is in
-- 20261130180100_create_knowledge_base_api.sql.
--
-- Search runs on Postgres full-text search. Each organization chooses its language (stemming);
-- every configuration first strips accents (unaccent), so "reservation annulee" finds
-- "Réservation annulée". The configurations live in `private`, which only the API roles use.

create extension if not exists unaccent with schema extensions;
-- Lets one GIN index hold the organization with the words, so a search reads only its own
-- organization's matches.
create extension if not exists btree_gin with schema extensions;

do $$
declare
  v_language text;
begin
  foreach v_language in array array['simple', 'english', 'french', 'german', 'spanish', 'italian', 'portuguese', 'dutch'] loop
    execute format('create text search configuration private.%I (copy = pg_catalog.%I)', 'kb_' || v_language, v_language);
    execute format(
      'alter text search configuration private.%I alter mapping for hword, hword_part, word with extensions.unaccent, %s',
      'kb_' || v_language,
      case v_language when 'simple' then 'simple' else v_language || '_stem' end
    );
  end loop;
end;
$$;

-- Per organization: its articles' language, and who may publish.
create table public.knowledge_base_settings (
  organization_id uuid primary key references public.organizations (id) on delete cascade,
  language text not null default 'simple'
    check (language in ('simple', 'english', 'french', 'german', 'spanish', 'italian', 'portuguese', 'dutch')),
  publishers text not null default 'admins' check (publishers in ('admins', 'staff')),
  updated_at timestamptz not null default now()
);

comment on table public.knowledge_base_settings is
  'An organization''s knowledge base: the language its articles are stemmed in, and whether admins or all staff publish.';

alter table public.knowledge_base_settings enable row level security;
revoke all on table public.knowledge_base_settings from public, anon, authenticated;
grant select on table public.knowledge_base_settings to authenticated;
grant all on table public.knowledge_base_settings to service_role;

create policy "Staff read their organizations' knowledge base settings"
  on public.knowledge_base_settings
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

-- The search configuration of an organization's articles.
create function private.kb_config(p_org_id uuid)
returns regconfig
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce(
    (select ('private.kb_' || s.language)::regconfig from public.knowledge_base_settings s where s.organization_id = p_org_id),
    'private.kb_simple'::regconfig
  );
end;
$$;

comment on function private.kb_config(uuid) is
  'The text search configuration of the organization''s language (private.kb_simple when none is set).';
revoke execute on function private.kb_config(uuid) from public, anon;
grant execute on function private.kb_config(uuid) to authenticated;

-- Text folded for trigram matching: lowercase, without accents.
create function private.kb_fold(p_text text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
begin
  return lower(extensions.unaccent('extensions.unaccent'::regdictionary, coalesce(p_text, '')));
end;
$$;

comment on function private.kb_fold(text) is 'Lowercase and without accents, for trigram matching.';

-- Whose published public articles the caller may read: the organizations they may submit
-- tickets to (as private.can_submit_to decides). In two parts, so the select policy costs the
-- same however many public organizations there are: whether one organization is public (per
-- row), and the few others the caller may submit to (by email domain, invitation or
-- membership), built once per query.
create function private.is_public_org(p_org_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (select 1 from public.organizations o where o.id = p_org_id and o.customer_access = 'public');
end;
$$;

create function private.my_other_submittable_org_ids()
returns setof uuid
language sql
stable
security definer
set search_path = ''
as $$
  select o.id
  from public.organizations o
  where o.customer_access = 'domain'
    and split_part((select private.my_confirmed_email()), '@', 2) = any (o.verified_domains)
  union
  select c.organization_id
  from public.organization_customers c
  join public.organizations o on o.id = c.organization_id and o.customer_access = 'invite'
  where c.email = (select private.my_confirmed_email())
  union
  select private.my_org_ids()
$$;

comment on function private.is_public_org(uuid) is 'Whether anyone signed in may submit to the organization.';
comment on function private.my_other_submittable_org_ids() is
  'The organizations that are not public the caller may submit to (verified email domain, invitation, membership).';
revoke execute on function private.is_public_org(uuid), private.my_other_submittable_org_ids() from public, anon;
grant execute on function private.is_public_org(uuid), private.my_other_submittable_org_ids() to authenticated;

-- Each tag is 1 to 50 characters of one line without surrounding white space, whoever writes.
create function private.valid_article_tags(p_tags text[])
returns boolean
language plpgsql
immutable
set search_path = ''
as $$
begin
  return coalesce((
    select bool_and(t is not null and char_length(t) between 1 and 50 and t = btrim(t) and t !~ '[[:cntrl:]]')
    from unnest(p_tags) t
  ), true);
end;
$$;

create table public.articles (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  body text not null default '' check (char_length(body) <= 50000),
  category text check (char_length(btrim(category)) between 1 and 100),
  tags text[] not null default '{}' check (cardinality(tags) <= 20 and private.valid_article_tags(tags)),
  status text not null default 'draft' check (status in ('draft', 'published', 'archived')),
  visibility text not null check (visibility in ('public', 'internal')),
  author_id uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  published_at timestamptz,
  version integer not null default 1,
  search_vector tsvector not null default ''::tsvector,
  search_title text not null default '',
  constraint articles_organization_id_id_key unique (organization_id, id)
);

comment on table public.articles is
  'A knowledge-base article of an organization: Markdown body, draft until published, public (customers who may submit) or internal (staff).';
comment on column public.articles.body is 'Markdown as written; clients render it.';
comment on column public.articles.version is 'Optimistic concurrency token, moved by every change.';
comment on column public.articles.search_vector is
  'Title (weight A), category and tags (B) and body (D), in the organization''s search configuration; kept by a trigger.';
comment on column public.articles.search_title is 'Title, category and tags folded for trigram matching; kept by a trigger.';

create index articles_search_idx on public.articles using gin (organization_id, search_vector);
create index articles_search_title_idx
  on public.articles using gin (organization_id, search_title extensions.gin_trgm_ops);
create unique index articles_org_status_updated_idx
  on public.articles (organization_id, status, updated_at, id);
create index articles_author_idx on public.articles (author_id);

alter table public.articles enable row level security;
revoke all on table public.articles from public, anon, authenticated;
grant select on table public.articles to authenticated;
grant insert (organization_id, title, body, category, tags, visibility) on table public.articles to authenticated;
grant update (title, body, category, tags, visibility, status) on table public.articles to authenticated;
grant all on table public.articles to service_role;

create policy "Staff read all their org's articles, customers published public"
  on public.articles
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or (
      status = 'published' and visibility = 'public'
      and (private.is_public_org(organization_id) or organization_id in (select private.my_other_submittable_org_ids()))
    )
  );

create policy "Staff write drafts in their organizations"
  on public.articles
  for insert
  to authenticated
  with check (organization_id in (select private.my_org_ids()));

create policy "Staff change their organizations' articles"
  on public.articles
  for update
  to authenticated
  using (organization_id in (select private.my_org_ids()))
  with check (organization_id in (select private.my_org_ids()));

-- What search reads of an article: the title (weight A), category and tags (B), the body (D).
create function private.article_search_vector(p_article public.articles, p_config regconfig)
returns tsvector
language plpgsql
immutable
set search_path = ''
as $$
begin
  return setweight(to_tsvector(p_config, p_article.title), 'A')
    || setweight(to_tsvector(p_config, coalesce(p_article.category, '') || ' ' || array_to_string(p_article.tags, ' ')), 'B')
    || setweight(to_tsvector(p_config, p_article.body), 'D');
end;
$$;

-- Who may publish, archive and edit what is published in the organization.
create function private.can_publish_articles(p_org_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.is_org_admin(p_org_id) or (
    private.is_org_staff(p_org_id)
    and exists (
      select 1 from public.knowledge_base_settings s where s.organization_id = p_org_id and s.publishers = 'staff'
    )
  );
end;
$$;

comment on function private.can_publish_articles(uuid) is
  'Admins, or all staff where the organization''s knowledge base says publishers = staff.';
revoke execute on function private.can_publish_articles(uuid) from public, anon;
grant execute on function private.can_publish_articles(uuid) to authenticated;

-- The database keeps an article's author, times, version and search columns, whoever writes,
-- and who may publish: a new article is a draft by its author; publishing, archiving, and
-- changing a published or archived article take the right to publish.
create function private.articles_before_write()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_config regconfig := private.kb_config(new.organization_id);
begin
  if tg_op = 'INSERT' then
    new.status := 'draft';
    new.author_id := (select auth.uid());
    new.created_at := now();
    new.published_at := null;
    new.version := 1;
  else
    -- The author may only go (their account was deleted: the foreign key sets null).
    if new.id <> old.id or new.organization_id <> old.organization_id or new.created_at <> old.created_at
      or (new.author_id is distinct from old.author_id and new.author_id is not null) then
      raise exception 'An article''s id, organization, author and creation time cannot change.' using errcode = 'PT422';
    end if;
    -- Nothing a reader sees changed (a re-index, the author gone): no new version, no history.
    if (new.title, new.body, new.category, new.tags, new.visibility, new.status)
      is not distinct from (old.title, old.body, old.category, old.tags, old.visibility, old.status) then
      new.version := old.version;
      new.updated_at := old.updated_at;
      new.published_at := old.published_at;
      new.search_vector := private.article_search_vector(new, v_config);
      new.search_title := private.kb_fold(new.title || ' ' || coalesce(new.category, '') || ' ' || array_to_string(new.tags, ' '));
      return new;
    end if;
    if (select auth.uid()) is not null and pg_trigger_depth() <= 1
      and (new.status <> 'draft' or old.status <> 'draft')
      and not private.can_publish_articles(new.organization_id) then
      raise exception 'Only those who may publish in this organization can publish, archive or change a published article.'
        using errcode = 'PT403', hint = 'status';
    end if;
    if new.status = 'published' and old.status <> 'published' then
      new.published_at := now();
    end if;
    new.version := old.version + 1;
  end if;
  new.updated_at := now();
  new.search_vector := private.article_search_vector(new, v_config);
  new.search_title := private.kb_fold(new.title || ' ' || coalesce(new.category, '') || ' ' || array_to_string(new.tags, ' '));
  return new;
end;
$$;

comment on function private.articles_before_write() is
  'Trigger: keeps author, times, version and search columns, and the right to publish.';
revoke execute on function private.articles_before_write() from public, anon, authenticated;

create trigger before_write
  before insert or update on public.articles
  for each row execute function private.articles_before_write();

-- An organization's new language re-indexes its articles (search_vector is recomputed by the
-- trigger above when a row is touched).
create function private.reindex_articles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.articles a
  set search_vector = ''::tsvector
  where a.organization_id = new.organization_id;
  return null;
end;
$$;

comment on function private.reindex_articles() is
  'Trigger: recomputes the organization''s articles'' search vectors after its language changed.';
revoke execute on function private.reindex_articles() from public, anon, authenticated;

create trigger reindex_articles
  after insert on public.knowledge_base_settings
  for each row
  when (new.language <> 'simple')
  execute function private.reindex_articles();

create trigger reindex_articles_after_update
  after update of language on public.knowledge_base_settings
  for each row
  when (old.language is distinct from new.language)
  execute function private.reindex_articles();

-- The history of an article, written only by triggers.
create table public.article_events (
  id bigint generated always as identity primary key,
  article_id uuid not null references public.articles (id) on delete cascade,
  organization_id uuid not null,
  actor_id uuid references public.profiles (id) on delete set null,
  kind text not null check (kind in ('created', 'updated', 'published', 'archived', 'unpublished')),
  changes jsonb not null default '{}',
  created_at timestamptz not null default now()
);

comment on table public.article_events is 'Every change of an article: who, when, what (old and new values).';
create index article_events_article_idx on public.article_events (article_id, created_at, id);
create index article_events_actor_idx on public.article_events (actor_id);

alter table public.article_events enable row level security;
revoke all on table public.article_events from public, anon, authenticated;
grant select on table public.article_events to authenticated;
grant all on table public.article_events to service_role;

create policy "Staff read the history of their organizations' articles"
  on public.article_events
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create function private.record_article_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_changes jsonb := '{}';
  v_field text;
  v_kind text;
begin
  if tg_op = 'INSERT' then
    insert into public.article_events (article_id, organization_id, actor_id, kind, changes)
    values (new.id, new.organization_id, (select auth.uid()), 'created',
      jsonb_build_object('title', new.title, 'visibility', new.visibility));
    return null;
  end if;
  if new.version = old.version then
    return null;
  end if;
  foreach v_field in array array['title', 'body', 'category', 'tags', 'visibility', 'status'] loop
    if to_jsonb(new) -> v_field is distinct from to_jsonb(old) -> v_field then
      v_changes := v_changes || jsonb_build_object(v_field, jsonb_build_object('old', to_jsonb(old) -> v_field, 'new', to_jsonb(new) -> v_field));
    end if;
  end loop;
  v_kind := case
    when new.status = old.status then 'updated'
    when new.status = 'published' then 'published'
    when new.status = 'archived' then 'archived'
    else 'unpublished'
  end;
  insert into public.article_events (article_id, organization_id, actor_id, kind, changes)
  values (new.id, new.organization_id, (select auth.uid()), v_kind, v_changes);
  return null;
end;
$$;

comment on function private.record_article_change() is 'Trigger: records every change of an article.';
revoke execute on function private.record_article_change() from public, anon, authenticated;

create trigger record_change
  after insert or update on public.articles
  for each row execute function private.record_article_change();

-- What readers do: views (from suggestions or not), helpful votes, suggestions shown, and the
-- articles suggested to a ticket that was submitted anyway. Written by the API functions only;
-- the organization's staff read them (kbStats).
create table public.article_views (
  id bigint generated always as identity primary key,
  article_id uuid not null references public.articles (id) on delete cascade,
  organization_id uuid not null,
  user_id uuid not null references public.profiles (id) on delete cascade,
  from_suggestion boolean not null default false,
  created_at timestamptz not null default now()
);

create index article_views_org_created_idx on public.article_views (organization_id, created_at, id);
create index article_views_article_created_idx on public.article_views (article_id, created_at);
create index article_views_user_idx on public.article_views (user_id, created_at);

create table public.article_votes (
  article_id uuid not null references public.articles (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null,
  helpful boolean not null,
  updated_at timestamptz not null default now(),
  primary key (article_id, user_id)
);

create index article_votes_org_idx on public.article_votes (organization_id, updated_at);
create index article_votes_user_idx on public.article_votes (user_id);

create table public.article_suggestions (
  article_id uuid not null references public.articles (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null,
  shown_on date not null default current_date,
  shown integer not null default 1,
  primary key (article_id, user_id, shown_on)
);

create index article_suggestions_org_idx on public.article_suggestions (organization_id, shown_on);
create index article_suggestions_user_idx on public.article_suggestions (user_id);

comment on table public.article_views is 'An article opened by someone, from suggestions or not.';
comment on table public.article_votes is 'Whether an article helped someone (their last answer counts).';
comment on table public.article_suggestions is 'How often an article was suggested to someone on a day.';

-- Articles linked to a ticket by staff, or suggested to the requester before they submitted it.
create table public.ticket_articles (
  ticket_id uuid not null references public.tickets (id) on delete cascade,
  article_id uuid not null references public.articles (id) on delete cascade,
  organization_id uuid not null,
  kind text not null check (kind in ('linked', 'suggested')),
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (ticket_id, article_id, kind)
);

create index ticket_articles_article_idx on public.ticket_articles (article_id, kind);
create index ticket_articles_created_by_idx on public.ticket_articles (created_by);

comment on table public.ticket_articles is
  'linked: staff attached the article to the ticket; suggested: it was suggested to the requester, who submitted anyway.';

alter table public.article_views enable row level security;
alter table public.article_votes enable row level security;
alter table public.article_suggestions enable row level security;
alter table public.ticket_articles enable row level security;
revoke all on table public.article_views, public.article_votes, public.article_suggestions, public.ticket_articles
  from public, anon, authenticated;
grant select on table public.article_views, public.article_votes, public.article_suggestions, public.ticket_articles
  to authenticated;
grant all on table public.article_views, public.article_votes, public.article_suggestions, public.ticket_articles
  to service_role;

create policy "Staff read their organizations' article views"
  on public.article_views
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Staff read their org's article votes, people their own"
  on public.article_votes
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()) or user_id = (select auth.uid()));

create policy "Staff read their organizations' article suggestions"
  on public.article_suggestions
  for select
  to authenticated
  using (organization_id in (select private.my_org_ids()));

create policy "Staff read ticket articles, requesters linked ones they may see"
  on public.ticket_articles
  for select
  to authenticated
  using (
    organization_id in (select private.my_org_ids())
    or (
      kind = 'linked'
      and exists (select 1 from public.tickets t where t.id = ticket_articles.ticket_id and t.user_id = (select auth.uid()))
      and exists (select 1 from public.articles a where a.id = ticket_articles.article_id)
    )
  );
