"""AbuseGuard: may this sender file a complaint now? A per-sender rate limit (per hour and per day,
from routing.json) and a block list kept by supervisors. The API's filing path asks it before
anything is created; channel intake (issue 3) asks it for every inbound message that would file one,
and sends the refusal text back over the channel.

    admission = guard.admit(sender_ref, now)
    if not admission.allowed: reply with admission.reply_id / reply_en (the contact's language); create nothing
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from aduan.dal.abuse import AbuseStore
from aduan.logic import clock
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError, Forbidden, NotFound, TooManyRequests
from aduan.logic.status_machine import Role
from aduan.models.abuse import Admission, BlockedSender
from aduan.models.routing_config import AbuseLimits

BLOCKED_ID = ("Mohon maaf, laporan dari akun atau nomor ini untuk sementara tidak dapat kami terima. "
              "Jika menurut Anda ini keliru, silakan hubungi layanan pengaduan Pemerintah Kota.")
BLOCKED_EN = ("We are sorry, we cannot accept reports from this account or number for now. If you believe "
              "this is a mistake, please contact the city's complaint service.")
LIMITED_ID = ("Mohon maaf, Anda sudah mengirim banyak laporan dalam waktu singkat. Silakan coba lagi dalam "
              "{minutes} menit. Laporan Anda sebelumnya tetap kami proses.")
LIMITED_EN = ("We are sorry, you have sent many reports in a short time. Please try again in {minutes} minutes. "
              "Your earlier reports are still being handled.")


@dataclass
class AbuseGuard:
    store: AbuseStore
    limits: Callable[[], AbuseLimits]

    def admit(self, sender_ref: str, now: datetime) -> Admission:
        """One read (block list) and, unless blocked, one counter update."""
        entry = self.store.blocked(sender_ref)
        if entry is not None and entry.active:
            return blocked()
        utc = now.astimezone(UTC)
        day_total, hour_total = self.store.count(sender_ref, utc.strftime("%Y-%m-%d"), utc.strftime("%H"),
                                                 _expiry(utc))
        return self._verdict(day_total, hour_total, utc)

    def admit_read(self, sender_ref: str, now: datetime, entry: BlockedSender | None, counters: dict[str, Any]
                   ) -> tuple[Admission, dict[str, Any] | None]:
        """`admit` from what the caller read (block list entry, the day's counters `rate_key`): the admission
        and the counter's write, for the caller to store with its effect (none when blocked: not counted).
        The caller must be the sender's only writer meanwhile (the intake queue's FIFO group)."""
        if entry is not None and entry.active:
            return blocked(), None
        utc = now.astimezone(UTC)
        hour = utc.strftime("%H")
        write = self.store.count_write(sender_ref, utc.strftime("%Y-%m-%d"), hour, _expiry(utc))
        return self._verdict(int(counters.get("n", 0)) + 1, int(counters.get(f"h{hour}", 0)) + 1, utc), write

    def _verdict(self, day_total: int, hour_total: int, utc: datetime) -> Admission:
        limits = self.limits()
        if hour_total > limits.per_hour or day_total > limits.per_day:
            next_hour = utc.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
            next_day = utc.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            wait = (next_day if day_total > limits.per_day else next_hour) - utc
            minutes = max(1, math.ceil(wait.total_seconds() / 60))
            return Admission(allowed=False, reason="rate_limited", reply_id=LIMITED_ID.format(minutes=minutes),
                             reply_en=LIMITED_EN.format(minutes=minutes),
                             retry_after_seconds=int(wait.total_seconds()) + 1)
        return Admission(allowed=True)

    def spend(self, what: str, owner: str, complaint_id: str, per_complaint: int, per_hour: int,
              now: datetime) -> None:
        """Count one `what` (comment, attachment) by `owner` on a complaint; refuse past either limit
        (aduan/config/limits.json). The per-complaint count keeps the agency's inbox and the view bounded."""
        utc = now.astimezone(UTC)
        hour = self.store.bump(f"{what}#{owner}", utc.strftime("H#%Y-%m-%dT%H"),
                               int((utc + timedelta(hours=2)).timestamp()))
        if hour > per_hour:
            wait = int((utc.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1) - utc).total_seconds())
            minutes = max(1, math.ceil(wait / 60))
            raise TooManyRequests(
                f"at most {per_hour} {what}s an hour; try again in {minutes} minutes",
                details={"limit": per_hour, "retry_after_seconds": wait + 1,
                         "reply_id": f"Batas {per_hour} per jam tercapai; coba lagi dalam {minutes} menit.",
                         "reply_en": f"The limit of {per_hour} an hour is reached; try again in {minutes} minutes."},
                code="rate_limited")
        if self.store.bump(f"{what}#{complaint_id}", "ALL", None) > per_complaint:
            raise TooManyRequests(
                f"this complaint already has the most {what}s allowed ({per_complaint})",
                details={"limit": per_complaint,
                         "reply_id": f"Laporan ini sudah mencapai batas {per_complaint}.",
                         "reply_en": f"This complaint has reached the limit of {per_complaint}."},
                code="limit_reached")

    # ------------------------------------------------------------------ supervisors
    def block(self, principal: Principal, sender_ref: str, reason: str) -> BlockedSender:
        _require_supervisor(principal)
        entry = BlockedSender(sender_ref=sender_ref, reason=reason, blocked_by=principal.sub,
                              blocked_at=clock.to_storage(clock.now()))
        self.store.put_block(entry)
        return entry

    def unblock(self, principal: Principal, sender_ref: str) -> BlockedSender:
        _require_supervisor(principal)
        entry = self.store.blocked(sender_ref)
        if entry is None or not entry.active:
            raise NotFound(f"{sender_ref!r} is not blocked")
        lifted = entry.model_copy(update={"active": False, "unblocked_by": principal.sub,
                                          "unblocked_at": clock.to_storage(clock.now())})
        self.store.put_block(lifted)
        return lifted

    def blocked(self, principal: Principal, limit: int, cursor: str | None) -> tuple[list[BlockedSender], str | None]:
        _require_supervisor(principal)
        return self.store.list_blocked(limit, cursor)


@cache
def blocked() -> Admission:
    """The refusal for a blocked sender (built on first use: models are not built at import)."""
    return Admission(allowed=False, reason="blocked", reply_id=BLOCKED_ID, reply_en=BLOCKED_EN)


def _expiry(utc: datetime) -> int:
    """When a day's counters may go (TTL): two days on."""
    return int((utc + timedelta(days=2)).timestamp())


def refusal(admission: Admission) -> DomainError:
    """The API's answer to a refused sender: 403 when blocked, 429 when over the limit; both polite."""
    details = {"reply_id": admission.reply_id, "reply_en": admission.reply_en,
               "retry_after_seconds": admission.retry_after_seconds}
    if admission.reason == "blocked":
        return Forbidden(admission.reply_en or "", details=details, code="sender_blocked")
    return TooManyRequests(admission.reply_en or "", details=details, code="rate_limited")


def _require_supervisor(principal: Principal) -> None:
    if Role.SUPERVISOR not in principal.roles:
        raise Forbidden("only supervisors manage the block list")
