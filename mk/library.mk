# mk/library.mk - turns a module.mk's variables into build rules.
#
# A library's module.mk sets these and then includes this file:
#   MODULE              short name: "arch" builds libarch.a
#   MODULE_DIR          its directory (libarch)
#   MODULE_DEPS         the modules it uses directly (e.g. "arch k"); each must
#                       already be defined, so dependencies point down only
#   MODULE_SRCS         sources built for both the kernel and the host
#   MODULE_KERNEL_SRCS  sources only for the kernel (inline asm, boot code)
#   MODULE_HOST_SRCS    sources only for the host (rare)
# It defines build/kernel/libNAME.a, build/host/libNAME.a (sanitized, for unit
# tests) and build/tools/libNAME.a (optimised, for host programs and benchmarks).
#
# Layering: a module's objects are compiled with only its own include/ and those
# of its dependencies, direct or through other dependencies (NAME_INCLUDES), so
# including a header from an undeclared module fails to compile. `make check`
# proves that for every pair of modules (mk/layering.mk).
# The variables are cleared afterwards so the next module.mk starts fresh.

# $(call deps-closure,mods): the modules plus everything they depend on.
deps-closure = $(sort $(1) $(foreach m,$(1),$(call deps-closure,$($(m)_DEPS))))
# $(call deps-includes,mods): -I flags for the modules and their dependencies.
deps-includes = $(foreach m,$(call deps-closure,$(1)),-I$($(m)_DIR)/include)

define add-library
$(foreach d,$(5),$(if $(filter $(d),$(ALL_LIBS)),,\
    $(error $(6)/module.mk: MODULE_DEPS names "$(d)", which is not a module defined before it)))
$(1)_DIR := $(6)
$(1)_DEPS := $(5)
$(1)_INCLUDES := $$(call deps-includes,$(1))
$(1)_KOBJS := $$(patsubst %,$$(KBUILD)/%.o,$(2) $(3))
$(1)_HOBJS := $$(patsubst %,$$(HBUILD)/%.o,$(2) $(4))
$(1)_TOBJS := $$(patsubst %,$$(TBUILD)/%.o,$(2) $(4))
$(1)_HOST_SRCS := $(2) $(4)

$$($(1)_KOBJS) $$($(1)_HOBJS) $$($(1)_TOBJS): MOD_INCLUDES := $$($(1)_INCLUDES)

$$(KBUILD)/lib$(1).a: $$($(1)_KOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(KAR) rcs $$@ $$^

$$(HBUILD)/lib$(1).a: $$($(1)_HOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(HAR) rcs $$@ $$^

$$(TBUILD)/lib$(1).a: $$($(1)_TOBJS)
	$$(Q)rm -f $$@
	$$(Q)$$(HAR) rcs $$@ $$^

ALL_LIBS += $(1)
KERNEL_LIBS += $$(KBUILD)/lib$(1).a
HOST_LIBS += $$(HBUILD)/lib$(1).a
ALL_OBJS += $$($(1)_KOBJS) $$($(1)_HOBJS) $$($(1)_TOBJS)
endef

ALL_MODULE_DIRS := $(ALL_MODULE_DIRS) $(MODULE_DIR)
$(eval $(call add-library,$(MODULE),$(MODULE_SRCS),$(MODULE_KERNEL_SRCS),$(MODULE_HOST_SRCS),$(MODULE_DEPS),$(MODULE_DIR)))

MODULE :=
MODULE_DIR :=
MODULE_DEPS :=
MODULE_SRCS :=
MODULE_KERNEL_SRCS :=
MODULE_HOST_SRCS :=
