from . import recouvrement_call_outcome
from . import recouvrement_case_transmit
from . import recouvrement_dispute_resolve
from . import recouvrement_penalty_invoice
from . import recouvrement_write_off
