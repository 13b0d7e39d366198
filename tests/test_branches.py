"""The inline-branch counter behind `python -m tests.branches`, and the limit it enforces on the template."""

from collections import Counter

from tests.branches import LIMIT, count_branches, report, shared_file_branches


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
