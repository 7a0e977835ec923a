"""A real Neo4j Community server for tests and benchmarks, started from Python.

The jars (Neo4j 5.26.30 Community + Bolt, APOC core, OpenGDS) are fetched once by
Maven from ``tests/neo4j/pom.xml`` into a cache folder, and
``tests/neo4j/Launcher.java`` runs them as an embedded DatabaseManagementService
with Bolt on 127.0.0.1.

    from tests import neo4j_server          # or: import neo4j_server (tests/ on sys.path)
    server = neo4j_server.start(workdir)    # blocks until the server is READY
    ... GraphDatabase.driver(server.uri, auth=(server.user, server.password)) ...
    server.stop()

Environment:
    LINKGRAPH_NEO4J_HOME           jar cache (default ~/.cache/linkgraph/neo4j-5.26.30);
                                   jars live in its lib/ folder
    LINKGRAPH_NEO4J_HEAP           JVM -Xmx (default 1g)
    LINKGRAPH_NEO4J_START_TIMEOUT  seconds to wait for READY (default 180)

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
from pathlib import Path
from typing import Any, Optional

NEO4J_VERSION = "5.26.30"
APOC_VERSION = "5.26.19"
GDS_VERSION = "2.13.9"

DEFAULT_USER = "neo4j"
DEFAULT_PASSWORD = "linkgraph-test"  # must match Launcher.DEFAULT_PASSWORD; >= 8 chars

_HERE = Path(__file__).resolve().parent
POM = _HERE / "neo4j" / "pom.xml"
LAUNCHER = _HERE / "neo4j" / "Launcher.java"

_INSTALL_HINT = "apt-get install -y openjdk-17-jdk-headless maven"

__all__ = [
    "NEO4J_VERSION",
    "APOC_VERSION",
    "GDS_VERSION",
    "Server",
    "neo4j_home",
    "ensure_jars",
    "start",
    "has_apoc",
    "has_gds",
]


def neo4j_home() -> Path:
    """The jar cache folder (``$LINKGRAPH_NEO4J_HOME`` or ~/.cache/linkgraph/neo4j-<version>)."""
    env = os.environ.get("LINKGRAPH_NEO4J_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path.home() / ".cache" / "linkgraph" / f"neo4j-{NEO4J_VERSION}"


def _pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def _java_major(java: str) -> int:
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return 0
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return 0
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def _require_java() -> str:
    java = shutil.which("java")
    if not java:
        raise RuntimeError(
            f"Neo4j test server needs Java 17+ ('java' not found on PATH): {_INSTALL_HINT}"
        )
    major = _java_major(java)
    if major < 17:
        raise RuntimeError(
            f"Neo4j test server needs Java 17+ but {java} is Java {major or '?'}: {_INSTALL_HINT}"
        )
    return java


def ensure_jars() -> Path:
    """Return the folder holding every jar the launcher needs, running Maven if it is empty.

    The folder is tagged with a digest of pom.xml, so editing a version there refetches.
    A file lock makes concurrent callers (xdist workers, a benchmark) wait for one download.
    """
    home = neo4j_home()
    lib = home / "lib"
    stamp = home / "lib.pom-sha256"
    digest = _pom_digest()

    def ready() -> bool:
        return (
            stamp.is_file()
            and stamp.read_text().strip() == digest
            and lib.is_dir()
            and any(lib.glob("org.neo4j.neo4j-kernel-*.jar"))
        )

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
            mvn, "-q", "-B", "-f", str(POM),
            "dependency:copy-dependencies",
            "-Dmdep.prependGroupId=true",  # Launcher finds APOC/GDS jars by group prefix
            f"-DoutputDirectory={tmp}",
        ]
        with open(log, "w") as out:
            out.write("$ " + " ".join(cmd) + "\n")
            out.flush()
            rc = subprocess.run(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            ).returncode
        if rc != 0 or not any(tmp.glob("org.neo4j.neo4j-kernel-*.jar")):
            shutil.rmtree(tmp, ignore_errors=True)
            tail = _last_line(log)
            raise RuntimeError(
                f"Maven could not fetch the Neo4j {NEO4J_VERSION} jars (exit {rc}): {tail} (log: {log})"
            )
        shutil.rmtree(lib, ignore_errors=True)
        tmp.rename(lib)
        stamp.write_text(digest + "\n")
    return lib


def _last_line(path: Path, pattern: str = r"ERROR|FAILED|Exception|error") -> str:
    try:
        lines = [l.strip() for l in path.read_text(errors="replace").splitlines() if l.strip()]
    except OSError:
        return "(no log)"
    hits = [l for l in lines if re.search(pattern, l)]
    line = (hits or lines or ["(empty log)"])[-1 if not hits else 0]
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    return line[:400]


def _launcher_classpath(java: str, lib: Path) -> tuple[list[str], str]:
    """(classpath entries, main) for the launcher: a compiled copy cached next to the jars.

    ``java -cp 'lib/*' Launcher.java`` recompiles the source on every start (2-3 s on
    2 cores), so compile it once per content hash; if that fails, run it as source.
    """
    digest = hashlib.sha256(LAUNCHER.read_bytes()).hexdigest()[:16]
    classes = neo4j_home() / f"launcher-{digest}"
    if (classes / "Launcher.class").is_file():
        return [str(classes), str(lib / "*")], "Launcher"
    javac = shutil.which("javac") or str(Path(os.path.realpath(java)).parent / "javac")
    try:
        tmp = Path(tempfile.mkdtemp(prefix="launcher.tmp-", dir=neo4j_home()))
        res = subprocess.run(
            [javac, "-nowarn", "-encoding", "UTF-8", "-cp", str(lib / "*"), "-d", str(tmp), str(LAUNCHER)],
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        )
        if res.returncode == 0 and (tmp / "Launcher.class").is_file():
            try:
                tmp.rename(classes)
            except OSError:  # a concurrent caller won the race
                shutil.rmtree(tmp, ignore_errors=True)
            if (classes / "Launcher.class").is_file():
                return [str(classes), str(lib / "*")], "Launcher"
        shutil.rmtree(tmp, ignore_errors=True)
    except (OSError, subprocess.SubprocessError):
        pass
    return [str(lib / "*")], str(LAUNCHER)  # source-file mode (compile errors show in the log)


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

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def is_running(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 60.0, remove_data: bool = True) -> None:
        """Close the launcher's stdin (clean shutdown), then SIGTERM, then SIGKILL."""
        proc = self.proc
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
        if remove_data:
            shutil.rmtree(self.db_dir, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else f"exited {self.proc.returncode}"
        return f"<neo4j_server.Server {self.uri} {state} log={self.log_path}>"


def _launch(
    java: str,
    classpath: list[str],
    main: str,
    workdir: Path,
    port: int,
    user: str,
    password: str,
    heap: str,
    timeout: float,
) -> tuple[Optional[Server], str, bool]:
    """One attempt. Returns (server, "", False) or (None, reason, is_bind_failure)."""
    db_dir = Path(tempfile.mkdtemp(prefix=f"neo4j-db-{port}-", dir=workdir))
    log_path = workdir / f"{db_dir.name}.log"
    cmd = [
        java,
        f"-Xmx{heap}",
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
        "-cp",
        os.pathsep.join(classpath),
        main,
        str(db_dir),
        str(port),
        password,
    ]
    t0 = time.monotonic()
    log = open(log_path, "wb")
    try:
        log.write(("$ " + " ".join(cmd[:-1]) + " ****\n").encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,  # kept open: EOF tells the launcher to exit
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=str(workdir),
            start_new_session=True,  # a terminal ^C reaches pytest, which stops us cleanly
        )
    finally:
        log.close()

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
                server = Server(proc, port, user, password, db_dir, log_path, time.monotonic() - t0)
                return server, "", False
            if line.startswith("FAILED"):
                bind = line.startswith("FAILED BIND")
                _reap(proc)
                shutil.rmtree(db_dir, ignore_errors=True)
                reason = line[len("FAILED BIND "):] if bind else line[len("FAILED "):]
                return None, f"{reason} (log: {log_path})", bind
        if proc.poll() is not None:
            # Exited without READY/FAILED (e.g. compile error, bad JVM flag, OOM).
            time.sleep(0.1)
            shutil.rmtree(db_dir, ignore_errors=True)
            return None, (
                f"launcher exited with code {proc.returncode} before READY: "
                f"{_last_line(log_path)} (log: {log_path})"
            ), False
        if time.monotonic() > deadline:
            _reap(proc)
            shutil.rmtree(db_dir, ignore_errors=True)
            return None, f"not READY within {timeout:.0f}s (log: {log_path})", False
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
    heap: Optional[str] = None,
    timeout: Optional[float] = None,
) -> Server:
    """Start a fresh Neo4j server (new empty store under ``workdir``) and wait until READY.

    Raises RuntimeError with a one-line reason (and the JVM log path) if it cannot start.
    A port that turned out to be taken between picking and binding is retried once.
    """
    java = _require_java()
    lib = ensure_jars()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    heap = heap or os.environ.get("LINKGRAPH_NEO4J_HEAP", "1g")
    if timeout is None:
        timeout = float(os.environ.get("LINKGRAPH_NEO4J_START_TIMEOUT", "180"))
    classpath, main = _launcher_classpath(java, lib)
    reason = ""
    for _attempt in range(2):
        server, reason, bind = _launch(
            java, classpath, main, workdir, _free_port(), DEFAULT_USER, password, heap, timeout
        )
        if server is not None:
            return server
        if not bind:
            break
    raise RuntimeError(f"Neo4j test server did not start: {reason}")


def _probe(driver: Any, query: str, database: Optional[str]) -> bool:
    from neo4j.exceptions import Neo4jError

    try:
        driver.execute_query(query, database_=database)
        return True
    except Neo4jError:
        return False


def has_apoc(driver: Any, database: Optional[str] = None) -> bool:
    """True if APOC core functions are callable on this server."""
    return _probe(driver, "RETURN apoc.version() AS version", database)


def has_gds(driver: Any, database: Optional[str] = None) -> bool:
    """True if Graph Data Science procedures are callable on this server."""
    return _probe(driver, "CALL gds.version() YIELD gdsVersion RETURN gdsVersion", database)


if __name__ == "__main__":  # manual check: python tests/neo4j_server.py [workdir]
    import sys

    wd = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="linkgraph-neo4j-"))
    t = time.monotonic()
    lib_dir = ensure_jars()
    print(f"jars: {lib_dir} ({time.monotonic() - t:.1f}s)")
    srv = start(wd)
    print(f"READY {srv.uri} in {srv.startup_seconds:.1f}s (log {srv.log_path}); Ctrl-C to stop")
    try:
        while srv.is_running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
