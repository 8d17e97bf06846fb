"""`Client`: the options, converted into a `ci_client_options` for
`ci_client_new`; the calls are its bases' (`Operations`, generated, over the
generic `Calls`), its lifetime is `Handle`'s.

Everything that is not a type conversion (signing, URLs, XML, paging,
retries, the environment) happens in the library.
"""

from __future__ import annotations

import os
from ctypes import byref, c_void_p
from typing import Any, Optional, Union

from . import _abi, _ffi
from ._abi import ProxyMode, Scheme
from ._convert import U32_MAX, Seconds, cstr, millis, number
from ._error_kinds import InvalidArgumentError
from ._errors import check
from ._operations import Operations


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


class Client(Operations):
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
            (the library reads them, now).

    Numbers are passed on as given, 0 included: the library refuses a 0
    where it cannot work (a timeout, ``max_response_bytes``).

    Every describe call of the library is a method (`Operations`, generated
    from the library's table): ``describe_x`` for one page, ``iter_x_pages``
    for every page and ``iter_x`` for every item, where x is e.g.
    ``media_buckets`` or ``ai_queues``; queue calls take the bucket first.

    Raises:
        InvalidArgumentError: missing credentials or region, a bad region,
            endpoint, proxy URL or option value. Nothing is sent.

    Example::

        with Client(secret_id="AKID...", secret_key="...", region="ap-guangzhou") as client:
            for bucket in client.iter_pic_buckets():
                print(bucket.name, bucket.region)
    """

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
    ) -> None:
        super().__init__()
        o = _abi.ci_client_options()
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
        self._own(client.value)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Client":
        """A client configured from the ``TENCENTCLOUD_*`` environment
        variables; keyword arguments (any of `Client`'s) win over them.

        Example::

            client = Client.from_env(timeout=10)   # TENCENTCLOUD_SECRET_ID, ..._SECRET_KEY, ..._REGION
        """
        overrides.setdefault("from_env", True)
        return cls(**overrides)

    def close(self) -> None:
        """Releases the client. Calls already running in other threads finish
        normally; later calls raise `ClientClosedError`. Page iterators
        already made keep working. Idempotent."""
        super().close()

    def __repr__(self) -> str:
        # Never the credentials: they live only inside the library.
        return f"<cloud_infinite.Client {'closed' if self.closed else 'open'}>"
