"""What the pack promises about how it installs and where it runs stays true of its files.

requirements.txt is the tested set; pyproject.toml, Binder, the README's Colab cell and the
GitHub workflows must agree with it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib

import yaml
from packaging.requirements import Requirement
from paths import ROOT

TEST_TOOLS = {"pytest", "pytest-xdist", "nbval", "playwright", "ruff", "mypy", "coverage"}
JUPYTER_STACK = {"jupyterlab", "notebook", "ipykernel", "ipython", "ipywidgets", "tornado", "pyzmq", "jupyter-server", "jupyter-client"}


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: str) -> dict[str, str]:
    """``name: version`` for every ``name==version`` line of a requirements file."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return {normal(line.split("==")[0]): line.split("==")[1].strip() for line in lines if "==" in line and not line.startswith("#")}


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_requirements_pin_everything_and_install_the_package():
    lines = [line for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    assert lines[-1] == "-e ."
    assert all("==" in line for line in lines[:-1]), [line for line in lines[:-1] if "==" not in line]


def test_pyproject_ranges_admit_the_pinned_versions():
    pinned = pins("requirements.txt")
    project = pyproject()["project"]
    declared = [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["test"]]
    for requirement in declared:
        name = normal(requirement.name)
        assert name in pinned, f"{name} is declared in pyproject.toml but not pinned in requirements.txt"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} is outside {requirement}"


def test_every_third_party_import_of_the_package_is_declared():
    project = pyproject()["project"]
    declared = {normal(Requirement(text).name) for text in project["dependencies"] + project["optional-dependencies"]["test"]}
    distributions = importlib.metadata.packages_distributions()
    imported = set()
    for path in (ROOT / "helpers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {module for module in imported if module in distributions and module != "helpers"}
    undeclared = {module: distributions[module] for module in third_party if not {normal(d) for d in distributions[module]} & declared}
    assert undeclared == {}


def test_binder_installs_the_lessons_packages_as_pinned_without_the_test_tools():
    binder, pinned = pins("binder/requirements.txt"), pins("requirements.txt")
    assert {"anthropic", "jupyterlab", "ipywidgets", "matplotlib", "markdown-it-py", "starlette", "uvicorn"} <= set(binder)
    assert {name: version for name, version in binder.items() if pinned.get(name) != version} == {}
    assert set(binder) & TEST_TOOLS == set()
    lines = (ROOT / "binder/requirements.txt").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.startswith("-e")], "an editable install turns off Binder's cached install step"
    assert (ROOT / "binder/runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    post_build = ROOT / "binder/postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    assert "pip install --no-deps --editable ." in post_build.read_text(encoding="utf-8")


def test_the_readme_names_the_pinned_sdk_and_the_colab_cell_installs_it_and_no_jupyter_package():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pinned = pins("requirements.txt")
    verified = re.search(r"last verified with \*\*anthropic ([\d.]+)\*\* \(httpx2 ([\d.]+)\)", readme)
    assert verified is not None
    assert verified.groups() == (pinned["anthropic"], pinned["httpx2"])
    (cell,) = re.findall(r"```python\n\s*# Colab only:.*?```", readme, flags=re.S)
    pip_lines = [line.split()[3:] for line in cell.splitlines() if "%pip install" in line]
    installed = [normal(re.split(r"[=<>]", word.strip('"'))[0]) for words in pip_lines for word in words]
    assert f"anthropic=={pinned['anthropic']}" in cell
    assert installed and set(installed) & JUPYTER_STACK == set()


def test_ci_runs_every_supported_python_with_a_browser_and_keeps_failing_output():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    assert job["timeout-minutes"] <= 60
    assert job["env"]["CI"] == "true"
    steps = job["steps"]
    assert any("COURSE_CHROMIUM" in step.get("run", "") for step in steps)
    assert any(step.get("run") == "bash .ci/run" for step in steps)
    upload = next(step for step in steps if str(step.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["if"] == "failure()" and upload["with"]["path"] == "test-artifacts/"
    requires = pyproject()["project"]["requires-python"]
    assert requires == ">=3.11"


def test_the_newest_sdk_workflow_is_scheduled_and_upgrades_anthropic():
    workflow = yaml.safe_load((ROOT / ".github/workflows/newest-sdk.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML reads the key `on` as true
    assert "schedule" in triggers and "push" not in triggers and "pull_request" not in triggers
    assert workflow["permissions"] == {"contents": "read"}
    runs = "\n".join(step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"])
    assert "pip install --quiet --upgrade anthropic" in runs
    assert "GITHUB_STEP_SUMMARY" in runs


def test_the_drift_workflow_is_weekly_and_skips_saying_so_without_a_key():
    workflow = yaml.safe_load((ROOT / ".github/workflows/drift.yml").read_text(encoding="utf-8"))
    assert "schedule" in workflow[True] and workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["env"]["ANTHROPIC_API_KEY"] == "${{ secrets.ANTHROPIC_API_KEY }}"
    first, *rest = job["steps"]
    assert "Skipped: no ANTHROPIC_API_KEY secret" in first["run"]
    assert all(step.get("if") == "steps.key.outputs.present == 'yes'" for step in rest)
    assert "python -m helpers drift" in rest[-1]["run"]
