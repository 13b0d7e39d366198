"""The environment a rendered project's deployment files give the service, against its Settings.

Every name a deployment file hands to a container running the service's image must be a field
of that stack's `Settings` (a typo there is silently ignored by pydantic-settings), and every
field whose default only suits a developer machine must be given a value there. Those are:
fields without a default, fields whose default is an address (`://` in it: DATABASE_URL,
REDIS_URL point at this machine or a local file) and fields whose default is `"local"`
(ENVIRONMENT). Everything else has a default that is safe to run with.

`settings_findings(fields, files)` reads any mix of compose files and Kubernetes manifests;
`workflow_findings` reads a GitHub workflow, whose jobs run the tests rather than the image.
"""

import json
import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import yaml

# Run in the project's own environment: the fields as pydantic sees them, aliases included.
FIELDS_SCRIPT = """
import json
from app.core.config import Settings

fields = {}
for name, field in Settings.model_fields.items():
    default = None if field.is_required() else field.get_default(call_default_factory=True)
    fields[(field.alias or name).upper()] = {"required": field.is_required(), "default": repr(default)}
print(json.dumps(fields))
"""

Fields = dict[str, dict[str, object]]
# (where, names): e.g. ("compose.yaml: service app", {"DATABASE_URL", ...}).
Places = list[tuple[str, set[str]]]


def settings_fields(project_dir: Path, python: Path, env: dict[str, str]) -> Fields:
    """The Settings fields of the project at `project_dir`, read by importing its config module."""
    result = subprocess.run(
        [str(python), "-c", FIELDS_SCRIPT], cwd=project_dir, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"cannot import app.core.config.Settings:\n{result.stderr[-3000:]}"
    fields: Fields = json.loads(result.stdout)
    return fields


def needs_value(field: dict[str, object]) -> bool:
    if field["required"]:
        return True
    default = str(field["default"])
    return "://" in default or default == repr("local")


def compose_places(path: Path, documents: list[dict]) -> Places:
    """Each service that runs the image built here (it has `build`, or the same `image`)."""
    [compose] = documents
    services = compose.get("services", {})
    built = {service.get("image") for service in services.values() if "build" in service}
    places = []
    for name, service in services.items():
        if "build" not in service and service.get("image") not in built:
            continue
        assert "env_file" not in service, f"{path.name}: service {name} uses env_file, which this check cannot read"
        environment = service.get("environment", {})
        names = set(environment) if isinstance(environment, dict) else {item.split("=", 1)[0] for item in environment}
        places.append((f"{path.name}: service {name}", names))
    assert places, f"{path.name}: no service runs the image built from the Dockerfile"
    return places


WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}


def pod_spec(document: dict) -> dict:
    if document["kind"] == "Pod":
        return document["spec"]
    if document["kind"] == "CronJob":
        return document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return document["spec"]["template"]["spec"]


def kubernetes_places(path: Path, documents: list[dict], sources: dict[tuple[str, str], set[str]]) -> Places:
    """Each container (init containers too) of each workload, with what its env and envFrom give it."""
    places = []
    for document in documents:
        if document.get("kind") not in WORKLOADS | {"Pod", "CronJob"}:
            continue
        spec = pod_spec(document)
        for container in spec.get("initContainers", []) + spec.get("containers", []):
            names = {variable["name"] for variable in container.get("env", [])}
            for source in container.get("envFrom", []):
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in source:
                        reference = (kind, source[key]["name"])
                        assert reference in sources, f"{path.name}: {kind} {reference[1]} is not in the files checked"
                        names |= {source.get("prefix", "") + name for name in sources[reference]}
            workload = f"{document['kind']} {document['metadata']['name']}"
            places.append((f"{path.name}: {workload}/{container['name']}", names))
    return places


def kubernetes_sources(documents: Iterable[dict]) -> dict[tuple[str, str], set[str]]:
    """(kind, name) -> keys, for the ConfigMaps and Secrets among the documents."""
    sources = {}
    for document in documents:
        if document.get("kind") in ("ConfigMap", "Secret"):
            keys = set(document.get("data") or {}) | set(document.get("stringData") or {})
            sources[(document["kind"], document["metadata"]["name"])] = keys
    return sources


def is_compose(documents: list[dict]) -> bool:
    return len(documents) == 1 and "services" in documents[0]


def is_kubernetes(documents: list[dict]) -> bool:
    return bool(documents) and all("apiVersion" in document and "kind" in document for document in documents)


READERS: list[tuple[Callable[[list[dict]], bool], str]] = [(is_compose, "compose"), (is_kubernetes, "kubernetes")]


def settings_findings(fields: Fields, files: Iterable[Path]) -> list[str]:
    """What is wrong with the names `files` give the service: unknown names, settings left unset."""
    loaded = {path: [doc for doc in yaml.safe_load_all(path.read_text()) if doc] for path in files}
    sources = kubernetes_sources(doc for documents in loaded.values() if is_kubernetes(documents) for doc in documents)
    places: Places = []
    for path, documents in loaded.items():
        kind = next((name for accepts, name in READERS if accepts(documents)), None)
        if kind == "compose":
            places += compose_places(path, documents)
        elif kind == "kubernetes":
            places += kubernetes_places(path, documents, sources)
        else:
            raise AssertionError(f"{path}: no reader for this kind of file in tests/settings_names.py")
    assert places, "none of the files runs the service"
    needed = {name for name, field in fields.items() if needs_value(field)}
    findings = []
    for place, names in places:
        findings += [f"{place}: {name} is not a Settings field" for name in sorted(names - set(fields))]
        findings += [f"{place}: {name} has no safe default and is not set" for name in sorted(needed - names)]
    return findings


# What the tests read from the environment (tests/config.py): `os.environ.get("TEST_...", DEFAULT)`,
# where a default naming a server (`scheme://host`) means the tests need that server.
TEST_NAME = re.compile(r"os\.environ\.get\(\"(TEST_\w+)\"(?:, \"(\w[\w+]*://[^/\"]+)[^\"]*\")?\)")
# `export NAME=...` in a step's script gives NAME to the commands after it.
EXPORTED = re.compile(r"^\s*export (\w+)=", re.MULTILINE)


def workflow_findings(fields: Fields, workflow: Path, tests_config: Path) -> list[str]:
    """The names a CI workflow gives its jobs: Settings fields, the tests' own names, or uv's (UV_*).

    The tests read their servers from TEST_* names (tests/config.py), never from the service's
    settings, so a job that runs them must set each one whose default names a server.
    """
    document = yaml.safe_load(workflow.read_text())
    read = TEST_NAME.findall(tests_config.read_text())
    test_names = {name for name, _ in read}
    server_names = {name for name, server in read if server}
    known = set(fields) | test_names
    findings = []
    for job_id, job in document["jobs"].items():
        names = set(document.get("env", {})) | set(job.get("env", {}))
        for step in job.get("steps", []):
            names |= set(step.get("env", {})) | set(EXPORTED.findall(step.get("run", "")))
        place = f"{workflow.name}: job {job_id}"
        findings += [
            f"{place}: {name} is not a Settings field" for name in sorted(names - known) if not name.startswith("UV_")
        ]
        if any("pytest" in step.get("run", "") for step in job.get("steps", [])):
            findings += [f"{place}: {name} (the tests' server) is not set" for name in sorted(server_names - names)]
    return findings
