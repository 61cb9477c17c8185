# mk/iso.mk - the bootable GRUB ISO, one image for both firmwares: grub-mkrescue
# puts GRUB for BIOS (grub-pc-bin, El Torito + MBR) and for x86-64 UEFI
# (grub-efi-amd64-bin, an EFI system partition image made with mtools) on it.
# mk/bootstrap.sh installs both, so the ISO is always hybrid.
# It holds the kernel and the initrd (mk/initrd.mk), which kernel/grub.cfg
# loads as a multiboot2 module on every entry. The kernel goes without its
# debug information and ELF symbol table (strip -s: 0.37 MB for GRUB to read,
# where keeping .symtab made 0.45 MB; backtraces use the kernel's own symbol
# table, ksyms, and gdb reads build/kernel.elf).
#
#   build/os.iso     the system (BIOS: VGA text; UEFI: framebuffer console)
#   build/os-fb.iso  the same, its default entry the framebuffer one, so a BIOS
#                    boot sets a VESA graphics mode too (`make run FB=1`)

OS_ISO    := $(BUILD)/os.iso
OS_ISO_FB := $(BUILD)/os-fb.iso

# $(call make-iso,iso,dir,default entry): lay out dir and run grub-mkrescue.
# $(BUILD)/initrd.cpio by name: mk/initrd.mk is included after this file.
define make-iso
	@mkdir -p $(2)/boot/grub
	$(Q)strip -s -o $(2)/boot/kernel.elf $(KERNEL_ELF)
	$(Q)cp $(BUILD)/initrd.cpio $(2)/boot/initrd.cpio
	$(Q)sed 's/^set default=0$$/set default=$(3)/' kernel/grub.cfg > $(2)/boot/grub/grub.cfg
	$(Q)echo "  ISO     $(1)"
	$(Q)for p in i386-pc x86_64-efi; do test -f /usr/lib/grub/$$p/multiboot2.mod || \
	    { echo "iso: no GRUB for $$p: run mk/bootstrap.sh iso"; exit 1; }; done
	$(Q)grub-mkrescue -o $(1) $(2) >$(1).log 2>&1 || { cat $(1).log; exit 1; }
endef

$(OS_ISO): $(KERNEL_ELF) kernel/grub.cfg $(BUILD)/initrd.cpio mk/iso.mk
	$(call make-iso,$@,$(BUILD)/isodir,0)

$(OS_ISO_FB): $(KERNEL_ELF) kernel/grub.cfg $(BUILD)/initrd.cpio mk/iso.mk
	$(call make-iso,$@,$(BUILD)/isodir-fb,2)
