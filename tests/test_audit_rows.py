"""The library writes an audit row for every undo, refused import, refused package, refused review import, chart and
export, so a notebook leaves the same trail as the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

import linkgraph
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files, sources, undo
from linkgraph.resolve.review import import_review
from linkgraph.sharing import import_package
from linkgraph.store.audit import audit_log

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


def test_library_chart_and_export_are_audited(store, tmp_path):
    import_files(store, [DATA / "cdr.csv"], progress=False, resolve=False)
    whole = linkgraph.select(store)
    assert len(whole.nodes) > 1 and len(whole.links) > 0
    assert not len(audit_log(store, "chart")) and not len(audit_log(store, "export graphml"))

    chart = linkgraph.chart(store)
    assert len(chart.subgraph.nodes) == len(whole.nodes)
    (row,) = audit_log(store, "chart").itertuples()
    assert row.detail == f"whole graph: {len(whole.nodes)} entities, {len(whole.links)} links to a Python Chart object"

    hub = whole.nodes["id"].iloc[0]
    out = linkgraph.export("graphml", tmp_path / "hub.graphml", store, around=hub, hops=1)
    assert Path(out).is_file()
    near = linkgraph.select(store, around=hub, hops=1)
    (row,) = audit_log(store, "export graphml").itertuples()
    assert row.detail == f"around {hub} (1 hops): {len(near.nodes)} entities, {len(near.links)} links to {out}"

    page = linkgraph.export("html", tmp_path / "calls.html", store)
    rows = audit_log(store, "chart")
    assert len(rows) == 2 and rows["detail"].str.endswith(f"links to {page}").sum() == 1
