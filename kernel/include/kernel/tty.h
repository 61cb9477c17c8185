/**
 * @file kernel/tty.h
 * @brief The console terminal: libdev's line discipline (dev/tty.h) fed by
 * COM1 and the PS/2 keyboard, shown on COM1 and the VGA screen, behind
 * `/dev/console` and `/dev/tty`.
 *
 * An async task on the kernel's executor ("tty-input") decodes the keyboard
 * and drains COM1 into the terminal whenever either interrupts, and holds
 * input back (COM1's bytes stay in its ring and the UART) while a raw-mode
 * reader leaves the terminal full. Readers sleep on a wait queue that a
 * signal to their process interrupts. ^C and ^\ reach the foreground process
 * group through proc_kill_group().
 *
 * The terminal starts in Linux's default cooked mode; the shell's line editor
 * sets raw mode itself through termios and restores it before each command.
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <dev/kbd.h>
#include <k/console.h>
#include <dev/serial.h>
#include <dev/tty.h>
#include <dev/vga.h>

/**
 * @brief Start the console terminal: hook the keyboard's interrupt, start the
 * input task, and give the terminal (in cooked mode) to devfs. Call after
 * kernel_threads_init() (the executor must exist).
 * @param com1       the serial console (may be absent: `present` false)
 * @param screen     the screen's console driver: VGA text mode's, or the
 *                   framebuffer console's when the loader gave a framebuffer
 * @param screen_ctx passed back to @p screen
 * @param keyboard   the PS/2 keyboard (kbd_init() done)
 * @return 0, or -ENOMEM when the input task cannot be started
 */
int kernel_tty_init(struct serial_port *com1, const struct console_ops *screen, void *screen_ctx,
                    struct kbd *keyboard);

/** @brief The console terminal, or NULL before kernel_tty_init(). @return it */
struct tty *kernel_tty(void);

/** @brief COM1 received bytes (called from its interrupt handler): wake the input task. */
void kernel_tty_input(void);

/** @brief From the timer tick: wake readers waiting with a VTIME timeout. */
void kernel_tty_tick(void);

#endif
