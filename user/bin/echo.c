/*
 * echo.c - write the arguments, separated by spaces, and a newline.
 *
 *   echo [-neE] [STRING...]
 * As GNU echo: -n drops the newline, -e interprets backslash escapes
 * (\\ \a \b \c \e \f \n \r \t \v \0NNN \xHH; \c stops all output), -E (the
 * default) does not. An argument is taken as options only if it is made of
 * those letters alone.
 */
#include <stdio.h>
#include <string.h>

static int is_options(const char *s)
{
    if (s[0] != '-' || s[1] == '\0')
        return 0;
    return strspn(s + 1, "neE") == strlen(s + 1);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Print @s with escapes interpreted; return 1 if \c asked to stop. */
static int put_escaped(const char *s)
{
    while (*s) {
        if (*s != '\\' || s[1] == '\0') {
            putchar(*s++);
            continue;
        }
        s++;
        int c = *s++;
        switch (c) {
        case 'a':
            putchar('\a');
            break;
        case 'b':
            putchar('\b');
            break;
        case 'c':
            return 1;
        case 'e':
            putchar(033);
            break;
        case 'f':
            putchar('\f');
            break;
        case 'n':
            putchar('\n');
            break;
        case 'r':
            putchar('\r');
            break;
        case 't':
            putchar('\t');
            break;
        case 'v':
            putchar('\v');
            break;
        case '\\':
            putchar('\\');
            break;
        case '0': {
            int v = 0;
            for (int i = 0; i < 3 && *s >= '0' && *s <= '7'; i++)
                v = v * 8 + (*s++ - '0');
            putchar(v);
            break;
        }
        case 'x': {
            if (hexval(*s) < 0) { /* "\x" without digits is printed as it is */
                putchar('\\');
                putchar('x');
                break;
            }
            int v = hexval(*s++);
            if (hexval(*s) >= 0)
                v = v * 16 + hexval(*s++);
            putchar(v);
            break;
        }
        default:
            putchar('\\');
            putchar(c);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int newline = 1, escapes = 0, i = 1;
    for (; i < argc && is_options(argv[i]); i++) {
        for (const char *p = argv[i] + 1; *p; p++) {
            if (*p == 'n')
                newline = 0;
            else
                escapes = (*p == 'e');
        }
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            putchar(' ');
        if (!escapes) {
            fputs(argv[i], stdout);
        } else if (put_escaped(argv[i])) {
            newline = 0;
            break;
        }
    }
    if (newline)
        putchar('\n');
    return fflush(stdout) == 0 ? 0 : 1;
}
