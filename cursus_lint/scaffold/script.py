"""The step script: a testable ``main(input_paths, output_paths, environ_vars, job_args)`` and a
``__main__`` block that builds those four from the contract's container paths and env vars."""

from __future__ import annotations

import json

from .design import StepDesign


def _dict_lines(name: str, items: list[tuple[str, str]], indent: str = "    ") -> list[str]:
    if not items:
        return [f"{indent}{name}: Dict[str, str] = {{}}"]
    lines = [f"{indent}{name} = {{"]
    lines += [f"{indent}    {json.dumps(key)}: {value}," for key, value in items]
    return [*lines, f"{indent}}}"]


def render_script(step: StepDesign) -> str:
    inputs = [(d.name, d.path) for d in step.dependencies if d.path]
    outputs = [(o.name, o.path) for o in step.outputs if o.path]
    env = [*step.env_required, *step.env_optional]
    lines = [
        "#!/usr/bin/env python",
        f'"""{step.name}: {step.description}.',
        "",
        "Container paths, env vars and arguments are declared in the step's contract; ``main`` only sees",
        'them through its four arguments, so it can be tested with local folders."""',
        "",
        "import argparse",
        "import json",
        "import os",
        "from typing import Dict, List",
        "",
        "",
        "def _list_files(folder: str) -> List[str]:",
        '    """Relative paths of every file below ``folder`` (an input channel may hold sub-folders)."""',
        "    found: List[str] = []",
        "    for dirpath, _, filenames in os.walk(folder):",
        "        found.extend(os.path.relpath(os.path.join(dirpath, f), folder) for f in filenames)",
        "    return sorted(found)",
        "",
        "",
        "def main(input_paths, output_paths, environ_vars, job_args) -> Dict[str, object]:",
        '    """Read every input, write every output; returns what was written (the manifest)."""',
    ]
    if env:
        lines.append("    settings = {")
        lines += [f'        "{name}": environ_vars["{name}"],' for name in env]
        lines.append("    }")
    else:
        lines.append("    settings: Dict[str, str] = {}")
    lines.append("    manifest: Dict[str, object] = {")
    if step.job_types:
        lines.append('        "job_type": job_args.job_type,')
    lines.append('        "settings": settings,')
    lines.append('        "inputs": {')
    lines += [f'            "{name}": _list_files(input_paths["{name}"]),' for name, _ in inputs]
    lines.append("        },")
    lines.append("    }")
    for name, _ in outputs:
        lines.append(f'    os.makedirs(output_paths["{name}"], exist_ok=True)')
        target = f'os.path.join(output_paths["{name}"], "manifest.json")'
        lines.append(f'    with open({target}, "w", encoding="utf-8") as handle:')
        lines.append("        json.dump(manifest, handle, indent=2, sort_keys=True)")
    lines += ["    return manifest", "", "", 'if __name__ == "__main__":', "    parser = argparse.ArgumentParser()"]
    if step.job_types:
        lines.append('    parser.add_argument("--job_type", type=str, required=True)')
    lines.append("    args, _ = parser.parse_known_args()")
    lines.append("")
    lines += _dict_lines("input_paths", [(n, json.dumps(p)) for n, p in inputs])
    lines += _dict_lines("output_paths", [(n, json.dumps(p)) for n, p in outputs])
    env_items = [(n, f"os.environ.get({json.dumps(n)})") for n in step.env_required]
    env_items += [(n, f"os.environ.get({json.dumps(n)}, {json.dumps(v)})") for n, v in step.env_optional.items()]
    lines += _dict_lines("environ_vars", env_items)
    lines.append("    main(input_paths, output_paths, environ_vars, args)")
    return "\n".join(lines) + "\n"
