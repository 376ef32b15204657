from . import recouvrement_call_outcome
from . import recouvrement_case_transmit
from . import recouvrement_dispute_resolve
from . import recouvrement_penalty_invoice
from . import recouvrement_start
from . import recouvrement_previous_reminder
from . import recouvrement_proof_entry
from . import recouvrement_write_off
