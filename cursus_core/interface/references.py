"""Handler knobs that name inputs must name declared ones (upstream never checks them).

``patterns.direct_input_keys``, ``contract.skip_inputs`` and the keys of
``contract.input_source_overrides`` each name a contract input by its logical name; a name that is
not an input is silently ignored by cursus, so the knob does nothing. Checked on the base and on
every job-type variant after the merge (a variant may add or drop inputs); each place is reported
once.
"""

from __future__ import annotations

from .derived import derived_of
from .model import StepInterface, Val
from .span import Problem


def input_reference_problems(iface: StepInterface) -> list[Problem]:
    known = derived_of(iface)
    if known is not None:  # derived when this model was loaded (and kept in the facts cache)
        return list(known.references)
    from .validate import did_you_mean  # with its schema: only when something is checked

    seen: set[tuple[int, int]] = set()
    out: list[Problem] = []
    for view in (iface, *iface.variant_interfaces().values()):
        declared = tuple(view.contract.inputs)
        named: list[tuple[str, Val[str]]] = [("patterns.direct_input_keys", v) for v in view.patterns.direct_input_keys]
        named += [("contract.skip_inputs", v) for v in view.contract.skip_inputs]
        named += [("contract.input_source_overrides", Val(k, v.key_span or v.span))
                  for k, v in view.contract.input_source_overrides.items()]
        for where, val in named:
            if val.value in declared or (val.span.line, val.span.column) in seen:
                continue
            seen.add((val.span.line, val.span.column))
            guess = did_you_mean(val.value, declared)
            hint = f" (did you mean '{guess}'?)" if guess else (
                f"; declared inputs: {', '.join(declared)}" if declared else "; the contract declares no inputs")
            jt = f" for job type '{view.job_type}'" if view.job_type else ""
            out.append(Problem("undeclared-input-reference",
                               f"{where} names '{val.value}', which is not a contract input{jt}{hint}; "
                               "cursus ignores it", iface.path, val.span, "error",
                               tuple(where.split(".")), suggestion=guess))
    return out
