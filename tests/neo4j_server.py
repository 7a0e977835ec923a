"""A real Neo4j Community server for tests and benchmarks, started from Python.

The jars (Neo4j 5.26.30 Community + Bolt, APOC core, OpenGDS) are fetched once by
Maven from ``tests/neo4j/pom.xml`` into a cache folder, and
``tests/neo4j/Launcher.java`` runs them as an embedded DatabaseManagementService
with Bolt on 127.0.0.1 (auth on: user ``neo4j``, password ``linkgraph-test``).

    from tests import neo4j_server          # or: import neo4j_server (tests/ on sys.path)
    server = neo4j_server.start(workdir)    # blocks until the server is READY
    ... GraphDatabase.driver(server.uri, auth=server.auth) ...
    server.stop()

Each start() gets a fresh empty store in a new folder under ``workdir`` (so no stale
store locks), and a JVM log file next to it whose path is in every error. The JVM
exits by itself when this process dies: it watches its stdin, a pipe held here.

Start-up cost on 2 cores is mostly CPU, so two things in the cache cut it:
the launcher compiled once into a jar, and a class-data-sharing (AppCDS) archive
that the first server writes when it stops and later servers map. ``quick_jit``
(used by the pytest fixture) limits the JIT to C1: about half the start-up CPU, but
slower long-running queries, so benchmarks keep the default full JIT.

Environment:
    LINKGRAPH_NEO4J_HOME           cache (default ~/.cache/linkgraph/neo4j-5.26.30);
                                   jars live in its lib/ folder
    LINKGRAPH_NEO4J_HEAP           JVM -Xmx (default 1g)
    LINKGRAPH_NEO4J_START_TIMEOUT  seconds to wait for READY (default 180)
    LINKGRAPH_NEO4J_CDS=0          do not write / use the class-data-sharing archive

No pytest import here: benchmarks use this module too.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

NEO4J_VERSION = "5.26.30"
APOC_VERSION = "5.26.19"
GDS_VERSION = "2.13.9"

DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "linkgraph-test"  # also Launcher.DEFAULT_PASSWORD; Neo4j wants >= 8 chars

_HERE = Path(__file__).resolve().parent
POM = _HERE / "neo4j" / "pom.xml"
LAUNCHER = _HERE / "neo4j" / "Launcher.java"

_INSTALL_HINT = "apt-get install -y openjdk-17-jdk-headless maven"

__all__ = [
    "NEO4J_VERSION",
    "APOC_VERSION",
    "GDS_VERSION",
    "DEFAULT_USER",
    "DEFAULT_PASSWORD",
    "Server",
    "neo4j_home",
    "ensure_jars",
    "start",
    "has_apoc",
    "has_gds",
]


def neo4j_home() -> Path:
    """The cache folder (``$LINKGRAPH_NEO4J_HOME`` or ~/.cache/linkgraph/neo4j-<version>)."""
    env = os.environ.get("LINKGRAPH_NEO4J_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path.home() / ".cache" / "linkgraph" / f"neo4j-{NEO4J_VERSION}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _java_version_text(java: str) -> str:
    try:
        return subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return ""


def _java_major(version_text: str) -> int:
    m = re.search(r'version "(\d+)(?:\.(\d+))?', version_text)
    if not m:
        return 0
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def _require_java() -> tuple[str, str]:
    """(path of java, its -version text); RuntimeError with one line if unusable."""
    java = shutil.which("java")
    if not java:
        raise RuntimeError(f"Neo4j test server needs Java 17+ ('java' not found on PATH): {_INSTALL_HINT}")
    text = _java_version_text(java)
    major = _java_major(text)
    if major < 17:
        raise RuntimeError(f"Neo4j test server needs Java 17+ but {java} is Java {major or '?'}: {_INSTALL_HINT}")
    return java, text


def _has_jars(lib: Path) -> bool:
    return lib.is_dir() and any(lib.glob("org.neo4j.neo4j-kernel-*.jar"))


def ensure_jars() -> Path:
    """Return the folder holding every jar the launcher needs, running Maven if it is empty.

    The folder is tagged with a digest of pom.xml, so editing a version there refetches.
    A file lock makes concurrent callers (xdist workers, a benchmark) wait for one download.
    """
    home = neo4j_home()
    lib = home / "lib"
    stamp = home / "lib.pom-sha256"
    digest = _sha(POM.read_bytes())

    def ready() -> bool:
        return stamp.is_file() and stamp.read_text().strip() == digest and _has_jars(lib)

    if ready():
        return lib
    _require_java()
    mvn = shutil.which("mvn")
    if not mvn:
        raise RuntimeError(
            f"Neo4j test server needs Maven to fetch its jars ('mvn' not found on PATH): {_INSTALL_HINT}"
        )
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready():  # someone else fetched them while we waited
            return lib
        tmp = Path(tempfile.mkdtemp(prefix="lib.tmp-", dir=home))
        log = home / "maven.log"
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            "-Dmdep.prependGroupId=true",  # Launcher finds the APOC/GDS jars by group prefix
            f"-DoutputDirectory={tmp}",
        ]
        with open(log, "w") as out:
            out.write("$ " + " ".join(cmd) + "\n")
            out.flush()
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        if rc != 0 or not _has_jars(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
            raise RuntimeError(
                f"Maven could not fetch the Neo4j {NEO4J_VERSION} jars (exit {rc}): {_error_line(log)} (log: {log})"
            )
        shutil.rmtree(lib, ignore_errors=True)
        for old in home.glob("cds-*.jsa*"):  # archives of the old jars are useless now
            old.unlink(missing_ok=True)
        tmp.rename(lib)
        stamp.write_text(digest + "\n")
    return lib


def _error_line(path: Path) -> str:
    """The first line that looks like an error, else the last line; ANSI colours removed."""
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "(no log)"
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", ln) for ln in lines if not ln.startswith("$ ")]
    hits = [ln for ln in lines if re.search(r"ERROR|FAILED|Exception|error:|Error", ln)]
    line = hits[0] if hits else (lines[-1] if lines else "(empty log)")
    return line[:400]


def _launcher_jar(java: str, lib: Path) -> Path | None:
    """Launcher.java compiled once (per content hash) into a jar in the cache, or None.

    ``java -cp 'lib/*' Launcher.java`` would recompile it on every start (2-3 s), and
    class-data sharing only archives classes that come from jars.
    """
    home = neo4j_home()
    jar = home / f"launcher-{_sha(LAUNCHER.read_bytes())[:16]}.jar"
    if jar.is_file():
        return jar
    javac = shutil.which("javac") or str(Path(os.path.realpath(java)).parent / "javac")
    tmp = Path(tempfile.mkdtemp(prefix="launcher.tmp-", dir=home))
    try:
        res = subprocess.run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-cp", str(lib / "*"), "-d", str(tmp / "classes"), str(LAUNCHER)],
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        classes = sorted((tmp / "classes").glob("*.class"))
        if res.returncode != 0 or not classes:
            return None
        tmp_jar = tmp / jar.name
        with zipfile.ZipFile(tmp_jar, "w", zipfile.ZIP_DEFLATED) as z:
            for c in classes:
                z.write(c, c.name)
        for old in home.glob("launcher-*.jar"):
            old.unlink(missing_ok=True)
        os.replace(tmp_jar, jar)
        return jar
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _cds_enabled() -> bool:
    return os.environ.get("LINKGRAPH_NEO4J_CDS", "1").strip().lower() not in ("0", "false", "no", "off")


def _cds_archive(launcher_jar: Path, java_version: str) -> Path:
    lib_stamp = (neo4j_home() / "lib.pom-sha256").read_text().strip()
    key = _sha(f"{launcher_jar.name}\n{lib_stamp}\n{java_version}".encode())[:16]
    return neo4j_home() / f"cds-{key}.jsa"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running launcher JVM. ``stop()`` is idempotent; also usable as a context manager."""

    def __init__(
        self,
        proc: subprocess.Popen,
        port: int,
        user: str,
        password: str,
        db_dir: Path,
        log_path: Path,
        startup_seconds: float,
        cds_dump: tuple[Path, Path] | None = None,
    ) -> None:
        self.proc = proc
        self.port = port
        self.uri = f"bolt://127.0.0.1:{port}"
        self.user = user
        self.password = password
        self.database = "neo4j"
        self.db_dir = db_dir
        self.log_path = log_path
        self.startup_seconds = startup_seconds
        self._cds_dump = cds_dump  # (file the JVM writes at exit, final archive path)

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def is_running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float | None = None, remove_data: bool = True) -> None:
        """Close the launcher's stdin (clean shutdown), then SIGTERM, then SIGKILL."""
        proc = self.proc
        if timeout is None:
            timeout = 180.0 if self._cds_dump else 60.0  # writing the archive takes a while
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                if proc.stdin:
                    proc.stdin.close()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        elif proc.stdin:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        if self._cds_dump:
            tmp, final = self._cds_dump
            self._cds_dump = None
            if proc.returncode == 0 and tmp.is_file() and tmp.stat().st_size > 0:
                with contextlib.suppress(OSError):
                    os.replace(tmp, final)
                    for old in final.parent.glob("cds-*.jsa"):  # ~120 MB each: keep one
                        if old != final:
                            old.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        if remove_data:
            shutil.rmtree(self.db_dir, ignore_errors=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else f"exited {self.proc.returncode}"
        return f"<neo4j_server.Server {self.uri} {state} log={self.log_path}>"


_JVM_FLAGS = [
    "-Xss2m",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


def _launch(
    java: str,
    jvm_args: list[str],
    workdir: Path,
    port: int,
    password: str,
    timeout: float,
    cds_dump: tuple[Path, Path] | None,
) -> tuple[Server | None, str, bool]:
    """One attempt. Returns (server, "", False) or (None, reason, is_bind_failure)."""
    db_dir = Path(tempfile.mkdtemp(prefix=f"neo4j-db-{port}-", dir=workdir))
    log_path = workdir / f"{db_dir.name}.log"
    cmd = [java, *jvm_args, str(db_dir), str(port), password]
    t0 = time.monotonic()
    with open(log_path, "wb") as log:
        log.write(("$ " + " ".join(cmd[:-1]) + " ****\n").encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,  # kept open: EOF tells the launcher to exit
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(workdir),
            start_new_session=True,  # a terminal ^C reaches pytest only, which then stops us
        )

    def give_up(reason: str, bind: bool = False) -> tuple[None, str, bool]:
        _reap(proc)
        shutil.rmtree(db_dir, ignore_errors=True)
        if cds_dump:
            cds_dump[0].unlink(missing_ok=True)
        return None, f"{reason} (log: {log_path})", bind

    deadline = t0 + timeout
    pos = 0
    buf = b""
    while True:
        with open(log_path, "rb") as f:
            f.seek(pos)
            chunk = f.read()
        pos += len(chunk)
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("READY bolt://"):
                return (
                    Server(proc, port, DEFAULT_USER, password, db_dir, log_path, time.monotonic() - t0, cds_dump),
                    "",
                    False,
                )
            if line.startswith("FAILED BIND "):
                return give_up(line[len("FAILED BIND ") :], bind=True)
            if line.startswith("FAILED"):
                return give_up(line[len("FAILED ") :])
        if proc.poll() is not None:
            # Exited without READY/FAILED: compile error, bad JVM flag, out of memory...
            return give_up(f"launcher exited with code {proc.returncode} before READY: {_error_line(log_path)}")
        if time.monotonic() > deadline:
            return give_up(f"not READY within {timeout:.0f}s")
        time.sleep(0.1)


def _reap(proc: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        if proc.stdin:
            proc.stdin.close()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start(
    workdir: os.PathLike | str,
    *,
    password: str = DEFAULT_PASSWORD,
    heap: str | None = None,
    timeout: float | None = None,
    quick_jit: bool = False,
) -> Server:
    """Start a fresh Neo4j server (new empty store under ``workdir``) and wait until READY.

    ``quick_jit=True`` stops the JIT at C1: roughly half the start-up CPU, slower heavy
    queries. Raises RuntimeError with a one-line reason (and the JVM log path) if the
    server cannot start. A port taken between picking and binding is retried once.
    """
    java, java_version = _require_java()
    lib = ensure_jars()
    home = neo4j_home()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    heap = heap or os.environ.get("LINKGRAPH_NEO4J_HEAP", "1g")
    if timeout is None:
        timeout = float(os.environ.get("LINKGRAPH_NEO4J_START_TIMEOUT", "180"))

    jvm_args = [f"-Xmx{heap}", *_JVM_FLAGS]
    if quick_jit:
        jvm_args.append("-XX:TieredStopAtLevel=1")
    launcher_jar = _launcher_jar(java, lib)
    cds_dump: tuple[Path, Path] | None = None
    if launcher_jar is None:  # run it as a source-file program; compile errors land in the log
        jvm_args += ["-cp", str(lib / "*"), str(LAUNCHER)]
    else:
        if _cds_enabled():
            archive = _cds_archive(launcher_jar, java_version)
            if archive.is_file():
                jvm_args.append(f"-XX:SharedArchiveFile={archive}")
            else:
                for stale in home.glob("cds-*.jsa.tmp-*"):  # left by a killed run
                    with contextlib.suppress(OSError):
                        if time.time() - stale.stat().st_mtime > 3600:
                            stale.unlink()
                tmp = archive.with_name(f"{archive.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
                jvm_args.append(f"-XX:ArchiveClassesAtExit={tmp}")
                cds_dump = (tmp, archive)
        jvm_args += ["-cp", f"{launcher_jar}{os.pathsep}{lib / '*'}", "Launcher"]

    reason = ""
    for _attempt in range(2):
        server, reason, bind = _launch(java, jvm_args, workdir, _free_port(), password, timeout, cds_dump)
        if server is not None:
            return server
        if not bind:
            break
    raise RuntimeError(f"Neo4j test server did not start: {reason}")


def _probe(driver: Any, query: str, database: str | None) -> bool:
    from neo4j.exceptions import Neo4jError

    try:
        driver.execute_query(query, database_=database)
        return True
    except Neo4jError:
        return False


def has_apoc(driver: Any, database: str | None = None) -> bool:
    """True if APOC core functions are callable on this server."""
    return _probe(driver, "RETURN apoc.version() AS version", database)


def has_gds(driver: Any, database: str | None = None) -> bool:
    """True if Graph Data Science procedures are callable on this server."""
    return _probe(driver, "CALL gds.version() YIELD gdsVersion RETURN gdsVersion", database)


if __name__ == "__main__":  # manual check: python tests/neo4j_server.py [workdir]
    import sys

    wd = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="linkgraph-neo4j-"))
    t = time.monotonic()
    lib_dir = ensure_jars()
    print(f"jars: {lib_dir} ({time.monotonic() - t:.1f}s)")
    srv = start(wd)
    print(f"READY {srv.uri} in {srv.startup_seconds:.1f}s (log {srv.log_path}); Ctrl-C to stop", flush=True)
    try:
        while srv.is_running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
