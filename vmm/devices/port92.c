/* Port 0x92 model: reads show A20 enabled; a write with the reset bit stops the guest with a
 * message (mica does not reboot guests). */
#include "vmm/devices/port92.h"

#include "vmm/guest.h"

static void port92_io(void *device, uint16_t port, unsigned size, enum io_direction dir,
                      uint32_t *value)
{
    struct guest *guest = device;
    (void)port;
    (void)size;
    if (dir == IO_IN) {
        *value = PORT92_A20_ENABLE;
        return;
    }
    if (*value & PORT92_FAST_RESET)
        guest_stop(guest, "the guest asked for a reset through port 0x92 (fast reset)");
}

int port92_attach(struct guest *guest)
{
    return iobus_register(&guest->iobus, PORT92_PORT, 1, port92_io, guest, "port92-a20-reset");
}
