# mk/kernel.mk - link kernel.elf from the freestanding libraries and the KTESTs.
#
# The KTEST objects are linked as plain objects (nothing references them: the
# runner finds them through the .ktests section). Libraries are grouped so their
# order does not matter.

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_LDS := kernel/linker.ld

$(KERNEL_ELF): $(KERNEL_LDS) $(KTEST_OBJS) $(KERNEL_LIBS)
	$(Q)echo "  LD      $@"
	$(Q)$(KLD) $(KLDFLAGS) -T $(KERNEL_LDS) -o $@ $(KTEST_OBJS) \
	    --start-group $(KERNEL_LIBS) --end-group
