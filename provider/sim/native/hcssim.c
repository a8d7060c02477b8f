/*
 * hcssim.c: the HCS simulator's client library.
 *
 * It exports the computecore.dll functions the pulumi-hcs binding calls, with computecore's C ABI,
 * and forwards every call to the simulator service (`pulumi-hcs sim`) over a Unix socket or TCP.
 * The same source builds two ways:
 *   - Linux: `cc ... -shared -o libhcssim.so`; this file defines the Windows type names itself and
 *     also exports `LocalFree`, because the binding frees returned strings with it;
 *   - Windows (mingw-w64): `computecore.dll`; this file includes <windows.h> and <computecore.h> before
 *     defining anything, so a signature that drifts from the header is a compile error. Returned
 *     strings come from LocalAlloc, because the binding frees them with kernel32's LocalFree.
 *
 * Model (docs/simulator.md has the wire protocol):
 *   - operations and system handles are local objects; handles name a server-side handle id that is
 *     valid only on the connection that made it (a new connection is a new handle namespace);
 *   - operation-taking calls validate locally, send the request and return at once; the reader thread
 *     completes the operation when the service answers;
 *   - completion and event callbacks run on one library-owned dispatcher thread, never on the caller's
 *     thread and never on the reader thread (a callback blocks until Node's main thread runs it, so the
 *     reader must stay free to deliver the answers a synchronous call on that main thread waits for);
 *   - no lock is held while a callback runs.
 */

#ifdef _WIN32
#  include <winsock2.h>
#  include <ws2tcpip.h>
#  include <windows.h>
#  include <computecore.h>
#  include <hvsocket.h>
#  define SIM_EXPORT
#else
#  define _GNU_SOURCE
#  include <arpa/inet.h>
#  include <dlfcn.h>
#  include <errno.h>
#  include <fcntl.h>
#  include <netinet/in.h>
#  include <netinet/tcp.h>
#  include <poll.h>
#  include <pthread.h>
#  include <sys/socket.h>
#  include <sys/syscall.h>
#  include <sys/time.h>
#  include <sys/un.h>
#  include <time.h>
#  include <uchar.h>
#  include <unistd.h>
#  define SIM_EXPORT __attribute__((visibility("default")))
#  define WINAPI

/* The computecore.h / computedefs.h type names, with ABI-stable definitions (LP64 Linux). */
typedef int32_t HRESULT;
typedef uint32_t DWORD;
typedef char16_t WCHAR;
typedef WCHAR *PWSTR;
typedef const WCHAR *PCWSTR;
typedef void *HANDLE;
typedef void *HLOCAL;
typedef struct SECURITY_DESCRIPTOR SECURITY_DESCRIPTOR;
typedef struct HCS_SYSTEM__ { int unused; } *HCS_SYSTEM;
typedef struct HCS_OPERATION__ { int unused; } *HCS_OPERATION;
typedef void (WINAPI *HCS_OPERATION_COMPLETION)(HCS_OPERATION operation, void *context);
typedef int32_t HCS_EVENT_TYPE;
enum {
    HcsEventInvalid = 0x00000000,
    HcsEventSystemExited = 0x00000001,
    HcsEventOperationCallback = 0x01000000,
    HcsEventServiceDisconnect = 0x02000000
};
typedef struct HCS_EVENT {
    HCS_EVENT_TYPE Type;
    PCWSTR EventData;
    HCS_OPERATION Operation;
} HCS_EVENT;
typedef int32_t HCS_EVENT_OPTIONS;
enum { HcsEventOptionNone = 0, HcsEventOptionEnableOperationCallbacks = 1 };
typedef void (WINAPI *HCS_EVENT_CALLBACK)(HCS_EVENT *event, void *context);
#endif

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------- */
/* HRESULTs (own names, so they never collide with winerror.h)                                     */

#define SIM_S_OK ((HRESULT)0)
#define SIM_E_NOTIMPL ((HRESULT)0x80004001u)
#define SIM_E_OUTOFMEMORY ((HRESULT)0x8007000Eu)
#define SIM_E_INVALIDARG ((HRESULT)0x80070057u)
#define SIM_E_HANDLE ((HRESULT)0x80070006u)
#define SIM_HCS_E_UNSUPPORTED_PROTOCOL_VERSION ((HRESULT)0x8037010Cu)
#define SIM_HCS_E_SERVICE_NOT_AVAILABLE ((HRESULT)0x80370114u)
#define SIM_HCS_E_OPERATION_NOT_STARTED ((HRESULT)0x80370115u)
#define SIM_HCS_E_OPERATION_ALREADY_STARTED ((HRESULT)0x80370116u)
#define SIM_HCS_E_OPERATION_TIMEOUT ((HRESULT)0x80370118u)
#define SIM_HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET ((HRESULT)0x80370119u)
#define SIM_HCS_E_ACCESS_DENIED ((HRESULT)0x8037011Bu)
#define SIM_HCS_E_SERVICE_DISCONNECT ((HRESULT)0x8037011Eu)

#define SIM_GENERIC_ALL 0x10000000u
#define SIM_INFINITE 0xFFFFFFFFu

/* Event options the library accepts: None, EnableOperationCallbacks, and 4, which hcsshim passes as
 * HcsEventOptionEnableLiveMigrationEvents (not in computedefs.h; accepted and ignored). */
#define SIM_EVENT_OPTIONS_KNOWN 0x5u

/* ---------------------------------------------------------------------------------------------- */
/* Wire protocol (must match provider/sim/service/protocol.ts)                                     */

#define PROTOCOL_VERSION 1
#define FRAME_HEADER 20u                /* body bytes before the strings */
#define FRAME_MAX (1u << 30)            /* sanity bound; documents are limited by memory only */
#define STR_NULL 0xFFFFFFFFu

enum { KIND_HELLO = 1, KIND_REQUEST = 2, KIND_REPLY = 3, KIND_EVENT = 4 };
enum {
    FN_ENUMERATE = 1,
    FN_CREATE = 2,
    FN_OPEN = 3,
    FN_CLOSE = 4,
    FN_START = 5,
    FN_SHUTDOWN = 6,
    FN_TERMINATE = 7,
    FN_PAUSE = 8,
    FN_RESUME = 9,
    FN_GET_PROPERTIES = 10,
    FN_MODIFY = 11,
    FN_SET_CALLBACK = 12,
    FN_GET_SERVICE_PROPERTIES = 13,
    FN_GRANT_VM_ACCESS = 14,
    FN_REVOKE_VM_ACCESS = 15,
    FN_GRANT_VM_GROUP_ACCESS = 16,
    FN_REVOKE_VM_GROUP_ACCESS = 17,
    FN_HVSOCK_BIND = 18,
    FN_HVSOCK_CLOSE = 19
};

/* ---------------------------------------------------------------------------------------------- */
/* Platform layer: mutexes, condition variables, threads, sockets, clocks                          */

#ifdef _WIN32
typedef SRWLOCK sim_mutex;
typedef CONDITION_VARIABLE sim_cond;
typedef SOCKET sim_sock;
#  define SIM_MUTEX_INIT SRWLOCK_INIT
#  define SIM_SOCK_INVALID INVALID_SOCKET
#  define THREAD_FN(name) static DWORD WINAPI name(LPVOID arg)
#  define THREAD_RETURN return 0
static void mu_lock(sim_mutex *m) { AcquireSRWLockExclusive(m); }
static void mu_unlock(sim_mutex *m) { ReleaseSRWLockExclusive(m); }
static void cv_init(sim_cond *c) { InitializeConditionVariable(c); }
static void cv_destroy(sim_cond *c) { (void)c; }
static void cv_broadcast(sim_cond *c) { WakeAllConditionVariable(c); }
static uint64_t now_ms(void) { return GetTickCount64(); }
static void cv_wait_until(sim_cond *c, sim_mutex *m, uint64_t deadline) {
    DWORD ms = INFINITE;
    if (deadline != UINT64_MAX) {
        uint64_t now = now_ms();
        ms = deadline > now ? (DWORD)((deadline - now) > 0x7FFFFFFFu ? 0x7FFFFFFFu : (deadline - now)) : 0;
    }
    SleepConditionVariableSRW(c, m, ms, 0);
}
static uint64_t thread_id(void) { return (uint64_t)GetCurrentThreadId(); }
static uint64_t process_id(void) { return (uint64_t)GetCurrentProcessId(); }
/* Keeps this DLL mapped until the process ends: see pin_module below. */
static void pin_module(void) {
    HMODULE self;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                       (LPCWSTR)(void *)&pin_module, &self);
}
static int thread_start(LPTHREAD_START_ROUTINE fn, void *arg) {
    pin_module();
    HANDLE h = CreateThread(NULL, 0, fn, arg, 0, NULL);
    if (h == NULL) return -1;
    CloseHandle(h);
    return 0;
}
static void sock_close(sim_sock s) { closesocket(s); }
static void sock_shutdown(sim_sock s) { shutdown(s, SD_BOTH); }
static long sock_send(sim_sock s, const uint8_t *p, size_t n) {
    int chunk = n > 0x40000000u ? 0x40000000 : (int)n;
    return send(s, (const char *)p, chunk, 0);
}
static long sock_recv(sim_sock s, uint8_t *p, size_t n) {
    int chunk = n > 0x40000000u ? 0x40000000 : (int)n;
    return recv(s, (char *)p, chunk, 0);
}
static int sock_interrupted(void) { return WSAGetLastError() == WSAEINTR; }
#else
typedef pthread_mutex_t sim_mutex;
typedef pthread_cond_t sim_cond;
typedef int sim_sock;
#  define SIM_MUTEX_INIT PTHREAD_MUTEX_INITIALIZER
#  define SIM_SOCK_INVALID (-1)
#  define THREAD_FN(name) static void *name(void *arg)
#  define THREAD_RETURN return NULL
static void mu_lock(sim_mutex *m) { pthread_mutex_lock(m); }
static void mu_unlock(sim_mutex *m) { pthread_mutex_unlock(m); }
static void cv_init(sim_cond *c) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(c, &attr);
    pthread_condattr_destroy(&attr);
}
static void cv_destroy(sim_cond *c) { pthread_cond_destroy(c); }
static void cv_broadcast(sim_cond *c) { pthread_cond_broadcast(c); }
static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
static void cv_wait_until(sim_cond *c, sim_mutex *m, uint64_t deadline) {
    if (deadline == UINT64_MAX) {
        pthread_cond_wait(c, m);
        return;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline / 1000u);
    ts.tv_nsec = (long)((deadline % 1000u) * 1000000u);
    pthread_cond_timedwait(c, m, &ts);
}
static uint64_t thread_id(void) { return (uint64_t)syscall(SYS_gettid); }
static uint64_t process_id(void) { return (uint64_t)getpid(); }
/*
 * The library's threads outlive any call into it, so the library must outlive its loader's handle:
 * at process exit Node tears down koffi, which dlcloses the libraries it loaded while our reader and
 * dispatcher threads may still be running their code (seen as a SIGSEGV at an unmapped address in
 * about one exit in a hundred under load). Taking a reference with RTLD_NODELETE keeps the code
 * mapped until the process ends; on Windows GET_MODULE_HANDLE_EX_FLAG_PIN does the same.
 */
static void pin_module(void) {
    Dl_info info;
    if (dladdr((void *)&pin_module, &info) != 0 && info.dli_fname != NULL) {
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE | RTLD_NOLOAD);
    }
}
static int thread_start(void *(*fn)(void *), void *arg) {
    pin_module();
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}
static void sock_close(sim_sock s) { close(s); }
static void sock_shutdown(sim_sock s) { shutdown(s, SHUT_RDWR); }
static long sock_send(sim_sock s, const uint8_t *p, size_t n) { return (long)send(s, p, n, MSG_NOSIGNAL); }
static long sock_recv(sim_sock s, uint8_t *p, size_t n) { return (long)recv(s, p, n, 0); }
static int sock_interrupted(void) { return errno == EINTR; }
#endif

static int send_all(sim_sock s, const uint8_t *p, size_t n) {
    while (n > 0) {
        long k = sock_send(s, p, n);
        if (k < 0 && sock_interrupted()) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int recv_all(sim_sock s, uint8_t *p, size_t n) {
    while (n > 0) {
        long k = sock_recv(s, p, n);
        if (k < 0 && sock_interrupted()) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* Strings: UTF-16 <-> UTF-8, and the allocator behind every string handed to the caller           */

#ifdef _WIN32
static uint16_t *str_alloc(size_t units) {
    return (uint16_t *)LocalAlloc(LMEM_FIXED, (units + 1) * sizeof(uint16_t));
}
#else
#  define STR_MAGIC 0x48435353494D5354ull /* "HCSSIMST" */
static long g_live_strings; /* atomic; exact here, unknown on Windows (kernel32 frees the strings) */
typedef struct str_header {
    uint64_t magic;
    uint64_t units;
} str_header;

static uint16_t *str_alloc(size_t units) {
    str_header *h = (str_header *)malloc(sizeof(str_header) + (units + 1) * sizeof(uint16_t));
    if (h == NULL) return NULL;
    h->magic = STR_MAGIC;
    h->units = units;
    __atomic_fetch_add(&g_live_strings, 1, __ATOMIC_SEQ_CST);
    return (uint16_t *)(h + 1);
}

/* The simulator's stand-in for kernel32!LocalFree: frees a string this library returned. Like the
 * real function it returns NULL on success and the argument itself when it cannot free it. */
SIM_EXPORT HLOCAL WINAPI LocalFree(HLOCAL mem) {
    if (mem == NULL) return NULL;
    str_header *h = (str_header *)mem - 1;
    if (h->magic != STR_MAGIC) return mem;
    h->magic = 0;
    free(h);
    __atomic_fetch_sub(&g_live_strings, 1, __ATOMIC_SEQ_CST);
    return NULL;
}
#endif

static size_t u16len(const uint16_t *s) {
    size_t n = 0;
    while (s[n] != 0) n++;
    return n;
}

/* UTF-16 (NUL-terminated) to UTF-8. Lone surrogates become U+FFFD. Returns malloc'd, NUL-terminated. */
static char *utf16_to_utf8(const uint16_t *s, size_t *out_len) {
    size_t n = u16len(s), bytes = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c < 0x80) bytes += 1;
        else if (c < 0x800) bytes += 2;
        else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            bytes += 4;
            i++;
        } else bytes += 3;
    }
    char *out = (char *)malloc(bytes + 1);
    if (out == NULL) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) {
            c = 0x10000u + ((c - 0xD800u) << 10) + (s[i + 1] - 0xDC00u);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out[o++] = (char)(0xE0 | (c >> 12));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xF0 | (c >> 18));
            out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = 0;
    if (out_len) *out_len = o;
    return out;
}

/* Decodes UTF-8 into UTF-16 units (out may be NULL to count). Invalid sequences become U+FFFD. */
static size_t utf8_to_utf16(const uint8_t *s, size_t n, uint16_t *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint32_t c = s[i], cp = 0xFFFD;
        size_t need = 0;
        if (c < 0x80) {
            cp = c;
            need = 0;
        } else if (c >= 0xC2 && c <= 0xDF) {
            cp = c & 0x1F;
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            cp = c & 0x0F;
            need = 2;
        } else if (c >= 0xF0 && c <= 0xF4) {
            cp = c & 0x07;
            need = 3;
        } else {
            need = (size_t)-1;
        }
        size_t used = 1;
        if (need == (size_t)-1) {
            cp = 0xFFFD;
        } else if (need > 0) {
            int ok = i + need < n; /* the continuation bytes are s[i + 1 .. i + need] */
            for (size_t k = 1; ok && k <= need; k++) {
                if ((s[i + k] & 0xC0) != 0x80) ok = 0;
            }
            if (ok) {
                uint32_t second = s[i + 1];
                if (c == 0xE0 && second < 0xA0) ok = 0;       /* overlong */
                if (c == 0xED && second > 0x9F) ok = 0;       /* surrogate */
                if (c == 0xF0 && second < 0x90) ok = 0;       /* overlong */
                if (c == 0xF4 && second > 0x8F) ok = 0;       /* > U+10FFFF */
            }
            if (ok) {
                for (size_t k = 1; k <= need; k++) cp = (cp << 6) | (s[i + k] & 0x3F);
                used = need + 1;
            } else {
                cp = 0xFFFD;
            }
        }
        i += used;
        if (cp >= 0x10000) {
            if (out) {
                out[o] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
                out[o + 1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
            }
            o += 2;
        } else {
            if (out) out[o] = (uint16_t)cp;
            o += 1;
        }
    }
    return o;
}

/* A UTF-8 document as a caller-owned UTF-16 string (freed with LocalFree). */
static PWSTR doc_to_caller(const char *utf8, size_t len) {
    if (utf8 == NULL) return NULL;
    size_t units = utf8_to_utf16((const uint8_t *)utf8, len, NULL);
    uint16_t *w = str_alloc(units);
    if (w == NULL) return NULL;
    utf8_to_utf16((const uint8_t *)utf8, len, w);
    w[units] = 0;
    return (PWSTR)w;
}

/* A UTF-8 string as a temporary UTF-16 string (malloc), for event data passed to a callback. */
static uint16_t *utf8_to_temp16(const char *utf8, size_t len) {
    size_t units = utf8_to_utf16((const uint8_t *)utf8, len, NULL);
    uint16_t *w = (uint16_t *)malloc((units + 1) * sizeof(uint16_t));
    if (w == NULL) return NULL;
    utf8_to_utf16((const uint8_t *)utf8, len, w);
    w[units] = 0;
    return w;
}

static char *dup_bytes(const char *p, size_t n) {
    char *d = (char *)malloc(n + 1);
    if (d == NULL) return NULL;
    if (n > 0) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

/* Appends s to a JSON string literal being built in buf (escaping as JSON requires). */
static size_t json_escape(char *buf, size_t cap, size_t at, const char *s) {
    for (; *s && at + 8 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            buf[at++] = '\\';
            buf[at++] = (char)c;
        } else if (c < 0x20) {
            at += (size_t)snprintf(buf + at, cap - at, "\\u%04x", c);
        } else {
            buf[at++] = (char)c;
        }
    }
    buf[at] = 0;
    return at;
}

/* A ResultError document {"Error":hr,"ErrorMessage":msg,"ErrorEvents":[...]} (malloc'd UTF-8). */
static char *error_document(HRESULT hr, const char *message, size_t *len_out) {
    size_t cap = strlen(message) * 2 + 256;
    char *buf = (char *)malloc(cap);
    if (buf == NULL) return NULL;
    size_t at = (size_t)snprintf(buf, cap, "{\"Error\":%d,\"ErrorMessage\":\"", (int)hr);
    at = json_escape(buf, cap, at, message);
    at += (size_t)snprintf(buf + at, cap - at, "\",\"ErrorEvents\":[{\"Message\":\"");
    at = json_escape(buf, cap, at, message);
    at += (size_t)snprintf(buf + at, cap - at, "\",\"Source\":\"hcssim\"}]}");
    if (len_out) *len_out = at;
    return buf;
}

/* ---------------------------------------------------------------------------------------------- */
/* Objects                                                                                          */

enum { OP_IDLE = 0, OP_PENDING = 1, OP_DONE = 2 };

typedef struct sim_system sim_system;

typedef struct sim_op {
    struct sim_op *reg_next, *reg_prev; /* open operations (not yet closed) */
    struct sim_op *fl_next, *fl_prev;   /* in flight */
    const void *context;
    HCS_OPERATION_COMPLETION callback;
    int state;
    int closed;
    int in_flight;
    int refs;
    uint32_t req_id;
    uint32_t gen;
    HRESULT hr;
    char *doc;        /* UTF-8 result document, NULL when there is none */
    size_t doc_len;
    sim_system *sys;  /* the handle the operation runs on, referenced while in flight */
    sim_cond cond;
} sim_op;

struct sim_system {
    sim_system *reg_next, *reg_prev;
    uint32_t remote_id;
    uint32_t gen;
    HCS_EVENT_CALLBACK cb;
    const void *cb_ctx;
    int32_t cb_options;
    int cb_running;
    int closed;
    int refs;
    sim_cond cond;
};

typedef struct sync_req {
    struct sync_req *next, *prev;
    uint32_t req_id;
    uint32_t gen;
    int done;
    HRESULT hr;
    char *doc;
    size_t doc_len;
    sim_cond cond;
} sync_req;

typedef struct conn {
    sim_sock fd;
    uint32_t gen;
    int alive;
    int refs;
    sim_mutex wmu;
} conn;

enum { DQ_OP = 1, DQ_EVENT = 2 };

typedef struct dq_item {
    struct dq_item *next;
    int kind;
    sim_op *op;        /* DQ_OP, or the Operation of an operation-callback event */
    sim_system *sys;   /* DQ_EVENT */
    int32_t ev_type;
    char *ev_data;     /* UTF-8 or NULL */
    size_t ev_len;
} dq_item;

/* All state below is guarded by g_mu, except where noted. */
static sim_mutex g_mu = SIM_MUTEX_INIT;
static sim_mutex g_connect_mu = SIM_MUTEX_INIT; /* serializes connection attempts */
static sim_cond g_cond;                           /* connection changes and dispatcher queue */
static int g_initialized;
static conn *g_conn;
static uint32_t g_gen;
static uint32_t g_next_req = 1;
static uint32_t g_next_handle = 1;
static sim_op *g_ops;
static sim_op *g_inflight;
static long g_live_ops, g_allocated_ops;
static sim_system *g_systems;
static long g_live_systems, g_allocated_systems;
static sync_req *g_sync;
static dq_item *g_dq_head, *g_dq_tail;
static long g_dq_len;
static int g_dispatcher_started;
static uint64_t g_dispatcher_tid, g_reader_tid, g_last_callback_tid;
static long g_callbacks_invoked;
static char g_last_error[512];
static int g_close_warned;
static char *g_address_override; /* HcsSimSetServiceAddress; NULL: read the environment */
static char *g_secret_override;

#ifdef _WIN32
static INIT_ONCE g_once = INIT_ONCE_STATIC_INIT;
static BOOL CALLBACK init_once_fn(PINIT_ONCE once, PVOID param, PVOID *ctx) {
    (void)once;
    (void)param;
    (void)ctx;
    cv_init(&g_cond);
    g_initialized = 1;
    return TRUE;
}
static void lib_init(void) { InitOnceExecuteOnce(&g_once, init_once_fn, NULL, NULL); }
#else
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void init_once_fn(void) {
    cv_init(&g_cond);
    g_initialized = 1;
}
static void lib_init(void) { pthread_once(&g_once, init_once_fn); }
#endif

static void set_last_error(const char *fmt, ...) {
    char tmp[sizeof g_last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    mu_lock(&g_mu);
    memcpy(g_last_error, tmp, sizeof tmp);
    mu_unlock(&g_mu);
}

static uint32_t next_req_id(void) {
    uint32_t id = g_next_req++;
    if (g_next_req == 0) g_next_req = 1;
    return id;
}

static sim_op *op_lookup(HCS_OPERATION h) {
    for (sim_op *o = g_ops; o != NULL; o = o->reg_next) {
        if ((void *)o == (void *)h) return o;
    }
    return NULL;
}

static sim_system *sys_lookup(HCS_SYSTEM h) {
    for (sim_system *s = g_systems; s != NULL; s = s->reg_next) {
        if ((void *)s == (void *)h) return s;
    }
    return NULL;
}

static void op_release(sim_op *o) {
    if (--o->refs > 0) return;
    free(o->doc);
    cv_destroy(&o->cond);
    free(o);
    g_allocated_ops--;
}

static void sys_release(sim_system *s) {
    if (--s->refs > 0) return;
    cv_destroy(&s->cond);
    free(s);
    g_allocated_systems--;
}

static void conn_release(conn *c) {
    if (--c->refs > 0) return;
    sock_close(c->fd);
    free(c);
}

/* A handle is usable only while the connection that made it is the live one. */
static int sys_usable(const sim_system *s) {
    return s != NULL && !s->closed && g_conn != NULL && g_conn->alive && s->gen == g_conn->gen;
}

/* ---------------------------------------------------------------------------------------------- */
/* Dispatcher thread: runs every callback                                                          */

THREAD_FN(dispatcher_main);

static void dq_push(dq_item *item) {
    item->next = NULL;
    if (g_dq_tail) g_dq_tail->next = item;
    else g_dq_head = item;
    g_dq_tail = item;
    g_dq_len++;
    if (!g_dispatcher_started) {
        g_dispatcher_started = 1;
        if (thread_start(dispatcher_main, NULL) != 0) g_dispatcher_started = 0;
    }
    cv_broadcast(&g_cond);
}

static void enqueue_op_callback(sim_op *o) {
    dq_item *item = (dq_item *)calloc(1, sizeof *item);
    if (item == NULL) return;
    item->kind = DQ_OP;
    item->op = o;
    o->refs++;
    dq_push(item);
}

/* Takes ownership of data. */
static void enqueue_event(sim_system *s, int32_t type, char *data, size_t len, sim_op *o) {
    dq_item *item = (dq_item *)calloc(1, sizeof *item);
    if (item == NULL) {
        free(data);
        return;
    }
    item->kind = DQ_EVENT;
    item->sys = s;
    s->refs++;
    item->ev_type = type;
    item->ev_data = data;
    item->ev_len = len;
    if (o != NULL) {
        item->op = o;
        o->refs++;
    }
    dq_push(item);
}

THREAD_FN(dispatcher_main) {
    (void)arg;
    mu_lock(&g_mu);
    g_dispatcher_tid = thread_id();
    for (;;) {
        while (g_dq_head == NULL) cv_wait_until(&g_cond, &g_mu, UINT64_MAX);
        dq_item *item = g_dq_head;
        g_dq_head = item->next;
        if (g_dq_head == NULL) g_dq_tail = NULL;
        g_dq_len--;

        if (item->kind == DQ_OP) {
            sim_op *o = item->op;
            HCS_OPERATION_COMPLETION cb = o->closed ? NULL : o->callback;
            const void *ctx = o->context;
            if (cb != NULL) {
                g_last_callback_tid = thread_id();
                g_callbacks_invoked++;
                mu_unlock(&g_mu);
                cb((HCS_OPERATION)(void *)o, (void *)ctx);
                mu_lock(&g_mu);
            }
            op_release(o);
        } else {
            sim_system *s = item->sys;
            HCS_EVENT_CALLBACK cb = s->closed ? NULL : s->cb;
            const void *ctx = s->cb_ctx;
            if (cb != NULL) {
                s->cb_running++;
                g_last_callback_tid = thread_id();
                g_callbacks_invoked++;
                mu_unlock(&g_mu);
                uint16_t *data16 = item->ev_data ? utf8_to_temp16(item->ev_data, item->ev_len) : NULL;
                HCS_EVENT ev;
                memset(&ev, 0, sizeof ev);
                ev.Type = (HCS_EVENT_TYPE)item->ev_type;
                ev.EventData = (PCWSTR)data16;
                ev.Operation = item->op ? (HCS_OPERATION)(void *)item->op : NULL;
                cb(&ev, (void *)ctx);
                free(data16);
                mu_lock(&g_mu);
                s->cb_running--;
                cv_broadcast(&s->cond);
            }
            if (item->op) op_release(item->op);
            sys_release(s);
            free(item->ev_data);
        }
        free(item);
    }
    mu_unlock(&g_mu);
    THREAD_RETURN;
}

/* ---------------------------------------------------------------------------------------------- */
/* Frames                                                                                           */

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

typedef struct wire_str {
    const char *p; /* NULL means a NULL string */
    size_t len;
} wire_str;

/* Builds a whole frame (length prefix included). Returns malloc'd bytes. */
static uint8_t *frame_build(uint8_t kind, uint8_t fn, uint32_t req, uint32_t handle, HRESULT hr, uint32_t arg,
                            int nstr, const wire_str *strs, size_t *total) {
    size_t body = FRAME_HEADER;
    for (int i = 0; i < nstr; i++) body += 4 + (strs[i].p ? strs[i].len : 0);
    if (body > FRAME_MAX) return NULL;
    uint8_t *buf = (uint8_t *)malloc(4 + body);
    if (buf == NULL) return NULL;
    put_u32(buf, (uint32_t)body);
    buf[4] = kind;
    buf[5] = fn;
    buf[6] = (uint8_t)nstr;
    buf[7] = (uint8_t)((unsigned)nstr >> 8);
    put_u32(buf + 8, req);
    put_u32(buf + 12, handle);
    put_u32(buf + 16, (uint32_t)hr);
    put_u32(buf + 20, arg);
    size_t at = 24;
    for (int i = 0; i < nstr; i++) {
        if (strs[i].p == NULL) {
            put_u32(buf + at, STR_NULL);
            at += 4;
        } else {
            put_u32(buf + at, (uint32_t)strs[i].len);
            at += 4;
            if (strs[i].len) memcpy(buf + at, strs[i].p, strs[i].len);
            at += strs[i].len;
        }
    }
    *total = at;
    return buf;
}

typedef struct frame {
    uint8_t *body;
    size_t len;
    uint8_t kind, fn;
    uint16_t nstr;
    uint32_t req, handle, arg;
    HRESULT hr;
} frame;

static int frame_read(sim_sock fd, frame *f) {
    uint8_t hdr[4];
    memset(f, 0, sizeof *f);
    if (recv_all(fd, hdr, 4) != 0) return -1;
    uint32_t len = get_u32(hdr);
    if (len < FRAME_HEADER || len > FRAME_MAX) return -2;
    f->body = (uint8_t *)malloc(len);
    if (f->body == NULL) return -3;
    if (recv_all(fd, f->body, len) != 0) {
        free(f->body);
        f->body = NULL;
        return -1;
    }
    f->len = len;
    f->kind = f->body[0];
    f->fn = f->body[1];
    f->nstr = (uint16_t)(f->body[2] | (f->body[3] << 8));
    f->req = get_u32(f->body + 4);
    f->handle = get_u32(f->body + 8);
    f->hr = (HRESULT)get_u32(f->body + 12);
    f->arg = get_u32(f->body + 16);
    return 0;
}

/* The frame's first string as a malloc'd copy (NULL when absent or NULL). */
static char *frame_str0(const frame *f, size_t *len) {
    *len = 0;
    if (f->nstr < 1 || f->len < FRAME_HEADER + 4) return NULL;
    uint32_t n = get_u32(f->body + FRAME_HEADER);
    if (n == STR_NULL || (size_t)n > f->len - FRAME_HEADER - 4) return NULL;
    *len = n;
    return dup_bytes((const char *)f->body + FRAME_HEADER + 4, n);
}

/* ---------------------------------------------------------------------------------------------- */
/* Connection                                                                                      */

static void complete_op_locked(sim_op *o, HRESULT hr, char *doc, size_t len);

/* Everything in flight on c fails with HCS_E_SERVICE_DISCONNECT; every registered callback of its
 * handles gets HcsEventServiceDisconnect. Called once, by c's reader thread, without g_mu. */
static void conn_lost(conn *c, const char *reason) {
    char msg[400];
    snprintf(msg, sizeof msg, "The connection to the HCS simulator service was lost (%s); in-flight "
             "operations failed and this process's compute-system handles are no longer valid", reason);
    mu_lock(&g_mu);
    c->alive = 0;
    if (g_conn == c) g_conn = NULL;
    snprintf(g_last_error, sizeof g_last_error, "%s", msg);
    sim_op *o = g_inflight;
    while (o != NULL) {
        sim_op *next = o->fl_next;
        if (o->gen == c->gen) {
            size_t len = 0;
            char *doc = error_document(SIM_HCS_E_SERVICE_DISCONNECT, msg, &len);
            complete_op_locked(o, SIM_HCS_E_SERVICE_DISCONNECT, doc, len);
        }
        o = next;
    }
    for (sync_req *r = g_sync; r != NULL; r = r->next) {
        if (r->gen == c->gen && !r->done) {
            r->done = 1;
            r->hr = SIM_HCS_E_SERVICE_DISCONNECT;
            r->doc = error_document(SIM_HCS_E_SERVICE_DISCONNECT, msg, &r->doc_len);
            cv_broadcast(&r->cond);
        }
    }
    for (sim_system *s = g_systems; s != NULL; s = s->reg_next) {
        if (s->gen == c->gen && s->cb != NULL && !s->closed) {
            /* GUESS: HCS passes no EventData with HcsEventServiceDisconnect. */
            enqueue_event(s, HcsEventServiceDisconnect, NULL, 0, NULL);
        }
    }
    cv_broadcast(&g_cond);
    conn_release(c);
    mu_unlock(&g_mu);
}

static void handle_frame(conn *c, const frame *f) {
    size_t len = 0;
    if (f->kind == KIND_REPLY) {
        char *doc = frame_str0(f, &len);
        mu_lock(&g_mu);
        for (sim_op *o = g_inflight; o != NULL; o = o->fl_next) {
            if (o->req_id == f->req && o->gen == c->gen) {
                complete_op_locked(o, f->hr, doc, len);
                mu_unlock(&g_mu);
                return;
            }
        }
        for (sync_req *r = g_sync; r != NULL; r = r->next) {
            if (r->req_id == f->req && r->gen == c->gen && !r->done) {
                r->done = 1;
                r->hr = f->hr;
                r->doc = doc;
                r->doc_len = len;
                cv_broadcast(&r->cond);
                mu_unlock(&g_mu);
                return;
            }
        }
        mu_unlock(&g_mu);
        free(doc); /* the operation was closed while in flight: HCS discards its result */
    } else if (f->kind == KIND_EVENT) {
        char *data = frame_str0(f, &len);
        mu_lock(&g_mu);
        for (sim_system *s = g_systems; s != NULL; s = s->reg_next) {
            if (s->remote_id == f->handle && s->gen == c->gen && !s->closed && s->cb != NULL) {
                enqueue_event(s, (int32_t)f->arg, data, len, NULL);
                data = NULL;
                break;
            }
        }
        mu_unlock(&g_mu);
        free(data);
    }
}

THREAD_FN(reader_main) {
    conn *c = (conn *)arg;
    mu_lock(&g_mu);
    g_reader_tid = thread_id();
    mu_unlock(&g_mu);
    const char *reason = "the service closed the connection";
    for (;;) {
        frame f;
        int rc = frame_read(c->fd, &f);
        if (rc != 0) {
            if (rc == -2) reason = "the service sent a malformed frame";
            if (rc == -3) reason = "out of memory reading a frame";
            break;
        }
        handle_frame(c, &f);
        free(f.body);
    }
    sock_shutdown(c->fd);
    conn_lost(c, reason);
    THREAD_RETURN;
}

static char *read_env_utf8(const char *name) {
#ifdef _WIN32
    /* Node's process.env writes go through SetEnvironmentVariableW; the CRT's getenv misses them. */
    WCHAR wname[64];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof wname / sizeof wname[0]; i++) wname[i] = (WCHAR)name[i];
    wname[i] = 0;
    DWORD n = GetEnvironmentVariableW(wname, NULL, 0);
    if (n == 0) return NULL;
    WCHAR *buf = (WCHAR *)malloc((size_t)n * sizeof(WCHAR));
    if (buf == NULL) return NULL;
    if (GetEnvironmentVariableW(wname, buf, n) == 0) {
        free(buf);
        return NULL;
    }
    char *s = utf16_to_utf8((const uint16_t *)buf, NULL);
    free(buf);
    return s;
#else
    const char *v = getenv(name);
    return v ? dup_bytes(v, strlen(v)) : NULL;
#endif
}

/* The service address and secret: HcsSimSetServiceAddress's, else PULUMI_HCS_SIM(_SECRET). */
static void service_address(char **addr, char **secret) {
    mu_lock(&g_mu);
    int overridden = g_address_override != NULL;
    *addr = overridden ? dup_bytes(g_address_override, strlen(g_address_override)) : NULL;
    *secret = overridden && g_secret_override ? dup_bytes(g_secret_override, strlen(g_secret_override)) : NULL;
    mu_unlock(&g_mu);
    if (!overridden) {
        *addr = read_env_utf8("PULUMI_HCS_SIM");
        *secret = read_env_utf8("PULUMI_HCS_SIM_SECRET");
    }
}

/* Opens the socket `addr` names. Returns 0 or -1 with g_last_error set. Takes ownership of addr. */
static int open_socket(char *addr, sim_sock *out) {
    if (addr == NULL || addr[0] == 0) {
        free(addr);
        set_last_error("PULUMI_HCS_SIM is not set: set it to unix:<socket path>, an absolute socket path, "
                       "or tcp:127.0.0.1:<port> (the address `pulumi-hcs sim` prints)");
        return -1;
    }
    sim_sock fd = SIM_SOCK_INVALID;
    if (strncmp(addr, "tcp:", 4) == 0) {
#ifdef _WIN32
        static int wsa_ready;
        if (!wsa_ready) {
            WSADATA wsa;
            if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
                set_last_error("WSAStartup failed");
                free(addr);
                return -1;
            }
            wsa_ready = 1;
        }
#endif
        char *host = addr + 4;
        char *colon = strrchr(host, ':');
        long port = colon ? strtol(colon + 1, NULL, 10) : 0;
        if (colon == NULL || port <= 0 || port > 65535) {
            set_last_error("PULUMI_HCS_SIM '%s' is not tcp:<IPv4 address>:<port>", addr);
            free(addr);
            return -1;
        }
        *colon = 0;
        struct sockaddr_in sa;
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
            set_last_error("PULUMI_HCS_SIM host '%s' is not a numeric IPv4 address", host);
            free(addr);
            return -1;
        }
        fd = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (fd == SIM_SOCK_INVALID || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            set_last_error("cannot connect to the HCS simulator service at tcp:%s:%ld (is `pulumi-hcs sim` "
                           "running?)", host, port);
            if (fd != SIM_SOCK_INVALID) sock_close(fd);
            free(addr);
            return -1;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
    } else {
#ifdef _WIN32
        set_last_error("PULUMI_HCS_SIM '%s': only tcp:<address>:<port> is supported on Windows", addr);
        free(addr);
        return -1;
#else
        const char *path = strncmp(addr, "unix:", 5) == 0 ? addr + 5 : addr;
        struct sockaddr_un sa;
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        if (path[0] != '/') {
            set_last_error("PULUMI_HCS_SIM '%s' is neither unix:<absolute path>, an absolute path, nor "
                           "tcp:<address>:<port>", addr);
            free(addr);
            return -1;
        }
        if (strlen(path) >= sizeof sa.sun_path) {
            set_last_error("the simulator socket path '%s' is longer than a Unix socket path may be (%zu bytes)",
                           path, sizeof sa.sun_path - 1);
            free(addr);
            return -1;
        }
        memcpy(sa.sun_path, path, strlen(path));
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            set_last_error("cannot connect to the HCS simulator service at unix:%s: %s (is `pulumi-hcs sim` "
                           "running?)", path, strerror(errno));
            if (fd >= 0) sock_close(fd);
            free(addr);
            return -1;
        }
#endif
    }
    free(addr);
    *out = fd;
    return 0;
}

static void set_recv_timeout(sim_sock fd, unsigned ms) {
#ifdef _WIN32
    DWORD t = ms;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, (const char *)&t, sizeof t);
#else
    struct timeval tv;
    tv.tv_sec = (time_t)(ms / 1000u);
    tv.tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
#endif
}

/* Returns the live connection (with a reference the caller releases), connecting if needed. */
static HRESULT conn_acquire(conn **out) {
    *out = NULL;
    mu_lock(&g_connect_mu);
    mu_lock(&g_mu);
    if (g_conn != NULL && g_conn->alive) {
        g_conn->refs++;
        *out = g_conn;
        mu_unlock(&g_mu);
        mu_unlock(&g_connect_mu);
        return SIM_S_OK;
    }
    mu_unlock(&g_mu);

    sim_sock fd;
    char *address = NULL, *secret = NULL;
    service_address(&address, &secret);
    if (open_socket(address, &fd) != 0) {
        free(secret);
        mu_unlock(&g_connect_mu);
        return SIM_HCS_E_SERVICE_NOT_AVAILABLE;
    }
    char info[200];
    int info_len = snprintf(info, sizeof info,
                            "{\"protocol\":%d,\"pid\":%llu,\"platform\":\"%s\",\"library\":\"hcssim/1\"}",
                            PROTOCOL_VERSION, (unsigned long long)process_id(),
#ifdef _WIN32
                            "windows"
#else
                            "linux"
#endif
    );
    wire_str strs[2] = {{secret, secret ? strlen(secret) : 0}, {info, (size_t)info_len}};
    size_t total = 0;
    uint8_t *buf = frame_build(KIND_HELLO, 0, 0, 0, 0, PROTOCOL_VERSION, 2, strs, &total);
    free(secret);
    HRESULT hr = SIM_HCS_E_SERVICE_NOT_AVAILABLE;
    frame f;
    memset(&f, 0, sizeof f);
    set_recv_timeout(fd, 10000);
    if (buf == NULL || send_all(fd, buf, total) != 0) {
        set_last_error("cannot send the hello frame to the HCS simulator service");
    } else if (frame_read(fd, &f) != 0 || f.kind != KIND_REPLY) {
        set_last_error("the HCS simulator service did not answer the hello frame (wrong address, or a TCP "
                       "client without PULUMI_HCS_SIM_SECRET?)");
    } else if (f.hr < 0) {
        size_t len = 0;
        char *why = frame_str0(&f, &len);
        set_last_error("the HCS simulator service refused the connection: %s", why ? why : "no reason given");
        free(why);
        hr = f.hr;
    } else {
        hr = SIM_S_OK;
    }
    free(buf);
    free(f.body);
    if (hr < 0) {
        sock_close(fd);
        mu_unlock(&g_connect_mu);
        return hr;
    }
    set_recv_timeout(fd, 0);

    conn *c = (conn *)calloc(1, sizeof *c);
    if (c == NULL) {
        sock_close(fd);
        mu_unlock(&g_connect_mu);
        return SIM_E_OUTOFMEMORY;
    }
    c->fd = fd;
    c->alive = 1;
    c->refs = 2; /* the reader thread's and the caller's */
    sim_mutex init = SIM_MUTEX_INIT;
    c->wmu = init;
    mu_lock(&g_mu);
    c->gen = ++g_gen;
    if (c->gen == 0) c->gen = ++g_gen;
    g_conn = c;
    cv_broadcast(&g_cond);
    mu_unlock(&g_mu);
    if (thread_start(reader_main, c) != 0) {
        mu_lock(&g_mu);
        c->alive = 0;
        g_conn = NULL;
        c->refs -= 2;
        conn_release(c);
        mu_unlock(&g_mu);
        mu_unlock(&g_connect_mu);
        set_last_error("cannot start the simulator library's reader thread");
        return SIM_HCS_E_SERVICE_NOT_AVAILABLE;
    }
    mu_unlock(&g_connect_mu);
    *out = c;
    return SIM_S_OK;
}

static void conn_put(conn *c) {
    mu_lock(&g_mu);
    conn_release(c);
    mu_unlock(&g_mu);
}

/* Sends a whole frame. On failure the socket is shut down, so the reader fails everything in flight. */
static int conn_send(conn *c, const uint8_t *buf, size_t len) {
    mu_lock(&c->wmu);
    int rc = send_all(c->fd, buf, len);
    mu_unlock(&c->wmu);
    if (rc != 0) sock_shutdown(c->fd);
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */
/* Operations                                                                                       */

/* Stores the result, wakes waiters, then queues the completion callback. Called with g_mu held. */
static void complete_op_locked(sim_op *o, HRESULT hr, char *doc, size_t len) {
    if (o->fl_prev) o->fl_prev->fl_next = o->fl_next;
    else g_inflight = o->fl_next;
    if (o->fl_next) o->fl_next->fl_prev = o->fl_prev;
    o->fl_next = o->fl_prev = NULL;
    o->in_flight = 0;
    free(o->doc);
    o->doc = doc;
    o->doc_len = len;
    o->hr = hr;
    o->state = OP_DONE;
    cv_broadcast(&o->cond);
    sim_system *s = o->sys;
    o->sys = NULL;
    if (!o->closed) {
        if (o->callback != NULL) {
            enqueue_op_callback(o);
        } else if (s != NULL && !s->closed && s->cb != NULL && (s->cb_options & HcsEventOptionEnableOperationCallbacks)) {
            /* GUESS: the operation-callback event carries no EventData; the caller reads the result
             * from event->Operation with HcsWaitForOperationResult. */
            enqueue_event(s, HcsEventOperationCallback, NULL, 0, o);
        }
    }
    if (s != NULL) sys_release(s);
    op_release(o); /* the in-flight reference */
}

typedef struct call_args {
    uint8_t fn;
    uint32_t arg;
    int nstr;
    wire_str strs[3];
} call_args;

/* Starts an asynchronous call: validates locally, registers the operation in flight, sends the
 * request and returns without waiting. create_out, for HcsCreateComputeSystem, receives a new handle. */
static HRESULT start_async(HCS_OPERATION operation, HCS_SYSTEM system, int needs_system, const call_args *a,
                           HCS_SYSTEM *create_out) {
    /* GUESS: a NULL operation or handle is E_INVALIDARG; a handle or operation that is not (or no longer)
     * open, or that belongs to an earlier connection, is E_HANDLE. */
    if (operation == NULL) return SIM_E_INVALIDARG;
    if (needs_system && system == NULL) return SIM_E_INVALIDARG;
    for (int attempt = 0; attempt < 2; attempt++) {
        conn *c = NULL;
        if (!needs_system) {
            HRESULT hr = conn_acquire(&c);
            if (hr < 0) return hr;
        }
        mu_lock(&g_mu);
        sim_op *o = op_lookup(operation);
        HRESULT fail = SIM_S_OK;
        sim_system *s = NULL;
        if (o == NULL) fail = SIM_E_HANDLE;
        else if (o->state == OP_PENDING) fail = SIM_HCS_E_OPERATION_ALREADY_STARTED;
        if (fail == SIM_S_OK && needs_system) {
            s = sys_lookup(system);
            if (!sys_usable(s)) fail = SIM_E_HANDLE;
            else if (o->callback != NULL && s->cb != NULL && (s->cb_options & HcsEventOptionEnableOperationCallbacks))
                fail = SIM_HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET;
            else {
                c = g_conn;
                c->refs++;
            }
        }
        if (fail == SIM_S_OK && !c->alive) fail = SIM_HCS_E_SERVICE_NOT_AVAILABLE;
        if (fail < 0) {
            if (c) conn_release(c);
            mu_unlock(&g_mu);
            return fail;
        }
        uint32_t handle_id = s ? s->remote_id : 0;
        sim_system *created = NULL;
        if (create_out != NULL) {
            created = (sim_system *)calloc(1, sizeof *created);
            if (created == NULL) {
                conn_release(c);
                mu_unlock(&g_mu);
                return SIM_E_OUTOFMEMORY;
            }
            cv_init(&created->cond);
            created->remote_id = g_next_handle++;
            created->gen = c->gen;
            created->refs = 1;
            created->reg_next = g_systems;
            if (g_systems) g_systems->reg_prev = created;
            g_systems = created;
            g_live_systems++;
            g_allocated_systems++;
            handle_id = created->remote_id;
        }
        uint32_t req = next_req_id();
        free(o->doc);
        o->doc = NULL;
        o->doc_len = 0;
        o->hr = SIM_S_OK;
        o->state = OP_PENDING;
        o->req_id = req;
        o->gen = c->gen;
        o->in_flight = 1;
        o->refs++;
        o->sys = s ? s : created;
        if (o->sys) o->sys->refs++;
        o->fl_next = g_inflight;
        o->fl_prev = NULL;
        if (g_inflight) g_inflight->fl_prev = o;
        g_inflight = o;
        mu_unlock(&g_mu);

        size_t total = 0;
        uint8_t *buf = frame_build(KIND_REQUEST, a->fn, req, handle_id, 0, a->arg, a->nstr, a->strs, &total);
        int sent = buf != NULL && conn_send(c, buf, total) == 0;
        free(buf);
        if (sent) {
            if (create_out) *create_out = (HCS_SYSTEM)(void *)created;
            conn_put(c);
            return SIM_S_OK;
        }
        /* Nothing reached the service. If the reader has not failed the operation yet, take it back
         * and, for a call that names no handle, retry once on a fresh connection. */
        mu_lock(&g_mu);
        int taken_back = 0;
        if (o->in_flight && o->req_id == req) {
            if (o->fl_prev) o->fl_prev->fl_next = o->fl_next;
            else g_inflight = o->fl_next;
            if (o->fl_next) o->fl_next->fl_prev = o->fl_prev;
            o->fl_next = o->fl_prev = NULL;
            o->in_flight = 0;
            o->state = OP_IDLE;
            if (o->sys) sys_release(o->sys);
            o->sys = NULL;
            op_release(o);
            taken_back = 1;
        }
        if (created != NULL && taken_back) {
            created->closed = 1;
            if (created->reg_prev) created->reg_prev->reg_next = created->reg_next;
            else g_systems = created->reg_next;
            if (created->reg_next) created->reg_next->reg_prev = created->reg_prev;
            g_live_systems--;
            sys_release(created);
            created = NULL;
        }
        conn_release(c);
        mu_unlock(&g_mu);
        if (!taken_back) {
            if (create_out) *create_out = (HCS_SYSTEM)(void *)created;
            return SIM_S_OK; /* it already completed with HCS_E_SERVICE_DISCONNECT */
        }
        if (needs_system) return SIM_HCS_E_SERVICE_NOT_AVAILABLE;
    }
    return SIM_HCS_E_SERVICE_NOT_AVAILABLE;
}

/* A synchronous call: sends the request and blocks until the service answers or the connection drops. */
static HRESULT sync_call(conn *c, uint32_t handle_id, const call_args *a, char **doc, size_t *doc_len,
                         int *unsent) {
    sync_req r;
    if (unsent) *unsent = 0;
    memset(&r, 0, sizeof r);
    cv_init(&r.cond);
    mu_lock(&g_mu);
    if (!c->alive) {
        mu_unlock(&g_mu);
        cv_destroy(&r.cond);
        return SIM_HCS_E_SERVICE_DISCONNECT;
    }
    r.req_id = next_req_id();
    r.gen = c->gen;
    r.next = g_sync;
    if (g_sync) g_sync->prev = &r;
    g_sync = &r;
    mu_unlock(&g_mu);

    size_t total = 0;
    uint8_t *buf = frame_build(KIND_REQUEST, a->fn, r.req_id, handle_id, 0, a->arg, a->nstr, a->strs, &total);
    if (buf == NULL) {
        mu_lock(&g_mu);
        r.done = 1;
        r.hr = SIM_E_OUTOFMEMORY;
    } else {
        /* On failure the reader fails this request with a disconnect. */
        if (conn_send(c, buf, total) != 0 && unsent) *unsent = 1;
        free(buf);
        mu_lock(&g_mu);
    }
    while (!r.done) cv_wait_until(&r.cond, &g_mu, UINT64_MAX);
    if (r.prev) r.prev->next = r.next;
    else g_sync = r.next;
    if (r.next) r.next->prev = r.prev;
    mu_unlock(&g_mu);
    cv_destroy(&r.cond);
    if (doc) {
        *doc = r.doc;
        *doc_len = r.doc_len;
    } else {
        free(r.doc);
    }
    return r.hr;
}

/* Synchronous call that names no handle: connects first. Retries once when the request could not be
 * sent on a connection that turned out to be dead. */
static HRESULT sync_call_unbound(const call_args *a, char **doc, size_t *doc_len) {
    HRESULT hr = SIM_HCS_E_SERVICE_NOT_AVAILABLE;
    for (int attempt = 0; attempt < 2; attempt++) {
        conn *c = NULL;
        hr = conn_acquire(&c);
        if (hr < 0) return hr;
        if (doc) *doc = NULL;
        int unsent = 0;
        hr = sync_call(c, 0, a, doc, doc_len, &unsent);
        conn_put(c);
        /* Retry only when the service never saw the request (the connection was already dead). */
        if (hr != SIM_HCS_E_SERVICE_DISCONNECT || !unsent || attempt == 1) break;
        if (doc) {
            free(*doc);
            *doc = NULL;
        }
    }
    return hr;
}

static int set_str(wire_str *w, PCWSTR s, char **owned) {
    *owned = NULL;
    if (s == NULL) {
        w->p = NULL;
        w->len = 0;
        return 0;
    }
    *owned = utf16_to_utf8((const uint16_t *)s, &w->len);
    w->p = *owned;
    return *owned ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------------- */
/* Exported: operations                                                                            */

SIM_EXPORT HCS_OPERATION WINAPI HcsCreateOperation(const void *context, HCS_OPERATION_COMPLETION callback) {
    lib_init();
    sim_op *o = (sim_op *)calloc(1, sizeof *o);
    if (o == NULL) return NULL;
    cv_init(&o->cond);
    o->context = context;
    o->callback = callback;
    o->state = OP_IDLE;
    o->refs = 1;
    mu_lock(&g_mu);
    o->reg_next = g_ops;
    if (g_ops) g_ops->reg_prev = o;
    g_ops = o;
    g_live_ops++;
    g_allocated_ops++;
    mu_unlock(&g_mu);
    return (HCS_OPERATION)(void *)o;
}

SIM_EXPORT void WINAPI HcsCloseOperation(HCS_OPERATION operation) {
    lib_init();
    if (operation == NULL) return;
    mu_lock(&g_mu);
    sim_op *o = op_lookup(operation);
    if (o == NULL) {
        mu_unlock(&g_mu);
        return;
    }
    if (o->reg_prev) o->reg_prev->reg_next = o->reg_next;
    else g_ops = o->reg_next;
    if (o->reg_next) o->reg_next->reg_prev = o->reg_prev;
    o->reg_next = o->reg_prev = NULL;
    o->closed = 1;
    g_live_ops--;
    if (o->in_flight) {
        /* Closing an operation in flight is allowed; its later result is discarded. */
        if (o->fl_prev) o->fl_prev->fl_next = o->fl_next;
        else g_inflight = o->fl_next;
        if (o->fl_next) o->fl_next->fl_prev = o->fl_prev;
        o->fl_next = o->fl_prev = NULL;
        o->in_flight = 0;
        if (o->sys) sys_release(o->sys);
        o->sys = NULL;
        op_release(o);
    }
    cv_broadcast(&o->cond);
    op_release(o);
    mu_unlock(&g_mu);
}

SIM_EXPORT HRESULT WINAPI HcsWaitForOperationResult(HCS_OPERATION operation, DWORD timeoutMs, PWSTR *resultDocument) {
    lib_init();
    if (resultDocument) *resultDocument = NULL;
    if (operation == NULL) return SIM_E_INVALIDARG;
    mu_lock(&g_mu);
    sim_op *o = op_lookup(operation);
    if (o == NULL) {
        mu_unlock(&g_mu);
        return SIM_E_HANDLE;
    }
    if (o->state == OP_IDLE) {
        mu_unlock(&g_mu);
        return SIM_HCS_E_OPERATION_NOT_STARTED;
    }
    o->refs++;
    uint64_t deadline = timeoutMs == SIM_INFINITE ? UINT64_MAX : now_ms() + timeoutMs;
    while (o->state == OP_PENDING && !o->closed) {
        if (deadline != UINT64_MAX && now_ms() >= deadline) break;
        cv_wait_until(&o->cond, &g_mu, deadline);
    }
    HRESULT hr;
    char *doc = NULL;
    size_t len = 0;
    if (o->closed) hr = SIM_E_HANDLE;
    else if (o->state == OP_PENDING) hr = SIM_HCS_E_OPERATION_TIMEOUT;
    else {
        hr = o->hr;
        if (o->doc && resultDocument) {
            doc = dup_bytes(o->doc, o->doc_len);
            len = o->doc_len;
        }
    }
    op_release(o);
    mu_unlock(&g_mu);
    if (doc) {
        *resultDocument = doc_to_caller(doc, len);
        free(doc);
    }
    return hr;
}

/* ---------------------------------------------------------------------------------------------- */
/* Exported: compute systems                                                                       */

SIM_EXPORT HRESULT WINAPI HcsEnumerateComputeSystems(PCWSTR query, HCS_OPERATION operation) {
    lib_init();
    if (operation == NULL) return SIM_E_INVALIDARG;
    call_args a = {FN_ENUMERATE, 0, 1, {{0}}};
    char *q = NULL;
    if (set_str(&a.strs[0], query, &q) != 0) return SIM_E_OUTOFMEMORY;
    HRESULT hr = start_async(operation, NULL, 0, &a, NULL);
    free(q);
    return hr;
}

SIM_EXPORT HRESULT WINAPI HcsCreateComputeSystem(PCWSTR id, PCWSTR configuration, HCS_OPERATION operation,
                                                 const SECURITY_DESCRIPTOR *securityDescriptor,
                                                 HCS_SYSTEM *computeSystem) {
    lib_init();
    (void)securityDescriptor;
    if (computeSystem) *computeSystem = NULL;
    /* GUESS: a NULL or empty id, or a NULL configuration, is E_INVALIDARG at call time. */
    if (id == NULL || id[0] == 0 || configuration == NULL || operation == NULL || computeSystem == NULL)
        return SIM_E_INVALIDARG;
    call_args a = {FN_CREATE, 0, 2, {{0}}};
    char *s1 = NULL, *s2 = NULL;
    HRESULT hr = SIM_E_OUTOFMEMORY;
    if (set_str(&a.strs[0], id, &s1) == 0 && set_str(&a.strs[1], configuration, &s2) == 0)
        hr = start_async(operation, NULL, 0, &a, computeSystem);
    free(s1);
    free(s2);
    return hr;
}

SIM_EXPORT HRESULT WINAPI HcsOpenComputeSystem(PCWSTR id, DWORD requestedAccess, HCS_SYSTEM *computeSystem) {
    lib_init();
    if (computeSystem) *computeSystem = NULL;
    if (id == NULL || computeSystem == NULL || requestedAccess != SIM_GENERIC_ALL) return SIM_E_INVALIDARG;
    call_args a = {FN_OPEN, requestedAccess, 1, {{0}}};
    char *s1 = NULL;
    if (set_str(&a.strs[0], id, &s1) != 0) return SIM_E_OUTOFMEMORY;
    conn *c = NULL;
    HRESULT hr = conn_acquire(&c);
    if (hr < 0) {
        free(s1);
        return hr;
    }
    mu_lock(&g_mu);
    uint32_t handle_id = g_next_handle++;
    mu_unlock(&g_mu);
    hr = sync_call(c, handle_id, &a, NULL, NULL, NULL);
    free(s1);
    if (hr >= 0) {
        sim_system *s = (sim_system *)calloc(1, sizeof *s);
        mu_lock(&g_mu);
        if (s == NULL || !c->alive) {
            free(s);
            hr = s == NULL ? SIM_E_OUTOFMEMORY : SIM_HCS_E_SERVICE_DISCONNECT;
        } else {
            cv_init(&s->cond);
            s->remote_id = handle_id;
            s->gen = c->gen;
            s->refs = 1;
            s->reg_next = g_systems;
            if (g_systems) g_systems->reg_prev = s;
            g_systems = s;
            g_live_systems++;
            g_allocated_systems++;
            *computeSystem = (HCS_SYSTEM)(void *)s;
        }
        mu_unlock(&g_mu);
    }
    conn_put(c);
    return hr;
}

SIM_EXPORT void WINAPI HcsCloseComputeSystem(HCS_SYSTEM computeSystem) {
    lib_init();
    if (computeSystem == NULL) return;
    mu_lock(&g_mu);
    sim_system *s = sys_lookup(computeSystem);
    if (s == NULL) {
        mu_unlock(&g_mu);
        return;
    }
    if (s->reg_prev) s->reg_prev->reg_next = s->reg_next;
    else g_systems = s->reg_next;
    if (s->reg_next) s->reg_next->reg_prev = s->reg_prev;
    s->reg_next = s->reg_prev = NULL;
    s->closed = 1;
    s->cb = NULL;
    g_live_systems--;
    /* Do not return while this handle's callback runs, unless we are that callback's thread. */
    uint64_t started = now_ms();
    while (s->cb_running > 0 && thread_id() != g_dispatcher_tid) {
        cv_wait_until(&s->cond, &g_mu, now_ms() + 1000);
        if (!g_close_warned && now_ms() - started > 5000) {
            g_close_warned = 1;
            fprintf(stderr, "hcssim: HcsCloseComputeSystem has waited 5 s for this handle's event callback to "
                            "return; if that callback runs on the calling thread (a synchronous koffi call from "
                            "the JS thread), this never ends: close handles from another thread (koffi .async)\n");
        }
    }
    conn *c = NULL;
    if (g_conn != NULL && g_conn->alive && s->gen == g_conn->gen) {
        c = g_conn;
        c->refs++;
    }
    uint32_t remote = s->remote_id;
    mu_unlock(&g_mu);
    if (c != NULL) {
        call_args a = {FN_CLOSE, 0, 0, {{0}}};
        sync_call(c, remote, &a, NULL, NULL, NULL);
        conn_put(c);
    }
    mu_lock(&g_mu);
    sys_release(s);
    mu_unlock(&g_mu);
}

static HRESULT system_op(HCS_SYSTEM system, HCS_OPERATION operation, uint8_t fn, PCWSTR text, int text_required) {
    lib_init();
    if (text_required && text == NULL) return SIM_E_INVALIDARG;
    call_args a = {fn, 0, 1, {{0}}};
    char *s = NULL;
    if (set_str(&a.strs[0], text, &s) != 0) return SIM_E_OUTOFMEMORY;
    HRESULT hr = start_async(operation, system, 1, &a, NULL);
    free(s);
    return hr;
}

SIM_EXPORT HRESULT WINAPI HcsStartComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return system_op(computeSystem, operation, FN_START, options, 0);
}

SIM_EXPORT HRESULT WINAPI HcsShutDownComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return system_op(computeSystem, operation, FN_SHUTDOWN, options, 0);
}

SIM_EXPORT HRESULT WINAPI HcsTerminateComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return system_op(computeSystem, operation, FN_TERMINATE, options, 0);
}

SIM_EXPORT HRESULT WINAPI HcsPauseComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return system_op(computeSystem, operation, FN_PAUSE, options, 0);
}

SIM_EXPORT HRESULT WINAPI HcsResumeComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation, PCWSTR options) {
    return system_op(computeSystem, operation, FN_RESUME, options, 0);
}

SIM_EXPORT HRESULT WINAPI HcsGetComputeSystemProperties(HCS_SYSTEM computeSystem, HCS_OPERATION operation,
                                                        PCWSTR propertyQuery) {
    return system_op(computeSystem, operation, FN_GET_PROPERTIES, propertyQuery, 0);
}

SIM_EXPORT HRESULT WINAPI HcsModifyComputeSystem(HCS_SYSTEM computeSystem, HCS_OPERATION operation,
                                                 PCWSTR configuration, HANDLE identity) {
    (void)identity;
    return system_op(computeSystem, operation, FN_MODIFY, configuration, 1);
}

SIM_EXPORT HRESULT WINAPI HcsSetComputeSystemCallback(HCS_SYSTEM computeSystem, HCS_EVENT_OPTIONS callbackOptions,
                                                      const void *context, HCS_EVENT_CALLBACK callback) {
    lib_init();
    if (computeSystem == NULL || callback == NULL) return SIM_E_INVALIDARG;
    /* GUESS: option bits other than EnableOperationCallbacks (1) and hcsshim's live-migration flag (4)
     * are E_INVALIDARG. */
    if (((uint32_t)callbackOptions & ~SIM_EVENT_OPTIONS_KNOWN) != 0) return SIM_E_INVALIDARG;
    mu_lock(&g_mu);
    sim_system *s = sys_lookup(computeSystem);
    if (!sys_usable(s)) {
        mu_unlock(&g_mu);
        return SIM_E_HANDLE;
    }
    if (s->cb != NULL) {
        mu_unlock(&g_mu);
        return SIM_HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET;
    }
    /* Registered before the request goes out: the service sends events only after it answered, and
     * the reader may deliver one before this thread wakes up. */
    s->cb = callback;
    s->cb_ctx = context;
    s->cb_options = callbackOptions;
    s->refs++;
    conn *c = g_conn;
    c->refs++;
    uint32_t remote = s->remote_id;
    mu_unlock(&g_mu);
    call_args a = {FN_SET_CALLBACK, (uint32_t)callbackOptions, 0, {{0}}};
    HRESULT hr = sync_call(c, remote, &a, NULL, NULL, NULL);
    conn_put(c);
    mu_lock(&g_mu);
    if (hr < 0 && s->cb == callback) {
        s->cb = NULL;
        s->cb_ctx = NULL;
        s->cb_options = 0;
    }
    sys_release(s);
    mu_unlock(&g_mu);
    return hr;
}

/* ---------------------------------------------------------------------------------------------- */
/* Exported: service and access                                                                    */

SIM_EXPORT HRESULT WINAPI HcsGetServiceProperties(PCWSTR propertyQuery, PWSTR *result) {
    lib_init();
    if (result == NULL) return SIM_E_INVALIDARG;
    *result = NULL;
    call_args a = {FN_GET_SERVICE_PROPERTIES, 0, 1, {{0}}};
    char *q = NULL;
    if (set_str(&a.strs[0], propertyQuery, &q) != 0) return SIM_E_OUTOFMEMORY;
    char *doc = NULL;
    size_t len = 0;
    HRESULT hr = sync_call_unbound(&a, &doc, &len);
    free(q);
    if (hr < 0 && doc == NULL) { /* a local failure (no connection, refused hello): say why */
        char msg[sizeof g_last_error];
        mu_lock(&g_mu);
        memcpy(msg, g_last_error, sizeof msg);
        mu_unlock(&g_mu);
        doc = error_document(hr, msg, &len);
    }
    if (doc) {
        *result = doc_to_caller(doc, len);
        free(doc);
    }
    return hr;
}

static HRESULT access_call(uint8_t fn, PCWSTR vmId, PCWSTR filePath) {
    lib_init();
    if (filePath == NULL || (fn == FN_GRANT_VM_ACCESS || fn == FN_REVOKE_VM_ACCESS ? vmId == NULL : 0))
        return SIM_E_INVALIDARG;
    call_args a = {fn, 0, 2, {{0}}};
    char *s1 = NULL, *s2 = NULL;
    HRESULT hr = SIM_E_OUTOFMEMORY;
    if (set_str(&a.strs[0], vmId, &s1) == 0 && set_str(&a.strs[1], filePath, &s2) == 0) {
        char *doc = NULL;
        size_t len = 0;
        hr = sync_call_unbound(&a, &doc, &len);
        if (hr < 0 && doc != NULL) set_last_error("%.*s", (int)(len > 400 ? 400 : len), doc);
        free(doc);
    }
    free(s1);
    free(s2);
    return hr;
}

SIM_EXPORT HRESULT WINAPI HcsGrantVmAccess(PCWSTR vmId, PCWSTR filePath) {
    return access_call(FN_GRANT_VM_ACCESS, vmId, filePath);
}

SIM_EXPORT HRESULT WINAPI HcsRevokeVmAccess(PCWSTR vmId, PCWSTR filePath) {
    return access_call(FN_REVOKE_VM_ACCESS, vmId, filePath);
}

SIM_EXPORT HRESULT WINAPI HcsGrantVmGroupAccess(PCWSTR filePath) {
    return access_call(FN_GRANT_VM_GROUP_ACCESS, NULL, filePath);
}

SIM_EXPORT HRESULT WINAPI HcsRevokeVmGroupAccess(PCWSTR filePath) {
    return access_call(FN_REVOKE_VM_GROUP_ACCESS, NULL, filePath);
}

/* ---------------------------------------------------------------------------------------------- */
/* Exported: simulator-only diagnostics                                                            */

/* The library's counters as JSON (freed with LocalFree). liveStrings counts strings handed out and not
 * yet freed, this result excluded; on Windows it is -1, because kernel32's LocalFree frees them. */
SIM_EXPORT HRESULT WINAPI HcsSimGetLibraryStats(PWSTR *result) {
    lib_init();
    if (result == NULL) return SIM_E_INVALIDARG;
    *result = NULL;
    char buf[1600];
    mu_lock(&g_mu);
    long in_flight = 0, pending_sync = 0;
    for (sim_op *o = g_inflight; o; o = o->fl_next) in_flight++;
    for (sync_req *r = g_sync; r; r = r->next) pending_sync++;
#ifdef _WIN32
    long live_strings = -1;
#else
    long live_strings = __atomic_load_n(&g_live_strings, __ATOMIC_SEQ_CST);
#endif
    size_t at = (size_t)snprintf(
        buf, sizeof buf,
        "{\"liveStrings\":%ld,\"liveOperations\":%ld,\"liveSystemHandles\":%ld,\"connected\":%s,\"pid\":%llu,"
        "\"allocatedOperations\":%ld,\"allocatedSystemHandles\":%ld,\"inFlightOperations\":%ld,"
        "\"pendingSyncCalls\":%ld,\"queuedCallbacks\":%ld,\"callbacksInvoked\":%ld,\"generation\":%u,"
        "\"callerThreadId\":%llu,\"dispatcherThreadId\":%llu,\"readerThreadId\":%llu,"
        "\"lastCallbackThreadId\":%llu,\"lastError\":\"",
        live_strings, g_live_ops, g_live_systems, (g_conn && g_conn->alive) ? "true" : "false",
        (unsigned long long)process_id(), g_allocated_ops, g_allocated_systems, in_flight, pending_sync, g_dq_len,
        g_callbacks_invoked, (g_conn && g_conn->alive) ? g_conn->gen : 0u, (unsigned long long)thread_id(),
        (unsigned long long)g_dispatcher_tid, (unsigned long long)g_reader_tid,
        (unsigned long long)g_last_callback_tid);
    at = json_escape(buf, sizeof buf - 4, at, g_last_error);
    mu_unlock(&g_mu);
    snprintf(buf + at, sizeof buf - at, "\"}");
    *result = doc_to_caller(buf, strlen(buf));
    return *result ? SIM_S_OK : SIM_E_OUTOFMEMORY;
}

/* Drops the current connection as if the service had gone away (in-flight operations fail with
 * HCS_E_SERVICE_DISCONNECT, callbacks get HcsEventServiceDisconnect) and returns once that is done.
 * The next call connects again, reading PULUMI_HCS_SIM afresh. */
SIM_EXPORT void WINAPI HcsSimResetConnection(void) {
    lib_init();
    mu_lock(&g_mu);
    conn *c = g_conn;
    if (c == NULL || !c->alive) {
        mu_unlock(&g_mu);
        return;
    }
    c->refs++;
    sock_shutdown(c->fd);
    while (c->alive) cv_wait_until(&g_cond, &g_mu, UINT64_MAX);
    conn_release(c);
    mu_unlock(&g_mu);
}

/* Sets the service address (and TCP secret) the library connects to, instead of PULUMI_HCS_SIM and
 * PULUMI_HCS_SIM_SECRET; a NULL address goes back to the environment. Takes effect at the next
 * connection (HcsSimResetConnection drops the current one). For hosts whose environment the process
 * cannot change natively, such as Jest, which gives each test file a copy of process.env. */
SIM_EXPORT HRESULT WINAPI HcsSimSetServiceAddress(PCWSTR address, PCWSTR secret) {
    lib_init();
    char *a = address ? utf16_to_utf8((const uint16_t *)address, NULL) : NULL;
    char *k = address && secret ? utf16_to_utf8((const uint16_t *)secret, NULL) : NULL;
    if ((address && !a) || (address && secret && !k)) {
        free(a);
        free(k);
        return SIM_E_OUTOFMEMORY;
    }
    mu_lock(&g_mu);
    free(g_address_override);
    free(g_secret_override);
    g_address_override = a;
    g_secret_override = k;
    mu_unlock(&g_mu);
    return SIM_S_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Simulated Hyper-V sockets: Winsock's functions under the prefix HcsSimHv_                        */
/*
 * The binding declares Winsock's functions once (provider/src/hvsock/winsock-prototypes.ts) and loads
 * them from ws2_32.dll for a real host, or from here for a simulated one, under these prefixed names:
 * a Linux library that exported libc's socket names would shadow them. Semantics are Winsock's (SOCKET
 * handles, SOCKET_ERROR plus a per-thread WSAGetLastError code, FIONBIO, WSAPoll's POLLRDNORM), for
 * AF_HYPERV stream sockets with SOCKADDR_HV addresses. Under them are ordinary stream sockets: on Linux
 * a Unix socket at the path the service assigns, on Windows TCP on 127.0.0.1. `bind` registers the
 * (VM ID, service ID) pair with the service (FN_HVSOCK_BIND), whose simulated guests dial it there.
 */

#define HV_AF_HYPERV 34 /* AF_HYPERV in the Windows SDK's ws2def.h (mingw-w64's lacks it) */
#define HV_PROTOCOL_RAW_ 1
#define HV_SOCK_STREAM 1
#define HV_FIONBIO ((int32_t)0x8004667Eu)
#define HV_POLLRDNORM 0x0100
#define HV_POLLRDBAND 0x0200
#define HV_POLLWRNORM 0x0010
#define HV_POLLERR 0x0001
#define HV_POLLHUP 0x0002
#define HV_POLLNVAL 0x0004

/* Winsock error codes (winsock2.h), the values WSAGetLastError returns. */
enum {
    HV_WSAEINTR = 10004,
    HV_WSAEACCES = 10013,
    HV_WSAEFAULT = 10014,
    HV_WSAEINVAL = 10022,
    HV_WSAEMFILE = 10024,
    HV_WSAEWOULDBLOCK = 10035,
    HV_WSAENOTSOCK = 10038,
    HV_WSAEPROTONOSUPPORT = 10043,
    HV_WSAESOCKTNOSUPPORT = 10044,
    HV_WSAEOPNOTSUPP = 10045,
    HV_WSAEAFNOSUPPORT = 10047,
    HV_WSAEADDRINUSE = 10048,
    HV_WSAENETDOWN = 10050,
    HV_WSAECONNABORTED = 10053,
    HV_WSAECONNRESET = 10054,
    HV_WSAENOBUFS = 10055,
    HV_WSAENOTCONN = 10057,
    HV_WSAECONNREFUSED = 10061,
    HV_WSAENAMETOOLONG = 10063
};

#ifdef _WIN32
typedef SOCKADDR_HV hv_sockaddr;
typedef u_long hv_u_long;
typedef __LONG32 hv_long32;
static void hv_set_error(int code) { WSASetLastError(code); }
static int hv_get_error(void) { return WSAGetLastError(); }
#else
typedef uintptr_t SOCKET;
typedef uint16_t WORD;
typedef uint32_t ULONG;
typedef int32_t INT;
typedef uint32_t hv_u_long; /* Winsock's u_long and long: 32 bits, unlike Linux's */
typedef int32_t hv_long32;
#  define INVALID_SOCKET (~(SOCKET)0)
#  define SOCKET_ERROR (-1)
typedef struct hv_guid {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} hv_guid;
typedef struct hv_sockaddr {
    uint16_t Family;
    uint16_t Reserved;
    hv_guid VmId;
    hv_guid ServiceId;
} hv_sockaddr;
typedef struct WSAPOLLFD {
    SOCKET fd;
    short events;
    short revents;
} WSAPOLLFD;
static __thread int g_hv_error;
static void hv_set_error(int code) { g_hv_error = code; }
static int hv_get_error(void) { return g_hv_error; }

/* The Winsock code for an errno. */
static int hv_wsa_from_errno(int e) {
    switch (e) {
        case EAGAIN: return HV_WSAEWOULDBLOCK;
        case EINTR: return HV_WSAEINTR;
        case EBADF: case ENOTSOCK: return HV_WSAENOTSOCK;
        case ECONNRESET: case EPIPE: return HV_WSAECONNRESET;
        case ECONNABORTED: return HV_WSAECONNABORTED;
        case ENOTCONN: return HV_WSAENOTCONN;
        case EMFILE: case ENFILE: return HV_WSAEMFILE;
        case ENOBUFS: case ENOMEM: return HV_WSAENOBUFS;
        case EADDRINUSE: return HV_WSAEADDRINUSE;
        case ECONNREFUSED: return HV_WSAECONNREFUSED;
        case ENAMETOOLONG: return HV_WSAENAMETOOLONG;
        case EACCES: case EPERM: return HV_WSAEACCES;
        default: return HV_WSAEINVAL;
    }
}
#endif

/* A socket this library made: what bind registered, so closesocket can undo it. */
typedef struct hv_socket {
    SOCKET s; /* the handle callers hold: the OS socket itself (an fd on Linux) */
    int bound, registered, listening, nonblocking;
    char vm[37], service[37];
#ifndef _WIN32
    char path[108]; /* the Unix socket file bind created */
#endif
    struct hv_socket *next;
} hv_socket;

static sim_mutex g_hv_mu = SIM_MUTEX_INIT;
static hv_socket *g_hv_sockets;
static long g_hv_live;

/* Looks a socket up; the caller holds g_hv_mu. */
static hv_socket *hv_find_locked(SOCKET s) {
    for (hv_socket *h = g_hv_sockets; h; h = h->next)
        if (h->s == s) return h;
    return NULL;
}

static hv_socket *hv_add(SOCKET s) {
    hv_socket *h = (hv_socket *)calloc(1, sizeof *h);
    if (h == NULL) return NULL;
    h->s = s;
    mu_lock(&g_hv_mu);
    h->next = g_hv_sockets;
    g_hv_sockets = h;
    g_hv_live++;
    mu_unlock(&g_hv_mu);
    return h;
}

/* Copies a socket's record (so no lock is held across a system call). */
static int hv_snapshot(SOCKET s, hv_socket *out) {
    mu_lock(&g_hv_mu);
    hv_socket *h = hv_find_locked(s);
    if (h) *out = *h;
    mu_unlock(&g_hv_mu);
    if (h == NULL) {
        hv_set_error(HV_WSAENOTSOCK);
        return -1;
    }
    return 0;
}

static void hv_guid_text(const uint8_t *g, char out[37]) {
    uint32_t d1 = (uint32_t)g[0] | ((uint32_t)g[1] << 8) | ((uint32_t)g[2] << 16) | ((uint32_t)g[3] << 24);
    unsigned d2 = (unsigned)g[4] | ((unsigned)g[5] << 8);
    unsigned d3 = (unsigned)g[6] | ((unsigned)g[7] << 8);
    snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", (unsigned)d1, d2, d3, g[8], g[9], g[10], g[11],
             g[12], g[13], g[14], g[15]);
}

/* The Winsock code for a failed service call: HRESULT_FROM_WIN32(WSAE…) carries it; otherwise the
 * service is unreachable (WSAENETDOWN) or refused the request (WSAEINVAL). */
static int hv_wsa_from_hr(HRESULT hr) {
    uint32_t u = (uint32_t)hr;
    if ((u & 0xFFFF0000u) == 0x80070000u && (u & 0xFFFFu) >= 10000u) return (int)(u & 0xFFFFu);
    if (hr == SIM_HCS_E_SERVICE_NOT_AVAILABLE || hr == SIM_HCS_E_SERVICE_DISCONNECT || hr == SIM_HCS_E_ACCESS_DENIED)
        return HV_WSAENETDOWN;
    return HV_WSAEINVAL;
}

#ifndef _WIN32
/* Reads "address":"…" from the service's bind reply. */
static int hv_reply_address(const char *doc, size_t len, char *out, size_t cap) {
    const char *key = "\"address\":\"";
    const char *at = doc ? strstr(doc, key) : NULL;
    if (at == NULL) return -1;
    at += strlen(key);
    size_t n = 0;
    while (at < doc + len && *at != '"') {
        if (*at == '\\' && at + 1 < doc + len) at++;
        if (n + 1 >= cap) return -1;
        out[n++] = *at++;
    }
    out[n] = 0;
    return 0;
}
#endif

SIM_EXPORT int WINAPI HcsSimHv_WSAStartup(WORD wVersionRequested, void *lpWSAData) {
#ifdef _WIN32
    return WSAStartup(wVersionRequested, (LPWSADATA)lpWSAData);
#else
    (void)wVersionRequested;
    (void)lpWSAData;
    return 0;
#endif
}

SIM_EXPORT int WINAPI HcsSimHv_WSAGetLastError(void) { return hv_get_error(); }

SIM_EXPORT SOCKET WINAPI HcsSimHv_socket(int af, int type, int protocol) {
    lib_init();
    if (af != HV_AF_HYPERV) {
        hv_set_error(HV_WSAEAFNOSUPPORT);
        return INVALID_SOCKET;
    }
    if (type != HV_SOCK_STREAM) {
        hv_set_error(HV_WSAESOCKTNOSUPPORT);
        return INVALID_SOCKET;
    }
    if (protocol != HV_PROTOCOL_RAW_) {
        hv_set_error(HV_WSAEPROTONOSUPPORT);
        return INVALID_SOCKET;
    }
#ifdef _WIN32
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET) return INVALID_SOCKET;
#else
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return INVALID_SOCKET;
    }
    SOCKET s = (SOCKET)fd;
#endif
    if (hv_add(s) == NULL) {
        sock_close((sim_sock)s);
        hv_set_error(HV_WSAENOBUFS);
        return INVALID_SOCKET;
    }
    return s;
}

/* Tells the service the socket no longer holds its pair (best effort: a lost connection already did). */
static void hv_unregister(const char *vm, const char *service) {
    call_args a = {FN_HVSOCK_CLOSE, 0, 2, {{vm, strlen(vm)}, {service, strlen(service)}, {0}}};
    (void)sync_call_unbound(&a, NULL, NULL);
}

SIM_EXPORT int WINAPI HcsSimHv_bind(SOCKET s, const struct sockaddr *name, int namelen) {
    lib_init();
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return SOCKET_ERROR;
    if (h.bound) {
        hv_set_error(HV_WSAEINVAL);
        return SOCKET_ERROR;
    }
    if (name == NULL || namelen < (int)sizeof(hv_sockaddr)) {
        hv_set_error(HV_WSAEFAULT);
        return SOCKET_ERROR;
    }
    const uint8_t *raw = (const uint8_t *)name;
    if (((unsigned)raw[0] | ((unsigned)raw[1] << 8)) != HV_AF_HYPERV) {
        hv_set_error(HV_WSAEAFNOSUPPORT);
        return SOCKET_ERROR;
    }
    char vm[37], service[37];
    hv_guid_text(raw + 4, vm);
    hv_guid_text(raw + 20, service);

    char given[64] = {0};
#ifdef _WIN32
    /* Windows clients listen on TCP and say where. */
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int salen = sizeof sa;
    if (bind(s, (struct sockaddr *)&sa, sizeof sa) != 0 || getsockname(s, (struct sockaddr *)&sa, &salen) != 0)
        return SOCKET_ERROR;
    snprintf(given, sizeof given, "tcp:127.0.0.1:%u", (unsigned)ntohs(sa.sin_port));
#endif
    call_args a = {FN_HVSOCK_BIND, 0, 3, {{vm, strlen(vm)}, {service, strlen(service)}, {given[0] ? given : NULL, strlen(given)}}};
    char *doc = NULL;
    size_t len = 0;
    HRESULT hr = sync_call_unbound(&a, &doc, &len);
    if (hr < 0) {
        if (doc) set_last_error("%.*s", (int)(len > 400 ? 400 : len), doc);
        free(doc);
        hv_set_error(hv_wsa_from_hr(hr));
        return SOCKET_ERROR;
    }
#ifndef _WIN32
    /* Linux clients listen on the Unix socket path the service assigned. */
    char address[160];
    int parsed = hv_reply_address(doc, len, address, sizeof address);
    free(doc);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (parsed != 0 || strncmp(address, "unix:", 5) != 0 || strlen(address + 5) >= sizeof sa.sun_path) {
        set_last_error("the HCS simulator service answered a Hyper-V socket bind without a usable Unix socket path");
        hv_unregister(vm, service);
        hv_set_error(HV_WSAEINVAL);
        return SOCKET_ERROR;
    }
    memcpy(sa.sun_path, address + 5, strlen(address + 5));
    if (bind((int)s, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int e = errno;
        hv_unregister(vm, service);
        hv_set_error(hv_wsa_from_errno(e));
        return SOCKET_ERROR;
    }
#else
    free(doc);
#endif
    mu_lock(&g_hv_mu);
    hv_socket *live = hv_find_locked(s);
    if (live) {
        live->bound = live->registered = 1;
        memcpy(live->vm, vm, sizeof vm);
        memcpy(live->service, service, sizeof service);
#ifndef _WIN32
        snprintf(live->path, sizeof live->path, "%s", sa.sun_path);
#endif
    }
    mu_unlock(&g_hv_mu);
    return 0;
}

SIM_EXPORT int WINAPI HcsSimHv_listen(SOCKET s, int backlog) {
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return SOCKET_ERROR;
    if (!h.bound) {
        hv_set_error(HV_WSAEINVAL);
        return SOCKET_ERROR;
    }
#ifdef _WIN32
    if (listen(s, backlog) != 0) return SOCKET_ERROR;
#else
    if (listen((int)s, backlog) != 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return SOCKET_ERROR;
    }
#endif
    mu_lock(&g_hv_mu);
    hv_socket *live = hv_find_locked(s);
    if (live) live->listening = 1;
    mu_unlock(&g_hv_mu);
    return 0;
}

SIM_EXPORT SOCKET WINAPI HcsSimHv_accept(SOCKET s, struct sockaddr *addr, int *addrlen) {
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return INVALID_SOCKET;
    if (!h.listening) {
        hv_set_error(HV_WSAEINVAL);
        return INVALID_SOCKET;
    }
    if (addr != NULL && (addrlen == NULL || *addrlen < (int)sizeof(hv_sockaddr))) {
        hv_set_error(HV_WSAEFAULT);
        return INVALID_SOCKET;
    }
#ifdef _WIN32
    SOCKET c = accept(s, NULL, NULL); /* inherits the listener's FIONBIO, as Winsock sockets do */
    if (c == INVALID_SOCKET) return INVALID_SOCKET;
#else
    /* Winsock's accepted socket inherits the listener's non-blocking mode; Linux's does not. */
    int fd = accept4((int)s, NULL, NULL, SOCK_CLOEXEC | (h.nonblocking ? SOCK_NONBLOCK : 0));
    if (fd < 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return INVALID_SOCKET;
    }
    SOCKET c = (SOCKET)fd;
#endif
    hv_socket *accepted = hv_add(c);
    if (accepted == NULL) {
        sock_close((sim_sock)c);
        hv_set_error(HV_WSAENOBUFS);
        return INVALID_SOCKET;
    }
    mu_lock(&g_hv_mu);
    accepted->nonblocking = h.nonblocking;
    memcpy(accepted->vm, h.vm, sizeof h.vm);
    memcpy(accepted->service, h.service, sizeof h.service);
    mu_unlock(&g_hv_mu);
    if (addr != NULL) {
        /* GUESS: the peer's address is the listener's (VM ID, service ID): the guest of that VM, dialing it. */
        hv_sockaddr *out = (hv_sockaddr *)(void *)addr;
        memset(out, 0, sizeof *out);
        out->Family = HV_AF_HYPERV;
        uint8_t *raw = (uint8_t *)(void *)addr;
        for (int which = 0; which < 2; which++) {
            const char *text = which == 0 ? h.vm : h.service;
            unsigned v[11];
            if (sscanf(text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                       &v[8], &v[9], &v[10]) == 11) {
                uint8_t *g = raw + 4 + 16 * which;
                g[0] = (uint8_t)v[0]; g[1] = (uint8_t)(v[0] >> 8); g[2] = (uint8_t)(v[0] >> 16); g[3] = (uint8_t)(v[0] >> 24);
                g[4] = (uint8_t)v[1]; g[5] = (uint8_t)(v[1] >> 8);
                g[6] = (uint8_t)v[2]; g[7] = (uint8_t)(v[2] >> 8);
                for (int i = 0; i < 8; i++) g[8 + i] = (uint8_t)v[3 + i];
            }
        }
        *addrlen = (int)sizeof(hv_sockaddr);
    }
    return c;
}

SIM_EXPORT int WINAPI HcsSimHv_recv(SOCKET s, char *buf, int len, int flags) {
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return SOCKET_ERROR;
    if (flags != 0) {
        hv_set_error(HV_WSAEOPNOTSUPP);
        return SOCKET_ERROR;
    }
#ifdef _WIN32
    return recv(s, buf, len, 0);
#else
    ssize_t n = recv((int)s, buf, len < 0 ? 0 : (size_t)len, 0);
    if (n < 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return SOCKET_ERROR;
    }
    return (int)n;
#endif
}

SIM_EXPORT int WINAPI HcsSimHv_send(SOCKET s, const char *buf, int len, int flags) {
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return SOCKET_ERROR;
    if (flags != 0) {
        hv_set_error(HV_WSAEOPNOTSUPP);
        return SOCKET_ERROR;
    }
#ifdef _WIN32
    return send(s, buf, len, 0);
#else
    ssize_t n = send((int)s, buf, len < 0 ? 0 : (size_t)len, MSG_NOSIGNAL);
    if (n < 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return SOCKET_ERROR;
    }
    return (int)n;
#endif
}

SIM_EXPORT int WINAPI HcsSimHv_closesocket(SOCKET s) {
    mu_lock(&g_hv_mu);
    hv_socket **link = &g_hv_sockets;
    while (*link && (*link)->s != s) link = &(*link)->next;
    hv_socket *h = *link;
    if (h) {
        *link = h->next;
        g_hv_live--;
    }
    mu_unlock(&g_hv_mu);
    if (h == NULL) {
        hv_set_error(HV_WSAENOTSOCK);
        return SOCKET_ERROR;
    }
    if (h->registered) hv_unregister(h->vm, h->service);
#ifndef _WIN32
    if (h->path[0]) unlink(h->path);
#endif
    sock_close((sim_sock)s);
    free(h);
    return 0;
}

SIM_EXPORT int WINAPI HcsSimHv_ioctlsocket(SOCKET s, hv_long32 cmd, hv_u_long *argp) {
    hv_socket h;
    if (hv_snapshot(s, &h) != 0) return SOCKET_ERROR;
    if (cmd != HV_FIONBIO || argp == NULL) {
        hv_set_error(cmd != HV_FIONBIO ? HV_WSAEINVAL : HV_WSAEFAULT);
        return SOCKET_ERROR;
    }
#ifdef _WIN32
    if (ioctlsocket(s, FIONBIO, argp) != 0) return SOCKET_ERROR;
#else
    int flags = fcntl((int)s, F_GETFL);
    if (flags < 0 || fcntl((int)s, F_SETFL, *argp ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK)) != 0) {
        hv_set_error(hv_wsa_from_errno(errno));
        return SOCKET_ERROR;
    }
#endif
    mu_lock(&g_hv_mu);
    hv_socket *live = hv_find_locked(s);
    if (live) live->nonblocking = *argp != 0;
    mu_unlock(&g_hv_mu);
    return 0;
}

SIM_EXPORT int WINAPI HcsSimHv_WSAPoll(WSAPOLLFD fdArray[], ULONG fds, INT timeout) {
#ifdef _WIN32
    return WSAPoll(fdArray, fds, timeout);
#else
    if (fdArray == NULL && fds > 0) {
        hv_set_error(HV_WSAEFAULT);
        return SOCKET_ERROR;
    }
    struct pollfd *p = (struct pollfd *)calloc(fds ? fds : 1, sizeof *p);
    if (p == NULL) {
        hv_set_error(HV_WSAENOBUFS);
        return SOCKET_ERROR;
    }
    for (ULONG i = 0; i < fds; i++) {
        mu_lock(&g_hv_mu);
        int known = hv_find_locked(fdArray[i].fd) != NULL;
        mu_unlock(&g_hv_mu);
        p[i].fd = known ? (int)fdArray[i].fd : -1; /* poll() skips a negative fd: reported POLLNVAL below */
        p[i].events = (short)(((fdArray[i].events & (HV_POLLRDNORM | HV_POLLRDBAND)) ? POLLIN : 0) |
                              ((fdArray[i].events & HV_POLLWRNORM) ? POLLOUT : 0));
        fdArray[i].revents = known ? 0 : HV_POLLNVAL;
    }
    int n = poll(p, fds, timeout < 0 ? -1 : timeout);
    if (n < 0) {
        int e = errno;
        free(p);
        hv_set_error(hv_wsa_from_errno(e));
        return SOCKET_ERROR;
    }
    int ready = 0;
    for (ULONG i = 0; i < fds; i++) {
        short r = fdArray[i].revents;
        if (p[i].revents & POLLIN) r |= HV_POLLRDNORM;
        if (p[i].revents & POLLOUT) r |= HV_POLLWRNORM;
        if (p[i].revents & POLLHUP) r |= HV_POLLHUP;
        if (p[i].revents & POLLERR) r |= HV_POLLERR;
        if (p[i].revents & POLLNVAL) r |= HV_POLLNVAL;
        fdArray[i].revents = r;
        if (r) ready++;
    }
    free(p);
    return ready;
#endif
}

#ifdef _WIN32
/* Each simulated function has exactly the type of Winsock's own (a mismatch does not compile). */
#  define HV_SAME_TYPE(winsock, ours) \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&winsock), __typeof__(&ours)), #ours " differs from " #winsock)
HV_SAME_TYPE(socket, HcsSimHv_socket);
HV_SAME_TYPE(bind, HcsSimHv_bind);
HV_SAME_TYPE(listen, HcsSimHv_listen);
HV_SAME_TYPE(accept, HcsSimHv_accept);
HV_SAME_TYPE(recv, HcsSimHv_recv);
HV_SAME_TYPE(send, HcsSimHv_send);
HV_SAME_TYPE(closesocket, HcsSimHv_closesocket);
HV_SAME_TYPE(ioctlsocket, HcsSimHv_ioctlsocket);
HV_SAME_TYPE(WSAPoll, HcsSimHv_WSAPoll);
HV_SAME_TYPE(WSAGetLastError, HcsSimHv_WSAGetLastError);
#endif
