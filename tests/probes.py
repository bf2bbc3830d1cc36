"""Probe scripts shared by the tests and the benchmarks (run with ``python -c``)."""

#: runs `cursus-lint ARGS` and prints the project's dataclasses it created (class creation is import time)
COUNT_DATACLASSES = (
    "import dataclasses, sys\n"
    "made = []\n"
    "process = dataclasses._process_class\n"
    "def counted(cls, *args, **kwargs):\n"
    "    made.append(cls.__module__ + '.' + cls.__qualname__)\n"
    "    return process(cls, *args, **kwargs)\n"
    "dataclasses._process_class = counted\n"
    "from cursus_lint.cli import main\n"
    "main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "print('DATACLASSES:' + ','.join(sorted(m for m in made if m.startswith(('cursus_core.', 'cursus_lint.')))))\n"
)
