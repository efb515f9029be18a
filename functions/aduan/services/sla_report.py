"""An agency's SLA compliance for a period and what is overdue now.

Compliance comes from the precomputed statistics (the `sla_<verdict>_<stage>` counters of the day
facts, docs/statistics.md): one Query per month of the period, however many clocks stopped in it.
Only the agency's own stages count (first response, resolution): the desk's stages are the desk's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from aduan.dal.sla_store import SlaStore
from aduan.dal.stats import StatsRepository
from aduan.logic import access, clock, sla, stats
from aduan.logic.access import Principal
from aduan.logic.errors import NotFound, Unprocessable
from aduan.logic.periods import within_range
from aduan.models.api import OverdueItem, SlaReport, SlaStageCompliance
from aduan.models.config import CityConfig
from aduan.models.sla_config import Stage

MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD_DAYS = 30


def _percent(met: int, total: int) -> float | None:
    return round(100.0 * met / total, 1) if total else None


def _tally(flow: Counter[str], stage: str) -> tuple[int, int]:
    """(stopped, met) of a stage; a clock handed on unanswered stopped without being met."""
    met = flow[f"sla_met_{stage}"]
    return met + flow[f"sla_breached_{stage}"] + flow[f"sla_handed_on_{stage}"], met


@dataclass
class SlaReportService:
    store: SlaStore
    statistics: StatsRepository
    config: Callable[[], CityConfig]

    def report(self, principal: Principal, agency_id: str, since: date | None, until: date | None) -> SlaReport:
        config = self.config()
        if config.agency(agency_id) is None:
            raise NotFound(f"no agency {agency_id!r}")
        access.require_agency_scope(principal, agency_id)
        zone = ZoneInfo(config.settings.timezone)
        today = clock.now().astimezone(zone).date()
        until = within_range(until, "to") if until else today
        since = within_range(since, "from") if since else until - timedelta(days=DEFAULT_PERIOD_DAYS)
        if since > until or (until - since).days > MAX_PERIOD_DAYS:
            raise Unprocessable("the period must run forwards and span at most a year",
                                details=[{"field": "from", "message": f"on or before 'to', ≤ {MAX_PERIOD_DAYS} days"}])
        flow: Counter[str] = Counter()
        for (_, value), counters in self.statistics.flow(stats.CITY, "agency", since, until).items():
            if value == agency_id:  # its own and its sub-units' verdicts (docs/statistics.md, who is credited)
                flow.update(stats.fold_units(counters, across_agencies=False))
        counts = {stage: _tally(flow, stage.value) for stage in Stage}
        stopped = sum(t[0] for t in counts.values())
        met = sum(t[1] for t in counts.values())
        overdue = [
            OverdueItem(tracking_code=clocks.tracking_code,
                        stages=[c.stage.value for c in sla.open_clocks(clocks) if c.breached_at],
                        overdue_since=clock.for_display(min((c.breached_at for c in sla.open_clocks(clocks)
                                                             if c.breached_at), default=None), zone.key))
            for clocks in self.store.overdue(agency_id)
        ]
        return SlaReport(
            agency_id=agency_id, period_from=since.isoformat(), period_to=until.isoformat(), stopped=stopped,
            met=met, compliance_percent=_percent(met, stopped),
            by_stage=[SlaStageCompliance(stage=stage.value, stopped=total, met=on_time,
                                         compliance_percent=_percent(on_time, total))
                      for stage, (total, on_time) in counts.items() if total],
            overdue=overdue,
        )
