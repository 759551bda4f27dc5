# Long fuzz runs (CI runs short fixed-seed versions of both as part of `python -m pytest`).
PYTHON ?= python
MINUTES ?= 10
SEED ?= 0

.PHONY: test fuzz
test:
	$(PYTHON) -m pytest -q

fuzz:
	HYPOTHESIS_PROFILE=long $(PYTHON) -m pytest -q tests/test_fuzz_properties.py
	$(PYTHON) -m fuzz --minutes $(MINUTES) --seed $(SEED)
