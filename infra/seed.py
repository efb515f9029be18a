"""Validate a city's config directory and store it in the tickets table.

    python -m infra.seed --table aduan-tickets-dev [--city-dir infra/config/semarang]
    python -m infra.seed --check --city-dir path/to/my-city      # validate only, writes nothing

AWS_ENDPOINT_URL / AWS_PROFILE / AWS_REGION are read by boto3 as usual.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CITY_DIR = REPO_ROOT / "infra" / "config" / "semarang"
DEFAULT_TRANSPARENCY = REPO_ROOT / "infra" / "config" / "transparency" / "transparency.json"
DEFAULT_SLA_POLICY = REPO_ROOT / "infra" / "config" / "sla" / "semarang.json"
DEFAULT_TEMPLATES_DIR = REPO_ROOT / "infra" / "config" / "templates"
# The Open311 demo client (its key is published in the README): local mode and tests only, never deployed.
LOCAL_OPEN311_CLIENTS = REPO_ROOT / "infra" / "local" / "open311_clients.json"

# Run from a checkout, the Lambda package is not installed: it lives in functions/ (tests add it themselves).
if importlib.util.find_spec("aduan") is None:
    sys.path.insert(0, str(REPO_ROOT / "functions"))

from aduan.dal.config_store import save_config  # noqa: E402
from aduan.dal.sla_store import SlaStore  # noqa: E402
from aduan.dal.template_store import save_templates  # noqa: E402
from aduan.dal.transparency_store import save_transparency  # noqa: E402
from aduan.models.config import CityConfig, ConfigError, load_config_dir  # noqa: E402
from aduan.models.sla_config import SlaConfigError, load_policy_file  # noqa: E402
from aduan.models.templates import load_templates_dir  # noqa: E402
from aduan.models.transparency import (  # noqa: E402
    Open311Client,
    TransparencyConfig,
    load_transparency_file,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient


def with_local_clients(transparency: TransparencyConfig) -> TransparencyConfig:
    """The transparency config plus the local demo Open311 client(s)."""
    try:
        document = json.loads(LOCAL_OPEN311_CLIENTS.read_text(encoding="utf-8"))
        extra = [Open311Client.model_validate(item) for item in document["clients"]]
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"{LOCAL_OPEN311_CLIENTS}: {exc}") from None
    settings = transparency.open311.model_copy(update={"clients": [*transparency.open311.clients, *extra]})
    return transparency.model_copy(update={"open311": settings})


def seed_table(table_name: str, city_dir: Path | None = None, *,
               client: DynamoDBClient | None = None, sla_policy: Path | None = None,
               local_demo: bool = False) -> CityConfig:
    """`local_demo` adds the local-only Open311 demo client; a deployment's seed never does."""
    config = load_config_dir(city_dir or DEFAULT_CITY_DIR)
    transparency = load_transparency_file(DEFAULT_TRANSPARENCY)
    if local_demo:
        transparency = with_local_clients(transparency)
    policy = load_policy_file(sla_policy or DEFAULT_SLA_POLICY)
    templates = load_templates_dir(DEFAULT_TEMPLATES_DIR)  # validate everything before writing anything
    save_config(table_name, config, client=client)
    save_transparency(table_name, transparency, client=client)
    SlaStore(table_name, client=client).save_policy(policy)
    save_templates(table_name, templates, client=client)
    return config


def point_tracking_links(table_name: str, base_url: str, *, client: DynamoDBClient | None = None) -> None:
    """Local mode: notifications' tracking links (and the officers' console links: the rating digest) lead to the
    console this stack serves, not the city's domain."""
    templates = load_templates_dir(DEFAULT_TEMPLATES_DIR)
    base = base_url.rstrip("/")
    settings = templates.settings.model_copy(update={"link_base_url": f"{base}/lacak", "console_url": f"{base}/"})
    save_templates(table_name, templates.model_copy(update={"settings": settings}), client=client)


def _summary(config: CityConfig) -> str:
    return (f"{config.settings.city_name}: {len(config.agencies)} agencies, "
            f"{len(config.categories)} categories, {len(config.areas)} areas")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.seed", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--table", help="DynamoDB table to write the config to")
    target.add_argument("--check", action="store_true", help="only validate the directory")
    parser.add_argument("--city-dir", type=Path, default=DEFAULT_CITY_DIR,
                        help="directory with settings, agencies, categories and areas .json files "
                             f"(default {DEFAULT_CITY_DIR})")
    parser.add_argument("--sla-policy", type=Path, default=DEFAULT_SLA_POLICY,
                        help=f"SLA policy file, stored as a new version and activated (default {DEFAULT_SLA_POLICY})")
    args = parser.parse_args(argv)
    try:
        if args.check:
            load_transparency_file(DEFAULT_TRANSPARENCY)
            print(f"valid: {_summary(load_config_dir(args.city_dir))}; SLA {load_policy_file(args.sla_policy).key}; "
                  f"{len(load_templates_dir(DEFAULT_TEMPLATES_DIR).templates)} notification templates")
        else:
            stored = seed_table(args.table, args.city_dir, sla_policy=args.sla_policy)
            print(f"stored in {args.table}: {_summary(stored)}")
    except (ConfigError, SlaConfigError) as exc:
        print(f"invalid city config: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
