"""Lists, for every describe call the library offers, the first rows and
the count: each service's buckets, then one bucket's queues of each kind,
as compact tables.

Against the local emulator (what bindings/python/demo.sh does):
    CI_EMULATOR_ADDR=127.0.0.1:PORT python3 list_all.py
Against Tencent Cloud, with TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _REGION set:
    python3 list_all.py <BucketName-APPID>
"""

from __future__ import annotations

import os
import sys
import unicodedata
from typing import Any, List, Optional, Sequence

import cloud_infinite
from cloud_infinite import Bucket, CiBucket, HostLevel, OperationInfo, Queue, Shape

# The emulator's built-in demo credentials (src/bin/ci-emulator/README.md).
EMULATOR_SECRET_ID = "AKIDemulatorEXAMPLE"
EMULATOR_SECRET_KEY = "emulator-secret-key"
ROWS = 5


def make_client() -> cloud_infinite.Client:
    addr = os.environ.get("CI_EMULATOR_ADDR")
    if addr:
        # Production host names and signatures, dialled at the emulator.
        return cloud_infinite.Client(
            secret_id=EMULATOR_SECRET_ID,
            secret_key=EMULATOR_SECRET_KEY,
            region="ap-guangzhou",
            connect_to=addr,
            scheme="http",
            proxy=False,
        )
    return cloud_infinite.Client.from_env()


def pad(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns; CJK characters take two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def cell(value: Optional[object]) -> str:
    return "-" if value is None else str(value)


def table(header: Sequence[str], widths: Sequence[int], rows: List[Sequence[Optional[object]]]) -> None:
    for row in [list(header), *rows]:
        cells = [pad(cell(v), w) for v, w in zip(row, widths)]
        print("  " + " ".join(cells).rstrip())


def bucket_rows(items: Sequence[Any]) -> List[Sequence[Optional[object]]]:
    return [(b.region, b.name, b.create_time, b.alias_bucket_id) for b in items if isinstance(b, Bucket)]


def ci_bucket_rows(items: Sequence[Any]) -> List[Sequence[Optional[object]]]:
    return [(b.region, b.bucket_id, b.status, b.create_time) for b in items if isinstance(b, CiBucket)]


def queue_rows(items: Sequence[Any]) -> List[Sequence[Optional[object]]]:
    rows: List[Sequence[Optional[object]]] = []
    for q in items:
        if isinstance(q, Queue):
            n = q.notify_config
            notify = "-" if n is None else f"{cell(n.type)} {cell(n.state)} {n.url or n.mq_name or ''}".rstrip()
            rows.append((q.queue_id, q.name, q.state, q.category, q.max_size, q.max_concurrent, notify))
    return rows


TABLES = {
    Shape.BUCKETS: (("REGION", "BUCKET", "CREATED", "ALIAS"), (14, 32, 25, 20), "buckets", bucket_rows),
    Shape.CI_BUCKETS: (("REGION", "BUCKET", "STATUS", "CREATED"), (14, 32, 7, 25), "ci_buckets", ci_bucket_rows),
    Shape.QUEUES: (("QUEUE ID", "NAME", "STATE", "CATEGORY", "MAXSIZE", "CONC", "NOTIFY"), (34, 28, 7, 17, 7, 4, 30), "queues", queue_rows),
}


def show(client: cloud_infinite.Client, op: OperationInfo, bucket: str) -> None:
    """One page of `op` through its generated `describe_` method, as a table."""
    describe = getattr(client, f"describe_{op.snake_name}")
    args = (bucket,) if op.host_level == HostLevel.BUCKET else ()
    where = f" of {bucket}" if args else ""
    try:
        page = describe(*args, page_size=ROWS)
    except cloud_infinite.CIError as e:
        print(f"\n{op.name} (GET {op.path}){where}: {type(e).__name__}: {e}")
        return
    header, widths, attribute, rows = TABLES[Shape(op.shape)]
    items = getattr(page, attribute)
    print(f"\n{op.name} (GET {op.path}){where}: {cell(page.total_count)} in all, {len(items)} shown")
    table(header, widths, rows(items))


def main() -> int:
    bucket = sys.argv[1] if len(sys.argv) > 1 else "examplebucket-1250000000"
    try:
        with make_client() as client:
            for op in cloud_infinite.operations():
                show(client, op, bucket)
            # Asking for queues by id also says which ids do not exist.
            first = client.describe_ai_queues(bucket, page_size=1).queues
            if first and first[0].queue_id:
                by_id = client.describe_ai_queues(bucket, queue_ids=[first[0].queue_id, "p-no-such-queue"])
                print(f"\nAI queues by id: {len(by_id.queues)} found, not found: {list(by_id.non_exist_pids)}")
    except cloud_infinite.CIError as e:
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The reader went away (`| head`): not a failure worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)
