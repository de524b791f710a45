#pragma once
// FASTGRAD_API marks the symbols the library exports; everything else is hidden.
#if defined(FASTGRAD_STATIC)
#define FASTGRAD_API
#elif defined(_WIN32)
#if defined(FASTGRAD_BUILDING)
#define FASTGRAD_API __declspec(dllexport)
#else
#define FASTGRAD_API __declspec(dllimport)
#endif
#else
#define FASTGRAD_API __attribute__((visibility("default")))
#endif
