// Finding plugin libraries, loading them with dlopen and checking their
// descriptor before anything else runs (PostgreSQL's magic-block idea).
import Glibc
import PluginAPI
import PluginKit

/// Why a plugin could not be loaded. The message names the plugin, the path
/// and the reason, ready to print.
struct PluginLoadError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A plugin library that passed every load-time check.
struct LoadedPlugin: @unchecked Sendable {
    let path: String
    let descriptor: UnsafePointer<proteus_plugin_descriptor>

    var kind: UInt32 { descriptor.pointee.kind }
    var name: String { String(cString: descriptor.pointee.name) }
    var version: String { String(cString: descriptor.pointee.version) }
    var summary: String { descriptor.pointee.description.map { String(cString: $0) } ?? "" }
    var abiVersion: String { "\(descriptor.pointee.abi_major).\(descriptor.pointee.abi_minor)" }
    var kindName: String { PluginKind.name(kind) }
}

enum PluginKind {
    static func name(_ kind: UInt32) -> String {
        switch Int32(bitPattern: kind) {
        case PROTEUS_KIND_STORE: return "store"
        case PROTEUS_KIND_AUTH: return "auth"
        case PROTEUS_KIND_DIALECT: return "dialect"
        default: return "kind \(kind)"
        }
    }
}

enum PluginLoader {
    /// Library file name for a plugin name: libproteus-<name>.so
    static func fileName(for name: String) -> String { "libproteus-\(name).so" }

    /// Loads the plugin a config refers to: a path (contains '/' or ends in
    /// .so) or a name looked up in `directory`.
    static func resolve(_ reference: String, kind: Int32, directory: String) throws -> LoadedPlugin {
        if reference.contains("/") || reference.hasSuffix(".so") {
            let plugin = try load(path: reference)
            try expect(plugin, kind: kind, reference: reference)
            return plugin
        }
        let conventional = directory + "/" + fileName(for: reference)
        if access(conventional, F_OK) == 0 {
            let plugin = try load(path: conventional)
            if plugin.name == reference {
                try expect(plugin, kind: kind, reference: reference)
                return plugin
            }
        }
        // Fall back to any plugin library in the directory with that name.
        for path in candidateFiles(in: directory) where path != conventional {
            guard let plugin = try? load(path: path), plugin.name == reference,
                  plugin.kind == UInt32(kind) else { continue }
            return plugin
        }
        throw PluginLoadError(message: "plugin \"\(reference)\": no \(PluginKind.name(UInt32(kind))) plugin of that name in \(directory) (looked for \(fileName(for: reference)))")
    }

    private static func expect(_ plugin: LoadedPlugin, kind: Int32, reference: String) throws {
        guard plugin.kind == UInt32(kind) else {
            throw PluginLoadError(message: "plugin \"\(reference)\" at \(plugin.path): is a \(plugin.kindName) plugin, expected a \(PluginKind.name(UInt32(kind))) plugin")
        }
    }

    /// Every libproteus-*.so in a directory, sorted.
    static func candidateFiles(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var paths: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name.hasPrefix("libproteus-") && name.hasSuffix(".so") {
                paths.append(directory + "/" + name)
            }
        }
        return paths.sorted()
    }

    /// dlopen + descriptor checks. Libraries are never unloaded
    /// (RTLD_NODELETE): unloading Swift code breaks the runtime.
    static func load(path: String) throws -> LoadedPlugin {
        let fail = { (reason: String) in PluginLoadError(message: "plugin at \(path): \(reason)") }
        guard access(path, R_OK) == 0 else {
            throw fail("cannot read the file (\(String(cString: strerror(errno))))")
        }
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw fail("dlopen failed: \(reason)")
        }
        guard let symbol = dlsym(handle, PROTEUS_ENTRY_SYMBOL) else {
            // An older major's plugin exports its own entry symbol: say so.
            for major in (1..<Int(PROTEUS_ABI_MAJOR)).reversed() where dlsym(handle, "proteus_plugin_entry_v\(major)") != nil {
                throw fail("ABI mismatch: plugin built for ABI \(major).x (it exports proteus_plugin_entry_v\(major)), host speaks \(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR): rebuild it against this host's proteus_plugin.h")
            }
            throw fail("not a Proteus ABI v\(PROTEUS_ABI_MAJOR) plugin: no exported symbol \(PROTEUS_ENTRY_SYMBOL)")
        }
        let entry = unsafeBitCast(symbol, to: proteus_plugin_entry_fn.self)
        guard let descriptor = entry() else { throw fail("entry point returned no descriptor") }
        let d = descriptor.pointee
        guard d.magic == PROTEUS_PLUGIN_MAGIC else {
            throw fail("bad descriptor magic 0x\(String(d.magic, radix: 16)) (expected 0x\(String(PROTEUS_PLUGIN_MAGIC, radix: 16)))")
        }
        guard d.abi_major == PROTEUS_ABI_MAJOR else {
            throw fail("ABI mismatch: plugin built for ABI \(d.abi_major).\(d.abi_minor), host speaks \(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)")
        }
        guard d.abi_minor <= PROTEUS_ABI_MINOR else {
            throw fail("ABI mismatch: plugin needs ABI \(d.abi_major).\(d.abi_minor), newer than this host's \(PROTEUS_ABI_MAJOR).\(PROTEUS_ABI_MINOR)")
        }
        guard d.struct_size >= UInt32(MemoryLayout<proteus_plugin_descriptor>.size) else {
            throw fail("descriptor too small (\(d.struct_size) bytes)")
        }
        guard let namePointer = d.name, isValidName(String(cString: namePointer)) else {
            throw fail("descriptor has no valid name ([a-z0-9_-]{1,64})")
        }
        guard d.version != nil, d.create != nil, d.destroy != nil, let vtable = d.vtable else {
            throw fail("descriptor is missing version, create, destroy or its function table")
        }
        let minimumTableSize: Int
        switch Int32(bitPattern: d.kind) {
        // A store built against 2.0 is loaded; later functions are optional.
        case PROTEUS_KIND_STORE: minimumTableSize = StoreTable.size2_0
        case PROTEUS_KIND_AUTH: minimumTableSize = MemoryLayout<proteus_auth_api>.size
        case PROTEUS_KIND_DIALECT: minimumTableSize = MemoryLayout<proteus_dialect_api>.size
        default: throw fail("unknown plugin kind \(d.kind)")
        }
        // Every table starts with its struct_size; a 2.0 table must be complete.
        let tableSize = vtable.load(as: UInt32.self)
        guard tableSize >= UInt32(minimumTableSize) else {
            throw fail("function table too small (\(tableSize) bytes, ABI \(PROTEUS_ABI_MAJOR).0 needs \(minimumTableSize))")
        }
        return LoadedPlugin(path: path, descriptor: descriptor)
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy {
            ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95
        }
    }
}
