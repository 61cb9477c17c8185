# mk/library.mk - turns a module.mk's variables into build rules.
#
# A library's module.mk sets these and then includes this file:
#   MODULE              short name: "arch" builds libarch.a
#   MODULE_DIR          its directory (libarch)
#   MODULE_SRCS         sources built for both the kernel and the host
#   MODULE_KERNEL_SRCS  sources only for the kernel (inline asm, boot code)
#   MODULE_HOST_SRCS    sources only for the host (rare)
# It defines build/kernel/libNAME.a, build/host/libNAME.a (sanitized, for unit
# tests) and build/tools/libNAME.a (optimised, for host programs and benchmarks).
# The variables are cleared afterwards so the next module.mk starts fresh.

define add-library
$(1)_KOBJS := $$(patsubst %,$$(KBUILD)/%.o,$(2) $(3))
$(1)_HOBJS := $$(patsubst %,$$(HBUILD)/%.o,$(2) $(4))
$(1)_HOST_SRCS := $(2) $(4)

$$(KBUILD)/lib$(1).a: $$($(1)_KOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(KAR) rcs $$@ $$^

$$(HBUILD)/lib$(1).a: $$($(1)_HOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(HAR) rcs $$@ $$^

$(1)_TOBJS := $$(patsubst %,$$(TBUILD)/%.o,$(2) $(4))
$$(TBUILD)/lib$(1).a: $$($(1)_TOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(HAR) rcs $$@ $$^

ALL_LIBS += $(1)
KERNEL_LIBS += $$(KBUILD)/lib$(1).a
HOST_LIBS += $$(HBUILD)/lib$(1).a
ALL_OBJS += $$($(1)_KOBJS) $$($(1)_HOBJS) $$($(1)_TOBJS)
endef

ALL_MODULE_DIRS := $(ALL_MODULE_DIRS) $(MODULE_DIR)
$(eval $(call add-library,$(MODULE),$(MODULE_SRCS),$(MODULE_KERNEL_SRCS),$(MODULE_HOST_SRCS)))

MODULE :=
MODULE_DIR :=
MODULE_SRCS :=
MODULE_KERNEL_SRCS :=
MODULE_HOST_SRCS :=
