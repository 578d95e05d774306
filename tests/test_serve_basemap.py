"""The basemap build step (no network here: npm is faked) and the serve() runner's wiring."""
from __future__ import annotations

import io
import tarfile

import pytest

from sitrep.serve import basemap


def test_check_fails_on_a_missing_or_modified_basemap(tmp_path):
    assert basemap.check(tmp_path) is False
    (tmp_path / "countries-50m.json").write_text("{}")
    (tmp_path / "LICENSE").write_text("x")
    assert basemap.check(tmp_path) is False
    assert basemap.main(["--check", "--dest", str(tmp_path)]) == 1


def test_fetch_without_npm_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(basemap.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="npm"):
        basemap.fetch(tmp_path)
    assert basemap.main(["--dest", str(tmp_path)]) == 1 and not any(tmp_path.iterdir())


def test_fetch_refuses_a_tarball_with_other_content(tmp_path, monkeypatch):
    def fake_npm(cmd, check, cwd, stdout):
        dest = cmd[cmd.index("--pack-destination") + 1]
        with tarfile.open(f"{dest}/{basemap.PACKAGE}-{basemap.VERSION}.tgz", "w:gz") as tar:
            for name in basemap.FILES:
                data = b"tampered"
                info = tarfile.TarInfo(f"package/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

    monkeypatch.setattr(basemap.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(basemap.subprocess, "run", fake_npm)
    with pytest.raises(RuntimeError, match="sha256 mismatch"):
        basemap.fetch(tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_serve_binds_loopback_and_checks_the_host_header(options, monkeypatch):
    import uvicorn

    from sitrep.serve.app import serve

    seen = {}

    def fake_run(app, host, port, **kw):
        seen.update(host=host, port=port, app=app)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    serve(options)
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8000)
    hosts = [m.kwargs.get("allowed_hosts") for m in seen["app"].user_middleware if "allowed_hosts" in m.kwargs]
    assert hosts == [["127.0.0.1", "localhost", "::1", "[::1]"]]
    serve(options, host="0.0.0.0", port=9000)
    hosts = [m.kwargs.get("allowed_hosts") for m in seen["app"].user_middleware if "allowed_hosts" in m.kwargs]
    assert seen["port"] == 9000 and hosts == [["*"]]
