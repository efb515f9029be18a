"""App and web citizens in the tickets table: `pk = P#<sub>`, profile at `sk = #PROFILE`, one item per
device at `sk = D#<device id>`. One query on the key reads a citizen with all their devices. SNS platform
endpoints (mobile push) are created and deleted here too: this module is their only AWS caller."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.models.person import Device, Profile

PROFILE = "#PROFILE"
DEVICE = "D#"
MAX_DEVICES = 20


def person_pk(sub: str) -> str:
    return f"P#{sub}"


class PeopleRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def get(self, sub: str) -> tuple[Profile | None, list[Device]]:
        found = self._db.query(TableName=self.table, KeyConditionExpression="pk = :pk",
                               ExpressionAttributeValues=codec.to_item({":pk": person_pk(sub)}),
                               Limit=MAX_DEVICES + 1)
        profile, devices = None, []
        for item in (codec.from_item(raw) for raw in found.get("Items", [])):
            if item["sk"] == PROFILE:
                profile = Profile.model_validate(item)
            elif item["sk"].startswith(DEVICE):
                devices.append(Device.model_validate(item))
        return profile, sorted(devices, key=lambda device: device.created_at, reverse=True)

    def put_profile(self, profile: Profile) -> None:
        document = {"pk": person_pk(profile.sub), "sk": PROFILE, "kind": "person", **profile.model_dump(mode="json")}
        self._db.put_item(TableName=self.table, Item=codec.to_item(document))

    def put_device(self, device: Device) -> None:
        document = {"pk": person_pk(device.sub), "sk": DEVICE + device.id, "kind": "device",
                    **device.model_dump(mode="json")}
        self._db.put_item(TableName=self.table, Item=codec.to_item(document))

    def delete_device(self, sub: str, device_id: str) -> Device | None:
        found = self._db.delete_item(TableName=self.table, ReturnValues="ALL_OLD",
                                     Key=codec.to_item({"pk": person_pk(sub), "sk": DEVICE + device_id}))
        item = found.get("Attributes")
        return Device.model_validate(codec.from_item(item)) if item else None


def create_endpoint(application_arn: str, token: str, sub: str) -> str:
    """An SNS platform endpoint for a device token. SNS returns the existing endpoint for a known token; one
    SNS disabled (the token was invalid once) is re-enabled with the token, as AWS recommends."""
    sns = client("sns")
    arn = str(sns.create_platform_endpoint(PlatformApplicationArn=application_arn, Token=token,
                                           CustomUserData=sub)["EndpointArn"])
    try:
        attributes = sns.get_endpoint_attributes(EndpointArn=arn).get("Attributes", {})
    except ClientError:
        return arn
    if attributes.get("Enabled") == "false" or attributes.get("Token") != token:
        sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Token": token, "Enabled": "true"})
    return arn


def delete_endpoint(endpoint_arn: str) -> None:
    """Idempotent: SNS answers success for an endpoint that is already gone."""
    client("sns").delete_endpoint(EndpointArn=endpoint_arn)
