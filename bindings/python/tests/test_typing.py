"""The type hints the package ships (py.typed) hold: mypy --strict on the
package and the example, for the oldest Python the package supports; and
the generated methods are typed: mypy refuses a parameter a call does not
take, a state the service does not spell, and a wrong result type."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

MISUSE = '''
import cloud_infinite
c = cloud_infinite.Client(region="ap-guangzhou")
ok: cloud_infinite.QueuePage = c.describe_media_queues("b-1250000000", category="Transcoding", state="Active", page_size=0)
buckets: list[cloud_infinite.CiBucket] = list(c.iter_ci_buckets(tag_key="env", timeout=1.5))
c.describe_ai_queues("b-1250000000", category="AIProcess")
c.describe_pic_queues("b-1250000000", state="active")
c.describe_media_buckets(tag_key="env")
c.describe_doc_queues(page_size=10)
wrong: cloud_infinite.BucketPage = c.describe_ci_buckets()
'''


def mypy(*paths):
    env = dict(os.environ, MYPYPATH=str(HERE / "src"))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
         "--cache-dir", str(HERE / ".venv" / "mypy-cache"), *paths],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=300,
    )


def test_mypy_strict():
    r = mypy("src/cloud_infinite", "examples/list_all.py")
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_generated_methods_are_typed(tmp_path):
    misuse = tmp_path / "misuse.py"
    misuse.write_text(MISUSE)
    r = mypy(str(misuse))
    errors = sorted({int(line.split(":")[1]) for line in r.stdout.splitlines() if ": error:" in line})
    # Exactly the last five lines, one error each: the first two are right.
    assert errors == [6, 7, 8, 9, 10], r.stdout


CREDENTIALS_MISUSE = '''
import datetime, cloud_infinite
c = cloud_infinite.Client(credentials="chain", refresh_margin=datetime.timedelta(seconds=60), region="ap-guangzhou")
c = cloud_infinite.Client(credentials=lambda: cloud_infinite.Credentials("AKID", "key", expires_at=1.5e9))
c.set_credentials(secret_id="AKID", secret_key="key", expires_at=datetime.datetime.now(datetime.timezone.utc))
fetches: int = c.credential_fetches
c = cloud_infinite.Client(credentials=lambda: ("AKID", "key"))
c.set_credentials(secret_id="AKID")
text: str = c.credential_fetches
'''


def test_the_credentials_options_are_typed(tmp_path):
    misuse = tmp_path / "credentials_misuse.py"
    misuse.write_text(CREDENTIALS_MISUSE)
    r = mypy(str(misuse))
    errors = sorted({int(line.split(":")[1]) for line in r.stdout.splitlines() if ": error:" in line})
    # The last three lines: a callback returning a tuple, a missing secret_key, fetches as a str.
    assert errors == [7, 8, 9], r.stdout


CANCEL_AND_ASYNC_MISUSE = '''
import cloud_infinite
async def main(c: cloud_infinite.AsyncClient, s: cloud_infinite.Client, t: cloud_infinite.CancelToken) -> None:
    ok: cloud_infinite.QueuePage = await c.describe_ai_queues("b-1250000000", page_size=2)
    items: list[cloud_infinite.Bucket] = [b async for b in c.iter_pic_buckets(concurrency=4)]
    pages: cloud_infinite.AsyncPageIterator[cloud_infinite.BucketPage] = c.iter_pic_bucket_pages()
    page: cloud_infinite.BucketPage = s.describe_pic_buckets(cancel=t)
    more: list[cloud_infinite.Queue] = list(s.iter_ai_queues("b-1250000000", concurrency=2, cancel=t))
    await c.describe_media_buckets(tag_key="env")
    wrong: cloud_infinite.BucketPage = await c.describe_ci_buckets()
    c.iter_pic_bucket_pages(cancel=t)
    s.describe_pic_buckets(concurrency=2)
    s.describe_pic_buckets(cancel=True)
'''


def test_the_cancel_and_async_methods_are_typed(tmp_path):
    misuse = tmp_path / "cancel_misuse.py"
    misuse.write_text(CANCEL_AND_ASYNC_MISUSE)
    r = mypy(str(misuse))
    errors = sorted({int(line.split(":")[1]) for line in r.stdout.splitlines() if ": error:" in line})
    # The last five lines: a parameter the call does not take, a wrong page,
    # cancel= on an async pager, concurrency= on a describe call, a bool token.
    assert errors == [9, 10, 11, 12, 13], r.stdout
