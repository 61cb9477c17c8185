# mk/rules.mk - pattern rules for both variants. Objects are named after their
# source with ".o" appended (foo.c -> foo.c.o) so foo.c and foo.S never collide.

$(KBUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  CC      $@"
	$(Q)$(KCC) $(KCFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

$(KBUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)echo "  AS      $@"
	$(Q)$(KCC) $(KASFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

$(HBUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  HOSTCC  $@"
	$(Q)rm -f $(basename $@).gcda
	$(Q)$(HCC) $(HCFLAGS) $(DEPFLAGS) $(INCLUDES) -Itests/mocks -c $< -o $@

$(HBUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)echo "  HOSTAS  $@"
	$(Q)$(HCC) -g $(DEPFLAGS) $(INCLUDES) -D__ASSEMBLY__ -c $< -o $@

$(TBUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)echo "  TOOLAS  $@"
	$(Q)$(HCC) -g $(DEPFLAGS) $(INCLUDES) -D__ASSEMBLY__ -c $< -o $@

$(TBUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)echo "  TOOLCC  $@"
	$(Q)$(HCC) $(TCFLAGS) $(DEPFLAGS) $(INCLUDES) -c $< -o $@

-include $(ALL_OBJS:.o=.d)
