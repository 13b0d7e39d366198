"""The reader behind the kit's Settings-names check, on small files of each kind (no render needed).

The kit step runs it on every stack's real compose.yaml and manifests; these cases show it
finds what it is meant to find, so a clean kit step means something.
"""

from pathlib import Path

import pytest

from tests.settings_names import Fields, needs_value, settings_findings, workflow_findings

FIELDS: Fields = {
    "ENVIRONMENT": {"required": False, "default": "'local'"},
    "DATABASE_URL": {"required": False, "default": "'sqlite:///./app.db'"},
    "DB_POOL_SIZE": {"required": False, "default": "20"},
    "API_KEY": {"required": True, "default": "None"},
}

COMPOSE = """
x-app: &app
  build: .
  image: svc:latest
  environment:
    ENVIRONMENT: production
    DATABASE_URL: postgresql://app:${PASSWORD:?}@db/app
    API_KEY: ${API_KEY:?}
services:
  db:
    image: postgres:17
    environment: [POSTGRES_PASSWORD=x]
  migrate:
    <<: *app
  app:
    <<: *app
    environment: [ENVIRONMENT=production, DATABASE_URL=x, API_KEY=y, DB_POOL_SIZ=3]
"""

MANIFESTS = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {ENVIRONMENT: production, DB_POOL_SIZE: "10"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: svc}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          envFrom: [{configMapRef: {name: settings}}]
          env: [{name: DATABASE_URL, value: x}, {name: API_KEY, value: y}]
      containers:
        - name: app
          envFrom: [{configMapRef: {name: settings}}, {secretRef: {name: secrets}}]
"""

SECRET = """
apiVersion: v1
kind: Secret
metadata: {name: secrets}
stringData: {DATABASE_URL: x}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_what_needs_a_value() -> None:
    assert sorted(name for name, field in FIELDS.items() if needs_value(field)) == [
        "API_KEY",
        "DATABASE_URL",
        "ENVIRONMENT",
    ]


def test_compose_unknown_and_missing_names(tmp_path: Path) -> None:
    findings = settings_findings(FIELDS, [write(tmp_path, "compose.yaml", COMPOSE)])
    # The database's own container is not the service: its POSTGRES_PASSWORD is no finding.
    assert findings == ["compose.yaml: service app: DB_POOL_SIZ is not a Settings field"]


def test_kubernetes_env_and_env_from(tmp_path: Path) -> None:
    files = [write(tmp_path, "deployment.yaml", MANIFESTS), write(tmp_path, "secret.yaml", SECRET)]
    assert settings_findings(FIELDS, files) == [
        "deployment.yaml: Deployment svc/app: API_KEY has no safe default and is not set"
    ]


def test_a_referenced_secret_must_be_among_the_files(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="Secret secrets is not in the files checked"):
        settings_findings(FIELDS, [write(tmp_path, "deployment.yaml", MANIFESTS)])


def test_an_unknown_kind_of_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match="no reader"):
        settings_findings(FIELDS, [write(tmp_path, "ci.yml", "on: push\njobs: {}\n")])


TESTS_CONFIG = """
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://app:app@127.0.0.1:5432/app_test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_LOG = os.environ.get("TEST_LOG")
"""

WORKFLOW = """
env: {UV_LOCKED: "1", ENVIRONMENT: test}
jobs:
  lint:
    steps: [{run: uv run mypy}]
  test:
    env: {TEST_DATABASE_URL: "postgresql+psycopg://app:app@localhost:5432/app_test", TEST_REDIS_URI: x}
    steps:
      - run: |
          export DATABASE_URL="$TEST_DATABASE_URL"
          export DB_POOL_SIZ=3
          uv run alembic upgrade head
      - {run: uv run pytest, env: {TEST_LOG: "1"}}
"""


def test_workflow_names_are_settings_or_the_tests_own_and_each_test_server_is_given(tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text(WORKFLOW)
    (tmp_path / "config.py").write_text(TESTS_CONFIG)

    findings = workflow_findings(FIELDS, tmp_path / "ci.yml", tmp_path / "config.py")

    assert findings == [
        "ci.yml: job test: DB_POOL_SIZ is not a Settings field",
        "ci.yml: job test: TEST_REDIS_URI is not a Settings field",
        "ci.yml: job test: TEST_REDIS_URL (the tests' server) is not set",
    ]
