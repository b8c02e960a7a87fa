// A growable byte buffer on malloc'd memory: the connection read buffer,
// pending output, and per-thread response assembly. Non-copyable so its
// memory has exactly one owner. Allocation failure never traps: the
// mutating calls report it and the connection is closed.

import Glibc

struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>?
    private(set) var capacity: Int = 0
    /// First unconsumed byte.
    var start: Int = 0
    /// One past the last valid byte.
    var end: Int = 0
    /// Set when an append could not get memory (the contents are then
    /// incomplete and must not be sent).
    var appendFailed = false

    init() {}

    init(capacity: Int) {
        _ = reallocate(to: capacity)
    }

    deinit {
        if let base { free(base) }
    }

    @inline(__always) var count: Int { end - start }
    @inline(__always) var isEmpty: Bool { end == start }
    @inline(__always) var freeSpace: Int { capacity - end }

    /// Pointer to the first unconsumed byte (nil only while no memory is held).
    @inline(__always) var readPointer: UnsafeMutablePointer<UInt8>? { base.map { $0 + start } }
    @inline(__always) var writePointer: UnsafeMutablePointer<UInt8>? { base.map { $0 + end } }

    /// Forgets the contents, keeping the memory.
    @inline(__always) mutating func clear() { start = 0; end = 0; appendFailed = false }

    /// Frees the memory.
    mutating func release() {
        if let base { free(base) }
        base = nil
        capacity = 0
        start = 0
        end = 0
    }

    /// Moves the unconsumed bytes to the front.
    mutating func compact() {
        guard start > 0, let base else { return }
        let n = end - start
        if n > 0 { memmove(base, base + start, n) }
        start = 0
        end = n
    }

    private mutating func reallocate(to newCapacity: Int) -> Bool {
        guard newCapacity > 0 else { return false }
        guard let raw = realloc(base.map { UnsafeMutableRawPointer($0) }, newCapacity) else { return false }
        base = raw.bindMemory(to: UInt8.self, capacity: newCapacity)
        capacity = newCapacity
        return true
    }

    /// Makes room for at least `n` more bytes after `end`, compacting first
    /// and then growing (at least doubling). False when memory is refused.
    @discardableResult
    mutating func reserveFree(_ n: Int) -> Bool {
        if capacity - end >= n { return true }
        if start > 0 {
            compact()
            if capacity - end >= n { return true }
        }
        let (needed, overflow) = end.addingReportingOverflow(n)
        if overflow { return false }
        var newCapacity = Swift.max(capacity &* 2, 256)
        if newCapacity < needed { newCapacity = needed }
        return reallocate(to: newCapacity)
    }

    /// Reallocates to exactly `newCapacity` bytes when the contents fit
    /// (used to give back memory after a large request).
    mutating func shrink(to newCapacity: Int) {
        guard capacity > newCapacity else { return }
        compact()
        guard end <= newCapacity else { return }
        if newCapacity == 0 { release(); return }
        _ = reallocate(to: newCapacity)
    }

    /// Drops `n` consumed bytes from the front.
    @inline(__always) mutating func consume(_ n: Int) {
        start += n
        if start >= end { start = 0; end = 0 }
    }

    // MARK: Appending (used for output)

    @inline(__always)
    mutating func append(_ bytes: UnsafeRawPointer, count n: Int) {
        guard n > 0 else { return }
        guard reserveFree(n), let base else { appendFailed = true; return }
        memcpy(base + end, bytes, n)
        end += n
    }

    @inline(__always)
    mutating func append(_ s: StaticString) {
        append(UnsafeRawPointer(s.utf8Start), count: s.utf8CodeUnitCount)
    }

    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if let p = raw.baseAddress { append(p, count: raw.count) }
        }
    }

    @inline(__always)
    mutating func append(byte: UInt8) {
        guard reserveFree(1), let base else { appendFailed = true; return }
        base[end] = byte
        end += 1
    }

    /// Appends a non-negative decimal number.
    mutating func append(decimal value: Int) {
        var v = value < 0 ? 0 : value
        guard reserveFree(20), let base else { appendFailed = true; return }
        var digits = 0
        var t = v
        repeat { digits += 1; t /= 10 } while t > 0
        var i = end + digits - 1
        repeat {
            base[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
            v /= 10
            i -= 1
        } while v > 0
        end += digits
    }
}
