"""Peak memory of a complaints CSV export, measured in a fresh interpreter:

    python -m infra.bench.exports --rows 200000

Rows are generated lazily (as the worker reads them page by page from the queue index) and go
through the real row shaping and the real streaming writer (`dal.exports.stream_csv`). S3 is a
stand-in that keeps only sizes, so the figure is the worker's own memory, not the object store's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO / "functions") not in sys.path:
    sys.path.insert(0, str(REPO / "functions"))

from aduan.dal.exports import PART_BYTES, stream_csv  # noqa: E402
from aduan.logic import exports  # noqa: E402
from aduan.models.ticket import Channel, Location, Reporter, Ticket  # noqa: E402

STAMP = "2026-06-01T03:00:00.000000Z"


class SizeOnlyS3:
    """The multipart calls stream_csv makes, keeping sizes only."""

    def __init__(self) -> None:
        self.parts: list[int] = []

    def create_multipart_upload(self, **_: Any) -> dict[str, str]:
        return {"UploadId": "upload"}

    def upload_part(self, *, Body: bytes, PartNumber: int, **_: Any) -> dict[str, str]:
        self.parts.append(len(Body))
        return {"ETag": f'"{PartNumber}"'}

    def complete_multipart_upload(self, **_: Any) -> dict[str, Any]:
        return {}

    def abort_multipart_upload(self, **_: Any) -> dict[str, Any]:
        return {}


def tickets(count: int) -> Iterator[Ticket]:
    for number in range(count):
        yield Ticket(
            id=f"01JC{number:022d}", tracking_code=f"ADU-{number:04d}-{number % 32:02d}",
            title=f"Jalan berlubang di Jl. Pandanaran nomor {number}",
            text="Ada lubang besar di depan toko oleh-oleh, berbahaya bagi pengendara motor. " * 3,
            category_id="jalan-rusak", channel=Channel.WHATSAPP,
            location=Location(lat=-6.98 - number % 97 / 1000, lon=110.41, address=f"Jl. Pandanaran {number}",
                              area_code="3374010"),
            reporter=Reporter(ref=f"whatsapp:+62812{number:08d}", name="Sari Wulandari", contact="081234567890"),
            anonymous=number % 5 == 0, confidential=number % 50 == 0, created_at=STAMP, updated_at=STAMP,
            status_since=STAMP)


def run(rows: int, part_bytes: int = PART_BYTES, entitled: bool = False, trace: bool = False) -> dict[str, Any]:
    """In this process: export `rows` complaints; with `trace`, also the peak traced allocation
    (tracemalloc makes it ~10x slower, so the benchmark relies on the resident-set peak)."""
    s3 = SizeOnlyS3()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    shaped = (exports.complaint_row(ticket, entitled, "Asia/Jakarta", 2) for ticket in tickets(rows))
    count, size = stream_csv(s3, "bucket", "key", exports.COMPLAINT_COLUMNS, shaped, part_bytes=part_bytes)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return {"rows": count, "bytes": size, "parts": len(s3.parts), "seconds": round(seconds, 1),
            "traced_peak_mb": round(peak / 2**20, 1) if trace else None,
            "max_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's resident-set high-water mark. Linux's VmHWM belongs to the process image, while
    ru_maxrss survives fork+exec and would report the (much larger) benchmark parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(rows: int) -> dict[str, Any]:
    """`run` in a fresh interpreter, so the resident-set peak is the export's alone."""
    found = subprocess.run([sys.executable, "-m", "infra.bench.exports", "--rows", str(rows)], cwd=REPO,
                           capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return result


MEMORY_LIMIT_MB = 512


def targets(export: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not export:
        return []
    return [{"target": f"CSV export of {export['rows']} complaints: peak resident memory (MB)",
             "value": export["max_rss_mb"], "limit": MEMORY_LIMIT_MB,
             "passed": export["max_rss_mb"] <= MEMORY_LIMIT_MB, "note": f"{export['parts']} multipart parts"}]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench.exports", description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    print(json.dumps(run(parser.parse_args().rows)))


if __name__ == "__main__":
    main()
