"""The library writes an audit row for every undo, refused import, refused package and refused review import."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files, sources, undo
from linkgraph.resolve.review import import_review
from linkgraph.sharing import audit_log, import_package

DATA = Path(__file__).parent / "data"


def test_undo_and_refusals_are_audited(store, tmp_path):
    import_files(store, [DATA / "cdr.csv"], progress=False, resolve=False)
    batch = sources(store)["id"].iloc[0]
    undo(store, batch)
    (row,) = audit_log(store, "undo").itertuples()
    assert row.detail.startswith(f"batch {batch}: deleted links ")

    cut = tmp_path / "cut.xlsx"
    cut.write_bytes((DATA / "seizure_register.xlsx").read_bytes()[:700])
    with pytest.raises(LinkgraphError):
        import_files(store, [cut], progress=False, resolve=False)
    (row,) = audit_log(store, "import refused").itertuples()
    assert row.detail.startswith("cut.xlsx: cut.xlsx: not a readable .xlsx workbook")

    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(LinkgraphError):
        import_package(store, junk, "KWS")
    (row,) = audit_log(store, "package import refused").itertuples()
    assert row.detail.startswith("junk.zip from KWS: junk.zip: not a readable linkgraph package")

    with pytest.raises(LinkgraphError):
        import_review(store, cut)
    (row,) = audit_log(store, "review import refused").itertuples()
    assert row.detail.startswith("cut.xlsx: cut.xlsx: not a readable .xlsx workbook")
