"""Create the translated template's resources in moto, in dependency order.

CloudFormation in moto cannot run the SAM transform, so local mode walks the translated template
itself: each resource type has a creator (resources.py, rules.py, functions.py, mappings.py).
A creator resolves its properties first and only then calls moto; a reference to a resource not
created yet raises Unresolved and the resource is retried on the next pass. Types local mode does
not emulate (Cognito, IAM, API Gateway, alarms, archives, layers...) get placeholder identifiers
so references to them still resolve, and are reported once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.local.errors import LocalStackError
from infra.local.intrinsics import Resolver, Unresolved
from infra.local.registry import PhysicalResource, Registry
from infra.local.wiring import AsyncTarget, MappingSpec, ScheduleSpec

LOG = logging.getLogger(__name__)


@dataclass
class ProvisionContext:
    region: str
    account_id: str
    stack_name: str
    resolver: Resolver
    registry: Registry
    clients: Callable[[str], Any]  # service name -> boto3 client on moto
    user_pool_id: str = "local"
    user_pool_client_id: str = "local"
    schedules: list[ScheduleSpec] = field(default_factory=list)
    async_targets: list[AsyncTarget] = field(default_factory=list)
    mappings: list[MappingSpec] = field(default_factory=list)
    not_emulated: dict[str, list[str]] = field(default_factory=dict)

    def physical_name(self, logical_id: str, max_length: int = 64, *, lower: bool = False) -> str:
        """A CloudFormation-style generated name (`stack-LogicalId-SUFFIX`), stable across runs."""
        suffix = hashlib.sha256(f"{self.stack_name}/{logical_id}".encode()).hexdigest()[:12].upper()
        name = f"{self.stack_name}-{logical_id}"[: max_length - len(suffix) - 1] + f"-{suffix}"
        return re.sub(r"[^a-z0-9.-]", "-", name.lower()) if lower else name

    def arn(self, service: str, resource: str, *, regional: bool = True, account: bool = True) -> str:
        region = self.region if regional else ""
        account_id = self.account_id if account else ""
        return f"arn:aws:{service}:{region}:{account_id}:{resource}"

    def skip(self, resource_type: str, logical_id: str, reason: str = "not emulated") -> None:
        self.not_emulated.setdefault(f"{resource_type} ({reason})", []).append(logical_id)


Creator = Callable[[ProvisionContext, str, Mapping[str, Any]], None]


def provision(resources: Mapping[str, Any], ctx: ProvisionContext, creators: Mapping[str, Creator]) -> None:
    pending = [
        (logical_id, resource)
        for logical_id, resource in resources.items()
        if "Condition" not in resource or ctx.resolver.condition(resource["Condition"])
    ]
    while pending:
        deferred: list[tuple[str, Any]] = []
        waiting: dict[str, str] = {}
        for logical_id, resource in pending:
            creator = creators.get(resource["Type"], add_placeholder)
            try:
                creator(ctx, logical_id, resource)
            except Unresolved as missing:
                deferred.append((logical_id, resource))
                waiting[logical_id] = missing.logical_id
        if len(deferred) == len(pending):
            cycle = ", ".join(f"{lid} -> {dep}" for lid, dep in waiting.items())
            raise LocalStackError(f"cannot order resource creation (circular or conditional refs): {cycle}")
        pending = deferred
    for what, logical_ids in sorted(ctx.not_emulated.items()):
        LOG.info("local mode skips %s: %s", what, ", ".join(sorted(logical_ids)))


def add_placeholder(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    """Identifiers for a resource local mode does not create, so Ref/GetAtt on it still work."""
    resource_type = str(resource["Type"])
    name = ctx.physical_name(logical_id)
    ref, attributes = name, {"Arn": ctx.arn(resource_type.split("::")[1].lower(), name)}
    if resource_type == "AWS::Cognito::UserPool":
        ref = ctx.user_pool_id
        provider = f"cognito-idp.{ctx.region}.amazonaws.com/{ref}"
        attributes = {
            "Arn": ctx.arn("cognito-idp", f"userpool/{ref}"),
            "UserPoolId": ref,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
        }
    elif resource_type == "AWS::Cognito::UserPoolClient":
        ref, attributes = ctx.user_pool_client_id, {"ClientId": ctx.user_pool_client_id, "Name": name}
    elif resource_type == "AWS::IAM::Role":
        attributes = {"Arn": ctx.arn("iam", f"role/{name}", regional=False), "RoleId": f"AROA{name[-12:]}"}
    elif resource_type == "AWS::ApiGateway::RestApi":
        ref = _short_id(name)
        attributes = {"RootResourceId": _short_id(f"{name}/root")}
    elif resource_type == "AWS::Lambda::LayerVersion":
        ref = ctx.arn("lambda", f"layer:{name}:1")
        attributes = {"LayerVersionArn": ref}
    elif resource_type == "AWS::Lambda::Version":
        ref = f"{ctx.resolver.resolve(resource['Properties']['FunctionName'])}:1"
        attributes = {"Version": "1", "FunctionArn": ref}
    ctx.registry.add(PhysicalResource(logical_id, resource_type, ref, attributes, emulated=False))
    ctx.skip(resource_type, logical_id)


def _short_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:10]
