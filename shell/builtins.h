/*
 * builtins.h - private: the commands every shell has (builtins.c).
 */
#ifndef SHELL_BUILTINS_H
#define SHELL_BUILTINS_H

#include <shell/shell.h>

/**
 * @brief Register help, echo, clear and history.
 * @param sh the shell
 * @return 0 or the error of shell_register()
 */
int shell_builtins_register(struct shell *sh);

#endif
