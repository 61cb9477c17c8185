# mk/userbench.mk - benchmark user programs: static musl binaries like those of
# mk/user.mk, run on Kestrel and on Linux by tests/bench/proc_vs_linux.py and
# tests/bench/smp_vs_linux.py.
#
#   build/user/bench/NAME   from user/bench/NAME.c

USER_BENCH_PROGS := procbench true crcbench
USER_BENCH_BINS  := $(patsubst %,$(BUILD)/user/bench/%,$(USER_BENCH_PROGS))

$(BUILD)/user/bench/%: user/bench/%.c
	@mkdir -p $(@D)
	$(Q)echo "  MUSLCC  $@"
	$(Q)$(MUSL_CC) $(UCFLAGS) -o $@ $<

.PHONY: userbench
userbench: $(USER_BENCH_BINS)
