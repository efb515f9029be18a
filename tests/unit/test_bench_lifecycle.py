"""The lifecycle bench's wiring and pricing: the workers an event reaches come from template.yaml's rules,
and the cost per million complaints adds up from list prices."""

from __future__ import annotations

from collections import Counter

from infra.bench.lifecycle import EVENTS_PUBLISHED, PRICES, Spent, dollars_per_million, subscriptions, targets


def test_every_bus_rule_feeding_a_worker_is_wired() -> None:
    handlers = {handler for _, handler in subscriptions()}
    assert {"aduan.handlers.routing.handler", "aduan.handlers.sla_tracker.handler", "aduan.handlers.stats.handler",
            "aduan.handlers.notifier.handler"} <= handlers
    created = {"source": "aduan.tickets", "detail-type": "TicketCreated", "detail": {}}
    from infra.local.patterns import matches

    reached = {handler for pattern, handler in subscriptions() if matches(pattern, created)}
    assert "aduan.handlers.routing.handler" in reached and "aduan.handlers.stats.handler" in reached


def test_cost_per_million_from_list_prices() -> None:
    spent = Spent(wcu=100, rcu=40, invocations=10,
                  by_service=Counter({EVENTS_PUBLISHED: 8, "sqs:SendMessage": 2, "sesv2:SendEmail": 1}))
    cost = dollars_per_million(spent)
    assert cost["dynamodb"] == round((100 * PRICES["dynamodb_write_unit"] + 40 * PRICES["dynamodb_read_unit"]) * 1e6, 2)
    assert cost["eventbridge"] == 8.0  # $1 per million events, 8 events per complaint
    assert cost["sqs"] == round((2 + 3 * 10) * PRICES["sqs_request"] * 1e6, 2)
    assert cost["ses"] == 100.0


def test_targets_say_pass_or_fail() -> None:
    life = {"total": {"wcu": 100.0, "rcu": 50.0}, "cost_per_million_usd": {"total": 90.0}}
    checks = {check["target"]: check["passed"] for check in targets({"web": life})}
    assert checks == {"lifecycle (web) write units <= 120": True, "lifecycle (web) read units <= 40": False,
                      "lifecycle (web) USD per million complaints <= 150.0": True}
