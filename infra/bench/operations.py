"""Each API operation and the event relay, run N times in this process under moto, with every AWS call
recorded and priced.

Operations change state, so run i of a step acts on complaint i: N complaints are filed, then each is
verified, assigned, ... in turn. Latency is the handler call alone, minus the time the recorder spent
pricing; it is moto's latency, not AWS's.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from infra.bench.harness import aws, bench_context, enable_stream, outbox_records, relay_batch_size, rest_event
from infra.bench.recorder import Call, Recorder

Handler = Callable[[dict[str, Any], Any], Any]
COMPLAINT = {
    "title": "Jalan berlubang di Jl. Pandanaran",
    "text": "Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor.",
    "category_id": "jalan-rusak",
    "location": {"lat": -6.9875, "lon": 110.412, "address": "Jl. Pandanaran, Semarang Tengah"},
}
TRANSITIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("verifier", "verify", {}),
    ("verifier", "assign", {"agency_id": "dpu"}),
    ("dpu", "accept", {}),
    ("dpu", "start", {"note": "Tim menuju lokasi"}),
    ("dpu", "resolve", {"response": "Lubang sudah ditambal pada 24 November"}),
    ("verifier", "approve_answer", {}),  # Semarang's desk reviews answers before the citizen sees them
]


@dataclass
class Sample:
    seconds: float  # the handler call, without the recorder's own work
    in_aws: float  # of which waiting for AWS calls (moto here): the rest is our code, Powertools, botocore
    calls: list[Call]


@dataclass
class Operation:
    key: str
    title: str
    samples: list[Sample] = field(default_factory=list)
    note: str = ""


@dataclass
class Request:
    handler: Handler
    event: dict[str, Any]
    expect: int | None = None  # HTTP status; None for the stream handler


class Scenario:
    def __init__(self, recorder: Recorder, runs: int, api: Handler) -> None:
        self.recorder, self.runs, self.api = recorder, runs, api
        self.operations: list[Operation] = []
        self.versions: dict[str, int] = {}

    def call(self, method: str, path: str, body: Any = None, who: str | None = "citizen",
             expect: int = 200, **kwargs: Any) -> Request:
        return Request(self.api, rest_event(method, path, body, who, **kwargs), expect)

    def measure(self, key: str, title: str, request: Callable[[int], Request], *, runs: int | None = None,
                before_each: Callable[[], None] | None = None, note: str = "") -> list[Any]:
        """Run the request `runs` times; returns the answers' bodies."""
        operation, bodies = Operation(key, title, note=note), []
        for index in range(self.runs if runs is None else runs):
            if before_each:
                before_each()
            prepared = request(index)
            self.recorder.take()
            overhead, in_aws = self.recorder.overhead, self.recorder.in_aws
            started = time.perf_counter()
            answer = prepared.handler(prepared.event, bench_context())
            elapsed = time.perf_counter() - started - (self.recorder.overhead - overhead)
            operation.samples.append(Sample(elapsed, self.recorder.in_aws - in_aws, self.recorder.take()))
            bodies.append(self._check(key, prepared, answer))
        self.operations.append(operation)
        return bodies

    @staticmethod
    def _check(key: str, request: Request, answer: Any) -> Any:
        if request.expect is None:
            if answer.get("batchItemFailures"):
                raise RuntimeError(f"{key}: the relay reported failures: {answer}")
            return answer
        body = json.loads(answer.get("body") or "null")
        if answer["statusCode"] != request.expect:
            raise RuntimeError(f"{key}: HTTP {answer['statusCode']} (expected {request.expect}): {body}")
        return body

    def remember_versions(self, bodies: list[Any]) -> list[str]:
        for body in bodies:
            self.versions[body["tracking_code"]] = body["version"]
        return [body["tracking_code"] for body in bodies]


def _api_operations(bench: Scenario, relay: Handler) -> None:
    from aduan.dal import config_store

    bench.measure("first_request", "GET /v1/categories, first request of the process", lambda i: bench.call(
        "GET", "/v1/categories", who=None), runs=1, note="one sample: lazy initialisation + config load")
    bench.measure("categories_cold", "GET /v1/categories, config not cached", lambda i: bench.call(
        "GET", "/v1/categories", who=None), before_each=config_store.clear_cache,
        note="the city config is loaded once per container (5 min cache)")
    bench.measure("categories_warm", "GET /v1/categories (warm)", lambda i: bench.call(
        "GET", "/v1/categories", who=None))
    mine = bench.remember_versions(bench.measure("file_complaint", "POST /v1/complaints", lambda i: bench.call(
        "POST", "/v1/complaints", COMPLAINT, expect=201)))

    def keyed(i: int) -> Request:
        return bench.call("POST", "/v1/complaints", {**COMPLAINT, "title": f"Sampah menumpuk #{i}"}, expect=201,
                          headers={"Idempotency-Key": f"bench-key-{i:06d}"})

    first = bench.remember_versions(bench.measure(
        "file_complaint_idempotent", "POST /v1/complaints with Idempotency-Key", keyed))
    again = [body["tracking_code"] for body in bench.measure(
        "file_complaint_replay", "POST /v1/complaints, same Idempotency-Key again", keyed,
        note="a retried request: answered from the idempotency record")]
    if again != first:
        raise RuntimeError("an Idempotency-Key replay filed a new complaint")
    bench.measure("desk_queue", "GET /v1/desk/complaints (received, oldest first)", lambda i: bench.call(
        "GET", "/v1/desk/complaints", who="verifier"), note=f"{2 * bench.runs} complaints waiting, page of 50")
    bench.measure("attachment_presign", "POST /v1/complaints/{code}/attachments", lambda i: bench.call(
        "POST", f"/v1/complaints/{mine[i]}/attachments",
        {"filename": "lubang.jpg", "content_type": "image/jpeg", "size_bytes": 350_000}, expect=201))
    bench.measure("status_read", "GET /v1/complaints/{code}", lambda i: bench.call(
        "GET", f"/v1/complaints/{mine[i]}"), note="head + 1 attachment")
    bench.measure("comment", "POST /v1/complaints/{code}/comments", lambda i: bench.call(
        "POST", f"/v1/complaints/{mine[i]}/comments", {"text": "Lubangnya makin besar setelah hujan."},
        expect=201))
    for who, action, fields in TRANSITIONS:
        def act(i: int, who: str = who, action: str = action, fields: dict[str, Any] = fields) -> Request:
            code = mine[i]
            return bench.call("POST", f"/v1/complaints/{code}/transitions",
                              {"action": action, "expected_version": bench.versions[code], **fields}, who)

        bench.remember_versions(bench.measure(
            f"transition_{action}", f"POST /v1/complaints/{{code}}/transitions ({action})", act))
        if action == "assign":
            bench.measure("agency_queue", "GET /v1/agencies/dpu/complaints (assigned)", lambda i: bench.call(
                "GET", "/v1/agencies/dpu/complaints", who="dpu"), note=f"{bench.runs} complaints assigned")
    bench.remember_versions(bench.measure("rating", "POST /v1/complaints/{code}/rating", lambda i: bench.call(
        "POST", f"/v1/complaints/{mine[i]}/rating", {"score": 5, "comment": "Cepat, terima kasih"})))
    bench.measure("timeline", "GET /v1/complaints/{code}/timeline", lambda i: bench.call(
        "GET", f"/v1/complaints/{mine[i]}/timeline"), note="8 entries")
    bench.measure("my_complaints", "GET /v1/me/complaints", lambda i: bench.call("GET", "/v1/me/complaints"),
                  note=f"{2 * bench.runs} complaints, page of 20")
    _notification_operations(bench)  # before the stream is on: moto copies stream records in every transaction
    records = _outbox_batch(bench)
    bench.measure("event_relay", f"event relay, batch of {len(records)} stream records", lambda i: Request(
        relay, {"Records": records}), note="BatchSize from template.yaml; PutEvents takes up to 10 entries")


def _channel_operations(bench: Scenario) -> None:
    from aduan.handlers.intake import handler as intake
    from aduan.handlers.webhooks import handler as webhooks
    from infra.bench import channels

    with channels.channel_resources() as queue:
        for name, event in (("whatsapp", channels.whatsapp_event), ("telegram", channels.telegram_event)):
            bench.measure(f"webhook_{name}", f"POST /webhooks/{name}: verify, raw payload to S3, enqueue (ack)",
                          lambda i, event=event: Request(webhooks, event(i), 200),  # type: ignore[misc]
                          note="the provider's answer waits for exactly this")
        batches = channels.queued_batches(queue)
        bench.measure("intake_message", "intake worker: one new citizen's message -> complaint + reply queued",
                      lambda i: Request(intake, batches[i]), runs=min(bench.runs, len(batches)),
                      note="one read; ticket + ledger + contact + conversation + rate counter in one transaction; "
                           "reply; done")


def _outbox_batch(bench: Scenario) -> list[dict[str, Any]]:
    """A full batch of stream records for the relay (BatchSize in template.yaml), written with the stream on:
    complaints filed and moved through the first transitions (five timeline entries each), not measured."""
    enable_stream()
    size = relay_batch_size()
    for _ in range(-(-size // (1 + len(TRANSITIONS) - 1))):
        filed = _run(bench.call("POST", "/v1/complaints", COMPLAINT, expect=201))
        code, version = filed["tracking_code"], filed["version"]
        for who, action, fields in TRANSITIONS[:-1]:
            version = _run(bench.call("POST", f"/v1/complaints/{code}/transitions",
                                      {"action": action, "expected_version": version, **fields}, who))["version"]
    bench.recorder.take()
    return outbox_records()[:size]


def _run(request: Request) -> Any:
    return Scenario._check("setup", request, request.handler(request.event, bench_context()))


def _notification_operations(bench: Scenario) -> None:
    from aduan.handlers.notifier import handler as notifier
    from aduan.handlers.sender import handler as sender
    from infra.bench import notifications as wiring

    with wiring.wired():
        codes = []
        for _ in range(bench.runs):
            filed = _run(bench.call("POST", "/v1/complaints", COMPLAINT, who="whatsapp", expect=201))
            for who, action, fields in TRANSITIONS[:2]:
                version = _run(bench.call("POST", f"/v1/complaints/{filed['tracking_code']}/transitions",
                                          {"action": action, "expected_version": filed["version"], **fields}, who))
                filed["version"] = version["version"]
            codes.append(filed["tracking_code"])
        events = [wiring.assigned_event(code) for code in codes]
        bench.recorder.take()
        bench.measure("notify_assigned", "notifier: TicketAssigned -> citizen (WhatsApp) + agency emails",
                      lambda i: Request(notifier, wiring.sqs_event([json.dumps(events[i])])),
                      note="SQS batch of 1 event; enqueues 1 WhatsApp + 1 email per agency address")
        queued = [json.loads(body) for body in wiring.queued_messages()]
        citizen = [json.dumps(m) for m in queued if m["audience"] == "citizen"]
        officer = [json.dumps(m) for m in queued if m["audience"] == "officer"][:bench.runs]
        bench.recorder.take()
        wiring.whatsapp_answers_in_process()
        bench.measure("send_whatsapp", "sender: 1 WhatsApp message (Graph API answered in-process)",
                      lambda i: Request(sender, wiring.sqs_event([citizen[i]])),
                      note="claim, contact, ticket, provider call, outcome + timeline + provider id in 1 transaction")
        bench.measure("send_email", "sender: 1 email via SES v2", lambda i: Request(
            sender, wiring.sqs_event([officer[i]])), runs=min(bench.runs, len(officer)))
        bench.measure("send_duplicate", "sender: the same message delivered again", lambda i: Request(
            sender, wiring.sqs_event([citizen[i]])), note="refused by the claim: nothing sent")


def run(runs: int) -> list[Operation]:
    recorder = Recorder()
    with recorder.installed(), aws(), open(os.devnull, "w") as sink, warnings.catch_warnings():
        # Metrics print their EMF document on stdout, as on Lambda: keep the cost, drop the text.
        warnings.simplefilter("ignore")
        from aduan.handlers.api import handler as api
        from aduan.handlers.event_relay import handler as relay

        bench = Scenario(recorder, runs, api)
        with redirect_stdout(sink):
            _api_operations(bench, relay)
            _channel_operations(bench)
            from infra.bench import triage

            triage.measure(bench)
        return bench.operations
