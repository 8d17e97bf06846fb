"""One client across many expiries of its keys: eight threads share it and
call for CI_ROTATION_SECS seconds (default 60) while its keys last 5 s.

- The CVM role from the emulator's metadata service (`--credential-lifetime-secs 5`):
  every call succeeds, no call is answered ExpiredToken, and each
  refresh is one key issued: `credential_fetches` == the emulator's
  `issued.metadata`, at least one per lifetime and at most one per 4 s
  window (the last fifth of a lifetime is the refresh margin) plus the first.
- A Python callback handing out the emulator's fixed keys with an
  `expires_at` 5 s ahead: the same bounds on its calls, and never two calls
  within one window (the eight threads wait on one call; they do not each
  make one).
"""

import os
import threading
import time

import pytest

from cloud_infinite import Client, Credentials

from conftest import SECRET_ID, SECRET_KEY, Emulator

LIFETIME = 5
THREADS = 8
SECS = int(os.environ.get("CI_ROTATION_SECS", "60"))
#: One refresh per lifetime at least; one per 4 s window (the lifetime
#: less its last fifth) at most, plus the first fetch and one in flight.
FEWEST, MOST = SECS // LIFETIME, SECS // (LIFETIME - 1) + 2


@pytest.fixture
def short_lived():
    emu = Emulator(args=["--credential-lifetime-secs", str(LIFETIME)])
    try:
        yield emu
    finally:
        emu.stop()


def hammer(client: Client) -> tuple:
    """THREADS threads calling `client` for SECS seconds: (calls, failures, first failures)."""
    until = time.monotonic() + SECS
    lock = threading.Lock()
    counts = {"calls": 0, "failures": 0}
    failures = []

    def run():
        while time.monotonic() < until:
            try:
                client.describe_pic_buckets()
                outcome = "calls"
            except Exception as e:  # noqa: BLE001 (counted, and the first shown)
                outcome = "failures"
                if len(failures) < 5:
                    failures.append(repr(e))
            with lock:
                counts[outcome] += 1
            time.sleep(0.02)

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counts["calls"], counts["failures"], failures


def test_the_cvm_role_across_many_expiries(short_lived):
    emu = short_lived
    with Client(credentials="cvm", **emu.keyless_options(metadata_endpoint=emu.metadata_endpoint)) as client:
        calls, failed, failures = hammer(client)
        fetches = client.credential_fetches
    stats = emu.credentials()
    issued = stats["issued"]["metadata"]
    print(
        f"\n  [rotation] CVM role, {SECS} s, {THREADS} threads, {LIFETIME} s keys: {calls} calls, {failed} failed; "
        f"{fetches} fetches, {issued} keys issued, {stats['expired_token_answers']} ExpiredToken answers "
        f"(bounds {FEWEST}..{MOST})"
    )
    assert failed == 0, failures
    assert calls > 50 * SECS, "the threads kept calling"
    assert fetches == issued, "each refresh is one fetch of one new key"
    assert FEWEST <= fetches <= MOST, "one refresh per expiry, not one per thread"
    assert stats["expired_token_answers"] == 0, "renewed before the keys expired"


def test_a_callback_across_many_expiries(short_lived):
    emu = short_lived
    lock = threading.Lock()
    called_at = []
    threads = set()

    def vault() -> Credentials:
        with lock:
            called_at.append(time.monotonic())
            threads.add(threading.get_ident())
        return Credentials(SECRET_ID, SECRET_KEY, expires_at=time.time() + LIFETIME)

    with Client(credentials=vault, **emu.keyless_options()) as client:
        calls, failed, failures = hammer(client)
        fetches = client.credential_fetches
    # Seconds between callback calls ([0] for a run too short for two).
    gaps = [b - a for a, b in zip(called_at, called_at[1:])] or [0.0]
    print(
        f"\n  [rotation] callback, {SECS} s, {THREADS} threads, {LIFETIME} s keys: {calls} calls, {failed} failed; "
        f"{len(called_at)} callback calls from {len(threads)} threads, {fetches} fetches, "
        f"gaps {min(gaps):.2f}..{max(gaps):.2f} s (bounds {FEWEST}..{MOST})"
    )
    assert failed == 0, failures
    assert calls > 50 * SECS, "the threads kept calling"
    assert len(called_at) == fetches, "every fetch is one call of the callback"
    assert FEWEST <= fetches <= MOST, "one call per expiry, not one per thread"
    # Keys of 4 to 5 s (expires_at is rounded down to the second) are
    # renewed in their last fifth: never two calls within one window.
    assert len(called_at) < 2 or min(gaps) >= 3.0, gaps
