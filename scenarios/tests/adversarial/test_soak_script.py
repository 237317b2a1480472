"""scripts/soak.sh refuses bad settings before it starts anything. The soak
itself is load, not a unit test: it runs for minutes and is not part of
pytest; docs/reliability.md "Soak" has the figures of a full run."""

import os
import subprocess

from binaries import conflictlab_bin

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "soak.sh")


def run_soak(tmp_path, **settings):
    env = {"PATH": "/usr/bin:/bin", "CONFLICTLAB_BIN": conflictlab_bin(),
           "SOAK_DIR": str(tmp_path / "soak")}
    env.update(settings)
    return subprocess.run(["bash", SCRIPT], capture_output=True, text=True, env=env, timeout=30,
                          stdin=subprocess.DEVNULL)


def test_bad_settings_exit_2_naming_the_setting(tmp_path):
    for name, value in (("SOAK_SECONDS", "5"), ("SOAK_SECONDS", "ten"),
                        ("SOAK_SAMPLE_S", "0"), ("SOAK_EVENT_RATE", "-1")):
        r = run_soak(tmp_path, **{name: value})
        assert r.returncode == 2, (name, value, r.stdout, r.stderr)
        assert name in r.stderr
        assert not (tmp_path / "soak").exists()


def test_missing_binary_exits_2(tmp_path):
    r = run_soak(tmp_path, CONFLICTLAB_BIN=str(tmp_path / "nope"))
    assert r.returncode == 2
    assert "conflictlab not found" in r.stderr
