"""Triage costs: the routing worker per complaint, and duplicate search as the city's archive grows.

The archive is filled with complaints spread over the whole city, of every category, all recent
enough to be searched. A new complaint's duplicate search queries only the geohash cells around it
(one Query per cell, of its own category), so its calls and items read must not follow the total.
That alone cannot tell a flat search from a linear one (each cell holds a handful), so a dense
neighbourhood follows: more and more complaints of the same category within 100 m of one place (a
street everyone reports), where a search that reads every neighbour grows with the crowd.
"""

from __future__ import annotations

import json
import random
from typing import Any

from infra.bench.harness import TABLES
from infra.bench.operations import COMPLAINT, Request, Scenario, _run

ARCHIVE_SIZES = (100, 1_000, 5_000)
DENSE_SIZES = (10, 100, 400)  # same-category neighbours within 100 m
RUNS_PER_SIZE = 5
# Kota Semarang's extent (south, west, north, east) in the seed's areas.json.
CITY = (-7.13, 110.27, -6.925, 110.51)
CROWDED = (-6.9905, 110.4225)  # Simpang Lima
NEAR = 0.0009  # degrees, about 100 m


def _created_event(code: str) -> dict[str, Any]:
    from aduan.dal import codec
    from aduan.dal.clients import client
    from aduan.logic.domain_events import detail

    items = client("dynamodb").query(
        TableName=TABLES["TicketsTable"], KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
        ExpressionAttributeValues=codec.to_item({":pk": f"T#{code}", ":ev": "EV#"}), Limit=1)["Items"]
    body = {"version": "0", "id": f"bench-{code}", "detail-type": "TicketCreated", "source": "aduan.tickets",
            "account": "123456789012", "time": "2026-11-23T03:15:00Z", "region": "ap-southeast-3", "resources": [],
            "detail": detail(codec.from_item(items[0]))}
    return {"Records": [{"messageId": f"m-{code}", "receiptHandle": "r", "body": json.dumps(body),
                         "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}, "md5OfBody": "",
                         "eventSource": "aws:sqs", "awsRegion": "ap-southeast-3",
                         "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:aduan-routing-bench"}]}


def _file(bench: Scenario, count: int, **overrides: Any) -> list[str]:
    return [_run(bench.call("POST", "/v1/complaints", {**COMPLAINT, **overrides}, expect=201))["tracking_code"]
            for _ in range(count)]


def _fill_city(count: int, rng: random.Random) -> None:
    """`count` more complaints anywhere in the city, of any category, straight to the table (not measured)."""
    _fill(count, rng, lambda: (rng.uniform(CITY[0], CITY[2]), rng.uniform(CITY[1], CITY[3])), None)


def _fill_near(count: int, rng: random.Random, category: str) -> None:
    """`count` more complaints of one category within 100 m of CROWDED (not measured)."""
    _fill(count, rng, lambda: (CROWDED[0] + rng.uniform(-NEAR, NEAR), CROWDED[1] + rng.uniform(-NEAR, NEAR)),
          category)


def _fill(count: int, rng: random.Random, point: Any, category: str | None) -> None:
    import boto3

    from aduan import settings
    from aduan.dal.config_store import load_config
    from aduan.dal.ticket_items import head_item, part_items
    from aduan.logic import clock, ids
    from aduan.models.ticket import Channel, Location, Reporter, Ticket

    config = load_config(settings.table_name())
    categories = [category.id for category in config.categories]
    stamp = clock.to_storage(clock.now())
    items: list[dict[str, Any]] = []
    for _ in range(count):
        lat, lon = point()
        ticket = Ticket(id=ids.new_id(clock.now()), tracking_code=ids.new_tracking_code("ADU"), title="Arsip",
                        text="Laporan lama warga", category_id=category or rng.choice(categories),
                        location=Location(lat=lat, lon=lon), channel=Channel.APP, reporter=Reporter(ref="arsip"),
                        created_at=stamp, updated_at=stamp, status_since=stamp)
        items.extend((head_item(ticket), *part_items(ticket)))
    # Straight batch writes, not the ticket writer's transaction: the archive is background, and moto copies
    # every table a transaction touches (filling 5,000 tickets that way takes minutes). A code drawn twice
    # overwrites one archived ticket, which changes nothing measured.
    db = boto3.client("dynamodb")
    for start in range(0, len(items), 25):
        pending: dict[str, Any] = {settings.table_name(): [{"PutRequest": {"Item": item}}
                                                          for item in items[start:start + 25]]}
        while pending:
            pending = db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def measure(bench: Scenario) -> None:
    from aduan.handlers.routing import handler

    def routed(codes: list[str]) -> Any:
        return lambda i: Request(handler, _created_event(codes[i]))

    new = _file(bench, bench.runs, title="Sampah menumpuk", category_id=None,
                text="Sampah numpuk di TPS sudah seminggu tidak diangkut, bau sekali")
    bench.measure("routing", "routing worker: one TicketCreated (classify, locate, rules, duplicates)",
                  routed(new), note="SQS batch of one; no category given, classified from the text")
    rng, archived = random.Random(4), 0
    for step, size in enumerate(ARCHIVE_SIZES):
        _fill_city(size - archived, rng)
        archived = size
        # A fresh place per size (in Tembalang), so its neighbours are the archive's and this size's runs.
        place = {"lat": -7.06 + 0.01 * step, "lon": 110.45, "address": "Tembalang"}
        codes = _file(bench, RUNS_PER_SIZE, location=place)
        bench.measure(f"duplicate_search_{size}", f"routing with {size} other complaints in the city",
                      routed(codes), runs=RUNS_PER_SIZE,
                      note=f"{RUNS_PER_SIZE} runs at one place and category: later runs find the earlier ones")
    filled = 0
    for size in DENSE_SIZES:
        _fill_near(size - filled, rng, str(COMPLAINT["category_id"]))
        filled = size
        place = {"lat": CROWDED[0], "lon": CROWDED[1], "address": "Simpang Lima"}
        codes = _file(bench, RUNS_PER_SIZE, location=place)
        bench.measure(f"duplicate_dense_{size}", f"routing with {size} same-category complaints within 100 m",
                      routed(codes), runs=RUNS_PER_SIZE,
                      note="dense neighbourhood: a search reading every neighbour grows with it")
