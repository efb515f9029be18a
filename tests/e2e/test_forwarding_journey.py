"""Issue 15 item 2 in local mode, over HTTP, with the local fakes of the bodies outside the city
(infra/local/external_fakes.py) listening on loopback:

- the desk forwards a complaint to PDAM, configured with an HTTPS webhook: the sender POSTs it once,
  signed; PDAM answers by signed callback; the desk approves; the reporter hears the answer;
- the SP4N-LAPOR! bridge's schedule pulls a LAPOR! report into Aduan (once, however often it runs); the
  city works it; its status changes and the answer are pushed back to the LAPOR! report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from infra.local import LocalStack
from infra.local.external_fakes import ExternalFakes, FakeServer, Received
from tests.e2e.journeys import act, file_complaint, tokens, until
from tests.e2e.over_http import call, stack_fixture

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_forwarding_journey")]

stack = stack_fixture()
PDAM = "pdam-tirta-moedal"
REPORT = {"id": "LPR-2001", "title": "Saluran air tersumbat di Jl. Ngesrep",
          "text": "Saluran air tersumbat sampah, setiap hujan air meluap ke jalan.", "type": "pengaduan",
          "reporter_name": "Wati", "location": {"lat": -7.0524, "lon": 110.4171, "address": "Jl. Ngesrep Timur"}}


@pytest.fixture(scope="module")
def fakes(stack: LocalStack) -> Iterator[ExternalFakes]:
    """The fakes, and the city configured to reach them (secrets in the stack's SSM, as deployed)."""
    from aduan.dal import config_store
    from aduan.models.config import CityConfig

    found = ExternalFakes(webhook_keys={"pdam": b"pdam-signing-key"}, reports=[dict(REPORT)])
    with FakeServer(found) as server:
        table = stack.physical_names["TicketsTable"]
        document = config_store.load_config(table).model_dump(mode="json")
        for agency in document["agencies"]:
            if agency["id"] == PDAM:
                agency["forward"] = {"channel": "webhook", "url": f"{server.url}/hooks/pdam",
                                     "secret": "forward-pdam", "signed_callback": True, "answer_days": 7}
        document["settings"]["lapor"] = {"base_url": f"{server.url}/lapor"}
        config_store.save_config(table, CityConfig.model_validate(document))
        config_store.clear_cache()
        ssm = boto3.client("ssm")
        for name, value in (("/aduan/local/channels/forward-pdam", {"signing_key": "pdam-signing-key"}),
                            ("/aduan/local/channels/lapor", {"token": found.lapor_token})):
            ssm.put_parameter(Name=name, Value=json.dumps(value), Type="SecureString", Overwrite=True)
        ssm.put_parameter(Name=f"/aduan/local/external/{PDAM}", Value="pdam-callback-key", Type="SecureString",
                          Overwrite=True)
        yield found


def _signed(stack: LocalStack, agency: str, body: dict[str, Any], key: bytes) -> tuple[int, Any]:
    from aduan.logic import clock
    from aduan.logic.forwarding import sign

    raw = json.dumps(body)
    stamp = str(int(clock.now().timestamp()))
    return call(stack, "POST", f"/v1/external/{agency}/answers", body,
                headers={"X-Aduan-Timestamp": stamp, "X-Aduan-Signature": sign(key, stamp, raw.encode())})


def test_webhook_forward_callback_answer_and_the_citizen_hears(stack: LocalStack, fakes: ExternalFakes) -> None:
    citizen, verifier = tokens(stack, "fwd", "citizen", "verifier")
    code = file_complaint(stack, citizen, title="Pipa PDAM bocor di trotoar", category_id=None,
                          text="Pipa air bocor sejak kemarin, air terbuang dan trotoar licin.",
                          contact="sari.warga@example.com")
    act(stack, code, verifier, "verify")
    assert act(stack, code, verifier, "forward", agency_id=PDAM, note="Mohon perbaikan pipa")["status"] == "forwarded"

    [hook] = until("the forward reaching PDAM's webhook", lambda: fakes.calls("/hooks/pdam"))
    document = hook.json()
    assert document["tracking_code"] == code and document["request"] == "Mohon perbaikan pipa"
    assert "Sari" not in hook.body.decode() and "sari.warga" not in hook.body.decode()
    time.sleep(1.0)
    assert len(fakes.calls("/hooks/pdam")) == 1  # sent once

    answer = {"tracking_code": code, "answer": "Pipa sudah diganti tim PDAM Tirta Moedal", "reference": "TM-9"}
    status, replied = _signed(stack, PDAM, answer, b"wrong-key")
    assert status == 401, replied
    status, replied = _signed(stack, PDAM, answer, b"pdam-callback-key")
    assert status == 200 and replied["status"] == "in_review", replied
    assert act(stack, code, verifier, "approve_answer")["status"] == "resolved"
    seen = call(stack, "GET", f"/v1/complaints/{code}", token=citizen)[1]
    assert seen["resolution"] == "Pipa sudah diganti tim PDAM Tirta Moedal"
    told = until("the reporter told the answer", lambda: [
        m for m in stack.outbox() if m["recipient"] == "sari.warga@example.com" and "Pipa sudah diganti" in m["text"]])
    assert told[0]["tracking_code"] == code


def test_lapor_report_pulled_worked_and_pushed_back(stack: LocalStack, fakes: ExternalFakes) -> None:
    verifier, dpu = tokens(stack, "lapor", "verifier", "dpu")
    [run] = stack.trigger_schedule("LaporBridgeFunctionPull")
    assert len(run["filed"]) == 1 and run["error"] is None, run
    assert stack.trigger_schedule("LaporBridgeFunctionPull")[0]["filed"] == []  # once per LAPOR! id
    code = run["filed"][0]
    view = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)[1]
    assert view["channel"] == "lapor" and view["title"] == REPORT["title"]

    def pushes(suffix: str) -> Callable[[], list[Received]]:
        return lambda: [c for c in fakes.calls(f"/lapor/reports/{REPORT['id']}/") if c.path.endswith(suffix)]

    received = until("LAPOR! told it was received", pushes("/status"))  # "… your tracking code is …"
    assert received[0].json()["tracking_code"] == code
    act(stack, code, verifier, "verify")
    act(stack, code, verifier, "assign", agency_id="dpu")
    act(stack, code, dpu, "accept")
    act(stack, code, dpu, "resolve", response="Saluran sudah dibersihkan 3 Desember")
    act(stack, code, verifier, "approve_answer")
    [answer] = until("the answer pushed to LAPOR!", pushes("/answers"))
    assert answer.json()["answer"] == "Saluran sudah dibersihkan 3 Desember"
    assert answer.headers["authorization"] == f"Bearer {fakes.lapor_token}"
    until("LAPOR! told of the disposition",
          lambda: [c for c in pushes("/status")() if c.json()["status"] == "disposisi"])
