"""Merging a duplicate into its parent: the child's reporter follows the parent ("also reported by N").

Notifications (issue 6) read `follower_refs` to send the parent's updates to everyone who reported it.
"""

from __future__ import annotations

from datetime import datetime

from aduan.logic import lifecycle
from aduan.logic.access import Principal
from aduan.logic.status_machine import EventType
from aduan.models.ticket import Actor, Ticket


def absorb(parent: Ticket, child: Ticket, principal: Principal, moment: datetime) -> lifecycle.Change:
    """The parent's side of a merge. Its version moves: the count is visible to everyone who reads it."""
    followers = list(parent.follower_refs)
    reporter = child.reporter.ref
    if reporter != parent.reporter.ref and reporter not in followers:
        followers.append(reporter)
    followers.extend(ref for ref in child.follower_refs if ref not in followers and ref != parent.reporter.ref)
    count = parent.duplicate_count + 1 + child.duplicate_count
    # No reporter ref here: the timeline is read by agency officers, and the child may be anonymous.
    data = {"child_tracking_code": child.tracking_code, "child_ticket_id": child.id,
            "duplicate_count": count, "follower_count": len(followers)}
    return lifecycle.annotate(parent, {"duplicate_count": count, "follower_refs": followers},
                              EventType.DUPLICATE_MERGED, Actor(role=principal.primary_role, id=principal.sub),
                              moment, data, note=f"{child.tracking_code} merged as a duplicate", bump_version=True)
