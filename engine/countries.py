"""Country names and codes as sanctions lists and travel data write them, folded to ISO 3166-1 alpha-2.

Lists name countries in prose ("Iran (Islamic Republic of)", "Democratic People's Republic of Korea",
"Türkiye"); passenger data uses alpha-3; the engine compares codes. pycountry would do this but is
LGPL, so the table below (plain ISO 3166-1 facts) is our own.
"""

from __future__ import annotations

import re
import unicodedata

# alpha-2, alpha-3, English short name (ISO 3166-1, all 249 officially assigned codes).
_ISO = """
AD AND Andorra
AE ARE United Arab Emirates
AF AFG Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania
AM ARM Armenia
AO AGO Angola
AQ ATA Antarctica
AR ARG Argentina
AS ASM American Samoa
AT AUT Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan
BA BIH Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh
BE BEL Belgium
BF BFA Burkina Faso
BG BGR Bulgaria
BH BHR Bahrain
BI BDI Burundi
BJ BEN Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam
BO BOL Bolivia (Plurinational State of)
BQ BES Bonaire, Sint Eustatius and Saba
BR BRA Brazil
BS BHS Bahamas
BT BTN Bhutan
BV BVT Bouvet Island
BW BWA Botswana
BY BLR Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands
CD COD Democratic Republic of the Congo
CF CAF Central African Republic
CG COG Congo
CH CHE Switzerland
CI CIV Côte d'Ivoire
CK COK Cook Islands
CL CHL Chile
CM CMR Cameroon
CN CHN China
CO COL Colombia
CR CRI Costa Rica
CU CUB Cuba
CV CPV Cabo Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus
CZ CZE Czechia
DE DEU Germany
DJ DJI Djibouti
DK DNK Denmark
DM DMA Dominica
DO DOM Dominican Republic
DZ DZA Algeria
EC ECU Ecuador
EE EST Estonia
EG EGY Egypt
EH ESH Western Sahara
ER ERI Eritrea
ES ESP Spain
ET ETH Ethiopia
FI FIN Finland
FJ FJI Fiji
FK FLK Falkland Islands (Malvinas)
FM FSM Micronesia (Federated States of)
FO FRO Faroe Islands
FR FRA France
GA GAB Gabon
GB GBR United Kingdom of Great Britain and Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia
GN GIN Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea
GR GRC Greece
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala
GU GUM Guam
GW GNB Guinea-Bissau
GY GUY Guyana
HK HKG Hong Kong
HM HMD Heard Island and McDonald Islands
HN HND Honduras
HR HRV Croatia
HT HTI Haiti
HU HUN Hungary
ID IDN Indonesia
IE IRL Ireland
IL ISR Israel
IM IMN Isle of Man
IN IND India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq
IR IRN Iran (Islamic Republic of)
IS ISL Iceland
IT ITA Italy
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan
JP JPN Japan
KE KEN Kenya
KG KGZ Kyrgyzstan
KH KHM Cambodia
KI KIR Kiribati
KM COM Comoros
KN KNA Saint Kitts and Nevis
KP PRK Democratic People's Republic of Korea
KR KOR Republic of Korea
KW KWT Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan
LA LAO Lao People's Democratic Republic
LB LBN Lebanon
LC LCA Saint Lucia
LI LIE Liechtenstein
LK LKA Sri Lanka
LR LBR Liberia
LS LSO Lesotho
LT LTU Lithuania
LU LUX Luxembourg
LV LVA Latvia
LY LBY Libya
MA MAR Morocco
MC MCO Monaco
MD MDA Republic of Moldova
ME MNE Montenegro
MF MAF Saint Martin (French part)
MG MDG Madagascar
MH MHL Marshall Islands
MK MKD North Macedonia
ML MLI Mali
MM MMR Myanmar
MN MNG Mongolia
MO MAC Macao
MP MNP Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania
MS MSR Montserrat
MT MLT Malta
MU MUS Mauritius
MV MDV Maldives
MW MWI Malawi
MX MEX Mexico
MY MYS Malaysia
MZ MOZ Mozambique
NA NAM Namibia
NC NCL New Caledonia
NE NER Niger
NF NFK Norfolk Island
NG NGA Nigeria
NI NIC Nicaragua
NL NLD Netherlands
NO NOR Norway
NP NPL Nepal
NR NRU Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman
PA PAN Panama
PE PER Peru
PF PYF French Polynesia
PG PNG Papua New Guinea
PH PHL Philippines
PK PAK Pakistan
PL POL Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn
PR PRI Puerto Rico
PS PSE State of Palestine
PT PRT Portugal
PW PLW Palau
PY PRY Paraguay
QA QAT Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia
RU RUS Russian Federation
RW RWA Rwanda
SA SAU Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles
SD SDN Sudan
SE SWE Sweden
SG SGP Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha
SI SVN Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia
SL SLE Sierra Leone
SM SMR San Marino
SN SEN Senegal
SO SOM Somalia
SR SUR Suriname
SS SSD South Sudan
ST STP Sao Tome and Principe
SV SLV El Salvador
SX SXM Sint Maarten (Dutch part)
SY SYR Syrian Arab Republic
SZ SWZ Eswatini
TC TCA Turks and Caicos Islands
TD TCD Chad
TF ATF French Southern Territories
TG TGO Togo
TH THA Thailand
TJ TJK Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste
TM TKM Turkmenistan
TN TUN Tunisia
TO TON Tonga
TR TUR Türkiye
TT TTO Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan, Province of China
TZ TZA United Republic of Tanzania
UA UKR Ukraine
UG UGA Uganda
UM UMI United States Minor Outlying Islands
US USA United States of America
UY URY Uruguay
UZ UZB Uzbekistan
VA VAT Holy See
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela (Bolivarian Republic of)
VG VGB Virgin Islands (British)
VI VIR Virgin Islands (U.S.)
VN VNM Viet Nam
VU VUT Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa
YE YEM Yemen
YT MYT Mayotte
ZA ZAF South Africa
ZM ZMB Zambia
ZW ZWE Zimbabwe
"""

# Not in ISO 3166-1 but used by the EU, UK, Interpol and many passport issuers.
_USER_ASSIGNED = """
XK XKX Kosovo
"""

# Other spellings seen in sanctions lists and travel data: "variant|alpha-2". Punctuation, case,
# diacritics, a leading "the" and "St"/"Saint" need no entry (see _key). Former states (Soviet
# Union, Yugoslavia, Serbia and Montenegro, Czechoslovakia) are deliberately absent: they have no
# single present-day code, so to_iso2 returns None for them.
_VARIANTS = """
Bolivia|BO
Plurinational State of Bolivia|BO
Bosnia-Herzegovina|BA
Bosnia and Herzegowina|BA
Brunei|BN
Cape Verde|CV
Cocos Islands|CC
Democratic Republic of Congo|CD
Congo, Democratic Republic of the|CD
Congo, The Democratic Republic of the|CD
Congo, Democratic Republic of|CD
Congo (Democratic Republic)|CD
DR Congo|CD
DRC|CD
Congo-Kinshasa|CD
Zaire|CD
Republic of the Congo|CG
Congo, Republic of the|CG
Congo-Brazzaville|CG
Congo, People's Republic of|CG
Ivory Coast|CI
Cote d Ivoire|CI
People's Republic of China|CN
Czech Republic|CZ
Falkland Islands|FK
Micronesia|FM
Faeroe Islands|FO
United Kingdom|GB
UK|GB
Great Britain|GB
Britain|GB
England|GB
Scotland|GB
Wales|GB
Northern Ireland|GB
China, Hong Kong Special Administrative Region|HK
Hong Kong SAR|HK
Hong Kong, China|HK
Hong Kong Special Administrative Region of China|HK
Iran|IR
Islamic Republic of Iran|IR
Iran, Islamic Republic of|IR
Kyrgyz Republic|KG
St Kitts and Nevis|KN
Saint Christopher and Nevis|KN
North Korea|KP
Korea, North|KP
Korea, Democratic People's Republic of|KP
DPRK|KP
DPR Korea|KP
South Korea|KR
Korea, South|KR
Korea, Republic of|KR
Laos|LA
Lao PDR|LA
Libyan Arab Jamahiriya|LY
Great Socialist People's Libyan Arab Jamahiriya|LY
Moldova|MD
Moldova, Republic of|MD
Saint Martin|MF
Macedonia|MK
Republic of North Macedonia|MK
The former Yugoslav Republic of Macedonia|MK
Macedonia, The Former Yugoslav Republic of|MK
Burma|MM
China, Macao Special Administrative Region|MO
Macau|MO
Macao Special Administrative Region of China|MO
Netherlands (Kingdom of the)|NL
Kingdom of the Netherlands|NL
Holland|NL
Pitcairn Islands|PN
Palestine|PS
Palestinian|PS
Palestine, State of|PS
Occupied Palestinian Territory|PS
Palestinian Territory, Occupied|PS
Palestinian Territories|PS
West Bank|PS
Gaza|PS
Gaza Strip|PS
Russia|RU
Kingdom of Saudi Arabia|SA
Saint Helena|SH
Slovak Republic|SK
Sint Maarten|SX
Syria|SY
Swaziland|SZ
East Timor|TL
Turkey|TR
Republic of Türkiye|TR
Taiwan|TW
Republic of China|TW
Chinese Taipei|TW
Tanzania|TZ
Tanzania, United Republic of|TZ
United States|US
U.S.A.|US
Holy See (Vatican City State)|VA
Vatican|VA
Vatican City|VA
Venezuela|VE
Bolivarian Republic of Venezuela|VE
British Virgin Islands|VG
Virgin Islands, British|VG
US Virgin Islands|VI
United States Virgin Islands|VI
Virgin Islands, U.S.|VI
Virgin Islands of the United States|VI
Vietnam|VN
Wallis and Futuna Islands|WF
United Arab Emirates|AE
UAE|AE
Argentine Republic|AR
Swiss Confederation|CH
French Republic|FR
Gabonese Republic|GA
Hellenic Republic|GR
Italian Republic|IT
Lebanese Republic|LB
United Mexican States|MX
Portuguese Republic|PT
Rwandese Republic|RW
Togolese Republic|TG
RKS|XK
"""

# "Republic of X", "Kingdom of the X", "Federal Democratic Republic of X": official long forms,
# tried only after the exact lookup (so "Republic of Korea" and "Republic of China" stay explicit).
_STATE_FORM = re.compile(
    r"^(?:(?:federal|federated|democratic|islamic|peoples|socialist|arab|hashemite|grand|independent"
    r"|united|eastern|federative|bolivarian|plurinational|cooperative)\s+)*"
    r"(?:republic|kingdom|state|states|principality|duchy|sultanate|commonwealth|union|confederation)"
    r"\s+of\s+(?:the\s+)?(.+)$"
)
_PARENTHESES = re.compile(r"\([^()]*\)")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ."), None)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _key(value: str) -> str:
    """Lookup key: no diacritics or case, '&' as 'and', apostrophes and periods dropped (so
    "People’s" = "Peoples", "U.S." = "US"), other punctuation as spaces, no leading "the",
    "st" read as "saint"."""
    s = unicodedata.normalize("NFKD", value)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = s.replace("&", " and ").translate(_APOSTROPHES)
    words = _NON_ALNUM.sub(" ", s).split()
    if words[:1] == ["the"]:
        words = words[1:]
    if words[-1:] == ["the"]:  # "Bahamas, The"
        words = words[:-1]
    return " ".join("saint" if w == "st" else w for w in words)


def _rows(table: str) -> list[tuple[str, str, str]]:
    return [(line[:2], line[3:6], line[7:]) for line in table.strip().splitlines()]


#: alpha-2 -> English short name (ISO 3166-1 plus XK Kosovo).
COUNTRY_NAMES: dict[str, str] = {a2: name for a2, _, name in _rows(_ISO) + _rows(_USER_ASSIGNED)}
#: alpha-3 -> alpha-2.
ALPHA3_TO_ALPHA2: dict[str, str] = {a3: a2 for a2, a3, _ in _rows(_ISO) + _rows(_USER_ASSIGNED)}
#: lookup key (see _key) of every known name or variant -> alpha-2.
NAME_TO_ALPHA2: dict[str, str] = {_key(name): a2 for a2, name in COUNTRY_NAMES.items()}
NAME_TO_ALPHA2.update(
    (_key(variant), a2) for variant, a2 in (line.rsplit("|", 1) for line in _VARIANTS.strip().splitlines())
)


# ICAO Doc 9303 codes that are not ISO 3166-1 but name a state (D: Germany; GBD/GBN/GBO/GBP/GBS:
# British nationals of several kinds). XXA/XXB/XXC/XXX (stateless, refugees, unspecified) and the
# UN codes UNO/UNA/UNK name no state, so they stay unknown.
MRZ_CODES: dict[str, str] = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB"}


def to_iso2(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-2 or alpha-3 code or a country name, in any case and with or
    without diacritics; None when empty or unknown (including former states such as the Soviet Union).

    >>> to_iso2("Iran (Islamic Republic of)"), to_iso2("tur"), to_iso2("cote d'ivoire")
    ('IR', 'TR', 'CI')
    """
    if not value or not value.strip():
        return None
    code = value.strip().upper()
    if code in COUNTRY_NAMES:
        return code
    if code in ALPHA3_TO_ALPHA2:
        return ALPHA3_TO_ALPHA2[code]
    if code in MRZ_CODES:
        return MRZ_CODES[code]
    key = _key(value)
    if key in NAME_TO_ALPHA2:
        return NAME_TO_ALPHA2[key]
    m = _STATE_FORM.match(key)
    if m and m.group(1) in NAME_TO_ALPHA2:
        return NAME_TO_ALPHA2[m.group(1)]
    # A remark in brackets: "Myanmar (Burma)", "Congo, Democratic Republic of (was Zaire)". Tried last,
    # after the explicit variants, so "Congo (Kinshasa)" cannot fall back to plain "Congo".
    bare = _PARENTHESES.sub(" ", value)
    return NAME_TO_ALPHA2.get(_key(bare)) if bare != value else None


def same_country(a: str, b: str) -> bool:
    """Whether two codes or names denote the same country; values that map to no country compare
    as written (so XXA equals XXA)."""
    ia, ib = to_iso2(a), to_iso2(b)
    if ia and ib:
        return ia == ib
    return a.strip().upper() == b.strip().upper()
