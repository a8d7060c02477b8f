/*
 * bcryptprimitives.dll for Wine 8.0, which has none. Rust's standard library (1.78 and later) takes
 * its random bytes from bcryptprimitives!ProcessPrng, so every Rust-built Windows module imports it;
 * here that is jest's resolver, unrs-resolver (@unrs/resolver-binding-win32-x64-msvc), which then
 * fails to load with "Module not found". scripts/test-windows.sh builds this with mingw-w64 and puts
 * it in the prefix's system32 when the Wine in use has no bcryptprimitives of its own (Wine 9 has).
 */
#include <windows.h>
#include <ntsecapi.h>

/* Fills data with size random bytes from RtlGenRandom (advapi32!SystemFunction036). */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    while (size > 0) {
        ULONG chunk = size > 0x40000000 ? 0x40000000 : (ULONG)size;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
