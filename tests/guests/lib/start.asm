; Test guest entry: the Multiboot v1 header, the 32-bit entry point (stack, BSS, own flat GDT)
; and the call into C: idt_init(), then guest_main(magic, mbi).

%define MB1_HEADER_MAGIC 0x1badb002
%define MB1_FLAGS        0x3                ; bit 0: page-aligned modules, bit 1: memory info
%define STACK_SIZE       (16 * 1024)
%define SEL_CODE         0x08
%define SEL_DATA         0x10
%define DEBUG_EXIT_PORT  0xf4               ; MICA_PORT_DEBUG_EXIT
%define GUEST_FAIL       0x11               ; MICA_GUEST_FAIL

extern idt_init, guest_main, __bss_start, __bss_end

section .multiboot progbits alloc noexec nowrite align=4
    dd MB1_HEADER_MAGIC
    dd MB1_FLAGS
    dd -(MB1_HEADER_MAGIC + MB1_FLAGS)

section .bss nobits alloc noexec write align=16
stack_bottom:
    resb STACK_SIZE
stack_top:

section .rodata
align 8
gdt:
    dq 0                                    ; null
    dq 0x00cf9a000000ffff                   ; 0x08: flat 32-bit code, DPL 0
    dq 0x00cf92000000ffff                   ; 0x10: flat data, DPL 0
gdt_end:
gdt_ptr:
    dw gdt_end - gdt - 1
    dd gdt

section .text
bits 32
global _start
_start:
    cli
    cld
    mov esi, eax                            ; the loader's magic and info pointer
    mov ebp, ebx

    ; The loader zeroes BSS (ELF p_memsz > p_filesz); do it again rather than depend on it. The
    ; stack lives in BSS, so this comes before the first push.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb

    lgdt [gdt_ptr]
    jmp SEL_CODE:.reload_cs
.reload_cs:
    mov ax, SEL_DATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, stack_top

    call idt_init
    push ebp                                ; mbi
    push esi                                ; magic
    call guest_main

    ; guest_main returned: that is a test guest bug.
    mov al, GUEST_FAIL
    out DEBUG_EXIT_PORT, al
.halt:
    cli
    hlt
    jmp .halt

section .note.GNU-stack noalloc noexec nowrite progbits
