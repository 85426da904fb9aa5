/* The guest's primary ATA channel as disk= chooses it: an emulated PIO disk (no drive, a zeroed
 * memory disk or a GRUB module as the image) or the machine's own channel passed through. */
#ifndef MICA_VMM_DISK_H
#define MICA_VMM_DISK_H

#include "vmm/guest.h"

/* Sets up the channel on g's port bus and interrupt controller (after platform_init). Bad
 * settings (no module, no memory) are fatal errors with a message. */
void disk_attach(struct guest *g);
/* One line for the exit report: what the channel was and what it did. */
void disk_report(const struct guest *g);

#endif
