/* true.c - do nothing, successfully (POSIX true): exit status 0. */
int main(void)
{
    return 0;
}
