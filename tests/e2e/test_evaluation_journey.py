"""Issue 15, item 7 in local mode, over HTTP: a complaint Dinkes held without answering, the desk
reassigned to DPU, DPU disposed to its Bina Marga bidang, which answered; the desk approved the answer.
The statistics (consumed asynchronously from the bus) credit DPU and Bina Marga, not Dinkes; the weekly
report reads the same through the API and as CSV; when the local clock reaches Monday the scheduled
ReportsFunction emails the report to the supervisors and the agency heads, once, with its chart."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.local import LocalStack
from tests.e2e.journeys import act, file_complaint, tokens, until
from tests.e2e.over_http import call, stack_fixture

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_evaluation_journey")]

stack = stack_fixture()
WIB = ZoneInfo("Asia/Jakarta")


def _agency_rows(stack: LocalStack, supervisor: str) -> dict[str, Any]:
    status, body = call(stack, "GET", "/v1/stats?group_by=agency", token=supervisor)
    assert status == 200, body
    return {row["key"]: row for row in body["rows"]}


def test_credits_reports_and_the_monday_email_over_http(stack: LocalStack) -> None:
    citizen, verifier, supervisor, dpu, bina_marga = tokens(
        stack, "eval", "citizen", "verifier", "supervisor", "dpu", "bina_marga")

    code = file_complaint(stack, citizen)
    act(stack, code, verifier, "verify")
    act(stack, code, verifier, "assign", agency_id="dinkes")
    act(stack, code, verifier, "assign", agency_id="dpu", reason="Jalan rusak: kewenangan DPU")
    act(stack, code, dpu, "dispose", agency_id="dpu-bina-marga", note="Tambal minggu ini")
    act(stack, code, bina_marga, "accept")
    act(stack, code, bina_marga, "resolve", response="Lubang ditambal")
    assert act(stack, code, verifier, "approve_answer")["status"] == "resolved"

    def credited() -> dict[str, Any] | None:
        rows = _agency_rows(stack, supervisor)
        done = (rows.get("dpu", {}).get("resolution_hours", {}).get("count") == 1
                and rows.get("dpu-bina-marga", {}).get("sla", {}).get("resolution", {}).get("met") == 1
                and rows.get("dinkes", {}).get("sla", {}).get("first_response", {}).get("handed_on_unanswered"))
        return rows if done else None

    rows = until("DPU and Bina Marga credited, Dinkes marked handed on unanswered", credited, every=0.5)
    assert rows["dinkes"]["first_response_hours"]["count"] == 0
    assert rows["dinkes"]["first_response_hours"]["handed_on_unanswered"] == 1
    assert rows["dinkes"]["sla_compliance"] is None  # never ranked on a complaint it never touched
    assert rows["dpu"]["first_response_hours"]["count"] == 1
    assert rows["dpu-bina-marga"]["first_response_hours"]["count"] == 1
    league = call(stack, "GET", "/v1/stats/league", token=supervisor)[1]["agencies"]
    assert league[0]["agency_id"] != "dinkes"

    today = datetime.now(UTC).astimezone(WIB).date().isoformat()
    status, report = call(stack, "GET", f"/v1/stats/reports?period=weekly&date={today}", token=dpu)
    assert status == 200, report
    assert report["scope"] == "agency:dpu" and report["figures"]["resolved"]["current"] == 1
    assert call(stack, "GET", "/v1/stats/reports?agency_id=dlh", token=dpu)[0] == 403
    request = urllib.request.Request(f"{stack.api_url}/v1/stats/reports?period=weekly&date={today}&format=csv",
                                     headers={"Authorization": f"Bearer {supervisor}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("text/csv")
        lines = response.read().decode().splitlines()
    assert lines[0].startswith("section,key,label_id,label_en") and any(
        line.startswith("figure,received,Diterima,Received,1,") for line in lines)

    # Monday 08:00 WIB of next week: the daily tick (00:00 UTC) finds this week's report due.
    now = datetime.now(UTC).astimezone(WIB)
    monday = (now + timedelta(days=7 - now.weekday())).replace(hour=8, minute=0, second=0, microsecond=0)
    hours = (monday - now).total_seconds() / 3600
    assert call(stack, "POST", "/local/clock", {"advance_hours": hours})[0] == 200

    def reports_sent() -> list[dict[str, Any]]:
        messages = [m for m in call(stack, "GET", "/local/outbox")[1]["messages"] if m["kind"] == "report_weekly"]
        return messages if {m["recipient"] for m in messages} >= {"pengawas.aduan@semarangkota.go.id",
                                                                   "dpu@semarangkota.go.id"} else []

    sent = until("the scheduled weekly reports reaching the outbox", reports_sent, timeout=120, every=0.5)
    recipients = [m["recipient"] for m in sent]
    assert len(recipients) == len(set(recipients))  # once per recipient
    to_dpu = next(m for m in sent if m["recipient"] == "dpu@semarangkota.go.id")
    assert "Laporan mingguan" in to_dpu["subject"] and "Weekly report" in to_dpu["subject"]
    attachments = json.loads(to_dpu["body"])["Content"]["Simple"]["Attachments"]
    assert [a["ContentType"] for a in attachments] == ["image/png", "text/csv"]
