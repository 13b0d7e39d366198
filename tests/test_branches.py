"""The inline-branch counter behind `python -m tests.branches`, and the limit it enforces on the template."""

import re
from collections import Counter
from functools import cache

import pytest
from jinja2.sandbox import SandboxedEnvironment

from tests.branches import LIMIT, count_branches, report, shared_file_branches
from tests.stacks import TEMPLATE_ROOT, Stack, copier_config, valid_stacks

# `{% include 'includes/<option>/' ~ variable ~ '/<partial>' %}`: one include serving every value.
VALUE_INCLUDE = re.compile(r"\{%-?\s*include\s+'(includes/[\w/]+/)'\s*~\s*(\w+)\s*~\s*'/([^']+)'")


def include_sites() -> list[tuple[str, str, str, str]]:
    """(file, folder, variable, partial) of every include whose path names a value, in template/ and includes/."""
    sites = []
    for part in ("template", "includes"):
        for path in sorted((TEMPLATE_ROOT / part).rglob("*")):
            if path.is_file():
                for folder, variable, partial in VALUE_INCLUDE.findall(path.read_text(errors="replace")):
                    sites.append((path.relative_to(TEMPLATE_ROOT).as_posix(), folder, variable, partial))
    return sites


@cache
def answers(stack: Stack) -> dict[str, object]:
    """Every value of copier.yml for `stack`: its answers, the other questions' defaults, the computed values."""
    env = SandboxedEnvironment()
    values: dict[str, object] = dict(stack.answers)
    for key, spec in copier_config().items():
        if key.startswith("_") or key in values or not isinstance(spec.get("default"), str):
            continue
        rendered = env.from_string(spec["default"]).render(values)
        values[key] = rendered == "True" if spec.get("type") == "bool" else rendered
    return values


@cache
def values_of(variable: str, site: str) -> set[object]:
    """What `variable` is on the valid stacks that render `site` (its path may switch it off)."""
    env = SandboxedEnvironment()
    values = set()
    for stack in valid_stacks():
        context = answers(stack)
        if all(env.from_string(part).render(context) for part in site.split("/")):
            values.add(context[variable])
    return values


def test_counts_if_and_elif_tags_by_the_options_they_name() -> None:
    text = (
        "{% if cache == 'redis' %}\na\n{% elif is_async %}\nb\n{% else %}\nc\n{% endif %}\n"
        "{%- if database != 'sqlite' or cache == 'redis' -%}d{% endif %}\n"
        "{% if uses_alembic %}e{% endif %}{% for x in y %}{% endfor %}{{ 'f' if is_async }}\n"
    )

    assert count_branches(text) == Counter({"cache": 2, "concurrency": 1, "database": 1, "orm": 1})


def test_the_report_marks_files_above_the_limit() -> None:
    text, over = report({"a.py": Counter({"cache": LIMIT + 1}), "b.py": Counter({"orm": LIMIT})})

    assert over == 1
    assert "a.py" in text.splitlines()[1]
    assert text.splitlines()[1].endswith("above the limit")
    assert not text.splitlines()[2].endswith("above the limit")


def test_the_template_is_read() -> None:
    branches = shared_file_branches()

    assert "template/app/main.py.jinja" in branches
    assert all(name.startswith("template/") for name in branches)


def test_no_template_file_branches_more_than_the_limit_on_one_option() -> None:
    text, over = report(shared_file_branches())

    assert over == 0, f"move what an option adds into includes/<option>/<value>/ partials:\n{text}"


def test_includes_by_value_are_found() -> None:
    assert {(folder, variable) for _, folder, variable, _ in include_sites()} >= {
        ("includes/cache/", "cache"),
        ("includes/database/", "database"),
        ("includes/database/", "database_kind"),
        ("includes/orm/", "orm"),
    }
    assert values_of("database_kind", "template/README.md.jinja") == {"sqlite", "server"}
    assert values_of("orm", "template/{% if uses_alembic %}migrations{% endif %}/env.py.jinja") == {
        "sqlalchemy",
        "sqlmodel",
    }


@pytest.mark.parametrize(("site", "folder", "variable", "partial"), include_sites())
def test_every_value_has_the_partial_its_include_names(site: str, folder: str, variable: str, partial: str) -> None:
    # A value that adds nothing has a partial holding only a comment: a missing one is a mistake.
    missing = [
        value
        for value in sorted(map(str, values_of(variable, site)))
        if not (TEMPLATE_ROOT / folder / value / partial).is_file()
    ]
    assert not missing, f"{site} includes {folder}<{variable}>/{partial}, missing for {missing}"
