"""Rebuild the statistics from the event history, by key queries only (no Scan):

    python -m infra.stats_rebuild --table aduan-tickets-prod [--dry-run] [--sla-overdue]

Tickets are found through the queue index (every ticket head is in exactly one queue: each status
at the desk, each status of each configured agency), their events are their timeline entries (the
outbox records, SLA entries included: every SLA event is one). The events are
replayed through the same pure aggregation as the incremental consumer, then every statistics
cell is overwritten with the rebuilt value and cells the history does not support are deleted.
Run it while the statistics queue's event source is paused (events keep waiting in the queue).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("aduan") is None:
    sys.path.insert(0, str(REPO_ROOT / "functions"))

from aduan.dal.config_store import load_config  # noqa: E402
from aduan.dal.stats import OPEN_PK, StatsRepository, fact_pk, fact_sk, months, open_sk  # noqa: E402
from aduan.dal.ticket_items import queue_key  # noqa: E402
from aduan.dal.tickets import TicketRepository  # noqa: E402
from aduan.logic import clock, stats  # noqa: E402
from aduan.logic.lifecycle import Policy  # noqa: E402
from aduan.logic.status_machine import Status  # noqa: E402
from aduan.models.config import CityConfig  # noqa: E402
from aduan.models.events import DomainEvent  # noqa: E402


@dataclass(frozen=True)
class Outcome:
    tickets: int
    events: int
    cells_written: int
    cells_deleted: int


def queue_keys(config: CityConfig) -> list[str]:
    keys = {queue_key(status, None) for status in Status}
    keys |= {queue_key(status, agency.id) for status in Status for agency in config.agencies}
    return sorted(keys)


def ticket_codes(tickets: TicketRepository, config: CityConfig) -> Iterator[str]:
    for key in queue_keys(config):
        cursor: str | None = None
        while True:
            page, cursor = tickets.queue(key, "oldest", 100, cursor)
            yield from (ticket.tracking_code for ticket in page)
            if cursor is None:
                break


def history(tickets: TicketRepository, config: CityConfig, counted: list[int]) -> Iterator[DomainEvent]:
    """Every ticket's domain events, as stored (the SLA engine's with source aduan.sla)."""
    for code in ticket_codes(tickets, config):
        counted[0] += 1
        yield from tickets.events(code)


def rebuild(table: str, dry_run: bool = False) -> Outcome:
    config = load_config(table)
    repository = StatsRepository(table)
    counted = [0]
    events = list(history(TicketRepository(table), config, counted))
    aggregate = stats.replay(events, config.settings.timezone, Policy.of(config).tops())
    puts, keep = _cells(aggregate)
    deletes = [key for key in _existing(repository, config, aggregate) if (key["pk"], key["sk"]) not in keep]
    if not dry_run:
        repository.replace_cells(puts, deletes)
    return Outcome(tickets=counted[0], events=len(events), cells_written=len(puts), cells_deleted=len(deletes))


def _cells(aggregate: stats.Aggregate) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    puts: list[dict[str, Any]] = []
    for (day, combo), counters in aggregate.facts.items():
        nonzero = {k: n for k, n in counters.items() if n}
        if nonzero:
            # The markers of every event replayed, so one still waiting in the paused queue is not counted twice.
            puts.append({"pk": fact_pk(day[:7]), "sk": fact_sk(day, combo), **nonzero,
                         "applied": aggregate.applied[(day, combo)]})
    for (combo, created_day), counters in aggregate.open.items():
        nonzero = {k: n for k, n in counters.items() if n}
        if nonzero:
            puts.append({"pk": OPEN_PK, "sk": open_sk(combo, created_day), **nonzero})
    for ticket_id, state in aggregate.states.items():  # its version: an older event waiting moves nothing
        puts.append({"pk": f"STATS#TICKET#{ticket_id}", "sk": "#STATE", **vars(state)})
    return puts, {(item["pk"], item["sk"]) for item in puts}


def _existing(repository: StatsRepository, config: CityConfig, aggregate: stats.Aggregate
              ) -> Iterator[dict[str, str]]:
    """Keys of the stored facts and open counts in every partition this history can have."""
    days = sorted({day for day, _ in aggregate.facts}) or [clock.now().date().isoformat()]
    span = months(date.fromisoformat(days[0]), max(date.fromisoformat(days[-1]), clock.now().date()))
    for pk in [fact_pk(month) for month in span] + [OPEN_PK]:
        for sk in repository.raw_cells(pk):
            yield {"pk": pk, "sk": sk}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.stats_rebuild", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", required=True, help="the tickets table (statistics live in it too)")
    parser.add_argument("--dry-run", action="store_true", help="replay and count, write nothing")
    parser.add_argument("--sla-overdue", action="store_true",
                        help="also set the SLA overdue counts (SLA#OVERDUE) from the sla_overdue index, for clocks "
                             "written before the counts existed (pause the SLA queue's event source meanwhile)")
    args = parser.parse_args(argv)
    if args.sla_overdue and not args.dry_run:
        from aduan.dal.sla_store import SlaStore

        counts = SlaStore(args.table).recount_overdue([agency.id for agency in load_config(args.table).agencies])
        print(f"SLA overdue counts: {sum(counts.values())} tickets at {sum(1 for n in counts.values() if n)} agencies")
    outcome = rebuild(args.table, dry_run=args.dry_run)
    print(f"replayed {outcome.events} events of {outcome.tickets} tickets: "
          f"{outcome.cells_written} cells written, {outcome.cells_deleted} stale cells deleted"
          + (" (dry run)" if args.dry_run else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
