"""The ticket writer's layout, read back: one queue index serves both orders (most urgent first, and oldest
first merged from its rank ranges, page by page with a cursor, and the period reads of exports); the public
feed hides answers under review whose heads stay in its index; an answer or a rating writes the small
`#OUTCOME`, never the citizen's text."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from aduan.dal.ticket_items import change_writes, head_item, part_items, queue_key
from aduan.dal.tickets import TicketRepository
from aduan.logic.errors import Unprocessable
from aduan.logic.status_machine import Status
from aduan.models.ticket import Change, Channel, Priority, Rating, Reporter, Ticket
from infra import emulation

TABLE = "aduan-tickets-queue"
DESK = queue_key(Status.RECEIVED, None)


@pytest.fixture
def repository() -> Iterator[TicketRepository]:
    with mock.patch.dict(os.environ, emulation.credentials()), mock_aws():
        os.environ.pop("AWS_ENDPOINT_URL", None)
        emulation.create_table("TicketsTable", TABLE, stream=False)
        yield TicketRepository(TABLE)


def _ticket(number: int, priority: Priority, status: Status = Status.RECEIVED, **fields: Any) -> Ticket:
    created = f"2026-12-01T{number // 60:02d}:{number % 60:02d}:00Z"
    fields = {"text": "Lubang besar di jalan", **fields}
    return Ticket(id=f"01TICKET{number:018d}", tracking_code=f"ADU-{number:04d}-QQ", title="Lubang",
                  channel=Channel.WEB, reporter=Reporter(ref=f"citizen-{number}"), status=status,
                  priority=priority, created_at=created, updated_at=created, status_since=created, **fields)


def _store(tickets: list[Ticket]) -> None:
    client = boto3.client("dynamodb")
    for ticket in tickets:
        for item in (head_item(ticket), *part_items(ticket)):
            client.put_item(TableName=TABLE, Item=item)


def _read_all(repository: TicketRepository, order: str, limit: int) -> list[str]:
    seen: list[str] = []
    tickets, cursor = repository.queue(DESK, order, limit, None)
    seen += [ticket.tracking_code for ticket in tickets]
    while cursor:
        tickets, cursor = repository.queue(DESK, order, limit, cursor)
        seen += [ticket.tracking_code for ticket in tickets]
    return seen


@pytest.mark.parametrize("limit", [1, 3, 7, 100])
def test_oldest_first_across_priorities_page_by_page(repository: TicketRepository, limit: int) -> None:
    shuffle = random.Random(limit)
    tickets = [_ticket(number, shuffle.choice(list(Priority))) for number in range(23)]
    tickets.append(_ticket(99, Priority.URGENT, Status.VERIFIED))  # another queue: never listed here
    _store(tickets)

    oldest = _read_all(repository, "oldest", limit)

    assert oldest == [ticket.tracking_code for ticket in tickets[:23]]
    ranks = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}
    urgent = sorted(tickets[:23], key=lambda ticket: (ranks[ticket.priority], ticket.created_at))
    assert _read_all(repository, "urgent", limit) == [ticket.tracking_code for ticket in urgent]


def test_an_empty_queue_has_no_next_page(repository: TicketRepository) -> None:
    assert repository.queue(DESK, "oldest", 10, None) == ([], None)


def test_created_between_merges_the_ranks_oldest_first(repository: TicketRepository) -> None:
    tickets = [_ticket(number, list(Priority)[number % 4]) for number in range(12)]
    _store(tickets)

    found = list(repository.created_between(DESK, tickets[2].created_at, tickets[9].created_at))

    assert [ticket.tracking_code for ticket in found] == [ticket.tracking_code for ticket in tickets[2:10]]


@pytest.mark.parametrize("cursor", [
    "eyJwayI6eyJTIjoiVCNBRFUtMDAwMC1RUSJ9fQ==",  # a plain start key: another list's cursor
    "eyJvbGRlc3QiOnsiOSI6e319fQ==",  # {"oldest": {"9": {}}}: no such rank
    "eyJvbGRlc3QiOnsiMCI6eyJwayI6IngifX19",  # {"oldest": {"0": {"pk": "x"}}}: not a key
    "bm90IGpzb24=",
])
def test_a_cursor_not_issued_for_the_oldest_order_is_refused(repository: TicketRepository, cursor: str) -> None:
    with pytest.raises(Unprocessable):
        repository.queue(DESK, "oldest", 10, cursor)


def test_an_answer_under_review_keeps_its_index_entry_but_is_not_in_the_feed(repository: TicketRepository) -> None:
    shown = _ticket(1, Priority.NORMAL, Status.IN_PROGRESS)
    reviewed = _ticket(2, Priority.NORMAL, Status.IN_REVIEW)
    secret = _ticket(3, Priority.NORMAL, Status.IN_REVIEW, confidential=True)
    _store([shown, reviewed, secret])

    assert "public_pk" in head_item(reviewed) and "public_pk" not in head_item(secret)
    feed, _ = repository.public_feed(start="2026-12-01T00:00:00Z", end="2026-12-02T00:00:00Z", filters={},
                                     limit=10, cursor=None)
    assert [ticket.tracking_code for ticket in feed] == [shown.tracking_code]


def _stored(sk: str, code: str) -> dict[str, Any] | None:
    found = boto3.client("dynamodb").get_item(TableName=TABLE, Key={"pk": {"S": f"T#{code}"}, "sk": {"S": sk}})
    return found.get("Item")


def test_an_answer_and_a_rating_write_the_outcome_not_the_citizens_text(repository: TicketRepository) -> None:
    ticket = _ticket(1, Priority.NORMAL, Status.IN_PROGRESS, text="Lubang besar " * 60)
    repository.save(Change(ticket, [], None, new=True))
    code = ticket.tracking_code
    assert _stored("#OUTCOME", code) is None  # nothing handled yet: no outcome item
    read = repository.get(code)
    assert read is not None and read.text == ticket.text

    # Filed on its own, the ticket is one item (its text inline on the head): its first change writes the
    # text out to `#BODY`, in the transaction that leaves it off the head.
    assert "text" in _stored("#TICKET", code) and _stored("#BODY", code) is None  # type: ignore[operator]
    verified = read.model_copy(update={"status": Status.VERIFIED, "version": 2})
    writes = [write["Put"]["Item"]["sk"]["S"] for write in change_writes(TABLE, Change(verified, [], 1))]
    assert writes == ["#TICKET", "#BODY"]
    repository.save(Change(verified, [], 1))
    assert "text" not in _stored("#TICKET", code) and _stored("#BODY", code)["text"]["S"] == ticket.text  # type: ignore[index,operator]
    read = repository.get(code)
    assert read is not None

    answered = read.model_copy(update={"answer_draft": "Sudah ditambal", "version": 3})
    writes = [write["Put"]["Item"]["sk"]["S"] for write in change_writes(TABLE, Change(answered, [], 2))]
    assert writes == ["#TICKET", "#OUTCOME"]
    repository.save(Change(answered, [], 2))
    again = repository.get(code)
    assert again is not None and again.answer_draft == "Sudah ditambal" and again.text == ticket.text

    rated = again.model_copy(update={"rating": Rating(score=5, given_at=again.created_at), "version": 4})
    assert [w["Put"]["Item"]["sk"]["S"] for w in change_writes(TABLE, Change(rated, [], 3))] == ["#TICKET", "#OUTCOME"]
    unchanged = again.model_copy(update={"status": Status.RESOLVED, "version": 4})
    assert [w["Put"]["Item"]["sk"]["S"] for w in change_writes(TABLE, Change(unchanged, [], 3))] == ["#TICKET"]


def test_a_body_written_before_outcomes_is_rewritten_without_them(repository: TicketRepository) -> None:
    ticket = _ticket(2, Priority.NORMAL, Status.IN_REVIEW, answer_draft="Jawaban lama")
    client = boto3.client("dynamodb")
    legacy_body = {"pk": {"S": f"T#{ticket.tracking_code}"}, "sk": {"S": "#BODY"}, "text": {"S": ticket.text},
                   "answer_draft": {"S": "Jawaban lama"}}
    client.put_item(TableName=TABLE, Item=head_item(ticket))
    client.put_item(TableName=TABLE, Item=legacy_body)
    read = repository.get(ticket.tracking_code)
    assert read is not None and read.answer_draft == "Jawaban lama"

    cleared = read.model_copy(update={"answer_draft": None, "status": Status.IN_PROGRESS, "version": 2})
    repository.save(Change(cleared, [], 1))
    body = _stored("#BODY", ticket.tracking_code)
    assert body is not None and "answer_draft" not in body
    again = repository.get(ticket.tracking_code)
    assert again is not None and again.answer_draft is None and again.text == ticket.text


def test_a_new_tickets_inline_entry_is_never_dropped_by_a_blind_replace(repository: TicketRepository) -> None:
    """Filed alone, the ticket's TicketCreated entry rides on its head. A writer that read it writes it out
    with its change; one that did not (a ticket built, not read) is refused rather than dropping it."""
    from aduan.logic import lifecycle
    from aduan.logic.access import Principal
    from aduan.logic.clock import from_storage
    from aduan.logic.errors import Conflict
    from aduan.logic.status_machine import Role
    from aduan.models.ticket import TimelineEntry

    citizen = Principal(sub="citizen-9", roles=frozenset({Role.CITIZEN}))
    draft = lifecycle.Draft(title="Lampu jalan mati", text="Sudah seminggu gelap.", channel=Channel.WEB,
                            reporter=Reporter(ref="citizen-9"))
    filed = lifecycle.open_ticket(draft, citizen, "ADU", from_storage("2026-11-20T01:00:00.000000Z"))
    blind = filed.ticket.model_copy(update={"status": Status.VERIFIED, "version": 2})  # before the save
    repository.save(filed)
    code = filed.ticket.tracking_code
    assert _stored("#TICKET", code)["pending_events"] and _stored("#BODY", code) is None  # type: ignore[index]
    with pytest.raises(Conflict):
        repository.save(Change(blind, [], 1))
    read = repository.get(code)
    assert read is not None and read.text == "Sudah seminggu gelap."
    assert [entry.event_type for entry in repository.get_with_timeline(code)[2]] == ["TicketCreated"]
    repository.save(Change(read.model_copy(update={"status": Status.VERIFIED, "version": 2}), [], 1))
    assert "pending_events" not in _stored("#TICKET", code)  # type: ignore[operator]
    written_out = repository.get_with_timeline(code)[2]
    assert [entry.event_type for entry in written_out] == ["TicketCreated"]
    assert _stored(f"EV#{written_out[0].occurred_at}#0#{written_out[0].event_id}", code)["entity"] == {  # type: ignore[index]
        "S": "relayed_event"}
    assert isinstance(written_out[0], TimelineEntry) and repository.get(code).text == read.text  # type: ignore[union-attr]


def test_a_new_ticket_put_retried_after_a_lost_answer_is_the_same_ticket(repository: TicketRepository) -> None:
    """A single put has no idempotency token: when its answer is lost (a read timeout after DynamoDB applied
    it) botocore's retry is refused by the put's own condition. That must be the filing's success, not a
    taken tracking code that files the complaint a second time under another code (the fault run's find)."""
    from aduan.dal.tickets import CodeTaken
    from aduan.logic import lifecycle
    from aduan.logic.access import Principal
    from aduan.logic.clock import from_storage
    from aduan.logic.status_machine import Role

    citizen = Principal(sub="citizen-7", roles=frozenset({Role.CITIZEN}))
    draft = lifecycle.Draft(title="Sampah menumpuk", text="Di depan pasar.", channel=Channel.WEB,
                            reporter=Reporter(ref="citizen-7"))
    filed = lifecycle.open_ticket(draft, citizen, "ADU", from_storage("2026-11-20T01:00:00.000000Z"))
    again = Change(filed.ticket, list(filed.entries), filed.expected_version, new=True)
    repository.save(filed)
    repository.save(again)  # the retry of an applied put: the same ticket, no error
    assert repository.get(filed.ticket.tracking_code).id == filed.ticket.id  # type: ignore[union-attr]
    other = lifecycle.open_ticket(draft, citizen, "ADU", from_storage("2026-11-20T01:00:01.000000Z"))
    clash = other.ticket.model_copy(update={"tracking_code": filed.ticket.tracking_code})
    with pytest.raises(CodeTaken):  # another ticket on that code is still a taken code
        repository.save(Change(clash, list(other.entries), other.expected_version, new=True))
