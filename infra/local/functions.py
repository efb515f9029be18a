"""Lambda functions of the translated template: registration, and what running one locally needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local.provision import ProvisionContext
from infra.local.registry import PhysicalResource, Registry

FUNCTION_TYPE = "AWS::Lambda::Function"


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    handler: str  # "package.module.function"
    environment: Mapping[str, str] = field(default_factory=dict)
    memory_mb: int = 128
    timeout_seconds: int = 3
    code_dir: Path | None = None


def register_function(ctx: ProvisionContext, logical_id: str, resource: Mapping[str, Any]) -> None:
    """Functions run in-process, so only their name and ARN are needed while provisioning."""
    props = resource.get("Properties") or {}
    name = (
        str(ctx.resolver.resolve(props["FunctionName"]))
        if "FunctionName" in props
        else (ctx.physical_name(logical_id, 64))
    )
    arn = ctx.arn("lambda", f"function:{name}")
    ctx.registry.add(PhysicalResource(logical_id, resource["Type"], name, {"Arn": arn}))


def function_specs(
    resources: Mapping[str, Any], ctx: ProvisionContext, code_dirs: Mapping[str, Path]
) -> list[FunctionSpec]:
    """Specs of the created functions, with environments resolved now that every resource exists."""
    specs = []
    for physical in ctx.registry.of_type(FUNCTION_TYPE):
        props = resources[physical.logical_id].get("Properties") or {}
        variables = ctx.resolver.resolve((props.get("Environment") or {}).get("Variables") or {})
        specs.append(
            FunctionSpec(
                logical_id=physical.logical_id,
                name=physical.ref,
                arn=physical.attributes["Arn"],
                handler=str(props.get("Handler", "")),
                environment={key: str(value) for key, value in variables.items()},
                memory_mb=int(props.get("MemorySize", 128)),
                timeout_seconds=int(props.get("Timeout", 3)),
                code_dir=code_dirs.get(physical.logical_id),
            )
        )
    return specs


def function_for(registry: Registry, name_or_arn: str) -> str | None:
    """Logical id of the function a name, ARN, or qualified ARN (version or alias) points to."""
    parts = name_or_arn.split(":")
    if name_or_arn.startswith("arn:") and len(parts) >= 7:
        name_or_arn = parts[6]  # arn:aws:lambda:region:account:function:NAME[:qualifier]
    for physical in registry.of_type(FUNCTION_TYPE):
        if physical.ref == name_or_arn:
            return physical.logical_id
    return None
