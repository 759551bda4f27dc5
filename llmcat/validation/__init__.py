"""What `check` finds: per-call findings (`findings`), credentials recorded anywhere in a call
(`secrets`, by `keyshapes`, `cookies`), bodies nobody can read (`encoded`) and recordings whose
test is gone (`orphans`). Works on the model; never renders (what is found leaves `secrets` masked)."""
