/* false.c - do nothing, unsuccessfully (POSIX false): exit status 1. */
int main(void)
{
    return 1;
}
