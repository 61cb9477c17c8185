/**
 * @file shell/limits.h
 * @brief The shell's fixed limits, shared by the editor, history and parser.
 */
#ifndef SHELL_LIMITS_H
#define SHELL_LIMITS_H

/** Longest line the shell accepts, including its terminating NUL. */
#define SHELL_LINE_MAX 1024

#endif
