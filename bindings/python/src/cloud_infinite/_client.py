"""`Client`: the options, converted into a `ci_client_options` for
`ci_client_new` (`Configured`, shared with `AsyncClient`); the calls are its
bases' (`Operations`, generated, over the generic `Calls`), its lifetime is
`Handle`'s.

Everything that is not a type conversion (signing, URLs, XML, paging,
retries, the environment) happens in the library.
"""

from __future__ import annotations

import os
from ctypes import byref, c_void_p
from typing import Any, Optional, Type, TypeVar, Union, overload

from . import _abi, _ffi
from ._abi import CredentialsSource, ProxyMode, Scheme
from ._convert import U32_MAX, Seconds, cstr, millis, number
from ._error_kinds import InvalidArgumentError
from ._credentials import CallbackProvider, Credentials, CredentialsOption, ExpiresAt, source, values
from ._errors import check
from ._handle import ClientClosedError, Handle
from ._operations import Operations

C = TypeVar("C", bound="Configured")


def _scheme(value: Union[None, str, Scheme]) -> int:
    if value is None:
        return Scheme.DEFAULT
    if isinstance(value, str):
        try:
            return Scheme[value.upper()]
        except KeyError:
            raise InvalidArgumentError(f'scheme must be "https" or "http", not {value!r}') from None
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= U32_MAX:
            raise InvalidArgumentError(f"scheme {value} is not a Scheme")
        return value  # the library refuses unknown numbers
    raise InvalidArgumentError(f"scheme must be a Scheme or a str, not {type(value).__name__}")


class Configured(Handle):
    """What `Client` and `AsyncClient` share: the options, converted into a
    `ci_client_options` for ``ci_client_new`` (documented on `Client`), and
    the keys' rotation. The calls are the subclasses' (`Operations`,
    `AsyncOperations`)."""

    def __init__(
        self,
        *,
        secret_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        region: Optional[str] = None,
        session_token: Optional[str] = None,
        endpoint: Optional[str] = None,
        connect_to: Optional[str] = None,
        scheme: Union[None, str, Scheme] = None,
        timeout: Optional[Seconds] = None,
        connect_timeout: Optional[Seconds] = None,
        max_retries: Optional[int] = None,
        retry_base_delay: Optional[Seconds] = None,
        max_response_bytes: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        proxy: Union[None, bool, str] = None,
        ca_file: Union[None, str, "os.PathLike[str]"] = None,
        from_env: bool = False,
        credentials: CredentialsOption = None,
        profile_name: Optional[str] = None,
        cvm_role: Optional[str] = None,
        metadata_endpoint: Optional[str] = None,
        sts_endpoint: Optional[str] = None,
        refresh_margin: Optional[Seconds] = None,
    ) -> None:
        super().__init__()
        o = _abi.ci_client_options()
        provider: Optional[CallbackProvider] = None
        if credentials is None:
            o.credentials = CredentialsSource.KEYS
        elif callable(credentials) and not isinstance(credentials, (str, CredentialsSource)):
            provider = CallbackProvider(credentials)
            o.credentials = CredentialsSource.CALLBACK
            o.credentials_callback = provider.c_function
        else:
            o.credentials = source(credentials)
        o.profile_name = cstr("profile_name", profile_name)
        o.cvm_role = cstr("cvm_role", cvm_role)
        o.metadata_endpoint = cstr("metadata_endpoint", metadata_endpoint)
        o.sts_endpoint = cstr("sts_endpoint", sts_endpoint)
        o.has_refresh_margin_ms, o.refresh_margin_ms = millis("refresh_margin", refresh_margin)
        o.from_env = 1 if from_env else 0
        o.secret_id = cstr("secret_id", secret_id)
        o.secret_key = cstr("secret_key", secret_key)
        o.session_token = cstr("session_token", session_token)
        o.region = cstr("region", region)
        o.endpoint = cstr("endpoint", endpoint)
        o.connect_to = cstr("connect_to", connect_to)
        o.scheme = _scheme(scheme)
        o.has_timeout_ms, o.timeout_ms = millis("timeout", timeout)
        o.has_connect_timeout_ms, o.connect_timeout_ms = millis("connect_timeout", connect_timeout)
        o.has_max_retries, o.max_retries = number("max_retries", max_retries, U32_MAX)
        o.has_retry_base_delay_ms, o.retry_base_delay_ms = millis("retry_base_delay", retry_base_delay)
        o.has_max_response_bytes, o.max_response_bytes = number("max_response_bytes", max_response_bytes)
        o.user_agent_suffix = cstr("user_agent_suffix", user_agent_suffix)
        o.ca_file = cstr("ca_file", None if ca_file is None else os.fspath(ca_file))
        if proxy is None:
            o.proxy_mode = ProxyMode.FROM_ENVIRONMENT
        elif proxy is False:
            o.proxy_mode = ProxyMode.DISABLED
        elif isinstance(proxy, str):
            o.proxy_mode = ProxyMode.URL
            o.proxy_url = cstr("proxy", proxy)
        else:
            raise InvalidArgumentError(f"proxy must be None (from the environment), False (none) or a URL, not {proxy!r}")

        client = c_void_p()
        check(_ffi.lib.ci_client_new(byref(o), byref(client)))
        # The callback is the library's to call until the native client
        # (and every pager holding it) is freed: the handle keeps it till then.
        self._own(client.value, provider)

    @classmethod
    def from_env(cls: Type[C], **overrides: Any) -> C:
        """A client configured from the ``TENCENTCLOUD_*`` environment
        variables; keyword arguments (any of `Client`'s) win over them.
        ``credentials="chain"`` takes the keys from Tencent's default chain
        instead (the environment, the profile file, the CVM role, TKE OIDC)
        and only the region from ``TENCENTCLOUD_REGION``.

        Example::

            client = Client.from_env(timeout=10)   # TENCENTCLOUD_SECRET_ID, ..._SECRET_KEY, ..._REGION
            on_cvm = Client.from_env(credentials="chain")   # keys from the chain, renewed before they expire
        """
        overrides.setdefault("from_env", True)
        return cls(**overrides)

    @overload
    def set_credentials(self, credentials: Credentials) -> None: ...

    @overload
    def set_credentials(
        self, *, secret_id: str, secret_key: str, session_token: Optional[str] = None, expires_at: ExpiresAt = None
    ) -> None: ...

    def set_credentials(
        self,
        credentials: Optional[Credentials] = None,
        *,
        secret_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        session_token: Optional[str] = None,
        expires_at: ExpiresAt = None,
    ) -> None:
        """Replaces the client's keys at once (rotation by hand), from any
        thread: calls already signed keep theirs, the next attempts use
        these. Takes a `Credentials`, or its fields as keywords. With a
        provider, these serve until they near ``expires_at``; then the
        provider is asked again.

        Raises:
            InvalidArgumentError: keys that cannot sign (empty, not
                printable ASCII), a naive ``expires_at``, or both forms.
            NullArgumentError: a missing ``secret_id`` or ``secret_key``.
            ClientClosedError: the client is closed.

        Example::

            client.set_credentials(secret_id="AKID...", secret_key="...", session_token=token,
                                   expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
        """
        if credentials is None:
            credentials = Credentials(secret_id, secret_key, session_token, expires_at)  # type: ignore[arg-type]
        elif (secret_id, secret_key, session_token, expires_at) != (None, None, None, None):
            raise InvalidArgumentError("set_credentials takes a Credentials or its fields as keywords, not both")
        struct, strings = values(credentials)
        client = self._enter()
        try:
            check(_ffi.lib.ci_client_set_credentials(client, byref(struct)))
        finally:
            self._leave()
        del strings  # referenced by `struct` until here

    @property
    def credential_fetches(self) -> int:
        """How many times the client's provider has been asked for keys:
        the first fetch and every refresh (0 for fixed keys, and once the
        client is closed)."""
        try:
            client = self._enter()
        except ClientClosedError:
            return 0
        try:
            return int(_ffi.lib.ci_client_credential_fetches(client))
        finally:
            self._leave()

    def __repr__(self) -> str:
        # Never the credentials: they live only inside the library.
        return f"<cloud_infinite.{type(self).__name__} {'closed' if self.closed else 'open'}>"


class Client(Configured, Operations):
    """A Cloud Infinite client. Thread-safe: share one between threads (calls
    run in parallel, outside the GIL, over one connection pool).

    Every option is keyword-only and optional; None means the library's
    default (or, with ``from_env=True``, the environment's value).

    Args:
        secret_id: SecretId. Required here or from the environment.
        secret_key: SecretKey. Required here or from the environment.
        region: e.g. ``"ap-guangzhou"``. Required here or from the environment.
        session_token: the token of temporary credentials.
        endpoint: a host (``host[:port]``) replacing ``ci.<region>.myqcloud.com``;
            bucket calls go to ``<bucket>.<endpoint>``.
        connect_to: dial this ``host:port`` for every request while Host, path
            and signature stay what production gets (like curl's
            ``--connect-to``); no proxy is then used.
        scheme: ``"https"`` (default) or ``"http"``, or a `Scheme`.
        timeout: seconds (or a timedelta) for a whole call, retries
            included (default 30).
        connect_timeout: seconds (or a timedelta) to connect (default 5).
        max_retries: retries of connection failures, 5xx and throttling
            (default 3; 0 for none).
        retry_base_delay: seconds before the first retry, doubled each
            retry, with jitter (default 0.1; 0 retries at once).
        max_response_bytes: the largest answer accepted (default 16 MiB).
        user_agent_suffix: appended to the ``cloud-infinite/<version>`` User-Agent.
        proxy: None (default) for a proxy from ``HTTPS_PROXY``/``HTTP_PROXY``/
            ``ALL_PROXY`` (honouring ``NO_PROXY``), False for none, or a URL
            such as ``"http://proxy:3128"``.
        ca_file: a PEM file of CA certificates to trust for HTTPS instead of
            the built-in Mozilla roots (a private CA). Certificates are
            always verified.
        from_env: fill what is not given from ``TENCENTCLOUD_SECRET_ID``,
            ``TENCENTCLOUD_SECRET_KEY``, ``TENCENTCLOUD_SESSION_TOKEN`` (or
            ``TENCENTCLOUD_SECURITY_TOKEN``) and ``TENCENTCLOUD_REGION``
            (the library reads them, now). With a ``credentials`` provider
            only the region is taken; the environment's keys are ignored.
        credentials: where the keys come from. None or ``"keys"``: the
            fixed ``secret_id``/``secret_key``/``session_token`` (or the
            environment's, with ``from_env``). Otherwise a provider, whose
            keys are fetched at the first call and renewed before they
            expire (one fetch for all threads); keys given as well are
            refused:

            - ``"chain"``: Tencent's default chain, in its order: the
              environment, the profile file, the CVM role, TKE OIDC;
            - ``"environment"``: ``TENCENTCLOUD_SECRET_ID``/``_SECRET_KEY``/
              ``_SESSION_TOKEN``, read when the client is made;
            - ``"profile"``: the INI file ``$TENCENTCLOUD_CREDENTIALS_FILE``,
              else ``~/.tencentcloud/credentials``, else
              ``/etc/tencentcloud/credentials`` (section ``profile_name``);
            - ``"cvm"``: the CVM instance role, from the metadata service;
            - ``"oidc"``: TKE OIDC, STS ``AssumeRoleWithWebIdentity`` with
              ``TKE_REGION``, ``TKE_PROVIDER_ID``, ``TKE_WEB_IDENTITY_TOKEN_FILE``
              and ``TKE_ROLE_ARN``;
            - a callable taking no argument and returning `Credentials`
              (called from whichever thread needs keys, one call at a
              time; an exception it raises fails that call with
              `CredentialsError`, the exception as its ``__cause__``).

            A `CredentialsSource` member names a source too.
        profile_name: the profile file's section (default ``default``);
            only with ``credentials="profile"``.
        cvm_role: the CVM role (default: the first the metadata service
            lists); only with ``credentials="cvm"``.
        metadata_endpoint: the metadata service's
            ``.../latest/meta-data/cam/security-credentials/`` URL (default
            ``$TENCENTCLOUD_METADATA_ENDPOINT``, else Tencent's); only with
            ``"cvm"`` or ``"chain"``.
        sts_endpoint: the STS URL (default ``$TENCENTCLOUD_STS_ENDPOINT``,
            else ``https://sts.tencentcloudapi.com/``); only with ``"oidc"``
            or ``"chain"``.
        refresh_margin: seconds (or a timedelta) before they expire that a
            provider's keys are renewed (default 300; at most a fifth of
            the keys' lifetime is used).

    Numbers are passed on as given, 0 included: the library refuses a 0
    where it cannot work (a timeout, ``max_response_bytes``).

    Every describe call of the library is a method (`Operations`, generated
    from the library's table): ``describe_x`` for one page, ``iter_x_pages``
    for every page and ``iter_x`` for every item, where x is e.g.
    ``media_buckets`` or ``ai_queues``; queue calls take the bucket first.
    Each takes ``cancel=``, a `CancelToken`; the page iterators also take
    ``concurrency=``. Called on the main thread, a call is interrupted by
    Ctrl-C (KeyboardInterrupt): it runs on a worker thread while the main
    thread waits, and is cancelled in the library before the exception is
    raised. `AsyncClient` is the same client for asyncio.

    Raises:
        InvalidArgumentError: missing credentials or region, a bad region,
            endpoint, proxy URL or option value, keys together with a
            provider, or a provider's option with another source. Nothing
            is sent.

    A provider that finds no keys fails the call that needs them (not the
    constructor) with `CredentialsError`, whose message names each source
    it tried.

    Example::

        with Client(secret_id="AKID...", secret_key="...", region="ap-guangzhou") as client:
            for bucket in client.iter_pic_buckets():
                print(bucket.name, bucket.region)
    """

    def close(self) -> None:
        """Releases the client. Calls already running in other threads finish
        normally; later calls raise `ClientClosedError`. Page iterators
        already made keep working. Idempotent."""
        super().close()

