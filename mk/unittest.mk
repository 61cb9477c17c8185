# mk/unittest.mk - one Check runner per library.
#
# tests/unit/<lib>/module.mk sets these and includes this file:
#   TEST        runner name; the binary is build/host/tests/test_<name>
#   TEST_SRCS   the suites and the runner's main
#   TEST_LIBS   libraries under test (e.g. "dev"); what they depend on is
#               linked too, and the suites see exactly those modules' headers
#   TEST_MOCKS  shared mocks from tests/mocks/ (compiled with every header)
#   TEST_LDFLAGS extra link flags (e.g. --wrap for a mock that wraps a function)

define add-unittest
$(1)_TEST_OBJS := $$(patsubst %,$$(HBUILD)/%.o,$(2) $(4))
$(1)_TEST_BIN := $$(HBUILD)/tests/test_$(1)
$(1)_TEST_ARCHIVES := $$(patsubst %,$$(HBUILD)/lib%.a,$$(call deps-closure,$(3)))

$$(patsubst %,$$(HBUILD)/%.o,$(2)): MOD_INCLUDES := $$(call deps-includes,$(3)) -Itests/mocks

$$($(1)_TEST_BIN): $$($(1)_TEST_OBJS) $$($(1)_TEST_ARCHIVES)
	@mkdir -p $$(@D)
	$$(Q)echo "  LD      $$@"
	$$(Q)$$(HCC) $$(HLDFLAGS) $(5) -o $$@ $$($(1)_TEST_OBJS) \
	    -Wl,--start-group $$($(1)_TEST_ARCHIVES) -Wl,--end-group $$(CHECK_LIBS)

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
