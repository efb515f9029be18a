"""Likely duplicates of a new complaint: same category, close by, still open or recently closed,
similar words. The candidates come from the geohash index (a handful of cells around the point);
this module only decides which of them look like the same problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from aduan.logic.clock import from_storage
from aduan.logic.geo import distance_m
from aduan.logic.normalise import stems
from aduan.logic.status_machine import Status
from aduan.models.routing_config import DuplicatePolicy
from aduan.models.ticket import DuplicateCandidate, Ticket

# Words that say nothing about which problem it is.
_STOPWORDS = frozenset({"yang", "di", "ke", "dari", "dan", "ini", "itu", "ada", "tidak", "sudah", "belum", "saya",
                        "kami", "mohon", "tolong", "bapak", "ibu", "the", "a", "is", "in", "at", "of", "and",
                        "please", "sangat", "sekali", "banget", "lagi", "juga", "untuk", "dengan", "karena"})
_NEVER_PARENT = frozenset({Status.REJECTED, Status.DUPLICATE})


def similarity(a: str, b: str, synonyms: Mapping[str, str] | None = None) -> float:
    """Dice coefficient of the two texts' word stems (stopwords left out): 0 unrelated, 1 same words."""
    left, right = stems(a, synonyms) - _STOPWORDS, stems(b, synonyms) - _STOPWORDS
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))


def _recent_enough(other: Ticket, policy: DuplicatePolicy, now: datetime) -> bool:
    if other.status in _NEVER_PARENT:
        return False
    if other.status == Status.CLOSED:
        closed = from_storage(other.closed_at or other.updated_at)
        return now - closed <= timedelta(days=policy.closed_within_days)
    return True


def candidates(ticket: Ticket, nearby: Iterable[Ticket], policy: DuplicatePolicy, now: datetime,
               synonyms: Mapping[str, str] | None = None) -> list[DuplicateCandidate]:
    """The best `max_candidates` of `nearby` (same category, already fetched by cell), best first."""
    location = ticket.location
    if location is None or location.lat is None or location.lon is None:
        return []
    text = f"{ticket.title} {ticket.text}"
    found = []
    for other in nearby:
        where = other.location
        if other.id == ticket.id or where is None or where.lat is None or where.lon is None:
            continue
        if not _recent_enough(other, policy, now):
            continue
        distance = distance_m(location.lat, location.lon, where.lat, where.lon)
        if distance > policy.radius_m:
            continue
        score = similarity(text, f"{other.title} {other.text}", synonyms)
        if score < policy.min_similarity:
            continue
        found.append(DuplicateCandidate(tracking_code=other.tracking_code, title=other.title, status=other.status,
                                        distance_m=round(distance, 1), similarity=round(score, 3),
                                        created_at=other.created_at))
    found.sort(key=lambda c: (-c.similarity, c.distance_m, c.created_at))
    return found[: policy.max_candidates]
