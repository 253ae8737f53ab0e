"""The words and the SQL that generate the knowledge base's articles (run as the superuser,
triggers off, as the rest of the data).

The text is drawn from the word lists below, which the scenarios' queries are drawn from too
(bench/_knowledge_base.py): domain words picked Zipf-like (a few are in most articles, most in
few), between function words, in sentences of a shared pool (so loading 100,000 articles costs a
pick of sentences each, not a draw per word). The load writes what the articles' trigger would
(search columns, author, times, version), but no history, as with tickets.
"""

from __future__ import annotations

# What a help desk's articles are about, most common first (picks favour the head of the list).
DOMAIN_WORDS = (
    "account", "password", "invoice", "billing", "payment", "subscription", "login", "email",
    "export", "report", "dashboard", "settings", "team", "user", "order", "refund", "app",
    "mobile", "notification", "integration", "import", "api", "token", "webhook", "plan",
    "upgrade", "permission", "admin", "workspace", "project", "ticket", "attachment", "file",
    "upload", "download", "browser", "calendar", "sync", "error", "timeout", "backup", "restore",
    "search", "filter", "template", "workflow", "automation", "schedule", "reminder", "timezone",
    "language", "currency", "receipt", "card", "discount", "coupon", "trial", "renewal", "license",
    "seat", "profile", "avatar", "security", "authentication", "verification", "device",
    "printer", "scanner", "shipment", "delivery", "tracking", "warranty", "address", "phone",
    "contact", "chat", "widget", "domain", "certificate", "server", "database", "migration",
    "performance", "outage", "maintenance", "release", "version", "feature", "crash", "install",
    "configure", "connect", "disconnect", "enable", "disable", "reset", "cancel", "delete",
    "archive", "share", "invite", "remove", "merge", "duplicate", "assign", "approve", "reject",
    "submit", "publish", "preview", "print", "signature", "document", "spreadsheet", "statement",
    "balance", "credit", "charge", "chargeback", "dispute", "fraud", "compliance", "privacy",
    "consent", "retention", "audit", "history", "analytics", "metric", "chart", "keyboard",
    "shortcut", "screen", "display", "theme", "layout", "column", "field", "form", "survey",
    "feedback", "rating", "label", "category", "storage", "quota", "limit", "cache", "cookie",
    "session", "redirect", "firewall", "proxy", "network", "bandwidth", "latency", "queue",
    "priority", "escalation", "assignment", "agent", "customer", "vendor", "supplier",
    "inventory", "warehouse", "catalog", "product", "variant", "pricing", "checkout", "cart",
    "wishlist", "voucher", "loyalty", "points", "membership", "onboarding", "tutorial",
    "shipping", "customs", "pallet", "courier", "pickup", "locker", "barcode",
    "terminal", "register", "cashier", "payout", "transfer", "bank", "reconcile", "ledger",
    "journal", "payroll", "expense", "mileage", "timesheet", "overtime", "holiday", "absence",
    "contract", "approval", "escrow", "deposit", "withdrawal", "wallet", "gateway", "sandbox",
    "endpoint", "pagination", "throttling", "encryption", "passkey", "recovery", "lockout",
    "subdomain", "mailbox", "forwarding", "spam", "bounce", "unsubscribe", "newsletter",
    "campaign", "segment", "audience", "appointment", "booking", "reservation", "waitlist",
    "capacity", "location", "branch", "region", "translation", "accessibility", "offline",
)  # fmt: skip
FUNCTION_WORDS = (
    "the", "to", "your", "a", "and", "you", "in", "of", "for", "on", "is", "it", "can", "with",
    "if", "this", "from", "then", "when", "or", "not", "be", "how", "do", "i", "my", "we", "our",
    "after", "before", "select", "open", "click", "check", "make", "sure", "will", "new", "all",
)  # fmt: skip
TITLE_OPENINGS = (
    "How to", "Troubleshooting", "Why does the", "Setting up", "Fix", "Understanding",
    "Guide to", "Cannot", "FAQ:", "Changing the", "What to do when the", "Managing",
)  # fmt: skip
CATEGORIES = (
    "Billing", "Account", "Integrations", "Security", "Getting started", "Troubleshooting",
    "Mobile", "Reports", "Shipping", "API", "Notifications", "Administration",
)  # fmt: skip
# Organizations whose knowledge base is in English (stemmed); the others keep `simple`.
ENGLISH_EVERY = 3
# Bodies mention the first COMMON_WORDS domain words anywhere, the others where they are a topic.
COMMON_WORDS = 60
SENTENCES = 4000


def _array(words: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + word.replace("'", "''") + "'" for word in words)
    return f"array[{quoted}]::text[]"


# Per organization: its share of %(articles)s published articles (the largest takes the rest, as
# with tickets), drafts and archived ones besides (1 in 25 each); public 4 in 5. An article is
# about its topics, the domain words of its title: its body's sentences name them where the pool
# has slots (§1, §2, §3), so a rare word is in few articles, as in a real knowledge base.
LOAD_ARTICLES = f"""
select setseed(0.15);

insert into public.knowledge_base_settings (organization_id, language)
select org_id, 'english' from bench.orgs where rank %% {ENGLISH_EVERY} = 1
on conflict (organization_id) do update set language = excluded.language;

-- The pool of sentences: 6 to 18 words, the first a function word; of the others, 45 in 100
-- function words, 20 common domain words (the first {COMMON_WORDS}, favouring the first), 35 a
-- topic's slot.
create temp table kb_sentences on commit drop as
with drawn as (
  select s, w, random() as r_kind, random() as r_word, random() as r_plural
  from generate_series(1, {SENTENCES}) s
  cross join lateral generate_series(1, 6 + (s * 7919) %% 13) w
),
words as (
  select s, w, r_kind, r_plural,
    case
      when w = 1 or r_kind < 0.45 then ({_array(FUNCTION_WORDS)})[
        1 + floor(r_word * {len(FUNCTION_WORDS)})::int]
      when r_kind < 0.65 then ({_array(DOMAIN_WORDS[:COMMON_WORDS])})[
        1 + floor(power(r_word, 1.5) * {COMMON_WORDS})::int]
      else '§' || (1 + floor(r_word * 3)::int)
    end as word
  from drawn
),
plurals as (
  select s, w, word || case when w > 1 and r_kind >= 0.45 and r_plural < 0.15
    and right(word, 1) not in ('s', 'y') then 's' else '' end as word
  from words
)
select s as k,
  case when s %% 9 = 0 then E'\\n- ' else ' ' end
    || upper(left(string_agg(word, ' ' order by w), 1))
    || substr(string_agg(word, ' ' order by w), 2) || '.' as text,
  count(*)::int as words
from plurals group by s;
alter table kb_sentences add primary key (k);
analyze kb_sentences;

create temp table kb_orgs on commit drop as
select b.rank, b.org_id, b.staff, private.kb_config(b.org_id) as config,
  case when b.rank = 1
    then %(articles)s
      - (sum(floor(%(articles)s * b.weight)) over () - floor(%(articles)s * b.weight))
    else floor(%(articles)s * b.weight) end::int as published
from bench.orgs b;

with drawn as materialized (
  select o.rank, o.org_id, o.config, n,
    case when n <= o.published then 'published'
      when n %% 2 = 0 then 'draft' else 'archived' end as status,
    case when random() < 0.8 then 'public' else 'internal' end as visibility,
    80 + floor(random() * 160)::int as body_words,
    ({_array(TITLE_OPENINGS)})[1 + floor(random() * {len(TITLE_OPENINGS)})::int] as opening,
    random() as r_topics, random() as r_category, random() as r_age, random() as r_touch,
    1 + floor(random() * o.staff)::int as staff_j,
    floor(random() * 4)::int as tag_count
  from kb_orgs o
  cross join lateral generate_series(1, o.published + 2 * (o.published / 25)) n
),
topics as (
  select d.*,
    -- 3 to 8 words in the title: the opening, then topics.
    2 + floor(d.r_topics * (7 - cardinality(string_to_array(d.opening, ' '))))::int as title_topics,
    array(
      select ({_array(DOMAIN_WORDS)})[1 + floor(power(random(), 1.8) * {len(DOMAIN_WORDS)})::int]
      from generate_series(d.n, d.n + 5)
    ) as topic,
    array(
      select ({_array(DOMAIN_WORDS)})[1 + floor(random() * {len(DOMAIN_WORDS)})::int]
      from generate_series(1, d.tag_count)
    ) as tags,
    array(select 1 + floor(random() * {SENTENCES})::int from generate_series(d.n, d.n + 29))
      as sentences
  from drawn d
),
texts as (
  select t.*,
    t.opening || ' ' || array_to_string(t.topic[1:t.title_topics], ' ') as title,
    case when t.r_category < 0.9
      then ({_array(CATEGORIES)})[1 + floor(t.r_category / 0.9 * {len(CATEGORIES)})::int]
      end as category,
    (
      -- Sentences until the body has its number of words.
      select replace(replace(replace(btrim(string_agg(p.text, '' order by p.i)),
        '§1', t.topic[1]), '§2', t.topic[2]), '§3', t.topic[3])
      from (
        select s.text, x.i, sum(s.words) over (order by x.i) - s.words as before
        from unnest(t.sentences) with ordinality x (k, i)
        join kb_sentences s on s.k = x.k
      ) p
      where p.before < t.body_words
    ) as body,
    now() - t.r_age * interval '730 days' as created_at
  from topics t
)
insert into public.articles (id, organization_id, title, body, category, tags, status,
  visibility, author_id, created_at, updated_at, published_at, version, search_vector,
  search_title)
select gen_random_uuid(), t.org_id, t.title, t.body, t.category, t.tags, t.status, t.visibility,
  st.user_id, t.created_at, t.created_at + (now() - t.created_at) * t.r_touch,
  case when t.status <> 'draft' then t.created_at + (now() - t.created_at) * t.r_touch / 2 end,
  case t.status when 'draft' then 1 when 'published' then 2 else 3 end,
  -- What the articles_before_write trigger computes (private.article_search_vector and
  -- private.kb_fold); Dataset.load_articles has the trigger recompute a sample to prove it.
  setweight(to_tsvector(t.config, t.title), 'A')
    || setweight(to_tsvector(t.config,
      coalesce(t.category, '') || ' ' || array_to_string(t.tags, ' ')), 'B')
    || setweight(to_tsvector(t.config, t.body), 'D'),
  private.kb_fold(t.title || ' ' || coalesce(t.category, '') || ' '
    || array_to_string(t.tags, ' '))
from texts t
join bench.staff st on st.rank = t.rank and st.j = t.staff_j;
"""

# Recomputes the search columns of a sample with the trigger (triggers on, rolled back by the
# caller) and counts the articles whose stored columns differ from what it computes.
CHECK_SEARCH_COLUMNS = """
with sample as (
  select id, search_vector, search_title from public.articles tablesample system (1)
  limit 200
),
recomputed as (
  update public.articles a set search_vector = ''::tsvector
  from sample s where a.id = s.id
  returning a.id, a.search_vector, a.search_title
)
select count(*),
  count(*) filter (
    where (r.search_vector, r.search_title) is distinct from (s.search_vector, s.search_title))
from recomputed r join sample s using (id)
"""

CHECK_ARTICLES = """
select 'articles without author profile', count(*) from public.articles a
  where not exists (select 1 from public.profiles p where p.id = a.author_id)
union all
select 'articles by someone outside the organization', count(*) from public.articles a
  where not exists (
    select 1 from public.organization_members m
    where m.organization_id = a.organization_id and m.user_id = a.author_id)
"""

# The bench calls search_articles and suggest_articles as service_role to measure RLS; these
# helpers of theirs are granted to authenticated only (see SERVICE_ROLE_GRANTS for the reads).
KNOWLEDGE_BASE_SERVICE_ROLE_GRANTS = """
grant execute on function
  private.kb_config(uuid),
  private.kb_queries(regconfig, text),
  private.is_public_org(uuid),
  private.my_other_submittable_org_ids(),
  private.my_confirmed_email(),
  private.can_submit_to(uuid)
  to service_role;
"""
