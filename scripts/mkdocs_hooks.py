"""mkdocs hook: repository-relative links become site links.

CHANGELOG.md sits at the repository root (GitHub shows it there) and links to
`docs/x.md`; the site includes it as changelog.md, where the same page is `x.md`.
Pages under docs/ link to `../CHANGELOG.md`, which on the site is changelog.md.
"""

import re


def on_page_markdown(markdown: str, page, config, files) -> str:  # type: ignore[no-untyped-def]
    markdown = re.sub(r"\]\(\.\./CHANGELOG\.md", "](changelog.md", markdown)
    if page.file.src_uri == "changelog.md":
        markdown = re.sub(r"\]\(docs/", "](", markdown)
    return markdown
