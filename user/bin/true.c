/* true.c - do nothing, successfully (POSIX true): exit status 0. */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 0;
}
