# Bangfu: `make run` to try it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/bangfu migrate --no-input -v 0
	$(BIN)/bangfu demo --if-empty
	$(BIN)/bangfu demo_logins
	@# Long imports and exports run in a background worker beside the site; both stop together.
	TASKS_BACKEND=database $(BIN)/bangfu db_worker -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	TASKS_BACKEND=database $(BIN)/bangfu runserver 127.0.0.1:8000

test: install
	$(BIN)/python scripts/test_all.py

bench: install
	$(BIN)/python benchmarks/run.py

# The English catalog (docs/i18n.md): collect the marked strings into bangfu/locale/en, then compile the .mo.
# Needs GNU gettext (Debian: apt-get install gettext). Commit both the .po and the .mo.
MAKEMESSAGES := makemessages -l en --settings=bangfu.settings --no-obsolete --add-location=file \
	--ignore='static/vendor/*' --ignore=tests --ignore=migrations

messages: install
	cd bangfu && ../$(BIN)/django-admin $(MAKEMESSAGES)
	cd bangfu && ../$(BIN)/django-admin compilemessages --settings=bangfu.settings

clean:
	rm -rf $(VENV) var
