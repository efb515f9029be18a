"""Forwarding outside the city government over the API: the desk forwards a complaint about PLN, the
forward is emailed to PLN once through the notifier and delivery machinery, the answer PLN gave is
recorded and relayed to the reporter, and waiting on PLN is its own SLA stage."""

from __future__ import annotations

from typing import Any

from tests.integration.test_notifications import events, world  # noqa: F401 (the fixture)
from tests.integration.test_sla_engine import World


def test_the_desk_forwards_to_pln_which_is_emailed_once_and_its_answer_reaches_the_reporter(
        world: dict[str, Any]) -> None:  # noqa: F811
    api, code, notifier, delivery = world["api"], world["code"], world["notifier"], world["delivery"]
    assert api.act("verifier", code, "verify", 1).status == 200
    refused = api.act("verifier", code, "forward", 2, agency_id="dpu", note="Mohon ditindaklanjuti")
    assert refused.status == 422 and refused.body["error"]["details"][0]["field"] == "agency_id"
    assert api.act("verifier", code, "forward", 2, agency_id="pln-up3-semarang").status == 422  # what we ask
    forwarded = api.act("verifier", code, "forward", 2, agency_id="pln-up3-semarang",
                        note="Tiang listrik miring di depan SD, mohon pemeriksaan")
    assert forwarded.status == 200 and forwarded.body["status"] == "forwarded"
    assert forwarded.body["status_label"]["en"] == "Forwarded to a body outside the city government"
    queue = api("GET", "/v1/desk/complaints", who="verifier", query={"status": "forwarded"}).body["items"]
    assert code in [item["tracking_code"] for item in queue]

    envelope = events(code)[-1]
    assert envelope["detail-type"] == "TicketForwarded"
    first, again = notifier.handle(envelope), notifier.handle(envelope)
    to_pln = [m for m in first if m.audience == "officer"]
    assert [m.recipient for m in to_pln] == ["pengaduan.up3semarang@pln.co.id"]
    assert code in to_pln[0].subject and "Tiang listrik miring" in to_pln[0].text
    assert "Sari" not in to_pln[0].text  # the reporter stays confidential
    assert [m.audience for m in first if m.audience == "citizen"]  # the reporter hears where it went
    outcomes = [delivery.deliver(m) for m in first + again]
    assert outcomes.count("sent") == len(first) and outcomes.count("duplicate") == len(first)  # exactly once

    assert api.act("dpu", code, "record_external_answer", 3, response="x").status == 403
    answered = api.act("verifier", code, "record_external_answer", 3,
                       response="PLN UP3 Semarang: tiang sudah ditegakkan 25 November")
    assert answered.status == 200 and answered.body["status"] == "resolved"
    relayed = notifier.handle(events(code)[-1])
    citizen = [m for m in relayed if m.audience == "citizen"]
    assert citizen and "tiang sudah ditegakkan" in citizen[0].text


def test_waiting_on_an_external_body_is_its_own_stage_and_the_desk_can_take_it_back(
        world: dict[str, Any]) -> None:  # noqa: F811
    api, code = world["api"], world["code"]
    clocks = World(api)
    try:
        api.act("verifier", code, "verify", 1)
        api.act("verifier", code, "forward", 2, agency_id="bbpjn-jateng-diy", note="Jalan nasional berlubang")
        clocks.deliver(code)
        view = clocks.ticket(code)
        assert view["sla"]["stage"] == "external_answer" and view["sla"]["state"] == "running"
        assert api.act("verifier", code, "assign", 3, agency_id="dpu").status == 422  # a reassignment: why?
        back = api.act("verifier", code, "assign", 3, agency_id="dpu", reason="BBPJN: ruas ini jalan kota")
        assert back.status == 200 and back.body["status"] == "assigned"
        clocks.deliver(code)
        stopped = [e["data"]["stage"] for e in clocks.sla_events(code, "SlaClockStopped")]
        assert "external_answer" in stopped
    finally:
        from aduan.logic import clock

        clock.set_clock(None)


def _signed_call(api: Any, agency: str, body: dict[str, Any], key: bytes = b"pln-callback-key",
                 skew: int = 0) -> Any:
    import json as jsonlib

    from aduan.logic import clock
    from aduan.logic.forwarding import sign

    raw = jsonlib.dumps(body)
    stamp = str(int(clock.now().timestamp()) + skew)
    return api("POST", f"/v1/external/{agency}/answers", who=None, raw_body=raw,
               headers={"Content-Type": "application/json", "X-Aduan-Timestamp": stamp,
                        "X-Aduan-Signature": sign(key, stamp, raw.encode())})


def test_pln_answers_by_signed_callback_and_the_desk_reviews_it(
        world: dict[str, Any], monkeypatch: Any) -> None:  # noqa: F811
    import boto3

    api, code = world["api"], world["code"]
    monkeypatch.setenv("EXTERNAL_SECRETS_PREFIX", "/aduan/test/external/")
    boto3.client("ssm").put_parameter(Name="/aduan/test/external/pln-up3-semarang", Value="pln-callback-key",
                                      Type="SecureString")
    body = {"tracking_code": code, "answer": "Tiang sudah ditegakkan oleh tim PLN", "reference": "PLN-778"}
    assert _signed_call(api, "pln-up3-semarang", body).status == 409  # not forwarded yet
    api.act("verifier", code, "verify", 1)
    api.act("verifier", code, "forward", 2, agency_id="pln-up3-semarang", note="Tiang miring")
    forged = _signed_call(api, "pln-up3-semarang", body, key=b"guessed")
    assert forged.status == 401 and forged.body["error"]["code"] == "bad_signature"
    assert _signed_call(api, "pln-up3-semarang", body, skew=-3600).status == 401  # a replay an hour later
    assert _signed_call(api, "bbpjn-jateng-diy", body).status == 404  # no callback configured for it
    assert _signed_call(api, "pln-up3-semarang", {"tracking_code": code}).status == 422
    answered = _signed_call(api, "pln-up3-semarang", body)
    assert answered.status == 200 and answered.body == {"tracking_code": code, "status": "in_review"}
    assert _signed_call(api, "pln-up3-semarang", body).status == 409  # once
    view = api("GET", f"/v1/complaints/{code}", who="verifier").body
    assert view["answer_draft"] == "Tiang sudah ditegakkan oleh tim PLN"
    entry = next(e for e in api("GET", f"/v1/complaints/{code}/timeline", who="verifier").body["items"]
                 if e["action"] == "record_external_answer")
    assert entry["actor_id"] == "external:pln-up3-semarang" and entry["note"] == "Ref. PLN-778"
    approved = api.act("verifier", code, "approve_answer", view["version"])
    assert approved.status == 200 and approved.body["resolution"] == "Tiang sudah ditegakkan oleh tim PLN"
