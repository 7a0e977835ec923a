"""Handling codes: one module parses, ranks and compares them; unknown codes are refused where they enter."""

from __future__ import annotations

import pytest

from linkgraph import handling, provenance
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files


def test_known_codes_normalise_and_rank():
    assert handling.normalise("tlp:white") == "TLP:CLEAR"  # TLP 1.0's WHITE is TLP 2.0's CLEAR
    assert handling.normalise(" amber strict ") == "TLP:AMBER+STRICT"
    assert handling.normalise("Amber") == "TLP:AMBER"
    assert handling.normalise("c") == "C" and handling.normalise("5") == "5"
    assert handling.normalise(None) is None and handling.normalise("  ") is None
    order = ["TLP:CLEAR", "P", "TLP:GREEN", "C", "TLP:AMBER", "4", "TLP:AMBER+STRICT", "5", "TLP:RED"]
    assert sorted(reversed(order), key=handling.rank) == order
    assert handling.most_restrictive(["TLP:RED", "tlp:white"]) == "TLP:RED"
    assert handling.most_restrictive(["tlp:white", None, ""]) == "TLP:CLEAR"
    assert handling.most_restrictive([None, ""]) is None
    assert handling.tlp_level("C") == "AMBER" and handling.tlp_level("P") == "CLEAR"
    assert handling.exceeds("TLP:AMBER", "GREEN") and handling.exceeds("C", "green")
    assert not handling.exceeds("TLP:GREEN", "GREEN") and not handling.exceeds(None, "CLEAR")
    assert handling.tlp("tlp:amber+strict") == "AMBER+STRICT"


@pytest.mark.parametrize("bad", ["TLP:BOGUS", "TLP:PURPLE", "secret", "6", "TLP"])
def test_unknown_codes_are_errors(bad):
    with pytest.raises(handling.HandlingError) as e:
        handling.normalise(bad)
    assert bad in str(e.value) and "\n" not in str(e.value) and "TLP:RED" in str(e.value)
    with pytest.raises(LinkgraphError):
        handling.most_restrictive(["TLP:RED", bad])  # never "most restrictive" by being unknown
    with pytest.raises(LinkgraphError):
        handling.tlp(bad)


def test_tlp_levels_are_not_uk_codes():
    with pytest.raises(LinkgraphError, match="not a TLP 2.0 level"):
        handling.tlp("C")


def test_item_summary_takes_the_known_most_restrictive():
    recs = [{"batch": "a", "handling": "TLP:RED"}, {"batch": "b", "handling": "tlp:white"}]
    assert provenance.summarise(recs)["handling"] == "TLP:RED"
    with pytest.raises(LinkgraphError):
        provenance.summarise([*recs, {"batch": "c", "handling": "TLP:BOGUS"}])


REGISTER = (
    "Case reference,Date,Species,Suspect 1,Suspect 1 phone,TLP\n"
    "KWS/T/001,2024-01-05,Loxodonta africana,Amina Yusuf,+254711000001,TLP:AMBER\n"
    "KWS/T/002,2024-01-06,Loxodonta africana,Baraka Otieno,+254711000002,tlp:white\n"
)


def test_file_import_refuses_an_unknown_handling_code(store, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(REGISTER + "KWS/T/003,2024-01-07,Loxodonta africana,Chausiku Ali,+254711000003,TLP:BOGUS\n")
    with pytest.raises(LinkgraphError) as e:
        import_files(store, [path], spec="seizure-register", progress=False)
    msg = str(e.value)
    assert "\n" not in msg and "register.csv" in msg and "row 4" in msg and '"TLP"' in msg and "TLP:BOGUS" in msg
    assert not len(store.query("MATCH (s:Seizure) RETURN s.id"))  # refused whole, nothing half-imported

    path.write_text(REGISTER)
    import_files(store, [path], spec="seizure-register", progress=False)
    got = store.query("MATCH (s:Seizure) RETURN s.reference AS ref, s.handling AS h").set_index("ref")["h"]
    assert got.to_dict() == {"KWS/T/001": "TLP:AMBER", "KWS/T/002": "TLP:CLEAR"}  # stored normalised


def test_file_import_refuses_an_unknown_handling_option(store, tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(REGISTER)
    with pytest.raises(LinkgraphError) as e:
        import_files(store, [path], spec="seizure-register", handling="TLP:PURPLE", progress=False)
    assert "\n" not in str(e.value) and "register.csv" in str(e.value) and "TLP:PURPLE" in str(e.value)
    assert not len(store.query("MATCH (s:Seizure) RETURN s.id"))
