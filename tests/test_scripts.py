"""The two README commands' machinery: scripts, .ci/run, pg.sh and `geo-trygghet serve`."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from geo_trygghet.cli import build_parser, main
from geo_trygghet.cli import serve as serve_cli

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = ("scripts/start.sh", "scripts/test.sh", "scripts/pg.sh", ".ci/run")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_health(url: str, proc: subprocess.Popen, log: Path, context=None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited ({proc.returncode}): {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"{url} did not answer in 60 s: {log.read_text(errors='replace')}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("path", SCRIPTS + ("scripts/_venv.sh",))
def test_shell_scripts_parse(path):
    result = subprocess.run(["bash", "-n", str(REPO / path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", SCRIPTS)
def test_scripts_are_executable_in_git(path):
    out = subprocess.run(["git", "ls-files", "-s", path], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    assert out.startswith("100755"), f"{path} is not committed as executable: {out!r}"


def test_ci_runs_the_readme_test_command_and_nothing_else():
    lines = [ln.strip() for ln in (REPO / ".ci" / "run").read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert lines[-1] == "exec ./scripts/test.sh"
    assert all(ln.startswith(("set ", "cd ")) for ln in lines[:-1]), lines


def test_pg_script_starts_and_stops_a_throwaway_cluster(tmp_path):
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        if os.environ.get("GEO_TRYGGHET_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL server binaries missing (GEO_TRYGGHET_REQUIRE_POSTGRES=1)")
        pytest.skip("PostgreSQL server binaries missing")
    import sqlalchemy as sa

    cluster = tmp_path / "pg"
    started = subprocess.run([str(REPO / "scripts" / "pg.sh"), "start", str(cluster), "55329"],
                             capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    try:
        assert url.startswith("postgresql+psycopg://geo@127.0.0.1:")
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 40 + 2")).scalar() == 42
        engine.dispose()
    finally:
        stopped = subprocess.run([str(REPO / "scripts" / "pg.sh"), "stop", str(cluster)],
                                 capture_output=True, text=True)
    assert stopped.returncode == 0, stopped.stderr
    assert not cluster.exists()


def _serve_args(*argv: str):
    return build_parser().parse_args(["serve", *argv])


def test_serve_command_line_flags(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.write_text("x")
    key.write_text("y")
    cmd = serve_cli.streamlit_command(_serve_args("--port", "8600", "--address", "0.0.0.0",
                                                  "--cert", str(cert), "--key", str(key),
                                                  "--", "--theme.base", "light"))
    assert cmd[:4] == [sys.executable, "-m", "streamlit", "run"]
    assert Path(cmd[4]) == REPO / "geo_trygghet" / "web" / "asgi.py"  # app.py with the phone form beside it
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=False))
    assert pairs["--server.port"] == "8600"
    assert pairs["--server.address"] == "0.0.0.0"
    assert pairs["--server.headless"] == "true"
    assert pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.sslCertFile"] == str(cert)
    assert pairs["--server.sslKeyFile"] == str(key)
    assert cmd[-2:] == ["--theme.base", "light"]


@pytest.mark.parametrize("argv, message", [
    (["--cert", "cert.pem"], "--cert and --key go together"),
    (["--cert", "nope.pem", "--key", "nope.key"], "nope.pem: file not found"),
])
def test_serve_bad_tls_options_are_one_line_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_serve_without_app_py_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(serve_cli, "app_path", lambda: tmp_path / "app.py")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert "app.py not found" in err and "\n" not in err


def test_serve_starts_the_app(tmp_path):
    port = _free_port()
    log = tmp_path / "serve.log"
    exe = Path(sys.executable).with_name("geo-trygghet")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "geo_trygghet"]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "serve", "--port", str(port), "--address", "127.0.0.1",
             "--database", f"sqlite:///{tmp_path / 'serve.sqlite'}"],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_health(f"http://127.0.0.1:{port}", proc, log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert b"<html" in page.read(2000).lower()
        # the phone form and its API on the same port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/walk/?kod=ABC234", timeout=5) as page:
            assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            assert "Skicka anmärkningen" in page.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as schema:
            assert b'"/walks/{code}/remarks"' in schema.read()
    finally:
        _stop(proc)


def test_serve_over_https_with_cert_and_key(tmp_path):
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "geo_trygghet", "serve", "--port", str(port), "--address",
             "127.0.0.1", "--cert", str(cert), "--key", str(key)],
            cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        _wait_health(f"https://127.0.0.1:{port}", proc, log, context=context)
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/walk/sw.js", timeout=5, context=context) as worker:
            assert worker.status == 200 and b"gt-walk-" in worker.read()
    finally:
        _stop(proc)


def test_requirements_lock_pins_every_dependency():
    """Every package the project needs (runtime + test extras, transitively) has a pin."""
    import importlib.metadata as md

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            pins[canonicalize_name(req.name)] = req.specifier
    missing, mismatched, seen = [], [], set()

    def visit(name: str, extras: tuple[str, ...]) -> None:
        key = (canonicalize_name(name), extras)
        if key in seen:
            return
        seen.add(key)
        dist = md.distribution(name)
        cname = canonicalize_name(dist.metadata["Name"])
        if cname != "geo-trygghet":
            if cname not in pins:
                missing.append(cname)
            elif not pins[cname].contains(dist.version, prereleases=True):
                mismatched.append(f"{cname} {dist.version} (lock: {pins[cname]})")
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in ("", *extras)):
                visit(req.name, tuple(sorted(req.extras)))

    visit("geo_trygghet", ("postgres", "test"))
    assert not missing, f"add to requirements.lock (pip freeze): {sorted(set(missing))}"
    assert not mismatched, f"installed versions differ from requirements.lock: {mismatched}"


def _venv_broken(root: Path) -> bool:
    """Run scripts/_venv.sh's _gt_venv_broken as if the script lived in ``root``."""
    (root / "scripts").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "scripts" / "_venv.sh", root / "scripts" / "_venv.sh")
    done = subprocess.run(["bash", "-c", "source scripts/_venv.sh && _gt_venv_broken"], cwd=root,
                          capture_output=True, text=True, check=False)
    return done.returncode == 0


def _fake_venv(root: Path, made_in: Path, python: str = sys.executable) -> None:
    bindir = root / ".venv" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "python").symlink_to(python)
    (root / ".venv" / "pyvenv.cfg").write_text(f"home = /x\ncommand = {python} -m venv {made_in / '.venv'}\n")


def test_start_rebuilds_a_venv_from_a_moved_checkout_or_a_lost_python(tmp_path):
    """A .venv made in another folder (a moved checkout) or whose Python is gone is rebuilt;
    a good one is kept."""
    here = tmp_path / "here"
    _fake_venv(here, here)
    assert not _venv_broken(here), "a .venv made here with a working Python is kept"
    moved = tmp_path / "moved"
    _fake_venv(moved, tmp_path / "old-place")
    assert _venv_broken(moved), "a .venv made in another folder must be rebuilt"
    lost = tmp_path / "lost"
    _fake_venv(lost, lost, python=str(tmp_path / "no-such-python"))
    assert _venv_broken(lost), "a .venv whose Python no longer runs must be rebuilt"
    assert not _venv_broken(tmp_path / "fresh"), "no .venv yet: nothing to rebuild"


def test_test_command_installs_every_system_tool_the_tests_need():
    """PostgreSQL, Chromium, poppler (pdftoppm) and a font are each checked and installed."""
    text = (REPO / "scripts" / "test.sh").read_text()
    for package in ("postgresql", "chromium", "poppler-utils", "fonts-dejavu-core"):
        assert f"need+=({package})" in text, package
    assert "apt-get update" in text


def test_test_command_runs_the_lint_and_type_gate_before_pytest():
    text = (REPO / "scripts" / "test.sh").read_text()
    ruff, mypy, pytest_ = text.index("ruff\" check"), text.index("/mypy\""), text.index("-m pytest")
    assert ruff < pytest_ and mypy < pytest_
