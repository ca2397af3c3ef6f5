"""Cross-script reading keys: katakana transcriptions and Latin names on one scale.

Japanese lists print foreign entities in katakana (``アルマズ株式会社``), with common words
translated into kanji (``カザン光学機械工場``), while US, EU and UN lists print the Latin name
(``Almaz JSC``, ``Kazan Optical-Mechanical Plant``). Neither a Hepburn romanisation
(``arumazu``) nor an edit distance bridges the two, so both are reduced to a **reading**:

1. katakana (and hiragana) become romaji by a fixed table that knows the spellings used for
   foreign sounds (:func:`kana_romaji`: ``ヴ`` v, ``ティ`` ti, ``ドゥ`` du, ``ファ`` fa, small
   ``ャュョ``, ``ッ`` doubles the next consonant, ``ー`` is dropped);
   a katakana word that is an English loanword (``テクノロジー``, ``プラント``) is also read in
   its English spelling (cutlet's loanword table, plus :data:`KATAKANA_WORDS`);
2. kanji common words are translated (:data:`KANJI_WORDS`: ``工場`` plant, ``研究所``
   institute, ``設計局`` design bureau …); other kanji are read in Hepburn;
3. legal forms (``株式会社`` / JSC / AO, ``有限会社`` / LLC / OOO …) are removed, and Latin
   and translated common words fold to one English word (:data:`CONCEPTS`: ``zavod``,
   ``factory``, ``works`` → ``plant``);
4. every remaining word becomes a consonant skeleton (:func:`reading_key`): sounds katakana
   cannot tell apart share one letter (``l``/``r`` → R, ``b``/``v`` → B, ``f``/``h``/``kh`` →
   H, ``s``/``z``/``ts``/``sh``/``th`` → S, ``ch``/``j``/``zh`` → J, ``c`` → K or S), doubled
   letters are single, then vowels, ``y`` and ``w`` are dropped (katakana adds vowels
   Latin spellings lack), and a word starting with a vowel starts with ``A``.

A reading token is ``SKELETON:slots`` (:func:`reading_token`): the vowels after each
skeleton letter are not part of the key but are compared (:func:`slot_agreement`: katakana
adds a vowel where the Latin spelling has none, but rarely changes one).
``Almaz JSC`` and ``アルマズ株式会社`` both read ``ARMS`` (``a..a.`` / ``a.u.a.u``);
``Zvyozdochka`` and ``ズヴョーズダチカ`` both read ``SHSDJK``. Skeletons are upper case so
they never collide with the lower-case Latin forms of :mod:`econsec.screening.names`.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Katakana romaji (Hepburn with the usual spellings of foreign sounds).
_KANA: dict[str, str] = dict(zip(
    "アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノ"
    "ハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヰヱヲンヴヵヶ",
    ["a", "i", "u", "e", "o", "ka", "ki", "ku", "ke", "ko", "ga", "gi", "gu", "ge", "go", "sa",
     "shi", "su", "se", "so", "za", "ji", "zu", "ze", "zo", "ta", "chi", "tsu", "te", "to", "da",
     "ji", "zu", "de", "do", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ba",
     "bi", "bu", "be", "bo", "pa", "pi", "pu", "pe", "po", "ma", "mi", "mu", "me", "mo", "ya",
     "yu", "yo", "ra", "ri", "ru", "re", "ro", "wa", "i", "e", "o", "n", "vu", "ka", "ke"],
    strict=True))
_SMALL_VOWELS = dict(zip("ァィゥェォヮ", ("a", "i", "u", "e", "o", "wa"), strict=True))
_SMALL_Y = dict(zip("ャュョ", ("ya", "yu", "yo"), strict=True))
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc\u3041-\u3096]+")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々]+")
_LATIN_RUN = re.compile(r"[a-z0-9]+")
_TOKEN = re.compile(r"[\u30a1-\u30fa\u30fc\u3041-\u3096]+|[\u3400-\u4dbf\u4e00-\u9fff"
                    r"\uf900-\ufaff々]+|[a-z0-9]+")


def _katakana(text: str) -> str:
    """Hiragana folded to katakana."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@lru_cache(maxsize=100_000)
def kana_romaji(text: str) -> str:
    """Romaji of a kana word, foreign-sound spellings included:
    ``ズヴョーズダチカ`` → ``zuvyozudachika``, ``ティホミロフ`` → ``tihomirofu``,
    ``ヴィチャズ`` → ``vichazu``, ``アク・バルス`` (one word at a time) → ``aku``, ``barusu``;
    a word starting ``ウラジ`` (``ウラジーミル``) reads ``vladi`` (``vladimiru``)."""
    out: list[str] = []
    double_next = False
    text = _katakana(text)
    if text.startswith("ウラジ"):  # Vladimir, Vladislav, Vladivostok: ウラジ is "vladi"
        out.append("vladi")
        text = text[3:]
    for char in text:
        if char == "ッ":
            double_next = True
            continue
        if char == "ー":
            continue
        if char in _SMALL_VOWELS:
            vowel = _SMALL_VOWELS[char]
            if out and out[-1] in {"u", "o"} and vowel != "wa":  # ウィ wi, ウォ wo
                out[-1] = "w" + vowel
            elif out and len(out[-1]) > 1:
                out[-1] = out[-1][:-1] + vowel  # ティ ti, ファ fa, ヴァ va, シェ she
            else:
                out.append(vowel)
            continue
        if char in _SMALL_Y:
            glide = _SMALL_Y[char]
            if out and out[-1] in {"shi", "chi", "ji"}:
                out[-1] = out[-1][:-1] + glide[1]  # シャ sha, チュ chu, ジョ jo
            elif out and len(out[-1]) > 1:
                out[-1] = out[-1][:-1] + glide  # キャ kya, ヴョ vyo
            else:
                out.append(glide)
            continue
        romaji = _KANA.get(char)
        if romaji is None:
            continue
        if double_next and romaji[0] not in "aeiou":
            romaji = ("t" if romaji.startswith("ch") else romaji[0]) + romaji
        double_next = False
        out.append(romaji)
    return "".join(out)


#: Kanji common words of Japanese transcriptions of foreign entity names, translated
#: (longest match first). An empty translation drops the word (``名称`` "named after").
KANJI_WORDS: dict[str, str] = {
    "工場": "plant", "製作所": "plant", "研究所": "institute", "研究院": "institute",
    "研究": "research", "科学": "scientific", "学術": "scientific", "技術": "technology",
    "工学": "engineering", "設計局": "design bureau", "設計": "design", "局": "bureau",
    "造船所": "shipbuilding plant", "造船": "shipbuilding", "船舶": "ship", "生産": "production",
    "製造": "production", "企業": "enterprise", "団体": "association", "公団": "association",
    "連合体": "association", "航空機": "aviation", "航空": "aviation", "修理": "repair",
    "機械": "machine", "機器": "instrument", "光学": "optical", "無線": "radio",
    "電子": "electronics", "電気": "electric", "通信": "communications",
    "中央": "central", "連邦": "federal", "国家": "state", "国立": "state", "国営": "state",
    "単一": "unitary", "統一": "united", "名称": "", "第": "", "支部": "branch",
    "支社": "branch", "大学": "university", "物理": "physics", "化学": "chemical",
    "情報": "information", "自動": "automation", "兵器": "weapons", "戦術": "tactical",
    "国防省": "ministry defence", "国防": "defence", "省": "ministry",
    "内務省": "ministry internal affairs", "宇宙": "space", "冶金": "metallurgical",
    "計測": "measurement", "精密": "precision", "高精度": "precision",
    "試験": "experimental", "実験": "experimental", "量子": "quantum", "新": "new",
    "会社": "company", "社": "company", "合弁": "joint venture", "複合体": "complex",
    "センター": "center", "開発": "development", "火薬": "powder", "工業": "industrial",
    "産業": "industrial", "貿易": "trading", "商社": "trading", "有限": "limited",
    "特殊": "special", "特別": "special", "動力": "power", "推進": "propulsion",
    "原子力": "atomic", "原子": "atomic", "エネルギー": "energy", "国際": "international",
    "国有": "state", "株式": "stock", "公開": "public", "記念": "", "勲章": "order",
    "共和国": "republic", "保安": "security", "委員会": "committee", "庁": "service",
    "本部": "directorate", "総局": "directorate", "部隊": "unit", "アカデミー": "academy",
    "予算": "budgetary", "機関": "institution", "航法": "navigation", "時刻": "time",
    "極東": "far east", "海洋": "marine", "固体": "solid state", "半導体": "semiconductor",
    "協力": "cooperation", "軍事": "military", "規制": "regulation", "計量": "metrology",
    "基金": "fund", "先進": "advanced", "応用": "applied", "音響": "acoustics",
    "理論": "theoretical", "流体力学": "hydrodynamics", "鉄鋼": "steel", "遠隔": "remote",
    "装置": "device", "観測": "measurement", "全": "all", "電波": "radio", "高": "high",
    "汎用": "dual use", "経済": "economic", "対外": "foreign", "民間": "civil",
    "法人": "corporation", "公共": "public", "事業組合": "partnership", "参謀本部": "general staff",
    "情報総局": "main intelligence directorate", "連邦保安庁": "federal security service",
    "対外諜報庁": "foreign intelligence service", "諜報": "intelligence", "数学": "mathematics",
    "物理学": "physics", "工業用": "industrial", "制御": "control", "電気工学": "electrical",
    "集積回路": "integrated circuit", "自動車": "automobile", "労働組合": "trade union",
    "組織": "organization", "ミサイル": "missile", "ロケット": "rocket", "宇宙船": "spacecraft",
    "宇宙飛行": "spaceflight", "航空宇宙": "aerospace", "造兵廠": "arsenal", "兵器廠": "arsenal",
    "潜水艦": "submarine", "艦船": "ship", "核": "nuclear", "銀行": "bank",
    "飛行": "flight", "支援": "support", "組立": "assembly", "専門": "special",
    "周年": "anniversary", "記念日": "anniversary", "戦勝": "victory", "問題": "problems",
    "建設": "production", "建築": "production", "組合": "union",
    "計器": "instrument", "機材": "instrument", "器具": "instrument",
    "衛星": "satellite", "抵抗器": "resistor", "州": "region", "地域": "region",
    "地方": "region", "執行": "executive", "ラジオ": "radio", "電気機械": "electric machine",
    "電気技術": "electric technology", "無線技術": "radio technology", "製品": "products",
    "部品": "components", "材料": "materials", "金属": "metals", "合金": "alloys",
    "鉱業": "mining", "鉄道": "railway", "車両": "vehicles", "弾薬": "ammunition",
    "爆薬": "explosives", "装甲": "armored", "戦車": "tank", "防衛": "defence",
    "警察": "police", "陸軍": "army", "海軍": "navy", "空軍": "air force",
    "病院": "hospital", "医療": "medical", "協会": "association", "連合": "union",
    "輸出": "export", "輸入": "import", "物流": "logistics", "運輸": "transport",
    "計算機": "computer", "計算": "computing", "光電子": "optoelectronics",
    "電子工学": "electronics", "北方": "northern", "東部": "eastern", "西部": "western",
    "管制": "control", "管理": "management", "油圧": "hydraulics", "調査": "research",
    "深海": "deep sea", "法科学": "forensic", "戦略": "strategic", "政府": "government",
    "集合": "collective", "波": "wave", "本局": "head bureau", "軍": "forces", "地理": "geo",
}

#: Katakana words read in their English spelling (loanwords cutlet may not know).
KATAKANA_WORDS: dict[str, str] = {
    "コンツェルン": "concern", "センター": "center", "コーポレーション": "corporation",
    "カンパニー": "company", "リミテッド": "limited", "テクノロジー": "technology",
    "テクノロジーズ": "technology", "テクノロジ": "technology", "プラント": "plant",
    "システム": "systems", "システムズ": "systems", "エレクトロニクス": "electronics",
    "エレクトロニック": "electronics", "エンジニアリング": "engineering",
    "トレーディング": "trading", "トレード": "trading", "インダストリー": "industry",
    "インダストリーズ": "industry", "インダストリアル": "industrial",
    "ソリューションズ": "solutions", "ソリューション": "solutions", "グループ": "group",
    "ホールディングス": "holding", "ホールディング": "holding", "サービス": "services",
    "アビエーション": "aviation", "エアロスペース": "aerospace", "ミサイル": "missile",
    "アカデミー": "academy", "インターナショナル": "international", "コンプレックス": "complex",
    "エネルギー": "energy", "ロシア": "russian", "ベラルーシ": "belarus", "チャイナ": "china",
    "ホンコン": "hong kong", "ハードウェア": "hardware", "レーダー": "radar",
    "オートメーション": "automation", "エンジン": "engine", "モジュール": "module",
    "リサーチ": "research", "ラボラトリー": "laboratory", "ファクトリー": "plant",
    "マニュファクチャリング": "manufacturing", "ロジスティクス": "logistics",
    "エクスポート": "export", "インポート": "import", "ジョイント": "joint",
    "ストック": "stock", "アンド": "and", "ヘッド": "head", "マイクロエレクトロニクス":
    "microelectronics", "ラジオエレクトロニクス": "radioelectronics",
    # Turkish legal and business words as katakana writes them (dropped like their Latin)
    "ティジャーレット": "ticaret", "ティジャーレト": "ticaret", "サナーイ": "sanayi",
    "サナイ": "sanayi", "ヴェ": "ve", "ドゥシュ": "dis", "アノニム": "anonim",
    "シルケティ": "sirketi",
    # common loanwords of company names (also where a katakana compound is cut)
    "タービン": "turbine", "モーター": "motor", "トラクター": "tractor", "ケミカル": "chemical",
    "メタル": "metal", "オイル": "oil", "パワー": "power", "エナジー": "energy",
    "ネットワーク": "network", "ソフトウェア": "software", "コンピューター": "computer",
    "コンピュータ": "computer", "デザイン": "design", "ビューロー": "bureau",
    "インスティテュート": "institute", "マシン": "machine", "マシナリー": "machinery",
    "コミュニケーションズ": "communications", "コミュニケーション": "communications",
    "テレコム": "communications", "ラジオ": "radio", "ヘリコプター": "helicopter",
    "オプティクス": "optics", "フォトニクス": "photonics", "レーザー": "laser",
    "セミコンダクター": "semiconductor", "ロボティクス": "robotics", "ドローン": "drone",
}

#: Latin words folded to one English word (translations, transliterated Russian words,
#: plural and adjective forms).
CONCEPTS: dict[str, str] = {
    "zavod": "plant", "factory": "plant", "works": "plant", "mill": "plant",
    "eastern": "east",
    "plants": "plant", "zavody": "plant", "institut": "institute", "nii": "institute",
    "institutes": "institute", "science": "scientific", "sciences": "scientific",
    "nauchno": "scientific", "nauchny": "scientific", "nauchnyi": "scientific",
    "scientifi": "scientific", "technological": "technology", "technical": "technology",
    "technologies": "technology", "tekhnologii": "technology", "tech": "technology",
    "byuro": "bureau", "buro": "bureau", "konstruktorskoe": "design", "kb": "design bureau",
    "okb": "design bureau",     "proizvodstvennoe": "production", "proizvodstvennoye": "production",
    "manufacturing": "production", "predpriyatie": "enterprise", "enterprises": "enterprise",
    "obedinenie": "association", "obyedineniye": "association", "aircraft": "aviation",
    "aviatsionny": "aviation", "aviatsionnyi": "aviation", "aeronautical": "aviation",
    "airlines": "aviation", "remontny": "repair", "sudoremontny": "repair",
    "repairs": "repair", "mechanical": "machine", "machinery": "machine",
    "machines": "machine", "machinebuilding": "machine", "mashinostroitelny": "machine",
    "instruments": "instrument", "instrumentation": "instrument", "pribor": "instrument",
    "optics": "optical", "electronic": "electronics", "elektronika": "electronics",
    "electrical": "electric", "communication": "communications", "telecommunications":
    "communications", "svyaz": "communications", "tsentralny": "central",
    "tsentralnyi": "central", "tsentr": "center", "centre": "center", "centers": "center",
    "federalnoe": "federal", "gosudarstvennoe": "state", "national": "state",
    "unitarnoe": "unitary", "affiliate": "branch", "filial": "branch",
    "physical": "physics", "chemistry": "chemical", "chemicals": "chemical",
    "automatics": "automation", "automatic": "automation", "avtomatika": "automation",
    "weapon": "weapons", "arms": "weapons", "defense": "defence", "ministry": "ministry",
    "internal": "internal", "metallurgy": "metallurgical", "measuring": "measurement",
    "testing": "experimental", "test": "experimental", "research": "research",
    "issledovatelski": "research", "issledovatelskiy": "research",
    "issledovatelsky": "research", "companies": "company", "kontsern": "concern",
    "industries": "industry", "industrial": "industry", "system": "systems",
    "solution": "solutions", "service": "services", "complexes": "complex",
    "kompleks": "complex", "laboratories": "laboratory", "lab": "laboratory",
    "trade": "trading", "traders": "trading", "engineer": "engineering",
    "engines": "engine", "modules": "module", "propulsion": "propulsion",
    "atomnaya": "atomic", "nuclear": "atomic", "power": "power", "energetics": "energy",
    "russia": "russian", "rossiiskoi": "russian", "rossiyskaya": "russian",
    "directorate": "directorate", "administration": "directorate",
    "budget": "budgetary", "byudzhetnoe": "budgetary", "uchrezhdenie": "institution",
    "agency": "service", "sluzhba": "service", "metrology": "metrology",
    "military": "military", "voenno": "military", "applied": "applied",
    "automobile": "automobile", "avtomobilny": "automobile", "automotive": "automobile",
    "building": "production", "foundation": "fund", "equipment": "instrument",
    "devices": "instrument", "device": "instrument",
    "construction": "production", "problem": "problems",
    # compounds that Japanese writes as two words (電気機械, 電気技術, 無線技術)
    "electromechanical": "electric machine", "electrotechnical": "electric technology",
    "electrotechnics": "electric technology", "radiotechnical": "radio technology",
    "radiotechnics": "radio technology", "radioengineering": "radio engineering",
    "radioelectronic": "radio electronics", "radioelectronics": "radio electronics",
    "optomechanical": "optical machine", "instrumentmaking": "instrument production",
    "gunpowder": "powder", "office": "bureau", "interior": "internal",
    "distance": "remote", "circuits": "circuit", "satellites": "satellite",
    "oblast": "region", "regional": "region", "resistors": "resistor",
    # Turkish business words
    "elektronik": "electronics", "elektrik": "electric", "teknoloji": "technology",
    "makina": "machine", "bilgisayar": "computer", "muhendislik": "engineering",
    # Russian acronyms of institution kinds, as Japanese lists translate them
    "npo": "scientific production association", "npp": "scientific production enterprise",
    "nauchno-proizvodstvennoe": "scientific production",
    "managing": "management", "hydraulic": "hydraulics", "forensics": "forensic",
    "shipyard": "shipbuilding plant", "shipyards": "shipbuilding plant",
    "verf": "shipbuilding plant",
    "telemechanical": "remote machine", "telemechanics": "remote machine",
    "specialized": "special", "specialised": "special", "governmental": "government",
    "microwave": "micro wave", "troops": "forces", "geoinformation": "geo information",
}

#: Words a reading leaves out (joiners, "named after", Russian and Turkish legal-form
#: words that the company-form list of :mod:`econsec.screening.names` does not hold).
DROPPED = frozenset({
    "named", "after", "im", "imeni", "na", "of", "and", "the", "for", "a", "in", "at",
    "v", "i", "s", "joint", "stock", "public", "open", "closed", "aktsionernoe",
    "aktsionernoye", "obshchestvo", "obshestvo", "otkrytoe", "zakrytoe", "publichnoe",
    "sirketi", "sti", "ltd", "limited", "liability", "company", "co", "corporation",
    "corp", "inc", "llc", "jsc", "ojsc", "cjsc", "pjsc", "ao", "pao", "oao", "zao", "ooo",
    "fsue", "fgup", "gup", "fgbu", "tov", "llp", "plc", "gmbh", "fze", "fzco", "fzc",
    "dmcc", "ve", "tic", "ticaret", "san", "sanayi", "dis", "as", "group", "holding",
    "holdings", "pvt", "sdn", "bhd", "pte", "fz", "anonim", "venture",
})


_CLASSES = str.maketrans({"c": "K", "k": "K", "q": "K", "g": "G", "s": "S", "z": "S",
                          "j": "J", "f": "H", "h": "H", "v": "V", "b": "B", "w": "",
                          "p": "P", "t": "T", "d": "D", "l": "R", "r": "R", "m": "M",
                          "n": "N", "y": "i"})
_DIGRAPHS = (("shch", "S"), ("sch", "S"), ("tch", "J"), ("dzh", "J"), ("zh", "J"),
             ("ch", "J"), ("sh", "S"), ("ts", "S"), ("tz", "S"), ("dz", "S"), ("kh", "H"),
             ("ph", "H"), ("th", "S"), ("gh", "G"), ("ck", "K"), ("qu", "K"), ("x", "KS"))
_SLOT = re.compile(r"([A-Z0-9]?)([aeiou]*)")


@lru_cache(maxsize=100_000)
def reading_parts(token: str) -> tuple[str, tuple[str, ...]]:
    """(consonant skeleton, vowel slots) of one lower-case Latin word: the skeleton as in
    :func:`reading_key`, and the vowels after each of its letters (the first slot holds the
    vowels before the first consonant when the skeleton starts with ``A``):
    ``almaz`` → (``ARMS``, (``a``, ````, ``a``, ````))."""
    t = token.lower()
    for old, new in _DIGRAPHS:
        t = t.replace(old, new)
    t = re.sub(r"c(?=[eiy])", "S", t).translate(_CLASSES)
    t = re.sub(r"[^A-Z0-9aeiou]", "", t)
    t = re.sub(r"([A-Z0-9])\1+", r"\1", t)  # doubled letters, ッ
    t = re.sub(r"([aeiou])\1+", r"\1", t)
    t = re.sub(r"V(?=[KSTPH]|$)", "H", t).replace("V", "B")
    t = re.sub(r"N(?=[BPM])", "M", t)
    t = re.sub(r"([A-Z])\1+", r"\1", t)
    skeleton = ""
    slots: list[str] = []
    for consonant, vowels in _SLOT.findall(t):
        if not consonant and not vowels:
            continue
        if not consonant:
            skeleton += "A"
        skeleton += consonant
        slots.append(vowels)
    return skeleton, tuple(slots)


def reading_key(token: str) -> str:
    """The consonant skeleton of one lower-case Latin word (see the module docstring):
    ``almaz`` and ``arumazu`` → ``ARMS``; ``tikhomirov`` and ``tihomirofu`` → ``THMRH``
    (a ``v`` at the end or before a voiceless consonant is ``H``, as katakana writes
    Russian ``-ov`` ``-オフ``)."""
    return reading_parts(token)[0]


def _loanword(word: str) -> str | None:
    """The English spelling of a katakana loanword, if known."""
    if word in KATAKANA_WORDS:
        return KATAKANA_WORDS[word]
    from econsec.screening.names import hepburn, hepburn_loanwords

    plain, foreign = hepburn(word), hepburn_loanwords(word)
    if foreign != plain and foreign.isascii():
        return foreign
    return None


def _translate_han(run: str) -> list[str]:
    """Kanji common words of ``run`` translated (longest match first); the kanji between
    them read in Hepburn (``東京`` → ``tokyo``), as a name written in kanji would be."""
    from econsec.screening.names import hepburn

    words: list[str] = []
    rest = ""
    i = 0
    keys = _kanji_keys()
    while i < len(run):
        for key in keys:
            if run.startswith(key, i):
                if rest:
                    words += _LATIN_RUN.findall(hepburn(rest))
                    rest = ""
                words += KANJI_WORDS[key].split()
                i += len(key)
                break
        else:
            rest += run[i]
            i += 1
    if rest:
        words += _LATIN_RUN.findall(hepburn(rest))
    return words


@lru_cache(maxsize=1)
def _kanji_keys() -> tuple[str, ...]:
    return tuple(sorted(KANJI_WORDS, key=len, reverse=True))


def reading_token(word: str) -> str:
    """``SKELETON:slots`` of one word, the vowel slots joined by dots
    (``almaz`` → ``ARMS:a..a.``, ``arumazu`` → ``ARMS:a.u.a.u``)."""
    skeleton, slots = reading_parts(word)
    return f"{skeleton}:{'.'.join(slots)}" if skeleton else ""


@lru_cache(maxsize=200_000)
def split_reading(token: str) -> tuple[str, str]:
    """(skeleton, vowels in order) of a reading token."""
    skeleton, _, slots = token.partition(":")
    return skeleton, slots.replace(".", "")


#: Vowels katakana adds after a consonant that has none (``ル`` ru for ``l``).
EPENTHETIC = frozenset({"u", "o", "i"})


@lru_cache(maxsize=200_000)
def slot_agreement(a: str, b: str) -> float:
    """Share of vowel slots on which two readings with the same skeleton agree: equal,
    one a prefix or suffix of the other, or one empty where katakana adds a vowel
    (``u``, ``o``, ``i``); 1 when there is nothing to compare."""
    sa, sb = a.partition(":")[2].split("."), b.partition(":")[2].split(".")
    if len(sa) != len(sb):
        return 0.0
    counted = agree = 0
    for x, y in zip(sa, sb, strict=True):
        if x == y or (not x and y in EPENTHETIC) or (not y and x in EPENTHETIC):
            if x:
                counted += 1
                agree += 1
            continue
        counted += 1
        if x and y and (x.startswith(y) or y.startswith(x) or x.endswith(y) or y.endswith(x)):
            agree += 1
    return agree / counted if counted else 1.0


def non_rhotic(token: str) -> str | None:
    """The reading token without the ``R`` of a vowel + ``r`` before a consonant or at
    the end of a word, as katakana writes English and Russian ``ar``/``er``/``or`` with a
    long vowel (``Kranark`` ``KRNRK`` → ``KRNK``, クラナーク; ``Superchip`` → スーパーチップ);
    ``None`` when there is no such ``R``."""
    skeleton, _, joined = token.partition(":")
    slots = joined.split(".")
    if "R" not in skeleton[1:] or len(slots) != len(skeleton):
        return None
    keep_sk: list[str] = []
    keep_slots: list[str] = []
    dropped = False
    for i, (letter, vowels) in enumerate(zip(skeleton, slots, strict=True)):
        if letter == "R" and i > 0 and not vowels and slots[i - 1] and keep_sk:
            dropped = True
            continue
        keep_sk.append(letter)
        keep_slots.append(vowels)
    if not dropped:
        return None
    return f"{''.join(keep_sk)}:{'.'.join(keep_slots)}"


#: An English plural ``s`` after a consonant other than ``s``, or after ``e`` (a final
#: ``as``, ``is``, ``os``, ``us`` is no plural: Polyus, Zixis).
_PLURAL = re.compile(r"(?<=[b-hj-np-rt-z])s$")
#: Ordinal suffixes of numbers (``33rd``, ``5th``): 第33 is read ``33``.
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def _fold(words: list[str]) -> tuple[str, ...]:
    keys = []
    for word in words:
        if len(word) > 4 and word not in CONCEPTS:
            word = _PLURAL.sub("", word)  # katakana drops English plurals (Tractors)
        word = _ORDINAL.sub(r"\1", word)
        word = CONCEPTS.get(word, word)
        for part in word.split():
            if part in DROPPED:
                continue
            key = reading_token(part)
            if key:
                keys.append(key)
    return tuple(keys)


#: Fewest kana a known word must have to be split off a longer katakana run.
_SPLIT_MIN = 3


@lru_cache(maxsize=1)
def _katakana_keys() -> tuple[str, ...]:
    return tuple(sorted((k for k in KATAKANA_WORDS if len(k) >= _SPLIT_MIN),
                        key=len, reverse=True))


def split_katakana(word: str) -> list[str]:
    """A katakana run cut where it begins or ends with a known word of
    :data:`KATAKANA_WORDS` (``ロシアヘリコプター`` → ``ロシア``, ``ヘリコプター``;
    ``ベルオモホールディング`` → ``ベルオモ``, ``ホールディング``), leaving two kana at least
    of the rest; the run itself when it holds no such word."""
    if word in KATAKANA_WORDS:
        return [word]
    head: list[str] = []
    tail: list[str] = []
    rest = word
    changed = True
    while changed:
        changed = False
        for key in _katakana_keys():
            if len(rest) - len(key) < 2:
                continue
            if rest.endswith(key):
                tail.insert(0, key)
                rest = rest[:-len(key)]
                changed = True
                break
            if rest.startswith(key):
                head.append(key)
                rest = rest[len(key):]
                changed = True
                break
    return [*head, rest, *tail]


def word_readings(word: str) -> tuple[str, ...]:
    """The reading tokens of one lower-case Latin word as a name's reading holds them
    (plural cut, concept folded, dropped words left out)."""
    return _fold([word])


def reading_forms(text: str) -> list[tuple[str, ...]]:
    """The readings of a cleaned, case-folded name (legal forms already cut out or not):
    one per way of reading its katakana words (romaji; English spelling of loanwords).

    Latin words are split at hyphens (``Ulan-Ude`` reads like ``ウラン・ウデ``); kanji
    common words are translated (:data:`KANJI_WORDS`), other kanji left out."""
    plain: list[str] = []
    loan: list[str] = []
    kana_seen = False
    for match in _TOKEN.finditer(text):
        run = match.group()
        if _KATAKANA_WORD.fullmatch(run):
            kana_seen = True
            romaji = kana_romaji(run)
            plain.append(KATAKANA_WORDS.get(_katakana(run), romaji))
            for part in split_katakana(_katakana(run)):
                english = _loanword(part)
                loan += (english or kana_romaji(part)).split()
        elif _HAN_RUN.fullmatch(run):
            words = _translate_han(run)
            plain += words
            loan += words
        else:
            plain.append(run)
            loan.append(run)
    forms = [_fold(plain)]
    if kana_seen:
        forms.append(_fold(loan))
    return [f for i, f in enumerate(forms) if f and f not in forms[:i]]
