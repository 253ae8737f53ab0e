-- create_ticket with an idempotency key but no request_hash (a direct PostgREST caller; the BFF
-- always sends its hash) stored a null hash, and null matched null: the same key with another
-- body replayed the first ticket. When request_hash is null the hash is now computed from the
-- request's own parameters (handling_org_id, subject, description, priority, ticket_id,
-- attachment_ids), so the same key with another body is refused (PT422 hint idempotency_key) for
-- direct callers too. Computed hashes start with `sql:`: they never equal one the BFF sent.
--
-- create_ticket: as in 20261130150120_attach_files_to_tickets_and_comments.sql (same signature and
-- grants), with that hash.

create or replace function public.create_ticket(
  handling_org_id uuid,
  subject text,
  description text,
  priority text default 'medium',
  idempotency_key text default null,
  request_hash text default null,
  ticket_id uuid default null,
  attachment_ids uuid[] default null
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
      'attachment_ids', to_jsonb(create_ticket.attachment_ids)
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

  v_response := jsonb_build_object('ticket', private.ticket_json(v_ticket), 'replayed', false);

  if create_ticket.idempotency_key is not null then
    update private.idempotency_keys k
    set response = v_response
    where k.user_id = v_user_id and k.key = create_ticket.idempotency_key;
  end if;

  return v_response;
end;
$$;
