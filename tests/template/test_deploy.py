"""What a real AWS deployment needs from template.yaml, the layer lock and samconfig.toml (issue 14).

Offline: the lock, the template and its translation are read, nothing is built or deployed.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from infra import layer_requirements
from infra.sam import load_template, ref_target, translate_template

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
PARAMETERS: dict[str, dict[str, Any]] = TEMPLATE["Parameters"]
LOCK = layer_requirements.read_lock()


def _of_type(resource_type: str, resources: dict[str, dict[str, Any]] = RESOURCES) -> list[str]:
    return sorted(k for k, v in resources.items() if v["Type"] == resource_type)


def _props(logical_id: str) -> dict[str, Any]:
    return dict(RESOURCES[logical_id].get("Properties", {}))


FUNCTIONS = _of_type("AWS::Serverless::Function")
QUEUES = _of_type("AWS::SQS::Queue")
DLQS = [q for q in QUEUES if q.endswith("DLQ")]
WORK_QUEUES = [q for q in QUEUES if q not in DLQS]
RULES = _of_type("AWS::Events::Rule")
BUCKETS = _of_type("AWS::S3::Bucket")
TABLES = _of_type("AWS::DynamoDB::Table")


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate_template(TEMPLATE)


# ------------------------------------------------------------------ layer lock (item 1)


def _wheel_tags(wheel: str) -> tuple[str, str, str]:
    # name-version(-build)?-python-abi-platform.whl
    python, abi, platform = wheel.removesuffix(".whl").split("-")[-3:]
    return python, abi, platform


def _runs_on_lambda(wheel: str) -> bool:
    python, abi, platform = _wheel_tags(wheel)
    if platform == "any":
        return any(tag.startswith("py3") or tag == "cp312" for tag in python.split("."))
    arm = all("aarch64" in tag and tag.startswith("manylinux") for tag in platform.split("."))
    cpython = python == "cp312" or (abi == "abi3" and int(python.removeprefix("cp3")) <= 12)
    return arm and cpython


def test_lock_is_hash_pinned_and_complete() -> None:
    assert LOCK, "layers/runtime/requirements.txt has no locked wheels"
    names = [wheel.name for wheel in LOCK]
    assert len(names) == len(set(names)), "a package is locked twice"
    text = layer_requirements.REQUIREMENTS.read_text(encoding="utf-8")
    requirement_lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert len(requirement_lines) == len(LOCK), "every requirement line needs a wheel comment and a sha256"


@pytest.mark.parametrize("wheel", [w.wheel for w in LOCK])
def test_every_layer_wheel_is_arm64_cpython312_or_pure_python(wheel: str) -> None:
    assert _runs_on_lambda(wheel), f"{wheel} would not import on Lambda python3.12 / arm64"


def test_wheel_tag_check_refuses_wrong_platforms() -> None:
    assert _runs_on_lambda("cryptography-50.0.2-cp311-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.whl")
    assert _runs_on_lambda("six-1.17.0-py2.py3-none-any.whl")
    assert not _runs_on_lambda("pydantic_core-2.46.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert not _runs_on_lambda("pydantic_core-2.46.4-cp311-cp311-manylinux_2_17_aarch64.whl")
    assert not _runs_on_lambda("wrapt-2.5.2-cp312-cp312-macosx_11_0_arm64.whl")


def test_lock_agrees_with_pyproject() -> None:
    assert layer_requirements.problems() == []
    locked = {wheel.name: wheel.version for wheel in LOCK}
    pinned = layer_requirements.pinned_versions()
    # The X-Ray SDK (Powertools' tracer) needs botocore: these three must not float.
    for name in ("boto3", "botocore", "aws-xray-sdk"):
        assert name in pinned, f"pin {name} in pyproject.toml"
        assert locked[name] == pinned[name]


def test_lock_problems_name_a_changed_pin(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = layer_requirements.PYPROJECT.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"pydantic==2.13.4"', '"pydantic==2.13.3"'), encoding="utf-8")
    found = layer_requirements.problems(pyproject)
    assert any("pydantic" in problem for problem in found), found


@pytest.mark.parametrize("wheel", LOCK, ids=[w.name for w in LOCK])
def test_tests_run_the_versions_the_layer_ships(wheel: layer_requirements.LockedWheel) -> None:
    assert metadata.version(wheel.name) == wheel.version


def test_layer_and_functions_build_without_python312_or_docker() -> None:
    recipe = (REPO / "layers/runtime/Makefile").read_text(encoding="utf-8")
    for option in ("--require-hashes", "--no-deps", "--only-binary=:all:",
                   f"--platform {layer_requirements.PLATFORM}", f"--python-version {layer_requirements.PYTHON_VERSION}",
                   f"--implementation {layer_requirements.IMPLEMENTATION}", '"$(ARTIFACTS_DIR)/python"'):
        assert option in recipe, option
    assert "build-%:" in (REPO / "functions/Makefile").read_text(encoding="utf-8")
    for function in FUNCTIONS:
        assert RESOURCES[function].get("Metadata", {}).get("BuildMethod") == "makefile", function


# ------------------------------------------------------------------ alarms reach people (item 2)


def test_ops_topic_uses_a_key_alarms_and_rules_may_use() -> None:
    key_ref = ref_target(_props("OpsTopic")["KmsMasterKeyId"])
    assert key_ref and RESOURCES[key_ref]["Type"] == "AWS::KMS::Key", "the ops topic needs a customer-managed key"
    key = _props(key_ref)
    assert key["EnableKeyRotation"] is True
    allowed = {}
    for statement in key["KeyPolicy"]["Statement"]:
        services = statement.get("Principal", {}).get("Service", [])
        for service in [services] if isinstance(services, str) else services:
            allowed[service] = set(statement["Action"])
    for service in ("cloudwatch.amazonaws.com", "events.amazonaws.com"):
        assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= allowed.get(service, set()), service


def test_ops_email_subscription_is_a_parameter() -> None:
    subscription = RESOURCES["OpsEmailSubscription"]
    assert subscription["Condition"] == "HasOpsEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "OpsEmail"}


ALARMS = {k: _props(k) for k in _of_type("AWS::CloudWatch::Alarm")}


def _alarm_metrics(props: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(namespace, metric, {dimension: value}) of a plain or a metric-math alarm."""
    if "MetricName" in props:
        return [(props["Namespace"], props["MetricName"], {d["Name"]: d["Value"] for d in props["Dimensions"]})]
    found = []
    for query in props.get("Metrics", []):
        if "MetricStat" in query:
            metric = query["MetricStat"]["Metric"]
            found.append((metric["Namespace"], metric["MetricName"],
                          {d["Name"]: d["Value"] for d in metric["Dimensions"]}))
    return found


def _watched(namespace: str, metric: str) -> list[dict[str, Any]]:
    return [dims for props in ALARMS.values() for ns, name, dims in _alarm_metrics(props)
            if (ns, name) == (namespace, metric) and props.get("AlarmActions") == [{"Ref": "OpsTopic"}]]


def test_every_alarm_notifies_the_ops_topic() -> None:
    for logical_id, props in ALARMS.items():
        assert props.get("AlarmActions") == [{"Ref": "OpsTopic"}], logical_id


def test_every_function_has_a_throttles_alarm() -> None:
    watched = {ref_target(dims["FunctionName"]) for dims in _watched("AWS/Lambda", "Throttles")}
    assert watched == set(FUNCTIONS)


def test_every_stream_consumer_has_an_iterator_age_alarm() -> None:
    consumers = {f for f in FUNCTIONS for e in (_props(f).get("Events") or {}).values() if e["Type"] == "DynamoDB"}
    assert consumers
    watched = {ref_target(dims["FunctionName"]) for dims in _watched("AWS/Lambda", "IteratorAge")}
    assert consumers <= watched


def _rule_names(translated: dict[str, Any]) -> dict[str, Any]:
    return {k: v["Properties"]["Name"] for k, v in translated["Resources"].items() if v["Type"] == "AWS::Events::Rule"}


def test_every_rule_has_a_failed_invocations_alarm(translated: dict[str, Any]) -> None:
    watched = [json.dumps(dims["RuleName"]) for dims in _watched("AWS/Events", "FailedInvocations")]
    for rule, name in _rule_names(translated).items():
        assert json.dumps(name) in watched, f"{rule} ({name}) has no FailedInvocations alarm"


def test_every_rule_target_has_a_dlq_and_a_retry_policy(translated: dict[str, Any]) -> None:
    rules = {k: v for k, v in translated["Resources"].items() if v["Type"] == "AWS::Events::Rule"}
    assert len(rules) >= len(RULES) + 1  # the SLA sweeper's schedule too
    policy = _props("EventTargetsDLQPolicy")["PolicyDocument"]["Statement"][0]
    allowed = {ref_target(arn) for arn in policy["Condition"]["ArnEquals"]["aws:SourceArn"]}
    for rule, resource in rules.items():
        for target in resource["Properties"]["Targets"]:
            where = f"{rule}.{target['Id']}"
            assert ref_target(target.get("DeadLetterConfig", {}).get("Arn")) == "EventTargetsDLQ", where
            assert target.get("RetryPolicy", {}).get("MaximumEventAgeInSeconds"), where
        assert rule in allowed, f"EventBridge may not send {rule}'s failures to the DLQ"


def test_ops_dashboard_covers_everything_ops_watches(translated: dict[str, Any]) -> None:
    body = _props("OpsDashboard")["DashboardBody"]["Fn::Sub"]
    json.loads(re.sub(r"\$\{[^}]+\}", "x", body))
    for queue in QUEUES:
        assert f"${{{queue}.QueueName}}" in body, f"{queue} is not on the dashboard"
    for queue in WORK_QUEUES:
        assert re.search(rf"ApproximateAgeOfOldestMessage[^\]]*\$\{{{queue}\.QueueName\}}", body), queue
    for function in FUNCTIONS:
        for metric in ("Errors", "Throttles", "Duration"):
            assert f'"{metric}", "FunctionName", "${{{function}}}"' in body, (function, metric)
    for name in _rule_names(translated).values():
        assert name["Fn::Sub"] in body, name
    for needle in ('"5XXError"', '"stat": "p95"', '"Latency"', '"IteratorAge"', '"SlaBreaches"', '"FailedInvocations"'):
        assert needle in body, needle


# ------------------------------------------------------------------ the findings (item 3)


def test_no_function_reserves_account_concurrency() -> None:
    for function in FUNCTIONS:
        assert "ReservedConcurrentExecutions" not in _props(function), function
    assert _props("StatsFunction")["Events"]["Events"]["Properties"]["ScalingConfig"]["MaximumConcurrency"] >= 2


SQS_SOURCES = [(f, e["Properties"]) for f in FUNCTIONS for e in (_props(f).get("Events") or {}).values()
               if e["Type"] == "SQS"]


@pytest.mark.parametrize("function,source", SQS_SOURCES, ids=[f for f, _ in SQS_SOURCES])
def test_queue_visibility_is_six_times_the_function_timeout(function: str, source: dict[str, Any]) -> None:
    queue = ref_target(source["Queue"])
    timeout = _props(function).get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
    needed = 6 * timeout + source.get("MaximumBatchingWindowInSeconds", 0)
    assert _props(queue).get("VisibilityTimeout", 30) >= needed, f"{queue}: visibility < {needed}"


def test_every_function_logs_to_a_group_with_the_retention_parameter() -> None:
    assert PARAMETERS["LogRetentionDays"]["Default"] == 90
    for function in FUNCTIONS:
        group = ref_target(_props(function).get("LoggingConfig", {}).get("LogGroup"))
        assert group and RESOURCES[group]["Type"] == "AWS::Logs::LogGroup", function
        assert _props(group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}, group


def test_api_has_access_logs_waf_hook_and_cors_on_gateway_errors() -> None:
    api = _props("Api")
    group = ref_target(api["AccessLogSetting"]["DestinationArn"])
    assert _props(group)["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert json.loads(api["AccessLogSetting"]["Format"].replace("\n", ""))["requestId"]
    association = RESOURCES["ApiWafAssociation"]
    assert association["Condition"] == "HasWafWebAcl"
    assert association["Properties"]["WebACLArn"] == {"Ref": "WafWebAclArn"}
    for response in ("DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED", "THROTTLED"):
        spec = api["GatewayResponses"][response]
        assert spec["ResponseParameters"]["Headers"]["Access-Control-Allow-Origin"], response
        assert '"error": {"code"' in spec["ResponseTemplates"]["application/json"], response


def test_translation_has_no_stray_stage(translated: dict[str, Any]) -> None:
    deployments = [v for v in translated["Resources"].values() if v["Type"] == "AWS::ApiGateway::Deployment"]
    assert all("StageName" not in d["Properties"] for d in deployments), "the translator adds a 'Stage' stage"
    stages = [v for v in translated["Resources"].values() if v["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1


def test_cognito_sends_through_ses_and_sms_and_is_protected() -> None:
    pool = _props("UserPool")
    assert pool["DeletionProtection"] == {"Fn::If": ["Protected", "ACTIVE", "INACTIVE"]}
    with_ses = pool["EmailConfiguration"]["Fn::If"][1]
    assert with_ses["EmailSendingAccount"] == "DEVELOPER"
    assert with_ses["SourceArn"] == {"Ref": "CognitoEmailIdentityArn"}
    assert ref_target(pool["SmsConfiguration"]["SnsCallerArn"]) == "CognitoSmsRole"
    assert "phone_number" in pool["AutoVerifiedAttributes"]


@pytest.mark.parametrize("logical_id", TABLES + BUCKETS + QUEUES + ["UserPool"])
def test_stateful_resources_are_retained(logical_id: str) -> None:
    assert RESOURCES[logical_id].get("DeletionPolicy") == "Retain"
    assert RESOURCES[logical_id].get("UpdateReplacePolicy") == "Retain"


@pytest.mark.parametrize("table", TABLES)
def test_tables_have_deletion_protection(table: str) -> None:
    assert _props(table)["DeletionProtectionEnabled"] == {"Fn::If": ["Protected", True, False]}


@pytest.mark.parametrize("bucket", BUCKETS)
def test_every_bucket_refuses_plain_http(bucket: str) -> None:
    policies = [_props(k) for k in _of_type("AWS::S3::BucketPolicy") if ref_target(_props(k)["Bucket"]) == bucket]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        and len(s["Resource"]) == 2 for s in statements
    ), f"{bucket} has no TLS-only policy"


def test_attachments_cors_origins_are_a_parameter() -> None:
    rules = _props("AttachmentsBucket")["CorsConfiguration"]["CorsRules"]
    assert all(rule["AllowedOrigins"] == {"Ref": "AttachmentsCorsOrigins"} for rule in rules)
    assert "*" not in PARAMETERS["AttachmentsCorsOrigins"]["Default"]


def test_sender_may_not_email_or_publish_everywhere(translated: dict[str, Any]) -> None:
    text = json.dumps(translated["Resources"]["SenderFunctionRole"])
    for statement in re.findall(r'\{"Effect": "Allow", "Action": \["(?:ses|sns):[^\]]*\], "Resource": "\*"\}', text):
        pytest.fail(f"unscoped: {statement}")
    assert "identity/${SesSenderIdentity}" in text
    assert '"NotResource": {"Fn::Sub": "arn:${AWS::Partition}:sns:*:*:*"}' in text
    assert "sns:${AWS::Region}:${AWS::AccountId}:endpoint/*" in text  # push endpoints, not topics


def test_stage_cannot_make_a_bucket_name_too_long() -> None:
    stage = PARAMETERS["Stage"]
    longest = "x" * stage["MaxLength"]
    for bucket in BUCKETS:
        name = _props(bucket)["BucketName"]["Fn::Sub"].replace("${Stage}", longest)
        assert len(name.replace("${AWS::AccountId}", "1" * 12)) <= 63, bucket


def test_every_policy_suppression_gives_its_reason() -> None:
    for logical_id, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (logical_id, skip)
            assert len(skip.get("comment", "")) >= 40, f"{logical_id} skips {skip['id']} without a real reason"


# ------------------------------------------------------------------ samconfig.toml (item 5)


SAMCONFIG = tomllib.loads((REPO / "samconfig.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_samconfig_environment_deploys_valid_parameters(environment: str) -> None:
    deploy = SAMCONFIG[environment]["deploy"]["parameters"]
    assert deploy["stack_name"] == f"aduan-{environment}"
    assert "CAPABILITY_IAM" in deploy["capabilities"]
    overrides = dict(item.split("=", 1) for item in shlex.split(deploy["parameter_overrides"]))
    assert overrides["Stage"] == environment
    for name, value in overrides.items():
        spec = PARAMETERS[name]  # a KeyError is a typo in samconfig.toml
        if "AllowedValues" in spec:
            assert value in [str(v) for v in spec["AllowedValues"]], (name, value)
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], value), (name, value)
        assert len(value) <= spec.get("MaxLength", 4096), name
    if environment == "prod":
        assert deploy["confirm_changeset"] is True
        assert overrides["DeletionProtection"] == "enabled"
