"""The sample events under events/: one folder per function, each sample in the exact AWS shape.

`sam local invoke <Function> -e events/...` and the tests feed these to handlers, so a sample that
API Gateway or a stream could never produce would test nothing. Shapes are checked with the
Powertools parser models; routes, authorizer claims and stream filters against template.yaml.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import (
    APIGatewayProxyEventModel,
    DynamoDBStreamModel,
    EventBridgeModel,
    KinesisDataStreamModel,
    SqsModel,
)
from pydantic import BaseModel, ValidationError

from infra.sam import load_template

REPO = Path(__file__).resolve().parents[2]
EVENTS_DIR = REPO / "events"
TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")

# SAM event source type -> the model of the event Lambda receives from it.
MODELS: dict[str, type[BaseModel]] = {
    "Api": APIGatewayProxyEventModel,
    "DynamoDB": DynamoDBStreamModel,
    "Kinesis": KinesisDataStreamModel,
    "SQS": SqsModel,
    "Schedule": EventBridgeModel,
    "ScheduleV2": EventBridgeModel,
    "EventBridgeRule": EventBridgeModel,
    "CloudWatchEvent": EventBridgeModel,
}
_MISSING = object()


def folder_for(function: str) -> Path:
    """ApiFunction -> events/api, EventRelayFunction -> events/event_relay, SQSWorkerFunction -> sqs_worker."""
    stem = function.removesuffix("Function")
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", stem))
    return EVENTS_DIR / snake.lower()


def _events(function: str) -> dict[str, dict[str, Any]]:
    return RESOURCES[function].get("Properties", {}).get("Events") or {}


SAMPLES = [(function, path) for function in FUNCTIONS for path in sorted(folder_for(function).glob("*.json"))]
API_SAMPLES = [s for s in SAMPLES if any(e["Type"] == "Api" for e in _events(s[0]).values())]
STREAM_SAMPLES = [s for s in SAMPLES if any(e["Type"] == "DynamoDB" for e in _events(s[0]).values())]


def _sample_id(sample: tuple[str, Path]) -> str:
    return str(sample[1].relative_to(EVENTS_DIR))


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a JSON object"
    return data


def test_folder_names() -> None:
    assert folder_for("ApiFunction") == EVENTS_DIR / "api"
    assert folder_for("EventRelayFunction") == EVENTS_DIR / "event_relay"
    assert folder_for("SQSWorkerFunction") == EVENTS_DIR / "sqs_worker"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_a_sample(function: str) -> None:
    assert list(folder_for(function).glob("*.json")), f"add a sample event under {folder_for(function)}"


def test_every_sample_folder_belongs_to_a_function() -> None:
    folders = {p for p in EVENTS_DIR.iterdir() if p.is_dir()}
    assert folders <= {folder_for(f) for f in FUNCTIONS}, "samples for a function template.yaml lacks"


@pytest.mark.parametrize("sample", SAMPLES, ids=_sample_id)
def test_sample_has_the_shape_lambda_receives(sample: tuple[str, Path]) -> None:
    function, path = sample
    models = {MODELS[e["Type"]] for e in _events(function).values() if e["Type"] in MODELS}
    assert models, f"{function} has no event source with a known model: extend MODELS"
    event, errors = _load(path), []
    for model in models:
        try:
            model.model_validate(event)
            return
        except ValidationError as error:
            errors.append(f"{model.__name__}: {error}")
    pytest.fail(f"{path.name} matches no event {function} receives:\n" + "\n".join(errors))


# ------------------------------------------------------------------ API Gateway (REST, proxy)


def _api_routes(function: str) -> list[dict[str, Any]]:
    return [e.get("Properties", {}) for e in _events(function).values() if e["Type"] == "Api"]


def _is_public(route: dict[str, Any]) -> bool:
    return route.get("Auth", {}).get("Authorizer") == "NONE"


@pytest.mark.parametrize("sample", API_SAMPLES, ids=_sample_id)
def test_api_sample_is_a_request_api_gateway_would_route_here(sample: tuple[str, Path]) -> None:
    function, path = sample
    event = _load(path)
    method, resource, request_path = event["httpMethod"], event["resource"], event["path"]
    routes = _api_routes(function)
    route = next(
        (r for r in routes if r["Path"] == resource and r["Method"].upper() in ("ANY", method)), None
    )
    assert route is not None, f"{method} {resource} is not a route of {function}"
    # API Gateway prefers an exact resource over {proxy+}.
    exact = [r for r in routes if r["Path"] == request_path and r["Method"].upper() in ("ANY", method)]
    assert not exact or resource == request_path, f"{method} {request_path} goes to resource {request_path}"
    if resource.endswith("/{proxy+}"):
        prefix = resource.removesuffix("{proxy+}")
        assert event["pathParameters"] == {"proxy": request_path.removeprefix(prefix)}
    elif "{" in resource:
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(resource))
        found = re.fullmatch(pattern, request_path)
        assert found and event["pathParameters"] == found.groupdict(), "pathParameters must match the path"
    else:
        assert resource == request_path and event["pathParameters"] is None
    context = event["requestContext"]
    assert (context["resourcePath"], context["httpMethod"]) == (resource, method)
    assert context["path"].endswith(request_path) and context["stage"]


@pytest.mark.parametrize("sample", API_SAMPLES, ids=_sample_id)
def test_api_sample_is_internally_consistent(sample: tuple[str, Path]) -> None:
    event = _load(sample[1])
    assert event["multiValueHeaders"] == {k: [v] for k, v in event["headers"].items()}
    query = event["queryStringParameters"]
    assert event["multiValueQueryStringParameters"] == ({k: [v] for k, v in query.items()} if query else None)
    content_type = event["headers"].get("Content-Type", "")
    if event["body"] is not None and not content_type.startswith(("application/x-www-form-urlencoded", "text/")):
        assert content_type.startswith("application/json")
        assert isinstance(json.loads(event["body"]), dict), "the body is a JSON string, as API Gateway sends it"
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize("sample", API_SAMPLES, ids=_sample_id)
def test_api_sample_claims_match_the_routes_authorizer(sample: tuple[str, Path]) -> None:
    function, path = sample
    event = _load(path)
    route = next(r for r in _api_routes(function) if r["Path"] == event["resource"])
    claims = (event["requestContext"].get("authorizer") or {}).get("claims")
    if _is_public(route):
        assert claims is None, "a public route has no authorizer, so API Gateway sends no claims"
        return
    assert claims and claims.get("sub"), "a Cognito-protected route always carries the caller's claims"
    # The REST API Cognito authorizer passes every claim as a string (groups as "a,b").
    assert all(isinstance(value, str) for value in claims.values()), claims
    assert claims.get("token_use") == "id", "the REST Cognito authorizer is given the ID token"
    assert "Authorization" in event["headers"]


# ------------------------------------------------------------------ DynamoDB streams


def _matches(pattern: dict[str, Any], data: Any) -> bool:
    """Lambda event-filter semantics, for the operators the template uses."""
    for key, rule in pattern.items():
        value = data.get(key, _MISSING) if isinstance(data, dict) else _MISSING
        if isinstance(rule, dict):
            if not _matches(rule, value):
                return False
        elif not any(_matches_one(alternative, value) for alternative in rule):
            return False
    return True


def _matches_one(alternative: Any, value: Any) -> bool:
    if not isinstance(alternative, dict):
        return bool(value == alternative)
    if "prefix" in alternative:
        return isinstance(value, str) and value.startswith(alternative["prefix"])
    if "exists" in alternative:
        return (value is not _MISSING) == alternative["exists"]
    if "anything-but" in alternative:
        excluded = alternative["anything-but"]
        return value is not _MISSING and value not in (excluded if isinstance(excluded, list) else [excluded])
    raise NotImplementedError(f"filter operator {alternative}: teach _matches_one about it")


def test_filter_matcher() -> None:
    pattern = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"sk": {"S": [{"prefix": "EV#"}]}}}}
    record = {"eventName": "INSERT", "dynamodb": {"Keys": {"sk": {"S": "EV#2026"}}}}
    assert _matches(pattern, record)
    assert not _matches(pattern, {**record, "eventName": "MODIFY"})
    assert not _matches(pattern, {"eventName": "INSERT", "dynamodb": {"Keys": {"sk": {"S": "#TICKET"}}}})


@pytest.mark.parametrize("sample", STREAM_SAMPLES, ids=_sample_id)
def test_stream_sample_passes_the_event_source_filter(sample: tuple[str, Path]) -> None:
    """A record the filter drops never reaches the function, so it would be a useless sample."""
    function, path = sample
    records = _load(path)["Records"]
    for source in (e["Properties"] for e in _events(function).values() if e["Type"] == "DynamoDB"):
        table = source["Stream"]["Fn::GetAtt"][0]
        view = RESOURCES[table]["Properties"]["StreamSpecification"]["StreamViewType"]
        patterns = [json.loads(f["Pattern"]) for f in source.get("FilterCriteria", {}).get("Filters", [])]
        for record in records:
            assert record["dynamodb"]["StreamViewType"] == view
            assert not patterns or any(_matches(p, record) for p in patterns), record["eventID"]
            image = record["dynamodb"].get("NewImage")
            assert image is None or all(image.get(k) == v for k, v in record["dynamodb"]["Keys"].items())
