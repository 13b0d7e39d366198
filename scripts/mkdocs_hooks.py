"""mkdocs hook: the changelog page is CHANGELOG.md itself, and repository links become site links.

CHANGELOG.md sits at the repository root (GitHub shows it there) and links to
`docs/x.md`; on the site it is changelog.md, next to `x.md`. Pages under docs/ link
to `../CHANGELOG.md`, which on the site is changelog.md.
"""

import re
from pathlib import Path

INCLUDE = "<!-- CHANGELOG.md -->"


def on_page_markdown(markdown: str, page, config, files) -> str:  # type: ignore[no-untyped-def]
    if page.file.src_uri == "changelog.md":
        if INCLUDE not in markdown:
            raise ValueError(f"docs/changelog.md must contain {INCLUDE}")
        changelog = (Path(config.config_file_path).parent / "CHANGELOG.md").read_text()
        markdown = markdown.replace(INCLUDE, re.sub(r"\]\(docs/", "](", changelog))
    return re.sub(r"\]\(\.\./CHANGELOG\.md", "](changelog.md", markdown)
