"""Lists every image-processing bucket (all pages) and the AI queues of one
bucket, as tables.

Against the local emulator (what bindings/python/demo.sh does):
    CI_EMULATOR_ADDR=127.0.0.1:PORT python3 list_all.py
Against Tencent Cloud, with TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _REGION set:
    python3 list_all.py <BucketName-APPID>
"""

from __future__ import annotations

import os
import sys
import unicodedata
from typing import List, Optional

import cloud_infinite

# The emulator's built-in demo credentials (src/bin/ci-emulator/README.md).
EMULATOR_SECRET_ID = "AKIDemulatorEXAMPLE"
EMULATOR_SECRET_KEY = "emulator-secret-key"


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


def main() -> int:
    bucket = sys.argv[1] if len(sys.argv) > 1 else "examplebucket-1250000000"
    try:
        with make_client() as client:
            buckets: List[cloud_infinite.PicBucket] = []
            total = None
            pages = 0
            for page in client.iter_pic_bucket_pages(page_size=50):
                pages += 1
                total = page.total_count
                buckets.extend(page.buckets)
            print(f"Image-processing buckets: {len(buckets)} (TotalCount {cell(total)}, {pages} pages of up to 50)\n")
            print(f"{'REGION':<16} {'BUCKET':<32} CREATED")
            for b in buckets:
                print(f"{cell(b.region):<16} {cell(b.name):<32} {cell(b.create_time)}")

            queues = list(client.iter_ai_queues(bucket, page_size=100))
            print(f"\nAI queues of {bucket}: {len(queues)}\n")
            print(f"{'QUEUE ID':<34} {'NAME':<28} {'STATE':<7} {'CATEGORY':<13} {'MAXSIZE':>8} {'CONC':>4}  NOTIFY")
            for q in queues:
                n = q.notify_config
                notify = "-" if n is None else f"{cell(n.type)} {cell(n.state)} {n.url or n.mq_name or ''}".rstrip()
                print(
                    f"{cell(q.queue_id):<34} {pad(cell(q.name), 28)} {cell(q.state):<7} {cell(q.category):<13} "
                    f"{cell(q.max_size):>8} {cell(q.max_concurrent):>4}  {notify}"
                )

            # Asking by id also says which ids do not exist.
            if queues and queues[0].queue_id:
                by_id = client.describe_ai_queues(bucket, queue_ids=[queues[0].queue_id, "p-no-such-queue"])
                print(f"\nBy id: {len(by_id.queues)} found, not found: {list(by_id.non_exist_pids)}")
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
