"""Which rule set for the secret scan: gitleaks' rules (as deploydocs runs them) or detect-secrets' plugins.

    PYTHONPATH=plugin .venv/bin/python benchmarks/secret_scanners.py [--records N]

Measures both on the recall corpus (tests/data/secrets_corpus.yaml: kinds found, false positives)
and on records (milliseconds per record, every string value scanned as the tool scans it: the
sample records and N generated ones). detect-secrets is not a dependency: install it
(`pip install detect-secrets==1.5.0`) to measure it; without it only deploydocs' numbers are given.
The numbers and the choice are in docs/security.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from deploydocs.core import secrets  # noqa: E402
from deploydocs.core.load import iter_strings, parse_document  # noqa: E402


def _deploydocs() -> Callable[[str], bool]:
    return lambda text: any(True for _ in secrets.scan_text(text))


_KEPT: list[object] = []


def _detect_secrets() -> Callable[[str], bool] | None:
    """detect-secrets' plugins as its file scan runs them (its `scan_line` for ad-hoc strings turns on
    eager search, which flags every word of a sentence: not how it scans a repository)."""
    try:
        from detect_secrets.core.scan import _is_filtered_out, _scan_line, get_plugins
        from detect_secrets.settings import default_settings
        from detect_secrets.util.code_snippet import get_code_snippet
    except ImportError:
        return None
    _KEPT.append(default_settings())  # every plugin, default filters; kept open for the whole run
    _KEPT[-1].__enter__()
    plugins = list(get_plugins())

    def found(text: str) -> bool:
        lines = text.splitlines()
        for number, line in enumerate(lines):
            context = get_code_snippet(lines=lines, line_number=number + 1)
            for plugin in plugins:
                for secret in _scan_line(
                    plugin=plugin,
                    filename="records/x.yaml",
                    line=line,
                    line_number=number + 1,
                    enable_eager_search=False,
                    context=context,
                ):
                    if not _is_filtered_out(
                        required_filter_parameters=["context"],
                        filename=secret.filename,
                        secret=secret.secret_value,
                        plugin=plugin,
                        line=line,
                        context=context,
                    ):
                        return True
        return False

    return found


def corpus_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    data = yaml.safe_load((REPO / "tests" / "data" / "secrets_corpus.yaml").read_text(encoding="utf-8"))
    return [(r["kind"], r["text"]) for r in data["positives"]], [(r["kind"], r["text"]) for r in data["negatives"]]


def record_values(count: int) -> dict[str, list[list[str]]]:
    import generate

    sample = [p.read_text(encoding="utf-8") for p in sorted((REPO / "records").rglob("*.yaml"))]
    generated = [text for _, text in generate.iter_records(count, 1, dt.date(2026, 11, 26))]
    return {
        name: [[value for _, value in iter_strings(parse_document(text, "records/x.yaml").data)] for text in texts]
        for name, texts in (("sample records", sample), (f"{count} generated records", generated))
    }


def per_record_ms(found: Callable[[str], bool], records: list[list[str]]) -> float:
    start = time.perf_counter()
    for values in records:
        for value in values:
            if len(value) >= secrets.MIN_SECRET_LENGTH:
                found(value)
    return (time.perf_counter() - start) / len(records) * 1000


def document_scans(count: int) -> None:
    """The scans as the tool runs them (prefilter included) per parsed record, best of 5: the numbers of
    docs/security.md's before/after table (run it with PYTHONPATH at each version's plugin/)."""
    import generate

    from deploydocs.core.rules import placeholder_problems, secret_problems

    sample = [p.read_text(encoding="utf-8") for p in sorted((REPO / "records").rglob("*.yaml"))]
    sample = [
        text
        for text, p in zip(sample, sorted((REPO / "records").rglob("*.yaml")), strict=True)
        if p.name != "services.yaml"
    ]
    generated = [text for _, text in generate.iter_records(count, 1, dt.date(2026, 11, 26))]
    for label, texts in (("sample records", sample), (f"{count} generated records", generated)):
        documents = [parse_document(text, "records/x.yaml") for text in texts]
        for name, scan in (("secrets", secret_problems), ("placeholders", placeholder_problems)):
            best = min(_timed(scan, documents) for _ in range(5))
            print(f"{label}: {name} {best / len(documents) * 1000:.3f} ms/record")


def _timed(scan: Callable[..., object], documents: list) -> float:  # noqa: ANN401
    start = time.perf_counter()
    for document in documents:
        scan(document)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=200, help="generated records to time (default 200)")
    parser.add_argument("--documents", action="store_true", help="only time the scans of parsed records")
    args = parser.parse_args(argv)
    if args.documents:
        document_scans(args.records)
        return 0
    scanners = {
        "deploydocs (gitleaks rules + additions, RE2)": _deploydocs(),
        "detect-secrets 1.5.0": _detect_secrets(),
    }
    positives, negatives = corpus_rows()
    records = record_values(args.records)
    rows = {}
    for name, found in scanners.items():
        if found is None:
            print(f"{name}: not installed")
            continue
        hits = {kind for kind, text in positives if found(text)}
        false = [kind for kind, text in negatives if found(text)]
        rows[name] = hits
        times = ", ".join(f"{per_record_ms(found, rows_):.2f} ms/record ({label})" for label, rows_ in records.items())
        print(f"{name}: {len(hits)}/{len(positives)} kinds found, {len(false)}/{len(negatives)} false positives")
        print(f"    {times}")
        for kind in false:
            print(f"    false positive: {kind}")
    for kind, _ in positives:
        print(" | ".join([kind, *("yes" if kind in hits else "no" for hits in rows.values())]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
