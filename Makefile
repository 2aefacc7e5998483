# opencpf: two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test quality bench install lock clean

$(STAMP): requirements.lock requirements-dev.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-dev.lock
	touch $(STAMP)

install: $(STAMP)

run: export DJANGO_SETTINGS_MODULE = config.settings.dev
run: $(STAMP)
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

quality: $(STAMP)
	mkdir -p var
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy opencpf config
	$(VENV)/bin/bandit -q -r opencpf config tools -x tests,migrations -ll
	$(PY) -m tools.audit_dependencies
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=$${SECRET_KEY:-ci-dummy-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG} \
	NIR_HASH_KEY=$${NIR_HASH_KEY:-ci-dummy-nir-hash-key} NIR_ENCRYPTION_KEY=$${NIR_ENCRYPTION_KEY:-ci-dummy-nir-key} \
	SEARCH_ORDER_SECRET=$${SEARCH_ORDER_SECRET:-ci-dummy-search-secret} ALLOWED_HOSTS=opencpf.example \
	$(PY) manage.py check --deploy --fail-level WARNING --settings=config.settings.prod

# SQLite benchmarks use their own database (var/bench/), never the demo's; DATABASE_URL selects PostgreSQL.
bench: export OPENCPF_VAR_DIR = $(CURDIR)/var/bench
bench: $(STAMP)
	mkdir -p var/bench
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.dev} $(PY) manage.py migrate --noinput -v0
	$(PY) -m bench $(BENCH_ARGS)

# Re-resolve the pinned, hashed lock files after editing requirements*.in.
lock: $(STAMP)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-header requirements.in -o requirements.lock
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --generate-hashes --no-header requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf var .pytest_cache
