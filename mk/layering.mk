# mk/layering.mk - `make check-layering`: proves that the declared dependencies
# are enforced. For every ordered pair of modules (M, N), tests/layering/check.py
# preprocesses `#include <N/header.h>` with M's include flags, exactly as M's
# objects are compiled. It must succeed when M depends on N (directly or through
# other modules) and fail when it doesn't. A build that gave every module every
# include directory, as this one once did, fails the check. Part of `make check`.

LAYERING_MANIFEST := $(BUILD)/layering.txt

# One line per module: "module|dir|direct deps|closure|include flags|a public header".
define layering-line
$(1)|$($(1)_DIR)|$($(1)_DEPS)|$(call deps-closure,$(1))|$($(1)_INCLUDES)|$(patsubst $($(1)_DIR)/include/%,%,$(firstword $(sort $(wildcard $($(1)_DIR)/include/*/*.h))))
endef

.PHONY: check-layering layering-manifest
# $(file) runs when make expands the recipe, before any shell line: the
# directory must exist by then, hence $(shell mkdir) rather than a recipe line.
layering-manifest:
	$(shell mkdir -p $(BUILD))$(file >$(LAYERING_MANIFEST),$(foreach m,$(ALL_LIBS),$(call layering-line,$(m))$(newline)))

# Also checks that docs/architecture.md shows the graph the build declares.
check-layering: layering-manifest
	$(Q)$(PYTHON) tests/layering/check.py --cc "$(KCC)" --cflags "$(KCFLAGS)" \
	    --doc docs/architecture.md $(LAYERING_MANIFEST)

define newline


endef
