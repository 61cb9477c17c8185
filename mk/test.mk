# mk/test.mk - `make check`: host unit tests, the layering check, then the
# in-kernel tests in QEMU (with the debug kernel on 1 CPU and on 4, and again
# with a release one built into build/release/), then the integration tests (including the harness's own self-test), then the
# documentation build (every public declaration documented, zero warnings).
# The integration tests run twice, on 1 CPU and on 4.
#
#   make check                 everything
#   make check-unit            all host runners      make test-<lib>   one runner
#   make ktest [KTEST=name]    in-kernel tests (all, or those whose name matches)
#   make ktest KTEST_SMP=4     the same on 4 CPUs (make check runs them on 1 and on 4)
#   make check-release         the in-kernel tests with PROFILE=release
#   make check-integration [QEMU_SMP=N]   the integration tests on N CPUs (default 1;
#                              a test that asks for a CPU count keeps it)
#   CK_RUN_SUITE=x CK_RUN_CASE=y make test-<lib>     one Check suite / test case

.PHONY: check _check check-unit ktest _ktest check-release check-integration

check:
	$(Q)mk/bootstrap.sh check
	$(Q)$(MAKE) --no-print-directory _check

_check: $(UNIT_TEST_BINS) $(KERNEL_ELF) $(OS_ISO) $(OS_ISO_FB) $(TOOL_BINS) $(USER_TEST_BINS)
	$(Q)$(MAKE) --no-print-directory check-unit
	$(Q)$(MAKE) --no-print-directory check-layering
	$(Q)$(MAKE) --no-print-directory check-user
	$(Q)$(MAKE) --no-print-directory _ktest
	$(Q)$(MAKE) --no-print-directory _ktest KTEST_SMP=4
	$(Q)$(MAKE) --no-print-directory check-release
	$(Q)$(MAKE) --no-print-directory check-integration QEMU_SMP=1
	$(Q)$(MAKE) --no-print-directory check-integration QEMU_SMP=4
	$(Q)$(MAKE) --no-print-directory check-fuse
	$(Q)$(MAKE) --no-print-directory _docs
	@echo "make check: all tests passed"

# Check's per-test timeouts (4 s unless a case sets its own) guard against
# hangs, not for speed: a page-table test that needs half a second of CPU
# (a forked ASan child, 32 MiB of simulated RAM) took more than 4 s on a
# 2-core machine at load 12. Ten times the timeout still ends a hang soon.
CK_TIMEOUT_MULTIPLIER ?= 10

check-unit: $(UNIT_TEST_BINS)
	$(Q)failed=""; for t in $(UNIT_TEST_BINS); do \
	    echo "== $$t"; CK_TIMEOUT_MULTIPLIER=$(CK_TIMEOUT_MULTIPLIER) $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

ktest:
	$(Q)mk/bootstrap.sh check
	$(Q)$(MAKE) --no-print-directory _ktest

_ktest: $(KERNEL_ELF)
	$(Q)$(PYTHON) tests/qemu/ktest.py --kernel $(KERNEL_ELF) $(if $(KTEST),--filter '$(KTEST)') \
	    $(if $(KTEST_SMP),--smp $(KTEST_SMP))

# QEMU_SMP reaches tests/qemu/qemu.py through the environment: every QEMU a
# test starts without choosing a CPU count gets that many.
check-integration: $(KERNEL_ELF) $(OS_ISO) $(OS_ISO_FB) $(TOOL_BINS) $(USER_TEST_BINS) \
		$(USER_BENCH_BINS) userbin $(SH_MUSL)
	@echo "== integration tests on $(or $(QEMU_SMP),1) CPU(s)"
	$(Q)QEMU_SMP=$(or $(QEMU_SMP),1) $(PYTHON) -m unittest discover -s tests/integration \
	    -p 'test_*.py' -v

# The release profile (-DNDEBUG, no debug information) must pass the same
# in-kernel tests: a kernel of its own, in a build directory of its own.
RELEASE_BUILD := $(BUILD)/release

check-release:
	$(Q)$(MAKE) --no-print-directory PROFILE=release BUILD=$(RELEASE_BUILD) \
	    $(RELEASE_BUILD)/kernel.elf
	$(Q)$(PYTHON) tests/qemu/ktest.py --kernel $(RELEASE_BUILD)/kernel.elf
