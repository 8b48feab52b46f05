"""The benchmark's synthetic records are valid, realistic records: they pass `deploydocs check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from repo_support import REPO, SOURCE_DATE_EPOCH, Repo


def test_generated_records_pass_check(tmp_path: Path) -> None:
    target = tmp_path / "bench"
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--count", "60", "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    records = sorted((target / "records").glob("*/*.yaml"))
    assert len(records) == 60
    assert len({path.parent.name for path in records}) >= 5  # several services, with histories
    check = Repo(target).cli("check", "--format", "json", env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    report = json.loads(check.stdout)
    assert report["errors"] == 0, [p for p in report["problems"] if p["severity"] == "error"][:5]
    statuses = {path.read_text().split("\nstatus: ", 1)[1].split()[0] for path in records}
    assert {"closed", "planned"} <= statuses
