"""The built wheel carries the package, its schema, the import specifications, the query library and the chart
page's files (template, CSS, JavaScript, vendored libraries)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return next(out.glob("linkgraph-*.whl"))


def test_wheel_bundles_schema_specs_and_queries(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "linkgraph/schema.yaml" in names
    for folder in ("importers", "queries"):
        src = sorted(p.name for p in (ROOT / folder).iterdir() if p.is_file())
        assert src, f"{folder}/ is empty"
        bundled = sorted(Path(n).name for n in names if n.startswith(f"linkgraph/_bundled/{folder}/"))
        assert bundled == src


def test_wheel_bundles_the_chart_page(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    chart = ROOT / "linkgraph" / "render" / "chart"
    files = sorted(p.relative_to(ROOT).as_posix() for p in chart.rglob("*") if p.is_file())
    assert {"linkgraph/render/chart/page.html", "linkgraph/render/chart/chart.js"} <= set(files)
    assert "linkgraph/render/chart/vendor/VENDOR.json" in files
    assert [f for f in files if f not in names] == []


def test_wheel_installs_and_runs_in_a_fresh_venv(wheel, tmp_path):
    venv = tmp_path / "venv"
    # Dependencies come from this environment's site-packages, the wheel itself is what is under test. A path
    # line in a .pth file adds those folders without running their own .pth files, so the editable install of
    # the source tree is not seen. (--system-site-packages would reach the base interpreter, not a venv's.)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = dict.fromkeys(sysconfig.get_path(k) for k in ("purelib", "platlib"))
    Path(purelib, "linkgraph-test-deps.pth").write_text("".join(f"{d}\n" for d in ours))
    r = subprocess.run(
        [str(py), "-m", "pip", "install", "--no-deps", "--no-index", "--force-reinstall", str(wheel)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    exe = venv / "bin" / "linkgraph"
    where = subprocess.run(
        [str(py), "-c", "import linkgraph, sys; print(linkgraph.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(venv) in where.stdout, "the venv imported the source tree, not the wheel"
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "Usage" in r.stdout
    db = tmp_path / "db"
    r = subprocess.run([str(exe), "db", "init", "--db", str(db)], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe), "query", "list"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "network" in r.stdout, r.stdout + r.stderr
    r = subprocess.run(
        [str(exe), "query", "repeat_offenders", "--db", str(db), "--format", "csv"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    # the chart page is read from the installed wheel's package data
    out = tmp_path / "chart.html"
    r = subprocess.run(
        [str(exe), "chart", "--db", str(db), "--out", str(out)], capture_output=True, text=True, cwd=tmp_path
    )
    assert r.returncode == 0, r.stderr
    page = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "@version 9.1.2" in page and "linkgraph = {network" in page
