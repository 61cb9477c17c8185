# mk/sh.mk - /bin/sh, the shell program (shell/sh/ with the line editor and
# history of shell/), built twice from the same sources:
#
#   build/user/sh/sh    static musl binary for Kestrel: the initrd's /bin/sh
#   build/host/sh/sh    host compiler with ASan + UBSan, for the tests
#   make sh             both
#   make check-sh       tests/sh/: scripts run by both binaries on the host,
#                       against expected output (and dash, when installed);
#                       part of `make check`
#
#   build/host/tests/test_sh   Check tests of the pure layers (lexer, parser,
#                       arithmetic): `make test-sh`, part of `make check-unit`
#
# The program's editor and history take lines of up to SH_LINE_MAX bytes
# (shell/limits.h is a port header; its unit tests keep 1024).

SH_SRCS    := $(wildcard shell/sh/*.c) shell/editor.c shell/history.c
SH_LINE_MAX := 16384
SH_CFLAGS  := $(CSTD) $(WARNINGS) -D_GNU_SOURCE -DSHELL_LINE_MAX=$(SH_LINE_MAX) \
              -Ishell/include -Ilibk/include
SH_MUSL_OBJS := $(patsubst %.c,$(BUILD)/user/sh/obj/%.o,$(SH_SRCS))
SH_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/sh/obj/%.o,$(SH_SRCS))
SH_MUSL    := $(BUILD)/user/sh/sh
SH_HOST    := $(BUILD)/host/sh/sh

.SECONDARY: $(SH_MUSL_OBJS) $(SH_HOST_OBJS)

$(BUILD)/user/sh/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  MUSLCC  $@"
	$(Q)$(MUSL_CC) $(SH_CFLAGS) -static -O2 -g $(DEPFLAGS) -c -o $@ $<

$(SH_MUSL): $(SH_MUSL_OBJS)
	@mkdir -p $(@D)
	$(Q)echo "  MUSLLD  $@"
	$(Q)$(MUSL_CC) -static -o $@ $^

$(BUILD)/host/sh/obj/%.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HCC) $(SH_CFLAGS) -O1 -g -fno-omit-frame-pointer $(SANITIZE) $(DEPFLAGS) -c -o $@ $<

$(SH_HOST): $(SH_HOST_OBJS)
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) $(SANITIZE) -o $@ $^

-include $(SH_MUSL_OBJS:.o=.d) $(SH_HOST_OBJS:.o=.d)

# Check runner for the layers that need no processes.
SH_UNIT      := $(BUILD)/host/tests/test_sh
SH_UNIT_SRCS := tests/unit/sh/test_sh_parse.c $(addprefix shell/sh/,lex.c parse.c util.c vars.c arith.c)
SH_UNIT_OBJS := $(patsubst %.c,$(BUILD)/host/sh/unit/%.o,$(SH_UNIT_SRCS))

$(BUILD)/host/sh/unit/%.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  HOSTCC  $@"
	$(Q)$(HCC) $(HCFLAGS) -Ishell/sh $(DEPFLAGS) -c -o $@ $<

$(SH_UNIT): $(SH_UNIT_OBJS)
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(HCC) $(HLDFLAGS) -o $@ $^ $(CHECK_LIBS)

-include $(SH_UNIT_OBJS:.o=.d)
UNIT_TEST_BINS += $(SH_UNIT)

.PHONY: test-sh
test-sh: $(SH_UNIT)
	$(Q)$(SH_UNIT)

.PHONY: sh check-sh
sh: $(SH_MUSL) $(SH_HOST)

check-sh: $(SH_MUSL) $(SH_HOST)
	$(Q)SH_BINS="$(abspath $(SH_HOST)) $(abspath $(SH_MUSL))" $(PYTHON) -m unittest discover \
	    -s tests/sh -p 'test_*.py' -v

# `make check` runs these tests too.
_check: check-sh
