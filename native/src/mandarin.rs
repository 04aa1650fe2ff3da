//! One spelling for the pinyin and Wade-Giles romanisations of a Mandarin name, so that `XU JIANHONG`
//! (pinyin: the mainland's passports and most lists) and `HSU CHIEN-HUNG` (Wade-Giles: Taiwan's passports,
//! older lists) are seen as the same name.
//!
//! Lists and passports drop Wade-Giles's apostrophes and umlauts, so a Wade-Giles spelling no longer tells an
//! aspirated initial from a plain one (`CHANG` is zhang or chang, `CHIEN` jian or qian, `TSAI` zai or cai). The
//! key therefore writes each syllable's initial by class: B for b and p, D for d and t, G for g and k, J for
//! j, q, zh and ch, Z for z and c, X for x (Wade-Giles `HS`), R for r (Wade-Giles `J`), and its final as pinyin
//! writes it (Wade-Giles `IEN` is `IAN`, `UNG` `ONG`, `IH` `I`, `EH` `E`). Two pinyin names that differ only
//! there meet too (`ZHANG` ~ `CHANG`, `QIAN` ~ `JIAN`): what a Wade-Giles spelling of either is.
//!
//! A token has a key only when it reads entirely as one to [`MAX_SYLLABLES`] Mandarin syllables of either
//! system (`SMITH`, `JAMES` have none). Written by hand: the crates that know Wade-Giles convert pinyin with
//! tone marks one way (dodo-zh, with a CEDICT loader); none reads a Latin token in both systems.

use ahash::AHashMap;
use std::sync::OnceLock;

/// Mandarin syllables in pinyin (ü written v), tones dropped: the inventory both systems are read against.
const PINYIN: &str = "a ai an ang ao \
    ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu \
    pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu \
    ma mai man mang mao mei men meng mi mian miao mie min ming miu mo mou mu \
    fa fan fang fei fen feng fo fou fu \
    da dai dan dang dao de dei den deng di dian diao die ding diu dong dou du duan dui dun duo \
    ta tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo \
    na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nuo nv nve \
    la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu long lou lu luan lun luo lv lve \
    ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo \
    ka kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo \
    ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo \
    ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun \
    qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun \
    xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun \
    zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo \
    cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo \
    sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo \
    ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo \
    za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo \
    ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo \
    sa sai san sang sao se sen seng si song sou su suan sui sun suo \
    ya yan yang yao ye yi yin ying yong you yu yuan yue yun \
    wa wai wan wang wei wen weng wo wu \
    e ei en eng er ou";

/// Given names and surnames are one or two syllables a token (three or four when a name is glued).
const MAX_SYLLABLES: usize = 4;
/// The longest syllable spelling (`ZHUANG`, Wade-Giles `HSIUNG`).
const MAX_SYLLABLE_LEN: usize = 6;

/// Splits a pinyin syllable into its initial and final.
fn initial_and_final(p: &str) -> (&str, &str) {
    let n = if ["zh", "ch", "sh"].iter().any(|i| p.starts_with(i)) {
        2
    } else if p.starts_with(|c: char| "bpmfdtnlgkhjqxrzcsyw".contains(c)) {
        1
    } else {
        0
    };
    p.split_at(n)
}

/// Pinyin initials that Wade-Giles, its apostrophe dropped, writes alike; the class [`key`] writes for them; and
/// that Wade-Giles spelling. Other initials are written alike in both systems.
const INITIAL_CLASSES: [(&[&str], &str, &str); 7] = [
    (&["b", "p"], "B", "p"),
    (&["d", "t"], "D", "t"),
    (&["g", "k"], "G", "k"),
    (&["j", "q", "zh", "ch"], "J", "ch"),
    (&["z", "c"], "Z", "ts"),
    (&["x"], "X", "hs"),
    (&["r"], "R", "j"),
];

/// A pinyin initial's class and Wade-Giles spelling ([`INITIAL_CLASSES`]), when it has them.
fn initial_class(initial: &str) -> Option<(&'static str, &'static str)> {
    INITIAL_CLASSES.iter().find(|(pinyin, _, _)| pinyin.contains(&initial)).map(|&(_, class, wade_giles)| (class, wade_giles))
}

/// A pinyin syllable as [`key`] writes it: its initial by class, its final as pinyin writes it (ü as u).
fn syllable_key(p: &str) -> String {
    let (initial, fin) = initial_and_final(p);
    let class = initial_class(initial).map_or_else(|| initial.to_ascii_uppercase(), |(class, _)| class.to_string());
    class + &fin.replace('v', "u").to_ascii_uppercase()
}

/// The Wade-Giles spellings of a pinyin syllable, apostrophes and umlauts dropped as lists drop them.
fn wade_giles(p: &str) -> Vec<String> {
    let whole: &[&str] = match p {
        "zhi" | "chi" => &["chih"],
        "shi" => &["shih"],
        "ri" => &["jih"],
        "zi" | "ci" => &["tzu"],
        "si" => &["ssu", "szu"],
        "er" => &["erh"],
        "e" => &["o", "e"],
        "you" => &["yu"],
        "ye" => &["yeh"],
        "yan" => &["yen"],
        "yong" => &["yung"],
        "yue" => &["yueh"],
        "yi" => &["i", "yi"],
        _ => &[],
    };
    if !whole.is_empty() {
        return whole.iter().map(|s| s.to_string()).collect();
    }
    let (initial, fin) = initial_and_final(p);
    let wg_initial = initial_class(initial).map_or(initial, |(_, wade_giles)| wade_giles);
    let finals: Vec<&str> = match fin {
        "ian" => vec!["ien"],
        "ie" => vec!["ieh"],
        "ue" | "ve" => vec!["ueh"],
        "v" => vec!["u"],
        "iong" => vec!["iung"],
        "ong" => vec!["ung"],
        "ui" => vec!["ui", "uei"],
        "e" if matches!(initial, "g" | "k" | "h") => vec!["o"],
        "uo" if !matches!(initial, "g" | "k" | "h" | "sh") => vec!["o"],
        other => vec![other],
    };
    finals.into_iter().map(|f| format!("{wg_initial}{f}")).collect()
}

/// Every spelling of a syllable in either system (uppercase), and its key; pinyin's where the two systems
/// spell different syllables alike (`YU`: pinyin yu, Wade-Giles you; `JU`: pinyin ju, Wade-Giles ru).
fn syllables() -> &'static AHashMap<String, String> {
    static TABLE: OnceLock<AHashMap<String, String>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = AHashMap::new();
        for p in PINYIN.split_whitespace() {
            table.insert(p.replace('v', "u").to_ascii_uppercase(), syllable_key(p));
        }
        // passports write ü as YU (`LYU`, `NYU`), some lists as V (`LV`)
        for (spelling, p) in [("LYU", "lv"), ("NYU", "nv"), ("LYUE", "lve"), ("NYUE", "nve"), ("LV", "lv"), ("NV", "nv"), ("LVE", "lve"), ("NVE", "nve")] {
            table.insert(spelling.to_string(), syllable_key(p));
        }
        for p in PINYIN.split_whitespace() {
            for w in wade_giles(p) {
                table.entry(w.to_ascii_uppercase()).or_insert_with(|| syllable_key(p));
            }
        }
        table
    })
}

/// The token's syllables each written as [`syllable_key`] writes them (`HSU` and `XU` -> `XU`; `CHIEN`,
/// `JIAN` and `QIAN` -> `JIAN`; `TSETUNG` and `ZEDONG` -> `ZEDONG`), or None when it does not read as one
/// to [`MAX_SYLLABLES`] Mandarin syllables. The first reading, longest syllables first, is taken.
pub fn key(token: &str) -> Option<String> {
    let b = token.as_bytes();
    let ends_well = b.last().is_some_and(|&c| ends_as_a_syllable(c)) || token == "ER";
    if b.len() < 2 || b.len() > MAX_SYLLABLES * MAX_SYLLABLE_LEN || !ends_well || !b.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let mut out = String::with_capacity(b.len());
    read(token, MAX_SYLLABLES, &mut out).then_some(out)
}

/// Every syllable spelling but `ER` (二, read alone) ends in a vowel, N, NG, H (Wade-Giles `IH`, `EH`, `ERH`) or V
/// (`LV`): most other names are turned away on their last letter, before any syllable is looked up (every query
/// token is tried).
fn ends_as_a_syllable(last: u8) -> bool {
    matches!(last, b'A' | b'E' | b'I' | b'O' | b'U' | b'N' | b'G' | b'H' | b'V')
}

fn read(rest: &str, syllables_left: usize, out: &mut String) -> bool {
    if rest.is_empty() {
        return true;
    }
    if syllables_left == 0 {
        return false;
    }
    for len in (1..=MAX_SYLLABLE_LEN.min(rest.len())).rev() {
        if let Some(k) = syllables().get(&rest[..len]) {
            let before = out.len();
            out.push_str(k);
            if read(&rest[len..], syllables_left - 1, out) {
                return true;
            }
            out.truncate(before);
        }
    }
    false
}

/// Letters and pairs a Korean romanisation never writes (`X`, `Q`, `Z`, `HS`, `TS`, `IE`, `IH`, ...): a token
/// that reads both as Korean and as Mandarin syllables (`CHIEN`, Korean `JI EN`) and has one is the Mandarin.
pub fn spelt_unlike_korean(token: &str) -> bool {
    const UNLIKE: [&str; 16] = ["X", "Q", "Z", "F", "V", "HS", "TS", "TZ", "IA", "IE", "IO", "IU", "UA", "UO", "IH", "EH"];
    UNLIKE.iter().any(|u| token.contains(u))
}

#[cfg(test)]
mod tests {
    use super::{key, spelt_unlike_korean};

    #[test]
    fn spellings_no_korean_romanisation_writes() {
        for t in ["CHIEN", "HSU", "TSAI", "XIAO", "CHIANG", "SHIH", "HSIEH", "ZHANG"] {
            assert!(spelt_unlike_korean(t), "{t}");
        }
        for t in ["CHUNG", "CHONG", "SO", "HO", "JIN", "MYONG", "CHOL"] {
            assert!(!spelt_unlike_korean(t), "{t}");
        }
    }

    #[test]
    fn pinyin_and_wade_giles_spellings_share_a_key() {
        for group in [
            &["XU", "HSU"][..],
            &["JIAN", "QIAN", "CHIEN"],
            &["ZHANG", "CHANG"],
            &["XIE", "HSIEH"],
            &["ZEDONG", "TSETUNG"],
            &["XIAOPING", "HSIAOPING"],
            &["ZEMIN", "TSEMIN"],
            &["JIANG", "CHIANG"],
            &["CAI", "TSAI"],
            &["ZHOU", "CHOU"],
            &["GUO", "KUO"],
            &["REN", "JEN"],
            &["SHI", "SHIH"],
            &["ZHI", "CHIH"],
            &["SI", "SSU", "SZU"],
            &["XIONG", "HSIUNG"],
            &["DENG", "TENG"],
            &["LV", "LU", "LYU"],
        ] {
            let keys: Vec<_> = group.iter().map(|t| key(t)).collect();
            assert!(keys[0].is_some() && keys.iter().all(|k| *k == keys[0]), "{group:?}: {keys:?}");
        }
    }

    #[test]
    fn every_syllable_ends_as_the_quick_test_expects() {
        for spelling in super::syllables().keys().filter(|s| *s != "ER") {
            assert!(super::ends_as_a_syllable(*spelling.as_bytes().last().unwrap()), "{spelling}");
        }
        assert_eq!(key("ER").as_deref(), Some("ER"));
    }

    #[test]
    fn other_words_have_no_key_or_another() {
        for t in ["SMITH", "JAMES", "JOHN", "MUHAMMAD", "X", "KIMJONGUNSUNGMIN", "PETER", "ZHANGWEIMINGLIHUA"] {
            assert_eq!(key(t), None, "{t}");
        }
        assert_ne!(key("XU"), key("SHU"));
        assert_ne!(key("ZHANG"), key("ZANG"));
        assert_ne!(key("LI"), key("LEI"));
    }
}
