-- Staff invitations: the policies of organization_invitations, the transitions its trigger allows,
-- the membership an accepted invitation creates, the organizations an invitee sees, and the API
-- functions, as anon, the invitee, an unconfirmed invitee, another customer, an employee, the admin
-- and the admin of another organization.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(89);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex_admin '{"sub":"b0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set ivy '{"sub":"f0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set uma_claiming_her_email '{"sub":"f0000000-0000-4000-8000-000000000002","role":"authenticated","email":"uma@example.test"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
\set hooli '''eeeeeeee-0000-4000-8000-0000000000f0'''
\set admin_id '''a0000000-0000-4000-8000-000000000001'''
\set agent2_id '''a0000000-0000-4000-8000-000000000003'''
\set ivy_id '''f0000000-0000-4000-8000-000000000001'''
\set uma_id '''f0000000-0000-4000-8000-000000000002'''

-- Ivy confirmed a mixed-case address; Uma has not confirmed hers. Hooli is invite-only, so only
-- its staff and the people it invited see it; Acme's admin runs it, agent2 works there.
insert into auth.users (id, aud, role, email, email_confirmed_at) values
  ('f0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'Ivy.Stone@Example.TEST', now()),
  ('f0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'uma@example.test', null);
insert into public.organizations (id, name, slug, customer_access) values (:hooli, 'Hooli', 'hooli', 'invite');
insert into public.organization_members (organization_id, user_id, role) values
  (:hooli, :admin_id, 'admin'),
  (:hooli, :agent2_id, 'employee');

create temporary table r (name text primary key, value jsonb);
grant all on r to authenticated;

-- anon ---------------------------------------------------------------------------------------
set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok('select count(*) from public.organization_invitations', '42501', null, 'anon cannot read invitations');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'anon@example.test', 'admin')$$,
  '42501', null, 'anon cannot invite');
select throws_ok($$update public.organization_invitations set status = 'accepted'$$,
  '42501', null, 'anon cannot answer invitations');
select throws_ok('select public.list_my_invitations()', '42501', null, 'anon cannot list invitations');
reset role;
select ok(
  (select bool_and(not has_function_privilege('anon', f, 'execute') and has_function_privilege('authenticated', f, 'execute'))
   from unnest(array['public.invite_member(uuid, text, text)', 'public.list_invitations(uuid)',
     'public.revoke_invitation(uuid)', 'public.list_my_invitations()', 'public.accept_invitation(uuid)',
     'public.decline_invitation(uuid)']) f),
  'anon may call none of the invitation functions; signed-in users may call them all');
select ok(to_regprocedure('public.add_member(uuid, text, text)') is null
  and to_regprocedure('private.user_id_for_email(text)') is null, 'add_member and its user lookup are gone');

-- the invitee cannot see an invite-only organization before being invited ---------------------
set local role authenticated;
set local request.jwt.claims = :'ivy';
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'before the invitation, the invitee does not see the invite-only organization');
reset role;

-- the admin invites ----------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into r select 'ivy', public.invite_member(:hooli, '  Ivy.Stone@Example.TEST ', 'admin');
insert into r select 'nobody', public.invite_member(:hooli, 'nobody@example.test', 'employee');
insert into r select 'agent2', public.invite_member(:hooli, 'agent2@acme.test', 'employee');
insert into r select 'uma', public.invite_member(:hooli, 'uma@example.test', 'employee');
select is(
  (select array_agg(k order by k) from r, jsonb_object_keys(r.value) k where r.name = 'ivy'),
  array['created_at', 'email', 'expires_at', 'id', 'invited_by', 'organization', 'organization_id', 'responded_at',
    'role', 'status'],
  'invite_member answers the invitation');
select ok(
  (select value from r where name = 'ivy') @> jsonb_build_object(
    'organization_id', :hooli, 'organization', jsonb_build_object('id', :hooli, 'name', 'Hooli', 'slug', 'hooli'),
    'email', 'ivy.stone@example.test', 'role', 'admin', 'status', 'pending', 'invited_by', :admin_id,
    'responded_at', null),
  'the invitation holds the address trimmed and lowercased, the role, and who invited');
select is((select (value ->> 'expires_at')::timestamptz from r where name = 'ivy'), now() + interval '7 days',
  'an invitation expires after 7 days');
select is(
  (select array_agg(distinct (select array_agg(k order by k) from jsonb_object_keys(r.value - 'id' - 'email') k)::text) from r),
  array[(select array_agg(k order by k) from jsonb_object_keys((select value from r where name = 'ivy') - 'id' - 'email') k)::text],
  'an address with no account and a member''s address are answered in the same shape');
select is(
  (select array_agg(value ->> 'status' || ' ' || (value ->> 'email') order by name) from r),
  array['pending agent2@acme.test', 'pending ivy.stone@example.test', 'pending nobody@example.test',
    'pending uma@example.test'],
  'every one of them is simply pending: nothing tells who has signed up or is already staff');
select throws_ok($$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', 'not an address', 'employee')$$,
  'PT422', null, 'invite_member refuses what is not an email address');
select throws_ok($$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', 'ivy' || chr(1) || '@example.test', 'employee')$$,
  'PT422', null, 'invite_member refuses an address with a control character');
select throws_ok(
  $$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', repeat('a', 310) || '@example.test', 'employee')$$,
  'PT422', null, 'invite_member refuses an address longer than 320 characters');
select throws_ok($$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', 'pat@example.test', 'owner')$$,
  'PT422', null, 'invite_member refuses an unknown role');
reset role;

-- inviting again renews the pending invitation (first, as if Ivy's had expired: the guard trigger
-- lets no one set a past expiry, so it is switched off for this one fixture)
set local session_replication_role = replica;
update public.organization_invitations set expires_at = now() - interval '1 day', created_at = now() - interval '3 hours'
where email = 'ivy.stone@example.test';
set local session_replication_role = origin;
update public.organization_invitations set created_at = now() - interval '2 hours' where email = 'nobody@example.test';
update public.organization_invitations set created_at = now() - interval '1 hour' where email = 'agent2@acme.test';
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into r select 'ivy renewed', public.invite_member(:hooli, 'IVY.STONE@example.test', 'employee');
select is(
  (select jsonb_build_array(value -> 'id', value -> 'role', value -> 'status', (value ->> 'expires_at')::timestamptz = now() + interval '7 days')
   from r where name = 'ivy renewed'),
  jsonb_build_array((select value -> 'id' from r where name = 'ivy'), 'employee', 'pending', true),
  'inviting the address again renews the same invitation, with the new role, for 7 more days');
select is(
  (select jsonb_path_query_array(public.list_invitations(:hooli), '$.items[*].email')),
  '["uma@example.test", "agent2@acme.test", "nobody@example.test", "ivy.stone@example.test"]'::jsonb,
  'list_invitations answers the organization''s invitations, newest first, one per address');
select throws_ok($$insert into public.organization_members (organization_id, user_id, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'c0000000-0000-4000-8000-000000000002', 'employee')$$,
  '42501', null, 'the admin cannot add a member directly');
select lives_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'direct@example.test', 'employee')$$,
  'the admin invites through the table, in his own name');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role, invited_by)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'spoof@example.test', 'employee', 'a0000000-0000-4000-8000-000000000003')$$,
  '42501', null, 'nobody records an invitation in someone else''s name');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'direct@example.test', 'admin')$$,
  '23505', null, 'an address has at most one pending invitation per organization');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'Shout@Example.test', 'admin')$$,
  '23514', null, 'invitations hold lowercase addresses');
select throws_ok(format($$update public.organization_invitations set expires_at = now() + interval '1 year' where id = %L$$,
  (select value ->> 'id' from r where name = 'nobody')),
  'PT422', null, 'an admin cannot make an invitation last longer than 30 days');
select throws_ok(format($$update public.organization_invitations set status = 'accepted' where id = %L$$,
  (select value ->> 'id' from r where name = 'nobody')),
  'PT403', null, 'an admin cannot accept an invitation for someone else');
select throws_ok(format($$update public.organization_invitations set responded_at = now() where id = %L$$,
  (select value ->> 'id' from r where name = 'nobody')),
  '42501', null, 'nobody sets when an invitation was answered');
reset role;

-- an employee of the organization --------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'agent2';
select throws_ok($$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', 'pal@example.test', 'employee')$$,
  'PT403', null, 'an employee is forbidden to invite');
select throws_ok($$select public.list_invitations('eeeeeeee-0000-4000-8000-0000000000f0')$$,
  'PT403', null, 'an employee is forbidden to list invitations');
select throws_ok(format('select public.revoke_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT403', null, 'an employee is forbidden to revoke an invitation');
select is(
  (select array_agg(email) from public.organization_invitations where organization_id = :hooli),
  array['agent2@acme.test'], 'an employee reads none of the organization''s invitations but the one sent to him');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'pal@example.test', 'admin')$$,
  '42501', null, 'an employee cannot invite through the table');
update public.organization_invitations set status = 'revoked' where email = 'ivy.stone@example.test';
reset role;

-- the admin of another organization ------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'globex_admin';
select throws_ok($$select public.invite_member('eeeeeeee-0000-4000-8000-0000000000f0', 'pal@example.test', 'admin')$$,
  'PT404', null, 'the admin of another organization does not find it to invite');
select throws_ok($$select public.list_invitations('eeeeeeee-0000-4000-8000-0000000000f0')$$,
  'PT404', null, 'the admin of another organization does not find it to list invitations');
select throws_ok(format('select public.revoke_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT404', null, 'the admin of another organization does not find the invitation to revoke');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT404', null, 'the admin of another organization does not find the invitation to accept');
select is((select count(*)::int from public.organization_invitations where organization_id = :hooli), 0,
  'the admin of another organization reads none of its invitations');
select throws_ok($$insert into public.organization_invitations (organization_id, email, role)
  values ('eeeeeeee-0000-4000-8000-0000000000f0', 'pal@example.test', 'admin')$$,
  '42501', null, 'the admin of another organization cannot invite to it through the table');
update public.organization_invitations set status = 'revoked' where organization_id = :hooli;
reset role;

-- another customer -----------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from public.organization_invitations), 0, 'another customer reads no invitations');
select is(public.list_my_invitations(), '{"items": []}'::jsonb, 'another customer has no invitations');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT404', null, 'another customer does not find someone else''s invitation to accept');
select throws_ok(format('select public.decline_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT404', null, 'another customer does not find someone else''s invitation to decline');
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'another customer still does not see the invite-only organization');
update public.organization_invitations set status = 'accepted' where email = 'ivy.stone@example.test';
reset role;
select is(
  (select array_agg(status || ' ' || role || ' ' || coalesce(responded_at::text, '-')) from public.organization_invitations
   where email = 'ivy.stone@example.test'),
  array['pending employee -'], 'an employee, another organization''s admin and another customer changed nothing');

-- an invitee whose address is not confirmed ----------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'uma_claiming_her_email';
select is(public.list_my_invitations(), '{"items": []}'::jsonb,
  'an unconfirmed address has no invitations, whatever the token claims');
select is((select count(*)::int from public.organization_invitations), 0, 'an unconfirmed invitee reads no invitations');
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'an unconfirmed invitee does not see the organization');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'uma')),
  'PT404', null, 'an unconfirmed invitee cannot accept');
update public.organization_invitations set status = 'accepted';
reset role;
select is((select status from public.organization_invitations where email = 'uma@example.test'), 'pending',
  'an unconfirmed invitee changed nothing through the table');

-- the invitee ----------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'ivy';
select is((select name from public.organizations where id = :hooli), 'Hooli',
  'the invitee reads the name of the organization that invited her');
select is(
  (select jsonb_build_array(i -> 'id', i -> 'organization' -> 'name', i -> 'role')
   from jsonb_array_elements(public.list_my_invitations() -> 'items') i),
  jsonb_build_array((select value -> 'id' from r where name = 'ivy'), 'Hooli', 'employee'),
  'list_my_invitations finds the invitation, matching her address case-insensitively');
select is((select array_agg(email) from public.organization_invitations), array['ivy.stone@example.test'],
  'the invitee reads her invitation and no other');
select throws_ok(format($$update public.organization_invitations set role = 'admin' where id = %L$$,
  (select value ->> 'id' from r where name = 'ivy')),
  'PT403', null, 'the invitee cannot change the role she is invited with');
select throws_ok(format($$update public.organization_invitations set expires_at = now() + interval '20 days' where id = %L$$,
  (select value ->> 'id' from r where name = 'ivy')),
  'PT403', null, 'the invitee cannot extend her invitation');
select throws_ok(format($$update public.organization_invitations set status = 'accepted', role = 'admin' where id = %L$$,
  (select value ->> 'id' from r where name = 'ivy')),
  'PT403', null, 'the invitee cannot accept with another role');
select throws_ok(format($$update public.organization_invitations set status = 'revoked' where id = %L$$,
  (select value ->> 'id' from r where name = 'ivy')),
  'PT403', null, 'the invitee cannot revoke her invitation');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'uma')),
  'PT404', null, 'the invitee does not find someone else''s invitation to accept');
update public.organization_invitations set status = 'accepted' where email = 'uma@example.test';
insert into r select 'ivy member', public.accept_invitation((select (value ->> 'id')::uuid from r where name = 'ivy'));
select ok(
  (select value from r where name = 'ivy member') @> jsonb_build_object('organization_id', :hooli, 'user_id', :ivy_id, 'role', 'employee'),
  'accepting answers her membership, with the role of the invitation');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT409', 'This invitation was already accepted; an invitation can be used once.', 'an invitation is accepted once');
select throws_ok(format('select public.decline_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT409', null, 'an accepted invitation cannot be declined');
select is((select count(*)::int from public.organization_members where organization_id = :hooli and user_id = :ivy_id), 1,
  'the new member reads her membership');
reset role;
select is(
  (select array_agg(role) from public.organization_members where organization_id = :hooli and user_id = :ivy_id),
  array['employee'], 'accepting created exactly one membership, with the invited role');
select is(
  (select jsonb_build_array(status, responded_by, responded_at = now()) from public.organization_invitations
   where id = (select (value ->> 'id')::uuid from r where name = 'ivy')),
  jsonb_build_array('accepted', :ivy_id, true), 'the database recorded who accepted and when');
select is((select status from public.organization_invitations where email = 'uma@example.test'), 'pending',
  'the invitee did not accept someone else''s invitation through the table');

-- an expired invitation ------------------------------------------------------------------------
with expired as (
  insert into public.organization_invitations (organization_id, email, role, invited_by, expires_at)
  values (:acme, 'ivy.stone@example.test', 'employee', :admin_id, now() - interval '1 minute')
  returning *
)
insert into r select 'ivy acme', to_jsonb(expired) from expired;
insert into public.organization_invitations (organization_id, email, role, invited_by, expires_at)
values (:hooli, 'bob@example.test', 'employee', :admin_id, now() - interval '1 minute');
set local role authenticated;
set local request.jwt.claims = :'bob';
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'an expired invitation no longer shows the invite-only organization');
reset role;
set local role authenticated;
set local request.jwt.claims = :'ivy';
select is(public.list_my_invitations(), '{"items": []}'::jsonb, 'an expired invitation is no longer listed for the invitee');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'ivy acme')),
  'PT409', 'This invitation has expired; ask the organization for a new one.', 'an expired invitation cannot be accepted');
select throws_ok(format('select public.decline_invitation(%L)', (select value ->> 'id' from r where name = 'ivy acme')),
  'PT409', 'This invitation has expired; ask the organization for a new one.', 'an expired invitation cannot be declined');
update public.organization_invitations set status = 'accepted' where organization_id = :acme;
set local request.jwt.claims = :'admin';
select is(
  (select jsonb_path_query_array(public.list_invitations(:acme), '$.items[*].status')), '["expired"]'::jsonb,
  'the admin sees the invitation as expired');
reset role;
select is(
  (select status || ' ' || (select count(*) from public.organization_members m where m.organization_id = :acme and m.user_id = :ivy_id)
   from public.organization_invitations where organization_id = :acme),
  'pending 0', 'nobody accepted the expired invitation through the table either');
-- an admin who is himself the invitee gets past the policy, not past the trigger
insert into public.organization_invitations (organization_id, email, role, invited_by, expires_at)
values (:hooli, 'admin@acme.test', 'employee', :admin_id, now() - interval '1 minute');
set local role authenticated;
set local request.jwt.claims = :'admin';
select throws_ok($$update public.organization_invitations set status = 'accepted' where email = 'admin@acme.test'$$,
  'PT409', 'This invitation has expired; ask the organization for a new one.',
  'not even an admin accepts an expired invitation sent to himself');
reset role;

-- declining ------------------------------------------------------------------------------------
update auth.users set email_confirmed_at = now() where id = :uma_id;
set local role authenticated;
set local request.jwt.claims = :'uma_claiming_her_email';
select is(jsonb_array_length(public.list_my_invitations() -> 'items'), 1, 'once her address is confirmed, the invitee finds her invitation');
insert into r select 'uma declined', public.decline_invitation((select (value ->> 'id')::uuid from r where name = 'uma'));
select ok(
  (select value from r where name = 'uma declined') @> jsonb_build_object('status', 'declined', 'organization', jsonb_build_object('name', 'Hooli'))
  and (select value ->> 'responded_at' from r where name = 'uma declined') is not null,
  'decline_invitation answers the declined invitation, with the organization''s name');
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'after declining, the invitee no longer sees the invite-only organization');
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'uma')),
  'PT409', 'This invitation was declined; ask the organization for a new one.', 'a declined invitation cannot be accepted');
reset role;
select is((select count(*)::int from public.organization_members where user_id = :uma_id), 0, 'declining made nobody a member');

-- revoking -------------------------------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'admin';
insert into r select 'bob', public.invite_member(:hooli, 'bob@example.test', 'employee');
insert into r select 'bob revoked', public.revoke_invitation((select (value ->> 'id')::uuid from r where name = 'bob'));
select ok(
  (select value from r where name = 'bob revoked') @> jsonb_build_object('status', 'revoked')
  and (select value ->> 'responded_at' from r where name = 'bob revoked') is not null,
  'revoke_invitation answers the revoked invitation');
select throws_ok(format('select public.revoke_invitation(%L)', (select value ->> 'id' from r where name = 'bob')),
  'PT409', 'This invitation was revoked by the organization.', 'an invitation is revoked once');
select throws_ok(format('select public.revoke_invitation(%L)', (select value ->> 'id' from r where name = 'ivy')),
  'PT409', null, 'an accepted invitation cannot be revoked');
update public.organization_invitations set role = 'admin', expires_at = now() + interval '7 days'
where email = 'uma@example.test';
select throws_ok(format('select public.revoke_invitation(%L)', 'eeeeeeee-0000-4000-8000-00000000ffff'),
  'PT404', null, 'an invitation that does not exist is not found');
reset role;
select is((select responded_by from public.organization_invitations where id = (select (value ->> 'id')::uuid from r where name = 'bob')),
  :admin_id::uuid, 'the database recorded who revoked it');
select is((select status || ' ' || role from public.organization_invitations where email = 'uma@example.test'),
  'declined employee', 'the admin cannot renew an answered invitation through the table');
set local role authenticated;
set local request.jwt.claims = :'bob';
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'bob')),
  'PT409', 'This invitation was revoked by the organization.', 'a revoked invitation cannot be accepted');
select is((select count(*)::int from public.organizations where id = :hooli), 0,
  'after the revocation, the invitee no longer sees the organization');
select is(
  (select jsonb_path_query_array(public.list_my_invitations(), '$.items[*].organization.slug')), '["globex"]'::jsonb,
  'the invitee''s other invitation (from the seed) is still there');
set local request.jwt.claims = :'admin';
select isnt(
  (public.invite_member(:hooli, 'bob@example.test', 'employee') ->> 'id'), (select value ->> 'id' from r where name = 'bob'),
  'after a revocation, inviting the address again makes a new invitation');
reset role;

-- someone who is already a member --------------------------------------------------------------
set local role authenticated;
set local request.jwt.claims = :'agent2';
select throws_ok(format('select public.accept_invitation(%L)', (select value ->> 'id' from r where name = 'agent2')),
  'PT409', 'You are already a member of this organization.', 'a member cannot accept an invitation to join again');
reset role;
select is(
  (select status || ' ' || (select m.role from public.organization_members m where m.organization_id = :hooli and m.user_id = :agent2_id)
   from public.organization_invitations where email = 'agent2@acme.test'),
  'pending employee', 'the refused acceptance changed neither the invitation nor the membership');

-- the organization creator still becomes its first admin ----------------------------------------
set local role authenticated;
set local request.jwt.claims = :'ivy';
select is((public.create_organization('Ivy Labs', 'ivy-labs') ->> 'role'), 'admin',
  'creating an organization still makes its creator the first admin');
reset role;
select is(
  (select array_agg(m.role) from public.organization_members m join public.organizations o on o.id = m.organization_id
   where o.slug = 'ivy-labs'),
  array['admin'], 'the creator''s membership was created by the database');

select * from finish();
rollback;
