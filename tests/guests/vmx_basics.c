/* Test guest for the VMX core: CPUID identification, hypercalls, VMX hidden from the guest, MSR
 * and CR4 faults, the Multiboot start state, port I/O through the hypervisor. Prints TAP. */
#include "tests/guests/lib/guest.h"

#define CHECKS 18

#define MB1_BOOTLOADER_MAGIC 0x2badb002u
#define MB1_INFO_MEM         (1u << 0)
#define MB1_INFO_MMAP        (1u << 6)
#define MB1_MMAP_AVAILABLE   1u
#define GUEST_RAM_MIN        (64u << 20) /* the hypervisor's default guest RAM */

/* The parts of the Multiboot v1 information structure read here. */
struct mb1_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper; /* KiB below 1 MiB and from 1 MiB */
    uint32_t boot_device, cmdline, mods_count, mods_addr, syms[4];
    uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb1_mmap_entry {
    uint32_t size; /* of the rest of the entry: the next one is at +size+4 */
    uint32_t base_lo, base_hi;
    uint32_t len_lo, len_hi;
    uint32_t type;
};

/* ---- functions run under catch_fault() ---- */

static void do_ud2(void *unused)
{
    (void)unused;
    __asm__ volatile("ud2");
}

struct hc {
    uint32_t nr, arg, status, ebx;
};

static void do_vmcall(void *p)
{
    struct hc *hc = p;
    hc->status = vmcall(hc->nr, hc->arg, 0, 0, 0, &hc->ebx);
}

/* PING with known values in ECX, EDX, ESI, EDI; counts the ones that changed. */
static void do_vmcall_preserve(void *p)
{
    uint32_t *changed = p;
    uint32_t a = MICA_HC_PING, b = 1, c = 0x11111111, d = 0x22222222, s = 0x33333333,
             di = 0x44444444;
    __asm__ volatile("vmcall" : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s), "+D"(di) : : "memory");
    *changed = (c != 0x11111111) + (d != 0x22222222) + (s != 0x33333333) + (di != 0x44444444);
}

static void do_vmxon(void *unused)
{
    static uint64_t region = 0x1000; /* any operand: the instruction must not get that far */
    (void)unused;
    __asm__ volatile("vmxon %0" : : "m"(region) : "memory");
}

struct msr_read {
    uint32_t msr;
    uint64_t value;
};

static void do_rdmsr(void *p)
{
    struct msr_read *m = p;
    m->value = rdmsr(m->msr);
}

static void do_cr4_vmxe(void *unused)
{
    uint32_t cr4 = read_cr4();
    (void)unused;
    write_cr4(cr4 | CR4_VMXE);
    write_cr4(cr4); /* reached only if the write was (wrongly) accepted */
}

static const char outsb_line[] = "# rep outsb: this line was written by one string instruction\n";

static void do_outsb(void *unused)
{
    (void)unused;
    outsb(MICA_PORT_DEBUG_CONSOLE, outsb_line, sizeof(outsb_line) - 1);
}

/* ---- checks ---- */

static void check_cpuid(void)
{
    struct cpuid_regs r = cpuid(1, 0);
    tap_ok(r.ecx & (1u << 31), "CPUID.1:ECX.hypervisor (bit 31) is set (ECX=0x%08x)", r.ecx);
    tap_ok(!(r.ecx & (3u << 5)), "CPUID.1:ECX.VMX (bit 5) and SMX (bit 6) are clear (ECX=0x%08x)",
           r.ecx);

    r = cpuid(MICA_CPUID_BASE_LEAF, 0);
    char sig[13];
    for (unsigned i = 0; i < 4; i++) {
        sig[i] = (char)(r.ebx >> (8 * i));
        sig[4 + i] = (char)(r.ecx >> (8 * i));
        sig[8 + i] = (char)(r.edx >> (8 * i));
    }
    sig[12] = 0;
    for (unsigned i = 0; i < 12; i++)
        if (sig[i] < 0x20 || sig[i] > 0x7e)
            sig[i] = '.';
    tap_ok(r.ebx == MICA_CPUID_SIGNATURE_EBX && r.ecx == MICA_CPUID_SIGNATURE_ECX &&
               r.edx == MICA_CPUID_SIGNATURE_EDX,
           "CPUID.0x40000000 signature is \"MicaMicaMica\" (got \"%s\")", sig);
    tap_ok(r.eax >= MICA_CPUID_MAX_LEAF && r.eax < MICA_CPUID_BASE_LEAF + 0x100,
           "CPUID.0x40000000:EAX (max hypervisor leaf) is >= 0x%x (got 0x%x)", MICA_CPUID_MAX_LEAF,
           r.eax);
}

static void check_hypercalls(void)
{
    struct hc hc = {.nr = MICA_HC_PING, .arg = 41, .status = ~0u, .ebx = 0};
    int f = catch_fault(do_vmcall, &hc);
    tap_ok(!f && hc.status == MICA_HC_OK && hc.ebx == 42,
           "VMCALL PING(41) returns OK and EBX=42 (fault %d, status %u, EBX %u)", f - 1, hc.status,
           hc.ebx);

    uint32_t changed = ~0u;
    f = catch_fault(do_vmcall_preserve, &changed);
    tap_ok(!f && changed == 0, "VMCALL preserves ECX, EDX, ESI, EDI (fault %d, %d changed)", f - 1,
           (int)changed);

    hc = (struct hc){.nr = 0x7fff, .arg = 0, .status = ~0u, .ebx = 0};
    f = catch_fault(do_vmcall, &hc);
    tap_ok(!f && hc.status == MICA_HC_ENOSYS,
           "VMCALL 0x7fff (unknown) returns ENOSYS=%u (fault %d, status %u)", MICA_HC_ENOSYS, f - 1,
           hc.status);
}

static void check_faults(void)
{
    int f = catch_fault(do_vmxon, NULL);
    tap_ok(f == VEC_UD + 1, "VMXON raises #UD (vector %d, EIP 0x%x)", f - 1, f ? fault_eip : 0);

    struct msr_read m = {.msr = 0xdead};
    f = catch_fault(do_rdmsr, &m);
    tap_ok(f == VEC_GP + 1 && fault_error == 0,
           "RDMSR 0xdead (no such MSR) raises #GP(0) (vector %d, error 0x%x)", f - 1,
           f ? fault_error : 0);

    struct msr_read efer = {.msr = MSR_IA32_EFER}, apic = {.msr = MSR_IA32_APIC_BASE};
    int fe = catch_fault(do_rdmsr, &efer);
    int fa = catch_fault(do_rdmsr, &apic);
    tap_ok(!fe && !fa && !(efer.value & (EFER_LME | EFER_LMA)),
           "RDMSR IA32_EFER and IA32_APIC_BASE do not fault, EFER.LME/LMA clear "
           "(vectors %d %d, EFER 0x%x, APIC_BASE 0x%x)",
           fe - 1, fa - 1, (uint32_t)efer.value, (uint32_t)apic.value);
}

/* Last: QEMU 7.2 TCG (a native run) hangs on this MOV to CR4 instead of raising #GP. */
static void check_cr4_vmxe(void)
{
    int f = catch_fault(do_cr4_vmxe, NULL);
    tap_ok(f == VEC_GP + 1 && fault_error == 0,
           "MOV to CR4 with VMXE (bit 13) set raises #GP(0) (vector %d, error 0x%x)", f - 1,
           f ? fault_error : 0);
}

static void check_multiboot(uint32_t magic, uint32_t mbi)
{
    tap_ok(magic == MB1_BOOTLOADER_MAGIC, "EAX at entry is the Multiboot magic 0x2badb002 (0x%x)",
           magic);

    /* The loader may put the structure anywhere in guest RAM: reject only what cannot be one. */
    if (mbi == 0 || mbi > 0xffffffffu - sizeof(struct mb1_info)) {
        tap_diag("EBX (info pointer) 0x%x is not an address; not reading it", mbi);
        tap_ok(false, "Multiboot info flags have mem (bit 0) and mmap (bit 6)");
        tap_ok(false, "Multiboot mem_upper >= %u KiB", (GUEST_RAM_MIN >> 10) - 4096);
        tap_ok(false, "Multiboot memory map has available RAM from 0x100000");
        return;
    }
    const struct mb1_info *info = (const struct mb1_info *)mbi;
    tap_diag("Multiboot info at 0x%x: flags 0x%x mem_lower %u KiB mem_upper %u KiB", mbi,
             info->flags, info->mem_lower, info->mem_upper);
    tap_ok((info->flags & (MB1_INFO_MEM | MB1_INFO_MMAP)) == (MB1_INFO_MEM | MB1_INFO_MMAP),
           "Multiboot info flags have mem (bit 0) and mmap (bit 6) (0x%x)", info->flags);
    /* 60 MiB: 64 MiB less the first MiB and some slack for reserved ranges. */
    tap_ok((info->flags & MB1_INFO_MEM) && info->mem_upper >= (GUEST_RAM_MIN >> 10) - 4096,
           "Multiboot mem_upper >= %u KiB (%u)", (GUEST_RAM_MIN >> 10) - 4096, info->mem_upper);

    bool found = false;
    if ((info->flags & MB1_INFO_MMAP) && info->mmap_addr != 0 &&
        info->mmap_length <= 0xffffffffu - info->mmap_addr) {
        uint32_t p = info->mmap_addr, end = info->mmap_addr + info->mmap_length;
        for (unsigned n = 0; p + sizeof(struct mb1_mmap_entry) <= end && n < 64; n++) {
            const struct mb1_mmap_entry *e = (const struct mb1_mmap_entry *)p;
            tap_diag("mmap 0x%08x%08x +0x%08x%08x type %u", e->base_hi, e->base_lo, e->len_hi,
                     e->len_lo, e->type);
            if (e->type == MB1_MMAP_AVAILABLE && e->base_hi == 0 && e->base_lo == 0x100000 &&
                (e->len_hi || e->len_lo))
                found = true;
            if (e->size < sizeof(*e) - 4)
                break;
            p += e->size + 4;
        }
    } else {
        tap_diag("no usable memory map (addr 0x%x length %u)", info->mmap_addr, info->mmap_length);
    }
    tap_ok(found, "Multiboot memory map has an available range starting at 0x100000");
}

static void check_ports(void)
{
    uint8_t v = inb(MICA_PORT_DEBUG_CONSOLE);
    tap_ok(v == 0xe9, "IN from port 0xe9 returns 0xe9 (0x%x)", v);

    int f = catch_fault(do_outsb, NULL);
    tap_ok(!f, "REP OUTSB to port 0xe9 printed the line above (vector %d)", f - 1);
}

void guest_main(uint32_t magic, uint32_t mbi)
{
    printf("vmx_basics: hello from a 32-bit Multiboot guest\n");
    tap_plan(CHECKS);

    int f = catch_fault(do_ud2, NULL);
    tap_ok(f == VEC_UD + 1, "UD2 is caught as #UD by the guest's own IDT (vector %d)", f - 1);

    check_cpuid();
    check_hypercalls();
    check_faults();
    check_multiboot(magic, mbi);
    check_ports();
    check_cr4_vmxe();
    tap_done();
}
