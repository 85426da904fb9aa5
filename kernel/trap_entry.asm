; Interrupt and exception entry stubs: one per vector, each pushes a uniform trap frame
; (struct trap_frame in kernel/trap.h) and calls trap_dispatch(frame). Also fault_catch_call.

bits 64
section .text

extern trap_dispatch

; Vectors for which the CPU pushes an error code (SDM vol. 3, 6.13 "Error Code").
%macro TRAP_STUB 1
trap_stub_%1:
%if %1 = 8 || (%1 >= 10 && %1 <= 14) || %1 = 17 || %1 = 21 || %1 = 29 || %1 = 30
%else
    push 0
%endif
    push %1
    jmp trap_common
%endmacro

%assign v 0
%rep 256
TRAP_STUB v
%assign v v + 1
%endrep

trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                         ; vector and error code
    iretq

section .rodata
global trap_stub_table
trap_stub_table:
%assign v 0
%rep 256
    dq trap_stub_ %+ v
%assign v v + 1
%endrep

; int fault_catch_call(void (*fn)(void *), void *arg)
; Calls fn(arg). Returns 0 when it returns normally, or vector + 1 when it raised an exception:
; trap_dispatch then resumes at fault_catch_resume_rip on the stack saved in fault_catch_resume_rsp.
section .bss
global fault_catch_resume_rip, fault_catch_resume_rsp
fault_catch_resume_rip: resq 1
fault_catch_resume_rsp: resq 1

section .text
global fault_catch_call
extern fault_catch_active
fault_catch_call:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                          ; keep the call below 16-byte aligned
    mov [rel fault_catch_resume_rsp], rsp
    lea rax, [rel .resume]
    mov [rel fault_catch_resume_rip], rax
    mov byte [rel fault_catch_active], 1
    mov rax, rdi
    mov rdi, rsi
    call rax
    xor eax, eax
.resume:                                ; trap_dispatch sets rax = vector + 1 on this path
    mov byte [rel fault_catch_active], 0
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
