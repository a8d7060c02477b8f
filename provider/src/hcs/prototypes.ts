/**
 * The computecore.dll functions the binding calls, written exactly as `computecore.h` declares them
 * (mingw-w64's copy, in header order), plus kernel32's `LocalFree`.
 *
 * This list is the single source of truth for the C ABI: `computecore.ts` hands each line to koffi
 * (after mapping the Windows type names to ABI-stable koffi types, see `types.ts`), and the header
 * conformance test compiles each line against the real `<computecore.h>` with mingw-w64, so a
 * prototype that drifts from the header is a compile error, not a crash on a Windows host.
 *
 * `_Out_` marks out-parameters for koffi; the conformance test defines it away.
 */
export const COMPUTECORE_PROTOTYPES = [
    "HRESULT WINAPI HcsEnumerateComputeSystems(PCWSTR query, HCS_OPERATION operation)",
    "HCS_OPERATION WINAPI HcsCreateOperation(const void *context, HCS_OPERATION_COMPLETION callback)",
    "void WINAPI HcsCloseOperation(HCS_OPERATION operation)",
    "HRESULT WINAPI HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, _Out_ PWSTR *resultDocument)",
    "HRESULT WINAPI HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HCS_OPERATION operation, const SECURITY_DESCRIPTOR *securityDescriptor, _Out_ HCS_SYSTEM *computeSystem)",
    "HRESULT WINAPI HcsOpenComputeSystem(PCWSTR id, DWORD requestedAccess, _Out_ HCS_SYSTEM *computeSystem)",
    "void WINAPI HcsCloseComputeSystem(HCS_SYSTEM computeSystem)",
    "HRESULT WINAPI HcsStartComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options)",
    "HRESULT WINAPI HcsShutDownComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options)",
    "HRESULT WINAPI HcsTerminateComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options)",
    "HRESULT WINAPI HcsPauseComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options)",
    "HRESULT WINAPI HcsResumeComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options)",
    "HRESULT WINAPI HcsGetComputeSystemProperties(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR propertyQuery)",
    "HRESULT WINAPI HcsModifyComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR configuration, HANDLE identity)",
    "HRESULT WINAPI HcsSetComputeSystemCallback(HCS_SYSTEM computeSystem, HCS_EVENT_OPTIONS callbackOptions, const void *context, HCS_EVENT_CALLBACK callback)",
    "HRESULT WINAPI HcsGetServiceProperties(PCWSTR propertyQuery, _Out_ PWSTR *result)",
    "HRESULT WINAPI HcsGrantVmAccess(PCWSTR vmId, PCWSTR filePath)",
    "HRESULT WINAPI HcsRevokeVmAccess(PCWSTR vmId, PCWSTR filePath)",
    "HRESULT WINAPI HcsGrantVmGroupAccess(PCWSTR filePath)",
    "HRESULT WINAPI HcsRevokeVmGroupAccess(PCWSTR filePath)",
] as const;

/** kernel32's allocator release, which frees every string computecore hands back. */
export const LOCALFREE_PROTOTYPE = "HLOCAL WINAPI LocalFree(HLOCAL hMem)";

/** The function name a prototype line declares. */
export function prototypeName(prototype: string): string {
    const match = /(\w+)\s*\(/.exec(prototype);
    if (!match) throw new Error(`Cannot find the function name in prototype '${prototype}'`);
    return match[1]!;
}
