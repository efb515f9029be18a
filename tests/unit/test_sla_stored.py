"""The `#SLA` item as stored: the compact form reads back as the same clocks, items written before it still
load, and a long, eventful life stays under 1 KB (one write unit per write)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aduan.dal import codec
from aduan.dal.sla_store import clocks_item
from aduan.logic import sla
from aduan.logic.status_machine import Status
from aduan.models.sla import ClockState, StageClock, TicketClocks
from aduan.models.sla_config import Stage, load_policy_file
from aduan.models.ticket import ComplaintType, Priority
from infra.bench.capacity import item_size

POLICY = load_policy_file(Path(__file__).resolve().parents[2] / "infra" / "config" / "sla" / "semarang.json")
WIB = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 23, 9, 0, 0, 123456, tzinfo=WIB)
AGENCY = "kelurahan-tembalang-kecamatan-tembalang"  # a long agency id: the worst case for the rows


def _step(version: int, hours: float, source: Status | None, target: Status, agency: str | None = AGENCY,
          action: str | None = None) -> sla.LifecycleStep:
    return sla.LifecycleStep(version, START + timedelta(hours=hours), source, target, agency, "jalan-rusak",
                             Priority.HIGH, ComplaintType.PENGADUAN, 2, action)


# Filed, verified, assigned, asked for information, answered, accepted, answer returned by the desk,
# resolved, reopened and handled again: every stage but the external body's has run, some twice.
LIFE = [
    _step(1, 0, None, Status.RECEIVED, None), _step(2, 1, Status.RECEIVED, Status.VERIFIED, None),
    _step(3, 2, Status.VERIFIED, Status.ASSIGNED, action="assign"),
    _step(4, 3, Status.ASSIGNED, Status.NEED_INFO), _step(5, 30, Status.NEED_INFO, Status.ASSIGNED),
    _step(6, 31, Status.ASSIGNED, Status.ACCEPTED), _step(7, 32, Status.ACCEPTED, Status.IN_PROGRESS),
    _step(8, 40, Status.IN_PROGRESS, Status.IN_REVIEW), _step(9, 41, Status.IN_REVIEW, Status.IN_PROGRESS),
    _step(10, 50, Status.IN_PROGRESS, Status.IN_REVIEW), _step(11, 51, Status.IN_REVIEW, Status.RESOLVED),
    _step(12, 60, Status.RESOLVED, Status.REOPENED), _step(13, 61, Status.REOPENED, Status.ASSIGNED,
                                                            action="assign"),
]


def _stored(clocks: TicketClocks, queue: str | None = "AGENCY#x#assigned") -> tuple[int, TicketClocks]:
    item = clocks_item(clocks, queue)
    return item_size(item), TicketClocks.model_validate(codec.from_item(item))


def _history(clocks: TicketClocks) -> TicketClocks:
    """What is kept of a stopped clock: how it was set and how it ended (not its reminder or rungs, as before)."""
    kept = {"remind_at", "hard_cap_at", "paused_at", "paused_working_seconds", "reminded", "rung", "next_rung_at"}
    return clocks.model_copy(update={"clocks": {
        stage: clock.model_copy(update={name: StageClock.model_fields[name].default for name in kept})
        if clock.state == ClockState.STOPPED else clock for stage, clock in clocks.clocks.items()}})


def test_every_stage_of_a_long_life_reads_back_as_written_and_stays_under_one_kilobyte() -> None:
    clocks = TicketClocks(ticket_id="01M8YPQZ1CT4RWADKX6M6MX2BX", tracking_code="ADU-6XPT-XN")
    largest = 0
    for one in LIFE:
        sla.apply_step(clocks, one, POLICY, lambda key: POLICY)
        size, read = _stored(clocks)
        largest = max(largest, size)
        assert read == _history(clocks)
    # Fire what the week after holds (breaches, escalation rungs): the breached clocks are larger still.
    later = START + timedelta(days=40)
    assert sla.fire_due(clocks, later, lambda key: POLICY)
    size, read = _stored(clocks)
    assert read == _history(clocks) and sla.overdue(read)
    assert any(clock.rung > 1 for clock in read.clocks.values())
    assert max(largest, size) < 800, max(largest, size)  # 746 bytes with a 40-character agency id


def test_a_paused_clock_keeps_its_pause_and_a_stopped_one_its_verdict() -> None:
    clocks = TicketClocks(ticket_id="01T", tracking_code="ADU-TEST-01")
    for one in LIFE[:4]:  # waiting on the reporter: everything running is paused
        sla.apply_step(clocks, one, POLICY, lambda key: POLICY)
    _, read = _stored(clocks)
    assert read.clocks[Stage.RESOLUTION].state == ClockState.PAUSED
    assert read.clocks[Stage.RESOLUTION].paused_at == clocks.clocks[Stage.RESOLUTION].paused_at
    assert read.clocks[Stage.VERIFICATION].state == ClockState.STOPPED and read.clocks[Stage.VERIFICATION].met
    assert read.applied_version == 4 and read.applied_at == clocks.applied_at


def test_clocks_written_before_the_compact_form_still_load() -> None:
    """The long form (full names, running clocks as maps, stopped ones as 10-field rows), as stored until
    now: read as before; the next write stores it compactly."""
    old = {
        "pk": "T#ADU-6XPT-XN", "sk": "#SLA", "entity": "sla_clocks", "ticket_id": "01M8",
        "tracking_code": "ADU-6XPT-XN",
        "agency_id": "dpu", "category_id": "jalan-rusak", "priority": "urgent", "applied_version": 4, "rev": 4,
        "clocks": {
            "verification": [1, "semarang@1", 1, "working_days", None, "2026-12-03T19:40:16.812544Z",
                             "2026-12-04T09:30:00.000000Z", "2026-12-03T19:40:19.568276Z", True, None],
            "resolution": {"stage": "resolution", "policy": "semarang@1",
                           "limit": {"value": 30, "unit": "working_days"}, "agency_id": "dpu",
                           "started_at": "2026-12-03T19:40:22.435715Z", "due_at": "2027-01-20T09:00:00.000000Z",
                           "remind_at": "2027-01-11T05:00:00.000000Z",
                           "hard_cap_at": "2027-02-01T19:40:22.435715Z"}},
        "queue_pk": "AGENCY#dpu#accepted", "due_sk": "2027-01-20T09:00:00.000000Z"}
    clocks = TicketClocks.model_validate(old)
    assert clocks.applied_version == 4 and clocks.priority == Priority.URGENT and clocks.applied_at is None
    assert clocks.clocks[Stage.VERIFICATION].state == ClockState.STOPPED
    assert clocks.clocks[Stage.VERIFICATION].stopped_at == "2026-12-03T19:40:19.568276Z"
    assert clocks.clocks[Stage.RESOLUTION].hard_cap_at == "2027-02-01T19:40:22.435715Z"
    size, read = _stored(clocks)
    assert read == clocks and size < item_size(codec.to_item(old))
