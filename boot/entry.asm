; Boot entry: Multiboot2 (and Multiboot1, only to refuse it) headers, the 32-bit entry point,
; CPU checks, the initial identity-mapped page tables and the switch to 64-bit long mode.

%define MB2_HEADER_MAGIC     0xe85250d6
%define MB2_ARCH_I386        0
%define MB2_BOOTLOADER_MAGIC 0x36d76289
%define MB1_HEADER_MAGIC     0x1badb002

%define COM1                 0x3f8
%define CR0_PE               (1 << 0)
%define CR0_PG               (1 << 31)
%define CR4_PAE              (1 << 5)
%define MSR_IA32_EFER        0xc0000080
%define EFER_LME             (1 << 8)
%define CPUID_EXT_LM         (1 << 29)      ; CPUID.80000001H:EDX.LM
%define PTE_PRESENT          (1 << 0)
%define PTE_WRITABLE         (1 << 1)
%define PTE_LARGE            (1 << 7)
%define BOOT_STACK_SIZE      (16 * 1024)

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_HEADER_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; end tag
    dw 0, 0
    dd 8
mb2_header_end:

; A Multiboot1 header exists only so that a v1 loader starts us and we can say clearly that
; Multiboot2 is required (rather than the loader refusing the file with its own message).
section .multiboot1 progbits alloc noexec nowrite align=4
    dd MB1_HEADER_MAGIC
    dd 0
    dd -(MB1_HEADER_MAGIC)

section .bss nobits alloc noexec write align=4096
boot_pml4:   resb 4096
boot_pdpt:   resb 4096
boot_pd:     resb 4 * 4096              ; 4 x 1 GiB of 2 MiB pages: the first 4 GiB
global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    resb BOOT_STACK_SIZE
boot_stack_top:

section .rodata
msg_no_mb2:  db "mica: fatal: not started by a Multiboot2 boot loader (EAX=", 0
msg_no_mb2b: db "). Boot mica with GRUB's multiboot2 command. Halted.", 13, 10, 0
msg_no_lm:   db "mica: fatal: this CPU has no long mode (x86-64). mica needs a 64-bit CPU with Intel VT-x. Halted.", 13, 10, 0
hex_digits:  db "0123456789abcdef"

gdt64:
    dq 0                                ; null
    dq 0x00af9a000000ffff               ; 0x08: 64-bit code, DPL 0
    dq 0x00cf92000000ffff               ; 0x10: data, DPL 0
gdt64_end:
gdt64_ptr:
    dw gdt64_end - gdt64 - 1
    dq gdt64

section .text
bits 32
global _start
_start:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                        ; keep the loader's magic and info pointer
    mov esi, ebx
    call early_uart_init

    cmp edi, MB2_BOOTLOADER_MAGIC
    jne .no_multiboot2

    ; Long mode? (every CPU that can run this has CPUID; check the extended leaf exists)
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, CPUID_EXT_LM
    jz .no_long_mode

    ; Identity-map the first 4 GiB with 2 MiB pages: enough for the kernel, the Multiboot
    ; data and the local APIC until the kernel builds its own tables (kernel/paging.c).
    mov eax, boot_pdpt
    or eax, PTE_PRESENT | PTE_WRITABLE
    mov [boot_pml4], eax
    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, PTE_PRESENT | PTE_WRITABLE
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt
    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21                         ; low 32 bits of the 2 MiB frame address
    or eax, PTE_PRESENT | PTE_WRITABLE | PTE_LARGE
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                         ; high bits of the frame address (frame >= 4 GiB: none)
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 4 * 512
    jb .fill_pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov ecx, MSR_IA32_EFER
    rdmsr
    or eax, EFER_LME
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_PE
    mov cr0, eax
    lgdt [gdt64_ptr]
    jmp 0x08:long_mode_entry

.no_multiboot2:
    mov ebx, msg_no_mb2
    call early_puts
    mov eax, edi
    call early_put_hex32
    mov ebx, msg_no_mb2b
    call early_puts
    jmp early_halt

.no_long_mode:
    mov ebx, msg_no_lm
    call early_puts
    jmp early_halt

early_halt:
    cli
    hlt
    jmp early_halt

; COM1 at 115200 8N1 (the kernel's console default) so the early errors reach the serial port.
early_uart_init:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; IER: no interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                          ; LCR: DLAB
    mov dx, COM1
    mov al, 1
    out dx, al                          ; DLL: 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al                          ; DLM
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                          ; LCR: 8N1
    mov dx, COM1 + 2
    mov al, 0xc7
    out dx, al                          ; FCR: FIFO on, cleared
    ret

; al: byte to send (waits for LSR.THRE)
early_putc:
    push eax
    mov dx, COM1 + 5
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop eax
    mov dx, COM1
    out dx, al
    ret

; ebx: NUL-terminated string
early_puts:
    mov al, [ebx]
    test al, al
    jz .done
    call early_putc
    inc ebx
    jmp early_puts
.done:
    ret

; eax: value printed as 0x%08x
early_put_hex32:
    mov ecx, eax
    mov al, '0'
    call early_putc
    mov al, 'x'
    call early_putc
    mov ebx, 8
.digit:
    rol ecx, 4
    mov eax, ecx
    and eax, 0xf
    mov al, [hex_digits + eax]
    call early_putc
    dec ebx
    jnz .digit
    ret

bits 64
extern kernel_main
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                        ; ends the frame-pointer chain for backtraces
    ; rdi = magic (zero-extended), rsi = Multiboot2 info (physical, below 4 GiB)
    mov edi, edi
    mov esi, esi
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
