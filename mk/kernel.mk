# mk/kernel.mk - link kernel.elf from the freestanding libraries and the KTESTs.
#
# The KTEST objects are linked as plain objects (nothing references them: the
# runner finds them through the .ktests section). Libraries are grouped so their
# order does not matter.
#
# Two passes, for the kernel's own symbol and line tables (arch/ksyms.h): the
# first image's text symbols (mk/ksyms.py) and a line table made from its DWARF
# (mk/klines.py; empty in a release build, which has none) become a .ksyms
# section, which the second link places at the end of .rodata, after all code.
# The build then checks that no text symbol moved between the passes and that
# the final image's DWARF gives the same line table.

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_LDS := kernel/linker.ld
KERNEL_PASS1 := $(BUILD)/kernel/kernel.pass1.elf
KSYMS_S := $(BUILD)/kernel/ksyms.S
KSYMS_O := $(BUILD)/kernel/ksyms.o
KLINES_BIN := $(BUILD)/kernel/klines.bin
KERNEL_LINK = $(KLD) $(KLDFLAGS) -T $(KERNEL_LDS) $(KTEST_OBJS) --start-group $(KERNEL_LIBS) --end-group

$(KERNEL_PASS1): $(KERNEL_LDS) $(KTEST_OBJS) $(KERNEL_LIBS)
	@mkdir -p $(@D)
	$(Q)echo "  LD      $@"
	$(Q)$(KERNEL_LINK) -o $@

$(KSYMS_O): $(KERNEL_PASS1) mk/ksyms.py mk/klines.py
	$(Q)echo "  KSYMS   $@"
	$(Q)nm -n -S $(KERNEL_PASS1) > $(KSYMS_S).nm
	$(Q)$(PYTHON) mk/klines.py $(KERNEL_PASS1) $(KLINES_BIN) > $(KLINES_BIN).size
	$(Q)$(PYTHON) mk/ksyms.py $(KSYMS_S).nm $(KLINES_BIN) $(KSYMS_S)
	$(Q)$(KCC) $(KASFLAGS) -c $(KSYMS_S) -o $@

$(KERNEL_ELF): $(KERNEL_PASS1) $(KSYMS_O)
	$(Q)echo "  LD      $@"
	$(Q)$(KERNEL_LINK) $(KSYMS_O) -o $@
	$(Q)nm -n $(KERNEL_PASS1) | grep ' [tT] ' > $(KSYMS_S).before
	$(Q)nm -n $@ | grep ' [tT] ' > $(KSYMS_S).after
	$(Q)cmp -s $(KSYMS_S).before $(KSYMS_S).after || \
	    { echo "ksyms: code moved between the two links"; rm -f $@; exit 1; }
	$(Q)$(PYTHON) mk/klines.py $@ $(KLINES_BIN).after > /dev/null
	$(Q)cmp -s $(KLINES_BIN) $(KLINES_BIN).after || \
	    { echo "klines: the line table changed between the two links"; rm -f $@; exit 1; }
