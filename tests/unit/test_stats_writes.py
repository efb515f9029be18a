"""The statistics writes' refusals: which ones mean "read the ticket's state again and retry"."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError

from aduan.dal import stats as store
from aduan.logic.stats import TicketState

STATE = TicketState(version=3, status="accepted", agency="dpu", category="jalan-rusak", channel="web", area="-",
                    created_day="2026-11-23")
PREVIOUS = TicketState(version=2, status="assigned", agency="dpu", category="jalan-rusak", channel="web", area="-",
                       created_day="2026-11-23")
OPENED = {(("dpu", "jalan-rusak", "web", "-"), "2026-11-23"): Counter({"n_assigned": -1, "n_accepted": 1})}


class Refusing:
    """A DynamoDB client whose transactions are cancelled for the given reasons."""

    def __init__(self, *reasons: str) -> None:
        self.reasons = reasons
        self.sent: list[dict[str, Any]] = []

    def transact_write_items(self, **request: Any) -> None:
        self.sent.append(request)
        raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                           "CancellationReasons": [{"Code": code} for code in self.reasons]}, "TransactWriteItems")


def moved(monkeypatch: pytest.MonkeyPatch, client: Refusing, guessed: bool = False) -> bool:
    monkeypatch.setattr(store.StatsRepository, "_db", property(lambda self: client))
    return store.StatsRepository("t").move("T1", STATE, PREVIOUS, guessed, OPENED)


def test_a_stale_version_or_a_conflicting_transaction_is_read_again(monkeypatch: pytest.MonkeyPatch) -> None:
    for reasons in (("ConditionalCheckFailed", "None"), ("None", "TransactionConflict")):
        client = Refusing(*reasons)
        assert moved(monkeypatch, client) is False
        (request,) = client.sent
        state, opened = request["TransactItems"]
        assert state["Update"]["ConditionExpression"] == "version = :read"
        assert state["Update"]["ExpressionAttributeValues"][":read"] == {"N": "2"}
        assert "REMOVE seen" in state["Update"]["UpdateExpression"]
        assert opened["Update"]["Key"]["sk"] == {"S": "dpu#jalan-rusak#web#-#2026-11-23"}


def test_any_other_refusal_fails_the_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ClientError):
        moved(monkeypatch, Refusing("ValidationError", "None"))


def test_a_state_taken_from_the_event_is_asserted_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not read but known from the event (`known_before`): the move holds only if the stored state is exactly
    the one it was worked out from, and older than the event."""
    client = Refusing("ConditionalCheckFailed", "None")
    assert moved(monkeypatch, client, guessed=True) is False
    state = client.sent[0]["TransactItems"][0]["Update"]
    names, values = state["ExpressionAttributeNames"], state["ExpressionAttributeValues"]
    condition = state["ConditionExpression"]
    assert condition.startswith("version < :next AND ") and values[":next"] == {"N": "3"}
    asserted = {names[part.split(" = ")[0]]: values[part.split(" = ")[1]]["S"]
                for part in condition.split(" AND ")[1:]}
    assert asserted == {"status": "assigned", "agency": "dpu", "category": "jalan-rusak", "channel": "web",
                        "area": "-", "created_day": "2026-11-23"}
    used = {token for token in condition.replace("(", " ").split() if token.startswith(":")}
    used |= {token.strip(",") for token in state["UpdateExpression"].split() if token.startswith(":")}
    assert set(values) == used  # DynamoDB refuses a value no expression uses
