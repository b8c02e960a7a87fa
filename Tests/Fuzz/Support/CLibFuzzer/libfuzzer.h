// libFuzzer's driver, linked into a binary by `-sanitize=fuzzer`
// (compiler-rt's FuzzerInterface.h). A fuzz executable's main calls it with
// its LLVMFuzzerTestOneInput: SwiftPM names an executable's entry point
// itself, so libFuzzer's own main() is not the one that runs.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));

// AddressSanitizer's manual poisoning (compiler-rt's asan_interface.h), linked
// in by `-sanitize=address`, which scripts/fuzz always adds: bytes a target
// marks unaddressable make any access an ASan error.
void __asan_poison_memory_region(void const volatile *addr, size_t size);
void __asan_unpoison_memory_region(void const volatile *addr, size_t size);
