"""Credentials from each source against the emulator's credential services
(or a profile file): a Python callback (and one that fails in every way),
the CVM role, TKE OIDC, the profile file, the environment, the default
chain's order and its failure with no source, rotation by hand, the
options the library refuses, and a renewal on ExpiredToken.

Sources that read the process's environment (profile, environment, OIDC,
the chain) run in a child process (credentials_child.py) with an
environment made for the case, so that no test changes pytest's own. Every
endpoint is the emulator's on 127.0.0.1, or a loopback port nothing
listens on: nothing else is dialled.
"""

import datetime
import gc
import json
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import pytest

import cloud_infinite
from cloud_infinite import (
    Client,
    ClientClosedError,
    Credentials,
    CredentialsError,
    CredentialsSource,
    InvalidArgumentError,
    NullArgumentError,
    ServiceError,
)

from conftest import SECRET_ID, SECRET_KEY, TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN, Emulator

HERE = Path(__file__).resolve().parent
CHILD = HERE / "credentials_child.py"
WEB_IDENTITY_TOKEN = "emulator-web-identity-token"
OIDC_PROVIDER_ID = "emulator-oidc-provider"
OIDC_ROLE_ARN = "qcs::cam::uin/100000000001:roleName/emulator-oidc-role"


def good_keys(lifetime: float = 3600) -> Credentials:
    """The emulator's fixed keys, said to expire `lifetime` seconds from now."""
    return Credentials(SECRET_ID, SECRET_KEY, expires_at=time.time() + lifetime)


def dead_port() -> int:
    """A loopback port nothing listens on (bound, read, closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dead_metadata() -> str:
    return f"http://127.0.0.1:{dead_port()}/latest/meta-data/cam/security-credentials/"


class Counter:
    """A callback that counts its calls (thread-safe) and returns `answer()`."""

    def __init__(self, answer=good_keys, sleep: float = 0):
        self.answer, self.sleep = answer, sleep
        self.calls = 0
        self.threads = set()
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
            self.threads.add(threading.get_ident())
        if self.sleep:
            time.sleep(self.sleep)
        return self.answer()


# --- the callback -------------------------------------------------------------


def test_a_callback_signs_and_is_called_once_for_keys_valid_an_hour(emulator):
    counter = Counter()
    with Client(credentials=counter, **emulator.keyless_options()) as client:
        assert counter.calls == 0 and client.credential_fetches == 0, "nothing is fetched before a call"
        for _ in range(3):
            assert client.describe_pic_buckets().total_count is not None
        assert counter.calls == 1 and client.credential_fetches == 1


@pytest.mark.parametrize(
    "expires_at",
    [
        None,
        int(time.time()) + 3600,
        time.time() + 3600.5,
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1),
        datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(hours=1),
    ],
    ids=["never", "unix-int", "unix-float", "aware-utc", "aware-utc+8"],
)
def test_expires_at_may_be_unix_seconds_or_an_aware_datetime(emulator, expires_at):
    keys = Credentials(TMP_SECRET_ID, TMP_SECRET_KEY, TMP_TOKEN, expires_at=expires_at)
    with Client(credentials=lambda: keys, **emulator.keyless_options()) as client:
        client.describe_pic_buckets()
        client.describe_pic_buckets()
        assert client.credential_fetches == 1, "none of them is renewed within the hour"


def test_keys_that_expire_are_fetched_again(emulator):
    # Two seconds to live: renewed a fifth of that before they end.
    counter = Counter(lambda: good_keys(2))
    with Client(credentials=counter, **emulator.keyless_options()) as client:
        client.describe_pic_buckets()
        time.sleep(2.1)
        client.describe_pic_buckets()
        assert counter.calls == client.credential_fetches == 2


def raises():
    raise ValueError("the vault is sealed")


@pytest.mark.parametrize(
    "callback, kind, needle",
    [
        (raises, ValueError, "ValueError: the vault is sealed"),
        (lambda: 42, None, "it returned int, not a cloud_infinite.Credentials"),
        (lambda: (SECRET_ID, SECRET_KEY), None, "it returned tuple"),
        (lambda: Credentials(SECRET_ID, 7), None, "secret_key must be a str, not int"),
        (lambda: Credentials(SECRET_ID, "nul\0key"), None, "secret_key contains a NUL"),
        (lambda: Credentials("", SECRET_KEY), None, "secret_id is empty"),
        (lambda: Credentials(SECRET_ID, SECRET_KEY, expires_at=datetime.datetime(2100, 1, 1)), None, "naive datetime"),
        (lambda: Credentials(SECRET_ID, SECRET_KEY, expires_at=-5), None, "after 1970"),
        (lambda: 1 / 0, ZeroDivisionError, "ZeroDivisionError: division by zero"),
    ],
    ids=["raises", "int", "tuple", "key-not-str", "nul", "empty-id", "naive", "negative", "zerodiv"],
)
def test_a_failing_callback_is_a_credentials_error_never_a_crash(emulator, callback, kind, needle):
    with Client(credentials=callback, **emulator.keyless_options()) as client:
        with pytest.raises(CredentialsError) as raised:
            client.describe_pic_buckets()
        e = raised.value
        assert e.kind == cloud_infinite.ErrorKind.CREDENTIALS
        assert "the credentials callback" in e.message and needle in e.message, e.message
        if kind is not None:
            assert isinstance(e.__cause__, kind), "the callable's own exception is the cause"
        # The pager's page fails the same way.
        with pytest.raises(CredentialsError):
            next(client.iter_pic_bucket_pages())


def test_the_error_of_a_recovered_callback_is_not_carried_over(emulator):
    state = {"fail": True}

    def flaky():
        if state["fail"]:
            raise RuntimeError("not yet")
        return good_keys()

    with Client(credentials=flaky, **emulator.keyless_options()) as client:
        with pytest.raises(CredentialsError, match="RuntimeError: not yet"):
            client.describe_pic_buckets()
        state["fail"] = False
        client.describe_pic_buckets()
        assert client.credential_fetches == 2


def test_a_long_message_is_cut_to_the_buffer_at_a_character_boundary(emulator):
    def long():
        raise ValueError("密钥" * 1000)

    with Client(credentials=long, **emulator.keyless_options()) as client:
        with pytest.raises(CredentialsError) as raised:
            client.describe_pic_buckets()
    message = raised.value.message
    tail = message.split("ValueError: ", 1)[1].removesuffix(" (status 1)")
    # The library's buffer is 512 bytes with the NUL; whole characters only.
    assert 400 < len(tail.encode()) <= 511 and set(tail) == {"密", "钥"}, tail[-5:]
    assert len(raised.value.__cause__.args[0]) == 2000, "the cause keeps the whole message"


def test_keyboard_interrupt_in_the_callback_is_raised_in_the_calling_thread(emulator):
    def interrupted():
        raise KeyboardInterrupt

    with Client(credentials=interrupted, **emulator.keyless_options()) as client:
        with pytest.raises(KeyboardInterrupt) as raised:
            client.describe_pic_buckets()
        assert isinstance(raised.value.__context__, CredentialsError)


def test_eight_threads_needing_keys_at_once_wait_on_one_callback_call(emulator):
    counter = Counter(sleep=0.3)
    with Client(credentials=counter, **emulator.keyless_options()) as client:
        errors = []

        def call():
            try:
                client.describe_pic_buckets()
            except Exception as e:  # noqa: BLE001 (collected and asserted on)
                errors.append(e)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert counter.calls == 1 and client.credential_fetches == 1


def test_the_callback_lives_as_long_as_the_library_may_call_it(emulator):
    # Nothing but the client refers to the callback, and a page iterator
    # outlives its closed client: the keys expire after the client is gone,
    # so the pager's next page must call the callback again.
    counter = Counter(lambda: good_keys(2))
    seen = weakref.ref(counter)
    client = Client(credentials=counter, **emulator.keyless_options())
    # One page at a time: a page fetched ahead would be signed with the
    # first keys before they expire.
    pages = client.iter_pic_bucket_pages(page_size=1, concurrency=1)
    next(pages)
    client.close()
    del client, counter
    gc.collect()
    assert seen() is not None, "the pager keeps the callback"
    time.sleep(2.1)
    next(pages)
    assert seen().calls == 2
    pages.close()
    gc.collect()
    assert seen() is None, "released with the last native reference"
    assert cloud_infinite.live_objects() == 0


def test_a_client_dropped_unclosed_releases_its_callback(emulator):
    counter = Counter()
    seen = weakref.ref(counter)
    Client(credentials=counter, **emulator.keyless_options()).describe_pic_buckets()
    del counter
    gc.collect()
    assert seen() is None and cloud_infinite.live_objects() == 0


def test_a_refused_client_does_not_keep_its_callback(emulator):
    counter = Counter()
    seen = weakref.ref(counter)
    with pytest.raises(InvalidArgumentError, match="both keys and a credentials provider"):
        Client(credentials=counter, **emulator.options())
    del counter
    gc.collect()
    assert seen() is None


# --- rotation by hand -----------------------------------------------------------


def test_set_credentials_rotates_a_live_clients_keys(emulator):
    with emulator.client(secret_key="not-the-key") as client:
        with pytest.raises(ServiceError) as raised:
            client.describe_pic_buckets()
        assert raised.value.code == "SignatureDoesNotMatch"
        client.set_credentials(Credentials(SECRET_ID, SECRET_KEY))
        client.describe_pic_buckets()
        # Keywords, temporary keys with their token.
        client.set_credentials(secret_id=TMP_SECRET_ID, secret_key=TMP_SECRET_KEY, session_token=TMP_TOKEN)
        client.describe_pic_buckets()
        client.set_credentials(secret_id=TMP_SECRET_ID, secret_key=TMP_SECRET_KEY)
        with pytest.raises(ServiceError):
            client.describe_pic_buckets()  # the token was part of those keys
        assert client.credential_fetches == 0, "fixed keys are never fetched"


def test_set_credentials_refuses_what_cannot_sign(emulator):
    with emulator.client() as client:
        with pytest.raises(InvalidArgumentError):
            client.set_credentials(secret_id="", secret_key="k")
        with pytest.raises(NullArgumentError, match="secret_key"):
            client.set_credentials(secret_id="AKID")  # type: ignore[call-overload]
        with pytest.raises(InvalidArgumentError, match="not both"):
            client.set_credentials(Credentials("a", "b"), secret_id="c")  # type: ignore[call-overload]
        with pytest.raises(InvalidArgumentError, match="naive"):
            client.set_credentials(Credentials("a", "b", expires_at=datetime.datetime(2100, 1, 1)))
        with pytest.raises(InvalidArgumentError, match="must be a cloud_infinite.Credentials"):
            client.set_credentials(("a", "b"))  # type: ignore[call-overload]
        client.describe_pic_buckets()  # still the keys it had
    with pytest.raises(ClientClosedError):
        client.set_credentials(Credentials(SECRET_ID, SECRET_KEY))
    assert client.credential_fetches == 0


def test_set_credentials_serves_a_provider_until_they_near_expiry(emulator):
    counter = Counter()
    with Client(credentials=counter, **emulator.keyless_options()) as client:
        client.set_credentials(Credentials(SECRET_ID, SECRET_KEY, expires_at=time.time() + 3600))
        client.describe_pic_buckets()
        assert counter.calls == 0, "the keys set by hand serve"
        client.set_credentials(Credentials(SECRET_ID, SECRET_KEY, expires_at=time.time() + 1.5))
        time.sleep(1.6)
        client.describe_pic_buckets()
        assert counter.calls == 1, "then the provider is asked again"


def test_credentials_repr_hides_the_key_and_token():
    text = repr(Credentials("AKIDshown", "hidden-key", "hidden-token", expires_at=5))
    assert "AKIDshown" in text and "hidden" not in text


# --- the CVM role, TKE OIDC --------------------------------------------------------


@pytest.fixture
def credential_emulator():
    """An emulator of this test's own, so its credential counters are this test's."""
    emu = Emulator()
    try:
        yield emu
    finally:
        emu.stop()


def test_the_cvm_role_from_the_metadata_service(credential_emulator):
    emu = credential_emulator
    options = emu.keyless_options(credentials="cvm", metadata_endpoint=emu.metadata_endpoint)
    with Client(**options) as client:
        client.describe_pic_buckets()
        client.describe_pic_buckets()
        assert client.credential_fetches == 1
    with Client(cvm_role="emulator-role", **options) as client:
        client.describe_pic_buckets()
    assert emu.credentials()["issued"]["metadata"] == 2
    with Client(cvm_role="no-such-role", **options) as client:
        with pytest.raises(CredentialsError, match="no-such-role") as raised:
            client.describe_pic_buckets()
    print(f"\n  unknown CVM role: {raised.value.message}")


def test_an_expired_token_answer_renews_once_and_signs_again(credential_emulator):
    emu = credential_emulator
    with Client(credentials=CredentialsSource.CVM_ROLE, **emu.keyless_options(metadata_endpoint=emu.metadata_endpoint)) as client:
        client.describe_pic_buckets()
        emu.credentials(expired_token_next=1)
        client.describe_pic_buckets()
        assert client.credential_fetches == 2, "renewed once"
        assert emu.credentials()["expired_token_answers"] == 1


def child(env: dict, options: dict, *, from_env: bool = False, calls: int = 1) -> dict:
    """Runs credentials_child.py with only `env` (and what finds the
    package and the library) in its environment; returns its JSON line."""
    base = {
        key: os.environ[key]
        for key in ("PATH", "PYTHONPATH", "CLOUD_INFINITE_LIB", "LD_LIBRARY_PATH")
        if key in os.environ
    }
    spec = json.dumps({"options": options, "from_env": from_env, "calls": calls})
    r = subprocess.run(
        [sys.executable, str(CHILD), spec], env={**base, **env}, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture
def home(tmp_path):
    """An empty HOME, so that no ~/.tencentcloud/credentials is found."""
    (tmp_path / "home").mkdir()
    return {"HOME": str(tmp_path / "home")}


def tke_env(tmp_path, token: str = WEB_IDENTITY_TOKEN) -> dict:
    token_file = tmp_path / "web-identity-token"
    token_file.write_text(token)
    return {
        "TKE_REGION": "ap-guangzhou",
        "TKE_PROVIDER_ID": OIDC_PROVIDER_ID,
        "TKE_WEB_IDENTITY_TOKEN_FILE": str(token_file),
        "TKE_ROLE_ARN": OIDC_ROLE_ARN,
    }


def test_tke_oidc_from_sts(credential_emulator, tmp_path, home):
    emu = credential_emulator
    options = emu.keyless_options(credentials="oidc", sts_endpoint=emu.sts_endpoint)
    got = child({**home, **tke_env(tmp_path)}, options, calls=2)
    assert got == {"ok": True, "fetches": 1, "seconds": got["seconds"]}
    assert emu.credentials()["issued"]["sts"] == 1
    # $TENCENTCLOUD_STS_ENDPOINT instead of the option.
    del options["sts_endpoint"]
    got = child({**home, **tke_env(tmp_path), "TENCENTCLOUD_STS_ENDPOINT": emu.sts_endpoint}, options)
    assert got["ok"], got
    assert emu.credentials()["issued"]["sts"] == 2
    # A token STS refuses.
    options["sts_endpoint"] = emu.sts_endpoint
    got = child({**home, **tke_env(tmp_path, token="not-the-token")}, options)
    assert got["error"] == "CredentialsError" and "WebIdentityTokenError" in got["message"], got
    print(f"\n  refused web identity token: {got['message']}")
    got = child(home, options)
    assert got["error"] == "CredentialsError" and "TKE_REGION" in got["message"], got
    print(f"  no TKE_* variables: {got['message']}")


# --- the profile file and the environment -------------------------------------------------


PROFILE = f"""\
[default]
secret_id = {SECRET_ID}
secret_key = {SECRET_KEY}

[dev]
secret_id = {TMP_SECRET_ID}
secret_key = {TMP_SECRET_KEY}
token = {TMP_TOKEN}

[wrong]
secret_id = {SECRET_ID}
secret_key = not-the-key
"""


@pytest.fixture
def profile_file(tmp_path):
    path = tmp_path / "credentials"
    path.write_text(PROFILE)
    return {"TENCENTCLOUD_CREDENTIALS_FILE": str(path)}


def test_the_profile_file(emulator, home, profile_file):
    options = emulator.keyless_options(credentials="profile")
    assert child({**home, **profile_file}, options)["ok"]
    assert child({**home, **profile_file}, dict(options, profile_name="dev"))["ok"], "a section with a token"
    got = child({**home, **profile_file}, dict(options, profile_name="wrong"))
    assert got["error"] == "ServiceError", got
    got = child({**home, **profile_file}, dict(options, profile_name="missing"))
    assert got["error"] == "CredentialsError" and "missing" in got["message"], got
    print(f"\n  no such profile: {got['message']}")


def test_the_profile_file_from_home(emulator, home):
    path = Path(home["HOME"]) / ".tencentcloud" / "credentials"
    path.parent.mkdir()
    path.write_text(PROFILE)
    assert child(home, emulator.keyless_options(credentials="profile"))["ok"]


def test_the_environment(emulator, home):
    env = {"TENCENTCLOUD_SECRET_ID": TMP_SECRET_ID, "TENCENTCLOUD_SECRET_KEY": TMP_SECRET_KEY, "TENCENTCLOUD_SESSION_TOKEN": TMP_TOKEN}
    got = child({**home, **env}, emulator.keyless_options(credentials="environment"))
    assert got["ok"] and got["fetches"] == 1, got
    got = child(home, emulator.keyless_options(credentials="environment"))
    assert got["error"] == "CredentialsError" and "TENCENTCLOUD_SECRET_ID" in got["message"], got


# --- the default chain ----------------------------------------------------------------


def test_the_default_chain_in_tencents_order(credential_emulator, tmp_path, home, profile_file):
    emu = credential_emulator
    env_keys = {"TENCENTCLOUD_SECRET_ID": SECRET_ID, "TENCENTCLOUD_SECRET_KEY": SECRET_KEY}
    wrong_profile = dict(profile_file)
    (tmp_path / "wrong").write_text(f"[default]\nsecret_id = {SECRET_ID}\nsecret_key = not-the-key\n")
    wrong_profile["TENCENTCLOUD_CREDENTIALS_FILE"] = str(tmp_path / "wrong")
    chain = emu.keyless_options(credentials="chain", metadata_endpoint=emu.metadata_endpoint, sts_endpoint=emu.sts_endpoint)

    # 1. The environment before a profile file (whose key is wrong).
    assert child({**home, **env_keys, **wrong_profile, **tke_env(tmp_path)}, chain)["ok"]
    # 2. The profile file before the CVM role.
    assert child({**home, **profile_file, **tke_env(tmp_path)}, chain)["ok"]
    counters = emu.credentials()["issued"]
    assert (counters["metadata"], counters["sts"]) == (0, 0), "neither role was asked"
    # 3. The CVM role before TKE OIDC.
    assert child({**home, **tke_env(tmp_path)}, chain)["ok"]
    counters = emu.credentials()["issued"]
    assert (counters["metadata"], counters["sts"]) == (1, 0)
    # 4. TKE OIDC last, when there is no metadata service.
    got = child({**home, **tke_env(tmp_path)}, dict(chain, metadata_endpoint=dead_metadata()))
    assert got["ok"], got
    counters = emu.credentials()["issued"]
    assert (counters["metadata"], counters["sts"]) == (1, 1)


def test_from_env_can_ask_for_the_default_chain(credential_emulator, home):
    emu = credential_emulator
    options = emu.keyless_options(credentials="chain")
    del options["region"]
    env = {
        **home,
        "TENCENTCLOUD_REGION": "ap-guangzhou",
        "TENCENTCLOUD_METADATA_ENDPOINT": emu.metadata_endpoint,
        "TENCENTCLOUD_STS_ENDPOINT": emu.sts_endpoint,
    }
    got = child(env, options, from_env=True)
    assert got["ok"] and got["fetches"] == 1, got
    assert emu.credentials()["issued"]["metadata"] == 1, "keys from the CVM role, the region from the environment"


def test_the_default_chain_with_no_source_fails_fast_naming_each(emulator, home):
    # Both services at loopback ports nothing listens on, so that no test
    # can reach a real one (STS is not dialled: no TKE_* variable is set).
    dead_sts = f"http://127.0.0.1:{dead_port()}/"
    options = emulator.keyless_options(credentials="chain", metadata_endpoint=dead_metadata(), sts_endpoint=dead_sts)
    got = child(home, options)
    assert got["error"] == "CredentialsError", got
    for needle in ("TENCENTCLOUD_SECRET_ID", "/etc/tencentcloud/credentials", "not on a CVM", "TKE_REGION"):
        assert needle in got["message"], (needle, got["message"])
    assert got["seconds"] < 5, "it fails fast"
    print(f"\n  no source ({got['seconds']:.2f} s): {got['message']}")


# --- what the options refuse -------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, error, needle",
    [
        (dict(credentials="bogus"), InvalidArgumentError, '"chain"'),
        (dict(credentials=42), InvalidArgumentError, "not int"),
        (dict(credentials=CredentialsSource.CALLBACK), InvalidArgumentError, "callable"),
        (dict(credentials=Credentials(SECRET_ID, SECRET_KEY)), InvalidArgumentError, "secret_id/secret_key"),
        (dict(credentials="cvm", profile_name="dev"), InvalidArgumentError, "profile_name"),
        (dict(credentials="profile", cvm_role="r"), InvalidArgumentError, "cvm_role"),
        (dict(credentials="profile", metadata_endpoint="http://127.0.0.1:1/"), InvalidArgumentError, "metadata_endpoint"),
        (dict(credentials="cvm", sts_endpoint="http://127.0.0.1:1/"), InvalidArgumentError, "sts_endpoint"),
        (dict(profile_name="dev"), InvalidArgumentError, "profile_name"),
        (dict(refresh_margin=-1), InvalidArgumentError, "refresh_margin"),
        (dict(credentials="cvm", profile_name="a\0b"), InvalidArgumentError, "NUL"),
    ],
    ids=["unknown-name", "number", "callback-member", "keys-as-source", "profile-with-cvm", "role-with-profile",
         "metadata-with-profile", "sts-with-cvm", "profile-with-keys", "negative-margin", "nul"],
)
def test_options_for_another_source_are_refused(emulator, overrides, error, needle):
    with pytest.raises(error) as raised:
        Client(**emulator.options(**overrides))
    assert needle in raised.value.message, raised.value.message


def test_keys_together_with_a_provider_are_refused(emulator):
    with pytest.raises(InvalidArgumentError, match="both keys and a credentials provider"):
        Client(credentials="cvm", metadata_endpoint="http://127.0.0.1:1/", **emulator.options())


def test_the_refresh_margin_takes_seconds_or_a_timedelta(emulator):
    for margin in (0, 1, 2.5, datetime.timedelta(minutes=1)):
        with Client(credentials=good_keys, refresh_margin=margin, **emulator.keyless_options()) as client:
            client.describe_pic_buckets()


def test_a_long_refresh_margin_is_capped_at_a_fifth_of_the_lifetime(emulator):
    # Keys that live 10 s are renewed after about 8 s, not at once on
    # every call, whatever the (300 s) margin.
    counter = Counter(lambda: good_keys(10))
    with Client(credentials=counter, refresh_margin=300, **emulator.keyless_options()) as client:
        for _ in range(5):
            client.describe_pic_buckets()
        assert counter.calls == 1
