from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Band(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BAND_UNSPECIFIED: _ClassVar[Band]
    BAND_MATCH: _ClassVar[Band]
    BAND_REVIEW: _ClassVar[Band]

class PartyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTY_KIND_UNSPECIFIED: _ClassVar[PartyKind]
    PARTY_KIND_PERSON: _ClassVar[PartyKind]
    PARTY_KIND_ORGANIZATION: _ClassVar[PartyKind]
    PARTY_KIND_VESSEL: _ClassVar[PartyKind]

class EntryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ENTRY_KIND_UNSPECIFIED: _ClassVar[EntryKind]
    ENTRY_KIND_PERSON: _ClassVar[EntryKind]
    ENTRY_KIND_ORGANIZATION: _ClassVar[EntryKind]
    ENTRY_KIND_VESSEL: _ClassVar[EntryKind]
    ENTRY_KIND_DOCUMENT: _ClassVar[EntryKind]
BAND_UNSPECIFIED: Band
BAND_MATCH: Band
BAND_REVIEW: Band
PARTY_KIND_UNSPECIFIED: PartyKind
PARTY_KIND_PERSON: PartyKind
PARTY_KIND_ORGANIZATION: PartyKind
PARTY_KIND_VESSEL: PartyKind
ENTRY_KIND_UNSPECIFIED: EntryKind
ENTRY_KIND_PERSON: EntryKind
ENTRY_KIND_ORGANIZATION: EntryKind
ENTRY_KIND_VESSEL: EntryKind
ENTRY_KIND_DOCUMENT: EntryKind

class TravelDocument(_message.Message):
    __slots__ = ("number", "type", "country", "expires", "mrz")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_FIELD_NUMBER: _ClassVar[int]
    MRZ_FIELD_NUMBER: _ClassVar[int]
    number: str
    type: str
    country: str
    expires: str
    mrz: str
    def __init__(self, number: _Optional[str] = ..., type: _Optional[str] = ..., country: _Optional[str] = ..., expires: _Optional[str] = ..., mrz: _Optional[str] = ...) -> None: ...

class Passenger(_message.Message):
    __slots__ = ("id", "name", "surname", "given_names", "birth_date", "nationality", "sex", "documents", "address", "country", "kind")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SURNAME_FIELD_NUMBER: _ClassVar[int]
    GIVEN_NAMES_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATE_FIELD_NUMBER: _ClassVar[int]
    NATIONALITY_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    COUNTRY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    surname: str
    given_names: str
    birth_date: str
    nationality: str
    sex: str
    documents: _containers.RepeatedCompositeFieldContainer[TravelDocument]
    address: str
    country: str
    kind: PartyKind
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., surname: _Optional[str] = ..., given_names: _Optional[str] = ..., birth_date: _Optional[str] = ..., nationality: _Optional[str] = ..., sex: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[TravelDocument, _Mapping]]] = ..., address: _Optional[str] = ..., country: _Optional[str] = ..., kind: _Optional[_Union[PartyKind, str]] = ...) -> None: ...

class Hit(_message.Message):
    __slots__ = ("entry_id", "list_id", "list_version", "score", "band", "matched_name", "features", "explanation")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    list_id: str
    list_version: str
    score: float
    band: Band
    matched_name: str
    features: _containers.ScalarMap[str, float]
    explanation: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entry_id: _Optional[str] = ..., list_id: _Optional[str] = ..., list_version: _Optional[str] = ..., score: _Optional[float] = ..., band: _Optional[_Union[Band, str]] = ..., matched_name: _Optional[str] = ..., features: _Optional[_Mapping[str, float]] = ..., explanation: _Optional[_Iterable[str]] = ...) -> None: ...

class PassengerResult(_message.Message):
    __slots__ = ("index", "passenger_id", "hits", "errors")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    PASSENGER_ID_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    index: int
    passenger_id: str
    hits: _containers.RepeatedCompositeFieldContainer[Hit]
    errors: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, index: _Optional[int] = ..., passenger_id: _Optional[str] = ..., hits: _Optional[_Iterable[_Union[Hit, _Mapping]]] = ..., errors: _Optional[_Iterable[str]] = ...) -> None: ...

class DocumentHit(_message.Message):
    __slots__ = ("entry_id", "list_id", "list_version", "score", "band", "matched_number", "features", "explanation")
    class FeaturesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    MATCHED_NUMBER_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    list_id: str
    list_version: str
    score: float
    band: Band
    matched_number: str
    features: _containers.ScalarMap[str, float]
    explanation: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, entry_id: _Optional[str] = ..., list_id: _Optional[str] = ..., list_version: _Optional[str] = ..., score: _Optional[float] = ..., band: _Optional[_Union[Band, str]] = ..., matched_number: _Optional[str] = ..., features: _Optional[_Mapping[str, float]] = ..., explanation: _Optional[_Iterable[str]] = ...) -> None: ...

class Entry(_message.Message):
    __slots__ = ("id", "kind", "names", "weak_names", "birth_dates", "nationalities", "countries", "sex", "documents", "addresses", "list_id", "program", "remarks", "listed_on")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    NAMES_FIELD_NUMBER: _ClassVar[int]
    WEAK_NAMES_FIELD_NUMBER: _ClassVar[int]
    BIRTH_DATES_FIELD_NUMBER: _ClassVar[int]
    NATIONALITIES_FIELD_NUMBER: _ClassVar[int]
    COUNTRIES_FIELD_NUMBER: _ClassVar[int]
    SEX_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    LIST_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    REMARKS_FIELD_NUMBER: _ClassVar[int]
    LISTED_ON_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: EntryKind
    names: _containers.RepeatedScalarFieldContainer[str]
    weak_names: _containers.RepeatedScalarFieldContainer[str]
    birth_dates: _containers.RepeatedScalarFieldContainer[str]
    nationalities: _containers.RepeatedScalarFieldContainer[str]
    countries: _containers.RepeatedScalarFieldContainer[str]
    sex: str
    documents: _containers.RepeatedCompositeFieldContainer[TravelDocument]
    addresses: _containers.RepeatedScalarFieldContainer[str]
    list_id: str
    program: str
    remarks: str
    listed_on: str
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[_Union[EntryKind, str]] = ..., names: _Optional[_Iterable[str]] = ..., weak_names: _Optional[_Iterable[str]] = ..., birth_dates: _Optional[_Iterable[str]] = ..., nationalities: _Optional[_Iterable[str]] = ..., countries: _Optional[_Iterable[str]] = ..., sex: _Optional[str] = ..., documents: _Optional[_Iterable[_Union[TravelDocument, _Mapping]]] = ..., addresses: _Optional[_Iterable[str]] = ..., list_id: _Optional[str] = ..., program: _Optional[str] = ..., remarks: _Optional[str] = ..., listed_on: _Optional[str] = ...) -> None: ...
