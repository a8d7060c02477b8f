/*
 * A stand-in vmcompute.dll for running hcsshim v0.12.9's CreateWCOW under Wine (docs/parity.md).
 *
 * Wine has no vmcompute.dll. hcsshim's UVM path calls these exports of it (the lazy procs of
 * internal/vmcompute/zsyscall_windows.go and internal/wclayer/zsyscall_windows.go), with the argument
 * lists those files declare. Everything else on the path (the option checks, the layer lookup, the
 * scratch folder and template copy, the dump directory's ACL, the JSON) is hcsshim's own code on
 * Wine's kernel32 and advapi32.
 *
 * What the stub does: it answers the processor-topology query with the count the harness set for the
 * case, records every configuration passed to HcsCreateComputeSystem byte for byte (UTF-16, as
 * hcsshim passed it) and every GrantVmAccess, and completes each call synchronously, so hcsshim does
 * not wait for a completion notification. HcsTerminateComputeSystem delivers SystemExited through the
 * registered callback, which hcsshim's Close waits for. Strings it returns are CoTaskMemAlloc'd:
 * hcsshim frees them with CoTaskMemFree.
 *
 * The harness reads and resets the records with ParityTakeCapture, an export of our own.
 */
#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <wchar.h>

typedef void (CALLBACK *HCS_NOTIFICATION_CALLBACK)(DWORD notificationType, void *context, HRESULT status, PCWSTR data);

/* hcsshim's hcsNotificationSystemExited (internal/hcs/callback.go). */
#define HCS_NOTIFICATION_SYSTEM_EXITED 0x00000001

struct system {
    WCHAR id[512];
    HCS_NOTIFICATION_CALLBACK callback;
    void *context;
};

static CRITICAL_SECTION lock;
static DWORD logical_processors = 2;
/* The capture as a growing JSON text (UTF-16): {"creates":[...],"grants":[...]} without the braces. */
static WCHAR *creates;
static size_t creates_len, creates_cap;
static WCHAR *grants;
static size_t grants_len, grants_cap;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) InitializeCriticalSection(&lock);
    return TRUE;
}

static void append(WCHAR **buffer, size_t *len, size_t *cap, const WCHAR *text, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t wanted = (*cap == 0 ? 4096 : *cap * 2);
        while (wanted < *len + n + 1) wanted *= 2;
        WCHAR *grown = realloc(*buffer, wanted * sizeof(WCHAR));
        if (grown == NULL) abort();
        *buffer = grown;
        *cap = wanted;
    }
    memcpy(*buffer + *len, text, n * sizeof(WCHAR));
    *len += n;
    (*buffer)[*len] = 0;
}

/* Appends `text` as a JSON string, escaping what JSON requires; every other unit is kept as is. */
static void append_json_string(WCHAR **buffer, size_t *len, size_t *cap, PCWSTR text)
{
    append(buffer, len, cap, L"\"", 1);
    for (const WCHAR *p = text ? text : L""; *p; p++) {
        WCHAR escaped[8];
        if (*p == L'"' || *p == L'\\') {
            escaped[0] = L'\\';
            escaped[1] = *p;
            append(buffer, len, cap, escaped, 2);
        } else if (*p < 0x20) {
            swprintf(escaped, 8, L"\\u%04x", (unsigned)*p);
            append(buffer, len, cap, escaped, 6);
        } else {
            append(buffer, len, cap, p, 1);
        }
    }
    append(buffer, len, cap, L"\"", 1);
}

static PWSTR co_task_copy(const WCHAR *text)
{
    size_t n = wcslen(text) + 1;
    PWSTR copy = CoTaskMemAlloc(n * sizeof(WCHAR));
    if (copy != NULL) memcpy(copy, text, n * sizeof(WCHAR));
    return copy;
}

/* Our own: the processor count HcsGetServiceProperties reports from now on. */
__declspec(dllexport) void WINAPI ParitySetLogicalProcessors(DWORD count)
{
    EnterCriticalSection(&lock);
    logical_processors = count;
    LeaveCriticalSection(&lock);
}

/* Our own: {"creates":[{"id":..,"configuration":..}],"grants":[{"vmid":..,"path":..}]} since the last take. */
__declspec(dllexport) PWSTR WINAPI ParityTakeCapture(void)
{
    WCHAR *out = NULL;
    size_t len = 0, cap = 0;
    EnterCriticalSection(&lock);
    append(&out, &len, &cap, L"{\"creates\":[", 12);
    if (creates_len > 0) append(&out, &len, &cap, creates, creates_len);
    append(&out, &len, &cap, L"],\"grants\":[", 12);
    if (grants_len > 0) append(&out, &len, &cap, grants, grants_len);
    append(&out, &len, &cap, L"]}", 2);
    creates_len = 0;
    grants_len = 0;
    LeaveCriticalSection(&lock);
    PWSTR result = co_task_copy(out);
    free(out);
    return result;
}

HRESULT WINAPI HcsGetServiceProperties(PCWSTR query, PWSTR *properties, PWSTR *result)
{
    (void)query;
    WCHAR text[128];
    EnterCriticalSection(&lock);
    swprintf(text, 128, L"{\"Properties\":[{\"LogicalProcessorCount\":%lu}]}", (unsigned long)logical_processors);
    LeaveCriticalSection(&lock);
    *properties = co_task_copy(text);
    if (result) *result = NULL;
    return *properties ? S_OK : E_OUTOFMEMORY;
}

HRESULT WINAPI GrantVmAccess(PCWSTR vmid, PCWSTR path)
{
    EnterCriticalSection(&lock);
    if (grants_len > 0) append(&grants, &grants_len, &grants_cap, L",", 1);
    append(&grants, &grants_len, &grants_cap, L"{\"vmid\":", 8);
    append_json_string(&grants, &grants_len, &grants_cap, vmid);
    append(&grants, &grants_len, &grants_cap, L",\"path\":", 8);
    append_json_string(&grants, &grants_len, &grants_cap, path);
    append(&grants, &grants_len, &grants_cap, L"}", 1);
    LeaveCriticalSection(&lock);
    return S_OK;
}

HRESULT WINAPI HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HANDLE identity, HANDLE *system, PWSTR *result)
{
    (void)identity;
    struct system *created = calloc(1, sizeof *created);
    if (created == NULL) return E_OUTOFMEMORY;
    wcsncpy(created->id, id ? id : L"", 511);
    EnterCriticalSection(&lock);
    if (creates_len > 0) append(&creates, &creates_len, &creates_cap, L",", 1);
    append(&creates, &creates_len, &creates_cap, L"{\"id\":", 6);
    append_json_string(&creates, &creates_len, &creates_cap, id);
    append(&creates, &creates_len, &creates_cap, L",\"configuration\":", 17);
    append_json_string(&creates, &creates_len, &creates_cap, configuration);
    append(&creates, &creates_len, &creates_cap, L"}", 1);
    LeaveCriticalSection(&lock);
    *system = created;
    if (result) *result = NULL;
    return S_OK;
}

HRESULT WINAPI HcsRegisterComputeSystemCallback(HANDLE system, HCS_NOTIFICATION_CALLBACK callback, void *context, HANDLE *callbackHandle)
{
    struct system *s = system;
    s->callback = callback;
    s->context = context;
    *callbackHandle = system;
    return S_OK;
}

HRESULT WINAPI HcsUnregisterComputeSystemCallback(HANDLE callbackHandle)
{
    struct system *s = callbackHandle;
    s->callback = NULL;
    return S_OK;
}

HRESULT WINAPI HcsGetComputeSystemProperties(HANDLE system, PCWSTR query, PWSTR *properties, PWSTR *result)
{
    (void)query;
    struct system *s = system;
    WCHAR *text = NULL;
    size_t len = 0, cap = 0;
    append(&text, &len, &cap, L"{\"Id\":", 6);
    append_json_string(&text, &len, &cap, s->id);
    const WCHAR *rest = L",\"SystemType\":\"VirtualMachine\",\"RuntimeOsType\":\"Windows\",\"RuntimeId\":\"8a3c1f2e-5b6d-4e7f-9a0b-1c2d3e4f5a6b\"}";
    append(&text, &len, &cap, rest, wcslen(rest));
    *properties = co_task_copy(text);
    free(text);
    if (result) *result = NULL;
    return *properties ? S_OK : E_OUTOFMEMORY;
}

HRESULT WINAPI HcsTerminateComputeSystem(HANDLE system, PCWSTR options, PWSTR *result)
{
    (void)options;
    struct system *s = system;
    if (result) *result = NULL;
    if (s->callback) s->callback(HCS_NOTIFICATION_SYSTEM_EXITED, s->context, S_OK, NULL);
    return S_OK;
}

HRESULT WINAPI HcsCloseComputeSystem(HANDLE system)
{
    free(system);
    return S_OK;
}
