"""Rules about files as files: reported while loading and validating them (load, validate, registry,
policy), listed here so that the one rule table is whole."""

from __future__ import annotations

from .base import RuleInfo, define

RULES = define(
    {
        # Loading
        "empty-file": RuleInfo("A record file holds a YAML document.", "# only a comment"),
        "not-a-mapping": RuleInfo(
            "A record is a mapping of keys to values, not a list or a scalar.", "- id: DEPLOY-X-1.0.0"
        ),
        "not-utf8": RuleInfo("Files are UTF-8 (a byte-order mark is accepted).", "<Latin-1 bytes>"),
        "file-too-large": RuleInfo("A record is at most 1 MiB.", "<a 2 MiB file>"),
        "not-yaml-file": RuleInfo("Files in records/ end in .yaml or .yml.", "records/identity-service/2.3.0.txt"),
        "symlink-outside": RuleInfo(
            "A symbolic link in records/ may not point outside the repository.", "records/x.yaml -> /etc/passwd"
        ),
        "not-a-regular-file": RuleInfo(
            "Files in records/ are regular files: a FIFO, a device or a folder named .yaml is not read.",
            "mkfifo records/x.yaml",
        ),
        "file-unreadable": RuleInfo(
            "Every file in records/ can be read: no dangling link, no link loop.", "records/x.yaml -> missing.yaml"
        ),
        "control-character": RuleInfo(
            "No raw control characters (NUL, ESC, a lone carriage return, U+2028...): YAML refuses them.",
            "changes: a<NUL>b",
        ),
        "yaml-number-too-long": RuleInfo(
            "Numbers have at most 100 characters (quote a long run of digits that is text).", "attempt: 999…999"
        ),
        "yaml-syntax": RuleInfo("The file is valid YAML.", "changes: fixes: login"),
        "yaml-duplicate-key": RuleInfo("A key appears once per mapping.", "version: 2.3.0\nversion: 2.3.1"),
        "yaml-custom-tag": RuleInfo("No YAML tags such as !!python/object.", "changes: !!python/object:os.system {}"),
        "yaml-too-many-values": RuleInfo(
            "A file expands to at most 50,000 values (stops alias bombs).", "a: &a [*b, *b, ...]"
        ),
        "yaml-too-deep": RuleInfo("Values nest at most 40 levels.", "a: [[[[[[[[ ... ]]]]]]]]"),
        "yaml-complex-key": RuleInfo("Keys are plain words.", "? [a, b]\n: value"),
        "yaml-merge-key": RuleInfo("Merge keys (<<) are not used in records.", "<<: *defaults"),
        # Schema
        "unknown-key": RuleInfo(
            "Only keys of the schema; a misspelt key names the closest valid one.", "secrest: done"
        ),
        "missing-key": RuleInfo(
            "Every required key is present, every checklist item among them.", "# secrets: left out"
        ),
        "invalid-value": RuleInfo(
            "Closed vocabularies: environment, type, status, roles, impact.", "environment: prod"
        ),
        "invalid-state": RuleInfo("Items are done, pending, or n/a with a reason.", "secrets: complete"),
        "na-needs-reason": RuleInfo("n/a always carries a reason.", "dns: n/a"),
        "value-not-string": RuleInfo(
            "Versions and other text are strings: quote what YAML reads as a number.", "version: 1.10"
        ),
        "wrong-type": RuleInfo("Values have the type the schema gives.", "checklists: done"),
        "invalid-format": RuleInfo("Ids, versions and links follow their pattern.", "version: v2"),
        "invalid-date": RuleInfo("Dates are ISO dates.", "date: 20/11/2026"),
        "invalid-characters": RuleInfo(
            "Names, roles, ids, titles, links and `by:` are one line with no control character; names, roles "
            "and ids also hold no bidirectional override or zero-width character.",
            'deployed_by: {name: "Ana\\n\\n<b>Quispe</b>", role: SRE}',
        ),
        "empty-value": RuleInfo("Text values are not empty.", 'changes: ""'),
        "schema": RuleInfo("Any other schema constraint.", "attempt: 1"),
        # Registry and policy files
        "registry-schema": RuleInfo("The services registry follows its schema.", "port: three"),
        "registry-duplicate-port": RuleInfo(
            "No two services share a port.", "finance-service: {port: 3007}\nbff: {port: 3007}"
        ),
        "registry-duplicate-alias": RuleInfo("An alias belongs to one service.", "aliases: [identity-service]"),
        "policy-schema": RuleInfo("The policy follows its schema.", "lifecycle: planned"),
        "policy-invalid": RuleInfo(
            "Policy paths name catalog sections, subsections or items.", "requires: [pre_deploy]"
        ),
    }
)
