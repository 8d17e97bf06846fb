"""Results (frozen dataclasses) and the enums of the options.

Results hold only Python objects: every string was copied out of the C
result, which was freed before the call returned. Fields are the service's
XML element names in snake_case; a string is None when the element was
absent, and so is an optional number (absent is never read as 0).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

from . import _ffi


class Scheme(enum.IntEnum):
    """`Client(scheme=...)`; the strings ``"https"`` and ``"http"`` work too."""

    #: Certificates checked (the default).
    HTTPS = _ffi.SCHEME_HTTPS
    #: Plain HTTP: a local emulator or a trusted private route.
    HTTP = _ffi.SCHEME_HTTP


class QueueState(enum.IntEnum):
    """`describe_ai_queues(state=...)`; ``"Active"`` and ``"Paused"`` work too."""

    #: Every state (the same as not giving one).
    ANY = _ffi.QUEUE_STATE_ANY
    #: Only active queues.
    ACTIVE = _ffi.QUEUE_STATE_ACTIVE
    #: Only paused queues.
    PAUSED = _ffi.QUEUE_STATE_PAUSED


@dataclass(frozen=True)
class PicBucket:
    """One image-processing bucket (``PicBucketList``)."""

    #: ``BucketId``, e.g. ``"examplebucket-1250000000"``.
    bucket_id: Optional[str]
    #: ``Name``, the same as `bucket_id`.
    name: Optional[str]
    #: ``Region``, e.g. ``"ap-beijing"``.
    region: Optional[str]
    #: ``CreateTime``, as the service wrote it (e.g. ``"2019-11-15T12:12:12+0800"``).
    create_time: Optional[str]


@dataclass(frozen=True)
class PicBucketPage:
    """One page of DescribePicProcessBucket."""

    #: ``RequestId``.
    request_id: Optional[str]
    #: ``TotalCount``: matching buckets across all pages.
    total_count: Optional[int]
    #: ``PageNumber``, from 1.
    page_number: Optional[int]
    #: ``PageSize``.
    page_size: Optional[int]
    #: The buckets of this page (empty past the last page).
    buckets: Tuple[PicBucket, ...]


@dataclass(frozen=True)
class NotifyConfig:
    """A queue's callback settings (``NotifyConfig``)."""

    #: ``Url``: the callback address.
    url: Optional[str]
    #: ``Event``, e.g. ``"TaskFinish,WorkflowFinish"``.
    event: Optional[str]
    #: ``Type``: ``"Url"`` or ``"TDMQ"``.
    type: Optional[str]
    #: ``State``: ``"On"`` or ``"Off"``.
    state: Optional[str]
    #: ``ResultFormat``, e.g. ``"JSON"``.
    result_format: Optional[str]
    #: ``MqMode``: how TDMQ is used.
    mq_mode: Optional[str]
    #: ``MqRegion``: the TDMQ region.
    mq_region: Optional[str]
    #: ``MqName``: the TDMQ topic.
    mq_name: Optional[str]


@dataclass(frozen=True)
class AiQueue:
    """One AI-processing queue (``QueueList``)."""

    #: ``QueueId``, e.g. ``"p4a17eeea29334bf499b7e20e2fbfd99d"``.
    queue_id: Optional[str]
    #: ``Name``.
    name: Optional[str]
    #: ``State``: ``"Active"`` or ``"Paused"``.
    state: Optional[str]
    #: ``NotifyConfig``, None when the queue has none.
    notify_config: Optional[NotifyConfig]
    #: ``MaxSize``: the queue's maximum length.
    max_size: Optional[int]
    #: ``MaxConcurrent``: jobs run in parallel.
    max_concurrent: Optional[int]
    #: ``Category``, e.g. ``"AIProcess"``.
    category: Optional[str]
    #: ``UpdateTime``, as the service wrote it.
    update_time: Optional[str]
    #: ``CreateTime``, as the service wrote it.
    create_time: Optional[str]


@dataclass(frozen=True)
class AiQueuePage:
    """One page of DescribeAiProcessQueues. Asked with ``queue_ids``, the
    service sends no paging fields: `total_count`, `page_number` and
    `page_size` are then None."""

    #: ``RequestId``.
    request_id: Optional[str]
    #: ``TotalCount``.
    total_count: Optional[int]
    #: ``PageNumber``.
    page_number: Optional[int]
    #: ``PageSize``.
    page_size: Optional[int]
    #: The queues of this page.
    queues: Tuple[AiQueue, ...]
    #: ``NonExistPIDs``: requested queue ids that do not exist.
    non_exist_pids: Tuple[str, ...]


@dataclass(frozen=True)
class Signature:
    """A request signature made by `sign`, with the intermediate strings
    (useful to compare with what a server says it expected)."""

    # Left out of repr() so that logging a Signature never logs a usable
    # Authorization.
    #: The ``Authorization`` header value.
    authorization: str = field(repr=False)
    #: ``q-signature``: 40 lowercase hex digits.
    signature: str = field(repr=False)
    #: ``q-header-list``: the signed header names, ``;``-separated.
    header_list: str
    #: ``q-url-param-list``: the signed parameter names, ``;``-separated.
    param_list: str
    #: The canonical request that was hashed (``HttpString``).
    http_string: str
    #: ``StringToSign``.
    string_to_sign: str
