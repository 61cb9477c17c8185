# mk/docs.mk - Doxygen HTML in build/docs/; any warning fails the build.

.PHONY: docs _docs
docs:
	$(Q)mk/bootstrap.sh docs
	$(Q)$(MAKE) --no-print-directory _docs

_docs:
	$(Q)mkdir -p $(BUILD)/docs
	$(Q)DOXY_INPUT="README.md docs $(wildcard $(patsubst %,%/include,$(ALL_MODULE_DIRS))) \
	    kernel/libc/include" doxygen docs/Doxyfile >$(BUILD)/docs/doxygen.log 2>&1 || \
	    { cat $(BUILD)/docs/doxygen.log; exit 1; }
	@echo "docs: build/docs/html/index.html (0 warnings)"
