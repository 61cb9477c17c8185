/*
 * builtins.c - the commands that need nothing outside the shell: help, echo,
 * clear and history.
 *
 * Layer: plain command handlers on top of the shell core (shell.c), registered
 * by shell_init() through shell_builtins_register(). They print only through
 * shell_printf()/shell_eprintf(), so redirection works for them as for any
 * command.
 */
#include "builtins.h"
#include <string.h>

/* `help`: the command list, sorted by name; `help CMD`: its usage text. */
static int cmd_help(struct shell *sh, int argc, char **argv)
{
    if (argc > 2)
        return shell_usage(sh, argv[0]);
    if (argc == 2) {
        const struct shell_cmd *c = shell_find(sh, argv[1]);
        if (!c) {
            shell_eprintf(sh, "help: %s: no such command (try 'help')\n", argv[1]);
            return 1;
        }
        shell_printf(sh, "%s - %s\n", c->name, c->summary ? c->summary : "");
        if (c->usage && c->usage[0]) {
            size_t n = strlen(c->usage);
            shell_printf(sh, "usage: %s%s", c->usage, c->usage[n - 1] == '\n' ? "" : "\n");
        }
        return 0;
    }
    const struct shell_cmd *sorted[SHELL_MAX_CMDS];
    int width = 0;
    for (unsigned i = 0; i < sh->ncmds; i++) {
        const struct shell_cmd *c = sh->cmds[i];
        unsigned j = i;
        while (j > 0 && strcmp(sorted[j - 1]->name, c->name) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = c;
        int n = (int)strlen(c->name);
        if (n > width)
            width = n;
    }
    shell_printf(sh, "Commands ('help CMD' for details):\n");
    for (unsigned i = 0; i < sh->ncmds; i++)
        shell_printf(sh, "  %-*s  %s\n", width, sorted[i]->name,
                     sorted[i]->summary ? sorted[i]->summary : "");
    return 0;
}

/* `echo [-n] WORD...`: the words separated by single spaces. */
static int cmd_echo(struct shell *sh, int argc, char **argv)
{
    bool newline = true;
    int i = 1;
    while (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = false;
        i++;
    }
    for (; i < argc; i++) {
        shell_write(sh, argv[i], strlen(argv[i]));
        if (i + 1 < argc)
            shell_write(sh, " ", 1);
    }
    if (newline)
        shell_write(sh, "\n", 1);
    return 0;
}

static int cmd_clear(struct shell *sh, int argc, char **argv)
{
    if (argc != 1)
        return shell_usage(sh, argv[0]);
    shell_write(sh, "\x1b[2J\x1b[H", 7);
    sh->partial_line = false; /* the cursor is home: no newline before the prompt */
    return 0;
}

/* `history`: oldest first, numbered from 1; `history -c` forgets everything. */
static int cmd_history(struct shell *sh, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "-c") == 0) {
        shell_history_init(&sh->history);
        return 0;
    }
    if (argc != 1)
        return shell_usage(sh, argv[0]);
    unsigned n = shell_history_count(&sh->history);
    for (unsigned i = 0; i < n; i++)
        shell_printf(sh, "%5u  %s\n", i + 1, shell_history_get(&sh->history, n - 1 - i));
    return 0;
}

static const struct shell_cmd builtins[] = {
    { "clear", cmd_clear, "clear the screen",
      "clear\nErase the screen and put the cursor home.\n" },
    { "echo", cmd_echo, "print arguments",
      "echo [-n] [WORD]...\nPrint the WORDs separated by spaces, then a newline.\n"
      "  -n  do not print the newline\n" },
    { "help", cmd_help, "list commands, or show how to use one",
      "help [COMMAND]\nWithout COMMAND, list every command; with it, show its usage.\n" },
    { "history", cmd_history, "show the lines entered",
      "history [-c]\nList the last lines entered, oldest first.\n"
      "  -c  forget them all\n" },
};

int shell_builtins_register(struct shell *sh)
{
    return shell_register(sh, builtins, sizeof(builtins) / sizeof(builtins[0]));
}
