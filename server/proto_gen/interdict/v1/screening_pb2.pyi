from server.proto_gen.interdict.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PartyRole(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_ROLE_UNSPECIFIED: _ClassVar[PartyRole]
    PARTY_ROLE_SHIPPER: _ClassVar[PartyRole]
    PARTY_ROLE_CONSIGNEE: _ClassVar[PartyRole]
    PARTY_ROLE_NOTIFY_PARTY: _ClassVar[PartyRole]

class MessageFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MESSAGE_FORMAT_UNSPECIFIED: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_PAXLST: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_PNRGOV: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_MRZ: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_FWB: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_FHL: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_XFWB: _ClassVar[MessageFormat]
    MESSAGE_FORMAT_XFZB: _ClassVar[MessageFormat]
PARTY_ROLE_UNSPECIFIED: PartyRole
PARTY_ROLE_SHIPPER: PartyRole
PARTY_ROLE_CONSIGNEE: PartyRole
PARTY_ROLE_NOTIFY_PARTY: PartyRole
MESSAGE_FORMAT_UNSPECIFIED: MessageFormat
MESSAGE_FORMAT_PAXLST: MessageFormat
MESSAGE_FORMAT_PNRGOV: MessageFormat
MESSAGE_FORMAT_MRZ: MessageFormat
MESSAGE_FORMAT_FWB: MessageFormat
MESSAGE_FORMAT_FHL: MessageFormat
MESSAGE_FORMAT_XFWB: MessageFormat
MESSAGE_FORMAT_XFZB: MessageFormat

class ScreenPassengersRequest(_message.Message):
    __slots__ = ("passengers", "limit", "threshold")
    PASSENGERS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    passengers: _containers.RepeatedCompositeFieldContainer[_common_pb2.Passenger]
    limit: int
    threshold: float
    def __init__(self, passengers: _Optional[_Iterable[_Union[_common_pb2.Passenger, _Mapping]]] = ..., limit: _Optional[int] = ..., threshold: _Optional[float] = ...) -> None: ...

class ScreenPassengersResponse(_message.Message):
    __slots__ = ("results", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_common_pb2.PassengerResult]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, results: _Optional[_Iterable[_Union[_common_pb2.PassengerResult, _Mapping]]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ScreenPassengerStreamRequest(_message.Message):
    __slots__ = ("passenger", "limit", "threshold", "passengers")
    PASSENGER_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PASSENGERS_FIELD_NUMBER: _ClassVar[int]
    passenger: _common_pb2.Passenger
    limit: int
    threshold: float
    passengers: _containers.RepeatedCompositeFieldContainer[_common_pb2.Passenger]
    def __init__(self, passenger: _Optional[_Union[_common_pb2.Passenger, _Mapping]] = ..., limit: _Optional[int] = ..., threshold: _Optional[float] = ..., passengers: _Optional[_Iterable[_Union[_common_pb2.Passenger, _Mapping]]] = ...) -> None: ...

class ScreenPassengerStreamResponse(_message.Message):
    __slots__ = ("result", "list_versions", "results")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESULT_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    result: _common_pb2.PassengerResult
    list_versions: _containers.ScalarMap[str, str]
    results: _containers.RepeatedCompositeFieldContainer[_common_pb2.PassengerResult]
    def __init__(self, result: _Optional[_Union[_common_pb2.PassengerResult, _Mapping]] = ..., list_versions: _Optional[_Mapping[str, str]] = ..., results: _Optional[_Iterable[_Union[_common_pb2.PassengerResult, _Mapping]]] = ...) -> None: ...

class Party(_message.Message):
    __slots__ = ("name", "address", "country", "kind")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    name: str
    address: str
    country: str
    kind: _common_pb2.PartyKind
    def __init__(self, name: _Optional[str] = ..., address: _Optional[str] = ..., country: _Optional[str] = ..., kind: _Optional[_Union[_common_pb2.PartyKind, str]] = ...) -> None: ...

class Shipment(_message.Message):
    __slots__ = ("id", "air_waybill", "shipper", "consignee", "notify_party")
    ID_FIELD_NUMBER: _ClassVar[int]
    AIR_WAYBILL_FIELD_NUMBER: _ClassVar[int]
    SHIPPER_FIELD_NUMBER: _ClassVar[int]
    CONSIGNEE_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_PARTY_FIELD_NUMBER: _ClassVar[int]
    id: str
    air_waybill: str
    shipper: Party
    consignee: Party
    notify_party: Party
    def __init__(self, id: _Optional[str] = ..., air_waybill: _Optional[str] = ..., shipper: _Optional[_Union[Party, _Mapping]] = ..., consignee: _Optional[_Union[Party, _Mapping]] = ..., notify_party: _Optional[_Union[Party, _Mapping]] = ...) -> None: ...

class ScreenShipmentsRequest(_message.Message):
    __slots__ = ("shipments", "limit", "threshold")
    SHIPMENTS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    shipments: _containers.RepeatedCompositeFieldContainer[Shipment]
    limit: int
    threshold: float
    def __init__(self, shipments: _Optional[_Iterable[_Union[Shipment, _Mapping]]] = ..., limit: _Optional[int] = ..., threshold: _Optional[float] = ...) -> None: ...

class PartyResult(_message.Message):
    __slots__ = ("role", "name", "hits")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    role: PartyRole
    name: str
    hits: _containers.RepeatedCompositeFieldContainer[_common_pb2.Hit]
    def __init__(self, role: _Optional[_Union[PartyRole, str]] = ..., name: _Optional[str] = ..., hits: _Optional[_Iterable[_Union[_common_pb2.Hit, _Mapping]]] = ...) -> None: ...

class ShipmentResult(_message.Message):
    __slots__ = ("index", "shipment_id", "air_waybill", "parties")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    SHIPMENT_ID_FIELD_NUMBER: _ClassVar[int]
    AIR_WAYBILL_FIELD_NUMBER: _ClassVar[int]
    PARTIES_FIELD_NUMBER: _ClassVar[int]
    index: int
    shipment_id: str
    air_waybill: str
    parties: _containers.RepeatedCompositeFieldContainer[PartyResult]
    def __init__(self, index: _Optional[int] = ..., shipment_id: _Optional[str] = ..., air_waybill: _Optional[str] = ..., parties: _Optional[_Iterable[_Union[PartyResult, _Mapping]]] = ...) -> None: ...

class ScreenShipmentsResponse(_message.Message):
    __slots__ = ("results", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[ShipmentResult]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, results: _Optional[_Iterable[_Union[ShipmentResult, _Mapping]]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CheckDocumentsRequest(_message.Message):
    __slots__ = ("documents", "threshold")
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    documents: _containers.RepeatedCompositeFieldContainer[_common_pb2.TravelDocument]
    threshold: float
    def __init__(self, documents: _Optional[_Iterable[_Union[_common_pb2.TravelDocument, _Mapping]]] = ..., threshold: _Optional[float] = ...) -> None: ...

class DocumentResult(_message.Message):
    __slots__ = ("index", "hits")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    index: int
    hits: _containers.RepeatedCompositeFieldContainer[_common_pb2.DocumentHit]
    def __init__(self, index: _Optional[int] = ..., hits: _Optional[_Iterable[_Union[_common_pb2.DocumentHit, _Mapping]]] = ...) -> None: ...

class CheckDocumentsResponse(_message.Message):
    __slots__ = ("results", "list_versions")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[DocumentResult]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, results: _Optional[_Iterable[_Union[DocumentResult, _Mapping]]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ScreenMessageRequest(_message.Message):
    __slots__ = ("content", "format", "limit", "threshold")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    format: MessageFormat
    limit: int
    threshold: float
    def __init__(self, content: _Optional[bytes] = ..., format: _Optional[_Union[MessageFormat, str]] = ..., limit: _Optional[int] = ..., threshold: _Optional[float] = ...) -> None: ...

class ScreenMessageResponse(_message.Message):
    __slots__ = ("results", "list_versions", "warnings")
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[_common_pb2.PassengerResult]
    list_versions: _containers.ScalarMap[str, str]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, results: _Optional[_Iterable[_Union[_common_pb2.PassengerResult, _Mapping]]] = ..., list_versions: _Optional[_Mapping[str, str]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class ExplainMatchRequest(_message.Message):
    __slots__ = ("passenger", "list_id", "entry_id")
    PASSENGER_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    passenger: _common_pb2.Passenger
    list_id: str
    entry_id: str
    def __init__(self, passenger: _Optional[_Union[_common_pb2.Passenger, _Mapping]] = ..., list_id: _Optional[str] = ..., entry_id: _Optional[str] = ...) -> None: ...

class ExplainMatchResponse(_message.Message):
    __slots__ = ("list_id", "list_version", "entry_id", "score", "band", "matched_name", "features", "explanation", "list_versions")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ListVersionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    list_id: str
    list_version: str
    entry_id: str
    score: float
    band: _common_pb2.Band
    matched_name: str
    features: _containers.ScalarMap[str, float]
    explanation: _containers.RepeatedScalarFieldContainer[str]
    list_versions: _containers.ScalarMap[str, str]
    def __init__(self, list_id: _Optional[str] = ..., list_version: _Optional[str] = ..., entry_id: _Optional[str] = ..., score: _Optional[float] = ..., band: _Optional[_Union[_common_pb2.Band, str]] = ..., matched_name: _Optional[str] = ..., features: _Optional[_Mapping[str, float]] = ..., explanation: _Optional[_Iterable[str]] = ..., list_versions: _Optional[_Mapping[str, str]] = ...) -> None: ...
