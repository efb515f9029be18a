"""Generated complaint histories for tests and benchmarks: random but valid walks through the real
lifecycle (logic.lifecycle), so every ticket and timeline entry is one the API could have written."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from aduan.logic import lifecycle
from aduan.logic.access import Principal
from aduan.logic.errors import DomainError
from aduan.logic.status_machine import Action, Role, Status, actions_available
from aduan.models.config import CityConfig
from aduan.models.ticket import Channel, Location, Reporter

SUPERVISOR = Principal(sub="supervisor-gen", roles=frozenset({Role.SUPERVISOR}))
CHANNELS = (Channel.APP, Channel.WEB, Channel.WHATSAPP, Channel.SMS, Channel.EMAIL)
NAMES = ("Sari Wulandari", "Budi Santoso", "Siti Aminah", "Agus Pranoto", "Dewi Lestari", "Joko Susilo")


@dataclass(frozen=True)
class History:
    changes: list[lifecycle.Change]  # in the order they happened; the first creates the ticket


def _command(action: Action, version: int, rng: random.Random, agencies: list[str], parents: list[str]
             ) -> lifecycle.Command:
    return lifecycle.Command(action=action, expected_version=version, note="Catatan petugas",
                             reason="Alasan yang jelas", agency_id=rng.choice(agencies),
                             duplicate_of=rng.choice(parents) if parents else "ADU-0000-00",
                             response="Sudah ditindaklanjuti oleh petugas lapangan")


def histories(config: CityConfig, count: int, start: datetime, days: int, seed: int = 7,
              max_steps: int = 9) -> Iterator[History]:
    rng = random.Random(seed)
    agencies = [a.id for a in config.agencies if a.kind != "desk"]
    categories = [c.id for c in config.categories]
    areas = [a.code for a in config.areas if a.parent_code]
    policy = lifecycle.Policy(reopen_window_days=config.settings.reopen_window_days, agency_ids=frozenset(agencies))
    parents: list[str] = []
    for number in range(count):
        moment = start + timedelta(minutes=rng.randrange(days * 24 * 60))
        name = rng.choice(NAMES)
        reporter = Principal(sub=f"citizen-{number % 997}", roles=frozenset({Role.CITIZEN}), name=name)
        draft = lifecycle.Draft(
            title=f"Keluhan warga {number}", text=f"Mohon ditindaklanjuti, laporan dari {name} nomor {number}.",
            channel=rng.choice(CHANNELS), reporter=Reporter(ref=reporter.sub, name=name),
            category_id=rng.choice(categories),
            location=Location(lat=-6.99 + rng.random() / 10, lon=110.40 + rng.random() / 10,
                              address=f"Jl. Contoh {number}", area_code=rng.choice(areas)),
            anonymous=rng.random() < 0.2, confidential=rng.random() < 0.05,
        )
        change = lifecycle.open_ticket(draft, reporter, config.settings.tracking_prefix, moment)
        changes = [change]
        ticket = change.ticket
        for _ in range(rng.randrange(max_steps)):
            moment += timedelta(minutes=rng.randrange(10, 3 * 24 * 60))
            if ticket.status in (Status.RESOLVED, Status.CLOSED) and ticket.rating is None and rng.random() < 0.4:
                step = lifecycle.rate(ticket, rng.randint(1, 5), None, reporter, moment)
            else:
                options = actions_available(ticket.status, frozenset({Role.SUPERVISOR}))
                if not options:
                    break
                action = rng.choice(options)
                try:
                    step = lifecycle.apply(ticket, _command(action, ticket.version, rng, agencies, parents),
                                           SUPERVISOR, policy, moment)
                except DomainError:
                    continue  # e.g. the reopen window closed: try another step
            changes.append(step)
            ticket = step.ticket
        parents.append(ticket.tracking_code)
        yield History(changes=changes)
