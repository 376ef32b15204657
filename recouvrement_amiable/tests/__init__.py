from . import test_foundation
from . import test_dunning_run
from . import test_dunning_pressure
from . import test_dunning_security
from . import test_worklist_tour
