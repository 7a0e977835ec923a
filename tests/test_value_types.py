"""Value types in the schema (#17 item 2): a property declared `{type: phone}` gives an import spec column mapped to
it its transform; a column mapped to two value types must name one; a column's own transform wins."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
import yaml

from linkgraph.errors import LinkgraphError
from linkgraph.importing import builtin_specs, import_files, load_spec_file
from linkgraph.importing.transforms import TRANSFORMS
from linkgraph.schema import SchemaError, _parse, load_schema

MINI = {
    "value_types": {
        "phone": {"storage": "STRING", "transform": "phone"},
        "count": {"storage": "INT64", "transform": "int"},
    },
    "entities": {
        "Phone": {
            "keys": ["number"],
            "caption": "number",
            "properties": {"number": {"type": "phone", "doc": "E.164"}, "raw": "STRING", "calls": {"type": "count"}},
        }
    },
    "links": {"CALLED": {"from": ["Phone"], "to": ["Phone"], "properties": {"time": {"type": "STRING"}}}},
}


def _mini(**patch) -> dict:
    doc = json.loads(json.dumps(MINI))
    doc["entities"]["Phone"]["properties"].update(patch)
    return doc


# --- the schema ----------------------------------------------------------------------------------------------
def test_a_property_declares_a_value_type_or_a_storage_type():
    s = _parse(_mini())
    assert s.entities["Phone"].value_types == {"number": "phone", "calls": "count"}
    assert s.value_type("Phone", "number").transform == "phone"
    assert s.value_type("Phone", "raw") is None  # plain STRING: a storage type, no value type
    assert s.value_type("CALLED", "time") is None  # {type: STRING} is the same declaration
    # the stores read storage types only: a value type's property is stored as its type's storage
    assert s.node_columns("Phone") == {
        "id": "STRING",
        "caption": "STRING",
        "number": "STRING",
        "raw": "STRING",
        "calls": "INT64",
    }
    assert s.link_columns("CALLED") == {"id": "STRING", "time": "STRING"}


@pytest.mark.parametrize(
    ("decl", "message"),
    [
        ("phone", r"entity Phone: property bad: write a value type as \{type: phone\}"),
        ("TEXT", "entity Phone: unknown property type TEXT"),
        ({"type": "fax"}, "entity Phone: unknown property type fax"),
        ({"type": "phone", "format": "e164"}, r"entity Phone: property bad: give \{type, doc\}"),
    ],
)
def test_a_bad_property_declaration_is_one_line(decl, message):
    with pytest.raises(SchemaError, match=message) as e:
        _parse(_mini(bad=decl))
    assert "\n" not in str(e.value)


def test_a_value_type_needs_a_known_storage_and_a_transform():
    doc = _mini()
    doc["value_types"]["fax"] = {"storage": "TEXT", "transform": "phone"}
    with pytest.raises(SchemaError, match="value type fax: unknown storage type TEXT"):
        _parse(doc)
    doc["value_types"]["fax"] = {"storage": "STRING"}
    with pytest.raises(SchemaError, match="value type fax: give"):
        _parse(doc)


def test_the_packaged_schema_types_the_properties_specs_normalise():
    s = load_schema()
    expect = {
        ("Phone", "number"): "phone",
        ("Person", "birth_date"): "date",
        ("Person", "nationality"): "country",
        ("Person", "name"): "person_name",
        ("Organization", "name"): "org_name",
        ("Species", "scientific_name"): "species",
        ("CALLED", "time"): "datetime",
        ("CALLED", "duration_s"): "duration",
        ("FORENSIC_MATCH", "likelihood_ratio"): "likelihood_ratio",
    }
    assert {k: s.value_type(*k).name for k in expect} == expect
    assert s.value_type("Person", "name_key") is None and s.value_type("Location", "code") is None
    for vt in s.value_types.values():
        assert vt.transform in TRANSFORMS, vt  # the schema cannot import the importer: checked here
    for t in [*s.entities.values(), *s.links.values()]:
        for prop, vt in t.value_types.items():
            assert t.properties[prop] == s.value_types[vt].storage, (t.name, prop)


# --- spec columns inherit ------------------------------------------------------------------------------------
SPEC = """
name: vt-test
columns:
  nat:   {headers: [Nationality]}  # before the phone: a national number is read in the row's country
  phone: {headers: [Phone]}
  dob:   {headers: [DOB], on_error: blank}
  who:   {headers: [Name]}
  ref:   {headers: [Ref]}
  code:  {headers: [Code], transform: code}
entities:
  person:
    type: Person
    properties: {name: who, name_key: who.key, birth_date: dob, nationality: nat, entity_id: ref}
  phone:
    type: Phone
    properties: {number: phone, raw: phone.raw, country: phone.country}
  country:
    type: Location
    properties: {kind: {value: country}, code: nat, name: nat.name, country: nat}
  id:
    type: Identification
    when: code
    properties: {kind: {value: passport}, number: code, country: nat}
links:
  - {type: HAS_PHONE, from: person, to: phone}
  - {type: NATIONAL_OF, from: person, to: country}
  - {type: HAS_ID, from: person, to: id}
"""


def _spec(tmp_path, text: str, name: str = "vt.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_spec_file(p)


def test_a_column_without_a_transform_inherits_its_properties_value_type(tmp_path):
    cols = _spec(tmp_path, SPEC).columns
    got = {n: (c.transform, c.value_type) for n, c in cols.items()}
    assert got == {
        "phone": ("phone", "phone"),  # Phone.number; phone.raw and phone.country read extras, not the value
        "dob": ("date", "date"),
        "nat": ("country", "country"),  # Person.nationality, Location.country; Location.code is a plain STRING
        "who": ("person_name", "person_name"),
        "ref": (None, None),  # Person.entity_id is a plain STRING: no transform, as before
        "code": ("code", None),  # named
    }
    assert cols["dob"].on_error == "blank"


def test_an_explicit_transform_wins(tmp_path):
    spec = _spec(tmp_path, SPEC.replace("phone: {headers: [Phone]}", "phone: {headers: [Phone], transform: code}"))
    assert (spec.columns["phone"].transform, spec.columns["phone"].value_type) == ("code", None)


def test_a_column_mapped_to_two_value_types_must_name_its_transform(tmp_path):
    text = SPEC.replace("nationality: nat,", "nationality: dob,")  # dob: a Person's birth date and nationality
    with pytest.raises(LinkgraphError) as e:
        _spec(tmp_path, text, "clash.yaml")
    msg = str(e.value)
    assert msg.startswith("import spec clash.yaml: columns.dob: mapped to properties of different value types (")
    assert "date: entities.person.birth_date" in msg and "country: entities.person.nationality" in msg
    assert msg.endswith("give the column a transform") and "\n" not in msg
    # naming the transform settles it
    ok = _spec(
        tmp_path, text.replace("dob:   {headers: [DOB], on_error: blank}", "dob: {headers: [DOB], transform: date}")
    )
    assert ok.columns["dob"].transform == "date"


def test_repeated_columns_inherit_and_a_clash_names_the_declared_field(tmp_path):
    text = """
    name: vt-repeat
    columns:
      suspect_{n}:       {repeat: [1, 2], headers: ["Suspect {n}"]}
      suspect_{n}_phone: {repeat: [1, 2], headers: ["Phone {n}"]}
    entities:
      suspect:
        type: Person
        repeat: [1, 2]
        properties: {name: "suspect_{n}", name_key: "suspect_{n}.key"}
      phone:
        type: Phone
        repeat: [1, 2]
        properties: {number: "suspect_{n}_phone"}
    """
    cols = _spec(tmp_path, text).columns
    assert {n: c.transform for n, c in cols.items()} == {
        "suspect_1": "person_name",
        "suspect_2": "person_name",
        "suspect_1_phone": "phone",
        "suspect_2_phone": "phone",
    }
    clash = text.replace('name_key: "suspect_{n}.key"', 'name_key: "suspect_{n}.key", birth_date: "suspect_{n}_phone"')
    with pytest.raises(
        LinkgraphError, match=r"columns\.suspect_\{n\}_phone: mapped to properties of different value types"
    ):
        _spec(tmp_path, clash)


def test_the_builtin_specs_inherit_what_they_used_to_write(tmp_path):
    specs = builtin_specs()
    reg = specs["seizure-register"].columns
    for n in ("1", "2", "3"):
        assert (reg[f"suspect_{n}_phone"].transform, reg[f"suspect_{n}_phone"].value_type) == ("phone", "phone")
        assert (reg[f"suspect_{n}_dob"].transform, reg[f"suspect_{n}_dob"].on_error) == ("date", "blank")
        assert reg[f"suspect_{n}_passport"].transform == "passport"  # Identification.number is a plain STRING
    assert reg["place"].transform == "strip"  # named: Seizure.place is a place, but the register keeps the text
    assert specs["shipment-manifest"].columns["weight"].transform == "quantity"  # named: weight_kg is a number
    cdr = specs["call-records"].columns
    assert (cdr["start"].transform, cdr["duration"].transform) == ("datetime", "duration")
    assert cdr["caller"].args == {"default_region": "KE"}
    # a column that names a transform keeps it; one that names none has its value type's, or none at all
    vtypes = load_schema().value_types
    for spec in specs.values():
        raw = yaml.safe_load(spec.path.read_text(encoding="utf-8"))["columns"]
        for name, col in spec.columns.items():
            (declared,) = [
                v or {} for k, v in raw.items() if re.fullmatch(re.escape(k).replace(r"\{n\}", r"\d+"), name)
            ]
            if "transform" in declared:
                assert (col.transform, col.value_type) == (declared["transform"], None), (spec.name, name)
            elif col.value_type is not None:
                assert col.transform == vtypes[col.value_type].transform, (spec.name, name)
            else:
                assert col.transform is None, (spec.name, name)


def test_an_import_normalises_by_value_type(store, tmp_path):
    spec = tmp_path / "vt.yaml"
    spec.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    sheet = tmp_path / "people.csv"
    sheet.write_text(
        "Name,DOB,Nationality,Phone,Ref,Code\n"
        "Mwila  Banda,03/02/1980,Zambia,0977 123 456,r1,zm 114522\n"
        "Chanda Phiri,unknown,Kenya,+254 712 345 678,r2,\n",
        encoding="utf-8",
    )
    import_files(store, sheet, spec=str(spec), progress=False)
    people = store.query(
        "MATCH (p:Person) RETURN p.name AS name, p.birth_date AS dob, p.nationality AS nat, p.entity_id AS ref "
        "ORDER BY name"
    )
    people = people.astype(object).where(people.notna(), None)  # a missing value: None on one engine, NaN on the other
    assert people.to_dict("records") == [
        {"name": "Chanda Phiri", "dob": None, "nat": "KE", "ref": "r2"},  # on_error: blank keeps the row
        {"name": "Mwila Banda", "dob": "1980-02-03", "nat": "ZM", "ref": "r1"},
    ]
    phones = store.query("MATCH (p:Phone) RETURN p.number AS number ORDER BY number")["number"].tolist()
    assert phones == ["+254712345678", "+260977123456"]  # the national number read in the row's country
    ids = store.query("MATCH (i:Identification) RETURN i.number AS number")["number"].tolist()
    assert ids == ["ZM114522"]
