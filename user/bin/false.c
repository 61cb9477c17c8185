/* false.c - do nothing, unsuccessfully (POSIX false): exit status 1. */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 1;
}
