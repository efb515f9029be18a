"""The handlers in this process under moto, with the resources built from template.yaml's own properties
and the city config seeded: the same setup as tests/integration/conftest.py, without pytest."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import boto3
from moto import mock_aws

from infra import emulation
from infra.emulation import Context
from infra.sam import load_template

REPO = Path(__file__).resolve().parents[2]
# Run from a checkout, the Lambda package is not installed: it lives in functions/.
if importlib.util.find_spec("aduan") is None:
    sys.path.insert(0, str(REPO / "functions"))

REGION: Final = emulation.REGION
TABLES = {"TicketsTable": "aduan-tickets-bench", "IdempotencyTable": "aduan-idempotency-bench"}
BUCKET = "aduan-attachments-bench"
BUS = "aduan-bench"
CLAIMS = {
    "citizen": {"sub": "citizen-1", "cognito:groups": "citizen", "name": "Sari Wulandari"},
    "verifier": {"sub": "verifier-1", "cognito:groups": "verifier"},
    "dpu": {"sub": "officer-dpu", "cognito:groups": "agency_officer", "custom:agency_id": "dpu"},
}
ENVIRONMENT = emulation.environment(TABLES, BUCKET, BUS)


def _seed_without_rate_limit() -> None:
    """The seed, but with the abuse guard's limits out of the way: one bench user files hundreds."""
    from aduan.dal.config_store import save_config
    from aduan.models.routing_config import AbuseLimits
    from infra.seed import seed_table

    config = seed_table(TABLES["TicketsTable"])
    routing = config.routing.model_copy(update={"abuse": AbuseLimits(per_hour=10_000, per_day=100_000)})
    save_config(TABLES["TicketsTable"], config.model_copy(update={"routing": routing}))


def enable_stream(logical_id: str = "TicketsTable") -> None:
    """Switch on the stream the template declares, so that the writes from now on reach it."""
    specification = load_template()["Resources"][logical_id]["Properties"]["StreamSpecification"]
    boto3.client("dynamodb").update_table(TableName=TABLES[logical_id],
                                          StreamSpecification={"StreamEnabled": True, **specification})


@contextmanager
def aws() -> Iterator[None]:
    """moto with the template's tables, the bucket and the bus, and the city config seeded."""
    from aduan import wiring

    saved = {name: os.environ.get(name) for name in [*ENVIRONMENT, "AWS_ENDPOINT_URL"]}
    os.environ.update(ENVIRONMENT)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            wiring.reset()
            # Stream off until `enable_stream`: moto copies a whole table, stream records included, for every
            # transaction, and that copy would dominate the run.
            emulation.provision(TABLES, BUCKET, BUS, stream=False)
            _seed_without_rate_limit()
            yield
            wiring.reset()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bench_context() -> Context:
    return Context("aduan-bench")


def rest_event(method: str, path: str, body: Any = None, who: str | None = None,
               headers: dict[str, str] | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    return emulation.rest_event(method, path, body, CLAIMS[who] if who else None, headers, query, stage="bench")


def outbox_records() -> list[dict[str, Any]]:
    return emulation.outbox_records(TABLES["TicketsTable"])


def relay_batch_size() -> int:
    """BatchSize of the relay's stream event source in template.yaml."""
    function = load_template()["Resources"]["EventRelayFunction"]["Properties"]
    return int(function["Events"]["Outbox"]["Properties"]["BatchSize"])
