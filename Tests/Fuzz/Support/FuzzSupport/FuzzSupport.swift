// Shared by the fuzz executables (Tests/Fuzz/README.md): the libFuzzer entry
// and invariant checks that fail loudly (libFuzzer keeps the input that
// aborted as a crash-* reproducer).
import CLibFuzzer
import Glibc

/// Runs libFuzzer's driver with this process's arguments and `callback` (the
/// target's LLVMFuzzerTestOneInput); exits with the driver's status.
public func runLibFuzzer(_ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

/// Marks `count` bytes at `p` unaddressable for AddressSanitizer (any
/// access is then reported), or addressable again.
public func asanPoison(_ p: UnsafeRawPointer, _ count: Int) {
    if count > 0 { __asan_poison_memory_region(p, count) }
}

public func asanUnpoison(_ p: UnsafeRawPointer, _ count: Int) {
    if count > 0 { __asan_unpoison_memory_region(p, count) }
}

/// Stops the run with a message when an invariant does not hold.
@inline(__always)
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fuzzFail(message(), file: file, line: line) }
}

public func fuzzFail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    var text = "FUZZ INVARIANT FAILED (\(file):\(line)): \(message)\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    abort()
}

/// Bytes shown for a message: printable ASCII as is, the rest as \xNN.
public func escaped<C: Collection<UInt8>>(_ bytes: C, limit: Int = 200) -> String {
    var out = ""
    for (i, b) in bytes.enumerated() {
        if i == limit { out += "..."; break }
        switch b {
        case 0x20...0x7E where b != 0x5C: out.unicodeScalars.append(Unicode.Scalar(b))
        case 0x0D: out += "\\r"
        case 0x0A: out += "\\n"
        default: out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return out
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Reads an input front to back (like libFuzzer's FuzzedDataProvider):
/// integers and lengths from the front, the rest as data.
public struct FuzzReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public private(set) var offset = 0

    public init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = UnsafeBufferPointer(start: data, count: size)
    }

    public var isAtEnd: Bool { offset >= bytes.count }
    public var remainingCount: Int { bytes.count - offset }

    /// The next byte, 0 at the end.
    public mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Bytes up to (not including) the next `separator`, which is skipped;
    /// the rest when there is none.
    public mutating func field(until separator: UInt8) -> [UInt8] {
        var end = offset
        while end < bytes.count && bytes[end] != separator { end += 1 }
        let out = Array(bytes[offset..<end])
        offset = min(bytes.count, end + 1)
        return out
    }

    /// Everything not read yet.
    public mutating func rest() -> [UInt8] {
        let out = Array(bytes[min(offset, bytes.count)...])
        offset = bytes.count
        return out
    }
}
