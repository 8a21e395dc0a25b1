"""Follow-up commitments: promises in agent replies, with a due time, a reminder and an honest outcome."""
