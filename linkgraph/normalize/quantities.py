"""Quantities and units from seizure registers and CITES trade data.

``normalize_quantity(raw_qty, raw_unit=None)`` returns a ``QuantityValue``:

* ``.amount`` (float) in a canonical ``.unit``: 'kg' (g, mg, t, tonnes,
  tons, lb, oz, carats, 斤 ...), 'l' (ml, cl), 'm3' (cm3, ft3, cbm), 'm'
  (cm, ft, in), 'm2', or a count: 'pieces' for specimens and their parts
  (tusks, horns, skins, live animals, "Number of specimens" ...) and 'items'
  for packages (bags, boxes, cartons, bottles ...);
* ``.count_unit`` says what was counted ('tusks', 'horns', 'bags' ...);
* when a cell gives both a weight and a count ("12 tusks (45 kg)") the
  weight is the amount and ``.count``/``.count_unit`` keep the count;
* "2 x 25 kg bags" -> 50 kg; "approx 40kg" -> ``.approx`` True;
* "1,250.5", "1.250,5", "1 250,5" and "12,5" are read sensibly; a lone
  "1,250" or "1.250" is ambiguous: read with the English convention
  unless ``decimal=','`` is given (see :func:`detect_decimal_separator`),
  and the note says so;
* CITES Trade Database units ("kg", "Number of specimens" = blank unit,
  "cu.m", "sq.ft", unit codes KIL, GRM, PCS ...) and terms ("tusks",
  "ivory pieces", term codes TUS, HOR, SCA ...) are understood.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._common import clean_text, is_blank, map_unique_frame, strip_marks

__all__ = [
    "QuantityValue",
    "normalize_quantity",
    "normalize_unit",
    "parse_number",
    "detect_decimal_separator",
    "normalize_quantity_series",
]


@dataclass(frozen=True, slots=True)
class QuantityValue:
    raw: Any
    value: float | None  # == amount
    ok: bool
    note: str | None = None
    amount: float | None = None
    unit: str | None = None  # kg | l | m3 | m | m2 | pieces | items
    count: float | None = None  # a count given alongside a measure, or the count itself
    count_unit: str | None = None  # tusks | horns | pieces | bags | specimens ...
    approx: bool = False
    raw_unit: Any = None


@dataclass(frozen=True, slots=True)
class _Unit:
    kind: str  # mass | volume | cubic | length | area | count | container
    unit: str  # canonical unit
    factor: float
    count_unit: str | None = None
    note: str | None = None


def _u(kind, unit, factor=1.0, count_unit=None, note=None):
    return _Unit(kind, unit, factor, count_unit, note)


# canonical spelling -> definition; synonyms below.  Keys are folded
# (lower case, no diacritics, dots removed, single spaces).
_UNIT_DEFS: dict[str, tuple[_Unit, str]] = {}


def _def(unit: _Unit, names: str) -> None:
    for n in names.split("|"):
        n = n.strip()
        if n:
            _UNIT_DEFS[_fold_unit(n)] = (unit, n)


def _fold_unit(s: str) -> str:
    s = strip_marks(s.casefold())
    s = s.replace("³", "3").replace("²", "2").replace("µ", "u").replace("μ", "u")
    s = re.sub(r"[.\u2019']", "", s)
    s = re.sub(r"[\s_\-]+", " ", s)
    return s.strip()


KG = "kg"
_def(
    _u("mass", KG, 1.0),
    "kg|kgs|kg s|kilo|kilos|kilogram|kilograms|kilogramme|kilogrammes|kilogramo|kilogramos|"
    "quilo|quilos|quilograma|quilogramas|kilogramu|kil|公斤|千克|kí lô|ki lô|cân ta",
)
_def(_u("mass", KG, 0.001), "g|gr|grs|gm|gms|gram|grams|gramme|grammes|grama|gramas|gramo|gramos|grm|克")
_def(_u("mass", KG, 1e-6), "mg|milligram|milligrams|milligramme|milligrammes|miligrama|miligramas|mgm")
_def(_u("mass", KG, 1e-9), "ug|mcg|microgram|micrograms|microgramme|microgrammes|myg")
_def(
    _u("mass", KG, 1000.0),
    "t|tonne|tonnes|metric ton|metric tons|metric tonne|metric tonnes|mt|tonelada|"
    "toneladas|tonnes metriques|tấn|吨|公吨|ton metric",
)
_def(_u("mass", KG, 1000.0, note="'tons' read as metric tonnes"), "ton|tons")
_def(_u("mass", KG, 0.45359237), "lb|lbs|pound|pounds|pnd|libra|libras|livre|livres")
_def(_u("mass", KG, 0.028349523125), "oz|ounce|ounces|oun|once|onces")
_def(_u("mass", KG, 0.0002), "ct|carat|carats|karat")
_def(_u("mass", KG, 0.5, note="斤 (jin) read as 0.5 kg"), "斤|jin")
_def(_u("volume", "l", 1.0), "l|lt|ltr|ltrs|litre|litres|liter|liters|litro|litros|升|lít")
_def(_u("volume", "l", 0.001), "ml|millilitre|millilitres|milliliter|milliliters|mililitro|mililitros|mlt|毫升")
_def(_u("volume", "l", 0.01), "cl|centilitre|centilitres")
_def(_u("volume", "l", 3.785411784, note="US gallons assumed"), "gal|gallon|gallons")
_def(
    _u("cubic", "m3", 1.0),
    "m3|m 3|cu m|cum|cbm|cubic metre|cubic metres|cubic meter|cubic meters|metre cube|"
    "metres cubes|mètre cube|metro cubico|metros cubicos|mètres cubes|khối|立方米|方",
)
_def(_u("cubic", "m3", 1e-6), "cm3|cu cm|ccm|cc|cubic centimetre|cubic centimetres")
_def(_u("cubic", "m3", 0.028316846592), "ft3|cu ft|cuf|cubic foot|cubic feet|pieds cubes")
_def(_u("length", "m", 1.0), "m|metre|metres|meter|meters|metro|metros|mtr")
_def(_u("length", "m", 0.01), "cm|centimetre|centimetres|centimeter|centimeters|ctm")
_def(_u("length", "m", 0.001), "mm|millimetre|millimetres")
_def(_u("length", "m", 0.3048), "ft|foot|feet|fee|pieds")
_def(_u("length", "m", 0.0254), "inch|inches|inc|pouces")
_def(_u("length", "m", 0.9144), "yd|yds|yard|yards|yar")
_def(_u("area", "m2", 1.0), "m2|sq m|sqm|square metre|square metres|square meter|square meters|metres carres")
_def(_u("area", "m2", 1e-4), "cm2|sq cm|sqc|square centimetre|square centimetres")
_def(_u("area", "m2", 0.01), "dm2|sq dcm|sq dm|sqd")
_def(_u("area", "m2", 0.09290304), "ft2|sq ft|sqf|square foot|square feet|pieds carres")

P, ITEMS = "pieces", "items"
_def(
    _u("count", P, 1.0, "pieces"),
    "pc|pcs|piece|pieces|pce|pces|pièce|pièces|peca|pecas|peça|peças|pieza|piezas|"
    "pz|pzs|morceau|morceaux|unit|units|unite|unites|unidad|unidades|unidade|unidades|ea|each|nos|no|nr|"
    "number|numbers|qty|cái|chiếc|件|个|支|根|片|ite|item|items|article|articles|artigo|artigos",
)
_def(
    _u("count", P, 1.0, "specimens"),
    "number of specimens|specimens|specimen|spe|spécimen|spécimens|"
    "especimen|especimenes|espécime|espécimes|exemplaire|exemplaires|exemplar|exemplares|ejemplar|ejemplares",
)
_def(
    _u("count", P, 1.0, "live"),
    "live|alive|live animals|live specimens|animals|animal|animaux|animais|"
    "vivant|vivants|vivo|vivos|head|heads|individual|individuals|individus|individuos|indivíduos|con|只|头|"
    "birds|oiseaux|aves",
)
_def(
    _u("count", P, 1.0, "tusks"),
    "tusk|tusks|tus|défense|défenses|defense|defenses|presa|presas|ponta|pontas|"
    "colmillo|colmillos|pembe|ngà|raw tusks|tusks (raw)",
)
_def(
    _u("count", P, 1.0, "horns"),
    "horn|horns|hor|corne|cornes|chifre|chifres|corno|cornos|cuerno|cuernos|sừng|rhino horns|rhino horn",
)
_def(
    _u("count", P, 1.0, "skins"),
    "skin|skins|ski|peau|peaux|pele|peles|piel|pieles|hide|hides|pelt|pelts|"
    "bellyskins|belly skins|bsk|backs|back skins|bak|hornback skins|hrn|sides|side|sid|skd|张",
)
_def(_u("count", P, 1.0, "scales"), "scale|scales|sca|écaille|écailles|escama|escamas|vảy")
_def(_u("count", P, 1.0, "ivory pieces"), "ivory pieces|ivp|ivory piece|ivory carvings|ivc|ivory scraps|ivs")
_def(_u("count", P, 1.0, "carvings"), "carving|carvings|sculptures|sculpture")
_def(_u("count", P, 1.0, "bodies"), "body|bodies|bod|carcass|carcasses|carcasse|carcasses")
_def(_u("count", P, 1.0, "teeth"), "tooth|teeth|dent|dents|dente|dentes|fangs|canines")
_def(_u("count", P, 1.0, "claws"), "claw|claws|cla|griffe|griffes|garra|garras")
_def(_u("count", P, 1.0, "skulls"), "skull|skulls|sku|crâne|crânes|cranio|cranios")
_def(_u("count", P, 1.0, "bones"), "bone|bones|osso|ossos|hueso|huesos")
_def(_u("count", P, 1.0, "skeletons"), "skeleton|skeletons|ske")
_def(_u("count", P, 1.0, "shells"), "shell|shells|carapace|carapaces")
_def(_u("count", P, 1.0, "trophies"), "trophy|trophies|tro|trophée|trophées")
_def(_u("count", P, 1.0, "eggs"), "egg|eggs|oeuf|oeufs|œuf|œufs|ovo|ovos|huevo|huevos|trứng")
_def(_u("count", P, 1.0, "feathers"), "feather|feathers|fea|plume|plumes|pena|penas")
_def(_u("count", P, 1.0, "fins"), "fin|fins|aileron|ailerons|barbatana|barbatanas|aleta|aletas|vây")
_def(_u("count", P, 1.0, "swim bladders"), "swim bladder|swim bladders|swi|maw|maws|bladder|bladders|buche|buches")
_def(_u("count", P, 1.0, "logs"), "log|logs|grume|grumes|tora|toras|troza|trozas|khúc|cây")
_def(_u("count", P, 1.0, "plants"), "plant|plants|plante|plantes|planta|plantas")
_def(_u("count", P, 1.0, "pairs"), "pair|pairs|pai|paire|paires|par|pares")
_def(_u("count", P, 1.0, "sets"), "set|sets|jeu|jeux|conjunto|conjuntos|bộ")
_def(_u("count", P, 1.0, "gall bladders"), "gall bladder|gall bladders|gallbladder|gallbladders|gab")
_def(_u("count", P, 1.0, "paws"), "paw|paws|patte|pattes")
_def(_u("count", P, 1.0, "heads"), "hea|tête|têtes")
_def(
    _u("container", ITEMS, 1.0, "bags"),
    "bag|bags|sack|sacks|sac|sacs|saco|sacos|bolsa|bolsas|gunny bag|gunny bags|gunia|magunia|mfuko|mifuko|bao|袋",
)
_def(
    _u("container", ITEMS, 1.0, "boxes"), "box|boxes|boîte|boîtes|boite|boites|caixa|caixas|caja|cajas|hộp|thùng|箱|盒"
)
_def(_u("container", ITEMS, 1.0, "cartons"), "carton|cartons|crt|ctn|ctns|cartão|cartoes")
_def(_u("container", ITEMS, 1.0, "cases"), "case|cases|cas|caisse|caisses")
_def(
    _u("container", ITEMS, 1.0, "bottles"),
    "bottle|bottles|bot|bouteille|bouteilles|garrafa|garrafas|botella|botellas|chai",
)
_def(_u("container", ITEMS, 1.0, "cans"), "can|cans|tin|tins|bidon|bidons|lata|latas")
_def(_u("container", ITEMS, 1.0, "flasks"), "flask|flasks|fla|flacon|flacons|frasco|frascos")
_def(
    _u("container", ITEMS, 1.0, "packets"),
    "packet|packets|pack|packs|package|packages|pkg|pkgs|pks|paquet|paquets|"
    "pacote|pacotes|paquete|paquetes|parcel|parcels|colis|gói|包",
)
_def(
    _u("container", ITEMS, 1.0, "containers"),
    "container|containers|conteneur|conteneurs|contentor|contentores|contenedor|contenedores|ctr|ctrs|teu",
)
_def(_u("container", ITEMS, 1.0, "crates"), "crate|crates|cageot|cageots|caixote|caixotes")
_def(_u("container", ITEMS, 1.0, "suitcases"), "suitcase|suitcases|valise|valises|mala|malas|luggage|bagages")
_def(_u("container", ITEMS, 1.0, "shipments"), "shipment|shipments|shp|cargaison|cargaisons")
_def(_u("container", ITEMS, 1.0, "bundles"), "bundle|bundles|ballot|ballots|fardo|fardos")
_def(_u("container", ITEMS, 1.0, "drums"), "drum|drums|fût|fûts|barrel|barrels")
_def(_u("container", ITEMS, 1.0, "jars"), "jar|jars|bocal|bocaux|pot|pots")

# CITES term codes -> what is counted when the unit is blank ("Number of specimens")
_TERM_CODES = {
    "BEL": "belts",
    "BOC": "bone carvings",
    "BOD": "bodies",
    "BON": "bones",
    "BOP": "bone pieces",
    "BPR": "bone products",
    "CAP": "carapaces",
    "CAL": "calipee",
    "CAR": "carvings",
    "BAR": "bark",
    "CHP": "chips",
    "CLA": "claws",
    "CLO": "cloth",
    "COR": "raw corals",
    "CST": "chess sets",
    "CUL": "cultures",
    "DER": "derivatives",
    "DPL": "dried plants",
    "EAR": "ears",
    "EGG": "eggs",
    "COS": "coral sand",
    "EGL": "eggs (live)",
    "EXT": "extract",
    "FEA": "feathers",
    "FIB": "fibres",
    "FLO": "flowers",
    "FOO": "feet",
    "FPT": "flower pots",
    "FRA": "spectacle frames",
    "FRN": "items of furniture",
    "FRU": "fruit",
    "GAR": "garments",
    "GRS": "graft rootstocks",
    "HAI": "hair",
    "HAN": "handbags",
    "HOC": "horn carvings",
    "HOP": "horn pieces",
    "HOR": "horns",
    "HOS": "horn scraps",
    "GAL": "gall",
    "GAB": "gall bladders",
    "HEA": "heads",
    "GEN": "genitalia",
    "HAP": "hair products",
    "HPR": "horn products",
    "IVC": "ivory carvings",
    "IVP": "ivory pieces",
    "IVS": "ivory scraps",
    "LEA": "leather",
    "LEG": "legs",
    "LIV": "live",
    "LVS": "leaves",
    "MEA": "meat",
    "LPL": "leather products (large)",
    "LPS": "leather products (small)",
    "LOG": "logs",
    "SAW": "sawn wood",
    "MUS": "musk",
    "OIL": "oil",
    "OTH": "other",
    "PIE": "pieces",
    "PKY": "sets of piano keys",
    "PLA": "plates",
    "ROO": "roots",
    "SCA": "scales",
    "QUI": "quills",
    "POW": "powder",
    "PEA": "pearls",
    "SCR": "scraps",
    "SEE": "seeds",
    "SHE": "shells",
    "SHO": "pairs of shoes",
    "SKE": "skeletons",
    "SKI": "skins",
    "SKO": "leather items",
    "SKP": "skin pieces",
    "SKS": "skin scraps",
    "BAL": "baleen",
    "SKU": "skulls",
    "SOU": "soup",
    "SPE": "specimens",
    "MED": "medicine",
    "STE": "stems",
    "TAI": "tails",
    "TEE": "teeth",
    "TIC": "timber carvings",
    "TIM": "timber",
    "TIP": "timber pieces",
    "SWI": "swim bladders",
    "TIS": "tissue cultures",
    "TRO": "trophies",
    "TUS": "tusks",
    "UNS": "unspecified",
    "WAL": "wallets",
    "WAT": "watchstraps",
    "WAX": "wax",
    "WOO": "wood products",
    "VEN": "veneer",
    "VNM": "venom",
    "FIG": "fingerlings",
    "PLY": "plywood",
    "FIN": "fins",
    "SKD": "sides",
    "SID": "sides",
    "CAV": "caviar",
}
# CITES unit codes
_UNIT_CODES = {
    "BAG": "bags",
    "BAK": "backs",
    "BOT": "bottles",
    "BOX": "boxes",
    "BSK": "bellyskins",
    "CAN": "cans",
    "CAS": "cases",
    "CCM": "cm3",
    "CRT": "cartons",
    "CTM": "cm",
    "CUF": "ft3",
    "CUM": "m3",
    "FEE": "ft",
    "FLA": "flasks",
    "GRM": "g",
    "HRN": "hornback skins",
    "INC": "in",
    "ITE": "items",
    "KIL": "kg",
    "LTR": "l",
    "MGM": "mg",
    "MLT": "ml",
    "MTR": "m",
    "MYG": "ug",
    "OUN": "oz",
    "PAI": "pairs",
    "PCS": "pcs",
    "PND": "lb",
    "SET": "sets",
    "SHP": "shipments",
    "SID": "sides",
    "SKI": "skins",
    "SQC": "cm2",
    "SQD": "dm2",
    "SQF": "ft2",
    "SQM": "m2",
    "TON": "t",
    "YAR": "yd",
}

_BLANK_WORDS = {"", "-", "--", "?", "n/a", "na", "nil", "none", "unknown", "inconnu", "desconhecido", "nd", "n d", "nc"}
_APPROX_RE = re.compile(
    r"^(?:approx(?:imately)?\.?|approx|appr\.?|about|around|circa|ca\.?|c\.|~|≈|±|\+/-|\+-|est(?:imated)?\.?|"
    r"env\.?|environ|aprox(?:imadamente)?\.?|cerca de|près de|pres de|roughly|some|khoảng|takriban|约|大约)\s*"
    r"(?=[\d.,])",
    re.I,
)
_BOUND_RE = re.compile(
    r"^(?:more than|over|above|>=?|at least|plus de|mais de|más de|mas de|over|less than|under|below|<=?|"
    r"up to|moins de|menos de|hadi)\s*(?=[\d.,])",
    re.I,
)
_APPROX_ANYWHERE_RE = re.compile(
    r"(?:\b(?:approx(?:imately)?|approximate|circa|environ|aprox(?:imadamente)?|estimated|est)\b|[~≈±])", re.I
)
_NUM = r"(?:\d{1,3}(?:(?:[,.'\u00a0\u202f]|\s(?=\d{3}(?!\d)))\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d+)"
_NUM_RE = re.compile(_NUM)
_MULT_RE = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<c1>[^\W\d_]+(?:\s[^\W\d_]+)?)?\s*(?:x|\*|×|@)\s*(?P<q>{_NUM})\s*(?P<u>[^\W\d_][\w.\s]*)?",
    re.I,
)
_OF_RE = re.compile(
    rf"(?P<n>{_NUM})\s*(?P<c1>[^\W\d_]+(?:\s[^\W\d_]+)?)\s+(?:of|de|do|da|each|chacun|cada)\s+(?P<q>{_NUM})\s*(?P<u>[^\W\d_][\w.\s]*)",
    re.I,
)
_RANGE_RE = re.compile(rf"^(?P<a>{_NUM})\s*(?:-|–|to|à|a|até|hasta)\s*(?P<b>{_NUM})\s*(?P<u>.*)$", re.I)
_UW = r"[^\d\s,;()\[\]/+=&][^\s,;()\[\]/+=&]*"  # a unit word: may end in digits ("m3", "cm2")
_PAIR_RE = re.compile(rf"(?P<neg>(?<![\w.])-\s*)?(?P<num>{_NUM})\s*(?P<unit>{_UW}(?:\s+{_UW}){{0,3}})?")
_UNIT_FIRST_RE = re.compile(rf"^(?P<unit>[^\W\d_][^\d:]*?)\s*:?\s*(?P<num>{_NUM})$")


@functools.lru_cache(maxsize=4096)
def normalize_unit(raw_unit: str) -> _Unit | None:
    """Unit text -> definition (None when unknown).  Exposed for importers that
    map a unit column once per distinct value."""
    if raw_unit is None:
        return None
    u = raw_unit.strip()
    if not u:
        return None
    if u.upper() in _UNIT_CODES and (u.isupper() or len(u) == 3):
        code = _UNIT_CODES[u.upper()]
        hit = _UNIT_DEFS.get(_fold_unit(code))
        if hit:
            return hit[0]
    f = _fold_unit(u)
    hit = _UNIT_DEFS.get(f)
    if hit:
        return hit[0]
    # "kg." "Kgs." "(kg)" "kg net"
    f2 = re.sub(r"[()\[\]]", " ", f).strip()
    f2 = re.sub(r"\b(net|nett|gross|brut|bruto|liquido|total|weight|poids|peso)\b", "", f2).strip()
    hit = _UNIT_DEFS.get(re.sub(r"\s+", " ", f2))
    if hit:
        return hit[0]
    if u.upper() in _TERM_CODES:
        return _term_unit(_TERM_CODES[u.upper()])
    return None


def _term_unit(term_name: str) -> _Unit:
    hit = _UNIT_DEFS.get(_fold_unit(term_name))
    if hit and hit[0].kind in ("count", "container"):
        return hit[0]
    return _Unit("count", P, 1.0, term_name)


@functools.lru_cache(maxsize=1024)
def _term(term: str | None) -> str | None:
    """CITES term (name or code) -> count_unit name."""
    if not term:
        return None
    t = term.strip()
    if not t:
        return None
    if t.upper() in _TERM_CODES and len(t) == 3:
        return _TERM_CODES[t.upper()]
    hit = _UNIT_DEFS.get(_fold_unit(t))
    if hit and hit[0].kind in ("count", "container"):
        return hit[0].count_unit
    return _fold_unit(t)


def parse_number(text: str, decimal: str | None = None) -> tuple[float | None, str | None]:
    """Parse "1,250.5", "1.250,5", "1 250,5", "12,5" ... -> (value, note).

    ``decimal`` ('.' or ',') is the file's decimal separator when known.
    Ambiguous lone separators followed by exactly three digits ("1,250",
    "1.250") follow ``decimal``; without it "1,250" is read as 1250 and
    "1.250" as 1.25, with a note.
    """
    s = text.strip().replace("\u00a0", " ").replace("\u202f", " ").replace("'", " ")
    if not s:
        return None, "no number"
    note = None
    has_dot, has_comma = "." in s, "," in s
    if " " in s:
        s = s.replace(" ", "")
    if has_dot and has_comma:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thou = "," if dec == "." else "."
        int_part, _, frac = s.rpartition(dec)
        groups = int_part.split(thou)
        if any(len(g) != 3 for g in groups[1:]) or not groups[0]:
            return None, f"malformed number {text!r}"
        s = "".join(groups) + "." + frac
    elif has_comma or has_dot:
        sep = "," if has_comma else "."
        parts = s.split(sep)
        if len(parts) > 2:  # "1,250,000" / "1.250.000": thousands
            if any(len(g) != 3 for g in parts[1:]) or not parts[0]:
                return None, f"malformed number {text!r}"
            s = "".join(parts)
        else:
            head, tail = parts
            if len(tail) == 3 and head and head != "0" and head.lstrip("-") != "0":
                # the ambiguous case
                if decimal == sep:
                    s = head + "." + tail
                elif decimal is not None:
                    s = head + tail
                elif sep == ",":
                    s = head + tail
                    note = f"ambiguous '{text}': ',' read as thousands separator"
                else:
                    s = head + "." + tail
                    note = f"ambiguous '{text}': '.' read as decimal separator"
            else:
                s = (head or "0") + "." + tail
    try:
        v = float(s)
    except ValueError:
        return None, f"not a number {text!r}"
    if math.isnan(v) or math.isinf(v):
        return None, "not a finite number"
    return v, note


def detect_decimal_separator(values: Iterable[Any], max_values: int | None = None) -> str | None:
    """Decide the decimal separator of a column from unambiguous evidence:
    "1.250,5", "12,5", "1.250.000" prove ','; "1,250.5", "12.5", "1,250,000"
    prove '.'.  Returns None without evidence or with conflicting evidence."""
    comma = dot = 0
    for i, v in enumerate(values):
        if max_values is not None and i >= max_values:
            break
        if not isinstance(v, str):
            continue
        for m in _NUM_RE.finditer(v):
            n = m.group()
            hd, hc = "." in n, "," in n
            if hd and hc:
                if n.rfind(",") > n.rfind("."):
                    comma += 1
                else:
                    dot += 1
            elif hc or hd:
                sep = "," if hc else "."
                parts = n.split(sep)
                if len(parts) > 2:
                    if sep == ".":
                        comma += 1
                    else:
                        dot += 1
                elif len(parts[1]) != 3:
                    if sep == ",":
                        comma += 1
                    else:
                        dot += 1
    total = comma + dot
    if not total:
        return None
    if comma / total >= 0.95:
        return ","
    if dot / total >= 0.95:
        return "."
    return None


# ---------------------------------------------------------------------------


def _match_unit_words(words: str) -> tuple[_Unit | None, str, str]:
    """Longest prefix of ``words`` that is a unit -> (unit, matched, rest)."""
    parts = words.split()
    for n in range(min(len(parts), 4), 0, -1):
        cand = " ".join(parts[:n])
        u = normalize_unit(cand)
        if u is None and cand.endswith("."):
            u = normalize_unit(cand[:-1])
        if u is not None:
            return u, cand, " ".join(parts[n:])
    # units glued to punctuation: "kg)" "kg," handled by the pair regex; CJK glued: "5公斤"
    if parts:
        w = parts[0]
        for k in range(len(w) - 1, 0, -1):
            u = normalize_unit(w[:k])
            if u is not None and not w[k].isalpha():
                return u, w[:k], w[k:] + (" " + " ".join(parts[1:]) if len(parts) > 1 else "")
    return None, "", words


@dataclass
class _Acc:
    notes: list
    approx: bool = False


def _qv(
    raw,
    raw_unit,
    amount,
    unit: _Unit | None,
    count=None,
    count_unit=None,
    acc: _Acc | None = None,
    ok=True,
    extra_note=None,
) -> QuantityValue:
    notes = list(acc.notes) if acc else []
    if extra_note:
        notes.append(extra_note)
    if unit is not None and unit.note and unit.note not in notes:
        notes.append(unit.note)
    return QuantityValue(
        raw=raw,
        value=amount if ok else None,
        ok=ok,
        note="; ".join(notes) or None,
        amount=amount if ok else None,
        unit=unit.unit if (unit and ok) else None,
        count=count,
        count_unit=count_unit,
        approx=acc.approx if acc else False,
        raw_unit=raw_unit,
    )


def _fail(raw, raw_unit, note, acc: _Acc | None = None) -> QuantityValue:
    notes = list(acc.notes) if acc else []
    notes.append(note)
    return QuantityValue(
        raw=raw, value=None, ok=False, note="; ".join(notes), raw_unit=raw_unit, approx=acc.approx if acc else False
    )


def _from_number(raw, raw_unit, v: float, unit_text: str | None, term: str | None, acc: _Acc) -> QuantityValue:
    if v < 0:
        return _fail(raw, raw_unit, "negative quantity", acc)
    if unit_text is not None and unit_text.strip():
        u = normalize_unit(unit_text)
        if u is None:
            return _fail(raw, raw_unit, f"unknown unit {unit_text!r}", acc)
    else:
        cu = _term(term) if term else None
        u = _Unit("count", P, 1.0, cu or "specimens")
        if cu is None:
            acc.notes.append("no unit: count of specimens assumed (CITES convention)")
    if v == 0:
        acc.notes.append("zero quantity")
    amount = v * u.factor
    if u.kind in ("count", "container"):
        cu = u.count_unit
        if term and cu in ("pieces", "specimens"):
            cu = _term(term) or cu
        return _qv(raw, raw_unit, amount, u, count=amount, count_unit=cu, acc=acc)
    return _qv(raw, raw_unit, _round(amount), u, acc=acc)


def _round(x: float) -> float:
    # remove float noise from unit conversion (0.1 * 1000 -> 100.00000000000001)
    return float(f"{x:.12g}")


def _parse_text(text: str, raw_unit: str | None, term: str | None, decimal: str | None) -> QuantityValue:
    acc = _Acc(notes=[])
    s = text.strip()
    low = s.casefold()
    if _fold_unit(low) in _BLANK_WORDS:
        return _fail(text, raw_unit, "no quantity given")
    m = _APPROX_RE.match(s)
    if m:
        acc.approx = True
        acc.notes.append("approximate")
        s = s[m.end() :]
    m = _BOUND_RE.match(s)
    if m:
        acc.approx = True
        acc.notes.append(f"bound '{m.group().strip()}' given, value used as is")
        s = s[m.end() :]
    s = s.strip()
    if not s:
        return _fail(text, raw_unit, "no number", acc)
    if not acc.approx and _APPROX_ANYWHERE_RE.search(s):
        acc.approx = True
        acc.notes.append("approximate")

    # plain number: the fast, common case
    v, n_note = parse_number(s, decimal) if re.fullmatch(_NUM, s) else (None, None)
    if v is not None:
        if n_note:
            acc.notes.append(n_note)
        return _from_number(text, raw_unit, v, raw_unit, term, acc)

    # ranges "40-50 kg"
    m = _RANGE_RE.match(s)
    if m:
        a, _ = parse_number(m.group("a"), decimal)
        b, _ = parse_number(m.group("b"), decimal)
        if a is not None and b is not None and a < b:
            return _fail(text, raw_unit, f"range {m.group('a')}-{m.group('b')} {m.group('u').strip()}".strip(), acc)

    # "2 x 25 kg bags", "2 bags x 25kg", "3 sacs de 25 kg"
    m = _MULT_RE.search(s)
    mult_kind = "x"
    if not m:
        m = _OF_RE.search(s)
        mult_kind = "of"
    if m:
        n, n_note1 = parse_number(m.group("n"), decimal)
        q, n_note2 = parse_number(m.group("q"), decimal)
        c1 = (m.group("c1") or "").strip()
        cont_u = normalize_unit(c1) if c1 else None
        u, matched, rest = _match_unit_words((m.group("u") or "").strip())
        if rest and cont_u is None:
            cont_u = normalize_unit(rest.split()[0]) if rest.split() else None
        valid = (
            n is not None
            and q is not None
            and u is not None
            and (mult_kind == "x" or (cont_u is not None and cont_u.kind == "container"))
            and (not c1 or cont_u is not None)
            and n == int(n)
            and 1 <= n <= 10_000
        )
        if valid:
            for nn in (n_note1, n_note2):
                if nn:
                    acc.notes.append(nn)
            acc.notes.append(f"{m.group('n')} x {m.group('q')} {matched}")
            total = n * q * u.factor
            if u.kind in ("count", "container"):
                return _qv(text, raw_unit, total, u, count=total, count_unit=u.count_unit, acc=acc)
            count_unit = cont_u.count_unit if cont_u is not None else None
            return _qv(
                text, raw_unit, _round(total), u, count=n if count_unit else None, count_unit=count_unit, acc=acc
            )

    # all "number unit" pairs in the text
    measures: list[tuple[float, _Unit, str]] = []
    counts: list[tuple[float, _Unit, str]] = []
    bare: list[float] = []
    for pm in _PAIR_RE.finditer(s):
        if pm.group("neg"):
            return _fail(text, raw_unit, "negative quantity", acc)
        v, n_note = parse_number(pm.group("num"), decimal)
        if v is None:
            continue
        if n_note:
            acc.notes.append(n_note)
        words = (pm.group("unit") or "").strip()
        u, matched, _rest = _match_unit_words(words) if words else (None, "", "")
        if u is None:
            bare.append(v)
            continue
        if u.kind in ("count", "container"):
            counts.append((v, u, matched))
        else:
            measures.append((v, u, matched))
    if not measures and not counts:
        mu = _UNIT_FIRST_RE.match(s)
        if mu and normalize_unit(mu.group("unit").strip()) is not None:  # "Kg 30", "KG: 30"
            v, n_note = parse_number(mu.group("num"), decimal)
            if v is not None:
                if n_note:
                    acc.notes.append(n_note)
                return _from_number(text, raw_unit, v, mu.group("unit").strip(), term, acc)
        if len(bare) == 1 and not re.search(r"\w", _APPROX_ANYWHERE_RE.sub("", _NUM_RE.sub("", s, count=1))):
            return _from_number(text, raw_unit, bare[0], raw_unit, term, acc)
        if len(bare) == 1 and raw_unit:
            acc.notes.append("words around the number ignored")
            return _from_number(text, raw_unit, bare[0], raw_unit, term, acc)
        if not bare:
            return _fail(text, raw_unit, "no number", acc)
        return _fail(text, raw_unit, "number without a recognisable unit", acc)
    if len({(u.kind if u.kind != "cubic" else "volume") for _, u, _ in measures}) > 1 or len(measures) > 1:
        vals = {(round(v * u.factor, 9), u.unit) for v, u, _ in measures}
        if len(vals) > 1:
            return _fail(
                text,
                raw_unit,
                "several measures in one cell: " + ", ".join(f"{v:g} {m_}" for v, _, m_ in measures),
                acc,
            )
    if len({u.count_unit for _, u, _ in counts}) > 1:
        # "3 bags, 120 tusks": keep the specimen count, drop the packages
        spec = [c for c in counts if c[1].kind == "count"]
        if len(spec) == 1:
            acc.notes.append(
                "packages ignored: " + ", ".join(f"{v:g} {m_}" for v, u, m_ in counts if u.kind == "container")
            )
            counts = spec
        else:
            return _fail(
                text, raw_unit, "several counts in one cell: " + ", ".join(f"{v:g} {m_}" for v, _, m_ in counts), acc
            )
    if raw_unit and (u_given := normalize_unit(raw_unit)) is not None:
        for _, u, _ in measures + counts:
            if (u.unit, u.factor, u.count_unit) != (u_given.unit, u_given.factor, u_given.count_unit):
                acc.notes.append(f"unit in the quantity cell overrides unit column {raw_unit!r}")
                break
    if measures:
        v, u, _ = measures[0]
        if any(v2 < 0 for v2, _, _ in measures):
            return _fail(text, raw_unit, "negative quantity", acc)
        if counts:
            cv, cu, _ = counts[0]
            return _qv(text, raw_unit, _round(v * u.factor), u, count=cv, count_unit=cu.count_unit, acc=acc)
        return _qv(text, raw_unit, _round(v * u.factor), u, acc=acc)
    cv, cu, _ = counts[0]
    cu_name = cu.count_unit
    if term and cu_name in ("pieces", "specimens"):
        cu_name = _term(term) or cu_name
    return _qv(text, raw_unit, cv, cu, count=cv, count_unit=cu_name, acc=acc)


@functools.lru_cache(maxsize=131_072)
def _numeric_cached(v: float, unit_text: str | None, term: str | None) -> QuantityValue:
    return _from_number(v, unit_text, v, unit_text, term, _Acc(notes=[]))


@functools.lru_cache(maxsize=131_072)
def _normalize_text(text: str, raw_unit: str | None, term: str | None, decimal: str | None) -> QuantityValue:
    return _parse_text(text, raw_unit, term, decimal)


def _unit_text(raw_unit: Any) -> str | None:
    if raw_unit is None:
        return None
    if type(raw_unit) is str:
        return _unit_text_str(raw_unit)
    if is_blank(raw_unit):
        return None
    return _unit_text_str(str(raw_unit))


@functools.lru_cache(maxsize=4096)
def _unit_text_str(raw_unit: str) -> str | None:
    u = raw_unit.strip()
    if _fold_unit(u) in ("number of specimens", "no unit", "number", "n", "nos", "count"):
        return None  # CITES: blank unit = number of specimens
    return u[:60] or None


def _with_raw(r: QuantityValue, raw: Any, raw_unit: Any) -> QuantityValue:
    if r.raw is raw and r.raw_unit is raw_unit:
        return r
    return QuantityValue(raw, r.value, r.ok, r.note, r.amount, r.unit, r.count, r.count_unit, r.approx, raw_unit)


def normalize_quantity(
    raw_qty: Any,
    raw_unit: Any = None,
    *,
    term: str | None = None,
    decimal: str | None = None,
) -> QuantityValue:
    """Normalise a quantity (and its unit column, if separate).

    ``term`` is the CITES term (name or code: "tusks", "TUS") counted when
    the unit is blank; ``decimal`` ('.' or ',') the file's decimal separator
    when known.  Never raises; the raw quantity and unit are kept on the
    result (``.raw``, ``.raw_unit``).
    """
    try:
        unit_text = _unit_text(raw_unit)
        term_s = term.strip() if isinstance(term, str) and term.strip() else None
        if is_blank(raw_qty):
            return _fail(raw_qty, raw_unit, "blank")
        if isinstance(raw_qty, bool):
            return _fail(raw_qty, raw_unit, "boolean is not a quantity")
        if isinstance(raw_qty, (int, float)) or type(raw_qty).__name__.startswith(("int", "float")):
            v = float(raw_qty)
            if math.isinf(v):
                return _fail(raw_qty, raw_unit, "not a finite number")
            return _with_raw(_numeric_cached(v, unit_text, term_s), raw_qty, raw_unit)
        text = raw_qty.strip() if type(raw_qty) is str else clean_text(raw_qty)
        if len(text) > 200:
            return _fail(raw_qty, raw_unit, "too long to be a quantity")
        return _with_raw(_normalize_text(text, unit_text, term_s, decimal), raw_qty, raw_unit)
    except Exception as exc:  # pragma: no cover - defensive
        return QuantityValue(raw=raw_qty, value=None, ok=False, note=f"error: {exc!r}", raw_unit=raw_unit)


def normalize_quantity_series(qty, unit=None, term=None, decimal: str | None = None):
    """Vectorised helper over pandas Series.

    ``unit``/``term`` may be Series aligned with ``qty``, a single string or
    None.  Numeric quantities are converted with one multiplication per
    distinct unit; text quantities are parsed once per distinct
    (text, unit, term).  Returns a DataFrame with columns amount, unit,
    count, count_unit, approx, ok, note.
    """
    import pandas as pd

    if decimal is None and qty.dtype == object:
        decimal = detect_decimal_separator(qty.tolist())

    def one(v, u, t):
        return normalize_quantity(v, u, term=t if isinstance(t, str) else None, decimal=decimal)

    fields = ("amount", "unit", "count", "count_unit", "approx", "ok", "note")
    df = map_unique_frame(one, fields, qty, unit, term)
    for f in ("amount", "count"):
        df[f] = pd.to_numeric(df[f], errors="coerce").astype(float)
    df["approx"] = df["approx"].fillna(False).astype(bool)
    df["ok"] = df["ok"].fillna(False).astype(bool)
    return df
