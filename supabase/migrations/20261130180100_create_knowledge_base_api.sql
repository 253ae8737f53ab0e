-- Knowledge base, the API (server actions of the same names in camelCase). Functions run as the
-- caller: the policies of 20261130180000_create_knowledge_base.sql decide who reads and writes
-- what; what readers do (views, votes, suggestions shown) is written by private helpers.

-- The API's JSON for an article.
create function private.article_json(p_article public.articles)
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'id', p_article.id,
    'organization_id', p_article.organization_id,
    'title', p_article.title,
    'body', p_article.body,
    'category', p_article.category,
    'tags', to_jsonb(p_article.tags),
    'status', p_article.status,
    'visibility', p_article.visibility,
    'author_id', p_article.author_id,
    'created_at', p_article.created_at,
    'updated_at', p_article.updated_at,
    'published_at', p_article.published_at,
    'version', p_article.version
  )
$$;

comment on function private.article_json(public.articles) is 'The API''s JSON for an article.';

-- Checks an article's writable fields (as given to create_article or in update_article's changes).
create function private.require_article_fields(
  p_title text, p_body text, p_visibility text, p_category text, p_tags text[]
)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  if char_length(btrim(coalesce(p_title, ''))) not between 1 and 200 then
    raise exception 'The title must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'title';
  end if;
  if p_body is null or char_length(p_body) > 50000 then
    raise exception 'The body must be Markdown of at most 50000 characters.' using errcode = 'PT422', hint = 'body';
  end if;
  if p_visibility is null or p_visibility not in ('public', 'internal') then
    raise exception 'The visibility must be public or internal.' using errcode = 'PT422', hint = 'visibility';
  end if;
  if p_category is not null and char_length(btrim(p_category)) not between 1 and 100 then
    raise exception 'The category must be 1 to 100 characters long, or null.' using errcode = 'PT422', hint = 'category';
  end if;
  if p_tags is null or cardinality(p_tags) > 20
    or exists (select 1 from unnest(p_tags) t where t is null or char_length(btrim(t)) not between 1 and 50) then
    raise exception 'The tags must be at most 20 texts of 1 to 50 characters.' using errcode = 'PT422', hint = 'tags';
  end if;
end;
$$;

-- The article, for a change: 404 unless the caller is staff of its organization.
create function private.require_article_staff(p_article_id uuid)
returns public.articles
language plpgsql
stable
set search_path = ''
as $$
declare
  v_article public.articles;
begin
  select * into v_article from public.articles a where a.id = p_article_id;
  if v_article.id is null or not private.is_org_staff(v_article.organization_id) then
    raise exception 'The article was not found.' using errcode = 'PT404', hint = 'article_id';
  end if;
  return v_article;
end;
$$;

-- 404 unless the caller may read the organization's knowledge base (staff, or may submit to it).
create function private.require_knowledge_base_reader(p_org_id uuid)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_org_id is null or not (private.is_org_staff(p_org_id) or private.can_submit_to(p_org_id)) then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;
end;
$$;

create function public.create_article(
  org_id uuid, title text, body text, visibility text, category text default null, tags text[] default null
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_article public.articles;
begin
  if not private.is_org_staff(create_article.org_id) then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;
  perform private.require_article_fields(
    create_article.title, create_article.body, create_article.visibility, create_article.category,
    coalesce(create_article.tags, '{}')
  );
  insert into public.articles (organization_id, title, body, category, tags, visibility)
  values (
    create_article.org_id, btrim(create_article.title), create_article.body, btrim(create_article.category),
    coalesce(array(select btrim(t) from unnest(create_article.tags) t), '{}'), create_article.visibility
  )
  returning * into v_article;
  return private.article_json(v_article);
end;
$$;

-- Changes the named fields, if nobody changed the article since expected_version (PT409 with
-- the current article otherwise). status is for publish_article and archive_article.
create function public.update_article(article_id uuid, expected_version integer, changes jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_article public.articles := private.require_article_staff(update_article.article_id);
  v_key text;
begin
  if update_article.expected_version is null then
    raise exception 'Send the version of the article you are changing.' using errcode = 'PT422', hint = 'expected_version';
  end if;
  if update_article.changes is null or jsonb_typeof(update_article.changes) <> 'object' or update_article.changes = '{}' then
    raise exception 'The changes must be a JSON object naming title, body, category, tags or visibility.'
      using errcode = 'PT422', hint = 'changes';
  end if;
  select k into v_key from jsonb_object_keys(update_article.changes) k
  where k not in ('title', 'body', 'category', 'tags', 'visibility') limit 1;
  if v_key is not null then
    raise exception 'The field "%" cannot be changed here; change title, body, category, tags or visibility (publishArticle and archiveArticle change the status).', v_key
      using errcode = 'PT422', hint = v_key;
  end if;
  foreach v_key in array array['title', 'body', 'visibility'] loop
    if update_article.changes ? v_key and jsonb_typeof(update_article.changes -> v_key) is distinct from 'string' then
      raise exception 'The field "%" must be text.', v_key using errcode = 'PT422', hint = v_key;
    end if;
  end loop;
  if update_article.changes ? 'category' and jsonb_typeof(update_article.changes -> 'category') not in ('string', 'null') then
    raise exception 'The category must be text, or null.' using errcode = 'PT422', hint = 'category';
  end if;
  if update_article.changes ? 'tags' and (
    jsonb_typeof(update_article.changes -> 'tags') <> 'array'
    or exists (select 1 from jsonb_array_elements(update_article.changes -> 'tags') t where jsonb_typeof(t) <> 'string')
  ) then
    raise exception 'The tags must be a list of texts.' using errcode = 'PT422', hint = 'tags';
  end if;

  if update_article.changes ? 'title' then v_article.title := btrim(update_article.changes ->> 'title'); end if;
  if update_article.changes ? 'body' then v_article.body := update_article.changes ->> 'body'; end if;
  if update_article.changes ? 'visibility' then v_article.visibility := update_article.changes ->> 'visibility'; end if;
  if update_article.changes ? 'category' then v_article.category := btrim(update_article.changes ->> 'category'); end if;
  if update_article.changes ? 'tags' then
    v_article.tags := array(select btrim(t) from jsonb_array_elements_text(update_article.changes -> 'tags') t);
  end if;
  perform private.require_article_fields(v_article.title, v_article.body, v_article.visibility, v_article.category, v_article.tags);

  update public.articles a
  set title = v_article.title, body = v_article.body, visibility = v_article.visibility,
    category = v_article.category, tags = v_article.tags
  where a.id = update_article.article_id and a.version = update_article.expected_version
  returning * into v_article;
  if not found then
    select * into v_article from public.articles a where a.id = update_article.article_id;
    raise exception 'The article was changed by someone else (now at version %); review it and try again.', v_article.version
      using errcode = 'PT409', hint = 'expected_version', detail = private.article_json(v_article)::text;
  end if;
  return private.article_json(v_article);
end;
$$;

-- Moves an article to p_status (published or archived), if it is still at p_expected_version.
create function private.set_article_status(p_article_id uuid, p_expected_version integer, p_status text)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_article public.articles := private.require_article_staff(p_article_id);
begin
  if p_expected_version is null then
    raise exception 'Send the version of the article you are changing.' using errcode = 'PT422', hint = 'expected_version';
  end if;
  if not private.can_publish_articles(v_article.organization_id) then
    raise exception 'Only those who may publish in this organization can publish or archive articles.'
      using errcode = 'PT403', hint = 'article_id';
  end if;
  update public.articles a
  set status = p_status
  where a.id = p_article_id and a.version = p_expected_version
  returning * into v_article;
  if not found then
    select * into v_article from public.articles a where a.id = p_article_id;
    raise exception 'The article was changed by someone else (now at version %); review it and try again.', v_article.version
      using errcode = 'PT409', hint = 'expected_version', detail = private.article_json(v_article)::text;
  end if;
  return private.article_json(v_article);
end;
$$;

create function public.publish_article(article_id uuid, expected_version integer)
returns jsonb
language sql
set search_path = ''
as $$
  select private.set_article_status(publish_article.article_id, publish_article.expected_version, 'published')
$$;

create function public.archive_article(article_id uuid, expected_version integer)
returns jsonb
language sql
set search_path = ''
as $$
  select private.set_article_status(archive_article.article_id, archive_article.expected_version, 'archived')
$$;

-- A reader's view of an article (recorded for kbStats; from_suggestion: opened from
-- suggestions). The organization's own staff reading it is not self-service: not recorded.
create function private.record_article_view(p_article public.articles, p_from_suggestion boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.is_org_staff(p_article.organization_id) then
    return;
  end if;
  insert into public.article_views (article_id, organization_id, user_id, from_suggestion)
  values (p_article.id, p_article.organization_id, (select auth.uid()), coalesce(p_from_suggestion, false));
end;
$$;

-- The article as the caller may read it (RLS), with the caller's own vote; records the view.
create function public.get_article(article_id uuid, from_suggestion boolean default false)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_article public.articles;
begin
  select * into v_article from public.articles a where a.id = get_article.article_id;
  if v_article.id is null then
    raise exception 'The article was not found.' using errcode = 'PT404', hint = 'article_id';
  end if;
  perform private.record_article_view(v_article, get_article.from_suggestion);
  return private.article_json(v_article) || jsonb_build_object(
    'my_vote', (select v.helpful from public.article_votes v where v.article_id = v_article.id and v.user_id = (select auth.uid())),
    'history', case when private.is_org_staff(v_article.organization_id) then coalesce((
      select jsonb_agg(jsonb_build_object(
        'id', e.id, 'kind', e.kind, 'actor_id', e.actor_id, 'changes', e.changes, 'created_at', e.created_at
      ) order by e.created_at, e.id)
      from public.article_events e where e.article_id = v_article.id
    ), '[]'::jsonb) end
  );
end;
$$;

-- The organization's articles the caller may read, most recently updated first, one page at a
-- time. Customers see only published public ones (RLS). The cursor is base64url JSON of the
-- last row's updated_at and id.
create function public.list_articles(
  org_id uuid, status text[] default null, "limit" integer default 25, cursor text default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_cursor jsonb;
  v_after timestamptz;
  v_after_id uuid;
  v_rows public.articles[];
  v_last public.articles;
  v_next text;
begin
  perform private.require_knowledge_base_reader(list_articles.org_id);
  if list_articles."limit" is null or list_articles."limit" not between 1 and 100 then
    raise exception 'The limit must be 1 to 100.' using errcode = 'PT422', hint = 'limit';
  end if;
  if exists (select 1 from unnest(list_articles.status) s where s is null or s not in ('draft', 'published', 'archived')) then
    raise exception 'Each status must be draft, published or archived.' using errcode = 'PT422', hint = 'status';
  end if;
  if list_articles.cursor is not null then
    begin
      v_cursor := convert_from(decode(
        rpad(translate(list_articles.cursor, '-_', '+/'), (char_length(list_articles.cursor) + 3) / 4 * 4, '='),
        'base64'), 'UTF8')::jsonb;
      v_after := (v_cursor ->> 'u')::timestamptz;
      v_after_id := (v_cursor ->> 'i')::uuid;
    exception when others then
      v_after_id := null;
    end;
    if v_after is null or v_after_id is null then
      raise exception 'The cursor is not one this listing returned.' using errcode = 'PT422', hint = 'cursor';
    end if;
  end if;

  select coalesce(array_agg(x order by x.updated_at desc, x.id desc), '{}') into v_rows
  from (
    select a.*
    from public.articles a
    where a.organization_id = list_articles.org_id
      and (list_articles.status is null or a.status = any (list_articles.status))
      and (v_after_id is null or (a.updated_at, a.id) < (v_after, v_after_id))
    order by a.updated_at desc, a.id desc
    limit list_articles."limit" + 1
  ) x;
  if cardinality(v_rows) > list_articles."limit" then
    v_rows := v_rows[1:list_articles."limit"];
    v_last := v_rows[list_articles."limit"];
    v_next := rtrim(translate(encode(convert_to(
      jsonb_build_object('u', v_last.updated_at, 'i', v_last.id)::text, 'UTF8'), 'base64'), E'+/\n', '-_'), '=');
  end if;
  return jsonb_build_object(
    'items', coalesce((
      select jsonb_agg(private.article_json(v_rows[i]) - 'body' order by i) from generate_subscripts(v_rows, 1) i
    ), '[]'::jsonb),
    'next_cursor', v_next
  );
end;
$$;

-- What someone typed, as the queries search needs, in the organization's configuration:
-- all_words (websearch_to_tsquery of the whole text: quotes, "or" and "-" work, nothing typed is
-- an error), any_word (an OR of the first 16 distinct words of the text without the excluded
-- ones, as lexemes), excluded (the words after a "-", or null) and positive (the text without
-- them, for trigram matching). A word is excluded as websearch_to_tsquery excludes it: a "-"
-- at the start or after anything but a letter or digit, then a word or a quoted phrase (an
-- unclosed quote runs to the end).
create function private.kb_queries(
  p_config regconfig,
  p_text text,
  out all_words tsquery,
  out any_word tsquery,
  out excluded tsquery,
  out positive text
)
language plpgsql
immutable
set search_path = ''
as $$
declare
  v_exclusion constant text := '(^|[^[:alnum:]])-("[^"]*("|$)|[^[:space:]"()]+)';
  v_excluded text;
begin
  all_words := websearch_to_tsquery(p_config, p_text);
  select string_agg(m[2], ' or ') into v_excluded from regexp_matches(p_text, v_exclusion, 'g') m;
  positive := regexp_replace(p_text, v_exclusion, '\1 ', 'g');
  select nullif(string_agg(quote_literal(w.lexeme), ' | '), '')::tsquery into any_word
  from (
    select x.lexeme
    from unnest(to_tsvector(p_config, positive)) x
    order by x.positions[1]
    limit 16
  ) w;
  if v_excluded is not null then
    excluded := nullif(websearch_to_tsquery(p_config, v_excluded)::text, '')::tsquery;
  end if;
end;
$$;

comment on function private.kb_queries(regconfig, text) is
  'The tsqueries of a search text: all words, any word, the excluded words, and the text without them.';

-- The ranked search behind searchArticles and suggestArticles: the published articles of the
-- organization the caller may read (public ones; internal ones too for its staff), for a text:
-- 1. full-text, in the organization's configuration (accents folded, words stemmed): articles
--    with every word first, then those with any; within each, ts_rank_cd with the title
--    weighted above category and tags, and those above the body (normalized by length, and to
--    0..1, so "every word" always ranks first);
-- 2. when full-text finds nothing (typos, words it does not know): trigram word similarity of
--    the text to the folded title, category and tags.
-- Excluded words ("-word") exclude in both. Returns rows p_offset + 1 .. p_offset + p_limit.
-- Security definer, so the organization's GIN indexes serve the search (@@ and <% are not
-- leakproof: under RLS Postgres would read every article of the organization); it applies the
-- select policy's rule itself, after require_knowledge_base_reader, and the callers read the
-- rows they return through RLS again.
create function private.kb_ranked(p_org_id uuid, p_text text, p_limit integer, p_offset integer)
returns table (id uuid, rank real, method text)
language plpgsql
stable
security definer
rows 10
set search_path = ''
as $$
declare
  v_config regconfig := private.kb_config(p_org_id);
  v_query record;
  v_staff boolean := private.is_org_staff(p_org_id);
  v_all_count integer;
  v_folded text;
begin
  perform private.require_knowledge_base_reader(p_org_id);
  select * into v_query from private.kb_queries(v_config, p_text);
  if v_query.any_word is null then
    v_folded := private.kb_fold(v_query.positive);
  else
    -- Articles with every word rank first: when they fill the page, those are the page.
    -- Ranking reads each candidate, so at most 500 of each kind are ranked (the index finds
    -- them): a long text of common words in a large organization stays fast.
    return query
      with candidates as (
        select a.id, a.search_vector, a.search_vector @@ v_query.all_words as every_word
        from public.articles a
        where a.organization_id = p_org_id and a.search_vector @@ v_query.all_words
          and a.status = 'published' and (a.visibility = 'public' or v_staff)
          and (v_query.excluded is null or not a.search_vector @@ v_query.excluded)
        limit 500
      )
      select c.id, (1 + ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_vector, v_query.any_word, 1 | 32))::real, 'full_text'
      from candidates c
      order by 2 desc, c.id
      limit p_limit offset p_offset;
    get diagnostics v_all_count = row_count;
    if v_all_count >= p_limit then
      return;
    end if;
    return query
      with every_word as (
        select count(*) as n from (
          select 1 from public.articles a
          where a.organization_id = p_org_id and a.search_vector @@ v_query.all_words
            and a.status = 'published' and (a.visibility = 'public' or v_staff)
            and (v_query.excluded is null or not a.search_vector @@ v_query.excluded)
          limit 500
        ) x
      ),
      candidates as (
        select a.id, a.search_vector
        from public.articles a
        where a.organization_id = p_org_id and a.search_vector @@ v_query.any_word
          and not a.search_vector @@ v_query.all_words
          and a.status = 'published' and (a.visibility = 'public' or v_staff)
          and (v_query.excluded is null or not a.search_vector @@ v_query.excluded)
        limit 500
      )
      select c.id, ts_rank('{0.1, 0.2, 0.4, 1.0}', c.search_vector, v_query.any_word, 1 | 32)::real, 'full_text'
      from candidates c
      order by 2 desc, c.id
      limit p_limit - v_all_count
      offset greatest(p_offset - (select n from every_word), 0);
    if found or v_all_count > 0 or p_offset > 0 then
      return;
    end if;
    v_folded := private.kb_fold(v_query.positive);
  end if;
  if v_folded ~ '\w{3}' then
    return query
      select a.id, extensions.word_similarity(v_folded, a.search_title), 'similar'
      from public.articles a
      where a.organization_id = p_org_id and v_folded operator(extensions.<%) a.search_title
        and a.status = 'published' and (a.visibility = 'public' or v_staff)
        and (v_query.excluded is null or not a.search_vector @@ v_query.excluded)
      order by 2 desc, a.id
      limit p_limit offset p_offset;
  end if;
end;
$$;

comment on function private.kb_ranked(uuid, text, integer, integer) is
  'Ranked published articles the caller may read for a text: full-text (every word first, then any), else trigram similarity.';

-- HTML-escaped Markdown around the matched words (p_words, in p_config), which are wrapped in
-- <mark>...</mark>; the start of the body when no word is known.
create function private.kb_snippet(p_body text, p_config regconfig, p_words tsquery)
returns text
language plpgsql
stable
set search_path = ''
as $$
declare
  v_escaped text := replace(replace(replace(p_body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;');
begin
  if p_words is null then
    return left(v_escaped, 200);
  end if;
  return ts_headline(p_config, v_escaped, p_words,
    'MaxFragments=1, MaxWords=30, MinWords=12, ShortWord=2, StartSel=<mark>, StopSel=</mark>, FragmentDelimiter=" … "');
end;
$$;

-- Search an organization's published articles (searchArticles). q: what the person typed, 1 to
-- 200 characters; limit 1 to 50. The cursor is base64url JSON of the next offset.
create function public.search_articles(org_id uuid, q text, "limit" integer default 10, cursor text default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_offset integer := 0;
  v_items jsonb;
  v_count integer;
  v_method text;
  v_config regconfig := private.kb_config(search_articles.org_id);
  v_words tsquery;
begin
  perform private.require_knowledge_base_reader(search_articles.org_id);
  if char_length(btrim(coalesce(search_articles.q, ''))) not between 1 and 200 then
    raise exception 'The search text must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'q';
  end if;
  if search_articles."limit" is null or search_articles."limit" not between 1 and 50 then
    raise exception 'The limit must be 1 to 50.' using errcode = 'PT422', hint = 'limit';
  end if;
  if search_articles.cursor is not null then
    begin
      v_offset := (convert_from(decode(
        rpad(translate(search_articles.cursor, '-_', '+/'), (char_length(search_articles.cursor) + 3) / 4 * 4, '='),
        'base64'), 'UTF8')::jsonb ->> 'o')::integer;
    exception when others then
      v_offset := null;
    end;
    if v_offset is null or v_offset not between 1 and 1000 then
      raise exception 'The cursor is not one this search returned.' using errcode = 'PT422', hint = 'cursor';
    end if;
  end if;

  select q.any_word into v_words from private.kb_queries(v_config, search_articles.q) q;
  select
    coalesce(jsonb_agg(
      (private.article_json(a) - 'body') || jsonb_build_object(
        'rank', r.rank, 'snippet', private.kb_snippet(a.body, v_config, v_words)
      ) order by r.rank desc, r.id
    ) filter (where n <= search_articles."limit"), '[]'::jsonb),
    count(*),
    min(r.method)
  into v_items, v_count, v_method
  from (
    select k.*, row_number() over (order by k.rank desc, k.id) as n
    from private.kb_ranked(search_articles.org_id, search_articles.q, search_articles."limit" + 1, v_offset) k
  ) r
  join public.articles a on a.id = r.id;

  return jsonb_build_object(
    'items', v_items,
    'method', v_method,
    'next_cursor', case when v_count > search_articles."limit" and v_offset + search_articles."limit" <= 1000 then
      rtrim(translate(encode(convert_to(
        jsonb_build_object('o', v_offset + search_articles."limit")::text, 'UTF8'), 'base64'), E'+/\n', '-_'), '=')
    end
  );
end;
$$;

-- Records that articles were suggested to the caller today (one row per article, person, day);
-- not for the organization's own staff.
create function private.record_suggestions(p_org_id uuid, p_article_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.is_org_staff(p_org_id) then
    return;
  end if;
  insert into public.article_suggestions as s (article_id, user_id, organization_id)
  select x, (select auth.uid()), p_org_id from unnest(p_article_ids) x
  on conflict (article_id, user_id, shown_on) do update set shown = s.shown + 1;
end;
$$;

-- Up to 5 published articles the caller may read, best first, for what they are writing
-- (suggestArticles): subject and description together, from 3 characters.
create function public.suggest_articles(org_id uuid, subject text, description text default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  -- The subject and the start of the description are what the person is asking about.
  v_text text := left(btrim(coalesce(suggest_articles.subject, '') || ' ' || coalesce(suggest_articles.description, '')), 500);
  v_items jsonb;
  v_ids uuid[];
begin
  perform private.require_knowledge_base_reader(suggest_articles.org_id);
  if char_length(coalesce(suggest_articles.subject, '')) > 200 then
    raise exception 'The subject must be at most 200 characters long.' using errcode = 'PT422', hint = 'subject';
  end if;
  if char_length(coalesce(suggest_articles.description, '')) > 10000 then
    raise exception 'The description must be at most 10000 characters long.' using errcode = 'PT422', hint = 'description';
  end if;
  if char_length(v_text) < 3 then
    return jsonb_build_object('items', '[]'::jsonb);
  end if;
  select
    coalesce(jsonb_agg(jsonb_build_object(
      'id', a.id, 'title', a.title, 'category', a.category, 'rank', r.rank
    ) order by r.rank desc, r.id), '[]'::jsonb),
    array_agg(a.id)
  into v_items, v_ids
  from private.kb_ranked(suggest_articles.org_id, v_text, 5, 0) r
  join public.articles a on a.id = r.id;
  if v_ids is not null then
    perform private.record_suggestions(suggest_articles.org_id, v_ids);
  end if;
  return jsonb_build_object('items', v_items);
end;
$$;

-- Whether an article helped the caller (their last answer counts); the caller must be able to read it.
create function private.record_article_vote(p_article public.articles, p_helpful boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.article_votes as v (article_id, user_id, organization_id, helpful)
  values (p_article.id, (select auth.uid()), p_article.organization_id, p_helpful)
  on conflict (article_id, user_id) do update set helpful = excluded.helpful, updated_at = now();
end;
$$;

create function public.mark_article_helpful(article_id uuid, helpful boolean)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  v_article public.articles;
begin
  if mark_article_helpful.helpful is null then
    raise exception 'Say whether the article helped (true or false).' using errcode = 'PT422', hint = 'helpful';
  end if;
  select * into v_article from public.articles a where a.id = mark_article_helpful.article_id and a.status = 'published';
  if v_article.id is null then
    raise exception 'The article was not found.' using errcode = 'PT404', hint = 'article_id';
  end if;
  perform private.record_article_vote(v_article, mark_article_helpful.helpful);
  return jsonb_build_object('article_id', v_article.id, 'helpful', mark_article_helpful.helpful);
end;
$$;

-- Staff attach an article of the ticket's organization to the ticket; getTicket lists it (to
-- the requester only while it is published and public).
create function public.link_article(ticket_id uuid, article_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ticket public.tickets;
  v_article public.articles;
begin
  select * into v_ticket from public.tickets t where t.id = link_article.ticket_id;
  if v_ticket.id is null or not private.is_org_staff(v_ticket.handling_org_id) then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;
  select * into v_article from public.articles a
  where a.id = link_article.article_id and a.organization_id = v_ticket.handling_org_id;
  if v_article.id is null then
    raise exception 'The article is not one of this organization''s.' using errcode = 'PT422', hint = 'article_id';
  end if;
  insert into public.ticket_articles (ticket_id, article_id, organization_id, kind, created_by)
  values (v_ticket.id, v_article.id, v_ticket.handling_org_id, 'linked', (select auth.uid()))
  on conflict do nothing;
  return jsonb_build_object('ticket_id', v_ticket.id, 'article_id', v_article.id, 'linked', true);
end;
$$;

comment on function public.link_article(uuid, uuid) is
  'Staff link an article of the ticket''s organization to it (security definer: the link table has no write policies; the checks are here).';

-- The articles suggested to a requester who submitted the ticket anyway (createTicket's
-- suggested_article_ids): only articles of the organization that the requester may read.
create function private.record_suggested_articles(p_ticket public.tickets, p_article_ids uuid[])
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.ticket_articles (ticket_id, article_id, organization_id, kind, created_by)
  select p_ticket.id, a.id, a.organization_id, 'suggested', p_ticket.user_id
  from public.articles a
  where a.id = any (p_article_ids)
    and a.organization_id = p_ticket.handling_org_id
    and a.status = 'published'
    and (a.visibility = 'public' or private.is_org_staff(a.organization_id))
  on conflict do nothing;
end;
$$;

-- Per article and for the organization, over [from, to): views, views opened from suggestions,
-- helpful and unhelpful votes, times suggested (by day), tickets submitted after the article was
-- suggested, and deflections (someone opened it from suggestions and submitted no ticket to
-- the organization in the next 24 hours; counted once those 24 hours have passed);
-- self_service = article views per ticket submitted. The organization's own staff are not
-- readers: their views, suggestions and votes do not count.
create function private.is_member_of(p_org_id uuid, p_user_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select 1 from public.organization_members m where m.organization_id = p_org_id and m.user_id = p_user_id
  );
end;
$$;

create function public.kb_stats(org_id uuid, "from" timestamptz, "to" timestamptz)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_views bigint;
  v_tickets bigint;
begin
  if not private.is_org_staff(kb_stats.org_id) then
    raise exception 'The organization was not found.' using errcode = 'PT404', hint = 'org_id';
  end if;
  if kb_stats."from" is null or kb_stats."to" is null or kb_stats."to" <= kb_stats."from"
    or kb_stats."to" - kb_stats."from" > interval '366 days' then
    raise exception 'Give a period (from before to) of at most 366 days.' using errcode = 'PT422', hint = 'to';
  end if;
  select count(*) into v_views from public.article_views v
  where v.organization_id = kb_stats.org_id and v.created_at >= kb_stats."from" and v.created_at < kb_stats."to";
  select count(*) into v_tickets from public.tickets t
  where t.handling_org_id = kb_stats.org_id and t.created_at >= kb_stats."from" and t.created_at < kb_stats."to";
  return jsonb_build_object(
    'org_id', kb_stats.org_id,
    'from', kb_stats."from",
    'to', kb_stats."to",
    'article_views', v_views,
    'tickets_submitted', v_tickets,
    'self_service', case when v_tickets > 0 then round(v_views::numeric / v_tickets, 2) end,
    'articles', coalesce((
      select jsonb_agg(x order by (x ->> 'views')::bigint desc, x ->> 'article_id')
      from (
        select jsonb_build_object(
          'article_id', a.id,
          'title', a.title,
          'views', (select count(*) from public.article_views v
            where v.article_id = a.id and v.created_at >= kb_stats."from" and v.created_at < kb_stats."to"),
          'opened_from_suggestions', (select count(*) from public.article_views v
            where v.article_id = a.id and v.from_suggestion and v.created_at >= kb_stats."from" and v.created_at < kb_stats."to"),
          'helpful', (select count(*) from public.article_votes v
            where v.article_id = a.id and v.helpful and v.updated_at >= kb_stats."from" and v.updated_at < kb_stats."to"
              and not private.is_member_of(v.organization_id, v.user_id)),
          'not_helpful', (select count(*) from public.article_votes v
            where v.article_id = a.id and not v.helpful and v.updated_at >= kb_stats."from" and v.updated_at < kb_stats."to"
              and not private.is_member_of(v.organization_id, v.user_id)),
          'suggested', (select coalesce(sum(s.shown), 0) from public.article_suggestions s
            where s.article_id = a.id and s.shown_on >= kb_stats."from"::date
              and s.shown_on <= (kb_stats."to" - interval '1 microsecond')::date),
          'submitted_after_suggestion', (select count(*) from public.ticket_articles ta join public.tickets t on t.id = ta.ticket_id
            where ta.article_id = a.id and ta.kind = 'suggested' and t.created_at >= kb_stats."from" and t.created_at < kb_stats."to"),
          'deflections', (select count(distinct v.user_id) from public.article_views v
            where v.article_id = a.id and v.from_suggestion and v.created_at >= kb_stats."from" and v.created_at < kb_stats."to"
              and v.created_at <= now() - interval '24 hours'
              and not exists (
                select 1 from public.tickets t
                where t.user_id = v.user_id and t.handling_org_id = a.organization_id
                  and t.created_at >= v.created_at and t.created_at < v.created_at + interval '24 hours'
              ))
        ) as x
        from public.articles a
        where a.organization_id = kb_stats.org_id
          and exists (
            select 1 from public.article_views v
            where v.article_id = a.id and v.created_at >= kb_stats."from" and v.created_at < kb_stats."to"
            union all
            select 1 from public.article_suggestions s
            where s.article_id = a.id and s.shown_on >= kb_stats."from"::date
              and s.shown_on <= (kb_stats."to" - interval '1 microsecond')::date
          )
      ) per_article
    ), '[]'::jsonb)
  );
end;
$$;

-- An organization's knowledge base settings (admins): the language articles are stemmed in
-- (changing it re-indexes them), and who publishes.
create function public.set_knowledge_base_settings(org_id uuid, language text, publishers text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_settings public.knowledge_base_settings;
begin
  perform private.require_admin(set_knowledge_base_settings.org_id);
  if set_knowledge_base_settings.language is null or set_knowledge_base_settings.language
    not in ('simple', 'english', 'french', 'german', 'spanish', 'italian', 'portuguese', 'dutch') then
    raise exception 'The language must be simple, english, french, german, spanish, italian, portuguese or dutch.'
      using errcode = 'PT422', hint = 'language';
  end if;
  if set_knowledge_base_settings.publishers is null or set_knowledge_base_settings.publishers not in ('admins', 'staff') then
    raise exception 'Publishers must be admins or staff.' using errcode = 'PT422', hint = 'publishers';
  end if;
  insert into public.knowledge_base_settings as s (organization_id, language, publishers)
  values (set_knowledge_base_settings.org_id, set_knowledge_base_settings.language, set_knowledge_base_settings.publishers)
  on conflict (organization_id) do update
    set language = excluded.language, publishers = excluded.publishers, updated_at = now()
  returning * into v_settings;
  return jsonb_build_object(
    'org_id', v_settings.organization_id, 'language', v_settings.language, 'publishers', v_settings.publishers
  );
end;
$$;

comment on function public.set_knowledge_base_settings(uuid, text, text) is
  'Admins set the knowledge base''s language and publishers (security definer: the settings table has no write policies; require_admin checks).';

-- private.ticket_detail (getTicket): as in 20261130150120_attach_files_to_tickets_and_comments.sql,
-- with the linked articles.
create or replace function private.ticket_detail(p_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  v_ticket public.tickets;
begin
  select * into v_ticket from public.tickets t where t.id = p_id;
  if not found then
    raise exception 'The ticket was not found.' using errcode = 'PT404', hint = 'ticket_id';
  end if;

  return private.ticket_json(v_ticket) || jsonb_build_object(
    'organization', (
      select jsonb_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
      from public.organizations o
      where o.id = v_ticket.handling_org_id
    ),
    'requester', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.user_id
    ),
    'assignee', (
      select jsonb_build_object('id', p.id, 'display_name', p.display_name, 'avatar_url', p.avatar_url)
      from public.profiles p
      where p.id = v_ticket.assigned_employee_id
    ),
    'team', (
      select jsonb_build_object('id', tm.id, 'name', tm.name)
      from public.teams tm
      where tm.id = v_ticket.assigned_team_id
    ),
    -- Files on the ticket itself; each comment lists its own. The select policy of
    -- ticket_attachments applies, as that of ticket_comments does.
    'attachments', coalesce((
      select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
      from public.ticket_attachments a
      where a.ticket_id = v_ticket.id and a.comment_id is null and a.status = 'attached'
    ), '[]'::jsonb),
    'comments', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', c.id,
          'ticket_id', c.ticket_id,
          'author_id', c.author_id,
          'body', c.body,
          'is_internal', c.is_internal,
          'created_at', c.created_at,
          'attachments', coalesce((
            select jsonb_agg(private.attachment_summary_json(a) order by a.created_at, a.id)
            from public.ticket_attachments a
            where a.comment_id = c.id and a.status = 'attached'
          ), '[]'::jsonb)
        )
        order by c.created_at, c.id
      )
      from public.ticket_comments c
      where c.ticket_id = v_ticket.id
    ), '[]'::jsonb),
    -- Articles staff linked to the ticket; the requester sees those they may read (RLS).
    'articles', coalesce((
      select jsonb_agg(jsonb_build_object(
        'id', a.id, 'title', a.title, 'status', a.status, 'visibility', a.visibility,
        'linked_at', ta.created_at
      ) order by ta.created_at, a.id)
      from public.ticket_articles ta
      join public.articles a on a.id = ta.article_id
      where ta.ticket_id = v_ticket.id and ta.kind = 'linked'
    ), '[]'::jsonb),
    'events', coalesce((
      select jsonb_agg(
        jsonb_build_object(
          'id', e.id,
          'kind', e.kind,
          'actor_id', e.actor_id,
          'old_value', e.old_value,
          'new_value', e.new_value,
          'is_internal', e.is_internal,
          'created_at', e.created_at
        )
        order by e.created_at, e.id
      )
      from public.ticket_events e
      where e.ticket_id = v_ticket.id
    ), '[]'::jsonb)
  );
end;
$$;

-- create_ticket: as in 20261130160400_hash_direct_create_ticket_requests.sql, taking the ids of
-- the articles that were suggested to the requester before they submitted (kbStats counts them).
drop function public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[]);

create function public.create_ticket(
  handling_org_id uuid,
  subject text,
  description text,
  priority text default 'medium',
  idempotency_key text default null,
  request_hash text default null,
  ticket_id uuid default null,
  attachment_ids uuid[] default null,
  suggested_article_ids uuid[] default null
)
returns jsonb
language plpgsql
security invoker
set search_path = ''
as $$
declare
  v_user_id uuid := (select auth.uid());
  v_subject text := btrim(coalesce(create_ticket.subject, ''));
  v_description text := coalesce(create_ticket.description, '');
  v_stored private.idempotency_keys;
  v_ticket public.tickets;
  v_response jsonb;
  v_request_hash text;
begin
  if v_user_id is null then
    raise exception 'Sign in to create a ticket.' using errcode = '42501';
  end if;
  if create_ticket.handling_org_id is null then
    raise exception 'Choose the organization that should handle the ticket.'
      using errcode = 'PT422', hint = 'handling_org_id';
  end if;
  if char_length(v_subject) not between 1 and 200 then
    raise exception 'The subject must be 1 to 200 characters long.' using errcode = 'PT422', hint = 'subject';
  end if;
  if char_length(v_description) > 10000 then
    raise exception 'The description must be at most 10000 characters long.'
      using errcode = 'PT422', hint = 'description';
  end if;
  if create_ticket.priority is null or create_ticket.priority not in ('low', 'medium', 'high', 'urgent') then
    raise exception 'The priority must be one of low, medium, high or urgent.'
      using errcode = 'PT422', hint = 'priority';
  end if;
  if create_ticket.idempotency_key is not null and char_length(create_ticket.idempotency_key) not between 1 and 255 then
    raise exception 'The idempotency key must be 1 to 255 characters long.'
      using errcode = 'PT422', hint = 'idempotency_key';
  end if;
  if cardinality(create_ticket.suggested_article_ids) > 20 then
    raise exception 'At most 20 suggested articles.' using errcode = 'PT422', hint = 'suggested_article_ids';
  end if;
  if coalesce(cardinality(create_ticket.attachment_ids), 0) > 0 and create_ticket.ticket_id is null then
    raise exception 'Send the ticket_id you uploaded the attachments for.' using errcode = 'PT422', hint = 'ticket_id';
  end if;

  if create_ticket.idempotency_key is not null then
    -- A direct caller sends no hash: the request's own parameters make it.
    v_request_hash := coalesce(create_ticket.request_hash, 'sql:' || encode(sha256(convert_to(jsonb_build_object(
      'handling_org_id', create_ticket.handling_org_id,
      'subject', create_ticket.subject,
      'description', create_ticket.description,
      'priority', create_ticket.priority,
      'ticket_id', create_ticket.ticket_id,
      'attachment_ids', to_jsonb(create_ticket.attachment_ids),
      'suggested_article_ids', to_jsonb(create_ticket.suggested_article_ids)
    )::text, 'UTF8')), 'hex'));

    -- The first caller claims the key; a concurrent caller waits here on the primary key until
    -- the first commits (then replays) or rolls back (then claims it itself).
    insert into private.idempotency_keys (user_id, key, request_hash)
    values (v_user_id, create_ticket.idempotency_key, v_request_hash)
    on conflict (user_id, key) do nothing;

    if not found then
      select * into v_stored
      from private.idempotency_keys k
      where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;

      if v_stored.request_hash is distinct from v_request_hash then
        raise exception 'Idempotency key was already used with a different request'
          using errcode = 'PT422', hint = 'idempotency_key';
      end if;
      return v_stored.response || jsonb_build_object('replayed', true);
    end if;
  end if;

  if create_ticket.ticket_id is not null and private.ticket_id_taken(create_ticket.ticket_id) then
    raise exception 'A ticket with this id exists already; reserve another id.'
      using errcode = 'PT409', hint = 'ticket_id';
  end if;

  perform private.require_can_submit(create_ticket.handling_org_id);

  insert into public.tickets (id, handling_org_id, user_id, subject, description, priority)
  values (
    coalesce(create_ticket.ticket_id, gen_random_uuid()), create_ticket.handling_org_id, v_user_id,
    v_subject, v_description, create_ticket.priority
  )
  returning * into v_ticket;

  perform private.attach_files(create_ticket.attachment_ids, v_ticket.id, null, false);
  perform private.record_suggested_articles(v_ticket, create_ticket.suggested_article_ids);

  v_response := jsonb_build_object('ticket', private.ticket_json(v_ticket), 'replayed', false);

  if create_ticket.idempotency_key is not null then
    update private.idempotency_keys k
    set response = v_response
    where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;
  end if;

  return v_response;
end;
$$;

comment on function public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[], uuid[]) is
  'Submit a ticket as the current user, optionally with the id reserved for it, the files uploaded for it and the articles suggested before; with an idempotency key, a repeated request replays the first response.';

revoke execute on function
  private.require_article_fields(text, text, text, text, text[]),
  private.require_article_staff(uuid),
  private.require_knowledge_base_reader(uuid),
  private.set_article_status(uuid, integer, text),
  private.record_article_view(public.articles, boolean),
  private.kb_ranked(uuid, text, integer, integer),
  private.kb_snippet(text, regconfig, tsquery),
  private.is_member_of(uuid, uuid),
  private.record_suggestions(uuid, uuid[]),
  private.record_article_vote(public.articles, boolean),
  private.record_suggested_articles(public.tickets, uuid[]),
  public.create_article(uuid, text, text, text, text, text[]),
  public.update_article(uuid, integer, jsonb),
  public.publish_article(uuid, integer),
  public.archive_article(uuid, integer),
  public.get_article(uuid, boolean),
  public.list_articles(uuid, text[], integer, text),
  public.search_articles(uuid, text, integer, text),
  public.suggest_articles(uuid, text, text),
  public.mark_article_helpful(uuid, boolean),
  public.link_article(uuid, uuid),
  public.kb_stats(uuid, timestamptz, timestamptz),
  public.set_knowledge_base_settings(uuid, text, text),
  public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[], uuid[])
from public, anon;
revoke execute on function private.kb_queries(regconfig, text) from public, anon;
grant execute on function private.kb_queries(regconfig, text) to authenticated;
grant execute on function
  private.require_article_fields(text, text, text, text, text[]),
  private.require_article_staff(uuid),
  private.require_knowledge_base_reader(uuid),
  private.set_article_status(uuid, integer, text),
  private.record_article_view(public.articles, boolean),
  private.kb_ranked(uuid, text, integer, integer),
  private.kb_snippet(text, regconfig, tsquery),
  private.is_member_of(uuid, uuid),
  private.record_suggestions(uuid, uuid[]),
  private.record_article_vote(public.articles, boolean),
  private.record_suggested_articles(public.tickets, uuid[]),
  public.create_article(uuid, text, text, text, text, text[]),
  public.update_article(uuid, integer, jsonb),
  public.publish_article(uuid, integer),
  public.archive_article(uuid, integer),
  public.get_article(uuid, boolean),
  public.list_articles(uuid, text[], integer, text),
  public.search_articles(uuid, text, integer, text),
  public.suggest_articles(uuid, text, text),
  public.mark_article_helpful(uuid, boolean),
  public.link_article(uuid, uuid),
  public.kb_stats(uuid, timestamptz, timestamptz),
  public.set_knowledge_base_settings(uuid, text, text),
  public.create_ticket(uuid, text, text, text, text, text, uuid, uuid[], uuid[])
to authenticated, service_role;
