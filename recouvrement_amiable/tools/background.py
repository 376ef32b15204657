"""Plain Python work run beside the ORM's: in a thread, or in a process."""

import io
import logging
import pickle
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import rules_process

_logger = logging.getLogger(__name__)

# The rules package as this process names it: odoo.addons.<add-on>.rules
# under Odoo, rules under pytest.
RULES_PACKAGE = ".".join([*__package__.split(".")[:-1], "rules"])
RUNNER = Path(rules_process.__file__).resolve()


def start(function, *args, **kwargs):
    """Run ``function(*args, **kwargs)`` in a thread of its own; returns its
    ``concurrent.futures.Future`` (``result()`` waits for it and raises what
    it raised).

    Only for plain Python: no environment, cursor or record, which belong to
    the thread that made them. While the caller waits for PostgreSQL (its
    cursor releases the GIL), the function runs: a hand-over writes its file
    while the notes of thousands of records are inserted.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recouvrement")
    try:
        return executor.submit(function, *args, **kwargs)
    finally:
        # The thread ends with the function; nothing waits for it here.
        executor.shutdown(wait=False)


def start_process(function, *args, **kwargs):
    """Run ``function(*args, **kwargs)``, a function of the add-on's
    ``rules`` package, in a Python process of its own; returns a
    ``concurrent.futures.Future`` as ``start`` does.

    A thread shares the GIL with the ORM: work that is Python from end to
    end (writing a workbook of thousands of rows) would slow the caller as
    much as it runs. The process runs on another core, with its arguments
    and result pickled through pipes (plain data only). Should no process
    start (no Python interpreter beside Odoo's), the function runs in the
    thread instead.
    """
    module = function.__module__
    if not module.startswith(RULES_PACKAGE + "."):
        raise ValueError(f"{function!r} is not a function of the rules package")
    request = (module[len(RULES_PACKAGE) + 1 :], function.__qualname__, args, kwargs)
    return start(_run_in_process, request, function)


def _run_in_process(request, function):
    module, name, args, kwargs = request
    payload = pickle.dumps(RULES_PACKAGE) + pickle.dumps(
        request, protocol=pickle.HIGHEST_PROTOCOL
    )
    try:
        if not Path(sys.executable or "").name.startswith("python"):
            # Odoo embedded in another program (a WSGI server's binary).
            raise OSError(f"{sys.executable!r} is not a Python interpreter")
        child = subprocess.Popen(
            [sys.executable, str(RUNNER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        output, errors = child.communicate(payload)
    except OSError as error:
        _logger.warning(
            "rules.%s.%s: no process (%s), in a thread", module, name, error
        )
        return function(*args, **kwargs)
    if child.returncode or not output:
        # The process itself failed (what the function raises comes back
        # pickled): the work is done here, the reason logged.
        _logger.warning(
            "rules.%s.%s: the process failed (exit code %s), in a thread: %s",
            module,
            name,
            child.returncode,
            errors.decode(errors="replace")[-2000:],
        )
        return function(*args, **kwargs)
    succeeded, value = rules_process.RenamingUnpickler(
        io.BytesIO(output), rules_process.CHILD_PACKAGE, RULES_PACKAGE
    ).load()
    if not succeeded:
        raise value
    return value
