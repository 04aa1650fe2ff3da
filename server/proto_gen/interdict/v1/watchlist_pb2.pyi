from server.proto_gen.interdict.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VersionInfo(_message.Message):
    __slots__ = ("list_id", "version", "rows", "checksum", "change", "parent", "created_at", "source_name", "source_format", "skipped", "active")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    CHECKSUM_FIELD_NUMBER: _ClassVar[int]
    CHANGE_FIELD_NUMBER: _ClassVar[int]
    PARENT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FORMAT_FIELD_NUMBER: _ClassVar[int]
    SKIPPED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    version: str
    rows: int
    checksum: str
    change: str
    parent: str
    created_at: str
    source_name: str
    source_format: str
    skipped: int
    active: bool
    def __init__(self, list_id: _Optional[str] = ..., version: _Optional[str] = ..., rows: _Optional[int] = ..., checksum: _Optional[str] = ..., change: _Optional[str] = ..., parent: _Optional[str] = ..., created_at: _Optional[str] = ..., source_name: _Optional[str] = ..., source_format: _Optional[str] = ..., skipped: _Optional[int] = ..., active: _Optional[bool] = ...) -> None: ...

class ImportListRequest(_message.Message):
    __slots__ = ("list_id", "format", "file_name", "skip_bad", "chunk")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    FILE_NAME_FIELD_NUMBER: _ClassVar[int]
    SKIP_BAD_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    format: str
    file_name: str
    skip_bad: bool
    chunk: bytes
    def __init__(self, list_id: _Optional[str] = ..., format: _Optional[str] = ..., file_name: _Optional[str] = ..., skip_bad: _Optional[bool] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class ImportListResponse(_message.Message):
    __slots__ = ("version", "created", "problems", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    version: VersionInfo
    created: bool
    problems: _containers.RepeatedScalarFieldContainer[str]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, version: _Optional[_Union[VersionInfo, _Mapping]] = ..., created: _Optional[bool] = ..., problems: _Optional[_Iterable[str]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class UpsertEntriesRequest(_message.Message):
    __slots__ = ("list_id", "entries")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    entries: _containers.RepeatedCompositeFieldContainer[_common_pb2.Entry]
    def __init__(self, list_id: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[_common_pb2.Entry, _Mapping]]] = ...) -> None: ...

class UpsertEntriesResponse(_message.Message):
    __slots__ = ("version", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    version: VersionInfo
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, version: _Optional[_Union[VersionInfo, _Mapping]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DeleteEntriesRequest(_message.Message):
    __slots__ = ("list_id", "entry_ids")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_IDS_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    entry_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, list_id: _Optional[str] = ..., entry_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class DeleteEntriesResponse(_message.Message):
    __slots__ = ("version", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    version: VersionInfo
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, version: _Optional[_Union[VersionInfo, _Mapping]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListWatchlistsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchlistInfo(_message.Message):
    __slots__ = ("list_id", "version", "entries", "stored")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    STORED_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    version: str
    entries: int
    stored: bool
    def __init__(self, list_id: _Optional[str] = ..., version: _Optional[str] = ..., entries: _Optional[int] = ..., stored: _Optional[bool] = ...) -> None: ...

class ListWatchlistsResponse(_message.Message):
    __slots__ = ("watchlists", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    WATCHLISTS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    watchlists: _containers.RepeatedCompositeFieldContainer[WatchlistInfo]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, watchlists: _Optional[_Iterable[_Union[WatchlistInfo, _Mapping]]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetEntryRequest(_message.Message):
    __slots__ = ("list_id", "entry_id")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    entry_id: str
    def __init__(self, list_id: _Optional[str] = ..., entry_id: _Optional[str] = ...) -> None: ...

class GetEntryResponse(_message.Message):
    __slots__ = ("entry", "list_version", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    entry: _common_pb2.Entry
    list_version: str
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, entry: _Optional[_Union[_common_pb2.Entry, _Mapping]] = ..., list_version: _Optional[str] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListVersionsRequest(_message.Message):
    __slots__ = ("list_id",)
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    def __init__(self, list_id: _Optional[str] = ...) -> None: ...

class ListVersionsResponse(_message.Message):
    __slots__ = ("versions", "active_version", "list_versions", "serving_version")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_VERSION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    SERVING_VERSION_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[VersionInfo]
    active_version: str
    list_versions: _containers.ScalarMap[str, str]
    serving_version: str
    def __init__(self, versions: _Optional[_Iterable[_Union[VersionInfo, _Mapping]]] = ..., active_version: _Optional[str] = ..., list_versions: _Optional[_Mapping[str, str]] = ..., serving_version: _Optional[str] = ...) -> None: ...

class ActivateVersionRequest(_message.Message):
    __slots__ = ("list_id", "version")
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    version: str
    def __init__(self, list_id: _Optional[str] = ..., version: _Optional[str] = ...) -> None: ...

class ActivateVersionResponse(_message.Message):
    __slots__ = ("version", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    VERSION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    version: VersionInfo
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, version: _Optional[_Union[VersionInfo, _Mapping]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...
