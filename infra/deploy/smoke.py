"""First smoke test of a deployed API: the public reads, the gateway's own errors, a webhook refusal and,
with a citizen's ID token, a complaint filed and read back.

    python -m infra.deploy.smoke https://abc123.execute-api.ap-southeast-3.amazonaws.com/prod
    python -m infra.deploy.smoke "$API" --token "$CITIZEN_ID_TOKEN" --category jalan-rusak

Only the standard library: it runs from any machine with Python 3.11+. Exits 1 on the first failure
and says what was expected. The filed complaint is real: withdraw or close it from the desk afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class SmokeFailure(AssertionError):
    pass


def call(base: str, method: str, path: str, token: str | None = None, payload: Any = None,
         headers: dict[str, str] | None = None) -> Answer:
    sent = {"Accept": "application/json", "Origin": "https://smoke.test", **(headers or {})}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        sent["Content-Type"] = "application/json"
    if token:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base.rstrip("/") + path, data=data, headers=sent, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, received = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, raw, received = error.code, error.read(), dict(error.headers)
    try:
        body: Any = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        body = raw.decode(errors="replace")
    return Answer(status, {k.lower(): v for k, v in received.items()}, body)


def expect(condition: bool, what: str, answer: Answer) -> None:
    if not condition:
        raise SmokeFailure(f"{what}: got {answer.status} {json.dumps(answer.body)[:500]}")
    print(f"ok  {what}")


def public_checks(base: str) -> None:
    categories = call(base, "GET", "/v1/categories")
    expect(categories.status == 200 and bool(categories.body), "GET /v1/categories lists the seeded categories",
           categories)
    for path in ("/v1/agencies", "/v1/areas", "/openapi.json"):
        answer = call(base, "GET", path)
        expect(answer.status == 200, f"GET {path} is public", answer)
    denied = call(base, "GET", "/v1/desk/complaints")
    expect(denied.status == 401 and denied.body.get("error", {}).get("code") == "unauthorized",
           "the desk needs a token (documented error body)", denied)
    expect("access-control-allow-origin" in denied.headers, "gateway errors carry CORS headers", denied)
    handshake = call(base, "GET", "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1")
    expect(handshake.status in (403, 404), "a webhook handshake with a wrong token is refused", handshake)


def citizen_checks(base: str, token: str, category: str) -> str:
    key = f"smoke-{uuid.uuid4()}"
    complaint = {
        "title": "Uji asap / smoke test",
        "text": "Pengaduan uji setelah deploy; mohon ditutup. Post-deploy test complaint; please close it.",
        "category_id": category,
    }
    filed = call(base, "POST", "/v1/complaints", token, complaint, {"Idempotency-Key": key})
    expect(filed.status == 201 and "tracking_code" in filed.body, "a citizen files a complaint", filed)
    code = str(filed.body["tracking_code"])
    again = call(base, "POST", "/v1/complaints", token, complaint, {"Idempotency-Key": key})
    expect(again.status == 201 and again.body.get("tracking_code") == code,
           "a retry with the same Idempotency-Key files nothing new", again)
    read = call(base, "GET", f"/v1/complaints/{code}", token)
    expect(read.status == 200 and read.body.get("tracking_code") == code, f"the citizen reads {code} back", read)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy.smoke", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("api", help="the stack's ApiUrl output")
    parser.add_argument("--token", help="a citizen's Cognito ID token: also file and read a complaint")
    parser.add_argument("--category", default="jalan-rusak", help="a seeded category id for the test complaint")
    args = parser.parse_args(argv)
    try:
        public_checks(args.api)
        if args.token:
            code = citizen_checks(args.api, args.token, args.category)
            print(f"filed {code}: close it from the desk")
    except (SmokeFailure, urllib.error.URLError) as failure:
        print(f"FAIL {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
