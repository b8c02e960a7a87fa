// libFuzzer's driver with this target's LLVMFuzzerTestOneInput.
import FuzzSupport

runLibFuzzer { data, size in fuzz(data ?? UnsafePointer(bitPattern: 1)!, size) }
