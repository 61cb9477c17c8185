/*
 * pic.c - 8259 PIC driver and the IRQ dispatch layer (arch/pic.h).
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>

#define ICW1_INIT     0x10
#define ICW1_ICW4     0x01
#define ICW4_8086     0x01
#define OCW3_READ_ISR 0x0b

struct irq_slot {
    irq_handler_fn fn;
    void *ctx;
    uint64_t count;
};

static struct irq_slot irqs[IRQ_LINES];
static uint64_t spurious;
static void (*exit_hook)(void);
static unsigned depth;

void pic_init(void)
{
    outb(PIC1_DATA, 0xff); /* mask everything while reprogramming */
    outb(PIC2_DATA, 0xff);
    outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
    io_wait();
    outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
    io_wait();
    outb(PIC1_DATA, TRAP_IRQ_BASE); /* ICW2: vector offsets */
    io_wait();
    outb(PIC2_DATA, TRAP_IRQ_BASE + 8);
    io_wait();
    outb(PIC1_DATA, 1 << IRQ_CASCADE); /* ICW3: slave on IRQ 2 */
    io_wait();
    outb(PIC2_DATA, IRQ_CASCADE); /* ICW3: slave's cascade identity */
    io_wait();
    outb(PIC1_DATA, ICW4_8086);
    io_wait();
    outb(PIC2_DATA, ICW4_8086);
    io_wait();
    outb(PIC1_DATA, (uint8_t) ~(1 << IRQ_CASCADE));
    outb(PIC2_DATA, 0xff);
}

static uint16_t data_port(int irq)
{
    return irq < 8 ? PIC1_DATA : PIC2_DATA;
}

void pic_mask(int irq)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return;
    uint64_t f = cpu_irq_save();
    uint16_t port = data_port(irq);
    outb(port, inb(port) | (uint8_t)(1 << (irq & 7)));
    cpu_irq_restore(f);
}

void pic_unmask(int irq)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return;
    uint64_t f = cpu_irq_save();
    uint16_t port = data_port(irq);
    outb(port, inb(port) & (uint8_t) ~(1 << (irq & 7)));
    cpu_irq_restore(f);
}

uint16_t pic_get_mask(void)
{
    return (uint16_t)(inb(PIC2_DATA) << 8 | inb(PIC1_DATA));
}

uint16_t pic_read_isr(void)
{
    outb(PIC1_CMD, OCW3_READ_ISR);
    outb(PIC2_CMD, OCW3_READ_ISR);
    return (uint16_t)(inb(PIC2_CMD) << 8 | inb(PIC1_CMD));
}

void pic_eoi(int irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

bool pic_check_spurious(int irq)
{
    if (irq != 7 && irq != 15)
        return false;
    if (pic_read_isr() & (1u << irq))
        return false;
    if (irq == 15)
        outb(PIC1_CMD, PIC_EOI); /* the master did see the cascade line */
    return true;
}

void irq_dispatch(struct trap_frame *tf)
{
    int irq = (int)tf->vector - TRAP_IRQ_BASE;
    if (irq < 0 || irq >= IRQ_LINES)
        return;
    if (pic_check_spurious(irq)) {
        spurious++;
        return;
    }
    irqs[irq].count++;
    depth++;
    if (irqs[irq].fn)
        irqs[irq].fn(irqs[irq].ctx, tf);
    depth--;
    pic_eoi(irq);
    if (exit_hook)
        exit_hook(); /* may switch threads: the PIC is ready for the next IRQ */
}

void irq_set_exit_hook(void (*hook)(void))
{
    exit_hook = hook;
}

unsigned irq_depth(void)
{
    return depth;
}

void irq_init(void)
{
    for (int v = TRAP_IRQ_BASE; v < TRAP_IRQ_BASE + IRQ_LINES; v++)
        trap_set_handler(v, irq_dispatch);
}

int irq_set_handler(int irq, irq_handler_fn fn, void *ctx)
{
    if (irq < 0 || irq >= IRQ_LINES)
        return -EINVAL;
    uint64_t f = cpu_irq_save();
    irqs[irq].fn = fn;
    irqs[irq].ctx = ctx;
    cpu_irq_restore(f);
    return 0;
}

uint64_t irq_count(int irq)
{
    return irq >= 0 && irq < IRQ_LINES ? irqs[irq].count : 0;
}

uint64_t irq_spurious_count(void)
{
    return spurious;
}
