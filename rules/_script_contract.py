"""Shared reasoning of the level-1 rules (script <-> contract): when a pair can be compared,
how container paths relate, and which platform locations never need declaring.

Kept in one place so that CL102 ("used but not declared") and CL104 ("declared but not
used") agree exactly on what "the same path" means.
"""

from __future__ import annotations


import msgspec

from cursus_lint.facts import ContractFacts, FileFacts, ScriptFacts
from cursus_lint.model import StepModel, contract_label

#: Locations SageMaker itself provides that are not data channels, so no contract declares
#: them: the uploaded source directory, the processing/training job description files and the
#: failure-reason file. ``/opt/ml/input/config/hyperparameters.json`` is deliberately absent:
#: a training script that reads it must declare it (or a path above it) as an input.
PLATFORM_PATHS = (
    "/opt/ml/code",
    "/opt/ml/processing/input/code",  # where a ProcessingStep's code (and source_dir) is mounted
    "/opt/ml/config",
    "/opt/ml/input/config/resourceconfig.json",
    "/opt/ml/input/config/inputdataconfig.json",
    "/opt/ml/input/config/trainingjobconfig.json",
    "/opt/ml/output/failure",
    "/opt/ml/checkpoints",  # the training job's local checkpoint dir, synced to S3 by SageMaker
)

#: SageMaker training environment variables whose value is a container path.
SM_ENV_PATHS = {
    "SM_MODEL_DIR": "/opt/ml/model",
    "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
    "SM_OUTPUT_DIR": "/opt/ml/output",
    "SM_INPUT_DIR": "/opt/ml/input",
    "SM_INPUT_DATA_DIR": "/opt/ml/input/data",
    "SM_INPUT_CONFIG_DIR": "/opt/ml/input/config",
}
SM_CHANNEL_PREFIX = "SM_CHANNEL_"


class Pair(msgspec.Struct, frozen=True):
    """A step's script facts and the contract they are checked against."""

    step: StepModel
    script_file: FileFacts
    script: ScriptFacts
    contract: ContractFacts

    @property
    def contract_path(self):
        return self.step.contract_file.path

    @property
    def label(self) -> str:
        """How messages name the contract: its variable, else the function returning it."""
        return contract_label(self.contract, self.contract_path)

    @property
    def script_name(self) -> str:
        return self.script_file.path.name

    def where(self, *fields: str):
        """The span of the first of ``fields`` written in the contract, else the whole call."""
        for name in fields:
            span = self.contract.keyword_spans.get(name)
            if span is not None:
                return span
        return self.contract.span


def pair(step: StepModel) -> Pair | None:
    """The script/contract pair of ``step``, or None when either side is missing or broken."""
    f = step.script
    if f is None or f.script is None or f.problem is not None or step.contract is None:
        return None
    return Pair(step, f, f.script, step.contract)


def used_elsewhere(p: Pair, project) -> bool:
    """The container runs another program than the script (``compute.container_entrypoint``):
    declared paths, env vars and arguments may be used there, so "declared but unused by the
    script" is not knowable (counted). The other direction still holds for the script."""
    if p.contract.delegated_to is None:
        return False
    project.count_unknown("contract-served-by-container-entrypoint")
    return True


def unknown_field(contract: ContractFacts, name: str) -> bool:
    """Whether any part of contract field ``name`` was not a literal (keys or values)."""
    return any(k == name or k.startswith((name + ".", name + "[")) for k in contract.non_literal) \
        or "**" in contract.non_literal


def unknown_keys(contract: ContractFacts, name: str) -> bool:
    """Whether some *names* of dict field ``name`` are unknown (a non-literal value is fine)."""
    return any(k == name or k.startswith(name + ".") for k in contract.non_literal) or "**" in contract.non_literal


def norm(path: str) -> str:
    return path.rstrip("/") or path


def is_under(path: str, root: str) -> bool:
    """``path`` is ``root`` or inside it (component-wise, not by string prefix)."""
    path, root = norm(path), norm(root)
    return path == root or path.startswith(root + "/")


def related_paths(used: str, complete: bool, declared: str) -> bool:
    """A used path and a declared one touch: one is at or below the other. An incomplete use
    (a run-time tail was cut off) is only known to *start with* ``used``."""
    if is_under(used, declared) or is_under(declared, used):
        return True
    return not complete and norm(declared).startswith(norm(used))


def is_platform_path(path: str) -> bool:
    return any(is_under(path, p) for p in PLATFORM_PATHS)


def env_path(name: str) -> str | None:
    """The container path a SageMaker ``SM_*`` environment variable stands for."""
    if name in SM_ENV_PATHS:
        return SM_ENV_PATHS[name]
    if name.startswith(SM_CHANNEL_PREFIX) and len(name) > len(SM_CHANNEL_PREFIX):
        return "/opt/ml/input/data/" + name[len(SM_CHANNEL_PREFIX):].lower()
    return None


def declared_paths(contract: ContractFacts) -> list[tuple[str, str, str]]:
    """(kind, logical name, path) for every literal input and output path."""
    out: list[tuple[str, str, str]] = []
    for kind, entries in (("input", contract.inputs), ("output", contract.outputs)):
        out.extend((kind, name, e.value) for name, e in entries.items() if isinstance(e.value, str))
    return out


def env_names_read(p: Pair) -> set[str] | None:
    """Every env var name the script reads, or None when a read may hide more names: a name
    computed at run time, an env dict or ``os.environ`` used as a whole, or a ``main`` whose
    env parameter has a name the facts do not follow."""
    s = p.script
    if s.dynamic_env_reads or "env" in s.dict_escapes:
        return None
    if s.main is not None and any("env" in q.name and q.name not in ("environ_vars", "env_vars")
                                  for q in s.main.params):
        return None
    return {r.name for r in s.env_reads}


def arg_key(raw: str) -> str:
    """``--job-type`` / ``job_type`` -> ``job_type``: argparse treats dashes and underscores alike."""
    return raw.lstrip("-").replace("-", "_")


#: command-line libraries other than argparse; a script using one parses arguments we cannot see
OTHER_CLI_MODULES = ("click", "typer", "fire", "docopt", "absl")


def other_cli(f: FileFacts) -> bool:
    return f.module is not None and any(i.module.split(".")[0] in OTHER_CLI_MODULES for i in f.module.imports)


#: env vars that libraries or the runtime read on the script's behalf (boto3, OpenMP, CUDA,
#: Hugging Face, the interpreter): declaring them in a contract is how a step sets them.
LIBRARY_ENV_PREFIXES = ("AWS_", "OMP_", "MKL_", "CUDA_", "NCCL_", "HF_", "TORCH_", "PYTHON", "LC_")
LIBRARY_ENV_NAMES = frozenset({"TOKENIZERS_PARALLELISM", "TRANSFORMERS_CACHE", "TZ", "LANG", "PATH"})


def read_by_library(name: str) -> bool:
    return name in LIBRARY_ENV_NAMES or name.startswith(LIBRARY_ENV_PREFIXES)


def script_side(p: Pair, what: str) -> tuple:
    """A ``related`` triple pointing at where the script handles ``what`` (env | input |
    output | args), falling back to ``main`` and then to the file itself."""
    s = p.script
    span = None
    if what == "env" and s.env_reads:
        span, text = s.env_reads[0].span, f"script '{p.script_name}' reads its env vars from here on"
    elif what in ("input", "output") and any(k.kind == what for k in s.key_uses):
        span = next(k.span for k in s.key_uses if k.kind == what)
        text = f"script '{p.script_name}' reads its {what} paths from here on"
    elif what == "args" and s.arg_defs:
        span, text = s.arg_defs[0].span, f"script '{p.script_name}' defines its arguments from here on"
    if span is None and s.main is not None:
        span, text = s.main.name_span, f"main of script '{p.script_name}'"
    elif span is None:
        text = f"script '{p.script_name}'"
    return (p.script_file.path, span, text)


def unread_env_vars(step: StepModel, project, field: str) -> tuple[Pair, list[tuple[str, object]]] | None:
    """(pair, [(name, span)]) of the contract's ``required_env_vars`` or ``optional_env_vars``
    that the script never reads; None when there is nothing to judge or it is not knowable
    (counted). Shared by CL106 and CL107, which differ only in the field and the wording."""
    p = pair(step)
    if p is None or used_elsewhere(p, project):
        return None
    required = field == "required_env_vars"
    declared = ([(item.name, item.span) for item in p.contract.required_env_vars] if required
                else [(name, entry.key_span) for name, entry in p.contract.optional_env_vars.items()])
    if not declared:
        return None
    if unknown_field(p.contract, field) if required else unknown_keys(p.contract, field):
        project.count_unknown("non-literal-contract-env-vars")
        return None
    read = env_names_read(p)
    if read is None:
        project.count_unknown("unread-env-var-dynamic-read")
        return None
    return p, [(name, span) for name, span in declared if name not in read and not read_by_library(name)]
