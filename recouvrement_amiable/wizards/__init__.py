from . import recouvrement_call_outcome
