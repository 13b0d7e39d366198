"""The CI matrix, derived from copier.yml: `python -m tests.matrix` prints it as JSON.

The workflow (.github/workflows/ci.yml) feeds this output to `strategy.matrix` with
`fromJSON`, so a new choice in copier.yml is a new CI job without editing the workflow.
Each stack runs on the oldest and the newest `python_version` choice; each entry names
the servers it needs, so its job starts only those, and whether the job also runs the
fault and fuzz suites on its stack (once per stack: on the newest Python).
"""

import json

from tests.stacks import Stack, copier_config, valid_stacks

SERVER_ENGINES = ("postgresql", "mysql")


def python_choices() -> list[str]:
    """Every `python_version` choice, oldest first."""
    return sorted({str(choice) for choice in copier_config()["python_version"]["choices"]}, key=_version_key)


def python_versions() -> tuple[str, ...]:
    """The oldest and the newest `python_version` choice (one entry if there is only one)."""
    choices = python_choices()
    return tuple(dict.fromkeys((choices[0], choices[-1])))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def servers(stack: Stack) -> list[str]:
    """The servers a stack's tests talk to: its database engine's (not SQLite's), and Redis."""
    needed = [stack.database] if stack.database in SERVER_ENGINES else []
    return needed + (["redis"] if stack.cache == "redis" else [])


def matrix() -> dict[str, list[dict[str, object]]]:
    """Every stack on each Python of `python_versions()`; the fault and fuzz suites (`reliability`) on the newest."""
    versions = python_versions()
    newest = versions[-1]
    return {
        "include": [
            {"stack": stack.id, "python": python, "services": servers(stack), "reliability": python == newest}
            for stack in valid_stacks()
            for python in versions
        ]
    }


if __name__ == "__main__":
    print(json.dumps(matrix(), separators=(",", ":")))
