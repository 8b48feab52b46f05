"""The two YAML parsers behind the loader (libyaml through PyYAML, and ruamel.yaml) give the same
Document: same data, same positions, same problems."""

from __future__ import annotations

import pytest

from deploydocs.core.load import _LIBYAML, LoadError, decode_text, parse_document

from repo_support import REPO

pytestmark = pytest.mark.skipif(_LIBYAML is None, reason="PyYAML's libyaml binding is not installed")

FILES = sorted(str(path.relative_to(REPO)) for path in (REPO / "records").rglob("*.yaml"))

SNIPPETS = {
    "scalars": "a: 1.10\nb: '1.10'\nc: !!str 2\nd: yes\ne: null\nf: 0x1F\ng: 2026-11-20\nh: -.inf\ni: ~\nj:\n",
    "flow": "a: {b: [1, 2, {c: d}], e: 'f'}\n",
    "block-scalars": "a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n",
    "anchors": "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",
    "duplicate": "a: 1\nb: 2\na: 3\n",
    "merge": "a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n",
    "tag": "a: !!python/name:os.system x\nb: !local y\n",
    "tabs": "a:\n\tb: 1\n\tc: [1, 2]\n",
    "crlf-bom": "\ufeffa: 1\r\nb:\r\n  c: 2\r\n",
}


def _both(text: str, name: str) -> tuple[object, object]:
    results = []
    for accelerated in (True, False):
        try:
            document = parse_document(text, name, accelerated=accelerated)
        except LoadError as error:
            results.append(("error", [(p.rule, p.line, p.column) for p in error.problems]))
        else:
            results.append(
                (
                    document.data,
                    dict(document.positions.values),
                    dict(document.positions.keys),
                    [(p.rule, p.line, p.column, p.message) for p in document.problems],
                )
            )
    return results[0], results[1]


@pytest.mark.parametrize("relative", FILES)
def test_sample_records_read_the_same_with_both_parsers(relative: str) -> None:
    text = decode_text((REPO / relative).read_bytes(), relative)
    fast, reference = _both(text, relative)
    assert fast == reference


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippets_read_the_same_with_both_parsers(name: str) -> None:
    text = decode_text(SNIPPETS[name].encode("utf-8"), name)
    fast, reference = _both(text, name)
    assert fast == reference


def test_yaml_12_meaning_of_plain_scalars() -> None:
    data = parse_document(decode_text(SNIPPETS["scalars"].encode(), "x"), "x").data
    assert data == {
        "a": 1.1,
        "b": "1.10",
        "c": "2",
        "d": "yes",
        "e": None,
        "f": 31,
        "g": "2026-11-20",
        "h": float("-inf"),
        "i": None,
        "j": None,
    }
