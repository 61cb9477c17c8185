/*
 * exec.c - load a program: copy the argument vectors in, parse the ELF file
 * (elf.c), map its segments in a new address space from the program's shared
 * pages (exec_image.c: one copy of each running program's file pages, shared
 * by every process that runs it), build the initial stack (ustack.c), and give
 * the frame to enter it with.
 *
 * The new address space is complete before the caller lets go of the old one,
 * so a failed execve leaves the calling process as it was.
 */
#include "proc_priv.h"

#include <k/errno.h>
#include <mm/heap.h>
#include <proc/elf.h>
#include <proc/exec_image.h>
#include <proc/ustack.h>
#include <string.h>

/* The pages of the programs that run (proc/exec_image.h); its own spinlock
 * guards it. */
static struct exec_cache images;

void proc_exec_init(void)
{
    exec_cache_init(&images, proc_cfg.kernel_as->frames, kmalloc, kfree);
}

void proc_exec_sweep(void)
{
    exec_cache_sweep(&images);
}

void proc_exec_stats(struct exec_cache_stats *st)
{
    exec_cache_stats(&images, st);
}

static int args_alloc(struct proc_args *a, int argc, int envc)
{
    a->buf = kmalloc(PROC_ARG_MAX);
    a->argv = kmalloc(sizeof(char *) * (size_t)(argc + 1));
    a->envp = kmalloc(sizeof(char *) * (size_t)(envc + 1));
    a->used = 0;
    a->argc = argc;
    a->envc = envc;
    if (!a->buf || !a->argv || !a->envp) {
        proc_args_free(a);
        return -ENOMEM;
    }
    return 0;
}

void proc_args_free(struct proc_args *a)
{
    kfree(a->buf);
    kfree(a->argv);
    kfree(a->envp);
    a->buf = NULL;
    a->argv = a->envp = NULL;
}

static const char *args_add(struct proc_args *a, const char *s, size_t n)
{
    if (n + 1 > PROC_ARG_MAX - a->used)
        return NULL;
    char *d = a->buf + a->used;
    memcpy(d, s, n);
    d[n] = '\0';
    a->used += n + 1;
    return d;
}

static int count(char *const v[])
{
    int n = 0;
    while (v && v[n])
        n++;
    return n;
}

int proc_args_from_kernel(struct proc_args *a, char *const argv[], char *const envp[])
{
    int err = args_alloc(a, count(argv), count(envp));
    if (err)
        return err;
    for (int i = 0; i < a->argc; i++)
        if (!(a->argv[i] = args_add(a, argv[i], strlen(argv[i]))))
            goto big;
    for (int i = 0; i < a->envc; i++)
        if (!(a->envp[i] = args_add(a, envp[i], strlen(envp[i]))))
            goto big;
    a->argv[a->argc] = a->envp[a->envc] = NULL;
    return 0;
big:
    proc_args_free(a);
    return -E2BIG;
}

/* Count a user vector's pointers (NULL-terminated); -EFAULT or -E2BIG. */
static int user_count(struct uvm *vm, uint64_t uv)
{
    if (!uv)
        return 0;
    for (int n = 0;; n++) {
        uint64_t ptr;
        if (n > (int)(PROC_ARG_MAX / sizeof(uint64_t)))
            return -E2BIG;
        if (uvm_copy_in(vm, &ptr, uv + (uint64_t)n * 8, 8))
            return -EFAULT;
        if (!ptr)
            return n;
    }
}

static int user_strings(struct proc_args *a, struct uvm *vm, uint64_t uv, int n, const char **out)
{
    for (int i = 0; i < n; i++) {
        uint64_t ptr;
        if (uvm_copy_in(vm, &ptr, uv + (uint64_t)i * 8, 8))
            return -EFAULT;
        long len = uvm_strncpy_in(vm, a->buf + a->used, ptr, PROC_ARG_MAX - a->used);
        if (len == -ENAMETOOLONG)
            return -E2BIG;
        if (len < 0)
            return (int)len;
        out[i] = a->buf + a->used;
        a->used += (size_t)len + 1;
    }
    out[n] = NULL;
    return 0;
}

int proc_args_from_user(struct proc_args *a, struct uvm *vm, uint64_t uargv, uint64_t uenvp)
{
    int argc = user_count(vm, uargv), envc = user_count(vm, uenvp);
    if (argc < 0)
        return argc;
    if (envc < 0)
        return envc;
    int err = args_alloc(a, argc, envc);
    if (err)
        return err;
    err = user_strings(a, vm, uargv, argc, a->argv);
    if (!err)
        err = user_strings(a, vm, uenvp, envc, a->envp);
    if (err)
        proc_args_free(a);
    return err;
}

struct file_reader {
    struct vfs_ctx *files;
    int fd;
};

static long read_at(void *ctx, uint64_t off, void *buf, size_t len)
{
    struct file_reader *r = ctx;
    size_t done = 0;
    while (done < len) {
        long n = vfs_pread(r->files, r->fd, (char *)buf + done, len - done, off + done);
        if (n < 0)
            return n;
        if (n == 0)
            break;
        done += (size_t)n;
    }
    return (long)done;
}

int proc_load(struct vfs_ctx *files, const char *path, const struct proc_args *a, struct uvm *vm,
              struct trap_frame *start)
{
    int fd = vfs_open(files, path, VFS_O_RDONLY, 0);
    if (fd < 0)
        return fd;
    struct vfs_stat st;
    int err = vfs_fstat(files, fd, &st);
    if (!err && st.type == VFS_TYPE_DIR)
        err = -EISDIR;
    else if (!err && st.type != VFS_TYPE_FILE)
        err = -EACCES;
    struct file_reader fr = { files, fd };
    struct elf_reader rd = { read_at, &fr, st.size };
    struct elf_image img;
    if (!err)
        err = elf_parse(&rd, PROC_STACK_TOP - PROC_STACK_SIZE - PROC_STACK_GUARD, &img);

    struct uvm_config cfg = { proc_cfg.frames, proc_cfg.kernel_as, kmalloc, kfree };
    bool created = false;
    if (!err) {
        err = uvm_create(vm, &cfg);
        created = !err;
    }
    if (!err) {
        struct exec_image_key key = { st.dev,        st.ino,       st.size,      st.mtime.sec,
                                      st.mtime.nsec, st.ctime.sec, st.ctime.nsec };
        err = exec_cache_map(&images, &key, &rd, &img, vm);
    }
    vfs_close(files, fd);
    if (!err)
        err = uvm_set_brk_base(vm, img.hi);

    uint64_t low;
    if (!err)
        err = uvm_map_stack(vm, PROC_STACK_TOP, PROC_STACK_SIZE, PROC_STACK_GUARD, &low);
    struct ustack_args ua = {
        .argc = a->argc,
        .argv = a->argv,
        .envc = a->envc,
        .envp = a->envp,
        .at_phdr = img.phdr_vaddr,
        .at_phent = img.phentsize,
        .at_phnum = img.phnum,
        .at_entry = img.entry,
        .at_pagesz = 4096,
        .execfn = path,
    };
    proc_cfg.random(ua.at_random, sizeof(ua.at_random));
    size_t need = err ? 0 : ustack_size_needed(&ua);
    uint8_t *stack = NULL;
    if (!err && need > PROC_STACK_SIZE / 2)
        err = -E2BIG;
    if (!err && !(stack = kmalloc(need)))
        err = -ENOMEM;
    size_t used = 0;
    int64_t sp = 0;
    if (!err) {
        sp = ustack_build(stack, need, PROC_STACK_TOP, &ua, &used);
        if (sp < 0)
            err = (int)sp;
    }
    if (!err)
        err = uvm_populate(vm, PROC_STACK_TOP - used, stack + need - used, used);
    kfree(stack);
    if (err) {
        if (created)
            uvm_destroy(vm);
        return err;
    }
    arch_user_frame_init(start, img.entry, (uint64_t)sp);
    return 0;
}

void proc_keep_args(struct proc *p, const struct proc_args *a, const char *path)
{
    /* argv's strings come first in the buffer, back to back (args_add). */
    size_t len =
        a->argc ? (size_t)(a->argv[a->argc - 1] - a->buf) + strlen(a->argv[a->argc - 1]) + 1 : 0;
    char *abs = kmalloc(VFS_PATH_MAX);
    bool ok = abs && vfs_abs_path(&p->files, path, abs, VFS_PATH_MAX) == 0;
    proc_set_cmdline(p, a->buf, len, ok ? abs : NULL);
    kfree(abs);
}

int proc_symbolize(struct proc *p, uint64_t addr, char *name, size_t size, uint64_t *offset)
{
    if (!p->exe)
        return -ENOENT;
    int fd = vfs_open(&p->files, p->exe, VFS_O_RDONLY, 0);
    if (fd < 0)
        return fd;
    struct vfs_stat st;
    int err = vfs_fstat(&p->files, fd, &st);
    struct file_reader fr = { &p->files, fd };
    struct elf_reader rd = { read_at, &fr, st.size };
    if (!err)
        err = elf_symbolize(&rd, addr, name, size, offset);
    vfs_close(&p->files, fd);
    return err;
}

int proc_spawn(const char *path, char *const argv[], char *const envp[], struct vfs_ctx *from,
               const char *stdio_path)
{
    if (!path || !argv || !argv[0] || !from)
        return -EINVAL;
    struct proc *p = proc_alloc(NULL, path);
    if (!p)
        return -EAGAIN;
    vfs_ctx_init(&p->files, from);
    int err = 0;
    if (stdio_path) {
        int fd = vfs_open(&p->files, stdio_path, VFS_O_RDWR, 0);
        if (fd < 0)
            err = fd;
        for (int i = 0; !err && i < 3; i++)
            if (i != fd && (err = vfs_dup2(&p->files, fd, i)) > 0)
                err = 0;
        if (fd > 2)
            vfs_close(&p->files, fd);
        if (!err) /* a terminal becomes the new session's controlling terminal */
            proc_tty_spawned(p);
    } else {
        vfs_ctx_copy_fds(&p->files, from);
    }
    struct proc_args a = { 0 };
    if (!err)
        err = proc_args_from_kernel(&a, argv, envp);
    if (!err) {
        err = proc_load(&p->files, path, &a, &p->vm, &p->start);
        p->vm_live = !err;
        if (!err)
            proc_keep_args(p, &a, path);
        proc_args_free(&a);
    }
    int pid = p->pid;
    if (!err)
        err = proc_start_thread(p);
    if (err) {
        vfs_ctx_release(&p->files);
        proc_free(p);
        return err;
    }
    return pid;
}
