/* Control-register exits: the CR0/CR4 bits VMX forces (fixed bits, CR4.VMXE) are owned by the
 * hypervisor through the guest/host masks; the guest reads its own values from the read shadows
 * and writes that touch owned bits exit here (SDM 25.6.6, 26.3). */
#include "kernel/cpu.h"
#include "vmm/vlog.h"
#include "vmm/vmx/exit_qualification.h"
#include "vmm/vmx/vmx.h"
#include "vmm/vmx/vmx_controls.h"
#include "vmm/vmx/vmx_defs.h"

#define EXC_GP_VECTOR 13
#define CR0_TS        (1ul << 3)
#define CR0_NW        (1ul << 29)
#define CR0_CD        (1ul << 30)
#define CR0_LMSW_BITS 0xful /* PE, MP, EM, TS */
#define CR3_PAE_PDPT_MASK 0xffffffe0ul
#define PAE_PDPTE_COUNT   4
/* Unrestricted guest lets the guest own PE and PG (SDM 27.3.1.1). */
#define CR0_UNRESTRICTED_EXEMPT (CR0_PE | CR0_PG)

uint64_t vmx_cr0_guest_host_mask(void)
{
    /* CD and NW too: VM entry does not load them (SDM 27.3.2.1), so the guest's values live in
     * the read shadow, and a guest cannot turn the host's caches off. */
    return (vmx_caps.cr0_fixed0 & ~CR0_UNRESTRICTED_EXEMPT) | (~vmx_caps.cr0_fixed1 & 0xffffffffu) |
           CR0_CD | CR0_NW;
}

uint64_t vmx_cr4_guest_host_mask(void)
{
    return CR4_VMXE | vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1;
}

static uint64_t *gpr_slot(struct vcpu *vcpu, unsigned gpr)
{
    uint64_t *slots[16] = {
        &vcpu->regs.rax, &vcpu->regs.rcx, &vcpu->regs.rdx, &vcpu->regs.rbx, NULL /* RSP */,
        &vcpu->regs.rbp, &vcpu->regs.rsi, &vcpu->regs.rdi, &vcpu->regs.r8,  &vcpu->regs.r9,
        &vcpu->regs.r10, &vcpu->regs.r11, &vcpu->regs.r12, &vcpu->regs.r13, &vcpu->regs.r14,
        &vcpu->regs.r15,
    };
    return slots[gpr & 15];
}

static uint64_t read_gpr(struct vcpu *vcpu, unsigned gpr)
{
    uint64_t *slot = gpr_slot(vcpu, gpr);
    return slot ? *slot : vmcs_read(GUEST_RSP);
}

/* PAE paging without long mode: VM entry takes the PDPTEs from the VMCS when EPT is on
 * (SDM 27.3.2.4), so a CR0 write that turns such paging on must load them from guest CR3. */
static bool load_pae_pdptes(struct vcpu *vcpu)
{
    uint64_t pdpte[PAE_PDPTE_COUNT];
    if (!copy_from_guest(vcpu->guest, pdpte, vmcs_read(GUEST_CR3) & CR3_PAE_PDPT_MASK,
                         sizeof(pdpte)))
        return false;
    vmcs_write(GUEST_PDPTE0, pdpte[0]);
    vmcs_write(GUEST_PDPTE1, pdpte[1]);
    vmcs_write(GUEST_PDPTE2, pdpte[2]);
    vmcs_write(GUEST_PDPTE3, pdpte[3]);
    return true;
}

/* MOV to CR0 or LMSW touching an owned bit: the #GP checks of MOV to CR0 (SDM vol. 2B), paging
 * mode changes, then the real value (fixed bits applied) and the guest's view (read shadow). */
static bool emulate_cr0_write(struct vcpu *vcpu, uint64_t value)
{
    uint64_t old = vmcs_read(CR0_READ_SHADOW);
    if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
        ((value & CR0_NW) && !(value & CR0_CD)))
        return false;
    uint64_t efer = vmcs_read(GUEST_IA32_EFER);
    uint64_t cr4 = vmcs_read(GUEST_CR4);
    if ((value ^ old) & CR0_PG) {
        bool paging_on = value & CR0_PG;
        if (efer & EFER_LME) {
            /* IA-32e mode is entered/left with CR0.PG (SDM vol. 3, 10.8.5). */
            if (paging_on && !(cr4 & CR4_PAE))
                return false;
            vmcs_write(GUEST_IA32_EFER, paging_on ? efer | EFER_LMA : efer & ~EFER_LMA);
            if (paging_on)
                vmcs_set_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE_GUEST);
            else
                vmcs_clear_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE_GUEST);
        } else if (paging_on && (cr4 & CR4_PAE) && !load_pae_pdptes(vcpu)) {
            return false;
        }
    }
    vmcs_write(GUEST_CR0, vmx_cr_apply_fixed(value, vmx_caps.cr0_fixed0, vmx_caps.cr0_fixed1,
                                             CR0_UNRESTRICTED_EXEMPT));
    vmcs_write(CR0_READ_SHADOW, value);
    return true;
}

static bool emulate_cr4_write(uint64_t value)
{
    /* CR4.VMXE: CPUID says there is no VMX, so setting it is reserved-bit #GP, as are bits the
     * CPU does not have in VMX operation. */
    if ((value & CR4_VMXE) || (value & ~vmx_caps.cr4_fixed1))
        return false;
    vmcs_write(GUEST_CR4, vmx_cr_apply_fixed(value | CR4_VMXE, vmx_caps.cr4_fixed0,
                                             vmx_caps.cr4_fixed1, 0));
    vmcs_write(CR4_READ_SHADOW, value);
    return true;
}

void vmx_handle_cr_access(struct vcpu *vcpu)
{
    struct exit_cr cr;
    if (!exit_qual_decode_cr(vmcs_read(EXIT_QUALIFICATION), &cr)) {
        guest_stop(vcpu->guest, "undecodable control-register exit qualification %lx",
                   vmcs_read(EXIT_QUALIFICATION));
        return;
    }
    bool ok;
    uint64_t shadow0 = vmcs_read(CR0_READ_SHADOW);
    switch (cr.access) {
    case EXIT_CR_MOV_TO_CR:
        if (cr.cr == 0) {
            ok = emulate_cr0_write(vcpu, read_gpr(vcpu, cr.gpr));
        } else if (cr.cr == 4) {
            ok = emulate_cr4_write(read_gpr(vcpu, cr.gpr));
        } else {
            guest_stop(vcpu->guest, "unexpected MOV to CR%u exit", cr.cr);
            return;
        }
        break;
    case EXIT_CR_LMSW:
        /* LMSW writes PE, MP, EM, TS and cannot clear PE (SDM vol. 2A, LMSW). */
        ok = emulate_cr0_write(vcpu, (shadow0 & ~(CR0_LMSW_BITS & ~CR0_PE)) |
                                 (cr.lmsw_source_data & CR0_LMSW_BITS));
        break;
    case EXIT_CR_CLTS:
        ok = emulate_cr0_write(vcpu, shadow0 & ~CR0_TS);
        break;
    default:
        guest_stop(vcpu->guest, "unexpected MOV from CR%u exit", cr.cr);
        return;
    }
    if (!ok) {
        vlog("mica: guest control-register write refused, #GP injected\n");
        vmx_inject_exception(EXC_GP_VECTOR, true, 0);
        return;
    }
    vmx_skip_instruction();
}
