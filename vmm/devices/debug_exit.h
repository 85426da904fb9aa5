/* Debug-exit device (port 0xf4, QEMU's isa-debug-exit convention): a write ends the guest with the
 * value written as its status. */
#ifndef MICA_VMM_DEVICES_DEBUG_EXIT_H
#define MICA_VMM_DEVICES_DEBUG_EXIT_H

struct guest;
int debug_exit_attach(struct guest *guest);

#endif
