"""The tracer is Powertools' X-Ray Tracer only where tracing is on; elsewhere a pass-through (no X-Ray SDK import)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from aduan import observability

LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}


@pytest.mark.parametrize(("environment", "enabled"), [
    ({}, False),  # tests, local mode, the bench's untraced column
    (LAMBDA, True),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "true"}, False),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "1"}, False),
    ({**LAMBDA, "POWERTOOLS_TRACE_DISABLED": "false"}, True),
    ({**LAMBDA, "AWS_SAM_LOCAL": "true"}, False),
])
def test_tracing_enabled_follows_powertools_rule(monkeypatch: pytest.MonkeyPatch, environment: dict[str, str],
                                                 enabled: bool) -> None:
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL", "AWS_CHALICE_CLI_MODE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert observability.tracing_enabled() is enabled


def test_untraced_handler_is_the_function_itself_and_x_ray_is_not_imported() -> None:
    probe = ("import sys\nfrom aduan.observability import tracer\n"
             "def handler(event, context):\n    return event\n"
             "assert tracer.capture_lambda_handler(handler) is handler\n"
             "assert tracer.capture_method(handler) is handler\n"
             "assert handler({'a': 1}, None) == {'a': 1}\n"
             "print(any(name.startswith('aws_xray_sdk') for name in sys.modules))\n")
    environment = {"POWERTOOLS_TRACE_DISABLED": "true", "LAMBDA_TASK_ROOT": "/var/task", "PYTHONPATH": "functions"}
    found = subprocess.run([sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


@pytest.mark.parametrize(("header", "sampled"), [
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1", True),
    ("Root=1-5759e988-bd862e3fe1be46a994272793; Parent=53995c3f42cd8ad8; Sampled=1", True),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0", False),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?", False),
    ("Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", False),  # no parent: the SDK makes a dummy segment
    ("", False),
])
def test_trace_sampled_follows_the_x_ray_sdk_rule(monkeypatch: pytest.MonkeyPatch, header: str,
                                                  sampled: bool) -> None:
    monkeypatch.setenv("_X_AMZN_TRACE_ID", header)
    assert observability.trace_sampled() is sampled


# Two invocations in one container: the first unsampled (no X-Ray SDK), the second sampled (the SDK comes in,
# Powertools' subsegment is recorded and sent, annotated as not a cold start).
SAMPLED_PROBE = """
import json, os, sys
from aduan.observability import tracer

def handler(event, context):
    return {"seen": event}

traced = tracer.capture_lambda_handler(handler)
first = traced({"n": 1}, None)
after_first = any(name.startswith("aws_xray_sdk") for name in sys.modules)
os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
from aws_xray_sdk.core import xray_recorder
sent = []
xray_recorder.emitter.send_entity = sent.append
second = traced({"n": 2}, None)
entity = sent[0].to_dict() if sent else {}
print(json.dumps({"first": first, "second": second, "sdk_after_first": after_first,
                  "sent": entity.get("name"), "annotations": entity.get("annotations")}))
"""


def test_the_x_ray_sdk_comes_in_on_the_first_sampled_invocation() -> None:
    environment = {"LAMBDA_TASK_ROOT": "/var/task", "PYTHONPATH": "functions", "AWS_REGION": "ap-southeast-3",
                   "POWERTOOLS_SERVICE_NAME": "aduan", "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000"}
    done = subprocess.run([sys.executable, "-c", SAMPLED_PROBE], env=environment, capture_output=True, text=True,
                          check=True)
    found = json.loads(done.stdout)
    assert found["first"] == {"seen": {"n": 1}} and found["second"] == {"seen": {"n": 2}}
    assert found["sdk_after_first"] is False
    assert found["sent"] == "## handler"
    assert found["annotations"] == {"ColdStart": False, "Service": "aduan"}
