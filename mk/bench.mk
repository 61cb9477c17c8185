# mk/bench.mk - `make bench`: benchmark tables (speed and memory targets live
# here, never in timed unit tests).

.PHONY: bench _bench
bench:
	$(Q)mk/bootstrap.sh bench
	$(Q)$(MAKE) --no-print-directory _bench

# Modules add benchmark programs to BENCH_BINS; each prints its own table.
_bench: $(KERNEL_ELF) $(OS_ISO) $(BENCH_BINS)
	$(Q)for b in $(BENCH_BINS); do echo; echo "== $$b"; $$b || exit 1; done
	$(Q)echo; $(PYTHON) tests/bench/boot_time.py --iso $(OS_ISO) --runs 5
	$(Q)echo; $(PYTHON) tests/bench/kernel_bench.py --kernel $(KERNEL_ELF)
