# mk/rules.mk - pattern rules for both variants. Objects are named after their
# source with ".o" appended (foo.c -> foo.c.o) so foo.c and foo.S never collide.
# Each object's include path is its module's MOD_INCLUDES (mk/library.mk); an
# object that no module claims gets none, so it cannot include anything of ours.

$(KBUILD)/%.c.o: %.c $(PROFILE_STAMP)
	@mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(KCC) $(KCFLAGS) $(DEPFLAGS) $(MOD_INCLUDES) -c $< -o $@

$(KBUILD)/%.S.o: %.S $(PROFILE_STAMP)
	@mkdir -p $(@D)
	$(Q)echo "  AS      $@"
	$(Q)$(KCC) $(KASFLAGS) $(DEPFLAGS) $(MOD_INCLUDES) -c $< -o $@

$(HBUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  HOSTCC  $@"
	$(Q)rm -f $(basename $@).gcda
	$(Q)$(HCC) $(HCFLAGS) $(DEPFLAGS) $(MOD_INCLUDES) -c $< -o $@

$(HBUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)echo "  HOSTAS  $@"
	$(Q)$(HCC) -g $(DEPFLAGS) $(MOD_INCLUDES) -D__ASSEMBLY__ -c $< -o $@

$(TBUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)echo "  TOOLAS  $@"
	$(Q)$(HCC) -g $(DEPFLAGS) $(MOD_INCLUDES) -D__ASSEMBLY__ -c $< -o $@

$(TBUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  TOOLCC  $@"
	$(Q)$(HCC) $(TCFLAGS) $(DEPFLAGS) $(MOD_INCLUDES) -c $< -o $@

-include $(ALL_OBJS:.o=.d)

# Test-only code: the shared mocks and the benchmarks see every module's headers
# and tests/mocks; nothing else sees tests/mocks.
$(HBUILD)/tests/mocks/%.o $(TBUILD)/tests/mocks/%.o $(TBUILD)/tests/bench/%.o: \
    MOD_INCLUDES = $(TEST_INCLUDES)
