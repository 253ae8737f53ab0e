"""The SQL that generates the benchmark's data (run as the superuser, triggers off).

Parameters are bound client-side (`%(name)s`), so each text may hold several statements.
"""

PREPARE = """
select setseed(0.42);
create schema bench;
comment on schema bench is 'What the benchmark generated; not exposed by PostgREST.';

-- Zipf-like weights; staff and teams grow with the organization's share.
create table bench.orgs as
select k as rank,
  gen_random_uuid() as org_id,
  (1.0 / power(k, %(s)s)) / sum(1.0 / power(k, %(s)s)) over () as weight,
  (2 + floor(30 * power(k, -%(s)s)))::int as staff,
  (1 + floor(4 * power(k, -%(s)s)))::int as teams
from generate_series(1, %(organizations)s) k;
alter table bench.orgs add primary key (rank);

insert into public.organizations (id, name, slug)
select org_id, 'Bench organization ' || rank, 'bench-org-' || rank from bench.orgs;

create table bench.staff as
select o.rank, j, gen_random_uuid() as user_id, null::uuid as team_id,
  ((j - 1) %% o.teams) + 1 as team_t
from bench.orgs o cross join lateral generate_series(1, o.staff) j;
alter table bench.staff add primary key (rank, j);

create table bench.teams as
select o.rank, t, gen_random_uuid() as team_id
from bench.orgs o cross join lateral generate_series(1, o.teams) t;
alter table bench.teams add primary key (rank, t);
update bench.staff s set team_id = t.team_id
from bench.teams t
where t.rank = s.rank and t.t = s.team_t;

create table bench.customers as
select i, gen_random_uuid() as user_id from generate_series(1, %(customers)s) i;
alter table bench.customers add primary key (i);

insert into auth.users (
  id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data
)
select s.user_id, 'authenticated', 'authenticated',
  'staff-' || s.rank || '-' || s.j || '@bench.test', now(),
  '{"provider":"email","providers":["email"]}'::jsonb,
  jsonb_build_object('display_name', 'Staff ' || s.rank || '-' || s.j)
from bench.staff s
union all
select c.user_id, 'authenticated', 'authenticated', 'customer-' || c.i || '@bench.test', now(),
  '{"provider":"email","providers":["email"]}'::jsonb, '{}'::jsonb
from bench.customers c;

-- What the on_auth_user_created trigger would have written.
insert into public.profiles (id, display_name)
select u.id, coalesce(u.raw_user_meta_data ->> 'display_name', split_part(u.email, '@', 1))
from auth.users u
where u.email like '%%@bench.test';

insert into public.organization_members (organization_id, user_id, role)
select o.org_id, s.user_id, case when s.j = 1 then 'admin' else 'employee' end
from bench.staff s join bench.orgs o using (rank);

insert into public.teams (id, organization_id, name)
select t.team_id, o.org_id, 'Team ' || t.t from bench.teams t join bench.orgs o using (rank);

insert into public.team_members (team_id, user_id, organization_id)
select s.team_id, s.user_id, o.org_id from bench.staff s join bench.orgs o using (rank);

-- What the create_assignment_settings trigger would have written: manual, the default capacity.
insert into public.team_assignment_settings (team_id, organization_id)
select t.team_id, o.org_id from bench.teams t join bench.orgs o using (rank);

analyze auth.users, public.profiles, public.organizations, public.organization_members,
  public.teams, public.team_members, public.team_assignment_settings, bench.orgs, bench.staff,
  bench.teams, bench.customers;
"""

# Fills the first team of each organization of rank %(ranks)s up to %(team_size)s members with new
# employees (staff numbered after the organization's own, so growing tickets never picks them).
ADD_AGENTS = """
insert into bench.staff (rank, j, user_id, team_id, team_t)
select o.rank, o.staff + a, gen_random_uuid(), t.team_id, t.t
from bench.orgs o
join bench.teams t on t.rank = o.rank and t.t = 1
cross join lateral generate_series(
  1, %(team_size)s - (select count(*) from bench.staff s where s.team_id = t.team_id)::int
) a
where o.rank = any(%(ranks)s);

create temp table added on commit drop as
select s.*, o.org_id
from bench.staff s join bench.orgs o using (rank)
where s.rank = any(%(ranks)s) and s.j > o.staff
  and not exists (select 1 from auth.users u where u.id = s.user_id);

insert into auth.users (
  id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data
)
select a.user_id, 'authenticated', 'authenticated',
  'staff-' || a.rank || '-' || a.j || '@bench.test', now(),
  '{"provider":"email","providers":["email"]}'::jsonb,
  jsonb_build_object('display_name', 'Staff ' || a.rank || '-' || a.j)
from added a;

insert into public.profiles (id, display_name)
select a.user_id, 'Staff ' || a.rank || '-' || a.j from added a;

insert into public.organization_members (organization_id, user_id, role)
select a.org_id, a.user_id, 'employee' from added a;

insert into public.team_members (team_id, user_id, organization_id)
select a.team_id, a.user_id, a.org_id from added a;
"""

SERVICE_ROLE_GRANTS = """
grant execute on function
  public.list_tickets(uuid, text[], text[], uuid, uuid, boolean, text, text, text, integer, text),
  public.ticket_stats(uuid),
  private.ticket_json(public.tickets),
  private.is_org_staff(uuid),
  private.my_org_ids()
  to service_role;
"""

_WORDS = (
    "'dashboard', 'invoice', 'printer', 'account', 'order', 'password', 'report', 'export', "
    "'API', 'mobile app', 'billing address', 'subscription', 'shipment', 'integration', "
    "'webhook', 'calendar', 'team settings', 'SSO login', 'CSV import', 'notifications'"
)
_OPENINGS = (
    "'Cannot use the', 'Error in the', 'Question about the', 'Refund for the', 'Slow', "
    "'Broken', 'Missing', 'How do I change the', 'Feature request for the', 'Problem with the'"
)

# Adds tickets per organization up to its share of %(tickets)s, numbered after its counter.
GROW_TICKETS = f"""
select setseed(0.5 + (select count(*) from public.tickets) %% 1000 / 2000.0);

create temp table grow on commit drop as
select o.rank, o.org_id, o.staff, o.teams,
  coalesce(c.last_number, 0) as last_number,
  greatest(0, o.target - coalesce(e.n, 0)) as adding
from (
  select b.*, case when b.rank = 1
    then %(tickets)s - (sum(floor(%(tickets)s * b.weight)) over () - floor(%(tickets)s * b.weight))
    else floor(%(tickets)s * b.weight) end::int as target
  from bench.orgs b
) o
left join private.ticket_counters c on c.organization_id = o.org_id
left join (select handling_org_id, count(*) as n from public.tickets group by 1) e
  on e.handling_org_id = o.org_id;

with drawn as materialized (
  select g.rank, g.org_id, g.last_number + s as number,
    random() as r_status, random() as r_priority, random() as r_assign, random() as r_pick,
    random() as r_customer, random() as r_age, random() as r_touch, random() as r_opening,
    random() as r_word, random() as r_version,
    1 + floor(random() * g.staff)::int as staff_j,
    1 + floor(random() * g.teams)::int as team_t
  from grow g cross join lateral generate_series(1, g.adding) s
),
shaped as (
  select d.*,
    case when r_status < 0.15 then 'open' when r_status < 0.25 then 'in_progress'
      when r_status < 0.30 then 'waiting_on_customer' when r_status < 0.60 then 'resolved'
      else 'closed' end as status,
    case when r_priority < 0.30 then 'low' when r_priority < 0.75 then 'medium'
      when r_priority < 0.93 then 'high' else 'urgent' end as priority,
    (array[{_WORDS}])[1 + floor(r_word * 20)::int] as word,
    now() - r_age * interval '730 days' as created_at
  from drawn d
),
inserted as (
  insert into public.tickets (id, handling_org_id, number, user_id, subject, description, status,
    priority, assigned_team_id, assigned_employee_id, created_at, updated_at, resolved_at,
    closed_at, version)
  select gen_random_uuid(), s.org_id, s.number, c.user_id,
    (array[{_OPENINGS}])[1 + floor(s.r_opening * 10)::int] || ' ' || s.word,
    'Hello, since ' || to_char(s.created_at, 'FMMonth FMDD') || ' the ' || s.word
      || ' does not work as expected for our team. Reference ' || s.number
      || '. Could you look into it? Thanks.',
    s.status, s.priority,
    case when s.r_assign < 0.25 then null when s.r_assign < 0.45 then t.team_id else st.team_id end,
    case when s.r_assign < 0.45 then null else st.user_id end,
    s.created_at,
    s.created_at + (now() - s.created_at) * s.r_touch,
    case when s.status in ('resolved', 'closed')
      then s.created_at + (now() - s.created_at) * s.r_touch end,
    case when s.status = 'closed' then s.created_at + (now() - s.created_at) * s.r_touch end,
    1 + floor(s.r_version * 4)::int
  from shaped s
  join bench.customers c
    on c.i = 1 + floor(s.r_customer * (select count(*) from bench.customers))::int
  join bench.staff st on st.rank = s.rank and st.j = s.staff_j
  join bench.teams t on t.rank = s.rank and t.t = s.team_t
  returning id, user_id, created_at, updated_at
)
insert into public.ticket_comments (ticket_id, author_id, body, is_internal, created_at)
select i.id, i.user_id, 'Any news on this one? Follow-up ' || k || '.', false,
  i.created_at + (i.updated_at - i.created_at) * k / 3.0
from inserted i cross join lateral generate_series(1, abs(hashtext(i.id::text)) %% 4 - 1) k;

insert into private.ticket_counters as c (organization_id, last_number)
select g.org_id, g.last_number + g.adding from grow g where g.adding > 0
on conflict (organization_id) do update set last_number = excluded.last_number;
"""

CHECK_INTEGRITY = """
select 'tickets without requester profile', count(*) from public.tickets t
  where not exists (select 1 from public.profiles p where p.id = t.user_id)
union all
select 'tickets with an assignee outside the organization', count(*) from public.tickets t
  where t.assigned_employee_id is not null and not exists (
    select 1 from public.organization_members m
    where m.organization_id = t.handling_org_id and m.user_id = t.assigned_employee_id)
union all
select 'tickets with an assignee outside the team', count(*) from public.tickets t
  where t.assigned_team_id is not null and t.assigned_employee_id is not null and not exists (
    select 1 from public.team_members m
    where m.organization_id = t.handling_org_id and m.team_id = t.assigned_team_id
      and m.user_id = t.assigned_employee_id)
union all
select 'comments without ticket', count(*) from public.ticket_comments c
  where not exists (select 1 from public.tickets t where t.id = c.ticket_id)
union all
select 'users without profile', count(*) from auth.users u
  where not exists (select 1 from public.profiles p where p.id = u.id)
union all
select 'attachments on a comment of another ticket', count(*) from public.ticket_attachments a
  where a.comment_id is not null and not exists (
    select 1 from public.ticket_comments c where c.id = a.comment_id and c.ticket_id = a.ticket_id)
union all
select 'attachments without uploader profile', count(*) from public.ticket_attachments a
  where a.uploaded_by is not null
    and not exists (select 1 from public.profiles p where p.id = a.uploaded_by)
"""


# Tickets of the largest organization with exactly two comments, both public, in pairs: the first
# of each pair gets ten attached files (two on the ticket itself, four on each comment, as
# create_ticket and add_comment attach them, uploaded by the comment's author), the second none.
# Rows are written as attached, with the object names the API gives; no Storage objects (reading
# a ticket does not touch them). The attachment_added events the product would record are not
# written, as the load writes no history for tickets and comments either.
ATTACH_FILES = """
create table bench.file_tickets as
select t.id as ticket_id, t.handling_org_id, t.user_id, t.created_at,
  row_number() over (order by t.number) %% 2 = 1 as with_files
from public.tickets t
join bench.orgs o on o.org_id = t.handling_org_id and o.rank = 1
where (select count(*) from public.ticket_comments c where c.ticket_id = t.id) = 2
  and not exists (
    select 1 from public.ticket_comments c where c.ticket_id = t.id and c.is_internal)
order by t.number
limit 2 * %(tickets)s;
alter table bench.file_tickets add primary key (ticket_id);

-- What users attach: screenshots, logs, documents, a video, an archive, mail; one name with
-- spaces and one with non-ASCII letters, whose object keys differ from their names.
with files (k, file_name, content_type, size_bytes) as (
  values
    (1, 'screenshot-login-error.png', 'image/png', 184213),
    (2, 'browser-console.txt', 'text/plain', 3921),
    (3, 'invoice-2026-10.pdf', 'application/pdf', 96554),
    (4, 'export-november.csv', 'text/csv', 412870),
    (5, 'photo of the printer.jpg', 'image/jpeg', 2310442),
    (6, 'Bestellübersicht.xlsx',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 27104),
    (7, 'network-trace.json', 'application/json', 1048576),
    (8, 'screen-recording.mp4', 'video/mp4', 5822019),
    (9, 'logs.zip', 'application/zip', 734002),
    (10, 'reply-from-supplier.eml', 'message/rfc822', 61337)
),
comments as (
  select c.id, c.ticket_id, c.author_id, c.created_at,
    row_number() over (partition by c.ticket_id order by c.created_at, c.id) as position
  from public.ticket_comments c
  where c.ticket_id in (select ticket_id from bench.file_tickets where with_files)
),
-- Files 1-2 on the ticket itself, 3-6 on its first comment, 7-10 on its second.
placed as (
  select gen_random_uuid() as id, t.ticket_id, t.handling_org_id, files.*, c.id as comment_id,
    coalesce(c.author_id, t.user_id) as uploaded_by,
    coalesce(c.created_at, t.created_at) as attached_at,
    private.sanitize_file_name(files.file_name) as stored_name
  from bench.file_tickets t
  cross join files
  left join comments c on c.ticket_id = t.ticket_id and files.k > 2
    and c.position = case when files.k <= 6 then 1 else 2 end
  where t.with_files
)
insert into public.ticket_attachments (id, ticket_id, handling_org_id, comment_id, uploaded_by,
  file_name, stored_name, content_type, size_bytes, object_name, status, is_internal, created_at,
  expires_at, attached_at)
select p.id, p.ticket_id, p.handling_org_id, p.comment_id, p.uploaded_by, p.file_name,
  p.stored_name, p.content_type, p.size_bytes,
  format('%%s/%%s/%%s/%%s', p.handling_org_id, p.ticket_id, p.id,
    private.attachment_object_key(p.stored_name)),
  'attached', false,
  -- Registered a minute before it was attached, as a user uploads and then sends.
  p.attached_at - interval '1 minute', p.attached_at + interval '59 minutes', p.attached_at
from placed p;

analyze bench.file_tickets, public.ticket_attachments;
"""
