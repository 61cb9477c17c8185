/**
 * @file shell/limits.h
 * @brief The shell's fixed limits, shared by the editor, history and parser.
 */
#ifndef SHELL_LIMITS_H
#define SHELL_LIMITS_H

#ifndef SHELL_LINE_MAX
/**
 * Longest line the shell accepts, including its terminating NUL. A port may
 * define it on the compiler's command line: /bin/sh builds the editor and the
 * history with a larger value (mk/sh.mk); the unit tests keep this one.
 */
#define SHELL_LINE_MAX 1024
#endif

#endif
