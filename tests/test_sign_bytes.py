"""`sign` changes the sign-off lines and nothing else, byte for byte, in every layout the loader
accepts: LF or CRLF, a byte-order mark, tabs in indentation, comments anywhere, long lines, the
`signoffs` list missing, empty, null, in block or flow style, entries as flow or block mappings."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deploydocs.core.load import decode_text, parse_document
from deploydocs.core.signing import SignError, write_signoff

from repo_support import REPO, Repo

ROLES = ("deploying-engineer", "security-reviewer", "compliance-reviewer", "operations-manager")
names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
plain_names = st.from_regex(r"[A-Z][a-zá]{1,8} [A-Z][a-zñ]{1,8}", fullmatch=True)


@dataclass
class Layout:
    """A record file in parts: what is before the sign-off list, the list, what is after it."""

    before: str
    signoffs: str
    after: str
    newline: str
    bom: bool
    trailing_newline: bool

    def parts(self) -> list[bytes]:
        """The three parts as bytes in the file's line endings, the last one that is there without
        its line break if the file ends without one; the first with the BOM."""
        parts = [self.before, self.signoffs, self.after]
        if not self.trailing_newline:
            last = max(i for i, part in enumerate(parts) if part)
            parts[last] = parts[last].removesuffix("\n")
        encoded = [part.replace("\n", self.newline).encode("utf-8") for part in parts]
        encoded[0] = (b"\xef\xbb\xbf" if self.bom else b"") + encoded[0]
        return encoded

    def raw(self) -> bytes:
        return b"".join(self.parts())


@st.composite
def entries(draw: st.DrawFn, block: bool, indent: str) -> list[str]:
    """Existing sign-offs, each as the lines of a list item (flow mappings, or block mappings)."""
    roles = draw(st.lists(st.sampled_from(ROLES), unique=True, max_size=3))
    written = []
    for role in roles:
        name = draw(plain_names)
        comment = draw(st.sampled_from(["", "  # signed in the call"]))
        if block and draw(st.booleans()):
            keys = [f"role: {role}{comment}", f"name: {name}", "date: 2026-10-01"]
            if draw(st.booleans()):
                keys.append("fingerprint: sha256:00000000000000ff")
            written.append(f"{indent}- " + f"\n{indent}  ".join(keys) + "\n")
        else:
            written.append(f"{indent}- {{role: {role}, name: {name}, date: 2026-10-01}}{comment}\n")
    return written


@st.composite
def layouts(draw: st.DrawFn) -> Layout:
    tab = draw(st.booleans())
    indent = "\t" if tab else draw(st.sampled_from(["  ", "    "]))
    comment = draw(st.sampled_from(["", "# yaml-language-server: $schema=../../schemas/x.json\n"]))
    long_line = "x" * draw(st.sampled_from([10, 300]))
    before = (
        f"{comment}id: DEPLOY-IDENTITY-SERVICE-2.3.0  # the id\n"
        f"changes: Passkeys {long_line} and more\n"
        f"# a comment between keys\n"
        f"checklists:\n{indent}pre:\n{indent}{indent}code: done   # spaced comment\n"
    )
    kind = draw(st.sampled_from(["missing", "empty", "empty-comment", "null", "block", "flow"]))
    if kind == "missing":
        signoffs = ""
    elif kind == "empty":
        signoffs = "signoffs: []\n"
    elif kind == "empty-comment":
        signoffs = "signoffs: []   # nobody yet\n"
    elif kind == "null":
        signoffs = "signoffs:\n"
    elif kind == "block":
        items = draw(entries(block=True, indent=draw(st.sampled_from(["", indent]))))
        signoffs = "signoffs:\n" + "".join(items) if items else "signoffs: []\n"
    else:
        roles = draw(st.lists(st.sampled_from(ROLES), unique=True, min_size=1, max_size=3))
        signoffs = "signoffs: [" + ", ".join(f"{{role: {r}, name: {draw(plain_names)}}}" for r in roles) + "]\n"
    after = draw(st.sampled_from(["", "outcome: success\n", "# the end\n", "notes: |\n  a\n  b\n"]))
    if kind == "missing":  # the sign-offs are added after the last value, whatever follows it
        before, after = before + after.removeprefix("# the end\n"), ""
    return Layout(
        before=before,
        signoffs=signoffs,
        after=after,
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        trailing_newline=draw(st.booleans()),
    )


def _lines(raw: bytes) -> list[bytes]:
    return raw.splitlines(keepends=True)


@settings(max_examples=300, deadline=None)
@given(
    layout=layouts(),
    role=st.sampled_from(ROLES),
    name=st.one_of(plain_names, names),
    review=st.one_of(st.just(""), st.just("https://github.com/o/r/pull/58#pullrequestreview-1"), names),
)
def test_signing_changes_only_the_signoff_lines(layout: Layout, role: str, name: str, review: str) -> None:
    raw = layout.raw()
    signoff = {"role": role, "name": name, "date": dt.date(2026, 11, 20)}
    if review:
        signoff["review"] = review
    signoff["fingerprint"] = "sha256:0123456789abcdef"
    signed = write_signoff(raw, signoff)
    newline = layout.newline.encode()
    before, listed, _ = layout.parts()
    old_lines, new_lines = _lines(raw), _lines(signed)
    region = range(len(_lines(before)), len(_lines(before)) + len(_lines(listed)))  # the list's lines
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        added = new_lines[j1:j2]
        for i in range(i1, i2):  # a line changed or removed: one of the list's own lines...
            last_completed = i == len(old_lines) - 1 and not old_lines[i].endswith(b"\n")
            assert i in region or (last_completed and added[0] == old_lines[i] + newline), (old_lines[i], added)
            if last_completed and i not in region:  # ...or the last line, given the line break it lacked
                added = added[1:]
        for line in added:  # and every line written is a sign-off line
            text = line.decode()
            assert text.startswith("signoffs:") or re.match(r"^[ \t]*(- |\w+: )", text), text
    # Other roles' sign-offs keep their lines byte for byte (but the line of a one-line flow list).
    kept = {line.rstrip(b"\r\n") for line in new_lines}
    for line in _lines(listed):
        if b"role: " in line and f"role: {role}".encode() not in line and b"[" not in line:
            assert line.rstrip(b"\r\n") in kept, line
    assert signed.startswith(b"\xef\xbb\xbf") is layout.bom
    # Every line ends as the file's lines do: no LF slipped into a CRLF file, nor the reverse.
    for line in _lines(signed):
        if line.endswith(b"\n"):
            assert line.endswith(newline), line
    # And it reads back as the record with exactly this sign-off.
    data = parse_document(decode_text(signed, "x"), "x").data
    mine = [s for s in data["signoffs"] if s.get("role") == role]
    assert mine == [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in signoff.items()}]


def test_a_signed_sample_record_differs_by_one_line_in_every_encoding(tmp_path) -> None:  # noqa: ANN001
    text = (REPO / "records/identity-service/2.3.0-production.yaml").read_text(encoding="utf-8")
    signoff = {"role": "product-owner", "name": "Carla Mendoza", "date": dt.date(2026, 11, 20), "fingerprint": "x"}
    for newline, bom, tabs in [("\n", False, False), ("\r\n", True, False), ("\r\n", False, True)]:
        variant = text.replace("\n  ", "\n\t ") if tabs else text
        raw = (b"\xef\xbb\xbf" if bom else b"") + variant.replace("\n", newline).encode()
        signed = write_signoff(raw, signoff)
        diff = list(difflib.diff_bytes(difflib.unified_diff, _lines(raw), _lines(signed), n=0))
        added = [line for line in diff if line.startswith(b"+") and not line.startswith(b"+++")]
        removed = [line for line in diff if line.startswith(b"-") and not line.startswith(b"---")]
        assert removed == [] and len(added) == 1, diff
        assert added[0].endswith(newline.encode()) and b"role: product-owner" in added[0]


def test_sign_on_a_tab_indented_crlf_record_through_the_command(repo: Repo) -> None:
    record = "records/identity-service/2.2.0-production.yaml"
    signer = re.search(r"role: security-reviewer, name: ([^,}]+)", repo.read(record)).group(1).strip()
    raw = b"\xef\xbb\xbf" + repo.read(record).replace("\n  ", "\n\t ").replace("\n", "\r\n").encode()
    repo.path(record).write_bytes(raw)
    assert repo.cli("check", "--no-cache").returncode == 0
    run = repo.cli("sign", record, "--role", "security-reviewer", "--name", signer, "--date", "2026-11-20")
    assert run.returncode == 0, run.output
    signed = repo.path(record).read_bytes()
    diff = list(difflib.diff_bytes(difflib.unified_diff, _lines(raw), _lines(signed), n=0))[3:]
    assert len(diff) == 2 and all(b"role: security-reviewer" in line for line in diff), diff
    assert signed.startswith(b"\xef\xbb\xbf") and signed.count(b"\r\n") == raw.count(b"\r\n")


@pytest.mark.parametrize(
    "raw",
    [
        b"- a\n- b\n",
        b"{id: x, signoffs: []}\n",
        b"id: x\nsignoffs: none\n",
        b"id: x\nsignoffs:\n  - role: security-reviewer\n    name: {first: A}\n",
    ],
)
def test_what_cannot_be_written_alone_is_refused(raw: bytes) -> None:
    with pytest.raises(SignError):
        write_signoff(raw, {"role": "security-reviewer", "name": "A", "date": "2026-11-20"})
