"""Data survives a restart of local mode, and work that was queued when it stopped resumes.

A WhatsApp complaint is filed and fully handled (routed, SLA clock, reply with the tracking code). The
workers are then stopped and a second WhatsApp message and an API complaint arrive: the first waits in the
intake queue, the second's events wait unrelayed in the table's stream when the stack stops. The restarted
stack (same state directory) still shows the first complaint, its timeline and its one reply, and finishes
the queued work: both new complaints routed with SLA clocks, the second citizen answered once. A damaged
state file is refused with its name, and kept when a fresh start moves it aside.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import channel_samples as samples
from infra.local import LocalStack
from infra.local.errors import LocalStackError
from tests.e2e.over_http import call, token
from tests.e2e.test_channel_journey import post, replies

# one local stack per module: `make test` (--dist loadgroup) keeps its tests on one worker
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_local_restart")]
COMPLAINT = {"title": "Jalan berlubang", "text": "Lubang besar di depan sekolah, berbahaya untuk motor.",
             "category_id": "jalan-rusak",
             "location": {"lat": -6.9932, "lon": 110.4203, "address": "Jl. Pemuda 1, Semarang"}}
FIRST, SECOND = "6281100000001", "6281100000002"


@pytest.fixture
def fresh_clients() -> Iterator[None]:
    from aduan.dal import clients

    clients.reset()
    yield
    clients.reset()


def _wait(what: str, found: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _whatsapp(stack: LocalStack, phone: str) -> None:
    message = samples.whatsapp_message({"id": f"wamid.restart-{phone}", "type": "text", "text": {
        "body": "Lampu jalan mati sejak tiga hari di Jl. Pandanaran, gelap sekali."}}, phone=phone)
    assert post(stack, "whatsapp", message)[0] == 200


def _tracking_codes(stack: LocalStack, phone: str) -> list[str]:
    return [str(reply["tracking_code"]) for reply in replies(stack, f"+{phone}") if reply.get("tracking_code")]


def _handled(stack: LocalStack, code: str, verifier: str) -> dict[str, Any] | None:
    status, seen = call(stack, "GET", f"/v1/complaints/{code}", token=verifier)
    assert status == 200, seen
    return dict(seen) if seen.get("suggestion") and seen.get("sla") else None


def test_complaints_survive_a_restart_and_queued_work_resumes(tmp_path: Path, fresh_clients: None) -> None:
    with LocalStack(port=0, state_dir=tmp_path) as first:
        citizen = token(first, "role=citizen&sub=warga-restart&name=Sari")
        verifier = token(first, "role=verifier&sub=desk-restart")
        _whatsapp(first, FIRST)
        [handled] = _wait("the first reply", lambda: _tracking_codes(first, FIRST))
        before = _wait("handling the first complaint", lambda: _handled(first, handled, verifier))
        first.stop_workers()
        _whatsapp(first, SECOND)
        status, filed = call(first, "POST", "/v1/complaints", COMPLAINT, token=citizen)
        assert status == 201, filed
        _, timeline = call(first, "GET", f"/v1/complaints/{handled}/timeline", token=verifier)
    assert (tmp_path / "state.jsonl").exists()

    with LocalStack(port=0, state_dir=tmp_path) as second:
        restored = second.restored
        verifier = token(second, "role=verifier&sub=desk-restart")  # tokens are signed per run (auth.py)
        assert restored is not None and restored.items > 0 and restored.stream_records > 0 and restored.messages > 0
        status, after = call(second, "GET", f"/v1/complaints/{handled}", token=verifier)
        assert status == 200 and after["status"] == before["status"] and after["suggestion"] == before["suggestion"]
        assert call(second, "GET", f"/v1/complaints/{handled}/timeline", token=verifier)[1] == timeline
        [queued] = _wait("the reply to the queued message", lambda: _tracking_codes(second, SECOND))
        for code in (queued, filed["tracking_code"]):
            _wait(f"handling {code}", lambda code=code: _handled(second, code, verifier))
        time.sleep(1.0)  # room for a duplicate to show up
        assert _tracking_codes(second, FIRST) == [handled] and _tracking_codes(second, SECOND) == [queued]


def test_a_damaged_state_file_is_refused_by_name_and_kept(tmp_path: Path, fresh_clients: None) -> None:
    state = tmp_path / "state.jsonl"
    damaged = '{"format": "aduan-local-state", "version": 1}\n{"kind": "item", "table": \n'
    state.write_text(damaged, encoding="utf-8")
    with pytest.raises(LocalStackError, match=str(state)), LocalStack(port=0, state_dir=tmp_path):
        pass
    assert state.exists()

    with LocalStack(port=0, state_dir=tmp_path, fresh=True) as fresh:
        assert fresh.restored is None and fresh.set_aside is not None and fresh.set_aside.exists()
    assert fresh.set_aside.read_text(encoding="utf-8") == damaged
