#pragma once
// FASTGRAD_TLS_FAST: initial-exec TLS for the few thread_local variables read on every op.
//
// fastgrad's code usually runs from a dlopen'ed module (_C.so), where thread_locals default to
// the general-dynamic model: each access is a call to __tls_get_addr (~11 instructions), and a
// 0-d backward round trip made ~50 of them, 4% of its instructions. Initial-exec access is one
// load, but it makes the loader place the module's whole TLS block in the static TLS space
// that glibc keeps for modules loaded later (a few hundred bytes shared by all of them), so
// that block must stay small: 120 bytes now (tests/test_threads.py checks it stays under 256);
// large per-thread state lives on the heap behind a pointer (the pool's free lists).
// Other C libraries get the default model.
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__) && !defined(FASTGRAD_NO_INITIAL_EXEC_TLS)
#define FASTGRAD_TLS_FAST __attribute__((tls_model("initial-exec")))
#else
#define FASTGRAD_TLS_FAST
#endif
