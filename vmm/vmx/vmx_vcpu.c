/* Creating a vCPU: the VMCS with its controls, host state, guest state for the entry the loader
 * asked for, I/O and MSR bitmaps, MSR switch areas and the EPT mapping guest RAM. */
#include "include/mica/abi.h"
#include "kernel/checksum.h"
#include "kernel/boot.h"
#include "kernel/config.h"
#include "kernel/cpu.h"
#include "kernel/format.h"
#include "kernel/gdt.h"
#include "kernel/log.h"
#include "kernel/paging.h"
#include "kernel/string.h"
#include "kernel/trap.h"
#include "vmm/vmm.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_controls.h"
#include "vmm/vmx/vmx_defs.h"

#define MSR_IA32_STAR  0xc0000081u
#define MSR_IA32_LSTAR 0xc0000082u
#define MSR_IA32_CSTAR 0xc0000083u
#define MSR_IA32_FMASK 0xc0000084u

/* Segment access rights in the VMCS format (SDM 25.4.1, table 25-2). */
#define AR_TYPE_DATA_RW_ACCESSED 0x3
#define AR_TYPE_CODE_RX_ACCESSED 0xb
#define AR_TYPE_TSS_BUSY         0xb
#define AR_S                     (1u << 4) /* code or data (not system) */
#define AR_PRESENT               (1u << 7)
#define AR_DB                    (1u << 14) /* 32-bit segment */
#define AR_GRANULARITY           (1u << 15)
#define AR_UNUSABLE              (1u << 16)
#define AR_FLAT32_CODE           (AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_PRESENT | AR_DB | AR_GRANULARITY)
#define AR_FLAT32_DATA           (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_PRESENT | AR_DB | AR_GRANULARITY)
#define AR_REAL_CODE             (AR_TYPE_CODE_RX_ACCESSED | AR_S | AR_PRESENT)
#define AR_REAL_DATA             (AR_TYPE_DATA_RW_ACCESSED | AR_S | AR_PRESENT)
#define AR_TSS                   (AR_TYPE_TSS_BUSY | AR_PRESENT)

#define RFLAGS_RESERVED_1      (1ul << 1)
#define CR0_ET                 (1ul << 4)
#define VMCS_LINK_POINTER_NONE 0xffffffffffffffffull
#define VPID_GUEST             1

static struct vmx_vcpu vmx_vcpu0;

static void *alloc_zeroed_pages(unsigned count)
{
    uint64_t hpa;
    if (!pmm_alloc_pages(&boot.pmm, count, 1, &hpa))
        return NULL;
    memset((void *)hpa, 0, count * PAGE_SIZE);
    return (void *)hpa;
}

static bool ept_alloc_table(void *ctx, uint64_t *phys_out)
{
    (void)ctx;
    void *page = alloc_zeroed_pages(1);
    if (!page)
        return false;
    *phys_out = (uint64_t)page;
    return true;
}

static void *ept_phys_to_ptr(void *ctx, uint64_t phys)
{
    (void)ctx;
    return (void *)phys; /* the hypervisor identity-maps all RAM */
}

static const struct ept_ops ept_ops = {
    .alloc_table = ept_alloc_table,
    .phys_to_ptr = ept_phys_to_ptr,
};

/* I/O bitmaps A (ports 0-7fff) and B (8000-ffff) are one bit per port, consecutive here: a clear
 * bit lets the guest's IN/OUT reach the port without a VM exit (SDM 25.6.4). */
static void untrap_ports(void *ctx, uint16_t first, uint16_t last)
{
    uint8_t *bitmaps = ctx;
    for (uint32_t port = first; port <= last; port++)
        bitmaps[port / 8] &= (uint8_t)~(1u << (port % 8));
}

static bool build_ept(struct vmx_vcpu *vx, struct guest *g, char *why, size_t why_len)
{
    unsigned gpa_bits = vmx_caps.guest_phys_bits < EPT_4LEVEL_GPA_BITS ? vmx_caps.guest_phys_bits
                                                                       : EPT_4LEVEL_GPA_BITS;
    enum ept_status st = ept_init(&vx->ept, &ept_ops, gpa_bits);
    /* Guest RAM only: no hypervisor page is ever reachable from the guest. */
    if (st == EPT_OK)
        st = ept_map_range(&vx->ept, 0, g->ram_hpa, g->ram_size, EPT_READ | EPT_WRITE | EPT_EXECUTE,
                           EPT_MEMORY_TYPE_WB);
    if (st != EPT_OK) {
        ksnprintf(why, why_len, "cannot build the EPT for guest RAM: %s", ept_status_str(st));
        return false;
    }
    return true;
}

/* Drops any translations cached from this EPT (SDM 29.4.3.1): needed whenever mappings change;
 * done once here so that a reused EPTP can never see stale ones. */
static void invalidate_ept_translations(struct vmx_vcpu *vx)
{
    if (!(vmx_caps.ept_vpid_cap & VMX_EPT_INVEPT))
        return;
    struct {
        uint64_t eptp, reserved;
    } descriptor = {ept_eptp(&vx->ept), 0};
    uint64_t type = (vmx_caps.ept_vpid_cap & VMX_EPT_INVEPT_SINGLE_CONTEXT) ? INVEPT_SINGLE_CONTEXT
                                                                            : INVEPT_ALL_CONTEXT;
    __asm__ volatile("invept %0, %1" : : "m"(descriptor), "r"(type) : "cc", "memory");
}

static void write_controls(struct vmx_vcpu *vx)
{
    vmcs_write(PIN_BASED_VM_EXEC_CONTROLS, vmx_caps.pin);
    vmcs_write(PRIMARY_PROC_BASED_VM_EXEC_CONTROLS, vmx_caps.proc);
    vmcs_write(SECONDARY_PROC_BASED_VM_EXEC_CONTROLS, vmx_caps.proc2);
    vmcs_write(PRIMARY_VM_EXIT_CONTROLS, vmx_caps.exit);
    vmcs_write(VM_ENTRY_CONTROLS, vmx_caps.entry & ~VM_ENTRY_IA32E_MODE_GUEST);
    vmcs_write(EXCEPTION_BITMAP, 0); /* the guest handles its own exceptions */
    vmcs_write(IO_BITMAP_A_ADDRESS, (uint64_t)vx->io_bitmaps);
    vmcs_write(IO_BITMAP_B_ADDRESS, (uint64_t)vx->io_bitmaps + PAGE_SIZE);
    vmcs_write(MSR_BITMAPS_ADDRESS, (uint64_t)vx->msr_bitmap);
    vmcs_write(EPT_POINTER, ept_eptp(&vx->ept));
    if (vmx_caps.vpid)
        vmcs_write(VIRTUAL_PROCESSOR_IDENTIFIER, VPID_GUEST);
    vmcs_write(CR0_GUEST_HOST_MASK, vmx_cr0_guest_host_mask());
    vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_guest_host_mask());
    vmcs_write(CR3_TARGET_COUNT, 0);
    vmcs_write(VMCS_LINK_POINTER, VMCS_LINK_POINTER_NONE); /* SDM 27.3.1.5 */

    vmcs_write(VM_ENTRY_MSR_LOAD_ADDRESS, (uint64_t)vx->guest_msrs);
    vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, VMX_SWITCHED_MSRS);
    vmcs_write(VM_EXIT_MSR_STORE_ADDRESS, (uint64_t)vx->guest_msrs);
    vmcs_write(VM_EXIT_MSR_STORE_COUNT, VMX_SWITCHED_MSRS);
    vmcs_write(VM_EXIT_MSR_LOAD_ADDRESS, (uint64_t)vx->host_msrs);
    vmcs_write(VM_EXIT_MSR_LOAD_COUNT, VMX_SWITCHED_MSRS);
}

extern void vmx_exit_entry(void);

static void write_host_state(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr;
    __asm__ volatile("sgdt %0" : "=m"(gdtr));
    vmcs_write(HOST_CR0, read_cr0());
    vmcs_write(HOST_CR3, read_cr3());
    vmcs_write(HOST_CR4, read_cr4());
    vmcs_write(HOST_CS_SELECTOR, GDT_KERNEL_CODE);
    vmcs_write(HOST_SS_SELECTOR, GDT_KERNEL_DATA);
    vmcs_write(HOST_DS_SELECTOR, GDT_KERNEL_DATA);
    vmcs_write(HOST_ES_SELECTOR, GDT_KERNEL_DATA);
    vmcs_write(HOST_FS_SELECTOR, 0);
    vmcs_write(HOST_GS_SELECTOR, 0);
    vmcs_write(HOST_TR_SELECTOR, GDT_TSS);
    vmcs_write(HOST_FS_BASE, 0);
    vmcs_write(HOST_GS_BASE, 0);
    vmcs_write(HOST_TR_BASE, tss_base());
    vmcs_write(HOST_GDTR_BASE, gdtr.base);
    vmcs_write(HOST_IDTR_BASE, idt_base());
    vmcs_write(HOST_IA32_SYSENTER_CS, 0);
    vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
    vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
    vmcs_write(HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
    if (vmx_caps.exit & VM_EXIT_LOAD_IA32_PAT)
        vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
    vmcs_write(HOST_RIP, (uint64_t)vmx_exit_entry);
    /* HOST_RSP is written by vmx_vmenter() before every entry. */
}

#define SEGMENT(seg, sel, base, limit, ar)                                                         \
    do {                                                                                           \
        vmcs_write(GUEST_##seg##_SELECTOR, (sel));                                                 \
        vmcs_write(GUEST_##seg##_BASE, (base));                                                    \
        vmcs_write(GUEST_##seg##_LIMIT, (limit));                                                  \
        vmcs_write(GUEST_##seg##_ACCESS_RIGHTS, (ar));                                             \
    } while (0)

/* The Multiboot (v1) hand-off state (Multiboot 0.6.96, 3.2) or real mode at CS:IP. */
static void write_guest_state(const struct guest_entry *e)
{
    uint64_t cr0_shadow = e->real_mode ? CR0_ET : CR0_PE | CR0_ET;
    /* Unrestricted guest exempts PE and PG from CR0_FIXED0 (SDM 27.3.1.1). */
    vmcs_write(GUEST_CR0, vmx_cr_apply_fixed(cr0_shadow, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1,
                                             CR0_PE | CR0_PG));
    vmcs_write(CR0_READ_SHADOW, cr0_shadow);
    vmcs_write(GUEST_CR3, 0);
    vmcs_write(GUEST_CR4,
               vmx_cr_apply_fixed(CR4_VMXE, vmx_caps.cr4_fixed0, vmx_caps.cr4_fixed1, 0));
    vmcs_write(CR4_READ_SHADOW, 0);
    vmcs_write(GUEST_DR7, 0x400);
    vmcs_write(GUEST_RFLAGS, RFLAGS_RESERVED_1);
    vmcs_write(GUEST_RSP, 0);
    if (e->real_mode) {
        uint16_t cs = (uint16_t)(e->rip >> 4);
        SEGMENT(CS, cs, (uint64_t)cs << 4, 0xffff, AR_REAL_CODE);
        SEGMENT(DS, 0, 0, 0xffff, AR_REAL_DATA);
        SEGMENT(ES, 0, 0, 0xffff, AR_REAL_DATA);
        SEGMENT(SS, 0, 0, 0xffff, AR_REAL_DATA);
        SEGMENT(FS, 0, 0, 0xffff, AR_REAL_DATA);
        SEGMENT(GS, 0, 0, 0xffff, AR_REAL_DATA);
        vmcs_write(GUEST_RIP, e->rip & 0xf);
    } else {
        SEGMENT(CS, 0x08, 0, 0xffffffff, AR_FLAT32_CODE);
        SEGMENT(DS, 0x10, 0, 0xffffffff, AR_FLAT32_DATA);
        SEGMENT(ES, 0x10, 0, 0xffffffff, AR_FLAT32_DATA);
        SEGMENT(SS, 0x10, 0, 0xffffffff, AR_FLAT32_DATA);
        SEGMENT(FS, 0x10, 0, 0xffffffff, AR_FLAT32_DATA);
        SEGMENT(GS, 0x10, 0, 0xffffffff, AR_FLAT32_DATA);
        vmcs_write(GUEST_RIP, e->rip);
    }
    /* TR must be usable even in real mode (SDM 27.3.1.2); LDTR unusable. */
    SEGMENT(TR, 0, 0, 0xffff, AR_TSS);
    SEGMENT(LDTR, 0, 0, 0, AR_UNUSABLE);
    vmcs_write(GUEST_GDTR_BASE, 0);
    vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
    vmcs_write(GUEST_IDTR_BASE, 0);
    vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
    vmcs_write(GUEST_IA32_EFER, 0);
    if (vmx_caps.entry & VM_ENTRY_LOAD_IA32_PAT)
        vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ull); /* the power-on PAT */
    vmcs_write(GUEST_IA32_DEBUGCTL, 0);
    vmcs_write(GUEST_IA32_SYSENTER_CS, 0);
    vmcs_write(GUEST_IA32_SYSENTER_ESP, 0);
    vmcs_write(GUEST_IA32_SYSENTER_EIP, 0);
    vmcs_write(GUEST_INTERRUPTIBILITY_STATE, 0);
    vmcs_write(GUEST_ACTIVITY_STATE, 0); /* active */
    vmcs_write(GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
}

static void init_switched_msrs(struct vmx_vcpu *vx)
{
    static const uint32_t msrs[VMX_SWITCHED_MSRS] = {
        MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK, MSR_IA32_KERNEL_GS_BASE,
    };
    for (unsigned i = 0; i < VMX_SWITCHED_MSRS; i++) {
        vx->guest_msrs[i] = (struct vmx_msr_entry){.index = msrs[i], .value = 0};
        vx->host_msrs[i] = (struct vmx_msr_entry){.index = msrs[i], .value = rdmsr(msrs[i])};
    }
}

bool vendor_vcpu_create(struct vcpu *vcpu, struct guest *guest, const struct guest_entry *entry,
                        char *why, size_t why_len)
{
    struct vmx_vcpu *vx = &vmx_vcpu0;
    memset(vcpu, 0, sizeof(*vcpu));
    vcpu->guest = guest;
    vcpu->vendor = vx;
    vic_init(&vcpu->vic);
    exit_trace_init(&vcpu->trace, vcpu->trace_records, EXIT_TRACE_DEFAULT_CAPACITY);
    exit_trace_set_enabled(&vcpu->trace, kernel_config.exit_trace);
    vcpu->regs.rax = entry->eax;
    vcpu->regs.rbx = entry->ebx;

    void *vmcs = alloc_zeroed_pages(1);
    vx->io_bitmaps = alloc_zeroed_pages(2);
    vx->msr_bitmap = alloc_zeroed_pages(1);
    uint8_t *msr_areas = alloc_zeroed_pages(1);
    if (!vmcs || !vx->io_bitmaps || !vx->msr_bitmap || !msr_areas) {
        ksnprintf(why, why_len, "out of memory for the VMCS and bitmaps");
        return false;
    }
    vx->guest_msrs = (struct vmx_msr_entry *)msr_areas;
    vx->host_msrs = (struct vmx_msr_entry *)(msr_areas + PAGE_SIZE / 2);
    init_switched_msrs(vx);
    memset(vx->io_bitmaps, 0xff, 2 * PAGE_SIZE); /* every port access exits */
    iobus_for_each_passthrough(&guest->iobus, untrap_ports, vx->io_bitmaps);
    vmx_msr_bitmap_init(vx->msr_bitmap);
    if (!build_ept(vx, guest, why, why_len))
        return false;

    vx->vmcs_hpa = (uint64_t)vmcs;
    *(uint32_t *)vmcs = vmx_caps.revision_id;
    uint8_t failed;
    __asm__ volatile("vmclear %[vmcs]\n\tsetna %[failed]"
                     : [failed] "=qm"(failed)
                     : [vmcs] "m"(vx->vmcs_hpa)
                     : "cc", "memory");
    if (!failed)
        __asm__ volatile("vmptrld %[vmcs]\n\tsetna %[failed]"
                         : [failed] "=qm"(failed)
                         : [vmcs] "m"(vx->vmcs_hpa)
                         : "cc", "memory");
    if (failed) {
        ksnprintf(why, why_len, "VMCLEAR/VMPTRLD of the new VMCS failed");
        return false;
    }
    write_controls(vx);
    write_host_state();
    write_guest_state(entry);
    invalidate_ept_translations(vx);
    log_info("vmx: VMCS ready; EPT maps %lu MiB of guest RAM (EPTP %lx)\n", guest->ram_size >> 20,
             ept_eptp(&vx->ept));
    return true;
}

/* What keeps the guest in its place, as set up before the first VM entry: the EPT tables, the
 * I/O and MSR bitmaps, the host MSRs loaded on VM exit and the VMCS host-state area (HOST_RSP
 * excluded: the entry stub writes it on every entry). None of it changes while the guest runs. */
uint64_t vendor_protection_checksum(const struct vcpu *vcpu)
{
    const struct vmx_vcpu *vx = vcpu->vendor;
    uint64_t hash = FNV1A64_OFFSET_BASIS;
    hash = ept_checksum(&vx->ept, hash);
    hash = fnv1a64(hash, vx->io_bitmaps, 2 * PAGE_SIZE);
    hash = fnv1a64(hash, vx->msr_bitmap, PAGE_SIZE);
    hash = fnv1a64(hash, vx->host_msrs, VMX_SWITCHED_MSRS * sizeof(*vx->host_msrs));
    static const enum vmcs_field host_state[] = {
        HOST_ES_SELECTOR,
        HOST_CS_SELECTOR,
        HOST_SS_SELECTOR,
        HOST_DS_SELECTOR,
        HOST_FS_SELECTOR,
        HOST_GS_SELECTOR,
        HOST_TR_SELECTOR,
        HOST_IA32_PAT,
        HOST_IA32_EFER,
        HOST_IA32_SYSENTER_CS,
        HOST_CR0,
        HOST_CR3,
        HOST_CR4,
        HOST_FS_BASE,
        HOST_GS_BASE,
        HOST_TR_BASE,
        HOST_GDTR_BASE,
        HOST_IDTR_BASE,
        HOST_IA32_SYSENTER_ESP,
        HOST_IA32_SYSENTER_EIP,
        HOST_RIP,
    };
    for (size_t i = 0; i < sizeof(host_state) / sizeof(host_state[0]); i++) {
        uint64_t value = 0;
        if (vmcs_read_raw(host_state[i], &value)) /* fields the CPU lacks are left out */
            hash = fnv1a64_u64(hash, value);
    }
    return hash;
}
