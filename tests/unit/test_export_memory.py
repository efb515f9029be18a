"""The CSV export streams: its memory does not grow with the number of rows."""

from __future__ import annotations

import csv
import io

import pytest

from aduan.dal.exports import stream_csv
from infra.bench.exports import SizeOnlyS3, run

PART = 64 * 1024


def test_peak_memory_does_not_grow_with_rows() -> None:
    small = run(400, part_bytes=PART, trace=True)
    large = run(3_200, part_bytes=PART, trace=True)
    assert large["rows"] == 3_200 and large["parts"] > small["parts"] * 4
    assert large["bytes"] > 7 * small["bytes"]
    assert large["traced_peak_mb"] <= small["traced_peak_mb"] * 1.25 + 0.25, (small, large)


class KeepingS3(SizeOnlyS3):
    def __init__(self) -> None:
        super().__init__()
        self.body = bytearray()
        self.aborted = False

    def upload_part(self, **kwargs: object) -> dict[str, str]:
        self.body += kwargs["Body"]  # type: ignore[operator]
        return super().upload_part(**kwargs)  # type: ignore[arg-type]

    def abort_multipart_upload(self, **_: object) -> dict[str, object]:
        self.aborted = True
        return {}


def test_parts_concatenate_to_one_csv_with_bom() -> None:
    s3 = KeepingS3()
    rows = ([n, f"teks, dengan \"kutip\" dan baris\nbaru {n}", None] for n in range(5_000))
    count, size = stream_csv(s3, "b", "k", ("n", "text", "empty"), rows, part_bytes=PART)
    assert count == 5_000 and size == len(s3.body) and len(s3.parts) > 3
    parsed = list(csv.reader(io.StringIO(s3.body.decode("utf-8-sig"))))
    assert parsed[0] == ["n", "text", "empty"]
    assert parsed[5_000] == ["4999", "teks, dengan \"kutip\" dan baris\nbaru 4999", ""]


def test_a_failure_aborts_the_upload() -> None:
    s3 = KeepingS3()

    def rows() -> object:
        yield [1]
        raise RuntimeError("table unavailable")

    with pytest.raises(RuntimeError, match="table unavailable"):
        stream_csv(s3, "b", "k", ("n",), rows(), part_bytes=PART)  # type: ignore[arg-type]
    assert s3.aborted
