"""The ticket repository: reads and writes of the ticket aggregate in DynamoDB. What the items are, their
keys and what a change writes: dal/ticket_items.py.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import itertools
import json
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.dal.ticket_items import (
    ATTACHMENT_PREFIX,
    BODY,
    EVENT_PREFIX,
    HEAD,
    PARTS,
    PENDING,
    PUBLIC_FEED,
    QUEUE_INDEX,
    QUEUE_INDEXES,
    QUEUE_KEYS,
    RANKS,
    SLA_CLOCKS,
    attachment_item,
    change_writes,
    created_order,
    geo_cell_key,
    rank_of,
    split_partition,
    stored_alone,
    stored_as,
    stored_entries,
    ticket_from_items,
    ticket_pk,
    ticket_queue_key,
)
from aduan.logic import lifecycle
from aduan.logic.errors import Conflict, NotFound, Unprocessable
from aduan.logic.visibility import listed
from aduan.models.events import DomainEvent, read_event
from aduan.models.ticket import Attachment, Change, Ticket, TimelineEntry

MAX_PAGE = 100
CODE_ATTEMPTS = 5  # tracking codes drawn for one new ticket before giving up
MAX_BATCH_GET = 100  # keys per BatchGetItem
OLDEST_CURSOR = "oldest"


class CodeTaken(Exception):
    """A new ticket drew a tracking code that already exists."""


class GuardTaken(Exception):
    """The guard item of a change already exists: the change was made before (exactly-once intake)."""


def transact(db: Any, writes: Sequence[dict[str, Any]]) -> None:
    """Write all or nothing: one item is a plain conditional write (half the price of a transaction)."""
    if len(writes) == 1 and "Put" in writes[0]:
        # A refused put answers with the item it found (free): `save` tells its own earlier attempt (applied,
        # answer lost, retried by botocore) from another writer's.
        db.put_item(**writes[0]["Put"], ReturnValuesOnConditionCheckFailure="ALL_OLD")
    elif writes:
        db.transact_write_items(TransactItems=list(writes))


def _found_own(error: ClientError, ticket: Ticket) -> bool:
    """A new ticket's put refused because the item there is this very ticket (same id and version)."""
    if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
        return False
    found: Any = error.response.get("Item") or {}  # botocore's error response does not type `Item`
    return (found.get("id", {}).get("S") == ticket.id
            and found.get("version", {}).get("N") == str(ticket.version))


def batch_get(db: Any, table: str, keys: Sequence[dict[str, Any]], consistent: bool = False
              ) -> list[dict[str, Any]]:
    """The items with these keys (absent ones left out, in no particular order): one BatchGetItem per
    100 keys, unprocessed keys asked again with backoff."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), MAX_BATCH_GET):
        pending: Any = {table: {"Keys": list(keys[start:start + MAX_BATCH_GET]), "ConsistentRead": consistent}}
        for attempt in range(8):
            answer = db.batch_get_item(RequestItems=pending)
            found.extend(codec.from_item(raw) for raw in answer.get("Responses", {}).get(table, []))
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
        else:
            raise RuntimeError(f"{table}: batch reads throttled 8 times")
    return found


def _rank_starts(cursor: str | None) -> dict[int, dict[str, Any]]:
    """Where each rank of an oldest-first queue goes on ({}: from its start; a rank left out is done)."""
    if not cursor:
        return {rank: {} for rank in RANKS}
    key = decode_cursor(cursor) or {}
    ranks = key.get(OLDEST_CURSOR)
    if set(key) != {OLDEST_CURSOR} or not isinstance(ranks, dict) or not set(ranks) <= {str(r) for r in RANKS} \
            or not all(_start_key(start) for start in ranks.values()):
        raise Unprocessable("invalid cursor", details=[{"field": "cursor", "message": "not for this list"}])
    return {int(rank): start for rank, start in ranks.items()}


def _start_key(start: Any) -> bool:
    """Empty (a rank not begun) or a queue index entry's whole key, as the index gave it."""
    return isinstance(start, dict) and (not start or (set(start) == set(QUEUE_KEYS) and all(
        isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) for value in start.values())))


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error):
        key = None
    if not isinstance(key, dict) or not all(isinstance(v, dict) for v in key.values()):
        raise Unprocessable("invalid cursor", details=[{"field": "cursor", "message": "not one we issued"}])
    return key


class TicketRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # ------------------------------------------------------------------ reads
    def get(self, code: str) -> Ticket | None:
        """The head with its SLA fields: one Query of the items sorting before the timeline."""
        return self.get_with_extras(code)[0]

    def get_as_of(self, code: str, version: int) -> Ticket | None:
        """The ticket at `version` or later, read eventually consistent (half the price): a worker handling
        the event of that version almost always finds it; a read that lags behind is made again, consistent."""
        found = self._db.query(TableName=self.table, KeyConditionExpression="pk = :pk AND sk < :events",
                               ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": "B"}))
        ticket = split_partition(found.get("Items", []))[0]
        return ticket if ticket is not None and ticket.version >= version else self.get(code)

    def get_with_attachments(self, code: str) -> tuple[Ticket | None, list[Attachment]]:
        ticket, attachments, _ = self.get_with_extras(code)
        return ticket, attachments

    def get_with_extras(self, code: str) -> tuple[Ticket | None, list[Attachment], dict[str, Any] | None]:
        """Head, attachments and the SLA clocks (`#SLA`) in one Query: all sort before `EV#`."""
        found = self._db.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND sk < :events",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": "B"}),
            ConsistentRead=True,
        )
        ticket, attachments, clocks, _ = split_partition(found.get("Items", []))
        return ticket, attachments, clocks

    def get_with_timeline(self, code: str) -> tuple[Ticket | None, list[Attachment], list[TimelineEntry]]:
        """Head, attachments and the whole timeline (oldest first) in one Query of the ticket's partition;
        a partition over 1 MB (hundreds of entries) continues on further pages of that Query."""
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code)}), ConsistentRead=True)
        items = [raw for page in pages for raw in page.get("Items", [])]
        ticket, attachments, _, entries = split_partition(items)
        return ticket, attachments, entries

    def timeline(self, code: str, limit: int, cursor: str | None, inline: Sequence[TimelineEntry] | None = None
                 ) -> tuple[list[TimelineEntry], str | None]:
        """A page of the timeline, oldest first. `inline`: the entries still on the head as read
        (`ticket_items.pending_entries`; None: read the head for them), the oldest of all: they open the
        first page."""
        if cursor is None and inline is None:
            inline = [TimelineEntry.model_validate(document) for document in self._inline_documents(code)]
        first = (inline or [])[:max(1, min(limit, MAX_PAGE))] if cursor is None else []
        if first and len(first) >= limit:  # the page is full: the stored entries follow from their start
            return list(first), encode_cursor(codec.to_item({"pk": ticket_pk(code), "sk": EVENT_PREFIX}))
        entries, next_cursor = self._page(
            TimelineEntry,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :events)",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":events": EVENT_PREFIX}),
            limit=limit - len(first), cursor=cursor,
        )
        return [*first, *entries], next_cursor

    def timeline_between(self, code: str, after: str, before: str, cursor: str | None = None
                         ) -> tuple[list[TimelineEntry], str | None]:
        """The entries stored strictly between two moments (UTC storage times), oldest first: the SLA
        tracker's look at what happened between the step it applied last and the one it applies now."""
        return self._page(
            TimelineEntry,
            KeyConditionExpression="pk = :pk AND sk BETWEEN :after AND :before",
            # `EV#<time>#<n>#<id>`: '~' sorts after '#', so the entries at `after` itself are left out, and
            # so are those at `before` (they sort after the bare time).
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":after": f"{EVENT_PREFIX}{after}~",
                                                     ":before": f"{EVENT_PREFIX}{before}"}),
            limit=MAX_PAGE, cursor=cursor,
        )

    def created_between(self, queue_pk: str, start: str, end: str) -> Iterator[Ticket]:
        """Tickets of one queue created in [start, end], oldest first: the queue index is sorted by priority
        rank, then creation time, so one key range per rank, merged; heads read 100 at a time."""
        def rank_range(rank: int) -> Iterator[dict[str, Any]]:
            pages = self._db.get_paginator("query").paginate(
                TableName=self.table, IndexName=QUEUE_INDEX,
                KeyConditionExpression="queue_pk = :q AND urgency_sk BETWEEN :start AND :end",
                ExpressionAttributeValues=codec.to_item({":q": queue_pk, ":start": f"{rank}#{start}",
                                                         ":end": f"{rank}#{end}"}))
            for page in pages:
                yield from page.get("Items", [])

        merged = heapq.merge(*(rank_range(rank) for rank in RANKS), key=created_order)
        while batch := list(itertools.islice(merged, MAX_BATCH_GET)):
            yield from self.heads(batch)

    def heads(self, index_items: Sequence[dict[str, Any]]) -> list[Ticket]:
        """The ticket heads behind index entries, in the entries' order: the ticket indexes project keys
        (and the public feed's filter fields) only, so a status change rewrites small index entries
        and the indexes whose keys did not move are not written at all. One BatchGetItem per 100."""
        return self._partitions(list(dict.fromkeys(raw["pk"]["S"] for raw in index_items)))

    def by_codes(self, codes: Sequence[str]) -> list[Ticket]:
        """The tickets with these tracking codes (missing ones left out), in that order: one BatchGetItem."""
        return self._partitions([ticket_pk(code) for code in dict.fromkeys(codes)], consistent=True)

    def _partitions(self, partitions: list[str], consistent: bool = False,
                    kinds: tuple[str, ...] = (HEAD, *PARTS, SLA_CLOCKS)) -> list[Ticket]:
        keys = [codec.to_item({"pk": pk, "sk": sk}) for pk in partitions for sk in kinds]
        found: dict[str, dict[str, dict[str, Any]]] = {sk: {} for sk in kinds}
        for document in batch_get(self._db, self.table, keys, consistent):
            found[document["sk"]][document["pk"]] = document
        return [ticket_from_items(found[HEAD][pk], {part: found[part][pk] for part in PARTS
                                                    if pk in found.get(part, {})},
                                  found.get(SLA_CLOCKS, {}).get(pk)) for pk in partitions if pk in found[HEAD]]

    def events(self, code: str) -> Iterator[DomainEvent]:
        """Every domain event of a ticket (its timeline entries with their snapshots, those still inline on
        its head first), oldest first."""
        pages = self._db.get_paginator("query").paginate(  # the head, its attachments, then the timeline
            TableName=self.table, KeyConditionExpression="pk = :pk AND sk >= :head",
            ExpressionAttributeValues=codec.to_item({":pk": ticket_pk(code), ":head": HEAD}))
        for document in stored_entries(codec.from_item(raw) for page in pages for raw in page.get("Items", [])):
            event = read_event(document)
            if event is not None:
                yield event

    def _inline_documents(self, code: str) -> list[dict[str, Any]]:
        """The timeline entries still inline on the head (stored form): a new ticket's, until its next change."""
        head = self._db.get_item(TableName=self.table, Key=codec.to_item({"pk": ticket_pk(code), "sk": HEAD}),
                                 ProjectionExpression=PENDING, ConsistentRead=True).get("Item")
        return list(codec.from_item(head).get(PENDING) or []) if head else []

    def by_reporter(self, reporter_ref: str, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        return self._page(
            Ticket, IndexName="by_reporter", ScanIndexForward=False,
            KeyConditionExpression="reporter_pk = :r",
            ExpressionAttributeValues=codec.to_item({":r": f"R#{reporter_ref}"}),
            limit=limit, cursor=cursor,
        )

    def queue(self, queue_pk: str, order: str, limit: int, cursor: str | None
              ) -> tuple[list[Ticket], str | None]:
        """order: "oldest", "urgent" or "due" (sparse: only tickets with a running SLA deadline; its
        entries are the `#SLA` clocks items, which carry the queue the ticket was in when the SLA engine
        last saw it: a ticket that has moved on since is left out)."""
        if order == "oldest":
            tickets, next_cursor = self._oldest(queue_pk, limit, cursor)
        else:
            tickets, next_cursor = self._page(
                Ticket, IndexName=QUEUE_INDEXES.get(order, QUEUE_INDEX),
                KeyConditionExpression="queue_pk = :q",
                ExpressionAttributeValues=codec.to_item({":q": queue_pk}),
                limit=limit, cursor=cursor,
            )
        return [ticket for ticket in tickets if ticket_queue_key(ticket) == queue_pk], next_cursor

    def _oldest(self, queue_pk: str, limit: int, cursor: str | None) -> tuple[list[Ticket], str | None]:
        """A queue oldest first from the one queue index (sorted by rank, then age): a page of each rank's
        range, merged by creation time. The cursor holds where each rank not yet exhausted goes on."""
        limit = max(1, min(limit, MAX_PAGE))
        starts = _rank_starts(cursor)
        fetched: dict[int, list[dict[str, Any]]] = {}
        more: dict[int, bool] = {}
        for rank, start in starts.items():
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": QUEUE_INDEX, "Limit": limit,
                "KeyConditionExpression": "queue_pk = :q AND begins_with(urgency_sk, :rank)",
                "ExpressionAttributeValues": codec.to_item({":q": queue_pk, ":rank": f"{rank}#"})}
            if start:
                request["ExclusiveStartKey"] = start
            found = self._query_from_cursor(request)
            fetched[rank], more[rank] = found.get("Items", []), bool(found.get("LastEvaluatedKey"))
        page = sorted((item for items in fetched.values() for item in items), key=created_order)[:limit]
        following: dict[str, dict[str, Any]] = {}
        for rank, start in starts.items():
            taken = [item for item in page if rank_of(item) == rank]
            if len(taken) < len(fetched[rank]) or more[rank]:
                following[str(rank)] = {name: taken[-1][name] for name in QUEUE_KEYS} if taken else start
        next_cursor = encode_cursor({OLDEST_CURSOR: following}) if following else None
        return self.heads(page), next_cursor

    def _query_from_cursor(self, request: dict[str, Any]) -> dict[str, Any]:
        """One Query page; a start key the index refuses is a cursor issued for another list."""
        try:
            found: dict[str, Any] = self._db.query(**request)
        except ClientError as error:
            if "ExclusiveStartKey" in request and error.response["Error"]["Code"] == "ValidationException":
                raise Unprocessable("invalid cursor",
                                    details=[{"field": "cursor", "message": "not for this list"}]) from None
            raise
        return found

    def public_feed(self, *, start: str, end: str, filters: dict[str, list[str]], limit: int,
                    cursor: str | None) -> tuple[list[Ticket], str | None]:
        """Published tickets created in [start, end], newest first; `filters` are attribute -> allowed
        values (a filter on the index query, never a Scan; pages may come back short). The status is
        checked on the heads read, and that they are listed (see `ticket_items.in_public_index`): the
        index does not carry it, so a transition does not rewrite it."""
        filters = dict(filters)
        statuses = set(filters.pop("status", ()))
        names: dict[str, str] = {}
        values: dict[str, Any] = {":feed": PUBLIC_FEED, ":start": start, ":end": end}
        clauses = []
        for number, (path, allowed) in enumerate(sorted(filters.items())):
            parts = []
            for part_number, part in enumerate(path.split(".")):
                names[f"#f{number}_{part_number}"] = part
                parts.append(f"#f{number}_{part_number}")
            keys = []
            for value_number, value in enumerate(allowed):
                values[f":f{number}_{value_number}"] = value
                keys.append(f":f{number}_{value_number}")
            clauses.append(f"{'.'.join(parts)} IN ({', '.join(keys)})")
        query: dict[str, Any] = {
            "IndexName": "public_by_date", "ScanIndexForward": False,
            "KeyConditionExpression": "public_pk = :feed AND created_at BETWEEN :start AND :end",
            "ExpressionAttributeValues": codec.to_item(values),
        }
        if clauses:
            query["FilterExpression"] = " AND ".join(clauses)
            query["ExpressionAttributeNames"] = names
        tickets, next_cursor = self._page(Ticket, limit=limit, cursor=cursor, **query)
        return [ticket for ticket in tickets if listed(ticket) and (not statuses or ticket.status.value in statuses)
                ], next_cursor

    def set_attachment_public(self, code: str, attachment_id: str, public: bool) -> Attachment:
        try:
            key = {"pk": ticket_pk(code), "sk": f"{ATTACHMENT_PREFIX}{attachment_id}"}
            found = self._db.update_item(
                TableName=self.table, Key=codec.to_item(key),
                UpdateExpression="SET #public = :public", ConditionExpression="attribute_exists(sk)",
                ExpressionAttributeNames={"#public": "public"},
                ExpressionAttributeValues=codec.to_item({":public": public}), ReturnValues="ALL_NEW")
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotFound(f"no attachment {attachment_id} on {code}") from None
            raise
        return Attachment.model_validate(codec.from_item(found["Attributes"]))
    def in_cells(self, category_id: str, cells: Sequence[str], since: str) -> list[Ticket]:
        """Complaints of one category filed since `since` in the given geohash cells: one Query per
        cell, so the cost follows the neighbourhood, never the size of the city's archive. Read for
        comparison only: head and body (title, text, place, status), not their outcome or SLA clocks."""
        found: list[Ticket] = []
        for cell in cells:
            request: dict[str, Any] = {
                "TableName": self.table, "IndexName": "by_geocell",
                "KeyConditionExpression": "geo_pk = :g AND created_at >= :since",
                "ExpressionAttributeValues": codec.to_item({":g": geo_cell_key(category_id, cell),
                                                            ":since": since}),
            }
            while True:
                page = self._db.query(**request)
                found.extend(self._partitions(list(dict.fromkeys(raw["pk"]["S"] for raw in page.get("Items", []))),
                                              kinds=(HEAD, BODY)))
                if not page.get("LastEvaluatedKey"):
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return found

    def code_for_id(self, ticket_id: str) -> str | None:
        found = self._db.query(
            TableName=self.table, IndexName="by_ticket_id", KeyConditionExpression="head_ticket_id = :id",
            ExpressionAttributeValues=codec.to_item({":id": ticket_id}), Limit=1,
        )
        items = found.get("Items", [])
        return codec.from_item(items[0])["pk"].removeprefix("T#") if items else None

    def _page(self, model: Any, *, limit: int, cursor: str | None, **query: Any) -> tuple[list[Any], str | None]:
        request: dict[str, Any] = {"TableName": self.table, "Limit": max(1, min(limit, MAX_PAGE)), **query}
        start = decode_cursor(cursor)
        if start:
            request["ExclusiveStartKey"] = start
        found = self._query_from_cursor(request)
        raw_items = found.get("Items", [])
        if model is Ticket and "IndexName" in query:
            items: list[Any] = self.heads(raw_items)
        else:
            items = [model.model_validate(codec.from_item(raw)) for raw in raw_items]
        return items, encode_cursor(found.get("LastEvaluatedKey"))

    # ------------------------------------------------------------------ writes
    def save(self, *changes: Change, guard: dict[str, Any] | None = None, also: Sequence[dict[str, Any]] = ()
             ) -> None:
        """Each change's head and timeline entries in ONE transaction (several tickets: e.g. a duplicate and
        its parent): the entries are the outbox, so a change and its events are stored together or not at
        all. A `guard` item (put only if absent) joins it, so a redelivered cause cannot make it twice;
        `also` are the cause's own bookkeeping writes (transaction items), stored with it."""
        alone = len(changes) == 1 and stored_alone(changes[0], len(also) + (guard is not None))
        writes = [write for change in changes for write in change_writes(self.table, change, alone)]
        writes.extend(also)
        if guard is not None:  # last: a cancellation on the last item is the guard's
            writes.append({"Put": {"TableName": self.table, "Item": codec.to_item(guard),
                                   "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            transact(self._db, writes)
        except ClientError as error:
            if alone and changes[0].new and _found_own(error, changes[0].ticket):
                # A transaction's retry is idempotent (botocore resends its ClientRequestToken); a single put's
                # is not: its first attempt was stored and only the answer was lost.
                stored_as(changes[0], alone)
                return
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if guard is not None and reasons[-1:] == ["ConditionalCheckFailed"]:
                raise GuardTaken(guard["pk"]) from error
            self._raise_conflict(error, changes[0].ticket, changes[0].new)
        for change in changes:
            stored_as(change, alone)

    def save_new(self, change: Change, prefix: str, guard: Callable[[Change], dict[str, Any]] | None = None,
                 also: Callable[[Change], Sequence[dict[str, Any]]] | None = None) -> Change:
        """Store a new ticket (every channel files through here), drawing another tracking code while the
        one drawn is taken; `guard` and `also` build the items that join the transaction (see `save`) for
        the code finally used. Returns the change as stored."""
        for _ in range(CODE_ATTEMPTS):
            try:
                self.save(change, guard=guard(change) if guard else None, also=also(change) if also else ())
                return change
            except CodeTaken:
                change = lifecycle.with_new_code(change, prefix)
        raise Conflict("could not allocate a tracking code; try again", code="code_exhausted")

    @staticmethod
    def _raise_conflict(error: ClientError, ticket: Ticket, new: bool) -> None:
        code = error.response["Error"]["Code"]
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        head_failed = code == "ConditionalCheckFailedException" or (
            code == "TransactionCanceledException" and reasons[:1] == ["ConditionalCheckFailed"]
        )
        if head_failed and new:
            raise CodeTaken(ticket.tracking_code) from error
        if head_failed or code == "TransactionCanceledException":
            raise Conflict(
                "the complaint was changed by someone else; reload it and try again",
                details={"tracking_code": ticket.tracking_code},
                code="version_conflict",
            ) from error
        raise error

    def add_attachment(self, attachment: Attachment) -> None:
        self._db.put_item(**self.attachment_write(attachment)["Put"], ConditionExpression="attribute_not_exists(sk)")

    def attachment_write(self, attachment: Attachment) -> dict[str, Any]:
        """An attachment record as a transaction item (unconditional: a redelivery writes the same record)."""
        return {"Put": {"TableName": self.table, "Item": attachment_item(attachment)}}
