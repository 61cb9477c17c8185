# mk/test.mk - `make check`: host unit tests, the layering check, then the
# in-kernel tests in QEMU (with the debug kernel, and again with a release
# one built into build/release/), then the integration tests (including the harness's own self-test), then the
# documentation build (every public declaration documented, zero warnings).
#
#   make check                 everything
#   make check-unit            all host runners      make test-<lib>   one runner
#   make ktest [KTEST=name]    in-kernel tests (all, or those whose name matches)
#   make check-release         the in-kernel tests with PROFILE=release
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
	$(Q)$(MAKE) --no-print-directory check-release
	$(Q)$(MAKE) --no-print-directory check-integration
	$(Q)$(MAKE) --no-print-directory _docs
	@echo "make check: all tests passed"

check-unit: $(UNIT_TEST_BINS)
	$(Q)failed=""; for t in $(UNIT_TEST_BINS); do \
	    echo "== $$t"; $$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi

ktest:
	$(Q)mk/bootstrap.sh check
	$(Q)$(MAKE) --no-print-directory _ktest

_ktest: $(KERNEL_ELF)
	$(Q)$(PYTHON) tests/qemu/ktest.py --kernel $(KERNEL_ELF) $(if $(KTEST),--filter '$(KTEST)')

check-integration: $(KERNEL_ELF) $(OS_ISO) $(OS_ISO_FB) $(TOOL_BINS) $(USER_TEST_BINS)
	$(Q)$(PYTHON) -m unittest discover -s tests/integration -p 'test_*.py' -v

# The release profile (-DNDEBUG, no debug information) must pass the same
# in-kernel tests: a kernel of its own, in a build directory of its own.
RELEASE_BUILD := $(BUILD)/release

check-release:
	$(Q)$(MAKE) --no-print-directory PROFILE=release BUILD=$(RELEASE_BUILD) \
	    $(RELEASE_BUILD)/kernel.elf
	$(Q)$(PYTHON) tests/qemu/ktest.py --kernel $(RELEASE_BUILD)/kernel.elf
