"""The ratings of one local day, kept for the officers' daily digest: `pk = RATED#<YYYY-MM-DD>` (the city's
local day of the rating), `sk = <agency id>#<tracking code>`.

One small item per rating (no index keys on it: one write unit), written by the notifier when the rating
event arrives; a redelivered event writes the same item again. The digest reads a day with one Query
(paged), never a Scan. Items expire (TTL `expires_at`) once no digest can want them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from aduan.dal import codec
from aduan.dal.clients import client
from aduan.logic.rating_digest import Rated

PREFIX = "RATED#"


def day_pk(day: date) -> str:
    return f"{PREFIX}{day.isoformat()}"


class RatingStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def put(self, day: date, rated: Rated, expires_at: int) -> None:
        item = {"pk": day_pk(day), "sk": f"{rated.agency_id}#{rated.tracking_code}", "score": rated.score,
                "comment": rated.comment, "rated_at": rated.rated_at, "expires_at": expires_at}
        self._db.put_item(TableName=self.table, Item=codec.to_item(item))

    def of_day(self, day: date) -> Iterator[Rated]:
        pages = self._db.get_paginator("query").paginate(
            TableName=self.table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": day_pk(day)}})
        for page in pages:
            for found in page.get("Items", []):
                item = codec.from_item(found)
                agency_id, _, code = str(item["sk"]).partition("#")
                yield Rated(agency_id=agency_id, tracking_code=code, score=int(item["score"]),
                            comment=str(item.get("comment") or ""), rated_at=str(item.get("rated_at") or ""))
