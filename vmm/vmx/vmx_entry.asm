; VM entry and exit: vmx_vmenter() loads the guest's general-purpose registers and executes
; VMLAUNCH or VMRESUME; a VM exit lands at vmx_exit_entry (the VMCS HOST_RIP), which saves them
; back and returns from vmx_vmenter() as if it were an ordinary call.

bits 64
section .text

%define HOST_RSP_ENCODING 0x6c14        ; VMCS field HOST_RSP (SDM appendix B.4.4)

; Offsets in struct guest_regs (vmm/vcpu.h).
%define REG_RAX 0
%define REG_RBX 8
%define REG_RCX 16
%define REG_RDX 24
%define REG_RSI 32
%define REG_RDI 40
%define REG_RBP 48
%define REG_R8  56
%define REG_R9  64
%define REG_R10 72
%define REG_R11 80
%define REG_R12 88
%define REG_R13 96
%define REG_R14 104
%define REG_R15 112

; int vmx_vmenter(struct guest_regs *regs, int launched)
; Returns 0 after a VM exit, 1 for VMfailInvalid (CF), 2 for VMfailValid (ZF: see the
; VM-instruction error field), 3 when writing HOST_RSP failed.
global vmx_vmenter
global vmx_exit_entry
vmx_vmenter:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rdi                            ; the regs pointer, found again at [rsp] on exit
    mov rax, HOST_RSP_ENCODING
    vmwrite rax, rsp
    jbe .host_rsp_failed
    mov rax, rdi
    test esi, esi                       ; flags survive the MOVs below
    mov rbx, [rax + REG_RBX]
    mov rcx, [rax + REG_RCX]
    mov rdx, [rax + REG_RDX]
    mov rsi, [rax + REG_RSI]
    mov rdi, [rax + REG_RDI]
    mov rbp, [rax + REG_RBP]
    mov r8,  [rax + REG_R8]
    mov r9,  [rax + REG_R9]
    mov r10, [rax + REG_R10]
    mov r11, [rax + REG_R11]
    mov r12, [rax + REG_R12]
    mov r13, [rax + REG_R13]
    mov r14, [rax + REG_R14]
    mov r15, [rax + REG_R15]
    mov rax, [rax + REG_RAX]
    jnz .resume
    vmlaunch
    jmp .failed
.resume:
    vmresume
.failed:
    mov eax, 1                          ; VMfailInvalid
    jc .return
    mov eax, 2                          ; VMfailValid
    jmp .return
.host_rsp_failed:
    mov eax, 3
.return:
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

vmx_exit_entry:
    push rax                            ; guest RAX; [rsp + 8] is the regs pointer
    mov rax, [rsp + 8]
    mov [rax + REG_RBX], rbx
    mov [rax + REG_RCX], rcx
    mov [rax + REG_RDX], rdx
    mov [rax + REG_RSI], rsi
    mov [rax + REG_RDI], rdi
    mov [rax + REG_RBP], rbp
    mov [rax + REG_R8],  r8
    mov [rax + REG_R9],  r9
    mov [rax + REG_R10], r10
    mov [rax + REG_R11], r11
    mov [rax + REG_R12], r12
    mov [rax + REG_R13], r13
    mov [rax + REG_R14], r14
    mov [rax + REG_R15], r15
    pop rcx
    mov [rax + REG_RAX], rcx
    xor eax, eax
    jmp vmx_vmenter.return

section .note.GNU-stack noalloc noexec nowrite progbits
