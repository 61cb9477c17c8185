/**
 * @file dev/tty.h
 * @brief A terminal: the line discipline between input bytes (COM1, the
 * keyboard) and readers, with echo and output processing toward the screen.
 *
 * Linux's `N_TTY` rules for the flags Kestrel implements:
 * - **Input** (tty_receive(), one byte at a time): `ISTRIP`, `IGNCR`, `ICRNL`,
 *   `INLCR`; with `ISIG`, `VINTR`, `VQUIT` and `VSUSP` send SIGINT, SIGQUIT and
 *   SIGTSTP to the foreground process group (through tty_ops.signal) and flush
 *   the input unless `NOFLSH`; with `ICANON`, a line is edited (`VERASE`, and
 *   `^H` too, `VKILL`, with `IEXTEN` `VWERASE`, `VLNEXT` and `VREPRINT`) until
 *   `\n`, `VEOL`, `VEOL2` or `VEOF` ends it; without it, bytes are readable as
 *   they come.
 * - **Echo**: `ECHO`, `ECHOE`, `ECHOK`, `ECHOKE`, `ECHONL`, `ECHOCTL` (control
 *   characters as `^X`).
 * - **Output** (tty_write() and echo): with `OPOST`, `ONLCR`, `OCRNL`, `ONOCR`
 *   and `ONLRET`.
 * - **Reads** (tty_read()): canonical reads return at most one line, and 0 for
 *   `VEOF` at the start of a line; raw reads follow `VMIN` and `VTIME`.
 *
 * The defaults are Linux's: `ICRNL`, `OPOST|ONLCR`, `B38400|CS8|CREAD|HUPCL`,
 * `ISIG|ICANON|ECHO|ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN` and the usual control
 * characters (flow control, `IXON`, is not implemented and is off).
 *
 * The library only keeps the state: sleeping, signalling and the screen are
 * the caller's, through `struct tty_ops`. Its memory is the caller's `struct
 * tty` (the input buffer is inside it).
 *
 * Locking: every function takes the lock given to tty_init() (the kernel gives
 * an interrupt-safe spinlock); the output and signal hooks are called with it
 * held, so they must not call back into the tty; so are the wake and room
 * hooks. The wait hook is called without it. Lock order (the kernel's hooks):
 * "tty", then "console" (output takes the console registry's lock) and
 * "event" (room signals the input task's event); the signal and wake hooks
 * only wake wait queues, with interrupts off. Nothing here runs in interrupt
 * context: the kernel feeds input from a thread.
 */
#ifndef DEV_TTY_H
#define DEV_TTY_H

#include <k/console.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Control characters in `struct tty_termios` (Linux's kernel NCCS). */
#define TTY_NCCS 19

/** @name Indexes into c_cc (Linux x86-64) */
/** @{ */
#define TTY_VINTR    0  /**< Interrupt: SIGINT (^C). */
#define TTY_VQUIT    1  /**< Quit: SIGQUIT (^\). */
#define TTY_VERASE   2  /**< Erase one character (DEL). */
#define TTY_VKILL    3  /**< Erase the line (^U). */
#define TTY_VEOF     4  /**< End of file (^D). */
#define TTY_VTIME    5  /**< Raw reads: timeout in tenths of a second. */
#define TTY_VMIN     6  /**< Raw reads: minimum bytes. */
#define TTY_VSWTC    7  /**< Unused. */
#define TTY_VSTART   8  /**< Resume output (^Q; not implemented). */
#define TTY_VSTOP    9  /**< Stop output (^S; not implemented). */
#define TTY_VSUSP    10 /**< Suspend: SIGTSTP (^Z). */
#define TTY_VEOL     11 /**< Another end of line (off). */
#define TTY_VREPRINT 12 /**< Reprint the line (^R). */
#define TTY_VDISCARD 13 /**< Unused. */
#define TTY_VWERASE  14 /**< Erase a word (^W). */
#define TTY_VLNEXT   15 /**< Take the next character literally (^V). */
#define TTY_VEOL2    16 /**< A third end of line (off). */
/** @} */

/** @name c_iflag bits (octal, as Linux) */
/** @{ */
#define TTY_ISTRIP 0000040 /**< Strip the eighth bit. */
#define TTY_INLCR  0000100 /**< NL becomes CR. */
#define TTY_IGNCR  0000200 /**< Drop CR. */
#define TTY_ICRNL  0000400 /**< CR becomes NL. */
#define TTY_IXON   0002000 /**< Output flow control (accepted, not acted on). */
#define TTY_IUTF8  0040000 /**< Input is UTF-8 (accepted, not acted on). */
/** @} */

/** @name c_oflag bits */
/** @{ */
#define TTY_OPOST  0000001 /**< Process output. */
#define TTY_ONLCR  0000004 /**< NL becomes CR NL. */
#define TTY_OCRNL  0000010 /**< CR becomes NL. */
#define TTY_ONOCR  0000020 /**< No CR in column 0. */
#define TTY_ONLRET 0000040 /**< NL also returns the carriage. */
/** @} */

/** @name c_cflag bits (kept, not acted on) */
/** @{ */
#define TTY_B38400 0000017 /**< The speed Linux reports. */
#define TTY_CS8    0000060 /**< Eight data bits. */
#define TTY_CREAD  0000200 /**< Receiver on. */
#define TTY_HUPCL  0002000 /**< Hang up on last close. */
/** @} */

/** @name c_lflag bits */
/** @{ */
#define TTY_ISIG    0000001 /**< Signal characters. */
#define TTY_ICANON  0000002 /**< Canonical (line) input. */
#define TTY_ECHO    0000010 /**< Echo input. */
#define TTY_ECHOE   0000020 /**< Erase shows as backspace-space-backspace. */
#define TTY_ECHOK   0000040 /**< Echo NL after the kill character. */
#define TTY_ECHONL  0000100 /**< Echo NL even without ECHO. */
#define TTY_NOFLSH  0000200 /**< No flush on signal characters. */
#define TTY_ECHOCTL 0001000 /**< Echo control characters as ^X. */
#define TTY_ECHOKE  0004000 /**< Kill erases the line on the screen. */
#define TTY_IEXTEN  0100000 /**< VWERASE, VLNEXT, VREPRINT. */
/** @} */

/** @brief Terminal settings: Linux's kernel `struct termios` (TCGETS/TCSETS), 36 bytes. */
struct tty_termios {
    uint32_t c_iflag;       /**< Input modes. */
    uint32_t c_oflag;       /**< Output modes. */
    uint32_t c_cflag;       /**< Control modes. */
    uint32_t c_lflag;       /**< Local modes. */
    uint8_t c_line;         /**< Line discipline (0: N_TTY). */
    uint8_t c_cc[TTY_NCCS]; /**< Control characters (0 disables one). */
};

/** @brief Window size: Linux's `struct winsize` (TIOCGWINSZ). */
struct tty_winsize {
    uint16_t ws_row;    /**< Rows. */
    uint16_t ws_col;    /**< Columns. */
    uint16_t ws_xpixel; /**< Unused. */
    uint16_t ws_ypixel; /**< Unused. */
};

/** @brief What the system provides to a tty. */
struct tty_ops {
    /** @brief Show bytes (already processed): called with the tty lock held. */
    void (*output)(void *ctx, const char *s, size_t n);
    /** @brief Send @p sig to process group @p pgrp (> 0): with the lock held. May be NULL. */
    void (*signal)(void *ctx, int pgrp, int sig);
    /**
     * @brief Sleep until @p ready(arg) is true, a signal is pending for the
     * caller, or @p timeout_ms passes (0: no timeout). Called without the
     * lock; ready() takes it. tty_wake() is called whenever ready() may have
     * become true.
     * @return 0 when ready, -EINTR, -ETIMEDOUT
     */
    int (*wait)(void *ctx, bool (*ready)(void *arg), void *arg, uint32_t timeout_ms);
    /** @brief Input arrived or settings changed: wake sleepers in wait(). May be NULL. */
    void (*wake)(void *ctx);
    /** @brief A reader made room after tty_receive_room() said 0. May be NULL. */
    void (*room)(void *ctx);
};

/** @brief Bytes of input a tty holds (Linux: 4096). */
#define TTY_BUF 4096

/** @brief One terminal. All fields are private to tty.c; use the functions. */
struct tty {
    const struct tty_ops *ops;           /**< The system's hooks. */
    void *ctx;                           /**< Passed to them. */
    const struct console_lock_ops *lock; /**< The lock (NULL: none, single-threaded tests). */
    void *lock_ctx;                      /**< Passed to it. */
    struct tty_termios tio;              /**< Settings. */
    struct tty_winsize ws;               /**< Window size. */
    int sid;                             /**< Session it controls (0: none). */
    int pgrp;                            /**< Foreground process group (0: none). */
    uint8_t buf[TTY_BUF];                /**< Input ring. */
    uint8_t flags[TTY_BUF];              /**< Per byte: ends a line, is an end of file. */
    uint32_t head;                       /**< Next byte to read (counts up, wraps). */
    uint32_t canon;                      /**< End of what readers may take. */
    uint32_t tail;                       /**< End of input (the line being edited ends here). */
    uint32_t column;                     /**< Screen column of the output. */
    uint32_t canon_column;               /**< Column where the edited line started. */
    bool lnext;                          /**< The next byte is taken literally. */
    bool stalled;                        /**< The feeder saw no room: call room() on a read. */
};

/**
 * @brief Set up a terminal with Linux's default settings and an 80x25 window.
 * @param t        the terminal (caller-owned; must outlive its use)
 * @param ops      the hooks (must outlive the terminal)
 * @param ctx      passed to them
 * @param lock     the lock for its state, or NULL
 * @param lock_ctx passed to the lock
 */
void tty_init(struct tty *t, const struct tty_ops *ops, void *ctx,
              const struct console_lock_ops *lock, void *lock_ctx);

/**
 * @brief Linux's default settings (what a new terminal starts with).
 * @param tio filled in
 */
void tty_default_termios(struct tty_termios *tio);

/**
 * @brief Settings for raw input: no canonical mode, echo, signals or input
 * translation, VMIN 1 and VTIME 0; output processing kept (cfmakeraw()
 * without its `OPOST` change).
 * @param tio changed in place
 */
void tty_make_raw(struct tty_termios *tio);

/**
 * @brief Process one input byte (from the keyboard or the serial line).
 * Dropped when the buffer is full (see tty_receive_room()).
 * @param t the terminal
 * @param c the byte
 */
void tty_receive(struct tty *t, uint8_t c);

/**
 * @brief How many more bytes the input can take now. In canonical mode it is
 * never 0 while no line is complete, so editing keys always get through.
 * When it is 0 the caller should hold input back (a later read calls
 * tty_ops.room).
 * @param t the terminal
 * @return bytes of room
 */
size_t tty_receive_room(struct tty *t);

/**
 * @brief Read input, sleeping through tty_ops.wait as the mode requires:
 * canonical mode returns at most one line (0 for end of file), raw mode
 * waits for `min(VMIN, n)` bytes (VTIME 0), for a first byte and then gaps
 * of at most VTIME tenths (both set), or at most VTIME tenths for any byte
 * (VMIN 0); VMIN 0 and VTIME 0 never waits.
 * @param t   the terminal
 * @param buf where the bytes go
 * @param n   room in @p buf
 * @return bytes read (0: end of file, or nothing before a VMIN 0 timeout),
 *         or -EINTR when a signal came first
 */
long tty_read(struct tty *t, void *buf, size_t n);

/**
 * @brief Write bytes through output processing to tty_ops.output.
 * @param t the terminal
 * @param buf the bytes
 * @param n   how many
 * @return @p n
 */
long tty_write(struct tty *t, const void *buf, size_t n);

/** @brief When tty_set_termios() applies the new settings. */
enum tty_when {
    TTY_SET_NOW,   /**< At once (TCSETS). */
    TTY_SET_DRAIN, /**< After output drains (TCSETSW; output never waits here). */
    TTY_SET_FLUSH, /**< After draining, discarding unread input (TCSETSF). */
};

/**
 * @brief Change the settings. Turning ICANON off makes the line being edited
 * readable; turning it on processes the bytes not yet read again under the
 * new settings (so input typed ahead while a raw reader ran is edited, echoed
 * and split into lines as if typed now).
 * @param t    the terminal
 * @param tio  the new settings
 * @param when TTY_SET_*
 */
void tty_set_termios(struct tty *t, const struct tty_termios *tio, enum tty_when when);

/** @brief Current settings. @param t the terminal @param tio filled in */
void tty_get_termios(struct tty *t, struct tty_termios *tio);

/** @brief Window size. @param t the terminal @param ws filled in */
void tty_get_winsize(struct tty *t, struct tty_winsize *ws);

/**
 * @brief Set the window size; a change sends SIGWINCH to the foreground group.
 * @param t the terminal
 * @param ws the new size
 */
void tty_set_winsize(struct tty *t, const struct tty_winsize *ws);

/** @brief Which queue tty_flush() empties (Linux's TCIFLUSH, TCOFLUSH, TCIOFLUSH). */
enum tty_queue { TTY_FLUSH_INPUT = 0, TTY_FLUSH_OUTPUT = 1, TTY_FLUSH_BOTH = 2 };

/**
 * @brief Discard unread input (output is never queued, so there is nothing
 * to discard there).
 * @param t the terminal
 * @param q TTY_FLUSH_*
 * @return 0, or -EINVAL for another @p q
 */
int tty_flush(struct tty *t, int q);

/**
 * @brief Bytes a read could return now (FIONREAD): in canonical mode those of
 * complete lines, end-of-file marks not counted.
 * @param t the terminal
 * @return the count
 */
size_t tty_input_count(struct tty *t);

/** @brief The session the terminal controls (0: none). @param t the terminal @return sid */
int tty_session(struct tty *t);

/** @brief The foreground process group (0: none). @param t the terminal @return pgrp */
int tty_pgrp(struct tty *t);

/**
 * @brief Make the terminal the controlling terminal of session @p sid, with
 * @p pgrp in the foreground (the caller checked the rules).
 * @param t    the terminal
 * @param sid  the session (> 0)
 * @param pgrp its foreground group (> 0)
 */
void tty_set_session(struct tty *t, int sid, int pgrp);

/**
 * @brief Put another process group in the foreground (the caller checked
 * that it belongs to the terminal's session).
 * @param t    the terminal
 * @param pgrp the group (> 0)
 */
void tty_set_pgrp(struct tty *t, int pgrp);

/**
 * @brief The session @p sid gives the terminal up (its leader exited, or it
 * called TIOCNOTTY): the foreground group gets SIGHUP and SIGCONT, and the
 * terminal controls no session. Nothing happens if @p sid does not control it.
 * @param t   the terminal
 * @param sid the session
 * @return true if @p sid controlled the terminal
 */
bool tty_hangup(struct tty *t, int sid);

#endif
