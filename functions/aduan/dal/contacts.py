"""Contacts in the tickets table: `pk = C#<contact id>`, `sk = #CONTACT`."""

from __future__ import annotations

from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.models.contact import Contact

HEAD = "#CONTACT"


def contact_key(contact_id: str) -> dict[str, str]:
    return {"pk": contact_pk(contact_id), "sk": HEAD}


def contact_pk(contact_id: str) -> str:
    return f"C#{contact_id}"


class ContactRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def get(self, contact_id: str) -> Contact | None:
        found = self._db.get_item(TableName=self.table, Key=codec.to_item(contact_key(contact_id)))
        return Contact.model_validate(codec.from_item(found["Item"])) if found.get("Item") else None

    def put(self, contact: Contact) -> None:
        self._db.put_item(**self.put_write(contact)["Put"])

    def update(self, contact_id: str, **fields: Any) -> None:
        """Set some fields of an existing contact (e.g. language, opted_out, last_inbound_at)."""
        self._db.update_item(**self.update_write(contact_id, **fields)["Update"])

    # The same writes as transaction items (the intake worker stores them with the message's effect).
    def put_write(self, contact: Contact) -> dict[str, Any]:
        document = {"pk": contact_pk(contact.id), "sk": HEAD, "kind": "contact", **contact.model_dump(mode="json")}
        return {"Put": {"TableName": self.table, "Item": codec.to_item(document)}}

    def update_write(self, contact_id: str, **fields: Any) -> dict[str, Any]:
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": value for i, value in enumerate(fields.values())}
        return {"Update": {
            "TableName": self.table, "Key": codec.to_item(contact_key(contact_id)),
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": names, "ExpressionAttributeValues": codec.to_item(values)}}

    def of_person(self, person_id: str) -> list[Contact]:
        """Every channel identity linked to one citizen (sparse index `by_person`)."""
        found = self._db.query(TableName=self.table, IndexName="by_person", KeyConditionExpression="person_id = :p",
                               ExpressionAttributeValues=codec.to_item({":p": person_id}), Limit=20)
        return [Contact.model_validate(codec.from_item(item)) for item in found.get("Items", [])]
