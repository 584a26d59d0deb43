"""Open statistics: the province's training figures, public and suppressed, as a page and as open
data (CSV, JSON and a Frictionless Data package under CC BY 4.0)."""
