"""Name normalisation across scripts: every name becomes one or more comparable Latin forms.

Pipeline for one name (:func:`normalise_name`):

0. :func:`clean_text`: Unicode NFKC (full-width letters, ``㈱`` → ``(株)``); format
   characters removed (every Unicode category ``Cf`` character: zero-width space, joiner and
   non-joiner, soft hyphen, byte-order mark, bidi marks); Cyrillic and Greek letters that
   look like Latin ones folded to Latin inside Latin words (``Тоyota`` with a Cyrillic
   ``Т``), other Cyrillic words transliterated (``Ростех`` → ``rostekh``).
1. Case folding.
2. Company forms are cut out and remembered (:data:`COMPANY_FORMS`): ``株式会社``, ``(株)``,
   ``Kabushiki Kaisha``, ``K.K.``, ``Co., Ltd.``, ``有限公司``, ``GmbH`` … all fold to one
   canonical form so that ``株式会社東芝`` and ``Toshiba Corporation`` compare on ``toshiba``.
3. Script-specific transliteration of what remains:

   * Japanese (any kana, or kanji): Hepburn romaji by MeCab/UniDic through ``cutlet``;
   * Chinese (any Han character): traditional → simplified by OpenCC (``t2s``), then pinyin
     without tones (``pypinyin``), both syllable by syllable and joined per word;
   * kanji-only names are ambiguous between Japanese and Chinese: both readings are kept;
   * a small glossary turns generic business words into English (``自動車`` → ``motor``,
     ``技术`` → ``technology``) for an extra form.
4. Latin text: diacritics removed (``ō`` → ``o``), punctuation dropped, long vowels folded
   (:func:`fold_long_vowels`: ``ou``/``oo``/``oh`` → ``o``, ``uu`` → ``u``), generic-word
   synonyms folded (``technologies`` → ``technology``).

5. A **reading** form (:mod:`econsec.screening.reading`): consonant skeletons on which a
   katakana transcription and the Latin name agree (``アルマズ株式会社`` and ``Almaz JSC``
   both read ``ARMS``), compared only with other readings.

Token comparison (:func:`token_similarity`) uses rapidfuzz's normalised Levenshtein
similarity plus a small phonetic key (:func:`phonetic_key`, a metaphone-like skeleton) so
that transliteration variants (Mohammed / Muhammad) agree. Common Japanese family and given
names that differ (Sato / Saito, Taro / Jiro) are known to be different names and are not
taken for typos of each other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from econsec.screening.reading import KANJI_WORDS, non_rhotic, reading_forms
from econsec.suggest import fold_text, strip_diacritics

_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ee", "e"), ("ii", "i"))


def fold_long_vowels(token: str) -> str:
    """Fold Japanese long vowels the way romanisations differ: ``ou``/``oo``/``oh`` → ``o``,
    ``uu`` → ``u`` (also ``aa``, ``ee``, ``ii``); ``Satou``, ``Satoh``, ``Satō`` → ``sato``.

    ``oh`` is folded only before a consonant or at the end (``Ohno`` → ``ono``, not
    ``Ohashi`` … which also folds, deliberately, because ``Ōhashi`` is written so)."""
    for long, short in _LONG_VOWELS:
        while long in token:
            token = token.replace(long, short)
    token = re.sub(r"oh(?=[^aeiouy]|$)", "o", token)
    # Final -y after a consonant is the English spelling of a final -i (Sony / Sonii).
    return re.sub(r"(?<=[^aeiou])y$", "i", token)


#: Company forms written in CJK scripts (matched on the NFKC text, longest first).
CJK_COMPANY_FORMS: tuple[str, ...] = tuple(sorted((
    "非公開株式会社", "公開株式会社", "公共株式会社", "閉鎖型株式会社", "有限責任会社",
    "有限責任事業組合", "股份有限公司", "有限责任公司", "有限責任公司", "株式会社", "有限会社",
    "合同会社",
    "合資会社", "合名会社", "有限公司", "集团公司", "集團公司", "控股集团", "控股集團",
    "ホールディングス", "グループ", "(株)", "(有)", "(合)", "集团", "集團", "公司",
    "控股",
), key=len, reverse=True))

#: Company forms in Latin script, as token sequences after normalisation (longest first).
LATIN_COMPANY_FORMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(fold_long_vowels(t) for t in form.split())
    for form in sorted(
        [
            "kabushiki kaisha", "kabushiki gaisha", "kabushikigaisha", "kabushikikaisha",
            "yugen kaisha", "yugen gaisha", "godo kaisha", "godo gaisha", "gomei kaisha",
            "goshi kaisha", "kk", "yk", "gk", "co ltd", "company limited", "co limited",
            "corporation", "corp", "company", "co", "ltd", "limited", "inc",
            "incorporated", "llc", "llp", "lp", "plc", "gmbh", "ag", "sa", "sas", "sarl",
            "spa", "srl", "bv", "nv", "oy", "ab", "pte ltd", "pty ltd", "pte", "pty",
            "holdings", "holding", "hd", "hldgs", "group", "grp", "jsc", "pjsc", "ojsc",
            "ooo", "zao", "oao", "se", "kg", "kgaa", "as", "asa", "oyj",
            "limited liability company", "public limited company", "aktiebolag",
            "aktiengesellschaft", "gesellschaft mit beschrankter haftung",
            "societe anonyme", "sociedad anonima", "societa per azioni",
            "besloten vennootschap", "naamloze vennootschap", "private limited",
            "youxian gongsi", "gufen youxian gongsi", "jituan", "co ltd group",
            "ao", "pao", "cjsc", "fsue", "fgup", "joint stock company",
            "public joint stock company", "open joint stock company",
            "closed joint stock company", "aktsionernoe obshchestvo",
        ],
        key=lambda f: -len(f.split()),
    )
)

#: Generic business words in CJK scripts with their English equivalent (a glossary, not a
#: translator: it only feeds an additional comparison form). Keys in Japanese and in
#: simplified Chinese (traditional text is converted to simplified first).
CJK_GLOSSARY: dict[str, str] = {
    # Japanese
    "自動車": "motor", "重工業": "heavy industry", "工業": "industry", "電機": "electric",
    "電気": "electric", "電子": "electronics", "製作所": "works", "化学": "chemical",
    "商事": "trading", "物産": "trading", "通信": "communications", "銀行": "bank",
    "技研": "technology", "精機": "precision", "製鉄": "steel", "鉄鋼": "steel",
    "電力": "power", "製薬": "pharmaceutical", "半導体": "semiconductor",
    "機械": "machinery", "建設": "construction", "海運": "shipping", "航空": "airlines",
    "証券": "securities", "印刷": "printing", "保険": "insurance", "不動産": "real estate",
    "テクノロジー": "technology",
    "エレクトロニクス": "electronics", "インターナショナル": "international",
    "システムズ": "systems", "システム": "systems",
    # Chinese (simplified)
    "技术": "technology", "科技": "technology", "电子": "electronics", "电气": "electric",
    "电器": "electric", "工业": "industry", "重工": "heavy industry", "汽车": "motor",
    "化工": "chemical", "银行": "bank",
    "国际": "international", "贸易": "trading", "电力": "power", "能源": "energy",
    "半导体": "semiconductor", "机械": "machinery", "材料": "materials", "光学": "optical",
    "精密": "precision", "钢铁": "steel", "制药": "pharmaceutical", "建设": "construction",
    "海运": "shipping", "证券": "securities", "保险": "insurance",
    "网络": "network", "软件": "software", "微电子": "microelectronics",
    "集成电路": "integrated circuit", "设备": "equipment", "系统": "systems",
}

#: Latin spellings of the glossary words folded to one token (plural, adjective forms).
LATIN_SYNONYMS: dict[str, str] = {
    "technologies": "technology", "tech": "technology", "technological": "technology",
    "industries": "industry", "industrial": "industry", "motors": "motor",
    "electrical": "electric", "electronic": "electronics", "chemicals": "chemical",
    "trade": "trading", "communication": "communications", "telecom": "communications",
    "banking": "bank", "semiconductors": "semiconductor", "materials": "materials",
    "material": "materials", "system": "systems", "pharmaceuticals": "pharmaceutical",
    "pharma": "pharmaceutical", "airline": "airlines", "optics": "optical",
    "machines": "machinery", "intl": "international", "mfg": "works",
    "manufacturing": "works", "print": "printing",
}

#: Generic words weigh less than distinctive ones when names are compared.
GENERIC_WORDS: frozenset[str] = frozenset(
    {w for v in CJK_GLOSSARY.values() for w in v.split()}
    | set(LATIN_SYNONYMS.values())
    | {"manufacturing", "works", "global", "national", "general", "energy", "heavy",
       "power", "services", "solutions", "trading", "of", "and", "the", "new", "china",
       "japan", "jidosha", "kogyo", "denki", "denshi", "gijutsu", "jishu", "keji",
       "seisakusho", "shoji", "busan", "kagaku", "ginko", "real", "estate"}
)
#: Articles written joined or apart (``Al Farsi`` / ``Al-Farsi`` / ``Alfarsi``).
ARTICLES = frozenset({"al", "el", "ul"})
STOPWORDS = frozenset({"the", "and", "of", "&", "und", "et", "de"})
GENERIC_WEIGHT = 0.35

#: Common Japanese family and given names (Hepburn, long vowels folded). Two different
#: names from this list are different names, not typos of each other.
_KNOWN_NAMES_TEXT = """sato saito suzuki takahashi tanaka ito kato goto endo watanabe
    yamamoto nakamura
    kobayashi yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu
    yamazaki mori abe ikeda hashimoto yamashita ishikawa nakajima maeda fujita ogawa
    okada hasegawa murakami kondo ishii sakamoto aoki fujii nishimura fukuda ota miura
    okamoto matsuda nakagawa nakano harada ono tamura takeuchi kaneko wada nakayama
    ishida ueda morita hara shibata sakai kudo yokoyama miyazaki miyamoto uchida
    takagi ando taniguchi maruyama imai takada fujiwara murata kono sugiyama
    taro jiro saburo ichiro hiroshi takashi akira makoto kenji yuki yuko yoko keiko
    naoko hanako kenta shota daiki haruto sota yuto hina yui aoi sakura kazuo masao
    yoshio tadashi minoru osamu satoshi tsuyoshi hideo kenichi shinji koji yuji
    hiroki naoki kaito ren riku mei yua"""
KNOWN_NAMES: frozenset[str] = frozenset(fold_long_vowels(n) for n in _KNOWN_NAMES_TEXT.split())

#: Method name of the cross-script reading forms.
READING = "reading"
_DOUBLE_VOWEL = re.compile(r"aa|ee|ii|oo|uu|ou|oh")
_APOSTROPHES = re.compile(r"['’`´ʹʼ]")
_PUNCT_DOT = re.compile(r"[.'’`´\-‐‑–]")
#: Latin letters NFKD does not decompose.
_SPECIAL_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d",
                                  "ð": "d", "þ": "th", "ł": "l", "ı": "i", "ħ": "h"})
_NON_WORD = re.compile(r"[^\w]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


#: Cyrillic and Greek letters that look like Latin letters (folded inside Latin words).
CONFUSABLES: dict[str, str] = dict(zip(
    "аеорсхуіјѕԁԛԝһӏвкмнтүёїАВЕКМНОРСТХУІЈЅԚԜҮαβεικνορτυχωΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcxyijsdqwhlbkmhtyeiABEKMHOPCTXYIJSQWYabeiknoptuxwABEZHIKMNOPTYX", strict=True))
#: Cyrillic → Latin transliteration of whole Cyrillic words (a simplified BGN/PCGN).
CYRILLIC_LATIN: dict[str, str] = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўј",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o",
     "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e",
     "yu", "ya", "i", "yi", "ye", "g", "u", "j"], strict=True))
_CYRILLIC_GREEK = re.compile(r"[Ͱ-ϿЀ-ԯ]")
_LATIN_LETTER = re.compile(r"[a-zA-ZÀ-ɏ]")
_WORD = re.compile(r"\S+")


def strip_format_characters(text: str) -> str:
    """Remove every format character (Unicode category ``Cf``): zero-width space, joiner
    and non-joiner, soft hyphen, byte-order mark, bidi marks, word joiner …
    ``To\u200bto`` → ``Toto``."""
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def fold_confusables(text: str) -> str:
    """Cyrillic/Greek look-alikes folded to Latin in words that contain Latin letters (or
    made only of look-alikes in a name that has Latin words): ``Тоtо`` → ``Toto``. Other
    Cyrillic words are transliterated (``Ростех`` → ``rostekh``)."""
    if not _CYRILLIC_GREEK.search(text):
        return text
    has_latin = bool(_LATIN_LETTER.search(text))

    def word(m: re.Match[str]) -> str:
        w = m.group()
        if not _CYRILLIC_GREEK.search(w):
            return w
        look_alike = all(c in CONFUSABLES or not _CYRILLIC_GREEK.match(c) for c in w)
        if _LATIN_LETTER.search(w) or (has_latin and look_alike):
            return "".join(CONFUSABLES.get(c, c) for c in w)
        return "".join(CYRILLIC_LATIN.get(c.lower(), c) if _CYRILLIC_GREEK.match(c) else c
                       for c in w)

    return _WORD.sub(word, text)


def clean_text(text: str) -> str:
    """NFKC, format characters removed, confusables folded (lists and queries alike)."""
    return fold_confusables(strip_format_characters(unicodedata.normalize("NFKC", text)))


@dataclass(frozen=True)
class NameForm:
    """One comparable form of a name: Latin tokens and how they were obtained."""

    tokens: tuple[str, ...]
    method: str  # "latin", "Hepburn", "pinyin", "glossary", "reading"

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@dataclass(frozen=True)
class NormalisedName:
    """A name with its comparable forms and the company form found in it (if any)."""

    original: str
    forms: tuple[NameForm, ...]
    company_forms: tuple[str, ...] = field(default=())

    @property
    def script(self) -> str:
        if _KANA.search(self.original):
            return "ja"
        if _HAN.search(self.original):
            return "han"
        return "latin"


def latin_tokens(text: str) -> list[str]:
    """Lower-case ASCII tokens: diacritics removed (``ø`` → ``o``, ``ß`` → ``ss``), dots,
    apostrophes and hyphens joined (``K.K.`` → ``kk``, ``Shin-Etsu`` → ``shinetsu``),
    other punctuation a separator, long vowels folded."""
    text = strip_diacritics(clean_text(text)).casefold()
    text = text.translate(_SPECIAL_LETTERS)
    text = _PUNCT_DOT.sub("", text)
    tokens: list[str] = []
    for raw in _NON_WORD.split(text):
        if not raw or raw in STOPWORDS:
            continue
        if tokens and tokens[-1] in ARTICLES:
            raw = tokens.pop() + raw
        token = fold_long_vowels(raw.replace("_", ""))
        tokens.append(LATIN_SYNONYMS.get(token, token))
    return tokens


def split_company_forms(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Remove Latin company-form token sequences; return (core tokens, forms found).

    A form is only removed when some other token remains (``Co`` alone stays a name)."""
    core: list[str] = []
    found: list[str] = []
    i = 0
    while i < len(tokens):
        for form in LATIN_COMPANY_FORMS:
            n = len(form)
            if tuple(tokens[i:i + n]) == form and len(tokens) - n >= 1:
                found.append(" ".join(form))
                i += n
                break
        else:
            core.append(tokens[i])
            i += 1
    if not core:
        return tokens, []
    return core, found


def _strip_cjk_company_forms(text: str) -> tuple[str, list[str]]:
    found = []
    for form in CJK_COMPANY_FORMS:
        if form in text and text.replace(form, "").strip():
            found.append(form)
            text = text.replace(form, " ")
    return text, found


@lru_cache(maxsize=1)
def _cutlet():
    import cutlet

    katsu = cutlet.Cutlet()
    katsu.use_foreign_spelling = False
    return katsu


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=200_000)
def hepburn(text: str) -> str:
    """Hepburn romaji of Japanese text (cutlet on MeCab/UniDic), lower case, not folded."""
    return _cutlet().romaji(text).casefold().replace("/", " ")


@lru_cache(maxsize=1)
def _cutlet_foreign():
    import cutlet

    katsu = cutlet.Cutlet()
    katsu.use_foreign_spelling = True
    return katsu


@lru_cache(maxsize=200_000)
def hepburn_loanwords(text: str) -> str:
    """Hepburn romaji with katakana loanwords in their English spelling
    (``東京エレクトロン`` → ``tokyo electron``)."""
    return _cutlet_foreign().romaji(text).casefold().replace("/", " ")


@lru_cache(maxsize=200_000)
def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``); other text unchanged."""
    return _t2s().convert(text)


@lru_cache(maxsize=200_000)
def pinyin_syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin syllables of the Han characters in ``text`` (pypinyin)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s)


def _glossary_tokens(text: str, *, chinese: bool) -> list[str] | None:
    """Tokens with glossary words in English and the other CJK runs transliterated whole;
    ``None`` when no glossary word occurs."""
    keys = sorted(CJK_GLOSSARY, key=len, reverse=True)
    pattern = "|".join(re.escape(k) for k in keys)
    parts = re.split(f"({pattern})", text)
    if len(parts) == 1:
        return None
    tokens: list[str] = []
    for part in parts:
        if not part.strip():
            continue
        if part in CJK_GLOSSARY:
            # Long vowels folded as in Latin tokens (``steel`` → ``stel``).
            tokens.extend(fold_long_vowels(w) if _DOUBLE_VOWEL.search(w) else w
                          for w in CJK_GLOSSARY[part].split())
        elif chinese:
            for chunk in part.split():
                joined = "".join(pinyin_syllables(chunk))
                tokens.extend(latin_tokens(joined) if joined else latin_tokens(chunk))
        else:
            tokens.extend(latin_tokens(hepburn(part)))
    return tokens


def _pinyin_forms(text: str, *, person_like: bool) -> list[tuple[str, ...]]:
    simplified = to_simplified(text)
    chunks = [c for c in simplified.split() if c]
    per_syllable: list[str] = []
    per_word: list[str] = []
    for chunk in chunks:
        if not _HAN.search(chunk):
            latin = latin_tokens(chunk)
            per_syllable += latin
            per_word += latin
            continue
        syllables = [fold_long_vowels(s) for s in pinyin_syllables(chunk)]
        per_syllable += syllables
        per_word.append("".join(syllables))
    forms = [tuple(per_syllable), tuple(per_word)]
    if person_like and len(chunks) == 1 and 2 <= len(per_syllable) <= 4:
        # Chinese personal names: one-character family name, given name joined.
        forms.append((per_syllable[0], "".join(per_syllable[1:])))
    return forms


def normalise_name(name: str) -> NormalisedName:
    """All comparable forms of ``name`` (see the module docstring for the pipeline).

    >>> [f.text for f in normalise_name("株式会社東芝").forms][:1]
    ['toshiba']
    >>> normalise_name("Toshiba Corporation").forms[0].text
    'toshiba'
    """
    return _normalise_cached(name)


#: Version of the name forms and index keys this module makes: a screening index built
#: with another version is indexed again when it is opened (its stored forms and keys
#: would not be found by today's queries). Raise it with every change to the forms or keys.
NORMALISER_VERSION = 3

#: A bracketed part of a name: another name the list prints with it (``Rostec (Russian
#: Technologies State Corporation)``, ``…有限会社（別称、X及びY）``, ``…（广州欧赛科技有限公司）``).
_BRACKETED = re.compile(r"[(（\[［]([^()（）\[\]［］]{1,300})[)）\]］]")
#: Words that open an alias in brackets (``a.k.a.``, ``別称``) and words that join aliases.
_ALIAS_LEAD = re.compile(r"^\s*(?:別称|別名|旧称|通称|旧名|又称|别称|简称|a\.?k\.?a\.?|"
                         r"also known as|formerly|f\.?k\.?a\.?|previously)\s*[、,:：]?\s*",
                         re.IGNORECASE)
_ALIAS_JOIN = re.compile(r"\s*(?:及び|並びに|または|又は|、|;|；|\bor\b|\band\b)\s*")
#: Most variants one name yields (a long name with many brackets).
MAX_NAME_VARIANTS = 8


def name_variants(name: str) -> list[str]:
    """The name without its brackets, and the other names it holds in them: an alias list
    (``別称、A及びB``, ``a.k.a. A; B``, split at its joining words) or a name in another
    script (``有限会社エルコムテック（Elkomtex）`` → ``有限会社エルコムテック``, ``Elkomtex``).
    A bracket in the name's own script without an alias word is a qualifier (``China
    Unicom (Hong Kong) Limited``, ``(BMSU)``): only the name without it is a variant. Empty
    when the name has no brackets."""
    if not any(c in name for c in "(（[［"):
        return []
    text = clean_text(name)
    parts: list[str] = []
    outer = text
    for _ in range(3):  # nested brackets: innermost first
        found = _BRACKETED.findall(outer)
        if not found:
            break
        for inner in found:
            lead = _ALIAS_LEAD.match(inner)
            if not lead and _script_of(inner) == _script_of(_BRACKETED.sub(" ", outer)):
                continue  # a qualifier in the name's own script: "(Shenzhen)", "(BMSU)"
            body = inner[lead.end():] if lead else inner
            pieces = _ALIAS_JOIN.split(body) if lead else [body]
            parts += [p for p in (p.strip(" .,、") for p in pieces) if _name_like(p)]
        outer = _BRACKETED.sub(" ", outer)
    variants = [" ".join(outer.split()), *parts]
    out = [v for v in dict.fromkeys(variants) if v and v != text and any(c.isalnum() for c in v)]
    return out[:MAX_NAME_VARIANTS]


def _script_of(text: str) -> str:
    """``ja`` (kana), ``han`` (CJK without kana) or ``latin`` (no CJK)."""
    return "ja" if _KANA.search(text) else "han" if _HAN.search(text) else "latin"


def _name_like(text: str) -> bool:
    """A bracketed part that can stand as a name: two CJK characters or four Latin letters
    or digits at least (not ``(HK)``, ``(Pty)``: a short acronym alone would match too
    much)."""
    if len(_CJK_RUN.findall(text)) and sum(len(r) for r in _CJK_RUN.findall(text)) >= 2:
        return True
    return sum(c.isalnum() for c in text) >= 4


@lru_cache(maxsize=100_000)
def _normalise_cached(name: str) -> NormalisedName:
    whole = _normalise_one(name)
    variants = name_variants(name)
    if not variants:
        return whole
    forms = list(whole.forms)
    company = list(whole.company_forms)
    for variant in variants:
        other = _normalise_one(variant)
        forms += [f for f in other.forms if f not in forms]
        company += [c for c in other.company_forms if c not in company]
    return NormalisedName(name, tuple(forms), tuple(company))


def _normalise_one(name: str) -> NormalisedName:
    text = clean_text(name).casefold().strip()
    text = text.replace("・", " ").replace("·", " ").replace("、", " ").replace("，", " ")
    forms: list[NameForm] = []
    company: list[str] = []
    if _CJK_RUN.search(text):
        text, cjk_forms = _strip_cjk_company_forms(text)
        company += cjk_forms
    if _CJK_RUN.search(text):
        has_kana = bool(_KANA.search(text))
        has_han = bool(_HAN.search(text))
        person_like = not cjk_forms and len(text.replace(" ", "")) <= 4
        # Japanese reading (kana always; kanji too, as a possible Japanese name).
        if has_kana or has_han:
            tokens = latin_tokens(hepburn(text))
            tokens, found = split_company_forms(tokens)
            company += found
            forms.append(NameForm(tuple(tokens), "Hepburn"))
            if has_kana:
                loan, _ = split_company_forms(latin_tokens(hepburn_loanwords(text)))
                forms.append(NameForm(tuple(loan), "Hepburn, loanwords"))
            gloss = _glossary_tokens(text, chinese=False)
            if gloss:
                forms.append(NameForm(tuple(gloss), "glossary"))
        # Chinese reading when there is no kana (kanji-only names are ambiguous).
        if has_han and not has_kana:
            simplified = to_simplified(text)
            for pinyin in _pinyin_forms(simplified, person_like=person_like):
                forms.append(NameForm(pinyin, "pinyin"))
            gloss = _glossary_tokens(simplified, chinese=True)
            if gloss:
                forms.append(NameForm(tuple(gloss), "glossary"))
        if has_kana or any(word in text for word in KANJI_WORDS):
            # Kanji-only names only when they hold a translated common word (a name like
            # 佐藤太郎 is compared by its Hepburn reading, which knows common names).
            forms += [NameForm(r, READING) for r in reading_forms(text)]
    else:
        tokens, found = split_company_forms(latin_tokens(text))
        company += found
        forms.append(NameForm(tuple(tokens), "latin"))
        ascii_text = strip_diacritics(text).translate(_SPECIAL_LETTERS)
        forms += [NameForm(r, READING) for r in reading_forms(_APOSTROPHES.sub("", ascii_text))]
    unique: list[NameForm] = []
    seen: set[tuple[str, ...]] = set()
    for form in forms:
        if form.tokens and form.tokens not in seen:
            seen.add(form.tokens)
            unique.append(form)
    return NormalisedName(name, tuple(unique), tuple(dict.fromkeys(company)))


_PHONETIC_RULES = (
    (re.compile(r"ph"), "f"), (re.compile(r"[ck]h"), "k"), (re.compile(r"sch"), "s"),
    (re.compile(r"sh"), "s"), (re.compile(r"tch|ch"), "c"), (re.compile(r"th"), "t"),
    (re.compile(r"dh"), "d"), (re.compile(r"gh"), "g"), (re.compile(r"ck|q|g|c(?=[aou])"), "k"),
    (re.compile(r"c"), "s"), (re.compile(r"t[sz]"), "s"), (re.compile(r"z"), "s"),
    (re.compile(r"x"), "ks"), (re.compile(r"[wvf]"), "v"), (re.compile(r"dz"), "j"),
)


@lru_cache(maxsize=500_000)
def phonetic_spelling(token: str) -> str:
    """The token with digraphs and letters of the same sound rewritten (step one of
    :func:`phonetic_key`): ``kuznetsov`` and ``kusnezow`` → ``kusnesov``."""
    for pattern, repl in _PHONETIC_RULES:
        token = pattern.sub(repl, token)
    return token


@lru_cache(maxsize=500_000)
def phonetic_key(token: str) -> str:
    """A metaphone-like consonant skeleton: first letter kept, digraphs simplified
    (``ph`` → ``f``, ``kh`` → ``k``, ``sh`` → ``s``, ``ts`` → ``s``, ``f``/``w`` → ``v``),
    vowels, ``h`` and doubled letters dropped. ``mohammed``, ``muhammad``, ``mohamad`` → ``mmd``.
    """
    if not token:
        return ""
    t = phonetic_spelling(token)
    first = "a" if t[0] in "aeiouy" else t[0]
    rest = re.sub(r"[aeiouyh]", "", t[1:])
    key = first + rest
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=500_000)
def token_similarity(a: str, b: str) -> tuple[float, str]:
    """Similarity of two normalised tokens in [0, 1] and how it was found.

    * ``exact``: 1.0;
    * ``different names``: two different common Japanese names (:data:`KNOWN_NAMES`),
      at most 0.3;
    * ``phonetic``: same first sound, same :func:`phonetic_key` (two letters or more)
      and less than 40 % of the letters of the :func:`phonetic_spelling` differ, both
      five letters or longer, 0.92 (short acronyms such as ``cnooc``/``snsz`` or
      ``smic``/``smaz`` are not taken for one another);
    * ``edit distance``: ``1 − 2·d / max(len a, len b)`` with ``d`` the optimal-string-
      alignment distance (rapidfuzz ``OSA``: a transposition is one edit). Each edit costs
      twice its share, so one typo in an eight-letter name keeps 0.75 and two keep 0.5.
    """
    if a == b:
        return 1.0, "exact"
    if a in KNOWN_NAMES and b in KNOWN_NAMES:
        return 0.3, "different names"
    distance = OSA.distance(a, b)
    sim = max(0.0, 1.0 - 2.0 * distance / max(len(a), len(b)))
    key_a, key_b = phonetic_key(a), phonetic_key(b)
    pa, pb = phonetic_spelling(a), phonetic_spelling(b)
    if key_a == key_b and pa[0] == pb[0] and len(key_a) >= 2:
        raw = 1.0 - OSA.distance(pa, pb) / max(len(pa), len(pb))
    else:
        raw = 0.0
    if raw > 0.6 and min(len(a), len(b)) >= 5:
        return max(sim, 0.92), "phonetic"
    return sim, "edit distance"


def token_weight(token: str) -> float:
    """Weight of a token when names are compared: generic business words count less."""
    return GENERIC_WEIGHT if token in GENERIC_WORDS else 1.0


def reading_index_key(token: str) -> str:
    """Index key of a reading token (``ARMS:aa`` → ``p:~ARMS``; the vowels are compared,
    not looked up): found with the phonetic keys."""
    return "p:~" + token.partition(":")[0]


#: Reading skeletons at least this long are also found by their first and last
#: :data:`READING_AFFIX` consonants (a transcription that differs in one consonant inside
#: the word, ``ARRBGNSBD`` / ``ARRGNSBD`` Uralvagonzavod, is still looked up).
READING_AFFIX_MIN = 4
READING_AFFIX = 3


def reading_affix_keys(token: str) -> list[str]:
    """Index keys that tolerate a changed consonant: the first and the last
    :data:`READING_AFFIX` consonants of a long reading token (``p:~<ARR``, ``p:~>SBD``),
    and the key of its :func:`~econsec.screening.reading.non_rhotic` variant."""
    skeleton = token.partition(":")[0]
    keys = []
    if len(skeleton) >= READING_AFFIX_MIN:
        keys += [f"p:~<{skeleton[:READING_AFFIX]}", f"p:~>{skeleton[-READING_AFFIX:]}"]
    variant = non_rhotic(token)
    if variant:
        keys.append(reading_index_key(variant))
    return keys


def name_keys(name: str) -> set[str]:
    """Every index key of a name (the same as :func:`index_keys`): tokens ``t:``,
    phonetic keys ``p:`` and cross-script readings ``p:~``. The index stores these per
    entity and their document frequencies (``key_df``) for :class:`~econsec.screening.
    match.Rarity`."""
    return index_keys(name)


def index_keys(name: str) -> set[str]:
    """Keys under which a name is found in the inverted index: each token of each form
    (``t:``) and its phonetic key (``p:``)."""
    keys: set[str] = set()
    for form in normalise_name(name).forms:
        if form.method == READING:
            keys.update(reading_index_key(t) for t in form.tokens)
            keys.update(k for t in form.tokens for k in reading_affix_keys(t))
            continue
        for token in form.tokens:
            if token in STOPWORDS:
                continue
            keys.add("t:" + token)
            pk = phonetic_key(token)
            if len(pk) >= 2:
                keys.add("p:" + pk)
    return keys


def query_keys(name: str) -> list[list[str]]:
    """Index keys of ``name`` form by form (tokens ``t:`` then phonetic keys ``p:``)."""
    out = []
    for form in normalise_name(name).forms:
        if form.method == READING:
            out.append(list(dict.fromkeys(
                [reading_index_key(t) for t in form.tokens]
                + [k for t in form.tokens for k in reading_affix_keys(t)])))
            continue
        keys = [f"t:{t}" for t in form.tokens if t not in STOPWORDS]
        keys += [f"p:{phonetic_key(t)}" for t in form.tokens
                 if t not in STOPWORDS and len(phonetic_key(t)) >= 2]
        out.append(list(dict.fromkeys(keys)))
    return out


def query_key(name: str) -> str:
    """The normalised key of a query, under which reviewer decisions are remembered:
    the sorted tokens of its first form (``Taro Satō`` and ``SATO, Taro`` share a key)."""
    forms = normalise_name(name).forms
    if not forms:
        return fold_text(name).strip()
    return " ".join(sorted(forms[0].tokens))
