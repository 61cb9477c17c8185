/*
 * sys_tty.c - terminals, process groups and sessions: ioctl (termios, window
 * size, the foreground group, the controlling terminal), setpgid, getpgrp,
 * setsid, getpgid, getsid (syscall.c has the table).
 *
 * The rules are Linux's:
 * - A process is in a process group, which is in a session; fork inherits
 *   both, and a process the kernel starts leads a new session and group.
 * - A terminal controls at most one session, with one foreground group that
 *   its signal characters (^C, ^\, ^Z) reach. A session leader without a
 *   terminal takes one with TIOCSCTTY (opening /dev/console never makes it
 *   the controlling terminal, as on Linux); a process the kernel starts with
 *   /dev/tty as standard input gets it, as a getty would give it. When the leader exits,
 *   the terminal's foreground group gets SIGHUP and SIGCONT and the terminal
 *   is free again.
 * - A background group that reads its controlling terminal gets -EIO (Linux's
 *   answer when SIGTTIN is ignored; Kestrel has no job control, so it is).
 * - p->ctty is the terminal a process inherited; it is its controlling
 *   terminal only while that terminal still controls p->sid, so a hangup or
 *   a new session invalidates it for every member at once.
 *
 * The line discipline is libdev's (dev/tty.h); devfs tells which open files
 * are the terminal. Locking: the terminal locks itself; the process table
 * is read with interrupts disabled (proc.c); the descriptor table read here
 * is the calling process's own, which only its thread changes (vfs/vfs.h).
 */
#include "sys_priv.h"

#include <arch/cpu.h>
#include <dev/tty.h>
#include <k/errno.h>
#include <vfs/devfs.h>

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCSBRK     0x5409
#define TCFLSH     0x540B
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

/* The terminal open on @p fd, or NULL. The caller checked that fd is open. */
static struct tty *fd_tty(struct proc *p, int fd)
{
    struct vfs_file *f = p->files.fds[fd];
    return f ? devfs_tty(f->vn) : NULL;
}

static bool has_ctty(const struct proc *p)
{
    return p->ctty && p->sid > 0 && tty_session(p->ctty) == p->sid;
}

static bool is_ctty(const struct proc *p, struct tty *t)
{
    return p->ctty == t && has_ctty(p);
}

int proc_tty_opened(struct proc *p, int fd)
{
    if (fd < 0)
        return fd;
    struct tty *t = fd_tty(p, fd);
    if (t && devfs_is_dev_tty(p->files.fds[fd]->vn) && !is_ctty(p, t)) {
        vfs_close(&p->files, fd);
        return -ENXIO; /* no controlling terminal */
    }
    return fd;
}

void proc_tty_spawned(struct proc *p)
{
    struct vnode *vn = p->files.fds[0] ? p->files.fds[0]->vn : NULL;
    struct tty *t = devfs_tty(vn);
    if (t && devfs_is_dev_tty(vn) && p->pid == p->sid && tty_session(t) == 0) {
        tty_set_session(t, p->sid, p->pgid);
        p->ctty = t;
    }
}

int proc_tty_read_check(struct proc *p, int fd)
{
    if (fd < 0 || fd >= VFS_FD_MAX || !p->files.fds[fd])
        return 0; /* the read itself reports the bad descriptor */
    struct tty *t = fd_tty(p, fd);
    /* A background group reading its controlling terminal: Linux stops it
     * with SIGTTIN, or fails the read with -EIO when SIGTTIN is ignored, as
     * it is here (no job control yet), so it cannot steal the foreground's
     * input. */
    if (t && is_ctty(p, t) && tty_pgrp(t) != p->pgid)
        return -EIO;
    return 0;
}

void proc_tty_exit(struct proc *p)
{
    if (p->ctty && p->pid == p->sid)
        tty_hangup(p->ctty, p->sid);
}

static int get_int(struct proc *p, uint64_t u, int *v)
{
    return uvm_copy_in(&p->vm, v, u, sizeof(*v)) ? -EFAULT : 0;
}

static int put_int(struct proc *p, uint64_t u, int v)
{
    return uvm_copy_out(&p->vm, u, &v, sizeof(v)) ? -EFAULT : 0;
}

static int64_t set_termios(struct proc *p, struct tty *t, uint64_t arg, enum tty_when when)
{
    struct tty_termios tio;
    if (uvm_copy_in(&p->vm, &tio, arg, sizeof(tio)))
        return -EFAULT;
    tty_set_termios(t, &tio, when);
    return 0;
}

/* TIOCSPGRP: a group of the caller's session goes to the foreground. */
static int64_t set_pgrp(struct proc *p, struct tty *t, uint64_t arg)
{
    int pgrp;
    if (!is_ctty(p, t))
        return -ENOTTY;
    if (get_int(p, arg, &pgrp))
        return -EFAULT;
    if (pgrp < 0)
        return -EINVAL;
    int sid = proc_group_session(pgrp);
    if (sid == 0)
        return -ESRCH;
    if (sid != p->sid)
        return -EPERM;
    tty_set_pgrp(t, pgrp);
    return 0;
}

/* TIOCSCTTY: a session leader without a terminal takes this one; @p force
 * (root, which every process is) takes it from another session. */
static int64_t set_ctty(struct proc *p, struct tty *t, uint64_t force)
{
    if (is_ctty(p, t))
        return 0;
    if (p->pid != p->sid || has_ctty(p))
        return -EPERM;
    int owner = tty_session(t);
    if (owner && force != 1)
        return -EPERM;
    tty_set_session(t, p->sid, p->pgid);
    p->ctty = t;
    return 0;
}

int64_t proc_sys_ioctl(struct proc *p, uint64_t fd, uint64_t req, uint64_t arg, uint64_t a3,
                       uint64_t a4, uint64_t a5)
{
    struct vfs_stat st;
    int r = vfs_fstat(&p->files, (int)fd, &st);
    if (r)
        return r;
    struct tty *t = fd_tty(p, (int)fd);
    if (!t)
        return -ENOTTY;
    switch ((uint32_t)req) {
    case TCGETS: {
        struct tty_termios tio;
        tty_get_termios(t, &tio);
        return uvm_copy_out(&p->vm, arg, &tio, sizeof(tio)) ? -EFAULT : 0;
    }
    case TCSETS:
        return set_termios(p, t, arg, TTY_SET_NOW);
    case TCSETSW:
        return set_termios(p, t, arg, TTY_SET_DRAIN);
    case TCSETSF:
        return set_termios(p, t, arg, TTY_SET_FLUSH);
    case TCSBRK: /* tcdrain, tcsendbreak: output is never queued */
        return 0;
    case TCFLSH:
        return tty_flush(t, (int)arg);
    case TIOCGWINSZ: {
        struct tty_winsize ws;
        tty_get_winsize(t, &ws);
        return uvm_copy_out(&p->vm, arg, &ws, sizeof(ws)) ? -EFAULT : 0;
    }
    case TIOCSWINSZ: {
        struct tty_winsize ws;
        if (uvm_copy_in(&p->vm, &ws, arg, sizeof(ws)))
            return -EFAULT;
        tty_set_winsize(t, &ws);
        return 0;
    }
    case TIOCGPGRP:
        return is_ctty(p, t) ? put_int(p, arg, tty_pgrp(t)) : -ENOTTY;
    case TIOCSPGRP:
        return set_pgrp(p, t, arg);
    case TIOCGSID:
        return is_ctty(p, t) ? put_int(p, arg, p->sid) : -ENOTTY;
    case TIOCSCTTY:
        return set_ctty(p, t, arg);
    case TIOCNOTTY:
        if (!is_ctty(p, t))
            return -ENOTTY;
        if (p->pid == p->sid)
            tty_hangup(t, p->sid);
        p->ctty = NULL;
        return 0;
    case FIONREAD:
        return put_int(p, arg, (int)tty_input_count(t));
    case TIOCOUTQ: /* output is never queued */
        return put_int(p, arg, 0);
    default:
        return -ENOTTY; /* as Linux answers a request the terminal does not know */
    }
}

/* ---- process groups and sessions ---- */

int64_t proc_sys_setpgid(struct proc *p, uint64_t upid, uint64_t upgid, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    int pid = (int)upid, pgid = (int)upgid;
    if (pgid < 0)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    struct proc *t = pid == 0 ? p : proc_find(pid);
    int64_t r = 0;
    if (!t || t->state != PROC_LIVE || (t != p && t->parent != p))
        r = -ESRCH; /* only the caller or one of its children */
    else if (t != p && t->sid != p->sid)
        r = -EPERM;
    else if (t != p && t->execed)
        r = -EACCES;
    else if (t->pid == t->sid)
        r = -EPERM; /* a session leader stays in its group */
    if (!r) {
        int g = pgid ? pgid : t->pid;
        if (g != t->pid && proc_group_session(g) != p->sid)
            r = -EPERM; /* join only an existing group of this session */
        else
            t->pgid = g;
    }
    cpu_irq_restore(f);
    return r;
}

int64_t proc_sys_getpgrp(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return p->pgid;
}

int64_t proc_sys_setsid(struct proc *p, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    uint64_t f = cpu_irq_save();
    int64_t r = -EPERM; /* a group leader (or anyone in a group named by its pid) can't */
    if (proc_group_session(p->pid) == 0) {
        p->sid = p->pgid = p->pid;
        p->ctty = NULL;
        r = p->sid;
    }
    cpu_irq_restore(f);
    return r;
}

/* getpgid and getsid: of the caller (pid 0) or any process. */
static int64_t get_id(struct proc *p, uint64_t upid, bool session)
{
    int pid = (int)upid;
    if (pid < 0)
        return -ESRCH;
    uint64_t f = cpu_irq_save();
    struct proc *t = pid == 0 ? p : proc_find(pid);
    int64_t r = !t || t->state != PROC_LIVE ? -ESRCH : session ? t->sid : t->pgid;
    cpu_irq_restore(f);
    return r;
}

int64_t proc_sys_getpgid(struct proc *p, uint64_t pid, uint64_t a1, uint64_t a2, uint64_t a3,
                         uint64_t a4, uint64_t a5)
{
    return get_id(p, pid, false);
}

int64_t proc_sys_getsid(struct proc *p, uint64_t pid, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    return get_id(p, pid, true);
}
