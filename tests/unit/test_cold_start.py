"""Cold start guards (issue #11): a handler's import builds no pydantic model it does not need at once,
and the API handler does not import what only one route or the OpenAPI document uses."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

import aduan
from infra.bench.imports import BARE_SOURCE, _process_environment, handler_targets

# Built at import on purpose: module constants (the SLA and notifier actors) and the page-size limit that the
# complaint routes' query annotation reads from limits.json. Each is a handful of fields.
BUILT_AT_IMPORT = {"Actor", "Limits", "RequestLimits", "QuotaLimits"}
PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
from aduan.models.base import Model

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

built = sorted({cls.__name__ for cls in subclasses(Model) if cls.__pydantic_complete__})
print(json.dumps({"built": built, "modules": sorted(sys.modules)}))
"""


def _all_models() -> list[type[BaseModel]]:
    for module in pkgutil.walk_packages(aduan.__path__, "aduan."):
        importlib.import_module(module.name)
    found: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("aduan."):
                found.append(sub)
    return found


def test_every_model_builds_its_validator_on_first_use() -> None:
    models = _all_models()
    assert len(models) > 60
    eager = [f"{model.__module__}.{model.__qualname__}" for model in models
             if model.model_config.get("defer_build") is not True]
    assert eager == [], "derive these from aduan.models.base.Model"


def _imported(module: str, tmp_path: Path, traced: bool = False) -> dict[str, list[str]]:
    target = next(target for target in handler_targets() if target.module == module)
    environment = _process_environment(target, tmp_path, traced=traced)
    done = subprocess.run([sys.executable, "-c", PROBE, module], env=environment, cwd=tmp_path, check=True,
                          capture_output=True, text=True)
    result: dict[str, list[str]] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("module", ["aduan.handlers.api", "aduan.handlers.routing", "aduan.handlers.notifier"])
def test_a_handler_import_builds_only_the_models_it_needs_at_once(module: str, tmp_path: Path) -> None:
    imported = _imported(module, tmp_path)
    assert set(imported["built"]) <= BUILT_AT_IMPORT


def test_a_deferred_model_resolves_a_later_defined_one_when_first_built() -> None:
    from aduan.models.person import DeviceView, MeView  # MeView names DeviceView before it is defined

    view = MeView.model_validate({
        "sub": "u-1", "name": None, "language": "id", "email": None, "email_verified": False, "phone": None,
        "phone_verified": False, "notify_by_email": True, "notify_by_sms": False,
        "devices": [{"id": "d-1", "platform": "fcm", "created_at": "2026-12-03T00:00:00.000000Z"}]})
    assert isinstance(view.devices[0], DeviceView)
    assert "DeviceView" in MeView.model_json_schema()["$defs"]


def test_the_api_handler_leaves_channel_adapters_and_parameters_to_their_first_use(tmp_path: Path) -> None:
    modules = set(_imported("aduan.handlers.api", tmp_path)["modules"])
    assert "aduan.handlers.api" in modules
    assert "aduan.adapters.channels" not in modules  # only the OpenAPI document describes the webhooks
    assert "aws_lambda_powertools.utilities.parameters" not in modules  # only the external callback reads SSM
    assert "PIL" not in modules  # the first photo imports Pillow
    assert "aws_xray_sdk" not in modules  # tracing off: the tracer is a pass-through


def test_a_traced_handler_leaves_the_x_ray_sdk_to_its_first_sampled_invocation(tmp_path: Path) -> None:
    modules = set(_imported("aduan.handlers.routing", tmp_path, traced=True)["modules"])
    assert "aduan.handlers.routing" in modules
    assert not any(name.startswith(("aws_xray_sdk", "wrapt")) for name in modules)


def test_wiring_imports_a_service_only_when_its_factory_is_first_called(tmp_path: Path) -> None:
    api = set(_imported("aduan.handlers.api", tmp_path)["modules"])
    # The workers' services, and the API's own that only some routes use, are not imported with the API.
    assert not {"aduan.services.routing", "aduan.services.notifier", "aduan.services.sla", "aduan.services.intake",
                "aduan.services.exports", "aduan.services.reports", "aduan.services.stats"} & api
    # Even the complaint service comes with the first request of a route group that uses it (routes/app.py).
    assert "aduan.services.tickets" not in api
    worker = set(_imported("aduan.handlers.notifier", tmp_path)["modules"])
    assert {"aduan.services.notifier", "aduan.services.feedback", "aduan.services.me"} <= worker  # at init
    assert not {"aduan.services.tickets", "aduan.services.exports", "aduan.services.routing"} & worker


# Modules each handler's import adds to the bare boto3 handler's (issue #11: at most 150). Some cannot get there
# while they keep the fixed architecture: Powertools' batch utility with Logger, Metrics and pydantic adds 166
# by itself (every event data class and asyncio come with it), the REST resolver with validation 210. Those are
# pinned a few modules above where they are (docs/bench-results.json `imports`), to catch a regression.
MODULE_CEILINGS = {
    "aduan.handlers.event_relay": 150, "aduan.handlers.sla_sweeper": 150, "aduan.handlers.lapor_bridge": 150,
    "aduan.handlers.reports": 150,
    "aduan.handlers.api": 236, "aduan.handlers.webhooks": 248,
    "aduan.handlers.intake": 255, "aduan.handlers.sender": 254, "aduan.handlers.notifier": 237,
    "aduan.handlers.exports": 226, "aduan.handlers.sla_tracker": 219, "aduan.handlers.routing": 218,
    "aduan.handlers.stats": 209,
}
# The bare handler first, then the handler: the modules the handler adds, as infra/bench/imports.py counts them.
COUNT_PROBE = """
import importlib, json, os, sys
exec(sys.argv[2])
bare = set(sys.modules)
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(set(sys.modules) - bare)), flush=True)
os._exit(0)
"""


def test_each_handler_imports_at_most_its_ceiling_of_modules_over_the_bare_handler(tmp_path: Path) -> None:
    targets = handler_targets()
    assert {target.module for target in targets} == set(MODULE_CEILINGS)
    over = {}
    for target in targets:
        done = subprocess.run([sys.executable, "-c", COUNT_PROBE, target.module, BARE_SOURCE], check=True,
                              env=_process_environment(target, tmp_path, traced=True), cwd=tmp_path,
                              capture_output=True, text=True)
        added = len(json.loads(done.stdout))
        if added > MODULE_CEILINGS[target.module]:
            over[target.module] = added
    assert over == {}, f"more modules at import than pinned: {over}"
