"""`format` is checked, and the same way by both validators: jsonschema (which explains problems) and
the compiled fast check (which answers "valid?" for most files) give the same verdict on every link
and date; a bad `review:` link is a problem, a good one is not."""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from deploydocs.core.catalog import load_catalog
from deploydocs.core.formats import is_date, is_web_link
from deploydocs.core.load import parse_document
from deploydocs.core.policy import default_policy
from deploydocs.core.schema import record_schema
from deploydocs.core.validate import fast_validator, schema_problems, validator_for

from repo_support import REPO

RECORD = "records/identity-service/2.3.0-production.yaml"
ORIGINAL = (REPO / RECORD).read_text(encoding="utf-8")
SCHEMA = record_schema(load_catalog())
FULL = validator_for(SCHEMA)
FAST = fast_validator(SCHEMA)
DATA = parse_document(ORIGINAL, RECORD).data
assert DATA["signoffs"][0].get("review"), "the sample's first sign-off has a review link"

links = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda scheme, host, rest: f"{scheme}{host}{rest}",
        st.sampled_from(["https://", "http://", "ftp://", "mailto:", "https:/", "", "HTTPS://", "javascript:"]),
        st.from_regex(r"[a-z0-9.\-]{0,12}", fullmatch=True),
        st.text(max_size=12),
    ),
)
dates = st.one_of(
    st.text(max_size=12),
    st.dates().map(str),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,3}", fullmatch=True),
)


def verdicts(data: dict) -> tuple[bool, bool]:
    """(jsonschema finds no error, the fast check accepts)."""
    assert FAST is not None
    return not any(True for _ in FULL.iter_errors(data)), FAST(data)


@settings(max_examples=200, deadline=None)
@given(link=links)
def test_both_validators_judge_every_review_link_alike(link: str) -> None:
    data = json.loads(json.dumps(DATA))
    data["signoffs"][0]["review"] = link
    full, fast = verdicts(data)
    assert full == fast
    assert full is (is_web_link(link) and len(link) > 0)


@settings(max_examples=200, deadline=None)
@given(date=dates)
def test_both_validators_judge_every_date_alike(date: str) -> None:
    data = json.loads(json.dumps(DATA))
    data["date"] = date
    data["signoffs"][0]["date"] = date
    full, fast = verdicts(data)
    assert full == fast
    assert full is is_date(date)


def test_a_bad_review_link_is_one_invalid_format_problem() -> None:
    text = re.sub(r"\breview: [^,}]+", 'review: "see the PR"', ORIGINAL, count=1)
    problems = schema_problems(parse_document(text, RECORD), SCHEMA)
    assert [(p.rule, "signoffs.0.review" in p.message) for p in problems] == [("invalid-format", True)]


@given(
    host=st.from_regex(r"[a-z][a-z0-9]{0,8}(\.[a-z][a-z0-9]{0,8}){0,2}", fullmatch=True),
    path=st.from_regex(r"(/[A-Za-z0-9._~%-]{0,8}){0,3}(\?[a-z]=[0-9]{1,3})?(#[a-z0-9-]{0,8})?", fullmatch=True),
    scheme=st.sampled_from(["http", "https"]),
)
def test_any_web_address_is_a_link(host: str, path: str, scheme: str) -> None:
    assert is_web_link(f"{scheme}://{host}{path}")


def test_the_policy_examples_are_accepted_evidence_and_words_are_not() -> None:
    policy = default_policy()
    assert policy.evidence_references, "the default policy names reference kinds"
    for reference in policy.evidence_references:
        assert policy.evidence_reference(reference.example) is reference
    for word in ("jenkins", "done", "see CI", "SEC-", "#", "PR 12", "DEPLOY-X"):
        assert policy.evidence_reference(word) is None and not is_web_link(word), word
