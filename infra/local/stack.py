"""LocalStack: the whole system on one machine, wired exactly as template.yaml wires it.

start() runs moto on loopback, points boto3 at it (AWS_ENDPOINT_URL and fake credentials, so
nothing can reach a real account), creates the translated template's resources, seeds the city
configuration, imports the handlers with their template environment and starts the gateway,
the event source pollers, the scheduler and the event tap. stop() undoes all of it, including
the environment changes. moto's state and os.environ are process-wide: one stack per process.
With a state directory, the data is restored from it after provisioning and saved to it while running
and on stop (state.py, docs/local-mode.md).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from infra.local import aws
from infra.local.auth import DEFAULT_ROLES, TokenAuthority
from infra.local.clock import LocalClock
from infra.local.environment import EnvironmentPatch
from infra.local.errors import LocalStackError
from infra.local.event_tap import EventTap, Predicate
from infra.local.faults import FaultInjector, FaultPlan
from infra.local.functions import FUNCTION_TYPE, function_specs, register_function
from infra.local.gateway import Gateway
from infra.local.housekeeping import Housekeeper
from infra.local.intrinsics import Resolver
from infra.local.local_endpoints import LocalEndpoints
from infra.local.mappings import create_mapping
from infra.local.moto_server import DYNAMODB_LOCK, MotoServer
from infra.local.poller import Poller, PollerSettings
from infra.local.pollers import build_pollers, stop_all
from infra.local.provision import Creator, ProvisionContext, provision
from infra.local.registry import Registry
from infra.local.resources import (
    create_bucket,
    create_event_bus,
    create_queue,
    create_subscription,
    create_table,
    create_topic,
)
from infra.local.retention import StreamRetention
from infra.local.routes import RouteTable, load_routes
from infra.local.rules import create_rule, create_schedule
from infra.local.runtime import Handler, LambdaRuntime, merged_environment
from infra.local.schedules import Scheduler
from infra.local.state import Resources, Restored, Snapshotter
from infra.local.state_file import StateFile, StateFileError
from infra.local.template import DEFAULT_TEMPLATE, StackTemplate, load_stack_template
from infra.local.web_front import web_front
from infra.local.wiring import MappingSpec, ScheduleSpec

LOG = logging.getLogger(__name__)
DEFAULT_REGION = "ap-southeast-3"
ACCOUNT_ID = "123456789012"  # moto's default account, so its own ARNs agree with ours
SEEDED_TABLE = "TicketsTable"
Seeder = Callable[[str], None]

CREATORS: dict[str, Creator] = {
    "AWS::DynamoDB::Table": create_table,
    "AWS::S3::Bucket": create_bucket,
    "AWS::SQS::Queue": create_queue,
    "AWS::SNS::Topic": create_topic,
    "AWS::SNS::Subscription": create_subscription,
    "AWS::Events::EventBus": create_event_bus,
    "AWS::Events::Rule": create_rule,
    "AWS::Scheduler::Schedule": create_schedule,
    FUNCTION_TYPE: register_function,
    "AWS::Lambda::EventSourceMapping": create_mapping,
}
_ONE_PER_PROCESS = threading.Lock()
# Development values of the channel secrets (SSM in AWS); see docs/channels.md.
CHANNEL_SECRETS = Path(__file__).resolve().parent / "channels.json"


def seed_city_configuration(table_name: str, client: Any = None) -> None:
    import inspect

    from infra.seed import seed_table  # imported only when seeding: it imports the Lambda package

    # An explicit client keeps the seeder off clients cached by an earlier stack in this process.
    if client is not None and "client" in inspect.signature(seed_table).parameters:
        seed_table(table_name, client=client, local_demo=True)
    else:
        seed_table(table_name, local_demo=True)


class LocalStack:
    def __init__(
        self,
        template_path: Path | str = DEFAULT_TEMPLATE,
        *,
        host: str = "127.0.0.1",
        port: int = 3000,
        moto_port: int = 0,
        region: str | None = None,
        stage: str = "local",
        parameters: Mapping[str, str] | None = None,
        seed: bool | Seeder = True,
        handler_overrides: Mapping[str, Handler | str] | None = None,
        poller_settings: PollerSettings | None = None,
        stack_name: str = "aduan-local",
        state_dir: Path | str | None = None,
        fresh: bool = False,
        snapshot_every: float = 5.0,
        faults: FaultPlan | None = None,
    ) -> None:
        self.template_path = Path(template_path)
        self.host = host
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        self.account_id = ACCOUNT_ID
        self.stack_name = stack_name
        self._port = port
        self._parameters = {"Stage": stage, **(parameters or {})}
        self._seed = seed
        self._overrides = dict(handler_overrides or {})
        self._settings = poller_settings or PollerSettings()
        self._moto = MotoServer("127.0.0.1", moto_port)  # AWS stays on loopback whatever the API host
        self._env = EnvironmentPatch()
        self.registry = Registry()
        self.auth = TokenAuthority(self.region)
        self.template: StackTemplate | None = None
        self.runtime: LambdaRuntime | None = None
        self.routes = RouteTable(())
        self.schedules: list[ScheduleSpec] = []
        self.mappings: list[MappingSpec] = []
        self._gateway: Gateway | None = None
        self._scheduler: Scheduler | None = None
        self._tap: EventTap | None = None
        self._pollers: list[Poller] = []
        self._owns_process = False
        self._clients: aws.AwsClients | None = None
        self.clock = LocalClock()
        self.state = StateFile(Path(state_dir)) if state_dir is not None else None
        self.restored: Restored | None = None  # what the state directory gave back at start
        self.set_aside: Path | None = None  # where a fresh start moved the previous state
        self._fresh = fresh
        self._snapshot_every = snapshot_every
        self._housekeeper: Housekeeper | None = None
        # Local fault injection (faults.py): off unless asked for; counts what it did.
        self.faults = FaultInjector(faults) if faults is not None else None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalStack:
        if not _ONE_PER_PROCESS.acquire(blocking=False):
            raise LocalStackError("another LocalStack is running in this process (moto state is global)")
        self._owns_process = True
        started = time.monotonic()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        LOG.info(
            "local stack ready in %.1f s: API %s, moto %s",
            time.monotonic() - started,
            self.api_url,
            self.moto_url,
        )
        return self

    def _start(self) -> None:
        # A profile or session token in the shell must not mix with the fake credentials.
        self._env.unset("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
        self._moto.start()
        self._clients = aws.AwsClients(self._moto.url, self.region)
        self.registry = Registry()  # a restarted stack starts from an empty moto
        self._env.set(
            {
                "AWS_ENDPOINT_URL": self._moto.url,
                "AWS_ACCESS_KEY_ID": aws.FAKE_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": aws.FAKE_SECRET_KEY,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,  # what the Lambda runtime sets
            }
        )
        template = self.template = load_stack_template(
            self.template_path, self.region, self.account_id, self._parameters
        )
        pseudo = {
            "AWS::AccountId": self.account_id,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::StackName": self.stack_name,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackId": self._arn("cloudformation", f"stack/{self.stack_name}/local"),
        }
        resolver = Resolver(template.translated, self._parameters, pseudo, self.registry)
        self.auth = TokenAuthority(self.region, _roles(template, resolver))
        ctx = ProvisionContext(
            self.region,
            self.account_id,
            self.stack_name,
            resolver,
            self.registry,
            self._client,
            user_pool_id=self.auth.user_pool_id,
            user_pool_client_id=self.auth.client_id,
        )
        provision(template.resources, ctx, CREATORS)
        self.schedules, self.mappings = ctx.schedules, ctx.mappings
        self._seed_tables()
        self._housekeeper = Housekeeper(DYNAMODB_LOCK, self._restore_state(), self._changes, self._snapshot_every)

        specs = function_specs(template.resources, ctx, template.code_dirs)
        # LOCAL_OUTBOX: a sender without provider credentials keeps requests for GET /local/outbox.
        # LOCAL_CHANNEL_SECRETS: the webhooks' development secrets (docs/channels.md).
        self._env.set({**merged_environment(specs), "POWERTOOLS_TRACE_DISABLED": "true", "LOCAL_OUTBOX": "1",
                       "LOCAL_CHANNEL_SECRETS": str(CHANNEL_SECRETS)})
        if self.faults is not None:
            self.faults.install()
        runtime = self.runtime = LambdaRuntime(specs, self.region, self._overrides)
        runtime.load()

        self.routes, apis = load_routes(template.sam, resolver.resolve)
        self.clock.install()
        self._scheduler = Scheduler(
            ctx.schedules, runtime.invoke, self._send_to_queue, self.region, self.account_id,
            clock=self.clock.timestamp,
        )
        buses = [bus.ref for bus in self.registry.of_type("AWS::Events::EventBus") if bus.ref != "default"]
        self._tap = EventTap(self._client, buses)
        self._tap.install()
        self._pollers = build_pollers(
            ctx.mappings, ctx.async_targets, runtime, self.registry, self._client, self.region, self._settings,
            StreamRetention(DYNAMODB_LOCK),
        )
        local = LocalEndpoints(self.auth, self._tap, self._scheduler, self._health, clock=self.clock,
                               outbox=self.outbox)
        front = web_front(template.sam, self.routes, resolver.resolve, self._moto.url)
        self._gateway = Gateway(
            self.routes, apis, runtime, self.auth, self.account_id, local, self.host, self._port, front.handle
        )
        self._gateway.start()
        self._env.set({"LOCAL_WEBHOOK_BASE_URL": self._gateway.url})  # what providers would call
        if front.serves_console:
            self._point_tracking_links()
        for poller in [*self._pollers, self._tap, self._housekeeper]:
            poller.start()
        self._scheduler.start()

    def stop(self) -> None:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("gateway", lambda: self._gateway.stop() if self._gateway else None),
            ("pollers", lambda: stop_all([*self._pollers, *([self._tap] if self._tap else [])])),
            ("scheduler", lambda: self._scheduler.stop() if self._scheduler else None),
            ("state", self._save_on_stop),
            ("clock", self.clock.uninstall),
            ("runtime", lambda: self.runtime.unload() if self.runtime else None),
            ("faults", lambda: self.faults.uninstall() if self.faults and self.faults.installed else None),
            ("moto", self._moto.stop),
            ("environment", self._env.restore),
        ]
        for name, step in steps:
            try:
                step()
            except Exception:
                LOG.exception("stopping the local %s failed", name)
        self._gateway, self._scheduler, self._tap, self._pollers = None, None, None, []
        self._housekeeper = None
        if self._owns_process:
            self._owns_process = False
            _ONE_PER_PROCESS.release()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ what is running
    @property
    def api_url(self) -> str:
        if self._gateway is None:
            raise LocalStackError("the stack is not running")
        return self._gateway.url

    @property
    def moto_url(self) -> str:
        return self._moto.url

    @property
    def transaction_repeats(self) -> int:
        """TransactWriteItems repeats (same ClientRequestToken) answered without writing (request_tokens.py)."""
        return self._moto.tokens.repeats

    @property
    def physical_names(self) -> dict[str, str]:
        """Logical id -> what Ref gives (table/bus/function name, queue URL, topic ARN...)."""
        return {resource.logical_id: resource.ref for resource in self.registry if resource.emulated}

    def physical(self, logical_id: str) -> dict[str, str]:
        """Ref and attributes (Arn, StreamArn, QueueUrl...) of one resource."""
        resource = self.registry.get(logical_id)
        if resource is None:
            raise KeyError(logical_id)
        return {"Ref": resource.ref, **resource.attributes}

    # ------------------------------------------------------------------ helpers for tests and tools
    def issue_token(self, role: str, **claims: str) -> str:
        """A bearer token, as GET /local/token returns (claims: sub, agency_id, name, email)."""
        return self.auth.issue(role, **claims)

    def invoke(self, function_logical_id: str, event: Any) -> Any:
        return self._running_runtime().invoke(function_logical_id, event)

    def trigger_schedule(self, logical_id: str) -> list[Any]:
        """Fire a schedule now (synchronously); returns its function targets' results."""
        if self._scheduler is None:
            raise LocalStackError("the stack is not running")
        return self._scheduler.fire(logical_id)

    def events(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Events recently put on the template's buses, oldest first."""
        return self._tap.recent(limit) if self._tap else []

    def wait_for_event(self, predicate: Predicate, timeout: float = 10.0) -> dict[str, Any]:
        if self._tap is None:
            raise LocalStackError("the stack is not running")
        return self._tap.wait_for(predicate, timeout)

    def outbox(self, limit: int = 200) -> list[dict[str, Any]]:
        """What the senders would have sent to providers (local mode has no credentials), oldest first."""
        table = self.registry.get(SEEDED_TABLE)
        if table is None:
            return []
        found = self._client("dynamodb").query(
            TableName=table.ref, KeyConditionExpression="pk = :pk", ScanIndexForward=True, Limit=limit,
            ExpressionAttributeValues={":pk": {"S": "LOCAL#OUTBOX"}})
        return [json.loads(item["request"]["S"]) for item in found.get("Items", [])]

    # ------------------------------------------------------------------ internals
    def _client(self, service: str) -> Any:
        if self._clients is None:
            raise LocalStackError("the stack is not running")
        return self._clients(service)

    def _arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    def _running_runtime(self) -> LambdaRuntime:
        if self.runtime is None:
            raise LocalStackError("the stack is not running")
        return self.runtime

    def _send_to_queue(self, queue_url: str, body: str) -> None:
        self._client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)

    def _seed_tables(self) -> None:
        if self._seed is False:
            return
        table = self.registry.get(SEEDED_TABLE)
        if table is None:
            LOG.info("no %s in the template: nothing to seed", SEEDED_TABLE)
            return
        if callable(self._seed):
            self._seed(table.ref)
        else:
            seed_city_configuration(table.ref, self._client("dynamodb"))

    def _point_tracking_links(self) -> None:
        table = self.registry.get(SEEDED_TABLE)
        if table is not None and self._seed is True:
            from infra.seed import point_tracking_links  # imports the Lambda package, like seeding

            point_tracking_links(table.ref, self._gateway.url if self._gateway else "", client=self._client("dynamodb"))

    def stop_workers(self) -> None:
        """Stop every event source poller (queues and streams fill up; the API still answers): what a
        crash between filing and processing leaves behind, for restart tests and inspection."""
        stop_all(self._pollers)
        self._pollers = []

    def save_state(self) -> bool:
        """Snapshot now if anything changed since the last one (False without a state directory)."""
        return self._housekeeper.save_if_changed() if self._housekeeper else False

    def _changes(self) -> tuple[int, float]:
        return self._moto.writes.count, self.clock.offset.total_seconds()

    def _restore_state(self) -> Snapshotter | None:
        if self.state is None:
            return None
        from moto.sqs.models import sqs_backends

        queues = sorted(sqs_backends[self.account_id][self.region].queues)  # the template's and the async ones
        resources = Resources(self.account_id, self.region,
                              [t.ref for t in self.registry.of_type("AWS::DynamoDB::Table")],
                              [b.ref for b in self.registry.of_type("AWS::S3::Bucket")], queues)
        snapshotter = Snapshotter(self.state, resources, self._client, self.clock, DYNAMODB_LOCK)
        if self._fresh and self.state.exists():
            self.set_aside = self.state.move_aside("set-aside")
            LOG.info("fresh start: the previous state was moved to %s", self.set_aside)
        elif self.state.exists():
            try:
                self.restored = snapshotter.restore()
            except StateFileError as error:
                raise LocalStackError(
                    f"the local state cannot be loaded: {error}. Nothing was changed. To start empty, run "
                    "`make local-fresh` (python -m infra.local --fresh): the file is moved aside, not deleted"
                ) from error
        return snapshotter

    def _save_on_stop(self) -> None:
        # Everything that writes is stopped by now: this snapshot is exact. Not when start() failed
        # (a refused state must not be overwritten by an empty one).
        if self._housekeeper is not None and self._gateway is not None:
            self._housekeeper.request_stop()
            self._housekeeper.join(10.0)
            self._housekeeper.save_if_changed()

    def _health(self) -> dict[str, Any]:
        def refs(resource_type: str) -> list[str]:
            return sorted(resource.ref for resource in self.registry.of_type(resource_type))

        return {
            "functions": refs(FUNCTION_TYPE),
            "queues": sorted(r.attributes["QueueName"] for r in self.registry.of_type("AWS::SQS::Queue")),
            "tables": refs("AWS::DynamoDB::Table"),
            "event_buses": refs("AWS::Events::EventBus"),
        }


def _roles(template: StackTemplate, resolver: Resolver) -> tuple[str, ...]:
    """The user pool's groups (the roles tokens can carry); the project's four by default."""
    groups = tuple(
        str(resolver.resolve(resource["Properties"]["GroupName"]))
        for resource in template.resources.values()
        if resource.get("Type") == "AWS::Cognito::UserPoolGroup"
        and "GroupName" in (resource.get("Properties") or {})
    )
    return groups if groups else DEFAULT_ROLES
