-- Who may submit where (private.can_submit_to, the tickets insert policy, create_ticket), the
-- policies of organization_customers (invitations) and of ticket_views (the customer dashboard).
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(67);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set globex_admin '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set carol '{"sub":"dddddddd-0000-4000-8000-000000000001","role":"authenticated"}'
\set dave '{"sub":"dddddddd-0000-4000-8000-000000000002","role":"authenticated"}'
\set erin '{"sub":"dddddddd-0000-4000-8000-000000000003","role":"authenticated"}'
\set frank '{"sub":"dddddddd-0000-4000-8000-000000000004","role":"authenticated"}'
\set erin_claiming_frank '{"sub":"dddddddd-0000-4000-8000-000000000003","role":"authenticated","email":"frank@example.test"}'
\set gina '{"sub":"dddddddd-0000-4000-8000-000000000005","role":"authenticated"}'
\set hank '{"sub":"dddddddd-0000-4000-8000-000000000006","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set initech '''eeeeeeee-0000-4000-8000-0000000000d0'''
\set hooli '''eeeeeeee-0000-4000-8000-0000000000f0'''
\set nowhere '''eeeeeeee-0000-4000-8000-000000000404'''
\set alice_ticket '''aaaaaaaa-1000-4000-8000-000000000001'''
\set bob_ticket '''aaaaaaaa-1000-4000-8000-000000000004'''
\set alice_id '''c0000000-0000-4000-8000-000000000001'''

-- Customers: confirmed and unconfirmed addresses at Initech's verified domain, elsewhere, and
-- invited to Hooli (invite only). Staff: Acme's admin runs both; agent2 works at Hooli.
insert into auth.users (id, aud, role, email, email_confirmed_at) values
  ('dddddddd-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'carol@initech.test', now()),
  ('dddddddd-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'dave@initech.test', null),
  ('dddddddd-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'erin@elsewhere.test', now()),
  ('dddddddd-0000-4000-8000-000000000004', 'authenticated', 'authenticated', 'frank@example.test', now()),
  ('dddddddd-0000-4000-8000-000000000005', 'authenticated', 'authenticated', 'gina@example.test', null),
  ('dddddddd-0000-4000-8000-000000000006', 'authenticated', 'authenticated', 'Hank@Initech.TEST', now());
insert into public.organizations (id, name, slug, customer_access, verified_domains) values
  (:initech, 'Initech', 'initech', 'domain', '{initech.test}'),
  (:hooli, 'Hooli', 'hooli', 'invite', '{}');
insert into public.organization_members (organization_id, user_id, role) values
  (:initech, 'a0000000-0000-4000-8000-000000000001', 'admin'),
  (:hooli, 'a0000000-0000-4000-8000-000000000001', 'admin'),
  (:hooli, 'a0000000-0000-4000-8000-000000000003', 'employee');
insert into public.organization_customers (organization_id, email) values
  (:hooli, 'frank@example.test'),
  (:hooli, 'gina@example.test');

-- anon ---------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok($$select private.can_submit_to('aaaaaaaa-0000-4000-8000-000000000000')$$,
  '42501', null, 'anon cannot ask who may submit');
select throws_ok('select count(*) from public.organization_customers', '42501', null, 'anon cannot read invitations');
select throws_ok('select count(*) from public.ticket_views', '42501', null, 'anon cannot read ticket views');
select throws_ok($$insert into public.tickets (handling_org_id, user_id, subject)
  values ('aaaaaaaa-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000001', 'Anon')$$,
  '42501', null, 'anon cannot submit a ticket');
reset role;

-- can_submit_to, for each access mode -------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'dave';
select is(private.can_submit_to(:acme), true, 'public: an unconfirmed user may submit');
select is(private.can_submit_to(:initech), false, 'domain: an unconfirmed email at a verified domain is refused');
select is(private.can_submit_to(:hooli), false, 'invite: an uninvited user is refused');
select is(private.can_submit_to(:nowhere), false, 'nobody submits to an organization that does not exist');
set local request.jwt.claims = :'carol';
select is(private.can_submit_to(:acme), true, 'public: a confirmed user may submit');
select is(private.can_submit_to(:initech), true, 'domain: a confirmed email at a verified domain may submit');
select is(private.can_submit_to(:hooli), false, 'invite: a verified domain elsewhere does not count');
set local request.jwt.claims = :'hank';
select is(private.can_submit_to(:initech), true, 'domain: the email domain is compared case-insensitively');
set local request.jwt.claims = :'erin';
select is(private.can_submit_to(:initech), false, 'domain: a confirmed email at another domain is refused');
set local request.jwt.claims = :'frank';
select is(private.can_submit_to(:hooli), true, 'invite: an invited, confirmed email may submit');
select is(private.can_submit_to(:initech), false, 'domain: an invitation elsewhere does not count');
set local request.jwt.claims = :'gina';
select is(private.can_submit_to(:hooli), false, 'invite: an invited but unconfirmed email is refused');
set local request.jwt.claims = :'erin_claiming_frank';
select is(private.can_submit_to(:hooli), false, 'invite: an invited address in the token''s email claim is not proof');
set local request.jwt.claims = :'admin';
select is(private.can_submit_to(:hooli), true, 'staff may always submit to their organization, whatever its access');
select is(private.can_submit_to(:initech), true, 'staff may submit from an address outside the verified domains');
set local request.jwt.claims = :'globex';
select is(private.can_submit_to(:hooli), false, 'an employee of another organization is refused by an invite-only one');
reset role;

-- the same rule guards direct inserts and create_ticket ---------------------------------------
set local role authenticated;
set local request.jwt.claims = :'dave';
select throws_ok($$insert into public.tickets (handling_org_id, user_id, subject)
  values ('eeeeeeee-0000-4000-8000-0000000000d0', 'dddddddd-0000-4000-8000-000000000002', 'Let me in')$$,
  '42501', null, 'an unconfirmed user cannot insert a ticket at a domain organization directly');
select throws_ok($$select public.create_ticket('eeeeeeee-0000-4000-8000-0000000000d0', 'Let me in', '')$$,
  'PT403', null, 'create_ticket refuses an unconfirmed user at a domain organization with 403');
set local request.jwt.claims = :'erin';
select throws_ok($$select public.create_ticket('eeeeeeee-0000-4000-8000-0000000000f0', 'Let me in', '')$$,
  'PT403', null, 'create_ticket refuses an uninvited user at an invite-only organization with 403');
select throws_ok($$select public.create_ticket('eeeeeeee-0000-4000-8000-000000000404', 'Anyone there?', '')$$,
  'PT404', null, 'create_ticket answers 404 for an organization that does not exist');
set local request.jwt.claims = :'carol';
select lives_ok($$insert into public.tickets (handling_org_id, user_id, subject)
  values ('eeeeeeee-0000-4000-8000-0000000000d0', 'dddddddd-0000-4000-8000-000000000001', 'Stapler missing')$$,
  'a confirmed user at a verified domain inserts a ticket directly');
select is((public.create_ticket(:initech, 'TPS reports', 'Which cover sheet?') -> 'ticket' ->> 'status'), 'open',
  'a confirmed user at a verified domain submits through create_ticket');
reset role;

-- organizations: who sees which --------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'dave';
select is((select count(*)::int from public.organizations where id = :initech), 0,
  'an unconfirmed user does not see a domain organization');
set local request.jwt.claims = :'erin';
select is((select count(*)::int from public.organizations where id in (:initech, :hooli)), 0,
  'an outsider sees neither the domain nor the invite-only organization');
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.organizations where id = :hooli), 1,
  'an employee sees his invite-only organization');
reset role;
update public.organizations set customer_access = 'invite' where id = :initech;
set local role authenticated;
set local request.jwt.claims = :'carol';
select is(private.can_submit_to(:initech), false, 'closing the organization to invitations stops new submissions');
select is((select count(*)::int from public.organizations where id = :initech), 1,
  'a requester still sees the organization handling her tickets after it closed');
reset role;

-- organization_customers ---------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'frank';
select is((select count(*)::int from public.organization_customers), 0, 'an invited customer reads no invitations, not even his own');
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.organization_customers), 0, 'another customer reads no invitations');
select throws_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'alice@example.test', 'c0000000-0000-4000-8000-000000000001')$$,
  '42501', null, 'a customer cannot invite herself');
set local request.jwt.claims = :'agent2';
select is((select count(*)::int from public.organization_customers), 0, 'an employee reads no invitations');
select throws_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'friend@example.test', 'a0000000-0000-4000-8000-000000000003')$$,
  '42501', null, 'an employee cannot invite customers');
delete from public.organization_customers where organization_id = :hooli;
set local request.jwt.claims = :'globex_admin';
select is((select count(*)::int from public.organization_customers where organization_id = :hooli), 0,
  'the admin of another organization reads none of its invitations');
select throws_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'friend@example.test', 'b0000000-0000-4000-8000-000000000001')$$,
  '42501', null, 'the admin of another organization cannot invite customers to it');
delete from public.organization_customers where organization_id = :hooli;
reset role;
select is((select count(*)::int from public.organization_customers where organization_id = :hooli), 2,
  'an employee and the admin of another organization revoke nothing');

set local role authenticated;
set local request.jwt.claims = :'admin';
select is((select array_agg(email order by email) from public.organization_customers where organization_id = :hooli),
  array['frank@example.test', 'gina@example.test'], 'the admin reads the organization''s invitations');
select lives_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'erin@elsewhere.test', 'a0000000-0000-4000-8000-000000000001')$$,
  'the admin invites a customer in her own name');
select throws_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'ivan@example.test', 'a0000000-0000-4000-8000-000000000003')$$,
  '42501', null, 'the admin cannot record an invitation in someone else''s name');
select throws_ok($$insert into public.organization_customers (organization_id, email, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'Ivan@Example.test', 'a0000000-0000-4000-8000-000000000001')$$,
  '23514', null, 'invitations hold lowercase addresses');
select throws_ok($$update public.organization_customers set email = 'mallory@example.test'$$,
  '42501', null, 'invitations cannot be rewritten, only revoked');
set local request.jwt.claims = :'erin';
select is(private.can_submit_to(:hooli), true, 'the invited customer may now submit');
set local request.jwt.claims = :'admin';
delete from public.organization_customers where organization_id = :hooli and email = 'erin@elsewhere.test';
set local request.jwt.claims = :'erin';
select is(private.can_submit_to(:hooli), false, 'after the admin revokes the invitation the customer is refused again');
set local request.jwt.claims = :'admin';
select is((public.invite_customer(:hooli, '  Judy@Example.TEST ') ->> 'email'), 'judy@example.test',
  'invite_customer stores the address trimmed and lowercased');
select throws_ok($$select public.invite_customer('eeeeeeee-0000-4000-8000-0000000000f0', 'not an address')$$,
  'PT422', null, 'invite_customer refuses what is not an email address');
set local request.jwt.claims = :'agent2';
select throws_ok($$select public.invite_customer('eeeeeeee-0000-4000-8000-0000000000f0', 'pal@example.test')$$,
  'PT403', null, 'invite_customer forbids an employee');
select throws_ok($$select public.revoke_customer('eeeeeeee-0000-4000-8000-0000000000f0', 'frank@example.test')$$,
  'PT403', null, 'revoke_customer forbids an employee');
reset role;

-- ticket_views: when a requester last opened each ticket --------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select lives_ok($$insert into public.ticket_views (user_id, ticket_id)
  values ('c0000000-0000-4000-8000-000000000001', 'aaaaaaaa-1000-4000-8000-000000000001')$$,
  'the requester records opening her ticket');
select throws_ok($$insert into public.ticket_views (user_id, ticket_id)
  values ('c0000000-0000-4000-8000-000000000001', 'aaaaaaaa-1000-4000-8000-000000000004')$$,
  '42501', null, 'nobody records opening someone else''s ticket');
select throws_ok($$insert into public.ticket_views (user_id, ticket_id)
  values ('c0000000-0000-4000-8000-000000000002', 'aaaaaaaa-1000-4000-8000-000000000004')$$,
  '42501', null, 'nobody records a view in someone else''s name');
select throws_ok($$delete from public.ticket_views$$, '42501', null, 'views are not deleted by clients');
select throws_ok($$update public.ticket_views set ticket_id = 'bbbbbbbb-1000-4000-8000-000000000001'
  where ticket_id = 'aaaaaaaa-1000-4000-8000-000000000001'$$,
  '42501', null, 'a requester cannot point her view at another ticket (nor learn whether it exists)');
select throws_ok($$update public.ticket_views set user_id = 'c0000000-0000-4000-8000-000000000002'
  where ticket_id = 'aaaaaaaa-1000-4000-8000-000000000001'$$,
  '42501', null, 'nor hand her view to someone else');
update public.ticket_views set seen_at = '2000-01-01' where ticket_id = :alice_ticket;
select is((select count(*)::int from public.ticket_views where ticket_id = :alice_ticket), 1,
  'the requester reads her own view');
reset role;
select is((select seen_at from public.ticket_views where ticket_id = :alice_ticket and user_id = :alice_id),
  '2000-01-01'::timestamptz, 'the requester updates when she opened her ticket');

set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.ticket_views where ticket_id = :alice_ticket), 0,
  'another customer reads no one else''s views');
update public.ticket_views set seen_at = now() where ticket_id = :alice_ticket;
set local request.jwt.claims = :'agent1';
select is((select count(*)::int from public.ticket_views where ticket_id = :alice_ticket), 0,
  'an employee of the organization reads no requester''s views');
select throws_ok($$insert into public.ticket_views (user_id, ticket_id)
  values ('a0000000-0000-4000-8000-000000000002', 'aaaaaaaa-1000-4000-8000-000000000001')$$,
  '42501', null, 'an employee who is not the requester records no view');
update public.ticket_views set seen_at = now() where ticket_id = :alice_ticket;
set local request.jwt.claims = :'admin';
select is((select count(*)::int from public.ticket_views where ticket_id = :alice_ticket), 0,
  'the admin of the organization reads no requester''s views');
set local request.jwt.claims = :'globex';
select is((select count(*)::int from public.ticket_views where ticket_id = :alice_ticket), 0,
  'an employee of another organization reads no views');
reset role;
select is((select seen_at from public.ticket_views where ticket_id = :alice_ticket and user_id = :alice_id),
  '2000-01-01'::timestamptz, 'another customer and an employee changed nothing');

-- reading the ticket through get_ticket records nothing (mark_ticket_seen does: 13_mark_ticket_seen)
set local role authenticated;
set local request.jwt.claims = :'agent1';
select is((public.get_ticket(:bob_ticket) ->> 'id'), 'aaaaaaaa-1000-4000-8000-000000000004', 'staff open a ticket');
set local request.jwt.claims = :'bob';
select is((public.get_ticket(:bob_ticket) ->> 'id'), 'aaaaaaaa-1000-4000-8000-000000000004', 'the requester opens his ticket');
reset role;
select is((select count(*)::int from public.ticket_views where ticket_id = :bob_ticket), 0,
  'reading a ticket recorded no view');

select * from finish();
rollback;
