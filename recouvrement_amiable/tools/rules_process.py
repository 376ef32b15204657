"""Run one function of the add-on's ``rules`` package in a Python process
of its own (see ``background.start_process``).

Odoo imports this module for its unpickler only. Run as a script, it is the
child process, which imports only ``rules`` (plain Python, as the pytest
suite does), not Odoo. On its standard input it reads two pickles:
the name the parent gives the rules package (``odoo.addons.<add-on>.rules``
under Odoo), then ``(module, function name, args, kwargs)``; on its standard
output it writes ``(True, result)`` or ``(False, exception)``. Both ends are
this add-on's own code: the pipe is private to the two processes.
"""

import importlib
import pickle
import sys
import traceback
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent
CHILD_PACKAGE = "rules"


class RenamingUnpickler(pickle.Unpickler):
    """Unpickles objects of the rules package (dataclasses, exceptions)
    pickled under the name ``source`` as objects of the package named
    ``target``: the two processes import it under different names."""

    def __init__(self, file, source, target):
        super().__init__(file)
        self.source, self.target = source, target

    def find_class(self, module, name):
        if module == self.source or module.startswith(self.source + "."):
            module = self.target + module[len(self.source) :]
        return super().find_class(module, name)


def main():
    sys.path.insert(0, str(ADDON))
    parent_package = pickle.load(sys.stdin.buffer)
    module, name, args, kwargs = RenamingUnpickler(
        sys.stdin.buffer, parent_package, CHILD_PACKAGE
    ).load()
    try:
        function = getattr(importlib.import_module(f"{CHILD_PACKAGE}.{module}"), name)
        outcome = (True, function(*args, **kwargs))
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = (False, error)
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        payload = pickle.dumps(
            (False, RuntimeError(traceback.format_exc())),
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
