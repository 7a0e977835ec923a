"""The #14 resolution rules end to end: files imported into a store of each engine, resolved there."""

from __future__ import annotations

import csv

from linkgraph.importing import import_files
from linkgraph.resolve.graph import person_records
from linkgraph.resolve.review import review_pairs

_HEAD = (
    "Case reference,Date,Country,Species,Quantity,Unit,"
    "Suspect 1,Suspect 1 nationality,Suspect 1 phone,Suspect 1 date of birth"
).split(",")


def _register(path, agency: str, suspects) -> str:
    """A seizure register, one seizure per suspect (name, nationality, phone, date of birth)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(_HEAD)
        for i, suspect in enumerate(suspects):
            seizure = [f"{agency}/2024/{i:03d}", f"{i + 1:02d}/05/2024", "Kenya", "Loxodonta africana", "4", "kg"]
            w.writerow(seizure + list(suspect))
    return str(path)


def test_rejected_phones_impossible_dates_and_the_name_part_gate_in_a_store(store, tmp_path):
    # +254 13… is well formed but in no assigned range: the phone library rejects every spelling of it.
    # "35/02/1979" has an impossible day; its year and month still say who this is.
    kws = _register(
        tmp_path / "kws.csv",
        "KWS",
        [
            ("Omar Hussein Ali", "Kenya", "0131 234 567", "35/02/1979"),
            ("Juma Mwakyusa", "Tanzania", "+255 754 111 999", "12/02/1978"),
        ],
    )
    police = _register(
        tmp_path / "police.csv",
        "KPS",
        [
            ("Omar Hussein Ali", "Kenya", "00254131234567", "12/02/1979"),
            ("Baraka Mwakyusa", "Tanzania", "0754 111 999", "02/1978"),
        ],
    )
    import_files(store, [kws, police], spec="seizure-register", progress=False)
    phones = store.query("MATCH (x:Phone) RETURN x.number AS number, x.valid AS valid, x.country AS country")
    rejected = phones[phones["number"] == "+254131234567"]
    assert len(rejected) == 1 and not bool(rejected["valid"].iloc[0]) and rejected["country"].iloc[0] == "KE"
    recs = person_records(store).set_index("name")
    omar = person_records(store)
    omar = omar[omar["name"] == "Omar Hussein Ali"]
    assert sorted(omar["birth_date"]) == ["1979-02", "1979-02-12"]
    assert all(list(p) == ["+254131234567"] for p in omar["phones"])
    assert omar["entity_id"].nunique() == 1
    # brothers: one family name, one family phone, one birth month; given names that agree in nothing
    assert recs.at["Juma Mwakyusa", "entity_id"] != recs.at["Baraka Mwakyusa", "entity_id"]
    queue = review_pairs(store)
    pair = queue[(queue["name_a"] + "|" + queue["name_b"]).str.contains("Juma Mwakyusa")]
    assert len(pair) == 1 and "a name part agrees in nothing" in pair["reason"].iloc[0], queue.to_string()


def test_import_transforms_keep_rejected_phones_and_salvage_birth_dates():
    from linkgraph.importing.transforms import t_date, t_phone
    from linkgraph.normalize.phones import country_of_e164

    r = t_phone("0131 234 567", "KE")
    assert r.ok and r.value == "+254131234567" and r.extras["valid"] is False and r.extras["country"] == "KE"
    assert t_phone("+254 712 345 678").extras["valid"] is True
    assert not t_phone("+254 13", "KE").ok  # too short to be any number: still refused
    assert country_of_e164("+84101234567") == "VN" and country_of_e164("+999") is None
    assert t_date("35/02/1978", partial=True).value == "1978-02"
    assert t_date("13/13/1978", partial=True).value == "1978"
    assert not t_date("35/02/1978").ok  # an event date is not salvaged: a wrong day misplaces it on a timeline
    assert not t_date("1060-05-02", partial=True).ok
