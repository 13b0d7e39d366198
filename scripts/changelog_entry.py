#!/usr/bin/env python3
"""Print the CHANGELOG.md entry of a release: `scripts/changelog_entry.py v0.2.0`.

The release workflow runs it on the pushed tag: a tag without an entry (or with an
empty one) fails the release, and the entry it prints becomes the GitHub release notes.
Entries are `## X.Y.Z` headings; "Unreleased" is never a release.
"""

import re
import sys
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parent.parent / "CHANGELOG.md"


def entry(changelog: str, tag: str) -> str:
    match = re.fullmatch(r"v?(\d+\.\d+\.\d+)", tag)
    if not match:
        raise ValueError(f"{tag!r} is not a release tag (expected vX.Y.Z)")
    version = match.group(1)
    sections = re.split(r"^## +", changelog, flags=re.MULTILINE)[1:]
    for section in sections:
        heading, _, body = section.partition("\n")
        if heading.strip() == version:
            if not body.strip():
                raise ValueError(f"the CHANGELOG entry of {version} is empty")
            return body.strip() + "\n"
    raise ValueError(f"CHANGELOG.md has no `## {version}` entry: rename `## Unreleased` to it before tagging")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: scripts/changelog_entry.py vX.Y.Z", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(entry(CHANGELOG.read_text(), argv[1]))
    except ValueError as error:
        print(f"changelog_entry: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
