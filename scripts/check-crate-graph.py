#!/usr/bin/env python3
"""Checks the crate graph table in docs/architecture.md against `cargo metadata`.

The table lists every workspace crate and the workspace crates it depends on (normal
dependencies only: not dev or build). Prints the differences and exits 1 if there are any.
"""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- crate-graph:begin"
END = "<!-- crate-graph:end"


def graph_from_cargo():
    """{crate: sorted workspace crates it depends on}, from `cargo metadata`."""
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--no-deps", "--format-version", "1"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    members = {package["name"] for package in metadata["packages"]}
    graph = {}
    for package in metadata["packages"]:
        # A dependency's `kind` is null for normal dependencies, "dev" or "build" otherwise;
        # `path` is set for crates of this workspace.
        depends_on = {
            dependency["name"]
            for dependency in package["dependencies"]
            if dependency.get("kind") is None
            and dependency.get("path") is not None
            and dependency["name"] in members
        }
        graph[package["name"]] = sorted(depends_on)
    return graph


def graph_from_doc():
    """{crate: sorted dependencies}, from the table between the markers."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    try:
        begin = next(i for i, line in enumerate(lines) if line.startswith(BEGIN))
        end = next(i for i, line in enumerate(lines) if line.startswith(END))
    except StopIteration:
        sys.exit(f"{DOC.relative_to(ROOT)}: the crate-graph markers are missing")
    graph = {}
    for line in lines[begin + 1 : end]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("crate", "---"):
            continue
        crate = cells[0].strip("`")
        depends_on = [] if cells[1] == "-" else [d.strip().strip("`") for d in cells[1].split(",")]
        if crate in graph:
            print(f"{crate}: listed twice in the table")
        graph[crate] = depends_on
    return graph


def main():
    actual = graph_from_cargo()
    documented = graph_from_doc()
    problems = []
    for crate in sorted(actual.keys() - documented.keys()):
        problems.append(f"{crate}: in the workspace, missing from the table")
    for crate in sorted(documented.keys() - actual.keys()):
        problems.append(f"{crate}: in the table, not in the workspace")
    for crate in sorted(actual.keys() & documented.keys()):
        if documented[crate] != actual[crate]:
            if sorted(documented[crate]) != documented[crate]:
                problems.append(f"{crate}: dependencies in the table are not sorted")
            missing = sorted(set(actual[crate]) - set(documented[crate]))
            extra = sorted(set(documented[crate]) - set(actual[crate]))
            if missing:
                problems.append(f"{crate}: depends on {', '.join(missing)}, not in the table")
            if extra:
                problems.append(f"{crate}: the table lists {', '.join(extra)}, not a dependency")
    if problems:
        print(f"{DOC.relative_to(ROOT)} disagrees with cargo metadata:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    edges = sum(len(deps) for deps in actual.values())
    print(f"crate graph OK: {len(actual)} crates, {edges} workspace dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
