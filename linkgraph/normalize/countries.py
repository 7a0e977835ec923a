"""Country names and codes -> ISO 3166-1 alpha-2.

Sources of names, all folded to a case/diacritics-insensitive key:

* pycountry's ISO 3166-1 data (alpha-2, alpha-3, numeric, name, common name,
  official name) and its gettext translations (French, Portuguese, Spanish,
  German, Swahili, Vietnamese, Chinese, Italian, Dutch, Indonesian);
* a small bundled alias table for the variants agencies actually write
  ("DRC", "Congo (Kinshasa)", "UAE", "Hong Kong SAR", "Ivory Coast",
  Swahili names pycountry lacks such as "Afrika Kusini", ...);
* the CITES Trade Database's special codes ("XX" unknown, "XV" various,
  "ZZ" introduction from the sea) and former codes (DD, SU, YU, ZC, ZR ...).
"""

from __future__ import annotations

import functools
import gettext
import re
from dataclasses import dataclass
from typing import Any

import pycountry
from rapidfuzz import fuzz, process

from ._common import clean_text, fold_ascii, is_blank, replace_raw

__all__ = ["CountryValue", "normalize_country", "country_name", "normalize_country_series"]


@dataclass(frozen=True, slots=True)
class CountryValue:
    raw: Any
    value: str | None  # ISO 3166-1 alpha-2
    ok: bool
    note: str | None = None
    name: str | None = None  # English short name
    alpha3: str | None = None


# Languages whose pycountry translations are indexed.  Names that collide
# between two countries across languages are dropped (never guessed).
_LOCALES = ("fr", "pt", "pt_BR", "es", "de", "sw", "vi", "zh_CN", "zh_TW", "it", "nl", "id")

# Aliases: folded name -> alpha-2.  Keys are written naturally and folded at load.
_ALIASES: dict[str, str] = {
    # English variants / abbreviations
    "USA": "US",
    "U.S.A.": "US",
    "U.S.": "US",
    "United States": "US",
    "America": "US",
    "United States of America": "US",
    "Etats-Unis": "US",
    "EEUU": "US",
    "EE.UU.": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "United Kingdom": "GB",
    "Russia": "RU",
    "Russian Federation": "RU",
    "South Korea": "KR",
    "Korea, South": "KR",
    "Republic of Korea": "KR",
    "ROK": "KR",
    "Korea Republic": "KR",
    "Korea (South)": "KR",
    "North Korea": "KP",
    "Korea, North": "KP",
    "DPRK": "KP",
    "Korea DPR": "KP",
    "Korea (North)": "KP",
    "Vietnam": "VN",
    "Viet Nam": "VN",
    "Viet-Nam": "VN",
    "Socialist Republic of Vietnam": "VN",
    "Laos": "LA",
    "Lao PDR": "LA",
    "Lao P.D.R.": "LA",
    "Iran": "IR",
    "Syria": "SY",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Moldova": "MD",
    "Tanzania": "TZ",
    "United Republic of Tanzania": "TZ",
    "Tanzania, United Republic of": "TZ",
    "Zanzibar": "TZ",
    "DRC": "CD",
    "D.R.C.": "CD",
    "DR Congo": "CD",
    "D.R. Congo": "CD",
    "DROC": "CD",
    "Congo (Kinshasa)": "CD",
    "Congo-Kinshasa": "CD",
    "Congo Kinshasa": "CD",
    "Democratic Republic of Congo": "CD",
    "Democratic Republic of the Congo": "CD",
    "Congo, Democratic Republic": "CD",
    "Congo, Dem. Rep.": "CD",
    "Congo DR": "CD",
    "Congo, Democratic Republic of the": "CD",
    "RDC": "CD",
    "R.D.C.": "CD",
    "RD Congo": "CD",
    "Zaire": "CD",
    "Zaïre": "CD",
    "Congo (Brazzaville)": "CG",
    "Congo-Brazzaville": "CG",
    "Congo Brazzaville": "CG",
    "Republic of Congo": "CG",
    "Republic of the Congo": "CG",
    "Congo, Rep.": "CG",
    "Congo Republic": "CG",
    "UAE": "AE",
    "U.A.E.": "AE",
    "Emirates": "AE",
    "United Arab Emirates": "AE",
    "EAU": "AE",
    "Hong Kong SAR": "HK",
    "Hong Kong SAR, China": "HK",
    "Hong Kong, China": "HK",
    "HKSAR": "HK",
    "Hong Kong (China)": "HK",
    "Hongkong": "HK",
    "HK SAR": "HK",
    "Hong Kong S.A.R.": "HK",
    "Macau": "MO",
    "Macao SAR": "MO",
    "Macau SAR": "MO",
    "Macao SAR, China": "MO",
    "Macao": "MO",
    "Taiwan": "TW",
    "Taiwan, Province of China": "TW",
    "Chinese Taipei": "TW",
    "Taiwan (Province of China)": "TW",
    "PRC": "CN",
    "P.R. China": "CN",
    "P.R.C.": "CN",
    "Mainland China": "CN",
    "People's Republic of China": "CN",
    "China, People's Republic of": "CN",
    "China (mainland)": "CN",
    "Ivory Coast": "CI",
    "Cote d'Ivoire": "CI",
    "Cote dIvoire": "CI",
    "Côte d'Ivoire": "CI",
    "Burma": "MM",
    "Myanmar (Burma)": "MM",
    "Swaziland": "SZ",
    "Eswatini": "SZ",
    "Cape Verde": "CV",
    "Cabo Verde": "CV",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Turkey": "TR",
    "Türkiye": "TR",
    "Turkiye": "TR",
    "Macedonia": "MK",
    "North Macedonia": "MK",
    "FYROM": "MK",
    "Palestine": "PS",
    "Vatican": "VA",
    "Vatican City": "VA",
    "Holy See": "VA",
    "Brunei": "BN",
    "East Timor": "TL",
    "Timor Leste": "TL",
    "Timor-Leste": "TL",
    "Micronesia": "FM",
    "St Kitts and Nevis": "KN",
    "St. Kitts and Nevis": "KN",
    "Saint Kitts": "KN",
    "St Lucia": "LC",
    "St. Lucia": "LC",
    "St Vincent": "VC",
    "Saint Vincent": "VC",
    "KSA": "SA",
    "Saudi": "SA",
    "Kingdom of Saudi Arabia": "SA",
    "Guinea Bissau": "GW",
    "Gambia": "GM",
    "The Gambia": "GM",
    "Bahamas": "BS",
    "The Bahamas": "BS",
    "Sao Tome": "ST",
    "Sao Tome and Principe": "ST",
    "Kosovo": "XK",
    "Reunion": "RE",
    "Curacao": "CW",
    "Falklands": "FK",
    "Falkland Islands": "FK",
    "Bosnia": "BA",
    "Bosnia-Herzegovina": "BA",
    "Trinidad": "TT",
    "Antigua": "AG",
    "Papua": "PG",
    "PNG": "PG",
    "Korea": "KR",
    "Republic of South Africa": "ZA",
    "RSA": "ZA",
    "S. Africa": "ZA",
    "Kirghizia": "KG",
    "Kyrgyz Republic": "KG",
    "Slovak Republic": "SK",
    "Dahomey": "BJ",
    "Upper Volta": "BF",
    "Rhodesia": "ZW",
    "Ceylon": "LK",
    "Siam": "TH",
    "Persia": "IR",
    "Kampuchea": "KH",
    "Formosa": "TW",
    "Zanzibar and Pemba": "TZ",
    # Swahili (pycountry's sw catalogue is sparse)
    "Afrika Kusini": "ZA",
    "Msumbiji": "MZ",
    "Uchina": "CN",
    "Marekani": "US",
    "Uingereza": "GB",
    "Ufaransa": "FR",
    "Ujerumani": "DE",
    "Uhispania": "ES",
    "Hispania": "ES",
    "Ureno": "PT",
    "Uholanzi": "NL",
    "Ubelgiji": "BE",
    "Italia": "IT",
    "Urusi": "RU",
    "Uturuki": "TR",
    "Japani": "JP",
    "Uhindi": "IN",
    "Misri": "EG",
    "Uhabeshi": "ET",
    "Sudani": "SD",
    "Sudani Kusini": "SS",
    "Madagaska": "MG",
    "Komoro": "KM",
    "Shelisheli": "SC",
    "Morisi": "MU",
    "Kamerun": "CM",
    "Singapuri": "SG",
    "Korea Kusini": "KR",
    "Korea Kaskazini": "KP",
    "Falme za Kiarabu": "AE",
    "Saudia": "SA",
    "Uarabuni wa Saudi": "SA",
    "Tailandi": "TH",
    "Jamhuri ya Kidemokrasia ya Kongo": "CD",
    "Kongo": "CG",
    "Nijeria": "NG",
    "Naijeria": "NG",
    "Zambia": "ZM",
    "Msumbiji (Mozambique)": "MZ",
    "Vietnamu": "VN",
    "Malesia": "MY",
    "Uganda": "UG",
    "Kenya": "KE",
    "Rwanda": "RW",
    "Burundi": "BI",
    "Somalia": "SO",
    # French / Portuguese / Spanish / German forms pycountry spells differently
    "Chine": "CN",
    "Malasia": "MY",
    "Malaisie": "MY",
    "Kenia": "KE",
    "Quenia": "KE",
    "Quênia": "KE",
    "Vietname": "VN",
    "Vietnã": "VN",
    "Costa do Marfim": "CI",
    "Costa de Marfil": "CI",
    "Elfenbeinküste": "CI",
    "Tanzanie": "TZ",
    "Tanzânia": "TZ",
    "Tansania": "TZ",
    "République démocratique du Congo": "CD",
    "RD do Congo": "CD",
    "Republica Democratica do Congo": "CD",
    "Republique du Congo": "CG",
    "Moçambique": "MZ",
    "Mocambique": "MZ",
    "Mosambik": "MZ",
    "Emirats arabes unis": "AE",
    "Emirados Arabes Unidos": "AE",
    "Emiratos Arabes Unidos": "AE",
    "Hong-Kong": "HK",
    "Hongkong SAR": "HK",
    "Laos, République démocratique populaire": "LA",
    "Afrique du Sud": "ZA",
    "Africa do Sul": "ZA",
    "Sudafrica": "ZA",
    "Südafrika": "ZA",
    "Etats Unis d'Amerique": "US",
    "Estados Unidos": "US",
    "Royaume-Uni": "GB",
    "Reino Unido": "GB",
    # Vietnamese / Chinese short forms
    "Trung Quốc": "CN",
    "Trung Hoa": "CN",
    "Việt Nam": "VN",
    "Lào": "LA",
    "Thái Lan": "TH",
    "Nam Phi": "ZA",
    "Mỹ": "US",
    "Hoa Kỳ": "US",
    "Hồng Kông": "HK",
    "Ma-lai-xi-a": "MY",
    "Malaixia": "MY",
    "Campuchia": "KH",
    "Cam-pu-chia": "KH",
    "Nigiêria": "NG",
    "中国": "CN",
    "中國": "CN",
    "香港": "HK",
    "澳门": "MO",
    "澳門": "MO",
    "台湾": "TW",
    "台灣": "TW",
    "越南": "VN",
    "老挝": "LA",
    "泰国": "TH",
    "马来西亚": "MY",
    "美国": "US",
    "英国": "GB",
    "尼日利亚": "NG",
    "肯尼亚": "KE",
    "坦桑尼亚": "TZ",
    "莫桑比克": "MZ",
    "南非": "ZA",
}

# Nationality words (demonyms) -> alpha-2, for "Nationality" columns ("Chinese", "Kenyan national").
# Matched only exactly (after folding and dropping a trailing "national"/"citizen"), never fuzzily:
# fuzzy matching of demonyms misreads "Nigerien" (NE) as Nigeria and "Dominican" (DO) as Dominica.
# English forms, plus the French and Portuguese forms Central and West African and Mozambican registers use.
_DEMONYMS: dict[str, str] = {
    # Africa
    "Kenyan": "KE",
    "Tanzanian": "TZ",
    "Ugandan": "UG",
    "Rwandan": "RW",
    "Burundian": "BI",
    "Ethiopian": "ET",
    "Eritrean": "ER",
    "Somali": "SO",
    "Somalian": "SO",
    "Djiboutian": "DJ",
    "Sudanese": "SD",
    "South Sudanese": "SS",
    "Egyptian": "EG",
    "Libyan": "LY",
    "Tunisian": "TN",
    "Algerian": "DZ",
    "Moroccan": "MA",
    "Mauritanian": "MR",
    "Malian": "ML",
    "Senegalese": "SN",
    "Gambian": "GM",
    "Bissau-Guinean": "GW",
    "Guinean": "GN",
    "Sierra Leonean": "SL",
    "Liberian": "LR",
    "Ivorian": "CI",
    "Ghanaian": "GH",
    "Togolese": "TG",
    "Beninese": "BJ",
    "Burkinabe": "BF",
    "Burkinabè": "BF",
    "Nigerian": "NG",
    "Nigerien": "NE",
    "Chadian": "TD",
    "Cameroonian": "CM",
    "Central African": "CF",
    "Gabonese": "GA",
    "Equatorial Guinean": "GQ",
    "Equatoguinean": "GQ",
    "Angolan": "AO",
    "Zambian": "ZM",
    "Malawian": "MW",
    "Mozambican": "MZ",
    "Zimbabwean": "ZW",
    "Botswanan": "BW",
    "Motswana": "BW",
    "Batswana": "BW",
    "Namibian": "NA",
    "South African": "ZA",
    "Basotho": "LS",
    "Mosotho": "LS",
    "Swazi": "SZ",
    "Emaswati": "SZ",
    "Malagasy": "MG",
    "Comorian": "KM",
    "Mauritian": "MU",
    "Seychellois": "SC",
    "Cape Verdean": "CV",
    "Sao Tomean": "ST",
    # Asia and the Middle East
    "Chinese": "CN",
    "Hong Konger": "HK",
    "Hongkonger": "HK",
    "Hong Kongese": "HK",
    "Macanese": "MO",
    "Taiwanese": "TW",
    "Vietnamese": "VN",
    "Laotian": "LA",
    "Lao": "LA",
    "Thai": "TH",
    "Cambodian": "KH",
    "Burmese": "MM",
    "Malaysian": "MY",
    "Singaporean": "SG",
    "Indonesian": "ID",
    "Filipino": "PH",
    "Filipina": "PH",
    "Philippine": "PH",
    "Bruneian": "BN",
    "Timorese": "TL",
    "Japanese": "JP",
    "South Korean": "KR",
    "North Korean": "KP",
    "Mongolian": "MN",
    "Indian": "IN",
    "Pakistani": "PK",
    "Bangladeshi": "BD",
    "Sri Lankan": "LK",
    "Nepali": "NP",
    "Nepalese": "NP",
    "Bhutanese": "BT",
    "Maldivian": "MV",
    "Afghan": "AF",
    "Iranian": "IR",
    "Iraqi": "IQ",
    "Emirati": "AE",
    "Saudi Arabian": "SA",
    "Qatari": "QA",
    "Kuwaiti": "KW",
    "Bahraini": "BH",
    "Omani": "OM",
    "Yemeni": "YE",
    "Jordanian": "JO",
    "Lebanese": "LB",
    "Syrian": "SY",
    "Israeli": "IL",
    "Palestinian": "PS",
    "Turkish": "TR",
    "Kazakh": "KZ",
    "Kazakhstani": "KZ",
    "Uzbek": "UZ",
    # Europe, the Americas, Oceania
    "British": "GB",
    "English": "GB",
    "Scottish": "GB",
    "Welsh": "GB",
    "Irish": "IE",
    "French": "FR",
    "German": "DE",
    "Dutch": "NL",
    "Belgian": "BE",
    "Swiss": "CH",
    "Austrian": "AT",
    "Italian": "IT",
    "Spanish": "ES",
    "Portuguese": "PT",
    "Greek": "GR",
    "Polish": "PL",
    "Czech": "CZ",
    "Russian": "RU",
    "Ukrainian": "UA",
    "Swedish": "SE",
    "Norwegian": "NO",
    "Danish": "DK",
    "Finnish": "FI",
    "American": "US",
    "Canadian": "CA",
    "Mexican": "MX",
    "Brazilian": "BR",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Colombian": "CO",
    "Peruvian": "PE",
    "Chilean": "CL",
    "Australian": "AU",
    "New Zealander": "NZ",
    # French forms (masculine and feminine)
    "Congolais": "CD",
    "Congolaise": "CD",
    "Camerounais": "CM",
    "Camerounaise": "CM",
    "Gabonais": "GA",
    "Gabonaise": "GA",
    "Chinois": "CN",
    "Chinoise": "CN",
    "Vietnamien": "VN",
    "Vietnamienne": "VN",
    "Nigériane": "NG",
    "Ivoirien": "CI",
    "Ivoirienne": "CI",
    "Sénégalais": "SN",
    "Sénégalaise": "SN",
    "Malien": "ML",
    "Malienne": "ML",
    "Béninois": "BJ",
    "Béninoise": "BJ",
    "Togolais": "TG",
    "Togolaise": "TG",
    "Tchadien": "TD",
    "Tchadienne": "TD",
    "Centrafricain": "CF",
    "Centrafricaine": "CF",
    "Guinéen": "GN",
    "Guinéenne": "GN",
    "Burundais": "BI",
    "Burundaise": "BI",
    "Rwandais": "RW",
    "Rwandaise": "RW",
    "Ougandais": "UG",
    "Ougandaise": "UG",
    "Kényan": "KE",
    "Kényane": "KE",
    "Tanzanien": "TZ",
    "Tanzanienne": "TZ",
    "Angolais": "AO",
    "Angolaise": "AO",
    "Mozambicain": "MZ",
    "Mozambicaine": "MZ",
    "Malaisien": "MY",
    "Malaisienne": "MY",
    "Thaïlandais": "TH",
    "Thaïlandaise": "TH",
    "Laotien": "LA",
    "Laotienne": "LA",
    # Portuguese forms
    "Moçambicano": "MZ",
    "Moçambicana": "MZ",
    "Angolano": "AO",
    "Angolana": "AO",
    "Chinês": "CN",
    "Chinesa": "CN",
    "Vietnamita": "VN",
    "Tanzaniano": "TZ",
    "Tanzaniana": "TZ",
    "Sul-africano": "ZA",
    "Sul-africana": "ZA",
    "Zimbabueano": "ZW",
    "Malauiano": "MW",
}
# Demonyms shared by two countries: (alpha-2 or None when not guessed, note)
_AMBIGUOUS_DEMONYMS: dict[str, tuple[str | None, str]] = {
    # DR Congo (CD) has some fifteen times the people of the Republic of the Congo (CG), and its nationals are
    # the ones wildlife-crime registers in East and Central Africa mostly record; the note keeps the guess visible
    "Congolese": ("CD", "'Congolese' read as DR Congo (CD); a national of the Republic of the Congo is CG"),
    "Korean": ("KR", "'Korean' alone read as Republic of Korea (KR)"),
    "Dominican": (None, "'Dominican' is ambiguous: Dominican Republic (DO) or Dominica (DM)"),
}
_DEMONYM_SUFFIX_RE = re.compile(r"\s+(?:nationals?|citizens?|nationality|passport holder)$")

# CITES Trade Database / ISO user-assigned codes that are not countries.
_SPECIAL_CODES: dict[str, tuple[str | None, bool, str]] = {
    # code: (value, ok, note)
    "XX": (None, False, "CITES code XX: unknown country"),
    "XV": (None, False, "CITES code XV: various countries"),
    "ZZ": (None, False, "CITES code ZZ: introduction from the sea (no state)"),
    "XK": ("XK", True, "Kosovo: user-assigned code XK (not in ISO 3166-1)"),
    "KX": ("XK", True, "CITES legacy code KX read as Kosovo (XK)"),
    "*S": (None, False, "CITES legacy code *S: introduction from the sea"),
    "EU": (None, False, "EU is a union, not a country"),
}

# Former codes: code -> (successor or None, English name)
_FORMER_CODES: dict[str, tuple[str | None, str]] = {
    "ZR": ("CD", "Zaire"),
    "TP": ("TL", "East Timor"),
    "BU": ("MM", "Burma"),
    "DY": ("BJ", "Dahomey"),
    "HV": ("BF", "Upper Volta"),
    "RH": ("ZW", "Southern Rhodesia"),
    "NH": ("VU", "New Hebrides"),
    "DD": ("DE", "German Democratic Republic"),
    "YD": ("YE", "South Yemen"),
    "VD": ("VN", "North Viet-Nam"),
    "FX": ("FR", "Metropolitan France"),
    "SU": (None, "USSR"),
    "YU": (None, "Yugoslavia"),
    "CS": (None, "Czechoslovakia / Serbia and Montenegro"),
    "ZC": (None, "Czechoslovakia (CITES code)"),
    "AN": (None, "Netherlands Antilles"),
    "PC": (None, "Pacific Islands Trust Territory"),
    "NT": (None, "Neutral Zone"),
}

# folded name -> note for names that are commonly used for two countries
_AMBIGUOUS: dict[str, str] = {
    "congo": "'Congo' alone read as Republic of the Congo (CG); DR Congo is CD",
    "korea": "'Korea' alone read as Republic of Korea (KR)",
}

_SPLIT_RE = re.compile(r"\s*(?:[,;/|]|\s-\s|\s–\s)\s*")
_PAREN_RE = re.compile(r"^(.*?)\s*[\(\[]([^\)\]]*)[\)\]]\s*$")


@functools.lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str], dict[str, str], list[str], list[str]]:
    """Build (name_index, alpha3_index, numeric_index, fuzzy_keys, fuzzy_codes)."""
    names: dict[str, str] = {}
    conflicts: set[str] = set()
    english: set[str] = set()

    def add(name: str | None, code: str, authoritative: bool = False) -> None:
        if not name:
            return
        key = fold_ascii(name)
        if not key:
            return
        old = names.get(key)
        if authoritative:
            english.add(key)
        if old is None:
            if key not in conflicts:
                names[key] = code
        elif old != code:
            if authoritative:
                names[key] = code
            elif key in english:
                return  # an English name wins over a translation
            else:
                # a translation colliding with another country's name: drop it
                del names[key]
                conflicts.add(key)

    a3: dict[str, str] = {}
    num: dict[str, str] = {}
    countries = list(pycountry.countries)
    for c in countries:
        a3[c.alpha_3] = c.alpha_2
        num[c.numeric] = c.alpha_2
    # English first (authoritative), then translations
    for c in countries:
        for attr in ("name", "common_name", "official_name"):
            add(getattr(c, attr, None), c.alpha_2, authoritative=True)
    for loc in _LOCALES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
        except OSError:
            continue
        for c in countries:
            for attr in ("name", "common_name", "official_name"):
                n = getattr(c, attr, None)
                if n:
                    t = tr.gettext(n)
                    if t != n:
                        add(t, c.alpha_2)
    # "Tanzania, United Republic of" -> also "United Republic of Tanzania"
    for c in countries:
        for attr in ("name", "official_name"):
            n = getattr(c, attr, None)
            if n and ", " in n:
                head, tail = n.split(", ", 1)
                add(f"{tail} {head}", c.alpha_2)
    for alias, code in _ALIASES.items():
        key = fold_ascii(alias)
        names[key] = code  # aliases override translations
        conflicts.discard(key)
    # keys for fuzzy matching: English names and aliases only, length >= 5
    fuzzy_keys: list[str] = []
    fuzzy_codes: list[str] = []
    seen = set()
    for c in countries:
        for attr in ("name", "common_name"):
            n = getattr(c, attr, None)
            if n:
                k = fold_ascii(n)
                if len(k) >= 5 and k not in seen:
                    seen.add(k)
                    fuzzy_keys.append(k)
                    fuzzy_codes.append(c.alpha_2)
    for alias, code in _ALIASES.items():
        k = fold_ascii(alias)
        if len(k) >= 6 and k not in seen:
            seen.add(k)
            fuzzy_keys.append(k)
            fuzzy_codes.append(code)
    return names, a3, num, fuzzy_keys, fuzzy_codes


@functools.lru_cache(maxsize=512)
def _country_obj(alpha2: str):
    return pycountry.countries.get(alpha_2=alpha2)


def country_name(alpha2: str | None) -> str | None:
    """English short name for an alpha-2 code ("VN" -> "Vietnam")."""
    if not alpha2:
        return None
    if alpha2 == "XK":
        return "Kosovo"
    c = _country_obj(alpha2)
    if c is None:
        return None
    return getattr(c, "common_name", None) or c.name


def country_numeric(alpha2: str | None) -> str | None:
    """ISO 3166-1 numeric code, three digits, of an alpha-2 code ("KE" -> "404"); None when it has none (XK)."""
    c = _country_obj(alpha2.upper()) if isinstance(alpha2, str) and len(alpha2) == 2 else None
    return c.numeric if c is not None else None


def _ok(raw: Any, code: str, note: str | None = None) -> CountryValue:
    c = _country_obj(code)
    return CountryValue(
        raw=raw,
        value=code,
        ok=True,
        note=note,
        name=country_name(code),
        alpha3=c.alpha_3 if c is not None else None,
    )


def _lookup_code(token: str) -> CountryValue | None:
    """Exact code lookups (alpha-2, alpha-3, numeric, CITES specials)."""
    names, a3, num, _, _ = _index()
    t = token.strip().upper().replace(".", "")
    if t in _SPECIAL_CODES:
        value, ok, note = _SPECIAL_CODES[t]
        if value:
            return CountryValue(raw=token, value=value, ok=ok, note=note, name=country_name(value))
        return CountryValue(raw=token, value=None, ok=False, note=note)
    if len(t) == 2 and t.isalpha():
        if _country_obj(t) is not None:
            return _ok(token, t)
        if t in _FORMER_CODES:
            succ, nm = _FORMER_CODES[t]
            if succ:
                return _ok(token, succ, f"former code {t} ({nm}) mapped to successor {succ}")
            return CountryValue(raw=token, value=t, ok=True, note=f"former code {t} ({nm}); no single successor")
        return None
    if len(t) == 3 and t.isalpha():
        if t in a3:
            return _ok(token, a3[t])
        return None
    if t.isdigit() and 1 <= len(t) <= 3:
        code = num.get(t.zfill(3))
        if code:
            return _ok(token, code, "ISO numeric code")
    return None


@functools.lru_cache(maxsize=1)
def _demonym_index() -> dict[str, tuple[str | None, str | None]]:
    out: dict[str, tuple[str | None, str | None]] = {fold_ascii(k): (v, None) for k, v in _DEMONYMS.items()}
    out.update({fold_ascii(k): v for k, v in _AMBIGUOUS_DEMONYMS.items()})
    return out


def _lookup_demonym(text: str) -> CountryValue | None:
    """A nationality word ("Chinese", "Kenyan national"), matched exactly after folding."""
    key = _DEMONYM_SUFFIX_RE.sub("", fold_ascii(text))
    hit = _demonym_index().get(key)
    if hit is None:
        return None
    code, note = hit
    if code is None:
        return CountryValue(raw=text, value=None, ok=False, note=note)
    return _ok(text, code, note)


def _lookup_name(text: str) -> CountryValue | None:
    names = _index()[0]
    key = fold_ascii(text)
    if not key:
        return None
    dem = _lookup_demonym(text)
    if dem is not None:
        return dem
    code = names.get(key)
    if code is None and key.startswith("the "):
        code = names.get(key[4:])
    if code is None and key.startswith("republic of "):
        code = names.get(key[12:])
    if code is None:
        return None
    note = _AMBIGUOUS.get(key)
    return _ok(text, code, note)


def _fuzzy(text: str) -> CountryValue | None:
    _, _, _, keys, codes = _index()
    key = fold_ascii(text)
    if len(key) < 5 or len(key) > 60:
        return None
    hits = process.extract(key, keys, scorer=fuzz.ratio, limit=5, score_cutoff=85)
    if not hits:
        return None
    best_key, best_score, best_i = hits[0]
    best_code = codes[best_i]
    # the runner-up pointing at another country must be clearly worse
    for _k, s, i in hits[1:]:
        if codes[i] != best_code and best_score - s < 6:
            return None
    if best_score < (88 if len(key) < 8 else 85):
        return None
    if key[0] != best_key[0]:
        return None
    return _ok(text, best_code, f"fuzzy match to '{best_key}' (score {best_score:.0f})")


def _resolve(text: str) -> CountryValue:
    if len(text) > 200:
        return CountryValue(raw=text, value=None, ok=False, note="too long to be a country")
    r = _lookup_code(text) if len(text) <= 4 else None
    if r is not None:
        return r
    r = _lookup_name(text)
    if r is not None:
        return r
    # "Kenya (KE)", "KE - Kenya", "Nairobi, Kenya", "Congo (Kinshasa)" (alias above)
    m = _PAREN_RE.match(text)
    parts: list[str] = []
    if m:
        parts = [m.group(1), m.group(2)]
    else:
        parts = [p for p in _SPLIT_RE.split(text) if p]
    if len(parts) > 1:
        found: dict[str, CountryValue] = {}
        for p in parts:
            p = p.strip()
            if not p:
                continue
            pr = (_lookup_code(p) if len(p) <= 4 else None) or _lookup_name(p)
            if pr is not None and pr.value:
                found.setdefault(pr.value, pr)
        if len(found) == 1:
            ((code, pr),) = found.items()
            return _ok(text, code, "matched on part of the text")
        if len(found) > 1:
            return CountryValue(
                raw=text,
                value=None,
                ok=False,
                note="several countries: " + ", ".join(sorted(found)),
            )
    r = _fuzzy(text)
    if r is not None:
        return r
    return CountryValue(raw=text, value=None, ok=False, note="unknown country")


@functools.lru_cache(maxsize=65_536)
def _normalize_text(text: str) -> CountryValue:
    return _resolve(text)


def normalize_country(raw: Any) -> CountryValue:
    """Normalise a country name or code to ISO 3166-1 alpha-2.

    Accepts alpha-2/alpha-3/numeric codes, English names and common variants,
    names in French, Portuguese, Spanish, German, Swahili, Vietnamese and
    Chinese; case and diacritics are ignored.  CITES special codes (XX, XV,
    ZZ) come back with ``ok=False`` and an explanatory note.  Never raises.
    """
    if type(raw) is str:
        text = raw.strip()
        if text and len(text) < 100 and "  " not in text:
            try:
                return replace_raw(_normalize_text(text), raw)
            except Exception as exc:  # pragma: no cover - defensive
                return CountryValue(raw=raw, value=None, ok=False, note=f"error: {exc!r}")
    try:
        if is_blank(raw):
            return CountryValue(raw=raw, value=None, ok=False, note="blank")
        if isinstance(raw, bool):
            return CountryValue(raw=raw, value=None, ok=False, note="not a country")
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            f = float(raw)
            if f.is_integer() and 0 < f < 1000:
                return replace_raw(_normalize_text(str(int(f))), raw)
            return CountryValue(raw=raw, value=None, ok=False, note="number is not a country code")
        text = clean_text(raw)
        if not text:
            return CountryValue(raw=raw, value=None, ok=False, note="blank")
        return replace_raw(_normalize_text(text), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return CountryValue(raw=raw, value=None, ok=False, note=f"error: {exc!r}")


def normalize_country_series(series):
    """Vectorised helper: one normalisation per distinct value.

    Returns a DataFrame with columns value, name, ok, note (same index).
    """
    from ._common import map_unique_frame

    return map_unique_frame(normalize_country, ("value", "name", "ok", "note"), series)
