"""Complaints filed into a running local stack and followed until the system has finished with them.

Half arrive as signed WhatsApp webhooks (one phone each), half through POST /v1/complaints (one citizen
each, so the abuse guard's per-person limit is not what is measured). A batch is drained when every queue
of the stack (dead-letter queues aside) is empty, in flight included, and every stream read by a mapping
has no unhandled record, twice in a row. A complaint counts as handled when it is routed (a suggestion),
has an SLA clock, and is acknowledged: the WhatsApp reply with its tracking code is in the local outbox,
or for the API the 201 carried the tracking code (an app citizen gets no message: the app shows it).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from infra import channel_samples as samples

OUTBOX = "LOCAL#OUTBOX"


@dataclass
class Filing:
    index: int
    channel: str  # "whatsapp" | "api"
    posted_at: datetime  # when the POST was sent (UTC)
    status: int = 0
    code: str | None = None  # API: from the 201; WhatsApp: from the reply in the outbox
    acked_at: datetime | None = None


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        return error.code, None
    except (TimeoutError, urllib.error.URLError):
        return 0, None


def phone(index: int) -> str:
    return f"628{index:09d}"


def file_one(stack: Any, index: int, token: str) -> Filing:
    """Even indexes through WhatsApp, odd ones through the API."""
    if index % 2 == 0:
        message = samples.whatsapp_message({"id": f"wamid.bench-{index}", "type": "text", "text": {
            "body": f"Lampu jalan mati sejak tiga hari di Jl. Pandanaran no {index}, gelap sekali."}},
            name="Warga Bench", phone=phone(index))
        body = samples.body_bytes(message)
        url = f"{stack.api_url}/webhooks/whatsapp"
        filing = Filing(index, "whatsapp", datetime.now(UTC))
        filing.status, _ = _post(url, body, samples.signed_headers("whatsapp", body, url))
        return filing
    complaint = {"title": f"Lampu PJU mati #{index}", "text": "Lampu jalan mati sejak tiga hari, gelap sekali.",
                 "category_id": "pju-mati"}
    filing = Filing(index, "api", datetime.now(UTC))
    filing.status, answer = _post(f"{stack.api_url}/v1/complaints", json.dumps(complaint).encode(),
                                  {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    if filing.status == 201 and answer:
        filing.code, filing.acked_at = str(answer["tracking_code"]), datetime.now(UTC)
    return filing


def file_mixed(stack: Any, first: int, count: int, concurrency: int = 8) -> list[Filing]:
    tokens = {index: stack.issue_token("citizen", sub=f"bench-citizen-{index}", name="Bench")
              for index in range(first, first + count) if index % 2}
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(lambda index: file_one(stack, index, tokens.get(index, "")),
                             range(first, first + count)))


def _busy(stack: Any) -> int:
    """Messages waiting or in flight in the stack's queues plus unhandled records of its mapped streams."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    from infra.local.moto_server import DYNAMODB_LOCK

    queues = sqs_backends[stack.account_id][stack.region].queues
    targets = _dead_letter_arns(queues)
    busy = sum(len(q._messages) for q in list(queues.values()) if q.queue_arn not in targets)
    tables = dynamodb_backends[stack.account_id][stack.region].tables
    with DYNAMODB_LOCK:
        for mapping in stack.mappings:
            if mapping.kind != "sqs":
                table = tables.get(mapping.source_arn.split("/")[1])
                busy += len(table.stream_shard.items) if table is not None and table.stream_shard else 0
    return busy


def busy_report(stack: Any) -> dict[str, Any]:
    """What is still waiting when a drain times out: per queue each message's receive count and when it shows
    again, per mapped stream the unhandled record count. Names what is stuck instead of only that something is."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.sqs.models import sqs_backends

    from infra.local.moto_server import DYNAMODB_LOCK

    now = time.time()
    queues = sqs_backends[stack.account_id][stack.region].queues
    targets = _dead_letter_arns(queues)
    report: dict[str, Any] = {}
    for name, queue in list(queues.items()):
        if queue.queue_arn in targets or not queue._messages:
            continue
        report[name] = [{"receives": m.approximate_receive_count,
                         "visible_in_s": round(max(0.0, m.visible_at / 1000 - now), 1),
                         "body": str(m.body)[:160]} for m in list(queue._messages)[:5]] + (
            [{"more": len(queue._messages) - 5}] if len(queue._messages) > 5 else [])
    tables = dynamodb_backends[stack.account_id][stack.region].tables
    with DYNAMODB_LOCK:
        for mapping in stack.mappings:
            if mapping.kind != "sqs":
                table = tables.get(mapping.source_arn.split("/")[1])
                if table is not None and table.stream_shard and table.stream_shard.items:
                    report[f"stream:{table.name}"] = len(table.stream_shard.items)
    return report


def dead_letters(stack: Any) -> int:
    from moto.sqs.models import sqs_backends

    queues = sqs_backends[stack.account_id][stack.region].queues
    targets = _dead_letter_arns(queues)
    return sum(len(q._messages) for q in list(queues.values()) if q.queue_arn in targets)


def _dead_letter_arns(queues: dict[str, Any]) -> set[str]:
    return {queue.redrive_policy["deadLetterTargetArn"] for queue in list(queues.values()) if queue.redrive_policy}


def wait_drained(stack: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if _busy(stack) == 0 else 0
        if quiet >= 2:
            return True
        time.sleep(0.25)
    return False


def outbox(stack: Any) -> list[tuple[datetime, dict[str, Any]]]:
    """(when it was kept, the request) for every outbox entry, oldest first."""
    table = stack.physical("TicketsTable")["Ref"]
    client = boto3.client("dynamodb", endpoint_url=stack.moto_url, region_name=stack.region,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    found: list[tuple[datetime, dict[str, Any]]] = []
    request: dict[str, Any] = {"TableName": table, "KeyConditionExpression": "pk = :pk",
                               "ExpressionAttributeValues": {":pk": {"S": OUTBOX}}}
    while True:
        page = client.query(**request)
        for item in page.get("Items", []):
            kept = datetime.fromisoformat(item["sk"]["S"].split("#", 1)[0])
            found.append((kept if kept.tzinfo else kept.replace(tzinfo=UTC), json.loads(item["request"]["S"])))
        if "LastEvaluatedKey" not in page:
            return found
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def settle(stack: Any, filings: list[Filing]) -> int:
    """Fill in the WhatsApp tracking codes and reply times from the outbox; how many complaints are handled."""
    replies: dict[str, tuple[datetime, str]] = {}
    for kept, request in outbox(stack):
        if request.get("kind") == "intake_filed" and request.get("tracking_code"):
            replies.setdefault(str(request.get("recipient")), (kept, str(request["tracking_code"])))
    for filing in filings:
        if filing.channel == "whatsapp" and (reply := replies.get(f"+{phone(filing.index)}")):
            filing.acked_at, filing.code = reply
    verifier = stack.issue_token("verifier", sub="bench-verifier")
    handled = 0
    for filing in filings:
        if filing.code is None:
            continue
        lookup = urllib.request.Request(f"{stack.api_url}/v1/complaints/{filing.code}",
                                         headers={"Authorization": f"Bearer {verifier}"})
        try:
            with urllib.request.urlopen(lookup, timeout=60) as response:
                seen = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError):
            continue
        handled += bool(seen.get("suggestion") and seen.get("sla"))
    return handled
