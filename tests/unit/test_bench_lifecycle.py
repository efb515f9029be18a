"""The lifecycle bench's wiring and pricing: the workers an event reaches come from template.yaml's rules,
and the cost per million complaints adds up from list prices."""

from __future__ import annotations

from collections import Counter
from typing import Any

from infra.bench.lifecycle import (
    EVENTS_PUBLISHED,
    OFFICER_STEPS,
    PRICES,
    RATINGS_PER_AGENCY_DAY,
    Life,
    Spent,
    document,
    dollars_per_million,
    subscriptions,
    targets,
)


def test_every_bus_rule_feeding_a_worker_is_wired() -> None:
    handlers = {handler for _, handler in subscriptions()}
    assert {"aduan.handlers.routing.handler", "aduan.handlers.sla_tracker.handler", "aduan.handlers.stats.handler",
            "aduan.handlers.notifier.handler"} <= handlers
    created = {"source": "aduan.tickets", "detail-type": "TicketCreated", "detail": {}}
    from infra.local.patterns import matches

    reached = {handler for pattern, handler in subscriptions() if matches(pattern, created)}
    assert "aduan.handlers.routing.handler" in reached and "aduan.handlers.stats.handler" in reached


def test_cost_per_million_from_list_prices() -> None:
    # 10 invocations, of which 6 by queue deliveries of 8 bus events (8 sends, 6 receives, 6 deletes).
    spent = Spent(wcu=100, rcu=40, invocations=10, queue_requests=20,
                  by_service=Counter({EVENTS_PUBLISHED: 8, "sqs:SendMessage": 2, "sesv2:SendEmail": 1}))
    cost = dollars_per_million(spent)
    assert cost["dynamodb"] == round((100 * PRICES["dynamodb_write_unit"] + 40 * PRICES["dynamodb_read_unit"]) * 1e6, 2)
    assert cost["eventbridge"] == 8.0  # $1 per million events, 8 events per complaint
    assert cost["sqs"] == round((2 + 20) * PRICES["sqs_request"] * 1e6, 2)  # no SQS for the API or the stream
    assert cost["ses"] == 100.0


def test_targets_say_pass_or_fail() -> None:
    steps: dict[str, Any] = {step: {"api": {"wcu": 8.0}, "stats": {"wcu": 6.0}} for step in OFFICER_STEPS}
    steps["file"] = {"api": {"wcu": 7.0}, "routing": {"wcu": 6.0}}
    steps["verify"]["api"]["wcu"] = 9.0
    life = {"total": {"wcu": 100.0, "rcu": 50.0}, "cost_per_million_usd": {"total": 90.0}, "by_step": steps}
    checks = {check["target"]: check["passed"] for check in targets({"web": life})}
    assert checks == {"lifecycle (web) write units <= 120": True, "lifecycle (web) read units <= 40": False,
                      "lifecycle (web) USD per million complaints <= 150.0": True,
                      "web intake POST /v1/complaints write units <= 6": False,
                      **{f"officer transition {step}: write units <= 8": step != "verify" for step in OFFICER_STEPS}}


def test_units_are_attributed_to_operation_and_table() -> None:
    from infra.bench.capacity import Cost
    from infra.bench.recorder import Call

    spent, more = Spent(), Spent()
    spent.add([Call("dynamodb", "TransactWriteItems", "write", "tickets", cost=Cost(wcu=4.0, index_wcu={"q": 2}))])
    more.add([Call("dynamodb", "GetItem", "read", "tickets", cost=Cost(rcu=1.0)),
              Call("dynamodb", "TransactWriteItems", "write", "tickets", cost=Cost(wcu=2.0))])
    spent.merge(more)
    assert dict(spent.units_by_table) == {"TransactWriteItems tickets": 8.0, "GetItem tickets": 1.0}
    assert spent.wcu == 8.0 and spent.rcu == 1.0 and spent.dynamodb_calls == 3


def test_the_rating_digest_is_shared_per_complaint_and_lives_at_volume_are_divided() -> None:
    email = Counter({"sesv2:SendEmail": 1})
    web = Life("web", {"assign": {"sender": Spent(wcu=4, invocations=1, by_service=Counter(email))},
                       "rate": {"notifier": Spent(wcu=1, invocations=1)}})
    volume = Life("web_at_volume", {"file": {"api": Spent(wcu=110, invocations=10),
                                             "stats": Spent(wcu=40, invocations=2, queue_requests=12)}},
                  complaints=10)
    digest = Life("rating_digest", {"digest": {"reports": Spent(rcu=0.5, invocations=1),
                                               "sender": Spent(wcu=4, invocations=1, by_service=Counter(email))}})
    found = document([web, volume, digest])
    share = found["rating_digest"]["share_per_million_complaints_usd"]
    assert share["ses"] == round(100.0 / RATINGS_PER_AGENCY_DAY, 2)  # one email per agency-day, shared
    assert found["rating_digest"]["ses_emails_per_agency_day"] == 1
    assert found["web"]["cost_per_million_usd"]["ses"] == 100.0 + share["ses"]  # the assignment email + the share
    assert found["web"]["of_which_rating_digest_usd"] == share["total"]
    assert found["web_at_volume"]["total"] == {"wcu": 15.0, "rcu": 0.0, "calls": 0.0, "dynamodb_calls": 0.0,
                                               "invocations": 1.2, "queue_requests": 1.2}
    assert found["web_at_volume"]["by_function"]["stats"]["invocations"] == 0.2
    assert found["web_at_volume"]["cost_per_million_usd"]["lambda"] == round(
        dollars_per_million(Spent(invocations=12))["lambda"] / 10 + share["lambda"], 2)
    assert set(found) == {"assumptions", "rating_digest", "web", "web_at_volume"}
    assert found["assumptions"]["ratings_per_agency_day"] == RATINGS_PER_AGENCY_DAY
