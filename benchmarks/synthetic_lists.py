"""Seeded synthetic watchlists for benchmarks and tests: a stolen/lost travel-document list (SLTD-style
CSV, read by watchlists.sltd) and a national person list (CSV + mapping file, read by watchlists.mapped).

No public stolen-document list exists (../shared/data/README.md), so document numbers follow made-up but
realistic formats per issuing country (9-character passports, German ``C`` + 8 of ``CFGHJKLMNPRTVWXYZ`` and
digits, French ``12AB34567``, ...). Names come from pools drawn from the Febrl 0.4.2 name lookup tables
(ANU Open Source Licence 1.3, copyable per ../shared/data/README.md), embedded below so that a seed gives
the same bytes on every machine, with or without ../shared/data.

    python benchmarks/synthetic_lists.py sltd OUT.csv --rows 100000000 --seed 0
    python benchmarks/synthetic_lists.py persons OUT.csv --rows 1000000 [--mapping OUT.toml]

Both writers stream: the SLTD writer builds each chunk of rows as a numpy byte matrix (one row of fixed
width per line, padding removed at the end), so memory stays at one chunk whatever the row count.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import sys
import time
from pathlib import Path

import numpy as np

from engine.countries import ALPHA3_TO_ALPHA2, COUNTRY_NAMES

__all__ = ["SLTD_HEADER", "write_mapping", "write_person_list_csv", "write_sltd_csv"]

_POOLS = {  # culture: (nationalities, surnames, male given names, female given names)
    "ARA": (
        "SA EG SY IQ JO LB YE LY SD",
        "Aabidah Abdel Afsa Alghanim Amena Arfa Atiqah Balqis Bushra Elamin Fareeha Firdous Hafsah Hayam Huma Iraj Jasmin Kas Kunza Madihah Manhalah Mehjabeen Muazah Nabijah Najmah Nawar Nimah Osman Rafia Reeham Rumaisa Safiyyah Samaira Seerat Shajeeah Shazneen Soraiya Suraiya Tharya Wahabah",
        "Aaban Abdulfattah Abdurrashid Amjad Bahjat Faateer Ghadhanfar Hayaat Ismah Karaamat Lutfi Misid Murabbi Najm Qabeel Rizwan Saqib Shamsideen Tajudinn Wahid",
        "Aabidah Abed Aminah Ayska Burdah Faraza Hadeeqa Ibraheem Jawharah Kuhaylah Maqbul Muin Nashirah Numa Rajiyah Saeedah Sayyida Shazia Tabassum Wahidah",
    ),
    "PAK": (
        "PK",
        "Aagari Afshar Andarwi Awan Baloch Barhai Bhashani Bizenjo Brahui Burdi Chandio Chib Chunhar Daur Djiskani Drishak Gangrel Ghori Goshra Gurshani Hiraj Hussaini Jaat Jamilie Jilani Julaha Kamboh Karrani Khansama Khatik Khoja Kiani Lageto Lakhra Malekhel Mihrani Muhammad Nurkhel Qasrani Rind",
        "Agha Altaf Anwar Arsalan Asif Ayaz Bashir Chaudhry Ejaz Hasnain Irshad Jamshed Javed Khan Khawaja Maqbool Maqsood Mazhar Mian Nauman",
        "Amtul Anwar Arifa Bano Begum Bilquis Farkhanda Faryal Hamida Kulsoom Mahmooda Maimoona Mussarat Nafisa Nasima Naz Qudsia Raheela Rozina Saeeda",
    ),
    "IND": (
        "IN",
        "Achhpala Bains Bherwani Chatlani Chowdhury Dhatri Gajraj Gopalani Heer Jaspreet Kalani Keerthana Koganti Laddha Mahabala Mandhayan Mayappan Motala Nagarjuna Natterraja Nisheeth Pant Poduri Pritmani Ragi Ramdas Renukunta Sahar Sanghi Satyen Shamdasani Shruti Sorabhjee Subhuja Sunondo Tanu Tina Utpal Vattyam Viraf",
        "Aakarshan Akaash Anumati Balavan Changla Deepit Dyaus Enakulesh Indra Kapil Lusila Mayon Nirveli Pani Rajender Ravati Sarngin Shasti Sukant Trisna",
        "Aadi Akshan Arvinda Bansari Brahmaputra Devayani Eashita Ekta Feroze Godavari Indukala Kerani Maitryi Neeja Pradeepta Reshmi Sanchay Shaili Simran Susheela",
    ),
    "AFG": (
        "AF",
        "Abdali Afridi Ahmadi Ali Azizi Bandash Barakzai Bitani Dalazak Dawarh Durrani Ghilzai Ghurghasht Gorbaz Hazara Isupzai Jadran Kakar Kasi Khan Khogiani Mahmand Malagori Mangal Mashwani Mohammed Niazi Orakzai Popalzai Rahimi Razarh Safi Sayed Sherani Shinwari Swati Tarin Tokhi Urmarh Utmankhel",
        "Abbas Ahmed Amanullah Ashraf Aziz Daud Farid Gholam Hakim Hassan Ismail Jawid Khalil Latif Mirwais Nabi Najib Nazrat Qais Rahmatullah",
        "Adela Anita Diana Farida Fatima Gulalai Halima Homa Khadija Laila Mahbooba Maria Mina Nahid Nasima Nooria Rabia Rona Sahar Samira",
    ),
    "IRA": (
        "IR",
        "Abbasi Afshari Alizadeh Amirian Assadi Bakhtiari Danesh Eftekhari Eslami Farahmand Fatemeh Ghahremani Ghazarian Haghighi Hashemi Hejazi Izadi Jamshidi Kamyab Kazemi Khosravi Mahmoudi Mashayekhi Mirzaei Mohammadian Mortazavi Nabavi Nasiri Nazari Pour Razavi Riahi Saadat Sadri Salehi Seyed Shahidi Soleimani Tabrizi Talebi",
        "Abbasali Abolfazl Aliakbar Arash Assim Cyrus Eshagh Farrokh Fereydoun Gholamreza Hashem Jamsheed Kaveh Ksathra Mehdi Morad Nosratollah Pejman Reza Seyed",
        "Afsaneh Azarmidokht Bita Eshrat Farangis Gazsi Golnaz Heshmat Katayoun Mahnaz Mansoureh Marguerita Mehri Nadereh Negar Parirokh Razieh Sakineh Shideh Soudabeh",
    ),
    "RUS": (
        "RU BY UA KZ",
        "Abelev Astapkovich Barshai Beria Boklov Bubka Chazov Chymertys Ditschec Dubnikov Fokine Ginchev Grachev Guseinev Hutniak Janchyshyn Karpin Khotliykova Koikov Korzhanenko Kozlova Kupchenko Lebed Linchuk Macinko Marinov Merschiy Morgunova Nasemnova Nizovtseva Onton Parlov Stempler Tamazov Titovich Tsilevich Vanchyshyn Voleikov Yagudin Zadinsky",
        "Afanasi Antinko Borys Dmitrii Fedyenka Jaromr Khrystina Leonide Luda Maruska Miroslav Naum Pabiyan Radmil Semyon Stanimir Tichomr Vanmra Vitenka Vratislav",
        "Adrijana Alojzija Apolonija Boleslava Danijela Dragica Emilija Gav Ivica Katica Kisa Larisa Luboslava Marjeta Nadeda Oxana Ruena Stanka Varya Viera",
    ),
    "CHI": (
        "CN HK TW SG",
        "Ang Buo Chaw Chiao Chong Chuke Dai Dzang Fung Guang Hark Hsiao Hung Jianbua Juger Kat Koo Kwang Leong Liu Lwan Mei Muo Nip Paau Pong Ren Shangkuan Shou Ssi Syang Sztu Teo Toy Tsong Tzang Xiang Yau Yiu Zeng",
        "Aban Benne Cenou Dake Duman Gada Guze Huaiyi Juna Kuzi Maka Momin Obu Popu Ruifeng Shaoxue Tanong Wendong Yazan Zengyun",
        "Acen Binken Chimu Deiche Faxiu Guiyan Huafeng Jinjin Kusha Linna Meiyuan Nieta Qifen Ruolan Shuhuan Taina Wonan Xinxin Yaoying Yuhuan",
    ),
    "TUR": (
        "TR",
        "Abas Aldn Alsuhraward Aras Aybar Batur Belciler Boratav Cetin Cobanoglu Denktash Ece Ercan Ersoy Gazioglu Gnver Gurcan Halil Hikmet Inalcik Isikli Kasaba Kemalettin Korkmaz Kurtbek Mardin Musa Orga Periganovlu Ruisamoglu Sancakli Serif Sihbeddn Tagma Taskprlzde Torlak Tuncay Vaner Yazc Yilmaz",
        "Ahmet Alp Altan Ata Aydin Baris Berkant Berker Bulut Can Coskun Diren Emin Engin Erdem Eren Erol Mehmed Mehmet Mer",
        "Arzu Aygl Aysel Banu Berna Burcu Ceren Derya Duygu Ece Elmas Emine Eser Fidan Glbahar Gonca Hande Hazan Kelebek Nergis",
    ),
    "SPA": (
        "ES MX CO VE AR",
        "Abarca Aldama Anaya Armero Ballestero Bazn Borja Cacho Carbajal Castanada Chaves Cordero Dabino Demena Elixaeberna Farfn Gallardo Ginez Haro Jaime Leona Lucero Mares Meligeni Mntez Moya Noriega Orgnez Parraguez Pimental Prado Rael Rionda Rubruquis Santacruz Servia Tamayo Trejo Vallalpando Villagomez",
        "Aarn Amadita Arabela Auderico Berto Clemencin Donika Ereinotz Ferman Gilabert Inesita Jerrald Legendika Maillim Monitte Oleos Quela Savier Txurio Weather",
        "Abad Amentario Armola Basaburua Buinondo Cilio Devera Enara Felipo Gezana Hilaria Jaimica Lierni Marquina Mutiloa Oriche Playo Sallye Tetxa Xavian",
    ),
    "FRE": (
        "FR BE",
        "Abeille Asselineau Barbier Berbizier Blouin Borly Boutter Burty Castagnary Chartier Clerc Cousteau Daunay Delonval Desneux Droette Duse Ferga Foucher Gardinier Giradou Grelot Harnoncourt Janquin Labyorteaux Latarjet Lefou Leveaux Maccaux Marrone Merleau Monet Nestoret Paulot Pinette Prevot Renoir Roufosse Seigre Taillez",
        "Abbe Amol Avanindra Binyamin Chevi Deo Emils Gaylard Ikshu Kartikeya Mahieu Meinrad Niel Parfait Prewitt Rodrigue Sele Sudhanssu Tipene Vidyaranya",
        "Aaliyah Aman Arianne Bride Chatzie Deepti Emelie Gaetana Hoshiko Josiane Kyoko Lupe Maribel Mitsuko Niyati Prachi Rosemaria Sheryle Tamika Vedette",
    ),
    "GER": (
        "DE AT CH",
        "Abeln Baal Bek Boden Brockhaus Classen Draeger Erdei Fetscher Fruhwirth Gillich Grob Haertel Haussmann Herber Hoebig Inken Keil Klauschen Koelmel Krner Langen Lingeman Mahlke Messerli Nadelhoffer Paschke Raeder Riedle Rucker Schelling Scholkopf Schwaiger Sokoll Stenger Tammerk Tolkien Vontrotha Weirather Wimmer",
        "Abelerd Albertus Arndt Baudoin Bin Conradin Eckehard Engelhard Franziskus Gieselbert Hardtman Hobard Jesko Lambrecht Martell Orbert Reymundo Seppel Tihalt Walfrid",
        "Adal Ailne Amalle Armondo Beritt Carleigh Eburhard Ethelinde Gerlinde Gustel Hildemar Isana Kathe Lindybell Magnilda Melly Ordalf Roderica Serihilde Tibelde",
    ),
    "ITA": (
        "IT",
        "Abalardi Ambrogiani Armelini Barbieri Bembo Boccanegra Botte Busenello Canepanova Cardone Catone Ciampi Compagnoni Crisci Dellamea Dolfini Fausti Foa Galasso Gerratana Gordini Jaconelli Leptio Macchi Mansi Mazarello Miniato Moschella Noe Paluari Pedane Pierpoali Porchianelo Respigli Ruggioni Scalfaro Sinopoli Tasso Toto Vasilini",
        "Aberto Alessio Anacleto Baldassare Biaggio Celino Concetto Donisha Emanuele Eusebio Giana Marino Natanaele Nunzio Paolino Ponzio Romolo Settimio Teofilo Valerio",
        "Abrienne Andino Baldassario Blancha Caseareo Crocetta Donati Elettra Este Farfalla Fulvia Giada Giuliana Kajetan Luigina Monalisa Nunziatina Prima Rosalba Sidonia",
    ),
    "ENG": (
        "GB US AU CA",
        "Abbey Adamson Alvey Babcocke Benjaminson Bourke Brownlow Christisen Coke Danniel Dickens Ellisson Fairclough Gibb Hambledon Harman Herbert Hollands Ibbot Jeffries Kersey Lund Martinson Mcgrory Merchant Milligan Nathanson Osbourne Prescott Rattray Robert Rutherfurd Samuels Scrivenor Simons Speight Taggart Timberlake Trevis Wakefield",
        "Aaric Bartleigh Brycen Cordale Doron Esau Galton Gwrgon Hnotta Jennyle Leuric Marsten Newman Pauloc Rawlins Saefugl Spyke Thomdic Upshaw Wibba",
        "Aaren Anah Avryl Bron Cherokee Dannia Earleen Essie Gianni Iseabail Jessalyn Kandis Kristiane Linda Maisy Mildrid Pamela Ronnette Skye Tiane",
    ),
    "POL": (
        "PL",
        "Ahrens Aronowitz Bachleda Baginsky Bakhvalova Balanowski Balcerowicz Balcerzak Balicki Balzac Banaszak Bartelski Bartkowiak Bartosz Bartoszak Bem Bicukowski Bielecki Blaszczyk Bocian Bojcun Bonk Bonte Borek Borniski Borowska Borzecki Borzykowski Brezinska Bromka Brzezinska Brzezinski Bubelski Buch Buczacz Bujak Burstzyn Bury Charnowski Chichlowski",
        "Adok Aurele Bogna Bozydar Dariusz Dyzek Franciszka Janalyn Jedrek Kamillra Lechsinska Lukasz Marysia Mscislaw Petronela Seweryn Swietoslaw Teofil Wawrzyniec Wladyslaw",
        "Adelajda Ania Bogufal Budzisz Danuta Euzebia Gnegon Hieronim Jadzia Joasia Kaska Kornelia Kunegunda Liuz Martyna Mikolai Nadzieja Radoslawa Rufin Teodory",
    ),
    "SER": (
        "RS BA",
        "Adamovic Andjelkovic Avdic Barac Bedic Bogati Bourek Burzic Ceh Dedic Djerek Dracul Dziewulski Georgevic Gribic Hodzic Hukovic Jakupovic Karoglan Kreso Lariani Luter Mamula Mecava Mihalic Mlacnik Mujkic Nincic Ondruska Ozbolt Pesa Plecnik Premar Protic Rawlev Roksandic Savic Sertic Siprak Strapovic",
        "Aleksandar Andrija Andro Ante Anto Antun Baldo Branimir Dimitar Dmitar Dubravko Mihajlo Mihovil Nebojsa Obrad Pavao Pavle Petar Plamen Radmilo",
        "Dragana Dubravka Jadranka Jovanka Mirjana Senka Silvija Snezana Snjezana Sofija Svjetlana Tomislava Valerija Veca Visnja Vjekoslava Zlata Zvonimira",
    ),
    "VIE": (
        "VN",
        "Bilh Bui Cahn Cao Dang Danh Dinh Doan Due Duong Giap Heng Hoang Hodac Huynh Khong Khuc Kieu Lam Luong Luu Minh Nghia Ngo Ngoc Ngodinh Nguyen Nguyendinh Nguyenkhoa Nguyentan Nien Pham Phan Phang Phong Phu Phuc Phung Sam Son",
        "Bien Cadeo Chung Cong Duc Duong Gia Hien Hoai Khuyen Nam Ngoc Phong Quang Ratchell Ritchell Thun Thuyet Toan Trai",
        "Bach Chau Cuc Duyen Hanh Hoa Hop Huyen Kymm Lieu Mahchow Myduyen Nhi Quynh Thi Thuy Trang Trinh Tuyn Vui",
    ),
    "POR": (
        "PT BR",
        "Abrao Alvares Anjos Azocar Barros Boas Branco Calado Catarino Chissano Claudio Correia Cristostome Dacosta Dasmarinas Debrito Demenses Diniz Dourado Eronilde Ferreira Folha Gomes Guajira Haraculamo Jardim Kenedy Lobato Magellan Masarenhas Meirelles Milazar Morillo Musrri Nunes Oliveira Parrela Paulino Pessao Pombal",
        "Aaro Aloisio Antnio Benjamim Caetano Cornlio Domingos Eugnio Flvio Izabel Jos Luiz Mariajos Mrcio Nicolau Olavo Patrcio Rudolfo Simo Teodsio",
        "Adlia Anglica Benedita Ceclia Cntia Dores Elisabete Fbia Gata Guilhermina Imaculada Joo Leocdia Lusa Mxima Ngela Otlia Quitria Suzana Vernica",
    ),
    "GRE": (
        "GR CY",
        "Alexopolous Angelou Axelos Boustris Coulouris Dimitratou Economou Gennadios Gouma Ikonomidis Kalvos Karaiskaki Karras Kazantzidi Kontogianni Koukodimos Lambrakis Louganis Manesi Markopoulos Mavrozomi Militis Muscouri Orfanakis Panayiotou Papamichael Pavlakakis Pietris Pretenteri Reppa Sarus Skandalis Stavrakis Thanou Tsavdaridou Tsoulis Varemenou Verioti Vourla Zaferiaki",
        "Abderus Alcander Angelisa Athan Catheryna Cyrena Deucalion Elektra Feodor Halithersis Irayna Keres Lugus Neomea Oles Peterke Pyrenie Stevens Theodoros Xantha",
        "Abdera Ahellona Amhrosine Arene Baucis Chiyses Danee Eir Euthalia Hesper Istvan Kineta Lilch Melete Neomia Pamilla Phorcys Saphira Tanith Tityus",
    ),
    "JAP": (
        "JP",
        "Abe Arakawa Baba Enomoto Fumihiko Hamaguchi Hideaki Hiroyuki Ibi Ikeda Ise Izumi Kaminaga Kataoka Kawashima Kinoshita Komatsu Kujo Kuwabara Masuzoe Miki Miyazaki Muraguchi Nakagawa Natsume Nosaka Oinuma Omura Royama Sano Shibanuma Shimazu Shirokawa Sugita Takarabe Takudome Teshigahara Toyoda Tsuruya Wakai",
        "Akeno Buntaro Fusaaki Hidekazu Katsumi Kinhide Kintoshi Kiyosada Kyoichi Masaki Masataka Masuyuki Narihiro Rinji Seiji Takafumi Takeshi Tokikane Toshio Yasukazu",
        "Akane Atsuko Chizu Hamako Hiromusi Izumi Katsuko Kogin Kusuriko Matsuko Misato Namie Niji Renjiro Sango Shikibu Suzume Teruko Tukiko Yarei",
    ),
}


# -- stolen / lost travel documents -----------------------------------------------------------------

SLTD_HEADER = b"number,type,issuing_country,status,reported_date\n"
_CHUNK = 1 << 18  # rows per generated chunk (fixed: the bytes for a seed do not depend on it changing)

# Issuing countries: every ISO 3166-1 code but uninhabited territories (~240), the larger issuers
# weighted up so that the distribution is skewed as real lists are.
_NO_ISSUER = {"AQ", "BV", "HM", "TF", "UM", "IO", "GS", "PN", "CC", "CX", "NF", "SJ", "EH"}
_ALPHA2_TO_ALPHA3 = {a2: a3 for a3, a2 in ALPHA3_TO_ALPHA2.items()}
_ISSUERS = sorted(c for c in COUNTRY_NAMES if c not in _NO_ISSUER and c in _ALPHA2_TO_ALPHA3)
_BIG = "US CN IN RU GB DE FR IT ES BR MX TR NG PK ID PH VN IR EG UA PL CO AR ZA SA CA AU NL BE SE".split()
_ISSUER_WEIGHTS = np.array([40.0 - _BIG.index(c) if c in _BIG else 2.0 for c in _ISSUERS])
_ISSUER_WEIGHTS /= _ISSUER_WEIGHTS.sum()

# Number formats: D digit, L letter (no I or O, as most issuers avoid them), A letter or digit,
# G the German passport alphabet; anything else is itself.
_CLASSES = {
    "D": b"0123456789",
    "L": b"ABCDEFGHJKLMNPQRSTUVWXYZ",
    "A": b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789",
    "G": b"CFGHJKLMNPRTVWXYZ0123456789",
}
_PASSPORT_FORMATS = {
    "US": "DDDDDDDDD", "GB": "DDDDDDDDD", "RU": "DDDDDDDDD", "CA": "LLDDDDDDD", "DE": "CGGGGGGGG",
    "FR": "DDLLDDDDD", "IT": "LLDDDDDDD", "ES": "LLLDDDDDD", "NL": "LLAAAAAAD", "CN": "EDDDDDDDD",
    "IN": "LDDDDDDD", "BR": "LLDDDDDD", "MX": "LDDDDDDDD", "TR": "UDDDDDDDD", "AU": "LDDDDDDD",
}
_GENERIC_PASSPORTS = ["LDDDDDDDD", "LLDDDDDDD", "DDDDDDDDD", "LDDDDDDD", "AAAAAAAAA"]
_ID_FORMATS = ["DDDDDDDDDDDD", "LLDDDDDD", "DDDDDDDDL", "AAAAAAAAA", "DDDDDDDDDD", "LDDDDDDDDD"]
_OTHER_FORMATS = {"visa": ["DDDDDDDD", "LDDDDDDD"], "travel_document": ["LLDDDDDDD"], "other": ["DDDDDDD"]}

_TYPES = ["passport", "national_id", "visa", "travel_document", "other"]
_TYPE_WEIGHTS = [0.68, 0.22, 0.03, 0.04, 0.03]
_TYPE_SPELLINGS = {  # as exports write them
    "passport": ["P", "PASSPORT", "Passport", "PP"],
    "national_id": ["ID", "I", "ID CARD", "National ID card"],
    "visa": ["V", "VISA"],
    "travel_document": ["TD", "Travel document", "C"],
    "other": ["OTHER", "Residence permit"],
}
_STATUSES = ["STOLEN", "LOST", "Stolen", "Lost", "REVOKED", "INVALIDATED", "STOLEN BLANK", "lost"]
_STATUS_WEIGHTS = [0.34, 0.38, 0.06, 0.12, 0.05, 0.01, 0.02, 0.02]
_FIRST_DAY = _dt.date(2000, 1, 1)
_DAYS = (_dt.date(2026, 12, 31) - _FIRST_DAY).days + 1


def _vocabulary(words: list[str]) -> np.ndarray:
    """Words as a padded (len(words), longest) uint8 matrix; 0 is padding."""
    width = max(len(w) for w in words)
    out = np.zeros((len(words), width), np.uint8)
    for i, w in enumerate(words):
        out[i, : len(w)] = np.frombuffer(w.encode(), np.uint8)
    return out


def _formats() -> tuple[list[str], np.ndarray]:
    """(every number format, format index per (issuer, type))."""
    formats: list[str] = []

    def index(fmt: str) -> int:
        if fmt not in formats:
            formats.append(fmt)
        return formats.index(fmt)

    table = np.zeros((len(_ISSUERS), len(_TYPES)), np.int64)
    for i, country in enumerate(_ISSUERS):
        h = sum(country.encode())  # a fixed choice per country
        table[i, 0] = index(_PASSPORT_FORMATS.get(country) or _GENERIC_PASSPORTS[h % len(_GENERIC_PASSPORTS)])
        table[i, 1] = index(_ID_FORMATS[h % len(_ID_FORMATS)])
        for j, kind in enumerate(_TYPES[2:], start=2):
            choices = _OTHER_FORMATS[kind]
            table[i, j] = index(choices[h % len(choices)])
    return formats, table


def _numbers(rng: np.random.Generator, fmt_of_row: np.ndarray, formats: list[str], width: int) -> np.ndarray:
    """Document numbers, one (padded) row of uint8 per row."""
    out = np.zeros((len(fmt_of_row), width), np.uint8)
    for f, fmt in enumerate(formats):
        rows = np.flatnonzero(fmt_of_row == f)
        if not len(rows):
            continue
        alphabets = [_CLASSES.get(ch, ch.encode()) for ch in fmt]
        sizes = np.array([len(a) for a in alphabets])
        offsets = np.cumsum([0] + [len(a) for a in alphabets[:-1]])
        pool = np.frombuffer(b"".join(alphabets), np.uint8)
        picks = rng.integers(0, sizes, size=(len(rows), len(fmt))) + offsets
        out[rows, : len(fmt)] = pool[picks]
    return out


def _dates(days: np.ndarray, dmy: np.ndarray) -> np.ndarray:
    """YYYY-MM-DD, or DD/MM/YYYY where `dmy`, as an (n, 10) uint8 matrix."""
    d64 = np.datetime64(_FIRST_DAY.isoformat(), "D") + days
    years = d64.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d64.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mdays = (d64 - d64.astype("datetime64[M]")).astype(np.int64) + 1
    zero = ord("0")

    def digits(values: np.ndarray, n: int) -> np.ndarray:
        return np.stack([(values // 10 ** (n - 1 - k)) % 10 for k in range(n)], axis=1).astype(np.uint8) + zero

    y, m, d = digits(years, 4), digits(months, 2), digits(mdays, 2)
    dash, slash = np.full((len(days), 1), ord("-"), np.uint8), np.full((len(days), 1), ord("/"), np.uint8)
    iso = np.hstack([y, dash, m, dash, d])
    other = np.hstack([d, slash, m, slash, y])
    return np.where(dmy[:, None], other, iso)


def _sltd_chunk(rng: np.random.Generator, n: int, formats: list[str], table: np.ndarray) -> bytes:
    issuer = rng.choice(len(_ISSUERS), size=n, p=_ISSUER_WEIGHTS)
    kind = rng.choice(len(_TYPES), size=n, p=_TYPE_WEIGHTS)
    spelling = rng.integers(0, 4, size=n)
    alpha3 = rng.random(n) < 0.6
    status = rng.choice(len(_STATUSES), size=n, p=_STATUS_WEIGHTS)
    days = rng.integers(0, _DAYS, size=n)
    dmy = rng.random(n) < 0.2
    separated = rng.random(n) < 0.03  # "75 1234567", "AB-123456": kept as number_raw by the loader

    number = _numbers(rng, table[issuer, kind], formats, 13)
    cut = np.flatnonzero(separated)
    if len(cut):  # a space or dash after the second character
        sep = np.where(rng.random(len(cut)) < 0.5, ord(" "), ord("-")).astype(np.uint8)
        number[cut, 3:] = number[cut, 2:-1]
        number[cut, 2] = sep

    spellings = [s for t in _TYPES for s in _TYPE_SPELLINGS[t]]
    starts = np.cumsum([0] + [len(_TYPE_SPELLINGS[t]) for t in _TYPES[:-1]])
    counts = np.array([len(_TYPE_SPELLINGS[t]) for t in _TYPES])
    type_words = _vocabulary(spellings)[starts[kind] + spelling % counts[kind]]
    codes = _vocabulary([c for c in _ISSUERS] + [_ALPHA2_TO_ALPHA3[c] for c in _ISSUERS])
    country = codes[issuer + alpha3 * len(_ISSUERS)]
    status_words = _vocabulary(_STATUSES)[status]
    comma = np.full((n, 1), ord(","), np.uint8)
    newline = np.full((n, 1), ord("\n"), np.uint8)
    matrix = np.hstack([number, comma, type_words, comma, country, comma, status_words, comma,
                        _dates(days, dmy), newline])
    flat = matrix.ravel()
    return flat[flat != 0].tobytes()


def write_sltd_csv(path: str | Path, rows: int, seed: int = 0) -> None:
    """A synthetic stolen/lost document list of `rows` rows (plus the header), the same bytes for a seed."""
    rng = np.random.default_rng(seed)
    formats, table = _formats()
    with open(path, "wb") as f:
        f.write(SLTD_HEADER)
        for start in range(0, rows, _CHUNK):
            f.write(_sltd_chunk(rng, min(_CHUNK, rows - start), formats, table))


# -- a national person list (CSV + mapping, watchlists.mapped) ---------------------------------------

PERSON_HEADER = ["ref", "type", "surname", "given_names", "aka", "low_aka", "dob", "nationality", "gender",
                 "passport_no", "passport_country", "address", "program", "listed", "remarks"]
_PROGRAMS = ["TERR", "NARC", "CYBER", "PROLIF", "HR", "CORR", "FRAUD"]
_CITIES = ["Amsterdam", "Cairo", "Karachi", "Moscow", "Beijing", "Istanbul", "Madrid", "Paris", "Berlin",
           "Rome", "London", "Warsaw", "Belgrade", "Hanoi", "Lisbon", "Athens", "Tokyo", "Kabul", "Tehran"]
_ORG_FORMS = ["Trading LLC", "Holding Ltd", "General Trading Co", "Logistics FZE", "Import Export SA"]
_MAPPING = """# Mapping for benchmarks/synthetic_lists.py persons files (watchlists.mapped).
list_id = "synthetic-national"
kind = "person"
delimiter = ","
encoding = "utf-8"
date_order = "DMY"

[columns]
id = "ref"
kind = { column = "type", values = { Individual = "person", Entity = "organization" } }
surname = "surname"
given_names = "given_names"
aliases = { column = "aka", separator = ";" }
weak_aliases = { column = "low_aka", separator = ";" }
birth_date = "dob"
nationality = { column = "nationality", separator = ";" }
sex = "gender"
passport = "passport_no"
document_country = "passport_country"
address = "address"
program = "program"
listed_on = "listed"
remarks = "remarks"
"""


def write_mapping(path: str | Path) -> None:
    """The mapping (TOML) that reads write_person_list_csv files."""
    Path(path).write_text(_MAPPING, encoding="utf-8")


def _pools() -> list[tuple[list[str], list[str], list[str], list[str]]]:
    return [tuple(part.split() for part in parts) for parts in _POOLS.values()]  # type: ignore[misc]


def write_person_list_csv(path: str | Path, rows: int, seed: int = 0) -> None:
    """A synthetic national watchlist of `rows` entries (5% organisations), the same bytes for a seed:
    names from the embedded pools (by culture, with the culture's nationalities), up to three aliases
    (one spelling variant, one reordered name, a name from the same pool), a few weak aliases, dates of
    birth (some year only), nationalities as ISO alpha-3 or alpha-2 codes, passports in the formats of
    the SLTD generator."""
    rng = np.random.default_rng(seed)
    pools = _pools()
    formats, table = _formats()
    issuer_index = {c: i for i, c in enumerate(_ISSUERS)}
    first = _dt.date(1940, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(PERSON_HEADER)
        for start in range(0, rows, _CHUNK):
            n = min(_CHUNK, rows - start)
            culture = rng.integers(0, len(pools), n)
            org = rng.random(n) < 0.05
            female = rng.random(n) < 0.4
            picks = rng.integers(0, 1 << 30, size=(n, 8))
            n_aliases = rng.choice(4, size=n, p=[0.45, 0.3, 0.15, 0.1])
            weak = rng.random(n) < 0.08
            year_only = rng.random(n) < 0.1
            births = rng.integers(0, (_dt.date(2004, 12, 31) - first).days, n)
            listed = rng.integers(0, _DAYS, n)
            has_passport = rng.random(n) < 0.6
            two_nat = rng.random(n) < 0.05
            alpha2 = rng.random(n) < 0.3
            chunk = []
            for i in range(n):
                nats, surnames, male_given, female_given = pools[culture[i]]
                p = picks[i]
                nat = nats[p[0] % len(nats)]
                nat_codes = [nat] + ([_ISSUERS[p[6] % len(_ISSUERS)]] if two_nat[i] else [])
                nationality = ";".join(c if alpha2[i] else _ALPHA2_TO_ALPHA3[c] for c in nat_codes)
                surname = surnames[p[1] % len(surnames)]
                ref = f"SN-{start + i + 1:08d}"
                listed_on = (_FIRST_DAY + _dt.timedelta(days=int(listed[i]))).isoformat()
                program = _PROGRAMS[p[7] % len(_PROGRAMS)]
                if org[i]:
                    name = f"{surname} {_ORG_FORMS[p[2] % len(_ORG_FORMS)]}"
                    aka = f"{surname} {_CITIES[p[3] % len(_CITIES)]}" if n_aliases[i] else ""
                    chunk.append([ref, "Entity", name, "", aka, "", "", nationality, "", "", "",
                                  f"{p[4] % 400 + 1} Harbour Road, {_CITIES[p[3] % len(_CITIES)]}", program,
                                  listed_on, ""])
                    continue
                given_pool = female_given if female[i] else male_given
                given = given_pool[p[2] % len(given_pool)]
                middle = given_pool[p[3] % len(given_pool)] if p[3] % 3 == 0 else ""
                given_names = f"{given} {middle}".strip()
                aliases = [
                    f"{surname} {given}",  # surname first
                    f"{given_names} {surnames[p[4] % len(surnames)]}",  # another family name
                    f"{given[:1]}. {surname}",  # an initial
                ][: n_aliases[i]]
                low = f"{given} {surname[: max(3, len(surname) - 2)]}" if weak[i] else ""
                born = first + _dt.timedelta(days=int(births[i]))
                dob = str(born.year) if year_only[i] else born.strftime("%d/%m/%Y")
                passport, country = "", ""
                if has_passport[i] and nat in issuer_index:
                    fmt = formats[table[issuer_index[nat], 0]]
                    passport = "".join(
                        chr(_CLASSES[ch][(p[5] >> (3 * k)) % len(_CLASSES[ch])]) if ch in _CLASSES else ch
                        for k, ch in enumerate(fmt)
                    )
                    country = _ALPHA2_TO_ALPHA3[nat]
                chunk.append([ref, "Individual", surname, given_names, ";".join(aliases), low, dob, nationality,
                              "F" if female[i] else "M", passport, country,
                              f"{p[4] % 400 + 1} Main Street, {_CITIES[p[6] % len(_CITIES)]}" if p[6] % 4 == 0 else "",
                              program, listed_on, "Synthetic entry" if p[7] % 10 == 0 else ""])
            out.writerows(chunk)


# -- command line ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["sltd", "persons"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=None, help="default: 100,000,000 (sltd) / 1,000,000 (persons)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mapping", type=Path, default=None, help="persons: where to write the mapping (OUT.toml)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.what == "sltd":
        rows = 100_000_000 if args.rows is None else args.rows
        write_sltd_csv(args.out, rows, seed=args.seed)
    else:
        rows = 1_000_000 if args.rows is None else args.rows
        write_person_list_csv(args.out, rows, seed=args.seed)
        mapping = args.mapping or args.out.with_suffix(".toml")
        write_mapping(mapping)
        print(f"mapping: {mapping}", file=sys.stderr)
    seconds = time.perf_counter() - start
    size = args.out.stat().st_size
    print(f"{args.out}: {rows:,} rows, {size / 1e6:,.1f} MB in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
