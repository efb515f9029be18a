"""A complaint's whole life, priced: every API step and every worker the events reach.

One web complaint (and one filed from WhatsApp) is filed, verified, assigned, accepted, started, resolved,
approved by the desk (Semarang reviews answers), rated and closed. The tickets are realistic: a
citizen's text of a few hundred characters, a neighbour reported the same hole the day before (so
routing finds a duplicate candidate), routing's suggestion and the SLA clocks are stored as in
production. After each step the outbox is drained as on AWS: the stream's new `EV#` records go
through the event relay's own `bus_entry`, each bus event goes to the functions whose rules in
template.yaml match it (routing, SLA tracker, statistics, notifier), what those write to the outbox is
relayed in turn, and the delivery queue is drained by the sender. Every AWS call on the way is recorded
and priced (infra/bench/capacity.py), and attributed to the step and the function that made it.

Officers hear of ratings in a daily digest per agency (docs/notifications.md#daily-rating-digest), so the
next morning's digest job is run too, measured once per agency-day and shared among the complaints rated
that day at a stated assumption (RATINGS_PER_AGENCY_DAY). Beside the one-complaint figures, `VOLUME`
web complaints are lived interleaved step by step through the same pump, so the template's batch sizes and
batching windows fill batches as they would under load: invocations and SQS requests per complaint at volume.
"""

from __future__ import annotations

import importlib
import json
import os
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from infra import emulation
from infra.bench.harness import (
    BUS,
    CLAIMS,
    aws,
    bench_context,
    enable_stream,
    outbox_records,
    relay_batch_size,
    rest_event,
)
from infra.bench.operations import COMPLAINT, TRANSITIONS
from infra.bench.recorder import Call, Recorder
from infra.sam import load_template, ref_target

STEPS: list[tuple[str, str, dict[str, Any]]] = [
    *TRANSITIONS, ("citizen", "rate", {"score": 5, "comment": "Cepat, terima kasih"}), ("citizen", "close", {})]
OFFICER_STEPS = tuple(action for _, action, _ in TRANSITIONS)
# What citizens write (about 450 characters), not a one-liner.
REALISTIC = {**COMPLAINT, "text": (
    "Selamat siang Bapak/Ibu. Di Jl. Pandanaran depan toko oleh-oleh ada lubang besar kira-kira satu meter "
    "lebarnya dan cukup dalam, sudah hampir dua minggu tidak diperbaiki. Kalau hujan lubangnya tertutup air "
    "sehingga tidak kelihatan, kemarin malam ada pengendara motor yang jatuh di situ. Lalu lintas di jam "
    "pulang kerja jadi macet karena semua kendaraan menghindar ke kanan. Mohon segera ditambal sebelum ada "
    "korban lagi. Terima kasih.")}
NEIGHBOUR = {**COMPLAINT, "title": "Lubang di Pandanaran", "text": "Lubang besar di Jl. Pandanaran, bahaya."}
Handler = Callable[[dict[str, Any], Any], Any]


# What WhatsApp's Cloud API reports for a message that reached the phone and was read: one webhook each
# (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples#message-status-updates).
CALLBACK_STATUSES = ("sent", "delivered", "read")
WCU_LIMIT, RCU_LIMIT, COST_LIMIT = 120, 40, 150.0  # per complaint; dollars per million complaints
WCU_GOAL, COST_GOAL = 50, 60.0
INTAKE_WCU_LIMIT, TRANSITION_WCU_LIMIT = 6, 8  # the API's own writes: filing; each officer step
# List prices (USD, us-east-1, on-demand, as published on the AWS pricing pages in 2025); Jakarta
# (ap-southeast-3) is about 15-25% dearer. Lambda time is an assumption: 512 MB for 100 ms per invocation.
PRICES = {
    "dynamodb_write_unit": 0.625 / 1e6, "dynamodb_read_unit": 0.125 / 1e6,
    "lambda_invocation": 0.20 / 1e6, "lambda_gb_second": 0.0000166667, "sqs_request": 0.40 / 1e6,
    "eventbridge_event": 1.00 / 1e6, "ses_email": 0.10 / 1e3, "s3_put": 0.005 / 1e3, "s3_get": 0.0004 / 1e3,
}
LAMBDA_GB_SECONDS = 0.5 * 0.1
# The rating digest is one email per rated agency and local day, however many ratings it reports; its cost per
# complaint is the measured agency-day divided by this. Assumed: 10 rated complaints per agency-day (a city of
# a million complaints a year with ~40 agencies averages about 68; a small city with ~10 complaints a day
# averages fewer than 1, and then the digest costs what an email per rating did).
RATINGS_PER_AGENCY_DAY = 10
VOLUME = 10  # web complaints in flight together for the at-volume figure (one full batch of BatchSize 10)
EVENTS_PUBLISHED = "events:entries"  # bus events the relay published (priced per event, not per call)


@dataclass
class Spent:
    wcu: float = 0.0
    rcu: float = 0.0
    calls: int = 0
    dynamodb_calls: int = 0
    invocations: int = 0
    # SQS requests of the queue deliveries that invoked it, besides its own calls: the bus's SendMessage per
    # event (a queue fed by a rule), Lambda's ReceiveMessage and DeleteMessageBatch per batch.
    queue_requests: int = 0
    by_service: Counter[str] = field(default_factory=Counter)  # "service:Operation" -> calls
    units_by_table: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # "Op table" -> units

    def add(self, calls: list[Call], invocations: int = 1) -> None:
        self.invocations += invocations
        for call in calls:
            self.calls += 1
            self.by_service[f"{call.service}:{call.operation}"] += 1
            if call.cost is not None:
                self.dynamodb_calls += 1
                self.wcu += call.cost.total_wcu
                self.rcu += call.cost.rcu
                self.units_by_table[f"{call.operation} {call.target}"] += call.cost.total_wcu + call.cost.rcu

    def merge(self, other: Spent) -> None:
        self.wcu += other.wcu
        self.rcu += other.rcu
        self.calls += other.calls
        self.dynamodb_calls += other.dynamodb_calls
        self.invocations += other.invocations
        self.queue_requests += other.queue_requests
        self.by_service.update(other.by_service)
        for name, units in other.units_by_table.items():
            self.units_by_table[name] += units


def dollars_per_million(spent: Spent) -> dict[str, float]:
    """What a million complaints living like this one cost at list prices, by service."""
    calls = spent.by_service
    sqs = sum(n for name, n in calls.items() if name.startswith("sqs:"))
    parts = {
        "dynamodb": spent.wcu * PRICES["dynamodb_write_unit"] + spent.rcu * PRICES["dynamodb_read_unit"],
        "lambda": spent.invocations * (PRICES["lambda_invocation"] + LAMBDA_GB_SECONDS * PRICES["lambda_gb_second"]),
        # Our own SQS calls, and the deliveries' requests (the API and the stream-fed relay have none).
        "sqs": (sqs + spent.queue_requests) * PRICES["sqs_request"],
        "eventbridge": calls[EVENTS_PUBLISHED] * PRICES["eventbridge_event"],  # per custom event published
        "ses": calls["sesv2:SendEmail"] * PRICES["ses_email"],
        "s3": calls["s3:PutObject"] * PRICES["s3_put"] + calls["s3:GetObject"] * PRICES["s3_get"],
    }
    return {name: round(value * 1e6, 2) for name, value in parts.items()}


@dataclass
class Life:
    channel: str
    by_step: dict[str, dict[str, Spent]] = field(default_factory=dict)  # step -> function -> spent
    complaints: int = 1  # lived together (interleaved step by step); the figures are for all of them

    def total(self) -> Spent:
        whole = Spent()
        for functions in self.by_step.values():
            for spent in functions.values():
                whole.merge(spent)
        return whole

    def by_function(self) -> dict[str, Spent]:
        found: dict[str, Spent] = defaultdict(Spent)
        for functions in self.by_step.values():
            for name, spent in functions.items():
                found[name].merge(spent)
        return dict(found)


def _logical(reference: Any) -> str:
    return ref_target(reference) or str(reference)


def subscriptions() -> list[tuple[dict[str, Any], str]]:
    """(event pattern, handler path) for every bus rule whose target queue feeds a function."""
    resources = load_template()["Resources"]
    handler_of_queue: dict[str, str] = {}
    for resource in resources.values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            if event["Type"] == "SQS":
                handler_of_queue[_logical(event["Properties"]["Queue"])] = resource["Properties"]["Handler"]
    found = []
    for resource in resources.values():
        if resource["Type"] != "AWS::Events::Rule" or "EventPattern" not in resource["Properties"]:
            continue
        for target in resource["Properties"].get("Targets", []):
            queue = _logical(target["Arn"])
            if queue in handler_of_queue:
                found.append((resource["Properties"]["EventPattern"], handler_of_queue[queue]))
    return found


def batch_sizes() -> dict[str, int]:
    """Handler path -> how many of one round's bus events its queue hands it at once. With a batching window
    (MaximumBatchingWindowInSeconds) the events one step publishes together (one PutEvents, the same
    millisecond) arrive in one batch of up to BatchSize; without one, the bench delivers them one by one."""
    found = {}
    for resource in load_template()["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            source = event["Properties"] if event["Type"] == "SQS" else {}
            if source.get("MaximumBatchingWindowInSeconds"):
                found[resource["Properties"]["Handler"]] = int(source.get("BatchSize", 10))
    return found


def _handler(path: str) -> Handler:
    module, _, name = path.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


class Pump:
    """Drains the outbox and the delivery queue through the workers, recording who spent what."""

    def __init__(self, recorder: Recorder) -> None:
        from infra.local.patterns import matches

        self.recorder, self.matches = recorder, matches
        self.rules = subscriptions()
        self.batch_sizes = batch_sizes()
        self.relay_batch = relay_batch_size()
        # One message per sender invocation (the one-complaint figures, kept comparable with earlier runs); at
        # volume the delivery queue's batching window fills the sender's batches as it does the other queues'.
        self.sender_batch = 1
        self.seen: set[str] = set()
        self.wamids: list[str] = []  # WhatsApp messages sent, in order
        self.answered = 0  # of those, how many have had their status callbacks

    def _run(self, spent: dict[str, Spent], name: str, handler: Handler, event: dict[str, Any],
             queue_requests: int = 0) -> Any:
        self.recorder.take()
        answer = handler(event, bench_context())
        spent.setdefault(name, Spent()).add(self.recorder.take())
        spent[name].queue_requests += queue_requests
        if isinstance(answer, dict) and answer.get("batchItemFailures"):
            raise RuntimeError(f"{name} failed a record: {answer}")
        return answer

    def _new_records(self) -> list[dict[str, Any]]:
        fresh = [record for record in outbox_records() if record["eventID"] not in self.seen]
        self.seen.update(record["eventID"] for record in fresh)
        return fresh

    def drain(self, spent: dict[str, Spent]) -> None:
        from aduan.dal import codec
        from aduan.logic.domain_events import bus_entries
        from infra.bench import notifications as wiring

        for _ in range(20):
            records = self._new_records()
            messages = wiring.queued_messages()
            if not records and not messages:
                return
            for start in range(0, len(records), self.relay_batch):  # the stream's BatchSize
                chunk = records[start:start + self.relay_batch]
                self._run(spent, "event_relay", _handler("aduan.handlers.event_relay.handler"), {"Records": chunk})
                spent["event_relay"].by_service[EVENTS_PUBLISHED] += len(chunk)
            queued: dict[str, list[str]] = {}  # handler path -> the bus events its queue received, in order
            for record_id, entry in ((record["eventID"], entry) for record in records
                                     for entry in bus_entries(codec.from_item(record["dynamodb"]["NewImage"]), BUS)):
                event = {"version": "0", "id": f"bench-{record_id}", "detail-type": entry["DetailType"],
                         "source": entry["Source"], "account": "123456789012", "time": entry["Time"],
                         "region": "ap-southeast-3", "resources": [], "detail": json.loads(entry["Detail"])}
                for pattern, path in self.rules:
                    if self.matches(pattern, event):
                        queued.setdefault(path, []).append(json.dumps(event))
            for path, bodies in queued.items():
                size = self.batch_sizes.get(path, 1)
                for start in range(0, len(bodies), size):
                    batch = bodies[start:start + size]
                    self._run(spent, path.split(".")[-2], _handler(path), wiring.sqs_event(batch),
                              queue_requests=len(batch) + 2)  # the bus's sends, a receive, a delete
            for start in range(0, len(messages), self.sender_batch):  # sent by the notifier's own calls
                self._run(spent, "sender", _handler("aduan.handlers.sender.handler"),
                          wiring.sqs_event(messages[start:start + self.sender_batch]), queue_requests=2)
        raise RuntimeError("the outbox did not settle after 20 rounds")


    def callbacks(self, spent: dict[str, Spent]) -> None:
        """WhatsApp's status callbacks for the messages sent since the last call: each a signed webhook to the
        webhooks function, which publishes one DeliveryStatusReported; the bus hands it to the queues whose
        rules match (the notifier's: it records the status on the timeline)."""
        from infra.bench import notifications as wiring
        from infra.channel_samples import PHONE, SAMPLE_TIME, meta_signature, whatsapp

        webhooks = _handler("aduan.handlers.webhooks.handler")
        for wamid in self.wamids[self.answered:]:
            for offset, status in enumerate(CALLBACK_STATUSES):
                body = json.dumps(whatsapp({"statuses": [{"id": wamid, "status": status, "recipient_id": PHONE,
                                                          "timestamp": str(SAMPLE_TIME + offset)}]})).encode()
                headers = {"X-Hub-Signature-256": meta_signature(wiring.APP_SECRET, body)}
                answer = self._run(spent, "webhooks", webhooks, emulation.rest_event(
                    "POST", "/webhooks/whatsapp", None, None, headers, raw_body=body.decode(), stage="bench"))
                if answer["statusCode"] != 200:
                    raise RuntimeError(f"the status webhook was refused: {answer}")
                spent["webhooks"].by_service[EVENTS_PUBLISHED] += 1
                detail = {"channel": "whatsapp", "provider_message_id": wamid, "status": status,
                          "recipient": PHONE, "occurred_at": f"2026-11-23T08:10:0{offset}.000000Z"}
                envelope = {"version": "0", "id": f"bench-{wamid}-{status}", "detail-type": "DeliveryStatusReported",
                            "source": "aduan.channels", "account": "123456789012", "time": detail["occurred_at"],
                            "region": "ap-southeast-3", "resources": [], "detail": detail}
                for pattern, path in self.rules:
                    if self.matches(pattern, envelope):
                        self._run(spent, path.split(".")[-2], _handler(path),
                                  wiring.sqs_event([json.dumps(envelope)]), queue_requests=3)
        self.answered = len(self.wamids)


def _api(recorder: Recorder, spent: dict[str, Spent], method: str, path: str, body: Any, who: str) -> Any:
    from aduan.handlers.api import handler

    recorder.take()
    answer = handler(rest_event(method, path, body, who), bench_context())
    spent.setdefault("api", Spent()).add(recorder.take(), invocations=0 if method == "GET" else 1)
    if answer["statusCode"] >= 300:
        raise RuntimeError(f"{method} {path}: HTTP {answer['statusCode']} {answer.get('body')}")
    return json.loads(answer["body"])


def _live(recorder: Recorder, pump: Pump, channel: str, complaints: int = 1) -> Life:
    """`complaints` lives interleaved: each step is taken for every complaint, then the pump drains."""
    life = Life(channel, complaints=complaints)
    pump.answered = len(pump.wamids)  # the other life's messages are not this one's
    reporters = ["whatsapp" if channel == "whatsapp" else "citizen"]
    for number in range(1, complaints):  # citizens of their own, each complaint in its own street
        reporters.append(f"citizen-volume-{number}")
        CLAIMS[reporters[-1]] = {"sub": reporters[-1], "cognito:groups": "citizen"}
    spent: dict[str, Spent] = {}
    codes = []
    for number, who in enumerate(reporters):
        street = cast(dict[str, Any], COMPLAINT["location"])
        where = {**street, "lat": street["lat"] - 0.01 * number}
        codes.append(_api(recorder, spent, "POST", "/v1/complaints", {**REALISTIC, "location": where},
                          who)["tracking_code"])
    pump.drain(spent)
    life.by_step["file"] = spent
    for actor, action, fields in STEPS:
        spent = {}
        for code, who in zip(codes, reporters, strict=True):
            by = who if actor == "citizen" else actor
            if action == "rate":
                _api(recorder, spent, "POST", f"/v1/complaints/{code}/rating", fields, by)
            else:
                version = _api(recorder, {}, "GET", f"/v1/complaints/{code}", None, by)["version"]
                _api(recorder, spent, "POST", f"/v1/complaints/{code}/transitions",
                     {"action": action, "expected_version": version, **fields}, by)
        pump.drain(spent)
        life.by_step[action] = spent
    if channel == "whatsapp":
        life.by_step["status_callbacks"] = spent = {}
        pump.callbacks(spent)
    return life


def _digest_morning(pump: Pump) -> Life:
    """The next morning at the same hour: the reports function's RatingDigest schedule (its input from
    template.yaml) sends the digest of the day the complaints were rated, and the sender emails it."""
    from aduan.logic import clock

    events = load_template()["Resources"]["ReportsFunction"]["Properties"]["Events"]
    tick = json.loads(events["RatingDigest"]["Properties"]["Input"])
    life, spent = Life(DIGEST), dict[str, Spent]()
    morning = clock.now() + timedelta(days=1)
    clock.set_clock(lambda: morning)
    try:
        pump._run(spent, "reports", _handler("aduan.handlers.reports.handler"), tick)
        pump.drain(spent)
    finally:
        clock.set_clock(None)
    life.by_step["digest"] = spent
    return life


def measure(volume: int = VOLUME) -> list[Life]:
    """A web and a WhatsApp complaint's lives, each through every worker; `volume` web complaints lived
    together; the next morning's rating digest."""
    from infra.bench import notifications as wiring

    recorder = Recorder()
    with recorder.installed(), aws(), open(os.devnull, "w") as sink, warnings.catch_warnings(), \
            redirect_stdout(sink), wiring.wired():
        warnings.simplefilter("ignore")
        enable_stream()
        pump = Pump(recorder)
        wiring.whatsapp_answers_in_process(pump.wamids)
        pump.drain({})
        # The city config is loaded once per container (5 minutes' cache): not a cost of one complaint.
        _api(recorder, {}, "GET", "/v1/categories", None, "citizen")
        _api(recorder, {}, "POST", "/v1/complaints", NEIGHBOUR, "citizen")  # the duplicate candidate, unpriced
        pump.drain({})
        lives = [_live(recorder, pump, channel) for channel in ("web", "whatsapp")]
        if volume > 1:
            pump.sender_batch = pump.batch_sizes.get("aduan.handlers.sender.handler", 1)
            lives.append(_live(recorder, pump, "web_at_volume", volume))
        return [*lives, _digest_morning(pump)]


DIGEST = "rating_digest"


def _figures(spent: Spent, complaints: int = 1) -> dict[str, Any]:
    """Per complaint: the totals of `complaints` lived together, divided."""
    values = {"wcu": spent.wcu, "rcu": spent.rcu, "calls": spent.calls, "dynamodb_calls": spent.dynamodb_calls,
              "invocations": spent.invocations, "queue_requests": spent.queue_requests}
    return values if complaints == 1 else {name: round(value / complaints, 2) for name, value in values.items()}


def _with_total(cost: Mapping[str, float]) -> dict[str, float]:
    return {**cost, "total": round(sum(cost.values()), 2)}


def document(lives: list[Life]) -> dict[str, Any]:
    found: dict[str, Any] = {"assumptions": {
        "prices_usd": PRICES, "lambda_gb_seconds_per_invocation": LAMBDA_GB_SECONDS,
        "ratings_per_agency_day": RATINGS_PER_AGENCY_DAY, "note": PRICE_NOTE}}
    digest = next((life for life in lives if life.channel == DIGEST), None)
    share: dict[str, float] = {}
    if digest is not None:
        whole = digest.total()
        per_day = dollars_per_million(whole)  # per million agency-days
        share = {name: round(value / RATINGS_PER_AGENCY_DAY, 2) for name, value in per_day.items()}
        found[DIGEST] = {
            "per_agency_day": _figures(whole), "ses_emails_per_agency_day": whole.by_service["sesv2:SendEmail"],
            "by_function": {name: _figures(spent) for name, spent in sorted(digest.by_function().items())},
            "cost_per_million_agency_days_usd": _with_total(per_day),
            "share_per_million_complaints_usd": _with_total(share),
            "note": DIGEST_NOTE}
    for life in lives:
        if life.channel == DIGEST:
            continue
        total, n = life.total(), life.complaints
        measured = dollars_per_million(total)
        cost = {name: round(value / n + share.get(name, 0.0), 2) for name, value in measured.items()}
        found[life.channel] = {
            "complaints": n, "total": _figures(total, n), "cost_per_million_usd": _with_total(cost),
            "of_which_rating_digest_usd": share.get("total", round(sum(share.values()), 2)),
            "by_function": {name: _figures(spent, n) for name, spent in sorted(life.by_function().items())},
            "by_step": {step: {name: _figures(spent, n) for name, spent in functions.items()}
                        for step, functions in life.by_step.items()},
        }
    return found


PRICE_NOTE = ("List prices, us-east-1 on-demand (Jakarta is dearer); DynamoDB on-demand $0.625 per million write "
              "units and $0.125 per million read units, storage and streams not included; Lambda 512 MB x 100 ms "
              "per invocation; SQS: our own calls, plus per queue delivery the bus's SendMessage per event and "
              "Lambda's ReceiveMessage + DeleteMessageBatch per batch (the API and the stream-fed relay have no "
              "queue; the pollers' empty long polls, about $0.26 a month per queue, are not per complaint); "
              "EventBridge $1 per million custom events (delivery log entries are not published); SES $0.10 per "
              "1,000 emails, counted from what the sender actually sent: the agency's assignment email (one per "
              "agency address, sent when it happens) and the complaint's share of its agency's daily rating "
              "digest (the next morning's digest job measured through the same harness, divided by "
              f"{RATINGS_PER_AGENCY_DAY} rated complaints per agency-day, an assumption: see rating_digest.note); "
              "the digest's Lambda, SQS and DynamoDB share is added the same way to each service; the WhatsApp "
              "life includes its status callbacks (sent, delivered, read per message); WhatsApp (Meta) "
              "conversation fees and API Gateway requests are not included; GET requests that only look up the "
              "version before a transition are priced but not counted as invocations. web_at_volume: "
              f"{VOLUME} web complaints lived interleaved step by step (each in its own street, by its own "
              "citizen, so without the duplicate candidate of the one-complaint life), each bus event round "
              "handed to the queues in batches of their BatchSize where the template sets a batching window "
              "(the sender's too), one at a time where it does not (the SLA tracker: an upper bound), the "
              "stream to the relay in batches of its BatchSize; figures per complaint.")
DIGEST_NOTE = ("One digest run the morning after the lifecycles (the reports function invoked with the RatingDigest "
               "schedule's input, its Query of the day, the queued email, the sender's claim and SES call), "
               "reporting the day's ratings of the agency every complaint here was assigned to. Its cost hardly "
               "depends on how many ratings it lists (one Query page holds hundreds) and is counted once per rated "
               "agency and day; per complaint it is divided by ratings_per_agency_day "
               f"({RATINGS_PER_AGENCY_DAY}: about 68 at a million complaints a year over ~40 agencies, below 1 "
               "in a small city, where the digest costs about what an email per rating did). The reports "
               "function's invocation is shared by every agency of the day: counting it per agency overstates.")


def targets(found: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Pass/fail of the lifecycle figures, per channel."""
    checks = []
    for channel in ("web", "whatsapp"):
        life = found.get(channel)
        if not life:
            continue
        for name, value, limit, goal in (
                ("write units", life["total"]["wcu"], WCU_LIMIT, f"goal {WCU_GOAL}"),
                ("read units", life["total"]["rcu"], RCU_LIMIT, ""),
                ("USD per million complaints", life["cost_per_million_usd"]["total"], COST_LIMIT,
                 f"goal {COST_GOAL:.0f}; by service {life['cost_per_million_usd']}; assumptions in "
                 "lifecycle.assumptions")):
            checks.append({"target": f"lifecycle ({channel}) {name} <= {limit}", "value": value, "limit": limit,
                           "passed": value <= limit,
                           "note": f"API and every worker, infra/bench/lifecycle.py; {goal}".rstrip("; ")})
        steps = life["by_step"]
        api = {step: functions.get("api", {}).get("wcu", 0.0) for step, functions in steps.items()}
        if channel == "web":
            checks.append({"target": f"web intake POST /v1/complaints write units <= {INTAKE_WCU_LIMIT}",
                           "value": api["file"], "limit": INTAKE_WCU_LIMIT, "passed": api["file"] <= INTAKE_WCU_LIMIT,
                           "note": "the API's own writes, realistic ticket (lifecycle)"})
            for step in OFFICER_STEPS:
                checks.append({"target": f"officer transition {step}: write units <= {TRANSITION_WCU_LIMIT}",
                               "value": api[step], "limit": TRANSITION_WCU_LIMIT,
                               "passed": api[step] <= TRANSITION_WCU_LIMIT,
                               "note": "head with SLA clocks beside it, routing suggestion and duplicates (lifecycle)"})
    return checks


def render(found: dict[str, Any]) -> Iterator[str]:
    for channel in ("web", "whatsapp", "web_at_volume"):
        life = found.get(channel)
        if life is None:
            continue
        total, cost = life["total"], life["cost_per_million_usd"]
        yield (f"{channel} (per complaint, {life['complaints']} lived together): {total['wcu']:.0f} WCU, "
               f"{total['rcu']:.1f} RCU, {total['calls']} AWS calls, {total['invocations']} invocations, "
               f"{total['queue_requests']} queue deliveries' SQS requests, ${cost['total']:.0f} per million complaints "
               f"({', '.join(f'{k} {v:.0f}' for k, v in cost.items())}; rating digest share "
               f"{life['of_which_rating_digest_usd']:.1f})")
        for name, spent in life["by_function"].items():
            yield (f"  {name:<12} {spent['wcu']:>6.0f} WCU {spent['rcu']:>6.1f} RCU {spent['calls']:>6} calls "
                   f"{spent['invocations']:>5} invocations {spent['queue_requests']:>5} queue requests")
        for step, functions in life["by_step"].items():
            row = ", ".join(f"{name} {spent['wcu']:.0f}" for name, spent in functions.items())
            yield f"  step {step:<8} {row}"
    digest = found.get(DIGEST)
    if digest:
        yield (f"{DIGEST}: per agency-day {digest['per_agency_day']}, {digest['ses_emails_per_agency_day']} email(s); "
               f"${digest['share_per_million_complaints_usd']['total']:.1f} per million complaints at "
               f"{RATINGS_PER_AGENCY_DAY} ratings per agency-day")
    for check in targets(found):
        yield f"{'PASS' if check['passed'] else 'FAIL'} {check['target']}: {check['value']}"


if __name__ == "__main__":
    print("\n".join(render(document(measure()))))
