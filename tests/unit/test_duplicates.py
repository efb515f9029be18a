"""Which nearby complaints look like the same problem (the index query itself is tested under moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aduan.logic import clock
from aduan.logic.duplicates import candidates, similarity
from aduan.logic.status_machine import Status
from aduan.models.routing_config import DuplicatePolicy
from aduan.models.ticket import Channel, Location, Reporter, Ticket

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def _ticket(code: str, text: str, lat: float, status: Status = Status.RECEIVED, closed_days_ago: int = 0) -> Ticket:
    stamp = clock.to_storage(NOW - timedelta(days=1))
    closed = clock.to_storage(NOW - timedelta(days=closed_days_ago)) if status == Status.CLOSED else None
    return Ticket(id=code, tracking_code=code, title="", text=text, location=Location(lat=lat, lon=110.42),
                  channel=Channel.WEB, reporter=Reporter(ref=code), status=status, closed_at=closed,
                  created_at=stamp, updated_at=stamp, status_since=stamp)


def test_similarity_compares_stems_without_stopwords() -> None:
    assert similarity("Jalan berlubang di depan pasar", "jln lubangnya besar dpn pasar") > 0.5
    assert similarity("Jalan berlubang di depan pasar", "Lampu taman mati") == 0.0
    assert similarity("di yang dan", "di yang dan") == 0.0


def test_candidates_are_near_similar_and_still_live_best_first() -> None:
    new = _ticket("NEW", "Jalan berlubang depan pasar Johar", -6.97)
    nearby = [
        _ticket("SAME", "jalan berlubang di depan pasar johar", -6.9705),
        _ticket("LESS", "lubang di jalan", -6.9702),
        _ticket("FAR", "Jalan berlubang depan pasar Johar", -6.99),
        _ticket("OTHER", "Lampu taman mati", -6.9701),
        _ticket("DUP", "Jalan berlubang depan pasar Johar", -6.9701, Status.DUPLICATE),
        _ticket("OLD", "Jalan berlubang depan pasar Johar", -6.9701, Status.CLOSED, closed_days_ago=30),
        _ticket("RECENT", "Jalan berlubang depan pasar Johar", -6.9701, Status.CLOSED, closed_days_ago=3),
        new,
    ]
    found = candidates(new, nearby, DuplicatePolicy(), NOW)
    assert [c.tracking_code for c in found] == ["RECENT", "SAME", "LESS"]
    assert 50 < found[1].distance_m < 60
    assert candidates(new, nearby, DuplicatePolicy(max_candidates=1), NOW)[0].tracking_code == "RECENT"
    nowhere = new.model_copy(update={"location": None})
    assert candidates(nowhere, nearby, DuplicatePolicy(), NOW) == []
