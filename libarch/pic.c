/*
 * pic.c - the 8259 PIC driver (arch/pic.h) and its irq_chip for the IRQ layer
 * (irq.c).
 */
#include <arch/cpu.h>
#include <k/errno.h>
#include <arch/pic.h>

#define ICW1_INIT     0x10
#define ICW1_ICW4     0x01
#define ICW4_8086     0x01
#define OCW3_READ_ISR 0x0b

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

void pic_disable(void)
{
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}

static int chip_unmask(int irq)
{
    pic_unmask(irq);
    return 0;
}

const struct irq_chip pic_irq_chip = {
    .name = "8259 PIC",
    .unmask = chip_unmask,
    .mask = pic_mask,
    .eoi = pic_eoi,
    .spurious = pic_check_spurious,
};
