#!/usr/bin/env python3
"""Checks the GitHub workflows that no machine here can run (.github/workflows: Windows and macOS).

Each must parse as YAML with jobs whose steps either use an action or run commands, and every command it runs must
be one README.md documents word for word, so that the workflow and the instructions people follow cannot drift
apart. Two kinds of line are exempt, and say so: assigning QT (where Qt is differs per machine; the README explains
the variable) and `git clone` (fetching a dependency's source, which the README leaves to the reader).

    python3 .ci/check-workflows.py
"""
import glob
import os
import sys

import yaml

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()

problems = []
commands = 0
workflows = sorted(glob.glob(os.path.join(root, ".github", "workflows", "*.yml")))
if not workflows:
    problems.append(".github/workflows has no workflow")
for path in workflows:
    name = os.path.relpath(path, root)
    with open(path, encoding="utf-8") as f:
        try:
            workflow = yaml.safe_load(f)
        except yaml.YAMLError as error:
            problems.append(f"{name}: not YAML: {error}")
            continue
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    if not jobs:
        problems.append(f"{name}: no jobs")
        continue
    for job_name, job in jobs.items():
        if "runs-on" not in job or not job.get("steps"):
            problems.append(f"{name}: job {job_name} has no runs-on or no steps")
            continue
        for step in job["steps"]:
            if ("uses" in step) == ("run" in step):
                problems.append(f"{name}: a step of {job_name} must either use an action or run commands: {step}")
                continue
            for line in str(step.get("run", "")).splitlines():
                line = line.strip()
                if not line or line.startswith(("QT=", "git clone ")):
                    continue
                commands += 1
                if line not in readme:
                    problems.append(f"{name}: job {job_name} runs a command README.md does not document: {line}")

for problem in problems:
    print(problem, file=sys.stderr)
print(f"check-workflows: {len(workflows)} workflow(s), {commands} commands, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
