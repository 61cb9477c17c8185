/*
 * pci_mock.h - a simulated PCI configuration space behind ports 0xCF8/0xCFC.
 *
 * Functions are added sparsely (bus, slot, function) with a 256-byte header and
 * a per-byte write mask, so BAR sizing behaves like hardware: writing all ones
 * to a BAR reads back the size mask and the read-only type bits. Port accesses
 * outside 0xCF8-0xCFF go to an optional next device (a legacy virtio I/O BAR).
 */
#ifndef TESTS_PCI_MOCK_H
#define TESTS_PCI_MOCK_H

#include "cpu_mock.h"
#include <stdbool.h>
#include <stdint.h>

#define PCI_MOCK_FNS 48

struct pci_mock_fn {
    bool present;
    uint8_t bus, slot, func;
    uint8_t cfg[256];
    uint8_t wmask[256];
    uint8_t last_cap; /* for chaining capabilities */
    uint8_t next_cap; /* where the next capability goes */
};

struct pci_mock {
    struct pci_mock_fn fns[PCI_MOCK_FNS];
    uint32_t addr;
    port_device_fn next;
    void *next_ctx;
    unsigned cfg_reads, cfg_writes;
    unsigned cmd_writes;           /* writes that reach the command register */
    unsigned sized_while_decoding; /* all ones written to a BAR with I/O or memory decoding on */
};

#define PCI_MOCK_COMMAND 0x04 /* the command register's offset */

enum { PCI_MOCK_IO = 1, PCI_MOCK_MEM32, PCI_MOCK_MEM64 };

void pci_mock_init(struct pci_mock *m);
/* Route the CPU mock's ports to @m (and the rest to next). */
void pci_mock_install(struct pci_mock *m, port_device_fn next, void *next_ctx);
struct pci_mock_fn *pci_mock_add(struct pci_mock *m, uint8_t bus, uint8_t slot, uint8_t func,
                                 uint16_t vendor, uint16_t device, uint8_t cls, uint8_t sub,
                                 uint8_t header_type);
void pci_mock_set_bar(struct pci_mock_fn *f, int index, int type, bool prefetch, uint64_t base,
                      uint64_t size);
/* Append a capability: @body is copied after the ID and next bytes. Returns its offset. */
uint8_t pci_mock_add_cap(struct pci_mock_fn *f, uint8_t id, const uint8_t *body, uint8_t len);
void pci_mock_set_bridge(struct pci_mock_fn *f, uint8_t secondary, uint8_t subordinate);
void pci_mock_set_irq(struct pci_mock_fn *f, uint8_t line, uint8_t pin);
/* The port device (exposed so other models can chain to it). */
uint32_t pci_mock_io(void *ctx, uint16_t port, int width, bool write, uint32_t val);

#endif
