# mk/user.mk - user programs: static Linux x86-64 binaries built with Debian's
# musl-gcc (package musl-tools), exactly as a user would build their own.
# They run on Kestrel unmodified through the system-call ABI (docs/processes.md).
#
#   build/user/tests/NAME   from user/tests/NAME.c (test programs)

MUSL_CC   := musl-gcc
UCFLAGS   := -static -O2 -g -Wall -Wextra -Werror
USER_TEST_PROGS := hello forkexec forkregs fault pipetest sigtest sysfuzz attest fstest proctest \
                   ttytest attrtest directtest iotest
USER_TEST_BINS  := $(patsubst %,$(BUILD)/user/tests/%,$(USER_TEST_PROGS)) \
                   $(BUILD)/user/tests/hello-glibc

# The same hello, statically linked with the host's glibc: its start-up asks
# for more of the ABI than musl's (set_robust_list, rseq, ...).
$(BUILD)/user/tests/hello-glibc: user/tests/hello.c
	@mkdir -p $(@D)
	$(Q)echo "  GLIBCCC $@"
	$(Q)$(HCC) $(UCFLAGS) -o $@ $<

$(BUILD)/user/tests/%: user/tests/%.c
	@mkdir -p $(@D)
	$(Q)echo "  MUSLCC  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) -o $@ $<

.PHONY: user
user: $(USER_TEST_BINS)
