# mk/unittest.mk - one Check runner per library.
#
# tests/unit/<lib>/module.mk sets these and includes this file:
#   TEST        runner name; the binary is build/host/tests/test_<name>
#   TEST_SRCS   the suites and the runner's main
#   TEST_LIBS   libraries under test, most dependent first (e.g. "dev arch")
#   TEST_MOCKS  shared mocks from tests/mocks/
#   TEST_LDFLAGS extra link flags (e.g. --wrap for a mock that wraps a function)

define add-unittest
$(1)_TEST_OBJS := $$(patsubst %,$$(HBUILD)/%.o,$(2) $(4))
$(1)_TEST_BIN := $$(HBUILD)/tests/test_$(1)

$$($(1)_TEST_BIN): $$($(1)_TEST_OBJS) $$(patsubst %,$$(HBUILD)/lib%.a,$(3))
	@mkdir -p $$(@D)
	$$(Q)echo "  LD      $$@"
	$$(Q)$$(HCC) $$(HLDFLAGS) $(5) -o $$@ $$($(1)_TEST_OBJS) \
	    $$(patsubst %,$$(HBUILD)/lib%.a,$(3)) $$(CHECK_LIBS)

.PHONY: test-$(1)
test-$(1): $$($(1)_TEST_BIN)
	$$(Q)$$($(1)_TEST_BIN)

UNIT_TESTS += $(1)
UNIT_TEST_BINS += $$($(1)_TEST_BIN)
ALL_OBJS += $$($(1)_TEST_OBJS)
endef

$(eval $(call add-unittest,$(TEST),$(TEST_SRCS),$(TEST_LIBS),$(TEST_MOCKS),$(TEST_LDFLAGS)))

TEST :=
TEST_SRCS :=
TEST_LIBS :=
TEST_MOCKS :=
TEST_LDFLAGS :=
