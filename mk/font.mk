# mk/font.mk - the framebuffer console's font (dev/fbcon.h), generated at build
# time from one of Debian's console fonts (package console-setup-linux) by
# mk/psf2c.py. The generated C file names its source and carries the font's
# copyright notice (mk/fonts/). libdev/module.mk compiles it into libdev.
#
#   make FBCON_FONT=/usr/share/consolefonts/Lat15-Terminus16.psf.gz FBCON_FONT_NOTICE=...
# builds with another font (any PSF1/PSF2 font with glyphs for ASCII).

FBCON_FONT        ?= /usr/share/consolefonts/Lat15-VGA16.psf.gz
FBCON_FONT_NOTICE ?= mk/fonts/u_vga16.notice
FBCON_FONT_C      := $(BUILD)/gen/libdev/fbcon_font.c

$(FBCON_FONT_C): $(FBCON_FONT) $(FBCON_FONT_NOTICE) mk/psf2c.py
	@mkdir -p $(@D)
	$(Q)echo "  FONT    $@ ($(notdir $(FBCON_FONT)))"
	$(Q)$(PYTHON) mk/psf2c.py $(FBCON_FONT) $@ fbcon_font_default $(FBCON_FONT_NOTICE)
