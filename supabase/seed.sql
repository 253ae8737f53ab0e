-- Local development data: two organizations with staff and teams, two customers, tickets, and an
-- invitation to join as staff.
-- Runs once, as the superuser, after the migrations. Profiles come from the auth.users trigger;
-- request.jwt.claims is set before each step so the audit trail names the right actor.

-- Demo users. Each signs in with the password next to it (local demo data only: it is public),
-- stored as Supabase Auth stores passwords: bcrypt (cost 10, as Auth uses) in encrypted_password.
insert into auth.users (
  id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data,
  raw_user_meta_data
)
values
  -- admin@acme.test, password demo-password: admin of Acme Support
  ('a0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'admin@acme.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{"display_name":"Ada Admin"}'),
  -- agent1@acme.test, password demo-password: employee of Acme Support, team Billing
  ('a0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'agent1@acme.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{"display_name":"Arthur Agent"}'),
  -- agent2@acme.test, password demo-password: employee of Acme Support, team Technical
  ('a0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'agent2@acme.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{"display_name":"Agnes Agent"}'),
  -- admin@globex.test, password demo-password: admin of Globex Help
  ('b0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'admin@globex.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{"display_name":"Gus Admin"}'),
  -- agent@globex.test, password demo-password: employee of Globex Help
  ('b0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'agent@globex.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{}'),
  -- alice@example.test, password demo-password: customer
  ('c0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'alice@example.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{"display_name":"Alice"}'),
  -- bob@example.test, password demo-password: customer
  ('c0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'bob@example.test',
    extensions.crypt('demo-password', extensions.gen_salt('bf', 10)), now(),
    '{"provider":"email","providers":["email"]}', '{}');

insert into public.organizations (id, name, slug)
values
  ('aaaaaaaa-0000-4000-8000-000000000000', 'Acme Support', 'acme'),
  ('bbbbbbbb-0000-4000-8000-000000000000', 'Globex Help', 'globex');

insert into public.organization_members (organization_id, user_id, role)
values
  ('aaaaaaaa-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000001', 'admin'),
  ('aaaaaaaa-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000002', 'employee'),
  ('aaaaaaaa-0000-4000-8000-000000000000', 'a0000000-0000-4000-8000-000000000003', 'employee'),
  ('bbbbbbbb-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000001', 'admin'),
  ('bbbbbbbb-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000002', 'employee');

insert into public.teams (id, organization_id, name)
values
  ('aaaaaaaa-0000-4000-8000-0000000000b1', 'aaaaaaaa-0000-4000-8000-000000000000', 'Billing'),
  ('aaaaaaaa-0000-4000-8000-0000000000b2', 'aaaaaaaa-0000-4000-8000-000000000000', 'Technical');

insert into public.team_members (team_id, user_id)
values
  ('aaaaaaaa-0000-4000-8000-0000000000b1', 'a0000000-0000-4000-8000-000000000002'),
  ('aaaaaaaa-0000-4000-8000-0000000000b2', 'a0000000-0000-4000-8000-000000000003');

-- Tickets, submitted by the customers.
set request.jwt.claims = '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}';
insert into public.tickets (id, handling_org_id, user_id, subject, description, priority)
values
  ('aaaaaaaa-1000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001',
    'Invoice charged twice', 'My October invoice was charged twice to my card.', 'high'),
  ('aaaaaaaa-1000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001',
    'Printer not detected', 'The office printer is not detected after the last update.', 'medium'),
  ('aaaaaaaa-1000-4000-8000-000000000003', 'aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001',
    'How do I export my data?', 'I would like a CSV export of all my orders.', 'low'),
  ('bbbbbbbb-1000-4000-8000-000000000001', 'bbbbbbbb-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001',
    'Cannot log in', 'Password reset emails never arrive.', 'urgent');

set request.jwt.claims = '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}';
insert into public.tickets (id, handling_org_id, user_id, subject, description, priority)
values
  ('aaaaaaaa-1000-4000-8000-000000000004', 'aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000002',
    'Refund request', 'Please refund order 1042; the parcel arrived damaged.', 'medium'),
  ('aaaaaaaa-1000-4000-8000-000000000005', 'aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000002',
    'API returns 500 on /orders', 'Since this morning every call to /orders fails with 500.', 'urgent'),
  ('bbbbbbbb-1000-4000-8000-000000000002', 'bbbbbbbb-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000002',
    'Change my billing address', 'We moved; please update the billing address on file.', 'low'),
  ('bbbbbbbb-1000-4000-8000-000000000003', 'bbbbbbbb-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000002',
    'Feature request: dark mode', 'The dashboard is hard to read at night.', 'low');

-- Staff work the tickets.
set request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}';
update public.tickets
set assigned_team_id = 'aaaaaaaa-0000-4000-8000-0000000000b1',
  assigned_employee_id = 'a0000000-0000-4000-8000-000000000002',
  status = 'in_progress'
where id in ('aaaaaaaa-1000-4000-8000-000000000001', 'aaaaaaaa-1000-4000-8000-000000000004');

insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
values
  ('aaaaaaaa-1000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
    'Sorry about that! I can see the duplicate charge and am reversing it now.', false),
  ('aaaaaaaa-1000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000002',
    'Payment provider glitch on the 3rd; check whether other customers were hit.', true);

set request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}';
update public.tickets
set assigned_team_id = 'aaaaaaaa-0000-4000-8000-0000000000b2',
  assigned_employee_id = 'a0000000-0000-4000-8000-000000000003',
  status = 'waiting_on_customer'
where id = 'aaaaaaaa-1000-4000-8000-000000000002';

insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
values
  ('aaaaaaaa-1000-4000-8000-000000000002', 'a0000000-0000-4000-8000-000000000003',
    'Which printer model is it, and which operating system are you on?', false);

update public.tickets
set assigned_team_id = 'aaaaaaaa-0000-4000-8000-0000000000b2'
where id = 'aaaaaaaa-1000-4000-8000-000000000005';

insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
values
  ('aaaaaaaa-1000-4000-8000-000000000005', 'a0000000-0000-4000-8000-000000000003',
    'Looks like the deploy at 08:00; rolling back before we reply.', true);

set request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}';
update public.tickets set status = 'resolved' where id = 'aaaaaaaa-1000-4000-8000-000000000003';

set request.jwt.claims = '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}';
update public.tickets
set assigned_employee_id = 'b0000000-0000-4000-8000-000000000002', status = 'in_progress'
where id = 'bbbbbbbb-1000-4000-8000-000000000001';

insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
values
  ('bbbbbbbb-1000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000002',
    'We found a mail delivery problem and are fixing it today.', false);

update public.tickets set status = 'closed' where id = 'bbbbbbbb-1000-4000-8000-000000000003';

-- A customer follows up.
set request.jwt.claims = '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}';
insert into public.ticket_comments (ticket_id, author_id, body, is_internal)
values
  ('aaaaaaaa-1000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001',
    'It is a LaserJet 4000 on Windows 11.', false);

-- Routing: every new Acme ticket about a refund or a double charge goes to Billing, raised to
-- high priority. Teams assign manually (people assign or claim); setTeamAssignment turns on
-- round robin or least loaded. Other tickets stay without a team (Acme names no default team).
set request.jwt.claims = '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}';
insert into public.routing_rules (id, organization_id, name, position, keywords, team_id, set_priority)
values ('aaaaaaaa-2000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000000',
  'Refunds to Billing', 1, array['refund', 'chargeback', 'charged twice'],
  'aaaaaaaa-0000-4000-8000-0000000000b1', 'high');

-- Acme's knowledge base, in English: three published articles customers see (and get suggested
-- while they write), an internal one for staff, and a draft.
insert into public.knowledge_base_settings (organization_id, language, publishers)
values ('aaaaaaaa-0000-4000-8000-000000000000', 'english', 'admins');

insert into public.articles (id, organization_id, title, body, category, tags, visibility)
values
  ('aaaaaaaa-3000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000000',
    'Get a refund for a damaged order',
    E'If your parcel arrived damaged, we refund it in full.\n\n1. Open **Orders** and choose the order.\n2. Click **Report a problem** and add a photo of the damage.\n3. The refund reaches your card within 5 working days.',
    'Billing', array['refund', 'orders'], 'public'),
  ('aaaaaaaa-3000-4000-8000-000000000002', 'aaaaaaaa-0000-4000-8000-000000000000',
    'Why was I charged twice?',
    E'A second charge is usually a card authorization that disappears within 3 days. If both charges are still there after 3 days, reply to your invoice email and we reverse the duplicate.',
    'Billing', array['invoice', 'payment'], 'public'),
  ('aaaaaaaa-3000-4000-8000-000000000003', 'aaaaaaaa-0000-4000-8000-000000000000',
    'Export your orders as CSV',
    E'Go to **Orders**, filter the period you need and click **Export CSV**. Large exports are emailed to you as a download link.',
    'Data', array['export'], 'public'),
  ('aaaaaaaa-3000-4000-8000-000000000004', 'aaaaaaaa-0000-4000-8000-000000000000',
    'Issuing a goodwill credit',
    E'Staff only: credits up to 20 EUR need no approval; above that, ask an admin. Always note the reason on the ticket.',
    'Billing', array['refund'], 'internal'),
  ('aaaaaaaa-3000-4000-8000-000000000005', 'aaaaaaaa-0000-4000-8000-000000000000',
    'Connect your printer (draft)',
    E'Work in progress: which printer models we support and how to add one.',
    'Hardware', array['printer'], 'public');

update public.articles set status = 'published'
where id in ('aaaaaaaa-3000-4000-8000-000000000001', 'aaaaaaaa-3000-4000-8000-000000000002',
  'aaaaaaaa-3000-4000-8000-000000000003', 'aaaaaaaa-3000-4000-8000-000000000004');

-- Globex's admin invites Bob to join as an employee (public.list_my_invitations shows it to Bob).
set request.jwt.claims = '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}';
insert into public.organization_invitations (organization_id, email, role)
values ('bbbbbbbb-0000-4000-8000-000000000000', 'bob@example.test', 'employee');

reset request.jwt.claims;
