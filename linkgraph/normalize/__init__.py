"""Value normalisers for agency spreadsheets.

One module per kind of value; each public ``normalize_*`` function keeps the
raw value beside the normalised one, never raises on junk and returns a small
frozen dataclass with ``.raw``, ``.value`` (normalised or None), ``.ok`` and
``.note``.  ``*_series`` helpers normalise a pandas Series once per distinct
value.
"""

from .countries import CountryValue, country_name, normalize_country, normalize_country_series
from .dates import (
    DateTimeValue,
    DateValue,
    detect_dayfirst,
    normalize_date,
    normalize_date_series,
    normalize_datetime,
    normalize_datetime_series,
)
from .identifiers import (
    IdentifierValue,
    awb_check_digit_ok,
    extract_identifiers,
    imo_check_digit_ok,
    normalize_awb,
    normalize_email,
    normalize_flight,
    normalize_imo,
    normalize_passport,
    normalize_plate,
)
from .names import NameValue, name_key, name_tokens, normalize_person_name, phonetic_key, phonetic_name_key
from .orgs import OrgValue, normalize_org_name, normalize_org_series, org_name_key
from .phones import PhoneValue, normalize_phone, normalize_phone_series
from .quantities import (
    QuantityValue,
    detect_decimal_separator,
    normalize_quantity,
    normalize_quantity_series,
    normalize_unit,
    parse_number,
)
from .species import SpeciesValue, Taxon, load_checklist, normalize_species, normalize_species_series

__all__ = [
    "NameValue",
    "normalize_person_name",
    "name_key",
    "name_tokens",
    "phonetic_key",
    "phonetic_name_key",
    "CountryValue",
    "country_name",
    "normalize_country",
    "normalize_country_series",
    "DateValue",
    "DateTimeValue",
    "normalize_date",
    "normalize_datetime",
    "detect_dayfirst",
    "normalize_date_series",
    "normalize_datetime_series",
    "IdentifierValue",
    "normalize_passport",
    "normalize_plate",
    "normalize_imo",
    "normalize_email",
    "normalize_flight",
    "normalize_awb",
    "imo_check_digit_ok",
    "awb_check_digit_ok",
    "extract_identifiers",
    "OrgValue",
    "normalize_org_name",
    "org_name_key",
    "normalize_org_series",
    "PhoneValue",
    "normalize_phone",
    "normalize_phone_series",
    "QuantityValue",
    "normalize_quantity",
    "normalize_unit",
    "parse_number",
    "detect_decimal_separator",
    "normalize_quantity_series",
    "SpeciesValue",
    "Taxon",
    "load_checklist",
    "normalize_species",
    "normalize_species_series",
]
