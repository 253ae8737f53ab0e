-- list_tickets: visibility, filters, literal search, keyset pages; and that search can use its index.
begin;
create extension if not exists pgtap with schema extensions;
set local search_path = public, extensions;
select plan(13);

\set alice '{"sub":"c0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set bob '{"sub":"c0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent1 '{"sub":"a0000000-0000-4000-8000-000000000002","role":"authenticated"}'
\set agent2 '{"sub":"a0000000-0000-4000-8000-000000000003","role":"authenticated"}'
\set admin '{"sub":"a0000000-0000-4000-8000-000000000001","role":"authenticated"}'
\set globex '{"sub":"b0000000-0000-4000-8000-000000000002","role":"authenticated"}'

\set acme '''aaaaaaaa-0000-4000-8000-000000000000'''
create temporary table r (name text primary key, value jsonb);
grant all on r to authenticated;

set local request.jwt.claims = :'bob';
insert into public.tickets (handling_org_id, user_id, subject, description)
select :acme, 'c0000000-0000-4000-8000-000000000002', 'Paging ticket ' || i, 'Paper tray ' || i
from generate_series(1, 5) i;
insert into public.tickets (handling_org_id, user_id, subject, description)
values (:acme, 'c0000000-0000-4000-8000-000000000002', 'Discount 100% off', 'under_score');

set local role authenticated;
set local request.jwt.claims = :'agent1';
insert into r select 'p1', public.list_tickets(org_id => :acme, q => 'paging', "limit" => 2);
insert into r select 'p2', public.list_tickets(org_id => :acme, q => 'paging', "limit" => 2,
  cursor => (select value ->> 'next_cursor' from r where name = 'p1'));
insert into r select 'p3', public.list_tickets(org_id => :acme, q => 'paging', "limit" => 2,
  cursor => (select value ->> 'next_cursor' from r where name = 'p2'));
select is((select jsonb_array_length(value -> 'items') from r where name = 'p1'), 2, 'a page holds the limit');
select is(
  (select array_agg(i ->> 'id' order by r.name, n) from r, jsonb_array_elements(value -> 'items') with ordinality x(i, n)
   where r.name in ('p1', 'p2', 'p3')),
  (select array_agg(i ->> 'id' order by n)
   from jsonb_array_elements(public.list_tickets(org_id => :acme, q => 'paging', "limit" => 100) -> 'items')
     with ordinality x(i, n)),
  'three pages walk the whole result in order without gaps or repeats');
select is((select value -> 'next_cursor' from r where name = 'p3'), 'null'::jsonb, 'the last page has no next cursor');
select is((select jsonb_array_length(public.list_tickets(org_id => :acme, q => 'pagin tray') -> 'items')), 5,
  'partial words all have to match');
select is((select jsonb_array_length(public.list_tickets(org_id => :acme, q => '100%') -> 'items')), 1,
  'a percent sign is matched literally');
select is((select jsonb_array_length(public.list_tickets(org_id => :acme, q => '%') -> 'items')), 1,
  'a lone percent sign does not match everything');
select is((select jsonb_array_length(public.list_tickets(org_id => :acme, q => 'Pa_ing') -> 'items')), 0,
  'an underscore is not a wildcard');
select is(
  (select array_agg(i ->> 'priority') from jsonb_array_elements(
    public.list_tickets(org_id => :acme, status => array['open', 'in_progress'], sort => 'priority', "limit" => 3) -> 'items') i),
  array['urgent', 'high', 'medium'], 'sorting by priority puts urgent first');
select throws_ok($$select public.list_tickets(cursor => 'not-a-cursor')$$, 'PT422', null, 'a forged cursor is refused');
select throws_ok($$select public.list_tickets("limit" => 101)$$, 'PT422', null, 'the limit is capped at 100');
reset role;

set local role authenticated;
set local request.jwt.claims = :'alice';
select is((select count(*)::int from jsonb_array_elements(public.list_tickets(org_id => :acme, "limit" => 100) -> 'items') i
  where i ->> 'user_id' <> 'c0000000-0000-4000-8000-000000000001'), 0, 'a customer lists only her own tickets');
reset role;

set local role authenticated;
set local request.jwt.claims = :'globex';
select is((select jsonb_array_length(public.list_tickets(org_id => :acme) -> 'items')), 0,
  'staff of another organization list nothing of Acme');
reset role;

-- The search predicate must keep the shape of tickets_search_idx, or search at scale turns into a scan.
set local enable_seqscan = off;
set local enable_indexscan = off;
create function pg_temp.search_plan() returns text language plpgsql as $$
declare
  v_line text;
  v_plan text := '';
begin
  for v_line in
    explain (analyze, costs off)
    select t.id from public.tickets t
    where (t.subject || ' ' || t.description) ilike '%paging%'
  loop
    v_plan := v_plan || v_line || E'\n';
  end loop;
  return v_plan;
end;
$$;
select matches(pg_temp.search_plan(), 'tickets_search_idx', 'the search predicate can use the trigram index');

select * from finish();
rollback;
