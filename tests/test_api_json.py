"""`api/deployments.json` is written entry by entry (so that `mkdocs serve` can keep the entries of
records that did not change), and must be exactly what one `json.dumps(payload, indent=2)` writes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from deploydocs.site.api import _object_with_list

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(
    head=st.dictionaries(st.text(max_size=10), SCALARS, max_size=3),
    key=st.text(max_size=10),
    items=st.lists(JSON, max_size=5),
)
def test_entry_by_entry_is_one_json_dumps(head: dict, key: str, items: list) -> None:
    head = {name: value for name, value in head.items() if name != key}
    expected = json.dumps({**head, key: items}, indent=2, ensure_ascii=False) + "\n"
    written = _object_with_list(head, key, [json.dumps(item, indent=2, ensure_ascii=False) for item in items])
    assert written == expected
