/* The vCPU run loop: drain the deferred log, enter the guest, handle the exit, repeat until the
 * guest ends. VMLAUNCH/VMRESUME failures are reported with the VM-instruction error. */
#include "kernel/cpu.h"
#include "kernel/log.h"
#include "kernel/timer.h"
#include "vmm/gdb_server.h"
#include "vmm/monitor.h"
#include "vmm/platform.h"
#include "vmm/rt_task.h"
#include "vmm/vlog.h"
#include "vmm/vmm.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_names.h"

enum vmenter_result {
    VMENTER_EXITED = 0,
    VMENTER_FAIL_INVALID,
    VMENTER_FAIL_VALID,
    VMENTER_HOST_RSP_FAILED
};

int vmx_vmenter(struct guest_regs *regs, int launched);

#define CONSOLE_POLL_NS 10000000ull

/* Bytes typed on the hypervisor's console go to the guest's UART, unless they open the
 * debug monitor (vmm/monitor.c). */
static void poll_console_input(struct vcpu *vcpu)
{
    for (int c; (c = console_getc()) >= 0;)
        monitor_console_byte(vcpu, (uint8_t)c);
}

/* The host's next deadline as a VMX-preemption timer count (SDM 26.5.1), so it interrupts the
 * guest even where an external-interrupt exit would not come (see vmx_cpu.c). */
static void program_preemption_timer(void)
{
    uint64_t deadline = host_timer_deadline_tsc();
    uint64_t count = UINT32_MAX;
    if (deadline != UINT64_MAX) {
        uint64_t now = rdtsc();
        count = deadline > now ? (deadline - now) >> vmx_caps.preemption_timer_rate : 0;
        if (count > UINT32_MAX)
            count = UINT32_MAX;
    }
    vmcs_write(VMX_PREEMPTION_TIMER_VALUE, count);
}

void vendor_vcpu_run(struct vcpu *vcpu)
{
    struct vmx_vcpu *vx = vcpu->vendor;
    uint64_t since = rdtsc(); /* start of the current stretch of hypervisor work */
    vcpu->guest_started_tsc = since;
    while (vcpu->guest->end == GUEST_RUNNING) {
        vlog_drain_if_allowed();
        /* Device time only needs attention when the host timer fired, the guest touched a
         * device (a timer may have been reprogrammed) or the vCPU waits for an interrupt. */
        struct guest *g = vcpu->guest;
        bool timer_fired = host_timer_take_expired();
        if (timer_fired) {
            rt_task_poll();
            watchdog_check(&vcpu->watchdog, vcpu, host_time_ns(),
                           platform_interrupt_pending(g) || vic_any_pending(&vcpu->vic));
        }
        if (timer_fired || vcpu->halted)
            poll_console_input(vcpu);
        if (timer_fired || g->devices_touched || vcpu->halted) {
            g->devices_touched = false;
            platform_update(g);
            uint64_t now = host_time_ns();
            uint64_t next = platform_next_event_ns(g);
            if (next < now + PLATFORM_MIN_EVENT_INTERVAL_NS)
                next = now + PLATFORM_MIN_EVENT_INTERVAL_NS;
            if (rt_task_next_ns() < next)
                next = rt_task_next_ns();
            /* Look at the console at least every 10 ms (guest UART input, the monitor's keys). */
            uint64_t poll = now + CONSOLE_POLL_NS;
            host_timer_arm(poll < next ? poll : next);
        }
        vmx_deliver_interrupts(vcpu);
        gdb_server_poll(vcpu); /* waits here while gdb holds the guest stopped */
        if (vcpu->halted) {
            /* HLT with interrupts on: wait in the host for the next device event. */
            vcpu->hypervisor_ticks += rdtsc() - since;
            host_idle();
            since = rdtsc();
            continue;
        }
        if (vmx_caps.preemption_timer)
            program_preemption_timer();
        vcpu->hypervisor_ticks += rdtsc() - since;
        int rc = vmx_vmenter(&vcpu->regs, vx->launched);
        since = rdtsc();
        if (rc != VMENTER_EXITED) {
            const char *what = vx->launched ? "VMRESUME" : "VMLAUNCH";
            uint64_t error = 0;
            if (rc == VMENTER_FAIL_VALID && vmcs_read_raw(VM_INSTRUCTION_ERROR, &error))
                kprintf("mica: %s failed: VM-instruction error %lu (%s)\n", what, error,
                        vmx_instruction_error_name((uint32_t)error));
            else
                kprintf("mica: %s failed: %s\n", what,
                        rc == VMENTER_HOST_RSP_FAILED ? "cannot write HOST_RSP"
                                                      : "no current VMCS (VMfailInvalid)");
            vmx_dump_guest(vcpu);
            guest_stop(vcpu->guest, "%s failed", what);
            break;
        }
        vx->launched = true;
        vmx_handle_exit(vcpu);
    }
}
