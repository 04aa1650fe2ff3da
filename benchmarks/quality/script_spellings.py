"""Names written in scripts ICAO Doc 9303 gives no table for, met by their passports' Latin spellings: Greek,
Armenian, Hebrew, Persian and Japanese kana (native/src/scripts.rs, native/src/names.rs).

A national list writes its names in its own script; the passenger's API and PNR data carry the passport's Latin
spelling. Each pair here is a public figure's name as the script writes it and as the name's passport or usual
Latin spelling writes it (written for Interdict; the names are facts, no data set is copied). The native-script
names make one list; each Latin spelling is screened against it, and is *found* when its own entry is the best
hit and scores at least DEFAULT_THRESHOLD. rapidfuzz WRatio (default processing) on the same pairs, found at 85,
is the baseline.

    python benchmarks/quality/script_spellings.py [--json out.json]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import engine
import outcome_report

# (script, Latin spelling as the passport or usual Latin spelling writes it, the name in its script)
PAIRS: list[tuple[str, str, str]] = [
    ("Greek", "ANGELIKI ELEFTHERIOU", "Αγγελική Ελευθερίου"),
    ("Greek", "EVANGELOS VENIZELOS", "Ευάγγελος Βενιζέλος"),
    ("Greek", "PAVLOS GIANNOULIS", "Παύλος Γιαννούλης"),
    ("Greek", "EFTHYMIOS PAPADOPOULOS", "Ευθύμιος Παπαδόπουλος"),
    ("Greek", "STAVROS KOUROUPIS", "Σταύρος Κουρουπής"),
    ("Greek", "GIANNIS ANTETOKOUNMPO", "Γιάννης Αντετοκούνμπο"),
    ("Greek", "KYRIAKOS MITSOTAKIS", "Κυριάκος Μητσοτάκης"),
    ("Greek", "ALEXIS TSIPRAS", "Αλέξης Τσίπρας"),
    ("Armenian", "NIKOL PASHINYAN", "Նիկոլ Փաշինյան"),
    ("Armenian", "ROBERT KOCHARYAN", "Ռոբերտ Քոչարյան"),
    ("Armenian", "GAGIK TSARUKYAN", "Գագիկ Ծառուկյան"),
    ("Armenian", "YERVAND MANUKYAN", "Երվանդ Մանուկյան"),
    ("Armenian", "RUBEN GEVORGYAN", "Ռուբեն Գևորգյան"),
    ("Armenian", "VOSKAN ANDRANIKYAN", "Ոսկան Անդրանիկյան"),
    ("Armenian", "SERZH SARGSYAN", "Սերժ Սարգսյան"),
    ("Japanese kana", "YAMADA TARO", "ヤマダ タロウ"),
    ("Japanese kana", "SUZUKI ICHIRO", "スズキ イチロー"),
    ("Japanese kana", "SATO KYOKO", "さとう きょうこ"),
    ("Japanese kana", "INOUE SHUNSUKE", "いのうえ しゅんすけ"),
    ("Japanese kana", "HOMMA JUNICHIRO", "ほんま じゅんいちろう"),
    ("Japanese kana", "AYMAN AL ZAWAHIRI", "アイマン・ザワヒリ"),
    ("Japanese kana", "OSAMA BIN LADEN", "オサマ・ビン・ラディン"),
    ("Japanese kana", "MUHAMMAD OMAR", "ムハンマド・オマル"),
    ("Japanese kana", "KHALID SHEIKH MOHAMMED", "ハリド・シェイク・モハメド"),
    ("Japanese kana", "ABU BAKR AL BAGHDADI", "アブー・バクル・アル＝バグダーディー"),
    ("Japanese kana", "VIKTOR BOUT", "ヴィクトル・ボウト"),
    ("Japanese kana", "VLADIMIR PUTIN", "ウラジーミル・プーチン"),
    ("Persian", "MOHAMMAD JAVAD ZARIF", "محمد جواد ظریف"),
    ("Persian", "HASSAN ROUHANI", "حسن روحانی"),
    ("Persian", "MAHMOUD AHMADINEJAD", "محمود احمدی‌نژاد"),
    ("Persian", "PARVIZ DAVOODI", "پرویز داوودی"),
    ("Persian", "ALI KHAMENEI", "علی خامنه‌ای"),
    ("Persian", "QASEM SOLEIMANI", "قاسم سلیمانی"),
    ("Persian", "VAHID HAGHANIAN", "وحید حقانیان"),
    ("Persian", "SADEGH LARIJANI", "صادق لاریجانی"),
    ("Persian", "BIJAN ZANGANEH", "بیژن زنگنه"),
    ("Persian", "HOSSEIN DEHGHAN", "حسین دهقان"),
    ("Hebrew", "BINYAMIN NETANYAHU", "בנימין נתניהו"),
    ("Hebrew", "YITZHAK RABIN", "יצחק רבין"),
    ("Hebrew", "SHIMON PERES", "שמעון פרס"),
    ("Hebrew", "ARIEL SHARON", "אריאל שרון"),
    ("Hebrew", "EHUD BARAK", "אהוד ברק"),
    ("Hebrew", "EHUD OLMERT", "אהוד אולמרט"),
    ("Hebrew", "GOLDA MEIR", "גולדה מאיר"),
    ("Hebrew", "MOSHE DAYAN", "משה דיין"),
    ("Hebrew", "YAIR LAPID", "יאיר לפיד"),
    ("Hebrew", "NAFTALI BENNETT", "נפתלי בנט"),
    ("Hebrew", "BENNY GANTZ", "בני גנץ"),
    ("Hebrew", "AVIGDOR LIEBERMAN", "אביגדור ליברמן"),
    ("Hebrew", "DAVID BEN GURION", "דוד בן גוריון"),
    ("Hebrew", "MENACHEM BEGIN", "מנחם בגין"),
    ("Hebrew", "YOSEF COHEN", "יוסף כהן"),
    ("Hebrew", "AVRAHAM LEVI", "אברהם לוי"),
    ("Hebrew", "YAAKOV PERETZ", "יעקב פרץ"),
    ("Hebrew", "ELIYAHU MIZRAHI", "אליהו מזרחי"),
    ("Hebrew", "SHLOMO BITON", "שלמה ביטון"),
    ("Hebrew", "ITAMAR BEN GVIR", "איתמר בן גביר"),
    ("Hebrew", "BEZALEL SMOTRICH", "בצלאל סמוטריץ'"),
    ("Hebrew", "YOAV GALLANT", "יואב גלנט"),
    ("Hebrew", "IDO KATZ", "עידו כץ"),
    ("Hebrew", "PINCHAS KOHEN", "פנחס כהן"),
    ("Hebrew", "BARUCH GOLDSTEIN", "ברוך גולדשטיין"),
    ("Hebrew", "KOBI PELEG", "קובי פלג"),
    ("Hebrew", "PNINA BARKAI", "פנינה ברקאי"),
    ("Hebrew", "CHAIM WEIZMANN", "חיים ויצמן"),
]


@dataclass
class Outcome:
    script: str
    latin: str
    listed: str
    passport_form: str
    score: float
    top: str
    found: bool


def evaluate(pairs: list[tuple[str, str, str]] = PAIRS) -> list[Outcome]:
    wl = engine.Watchlist.from_records([{"id": f"e{i}", "names": [listed]} for i, (_, _, listed) in enumerate(pairs)],
                                       list_id="script-spellings")
    hits = engine.Screener(wl).screen([{"name": latin} for _, latin, _ in pairs], limit=1, threshold=0.0)
    out = []
    for i, ((script, latin, listed), hs) in enumerate(zip(pairs, hits)):
        top = hs[0] if hs else None
        own = bool(top and top.entry_id == f"e{i}")
        out.append(Outcome(script, latin, listed, engine.names._native.icao_fold(listed), round(top.score, 4) if own else 0.0,
                           pairs[int(top.entry_id[1:])][1] if top else "", own and top.score >= engine.DEFAULT_THRESHOLD))
    return out


def rapidfuzz_found(pairs: list[tuple[str, str, str]] = PAIRS) -> dict[str, int] | None:
    """Per script, the pairs rapidfuzz WRatio finds: the listed name in its script the best of all, at least 85."""
    try:
        from rapidfuzz import fuzz, process, utils
    except ImportError:
        return None
    listed = [n for _, _, n in pairs]
    found: dict[str, int] = {}
    for i, (script, latin, _) in enumerate(pairs):
        best = process.extractOne(latin, listed, scorer=fuzz.WRatio, processor=utils.default_process)
        found[script] = found.get(script, 0) + bool(best and best[2] == i and best[1] >= 100 * engine.DEFAULT_THRESHOLD)
    return found


def markdown(outcomes: list[Outcome], baseline: dict[str, int] | None = None) -> str:
    scripts = list(dict.fromkeys(o.script for o in outcomes))
    lines = [f"found {sum(o.found for o in outcomes)} of {len(outcomes)} at {engine.DEFAULT_THRESHOLD}", "",
             "| script | pairs | found | rapidfuzz WRatio |", "|---|---:|---:|---:|"]
    for s in scripts:
        mine = [o for o in outcomes if o.script == s]
        lines.append(f"| {s} | {len(mine)} | {sum(o.found for o in mine)} | {'-' if baseline is None else baseline.get(s, 0)} |")
    lines += ["", "| script | Latin spelling | listed | passport form | score | found |", "|---|---|---|---|---:|---|"]
    lines += [f"| {o.script} | {o.latin} | {o.listed} | {o.passport_form} | {o.score:.3f} | "
              f"{'yes' if o.found else 'no' + (f' (top: {o.top})' if o.top and o.top != o.latin else '')} |" for o in outcomes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    return outcome_report.main(argv, __doc__, evaluate, markdown, rapidfuzz_found)


if __name__ == "__main__":
    sys.exit(main())
