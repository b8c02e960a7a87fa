// A region shared by the master and its workers: an unlinked POSIX
// shared-memory object (gone when the last process holding the descriptor
// exits), created by the master and inherited by the workers as a descriptor.
import Glibc

enum SharedMemory {
    /// [master] A new zeroed region of `bytes`; `what` names it in errors.
    static func create(_ what: String, bytes: Int) throws -> (fd: Int32, base: UnsafeMutableRawPointer) {
        let fd = try openUnlinked(what)
        guard ftruncate(fd, off_t(bytes)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw HostError("cannot create the \(what): \(reason)")
        }
        return (fd, try map(fd, what, bytes: bytes))
    }

    /// A new empty shared-memory object with no name left behind
    /// (close-on-exec, as shm_open makes it).
    static func openUnlinked(_ what: String) throws -> Int32 {
        let name = "/proteus-\(what.split(separator: " ").joined(separator: "-"))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw HostError("cannot create the \(what): \(String(cString: strerror(errno)))") }
        shm_unlink(name)
        return fd
    }

    /// [worker] Maps an inherited region after checking its size.
    static func adopt(_ fd: Int32, _ what: String, bytes: Int) throws -> UnsafeMutableRawPointer {
        var st = stat()
        guard fstat(fd, &st) == 0, Int(st.st_size) == bytes else {
            throw HostError("file descriptor \(fd) is not a \(what) of this version")
        }
        return try map(fd, what, bytes: bytes)
    }

    /// [worker] Maps an inherited region whose header starts with a UInt64
    /// magic and a UInt32 version (at offset 8), after checking both.
    static func adopt(_ fd: Int32, _ what: String, bytes: Int, magic: UInt64, version: UInt32) throws -> UnsafeMutableRawPointer {
        let mapping = try adopt(fd, what, bytes: bytes)
        guard mapping.load(as: UInt64.self) == magic, mapping.load(fromByteOffset: 8, as: UInt32.self) == version else {
            munmap(mapping, bytes)
            throw HostError("file descriptor \(fd): unknown \(what) layout")
        }
        return mapping
    }

    private static func map(_ fd: Int32, _ what: String, bytes: Int) throws -> UnsafeMutableRawPointer {
        guard let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), mapping != MAP_FAILED else {
            throw HostError("cannot map the \(what): \(String(cString: strerror(errno)))")
        }
        return mapping
    }
}
