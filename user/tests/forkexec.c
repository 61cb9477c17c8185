/*
 * forkexec.c - fork, copy-on-write isolation, execve and wait4 from user space.
 * Usage: forkexec PROGRAM [ARGS...]: forks; the child writes its own value
 * into a shared-looking variable and then runs PROGRAM; the parent checks its
 * value is untouched, waits, and prints how the child ended.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int value = 1;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: forkexec PROGRAM [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        value = 2;
        if (value != 2)
            _exit(3);
        execv(argv[1], argv + 1);
        perror("execv");
        _exit(127);
    }
    value = 3;
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("waitpid");
        return 1;
    }
    printf("parent %d: value %d, child %d ", (int)getpid(), value, (int)pid);
    if (WIFEXITED(status))
        printf("exited with %d\n", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("killed by signal %d\n", WTERMSIG(status));
    return value == 3 ? 0 : 1;
}
