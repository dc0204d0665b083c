# SPDX-License-Identifier: MIT
#
# vsvm top-level build and test entry points.
#
#   make deps     install what the project needs (Debian 12; run by the others)
#   make          module, tests and tools
#   make module   drm-driver/vsvm.ko against the installed 6.12 headers
#   make tests    the IGT tests, into build/igt-tests/
#   make tools    the userspace tools (assembler, demo), into build/tools/
#   make host-tests  unit tests that need no device (shim, assembler, interpreter)
#   make test     host-tests and mesa-test, then every test in one qemu guest (tools/vm)
#   make run      build all, then run $(DEMO) in the guest
#   make igt-real IGT_SRC=DIR
#                 the IGT tests built inside an IGT 2.2 tree and run under
#                 igt_runner in the guest (igt-tests/igt-real.sh); not part
#                 of "make test": the project never downloads IGT
#   make check    checkpatch --strict, a W=1 C=2 (sparse) module build and
#                 tools/check-fpu on the built objects
#   make clean
#
# Kbuild keeps the module's objects in drm-driver/; everything else goes
# under build/.

# Debian's packages.  linux-image and linux-headers are the 6.12 kernel the
# guest boots and the module builds against, whatever the host runs.
PACKAGES := linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12 \
	qemu-system-x86 busybox-static kmod cpio xz-utils \
	gcc make libelf-dev flex bison bc sparse perl pkg-config \
	python3 gnuplot-nox

# The newest installed 6.12 headers; "=" so that it is looked up after
# "deps" has installed them.
KVER = $(patsubst linux-headers-%,%,$(notdir $(lastword \
	$(shell ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sort -V))))
KDIR = /usr/src/linux-headers-$(KVER)
KERNEL = /boot/vmlinuz-$(KVER)
LINUX_SOURCE := /usr/src/linux-source-6.12.tar.xz

BUILD := build
TESTS_LIST := $(BUILD)/igt-tests/tests.list
DEMO ?= tools/run-demo
DEMO_ARGS ?=
# Whole-run and per-binary limits for "make test", in seconds on an idle
# machine: tools/vm scales them by the guest's measured speed
# (docs/testing.md "Time limits under load").
VM_TIMEOUT ?= 2700
TEST_TIMEOUT ?= 300
VM_FLAGS ?=
VM = tools/vm

# Named after the package list, so that changing the list installs again.
DEPS_STAMP := $(BUILD)/.deps-$(shell echo $(PACKAGES) | md5sum | cut -c1-8)
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# The userspace tools "make" builds, those of them that exist yet.
TOOLS := tools/vsvm-as tools/vsvm-demo tools/vsvm-stress tools/vsvm-fuzz
TOOL_DIRS := $(patsubst %/Makefile,%,$(wildcard $(addsuffix /Makefile,$(TOOLS))))
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl

all: module tests tools

deps: $(DEPS_STAMP)

$(DEPS_STAMP):
	@missing=$$(for p in $(PACKAGES); do \
		[ "$$(dpkg-query -W -f='$${db:Status-Status}' $$p 2>/dev/null)" = installed ] || \
			echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing:" $$missing; \
		$(SUDO) tools/apt-get-wait update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive \
			tools/apt-get-wait install -y --no-install-recommends \
			$$missing || exit 1; \
	fi
	@mkdir -p $(@D) && rm -f $(BUILD)/.deps-* && touch $@

module: $(DEPS_STAMP)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/drm-driver modules

tests: $(DEPS_STAMP)
	$(MAKE) -C igt-tests KVER=$(KVER)

tools: $(DEPS_STAMP)
	@set -e; for d in $(TOOL_DIRS); do $(MAKE) -C $$d KVER=$(KVER); done

# Host-side unit tests, which need no device: the IGT shim's self-test, the
# VM log check's cases, the assembler's round trips and the interpreter
# compiled as userspace code.
host-tests: tests tools
	$(MAKE) -C igt-tests check
	tools/vm-lib/test-check-log
	$(MAKE) -C tools/vsvm-as check
	$(MAKE) -C tools/interp-test check
	$(MAKE) -C tools/vsvm-fuzz check

# The IGT suite, the SVM stress program (a plain program: exit 0 passes),
# vsvm-top's JSON check, then the OpenCL and Vulkan checks on vsvm (Mesa
# block below), each program a test of its own, in one guest boot and one
# summary.
ALL_TESTS_LIST := $(BUILD)/all-tests.list
STRESS := $(BUILD)/tools/vsvm-stress/vsvm-stress
TOP_TEST := tools/vsvm-top/test-json

test: module tests tools host-tests mesa-test mesa-cl-tests mesa-vk-tests
	@{ cat $(TESTS_LIST); echo $(CURDIR)/$(STRESS); \
	   echo $(CURDIR)/$(TOP_TEST); $(MESA_VM_LINKS); } >$(ALL_TESTS_LIST)
	$(VM) test --kernel $(KERNEL) --timeout $(VM_TIMEOUT) \
		--test-timeout $(TEST_TIMEOUT) $(VM_FLAGS) --list $(ALL_TESTS_LIST)

# The IGT tests inside real IGT (IGT_SRC, an IGT 2.2 checkout the guest
# can see: not under /tmp; its dependencies: igt-tests/igt-real-deps.sh),
# under igt_runner in the guest; ends with igt-results-check's
# "N passed, N failed" from IGT's results.json.
IGT_REAL_FLAGS ?=

igt-real: module
	@test -n "$(IGT_SRC)" || { echo "make igt-real needs IGT_SRC=DIR (an IGT 2.2 tree)" >&2; exit 2; }
	igt-tests/igt-real.sh --module $(CURDIR)/drm-driver/vsvm.ko $(IGT_REAL_FLAGS) $(IGT_SRC)

# The SVM demo, then the OpenCL and Vulkan demos (tools/run-demo).
run: module tools mesa-cl-tests mesa-vk-tests
	$(VM) run --kernel $(KERNEL) $(VM_FLAGS) -- $(DEMO) $(DEMO_ARGS)

# checkpatch and the files it reads, extracted from Debian's kernel source.
$(CHECKPATCH): $(DEPS_STAMP)
	@mkdir -p $(BUILD)/checkpatch
	tar -xJf $(LINUX_SOURCE) -C $(BUILD)/checkpatch --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
	@touch $@

# checkpatch runs from drm-driver/ so that it sees include/uapi/ paths and
# applies its UAPI rules to them.
CHECK_FILES = $(patsubst drm-driver/%,%,$(filter-out %.mod.c, \
	$(wildcard drm-driver/*.[ch] drm-driver/include/uapi/drm/*.h)))

# Every part runs, so that one report shows every finding.
check:
	@rc=0; \
	$(MAKE) --no-print-directory check-style || rc=1; \
	$(MAKE) --no-print-directory check-build || rc=1; \
	$(MAKE) --no-print-directory check-fpu || rc=1; \
	exit $$rc

check-style: $(CHECKPATCH)
	cd drm-driver && $(CURDIR)/$(CHECKPATCH) --strict --no-tree --quiet \
		--show-types -f $(CHECK_FILES)

# Any compiler or sparse warning fails, ours or one that our code provokes in
# a kernel header.  C=2 checks every file, rebuilt or not.
check-build: $(DEPS_STAMP)
	@echo "  CHECK   W=1 C=2 build of drm-driver (log: $(BUILD)/check-build.log)"
	@$(MAKE) -C $(KDIR) M=$(CURDIR)/drm-driver W=1 C=2 modules \
		>$(BUILD)/check-build.log 2>&1; rc=$$?; \
	cat $(BUILD)/check-build.log; \
	if [ $$rc != 0 ]; then echo "check: the W=1 C=2 build failed"; exit 1; fi; \
	if grep -E -i '(warning|error):' $(BUILD)/check-build.log >/dev/null; then \
		echo "check: the W=1 C=2 build has findings"; exit 1; fi

# Floating point only inside kernel_fpu_begin()/kernel_fpu_end(), read from
# the disassembly of the module's objects; see the header of tools/check-fpu.
# It reads the last build, of "make module" or of check-build (W=1 C=2 do not
# change the code), so that "make check" does not build the module twice.
check-fpu:
	tools/check-fpu drm-driver/vsvm.mod

clean:
	-[ -d $(KDIR) ] && $(MAKE) -C $(KDIR) M=$(CURDIR)/drm-driver clean
	-$(MAKE) -C igt-tests clean
	-for d in $(TOOL_DIRS); do $(MAKE) -C $$d clean; done
	rm -rf $(filter-out $(DEPS_STAMP),$(wildcard $(BUILD)/* $(BUILD)/.[!.]*))

.PHONY: all deps module tests tools host-tests test run igt-real check check-style check-build check-fpu \
	clean

# --- Debug lane (owner: tools/debug-kernel; docs/testing.md "Debug lane") ---
#
#   make debug-kernel   build or update the lockdep + KASAN + kmemleak +
#                       DEBUG_VM kernel, from Debian's linux-source-6.12, in
#                       $(VSVM_CACHE)/debug-kernel (outside the work tree, so
#                       "make clean" keeps it and rebuilds are incremental)
#   make test-debug     that kernel, vsvm.ko built for it (in the cache, not
#                       in drm-driver/), then the "make test" suite in the
#                       guest, plus tools/debug-kernel/mrelease-test and a
#                       final kmemleak scan; any lockdep, KASAN, kmemleak,
#                       might_sleep or DEBUG_VM report fails the run
#
# This kernel runs several times slower than Debian's, so vsvm's job and
# fault-retry time bounds are raised (DEBUG_MODULE_ARGS).  The fault-injection
# check adds a test-only parameter:
#   make test-debug DEBUG_EXTRA_MODULE_ARGS=inject_sleep_in_invalidate=1
VSVM_CACHE ?= $(HOME)/.cache/vsvm
DEBUG_DIR = $(VSVM_CACHE)/debug-kernel
DEBUG_BUILD = VSVM_CACHE=$(VSVM_CACHE) tools/debug-kernel/build
DEBUG_TESTS_LIST := $(BUILD)/debug-kernel/tests.list
DEBUG_VM_TIMEOUT ?= 5400
DEBUG_TEST_TIMEOUT ?= 1200
DEBUG_MODULE_ARGS ?= job_timeout_ms=60000 fault_timeout_ms=30000
DEBUG_EXTRA_MODULE_ARGS ?=

debug-kernel: $(DEPS_STAMP)
	$(DEBUG_BUILD) kernel

# The binaries of "make test" (keep in step with its recipe), with absolute
# paths, then the lane's own two tests; the kmemleak scan must come last.
test-debug: debug-kernel tests tools mesa-cl-tests mesa-vk-tests
	$(DEBUG_BUILD) module
	$(MAKE) -C tools/debug-kernel KVER=$(KVER)
	@mkdir -p $(dir $(DEBUG_TESTS_LIST))
	@awk -v d=$(abspath $(dir $(TESTS_LIST))) '{ sub(/#.*/, ""); \
		gsub(/^[ \t]+|[ \t]+$$/, ""); if ($$0 == "") next; \
		print (/^\// ? $$0 : d "/" $$0) }' $(TESTS_LIST) >$(DEBUG_TESTS_LIST)
	@echo $(CURDIR)/$(STRESS) >>$(DEBUG_TESTS_LIST)
	@echo $(CURDIR)/$(TOP_TEST) >>$(DEBUG_TESTS_LIST)
	@$(MESA_VM_LINKS) >>$(DEBUG_TESTS_LIST)
	@echo $(CURDIR)/$(BUILD)/tools/debug-kernel/mrelease-test >>$(DEBUG_TESTS_LIST)
	@echo $(CURDIR)/tools/debug-kernel/kmemleak-check >>$(DEBUG_TESTS_LIST)
	$(VM) test --kernel $(DEBUG_DIR)/bzImage --moddir $(DEBUG_DIR)/moddir \
		--module $(DEBUG_DIR)/vsvm/vsvm.ko --timeout $(DEBUG_VM_TIMEOUT) \
		--test-timeout $(DEBUG_TEST_TIMEOUT) \
		--module-args "$(strip $(DEBUG_MODULE_ARGS) $(DEBUG_EXTRA_MODULE_ARGS))" \
		$(VM_FLAGS) --list $(DEBUG_TESTS_LIST)

.PHONY: debug-kernel test-debug

# ---- Fuzzing (owner: tools/vsvm-fuzz; docs/testing.md "Fuzzing") ---------
#
#   make fuzz         the debug lane's kernel (KCOV is on there) and vsvm.ko
#                     for it, then tools/vsvm-fuzz in the guest for
#                     FUZZ_SECONDS (default 240: CI's bounded run), then a
#                     kmemleak scan; fails on any finding, with a reproducer
#                     in build/vm/results/latest/fuzz/crash-N.prog
#   make fuzz-replay REPRO=FILE
#                     a reproducer's programs, 20 times, on that kernel
#
# The long run is "make fuzz FUZZ_SECONDS=7200" (docs/testing.md).
FUZZ_SECONDS ?= 240
FUZZ_ARGS ?=
FUZZ_MODULE_ARGS ?= job_timeout_ms=5000 fault_timeout_ms=5000
FUZZ_RUN = VSVM_CACHE=$(VSVM_CACHE) tools/vsvm-fuzz/run \
	--module-args "$(FUZZ_MODULE_ARGS)"

fuzz: debug-kernel
	$(DEBUG_BUILD) module
	$(MAKE) -C tools/vsvm-fuzz KVER=$(KVER)
	$(FUZZ_RUN) --seconds $(FUZZ_SECONDS) --kmemleak -- $(FUZZ_ARGS)

fuzz-replay: debug-kernel
	@test -n "$(REPRO)" || { echo "make fuzz-replay REPRO=FILE"; exit 2; }
	$(DEBUG_BUILD) module
	$(MAKE) -C tools/vsvm-fuzz KVER=$(KVER)
	$(FUZZ_RUN) --replay $(REPRO) -- $(FUZZ_ARGS)

.PHONY: fuzz fuzz-replay

# ---- Mesa: Rusticl with the vsvm Gallium driver --------------------------
# Owned by the Mesa work (docs/mesa.md); kept apart from the targets above.
#
#   make mesa-deps    apt: the bookworm-backports suite (derived from the
#                     machine's own debian.sources), Mesa's build-deps
#   make mesa         fetch and verify Mesa's tarball, put the series in
#                     (mesa-patches/src/ whole, mesa-patches/patches/ glue),
#                     build Rusticl with llvmpipe and vsvm under build/mesa/
#   make check-mesa-headers
#                     the series takes its UAPI and ISA headers from
#                     drm-driver/include/uapi/drm/ and has no copy of its own
#   make mesa-vk-tests
#                     the Vulkan test programs, their GLSL compiled to
#                     SPIR-V by glslangValidator and embedded, into
#                     build/mesa/vk-tests/
#   make mesa-test    host tests: headers, compiler unit tests with the
#                     vsvm-as round trip, OpenCL on llvmpipe, Vulkan on
#                     lavapipe
#   make mesa-vm-test the OpenCL and Vulkan tests and the demo on vsvm, in
#                     the guest, each program a test of its own
#   make mesa-bench   the same kernels on vsvm and llvmpipe (OpenCL), then
#                     through Vulkan on vsvm, OpenCL on vsvm and lavapipe,
#                     in the guest
#
# Run anything against that build with mesa-patches/scripts/mesa-run CMD.
MESA_VERSION := 25.0.7
MESA_OUT := $(BUILD)/mesa
MESA_SCRIPTS := mesa-patches/scripts
MESA_JOBS ?= 2
MESA_DEPS_STAMP := $(MESA_OUT)/.deps-$(shell cat $(MESA_SCRIPTS)/mesa-deps.sh \
	$(MESA_SCRIPTS)/apt-sources.sh 2>/dev/null | md5sum | cut -c1-8)
MESA_RUN := $(MESA_SCRIPTS)/mesa-run
MESA_TESTS := $(MESA_OUT)/cl-tests
MESA_CL_TESTS := $(addprefix $(MESA_TESTS)/,cl_svm_test cl_compute_test \
	cl_conform_test cl_svm_demo cl_bench)
VSVM_AS := $(BUILD)/tools/vsvm-as

mesa-deps: $(MESA_DEPS_STAMP)

$(MESA_DEPS_STAMP):
	$(SUDO) $(MESA_SCRIPTS)/mesa-deps.sh
	@mkdir -p $(@D) && rm -f $(MESA_OUT)/.deps-* && touch $@

mesa: $(MESA_DEPS_STAMP)
	$(MESA_SCRIPTS)/build-mesa.sh $(MESA_VERSION) $(MESA_OUT) $(MESA_JOBS)

check-mesa-headers:
	$(MESA_SCRIPTS)/check-headers.sh $(wildcard $(MESA_OUT)/src)

# mesa-patches/test-lib/: what the OpenCL and Vulkan tests share.
MESA_TEST_LIB := $(wildcard mesa-patches/test-lib/*.h)

# The Vulkan tests: GLSL compiled at build time into headers holding the
# SPIR-V (NAME_spv[]); vk_bench also runs cl_bench's OpenCL side.
MESA_VK_OUT := $(MESA_OUT)/vk-tests
MESA_VK_SRC := mesa-patches/vk-tests
MESA_VK_TESTS := $(addprefix $(MESA_VK_OUT)/,vk_compute_test vk_svm_test vk_bench)
MESA_VK_SPV := $(patsubst $(MESA_VK_SRC)/shaders/%.comp,$(MESA_VK_OUT)/spv/%.h, \
	$(wildcard $(MESA_VK_SRC)/shaders/*.comp))
GLSLANG ?= glslangValidator

# Kept: make would delete them as intermediate files and rebuild them.
.SECONDARY: $(MESA_VK_SPV)

$(MESA_VK_OUT)/spv/%.h: $(MESA_VK_SRC)/shaders/%.comp $(MESA_DEPS_STAMP)
	@mkdir -p $(@D)
	$(GLSLANG) -V --target-env vulkan1.2 --vn $*_spv -o $@ $< >/dev/null

$(MESA_VK_OUT)/%: $(MESA_VK_SRC)/%.c $(MESA_VK_SRC)/vk_common.h $(MESA_VK_SPV) \
		$(MESA_TEST_LIB) $(wildcard mesa-patches/cl-tests/*.h) \
		mesa-patches/src/vsvm/vulkan/vulkan_vsvm.h $(MESA_DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		-Imesa-patches/test-lib -Imesa-patches/cl-tests \
		-Imesa-patches/src/vsvm/vulkan -I$(MESA_VK_OUT)/spv -o $@ $< \
		-lvulkan -lOpenCL -lpthread -lm

$(MESA_TESTS)/%: mesa-patches/cl-tests/%.c $(wildcard mesa-patches/cl-tests/*.h) \
		$(MESA_TEST_LIB) $(MESA_DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
		-Imesa-patches/test-lib -o $@ $< -lOpenCL -lpthread -lm

mesa-test: mesa tools $(MESA_CL_TESTS) $(MESA_VK_TESTS)
	$(MESA_SCRIPTS)/mesa-test.sh $(MESA_OUT) $(VSVM_AS) $(MESA_TESTS) $(MESA_VK_OUT)

# The OpenCL and Vulkan checks as tests: links named opencl-CHECK and
# vulkan-CHECK to mesa-vm-test.sh, which runs the check it is started as;
# their paths, one a line.
MESA_VM_TESTS := $(MESA_OUT)/vm-tests
MESA_VM_LINKS = $(MESA_SCRIPTS)/mesa-vm-test.sh --links $(CURDIR)/$(MESA_VM_TESTS)

mesa-vm-test: mesa module $(MESA_CL_TESTS) $(MESA_VK_TESTS)
	@$(MESA_VM_LINKS) >$(MESA_VM_TESTS).list
	$(VM) test --kernel $(KERNEL) --test-timeout $(TEST_TIMEOUT) $(VM_FLAGS) \
		--list $(MESA_VM_TESTS).list

# Rusticl+vsvm against Rusticl+llvmpipe, then Vulkan on vsvm against
# OpenCL on vsvm and Vulkan on lavapipe, in one guest boot.
mesa-bench: mesa module $(MESA_CL_TESTS) $(MESA_VK_TESTS)
	$(VM) run --kernel $(KERNEL) --timeout 1800 $(VM_FLAGS) -- sh -c \
		'"$$0" --driver vsvm,llvmpipe "$$1"; rc=$$?; echo; \
		 "$$0" --driver vsvm --vk vsvm,lavapipe "$$2" || rc=1; exit $$rc' \
		$(MESA_RUN) $(MESA_TESTS)/cl_bench $(MESA_VK_OUT)/vk_bench

# Mesa and the OpenCL and Vulkan test programs, for "make test" and
# "make run" above.
mesa-cl-tests: mesa $(MESA_CL_TESTS)

mesa-vk-tests: mesa $(MESA_VK_TESTS)

.PHONY: mesa-deps mesa mesa-cl-tests mesa-vk-tests check-mesa-headers mesa-test \
	mesa-vm-test mesa-bench

# ---- Engine benchmarks (owner: bench/; bench/README.md) -------------------
#
#   make bench        build bench/*.c into build/bench/, then run them all in
#                     one guest boot; each prints engine/CPU ratios measured
#                     side by side in that run. The output is kept in
#                     build/bench/bench.log and bench/plot draws its PNGs
#                     into build/bench/plots/.
BENCH_TIMEOUT ?= 1800
BENCH_LOG := $(BUILD)/bench/bench.log

bench: module $(DEPS_STAMP)
	$(MAKE) -C bench KVER=$(KVER)
	@{ $(VM) run --kernel $(KERNEL) --timeout $(BENCH_TIMEOUT) $(VM_FLAGS) -- \
		bench/run $(BUILD)/bench; echo $$? >$(BENCH_LOG).rc; } | tee $(BENCH_LOG)
	bench/plot $(BENCH_LOG) $(BUILD)/bench/plots
	@exit $$(cat $(BENCH_LOG).rc)

.PHONY: bench

# ---- Install (owner: packaging/; docs/install.md) -------------------------
#
#   make deb          the vsvm-dkms Debian package, into build/deb/: the
#                     module's source and dkms.conf under /usr/src/vsvm-V/,
#                     the UAPI headers under /usr/include/drm/; V is the
#                     VERSION file
#   make test-dkms    that package installed on this machine for real with
#                     apt (root), the module modprobe'd in the guest and IGT
#                     tests run on it, then purged and checked gone; not
#                     part of "make test", which changes nothing system-wide
#   make install-mesa PREFIX=DIR
#                     Rusticl with the vsvm driver from build/mesa/ (as
#                     "make mesa" left it: this does not build Mesa), its
#                     OpenCL ICD file and an environment snippet into DIR
#                     (default /usr/local), listed in a manifest
#   make uninstall-mesa PREFIX=DIR
#                     what install-mesa put there, by its manifest
VERSION := $(shell cat VERSION)
DEB := $(BUILD)/deb/vsvm-dkms_$(VERSION)_all.deb
PREFIX ?= /usr/local

deb:
	packaging/build-deb $(dir $(DEB))

test-dkms: deb tests
	tools/dkms-test $(DEB)

install-mesa:
	packaging/install-mesa install $(abspath $(PREFIX)) $(CURDIR)/$(MESA_OUT)

uninstall-mesa:
	packaging/install-mesa uninstall $(abspath $(PREFIX))

.PHONY: deb test-dkms install-mesa uninstall-mesa
