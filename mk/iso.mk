# mk/iso.mk - the bootable GRUB ISO (BIOS; hybrid BIOS+UEFI when the UEFI GRUB
# modules are installed: grub-mkrescue picks up every platform it finds).
# It holds the kernel and the initrd (mk/initrd.mk), which kernel/grub.cfg
# loads as a multiboot2 module on every entry.

OS_ISO  := $(BUILD)/os.iso
ISO_DIR := $(BUILD)/isodir

# $(BUILD)/initrd.cpio by name: mk/initrd.mk is included after this file.
$(OS_ISO): $(KERNEL_ELF) kernel/grub.cfg $(BUILD)/initrd.cpio
	@mkdir -p $(ISO_DIR)/boot/grub
	$(Q)cp $(KERNEL_ELF) $(ISO_DIR)/boot/kernel.elf
	$(Q)cp $(BUILD)/initrd.cpio $(ISO_DIR)/boot/initrd.cpio
	$(Q)cp kernel/grub.cfg $(ISO_DIR)/boot/grub/grub.cfg
	$(Q)echo "  ISO     $@"
	$(Q)grub-mkrescue -o $@ $(ISO_DIR) >$(BUILD)/grub-mkrescue.log 2>&1 || \
	    { cat $(BUILD)/grub-mkrescue.log; exit 1; }
