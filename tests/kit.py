"""The production kit's checks on a rendered project, each by its ecosystem's own tool.

hadolint on the Dockerfile, actionlint and zizmor on the GitHub workflow, the rendered
pre-commit hooks, `docker-compose config` on
compose.yaml, `kubernetes-validate --strict` on deploy/kubernetes/, and the environment those
files give the service against its Settings (tests/settings_names.py). The tools come from the
template repo's own dev environment (next to the interpreter that runs the suite). A missing
tool fails the check, never skips it: a kit nobody checked is not counted.
"""

import re
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

import pytest
import yaml

from tests.conftest import Project
from tests.settings_names import settings_fields, settings_findings, workflow_findings


def dev_tool(name: str) -> Path:
    path = Path(sys.executable).parent / name
    if not path.is_file():
        pytest.fail(f"`{name}` is not installed in {path.parent}: run `uv sync` in the template repo")
    return path


def check_dockerfile(project: Project) -> None:
    """hadolint with no finding at all: `style`, the lowest severity, already fails."""
    result = project.run(str(dev_tool("hadolint")), "--no-color", "--failure-threshold", "style", "Dockerfile")
    assert not result.stdout.strip(), result.stdout


WORKFLOW = ".github/workflows/ci.yml"


def check_workflow(project: Project) -> None:
    """actionlint (syntax, expressions, contexts, each action's runtime) and zizmor (security) find nothing."""
    result = project.run(str(dev_tool("actionlint")), "-no-color", WORKFLOW)
    assert not result.stdout.strip(), result.stdout
    project.run(str(dev_tool("zizmor")), "--offline", "--no-progress", "--quiet", WORKFLOW)


def check_pre_commit(project: Project) -> None:
    """The rendered hooks on every file, as `pre-commit run --all-files` in a fresh clone would."""
    # pre-commit lists the files through git; local hooks install nothing, so its home only holds
    # its own database, shared by the projects of one worker (next to their mypy cache).
    project.run("git", "init", "--quiet")
    project.run("git", "add", "--all")
    home = project.mypy_cache.parent / "pre-commit-home"
    project.run(str(dev_tool("pre-commit")), "run", "--all-files", "--show-diff-on-failure", PRE_COMMIT_HOME=str(home))


# `${NAME:?message}`: compose refuses to start without NAME (the passwords, from .env).
REQUIRED_VARIABLE = re.compile(r"\$\{(\w+):\?")


def compose_config(
    project: Project, env_file: Path, *args: str, profiles: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` with the variables of `env_file` only, as compose reads a user's .env."""
    env = {name: value for name, value in project.env().items() if not re.fullmatch(r"[A-Z_]*PASSWORD", name)}
    selected = [flag for profile in profiles for flag in ("--profile", profile)]
    command = [str(dev_tool("docker-compose")), "--env-file", str(env_file), *selected, "-f", "compose.yaml", "config"]
    command += args
    return subprocess.run(command, cwd=project.path, env=env, capture_output=True, text=True, check=False)


def check_compose(project: Project) -> None:
    """compose.yaml is valid with .env.example copied to .env, and invalid without each required variable."""
    example = (project.path / ".env.example").read_text()
    required = sorted(set(REQUIRED_VARIABLE.findall((project.path / "compose.yaml").read_text())))
    with tempfile.TemporaryDirectory() as directory:
        env_file = Path(directory) / ".env"
        env_file.write_text(example)
        result = compose_config(project, env_file, "--format", "json")
        assert result.returncode == 0 and not result.stderr.strip(), result.stderr
        observed = compose_config(project, env_file, "--format", "json", profiles=("observability",))
        assert observed.returncode == 0 and not observed.stderr.strip(), observed.stderr
        for name in required:
            env_file.write_text("".join(line for line in example.splitlines(True) if not line.startswith(f"{name}=")))
            refused = compose_config(project, env_file, "--quiet")
            assert refused.returncode != 0, f"compose.yaml is valid without {name} in .env"
            assert f"required variable {name} is missing" in refused.stderr, refused.stderr
    check_observability_profile(project, yaml.safe_load(observed.stdout)["services"])
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services["app"]["depends_on"]) == set(services) - {"app"}, "the service must wait for all the others"
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name, service in services.items():
        assert "healthcheck" in service or name == "migrate", f"service {name} has no healthcheck"
    if project.stack.database == "sqlite":
        # The Dockerfile's DATABASE_URL, on the named volume mounted at its directory.
        [image_url] = re.findall(r"DATABASE_URL=(\S+)", (project.path / "Dockerfile").read_text())
        for name in ("app", "migrate"):
            assert services[name]["environment"]["DATABASE_URL"] == image_url
            mounts = {(v["type"], v["target"]) for v in services[name]["volumes"]}
            # sqlite:////app/... (SQLAlchemy) and sqlite:///app/... (Tortoise) both name /app/...
            database_file = "/" + image_url.split("://", 1)[1].lstrip("/")
            assert ("volume", str(PurePosixPath(database_file).parent)) in mounts, mounts
    else:
        assert required, "a database server's password must come from .env"


OBSERVABILITY = {"prometheus", "otel-collector", "jaeger"}


def check_observability_profile(project: Project, services: dict[str, dict]) -> None:
    """The profile adds its services, each with the configuration file it mounts, and pinned images."""
    assert set(services) >= OBSERVABILITY, sorted(services)
    for name in OBSERVABILITY:
        assert re.search(r":v?\d+\.\d+\.\d+$", services[name]["image"]), f"{name}: pin the image's version"
        for volume in services[name].get("volumes", []):
            if volume["type"] == "bind":
                assert Path(volume["source"]).is_file(), f"{name} mounts {volume['source']}, which is missing"
    prometheus = yaml.safe_load((project.path / "deploy/observability/prometheus.yml").read_text())
    [job] = prometheus["scrape_configs"]
    assert job["static_configs"] == [{"targets": ["app:8000"]}], "Prometheus scrapes the compose service"
    collector = yaml.safe_load((project.path / "deploy/observability/otel-collector.yaml").read_text())
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")


KUBERNETES = Path("deploy/kubernetes")
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "images"}


def check_kubernetes(project: Project) -> None:
    """Every manifest valid against Kubernetes' schemas, no unknown field; the kustomize base lists them all."""
    directory = project.path / KUBERNETES
    manifests = sorted(path.name for path in directory.glob("*.yaml") if path.name != "kustomization.yaml")
    result = project.run(
        str(dev_tool("kubernetes-validate")), "--strict", *(str(KUBERNETES / name) for name in manifests)
    )
    findings = [line for line in result.stdout.splitlines() if not line.startswith("INFO ")]
    assert not findings and result.stdout.count(" passed for resource ") == len(manifests), result.stdout

    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kustomization) - KUSTOMIZATION_KEYS
    assert not unknown, f"kustomization.yaml keys this check does not know: {unknown}"
    assert kustomization["kind"] == "Kustomization"
    # The Secret is an example the user fills in: never applied by the base.
    assert sorted(kustomization["resources"]) == sorted(set(manifests) - {"secret.example.yaml"})
    images = {
        container["image"]
        for name in manifests
        for document in yaml.safe_load_all((directory / name).read_text())
        if document["kind"] in ("Deployment", "Job")
        for container in document["spec"]["template"]["spec"].get("initContainers", [])
        + document["spec"]["template"]["spec"]["containers"]
    }
    assert images == {image["name"] for image in kustomization["images"]}, "kustomization.yaml must set every image"


def deployment_files(project: Project) -> list[Path]:
    return [project.path / "compose.yaml", *sorted((project.path / KUBERNETES).glob("*.yaml"))]


def check_settings_names(project: Project) -> None:
    """The deployment files give the service Settings names only, and every setting it needs; the
    workflow gives its jobs Settings names, the tests' own names (each one the tests read) or uv's."""
    fields = settings_fields(project.path, project.path / ".venv" / "bin" / "python", project.env())
    assert {"DATABASE_URL", "ENVIRONMENT"} <= set(fields), sorted(fields)
    findings = settings_findings(fields, deployment_files(project))
    findings += workflow_findings(fields, project.path / WORKFLOW, project.path / "tests" / "config.py")
    assert not findings, "\n".join(findings)


def check_kit(project: Project) -> None:
    failures = []
    for check in (
        check_dockerfile,
        check_workflow,
        check_pre_commit,
        check_compose,
        check_kubernetes,
        check_settings_names,
    ):
        try:
            check(project)
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(f"{check.__name__}: {error}")
    assert not failures, "\n".join(failures)
