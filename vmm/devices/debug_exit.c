/* Debug-exit port: the guest's verdict. The hypervisor then prints the status and its exit
 * statistics and powers the machine off with the same status. */
#include "vmm/devices/debug_exit.h"

#include "include/mica/abi.h"
#include "vmm/guest.h"

static void debug_exit_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                          uint32_t *value)
{
    struct guest *guest = device;
    (void)port;
    (void)size;
    if (dir == IO_IN) {
        *value = 0xffffffffu; /* write-only, like QEMU's device */
        return;
    }
    guest_exit(guest, (uint8_t)*value);
}

int debug_exit_attach(struct guest *guest)
{
    return iobus_register(&guest->iobus, MICA_PORT_DEBUG_EXIT, 1, debug_exit_io, guest,
                          "debug-exit");
}
