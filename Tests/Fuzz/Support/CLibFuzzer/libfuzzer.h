// libFuzzer's driver, linked into a binary by `-sanitize=fuzzer`
// (compiler-rt's FuzzerInterface.h). A fuzz executable's main calls it with
// its LLVMFuzzerTestOneInput: SwiftPM names an executable's entry point
// itself, so libFuzzer's own main() is not the one that runs.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*UserCb)(const uint8_t *Data, size_t Size));
