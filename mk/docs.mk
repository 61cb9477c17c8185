# mk/docs.mk - Doxygen HTML in build/docs/; any warning fails the build.

.PHONY: docs _docs
docs:
	$(Q)mk/bootstrap.sh docs
	$(Q)$(MAKE) --no-print-directory _docs

# The module graph, drawn from the MODULE_DEPS the build enforces.
_docs: layering-manifest
	$(Q)mkdir -p $(BUILD)/docs
	$(Q)DOXY_INPUT="README.md docs $(wildcard $(patsubst %,%/include,$(ALL_MODULE_DIRS))) \
	    libk/libc" doxygen docs/Doxyfile >$(BUILD)/docs/doxygen.log 2>&1 || \
	    { cat $(BUILD)/docs/doxygen.log; exit 1; }
	$(Q)$(PYTHON) tests/layering/check.py --dot $(BUILD)/docs/modules.dot $(LAYERING_MANIFEST)
	$(Q)dot -Tsvg $(BUILD)/docs/modules.dot -o $(BUILD)/docs/html/modules.svg
	@echo "docs: build/docs/html/index.html (0 warnings), module graph build/docs/html/modules.svg"
