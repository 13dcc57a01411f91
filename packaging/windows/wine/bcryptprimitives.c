/* For the wine smoke test only, never shipped: Debian 12's wine 8 lacks bcryptprimitives.dll,
 * from which Rust's standard library (1.78+) takes random bytes on Windows (ProcessPrng).
 * Windows 10 and 11 have it; here it is ProcessPrng over RtlGenRandom (advapi32). */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
