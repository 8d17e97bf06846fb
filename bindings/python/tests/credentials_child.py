"""Run by test_credentials.py in a child process with an environment made
for one case (TKE_* variables, a profile file, no keys at all), since the
library reads the process's environment and the tests must not change the
pytest process's own.

    python credentials_child.py '{"options": {...}, "from_env": false, "calls": 2}'

Makes `Client(**options)` (or `Client.from_env(**options)`), makes `calls`
calls, and prints one JSON line: {"ok": true, "fetches": N, "seconds": S}
or {"ok": false, "error": "CredentialsError", "message": "...", "seconds": S}.
"""

import json
import sys
import time

import cloud_infinite


def main() -> None:
    spec = json.loads(sys.argv[1])
    make = cloud_infinite.Client.from_env if spec.get("from_env") else cloud_infinite.Client
    started = time.monotonic()
    try:
        with make(**spec["options"]) as client:
            for _ in range(spec.get("calls", 1)):
                client.describe_pic_buckets()
            result = {"ok": True, "fetches": client.credential_fetches}
    except cloud_infinite.CIError as e:
        result = {"ok": False, "error": type(e).__name__, "message": e.message}
    result["seconds"] = time.monotonic() - started
    print(json.dumps(result))


if __name__ == "__main__":
    main()
