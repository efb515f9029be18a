"""The SLA engine's resources: consumer wiring, sweeper schedule, sparse indexes, alarms to the ops
topic and the dashboard."""

from __future__ import annotations

import json
from typing import Any

from infra.sam import load_template

RESOURCES: dict[str, Any] = load_template()["Resources"]


def _props(logical_id: str) -> dict[str, Any]:
    return dict(RESOURCES[logical_id]["Properties"])


def test_tracker_consumes_lifecycle_events_through_its_own_queue_with_a_dlq() -> None:
    rule = _props("SlaLifecycleRule")
    assert rule["EventPattern"]["source"] == ["aduan.tickets"]
    assert "TicketStatusChanged" in rule["EventPattern"]["detail-type"]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["SlaEventsQueue", "Arn"]}
    assert _props("SlaEventsQueue")["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["SlaEventsDLQ", "Arn"]}
    source = _props("SlaTrackerFunction")["Events"]["Lifecycle"]
    assert source["Type"] == "SQS" and "ReportBatchItemFailures" in source["Properties"]["FunctionResponseTypes"]


def test_the_rule_delivers_every_event_the_tracker_applies_and_no_other() -> None:
    """A lifecycle event the rule leaves out never moves a clock (a forwarded complaint's external stage
    was never started), and the tracker would not find it in the timeline either."""
    from aduan.services.sla import LIFECYCLE_EVENTS

    assert sorted(_props("SlaLifecycleRule")["EventPattern"]["detail-type"]) == sorted(LIFECYCLE_EVENTS)


def test_sweeper_runs_on_a_schedule() -> None:
    event = _props("SlaSweeperFunction")["Events"]["Sweep"]
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"].startswith("rate(")


def test_sparse_sla_indexes_exist() -> None:
    indexes = {index["IndexName"]: [key["AttributeName"] for key in index["KeySchema"]]
               for index in _props("TicketsTable")["GlobalSecondaryIndexes"]}
    assert indexes["sla_due"] == ["sla_shard", "sla_next_at"]
    assert indexes["sla_overdue"] == ["overdue_pk", "overdue_since"]
    assert indexes["queue_by_due"] == ["queue_pk", "due_sk"]


def test_sla_alarms_notify_the_ops_topic() -> None:
    alarms = {
        "SlaBreachesAlarm": ("Aduan", "SlaBreaches"),
        "SlaSweeperErrorsAlarm": ("AWS/Lambda", "Errors"),
        "SlaEventsDLQAlarm": ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    }
    for logical_id, (namespace, metric) in alarms.items():
        props = _props(logical_id)
        assert (props["Namespace"], props["MetricName"]) == (namespace, metric), logical_id
        assert props["AlarmActions"] == [{"Ref": "OpsTopic"}], logical_id
    assert _props("SlaBreachesAlarm")["Threshold"] == {"Ref": "SlaBreachAlarmThreshold"}
    assert {"Name": "service", "Value": "aduan"} in _props("SlaBreachesAlarm")["Dimensions"]


def test_dashboard_shows_the_sla_metrics() -> None:
    body = _props("SlaDashboard")["DashboardBody"]["Fn::Sub"]
    rendered = body.replace("${AWS::Region}", "ap-southeast-3").replace("${SlaSweeperFunction}", "f")
    rendered = rendered.replace("${SlaEventsQueue.QueueName}", "q").replace("${SlaEventsDLQ.QueueName}", "d")
    widgets = json.loads(rendered)["widgets"]
    text = json.dumps(widgets)
    for metric in ("SlaBreaches", "SlaReminders", "SlaEscalations", "SlaAutoClosed", "SlaBreachesByAgency"):
        assert metric in text
