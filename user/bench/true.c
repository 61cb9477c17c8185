/*
 * true.c - exits with status 0 and does nothing else: the program that
 * procbench's fork_exec_us row execve()s (installed as /bin/true_static on
 * Kestrel's disk and in the Linux benchmark's initramfs).
 */
int main(void)
{
    return 0;
}
