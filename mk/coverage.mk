# mk/coverage.mk - line coverage of the libraries under the host unit tests.
# HTML goes to build/coverage/; the totals (overall and per library) are printed.

COV_INFO := $(BUILD)/coverage/coverage.info

.PHONY: coverage _coverage
coverage:
	$(Q)mk/bootstrap.sh coverage
	$(Q)$(MAKE) --no-print-directory _coverage

_coverage: $(UNIT_TEST_BINS)
	$(Q)find $(HBUILD) -name '*.gcda' -delete
	$(Q)for t in $(UNIT_TEST_BINS); do $$t >/dev/null 2>&1 || { echo "$$t failed"; exit 1; }; done
	$(Q)mkdir -p $(BUILD)/coverage
	$(Q)lcov --quiet --capture --directory $(HBUILD) --output-file $(COV_INFO).all \
	    --rc lcov_branch_coverage=0 >/dev/null 2>&1
	$(Q)lcov --quiet --extract $(COV_INFO).all $(patsubst %,'$(CURDIR)/%/*',$(ALL_MODULE_DIRS)) \
	    --output-file $(COV_INFO) >/dev/null 2>&1
	$(Q)genhtml --quiet $(COV_INFO) --output-directory $(BUILD)/coverage >/dev/null 2>&1
	$(Q)$(PYTHON) tests/coverage_report.py $(COV_INFO)
	@echo "coverage: build/coverage/index.html"
