// `proteus bench-abi [--config FILE] [--iterations N]` (not listed in
// --help; scripts/bench runs it on a release build): what one call across
// the plugin C ABI costs, next to a direct Swift call of the same body.
//
//   direct      a Swift function called directly (@inline(never); it stores
//               its argument to a global so the optimizer cannot drop or hoist
//               the call)
//   indirect    the same body as a @convention(c) function called through a
//               pointer in a table, inside the host
//   plugin      the store plugin's get_extension(instance, NULL) through its
//               descriptor: a real call into the dlopen'ed library across the
//               C ABI, whose body returns NULL at once
//   stats       the store's stats() through its function table: a real store
//               call (SQL counts), for scale
//
// Each is timed in a tight loop, best of three runs, in nanoseconds per call.
// Without --config the store is SQLite in a scratch directory.
import Glibc
import PluginAPI
import PluginKit

nonisolated(unsafe) private var abiBenchSink: UnsafeMutableRawPointer?

@inline(never)
private func abiBenchDirect(_ instance: UnsafeMutableRawPointer?, _ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
    abiBenchSink = instance
    guard let id else { return nil }
    return UnsafeRawPointer(id)
}

private let abiBenchIndirect: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeRawPointer? = { instance, id in
    abiBenchSink = instance
    guard let id else { return nil }
    return UnsafeRawPointer(id)
}

/// A table holding a function pointer, as a plugin's vtable does.
private struct ABIBenchTable {
    var function: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> UnsafeRawPointer?
}
nonisolated(unsafe) private var abiBenchTable = ABIBenchTable(function: abiBenchIndirect)

enum ABIBenchCommand {
    static func run(_ arguments: Arguments) throws -> Int32 {
        let iterations = arguments.values["iterations"].flatMap { Int($0) } ?? 50_000_000
        guard iterations > 0 else { throw UsageError("--iterations must be a positive number") }
        var scratch: String?
        var configuration: Configuration
        if arguments.configPath != nil {
            configuration = try Commands.loadConfiguration(arguments)
        } else {
            var template = Array("/tmp/proteus-bench-abi.XXXXXX".utf8CString)
            guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
                throw HostError("cannot create a scratch directory")
            }
            scratch = String(cString: dir)
            configuration = Configuration()
            configuration.dataDirectory = scratch!
            configuration.store.options = ["path": .string(scratch! + "/bench.sqlite")]
        }
        defer { if let scratch { _ = system("rm -rf '\(scratch)'") } }
        let store = try HostAssembly.storeOnly(configuration)
        defer { store.instance.destroy() }
        guard let getExtension = store.instance.plugin.descriptor.pointee.get_extension else {
            throw HostError("store \(store.name) has no get_extension to call")
        }
        // NULL at run time, unknown to the optimizer.
        let id: UnsafePointer<CChar>? = UnsafePointer(getenv("PROTEUS_BENCH_ABI_NEVER_SET"))
        let instance = store.raw

        func measure(_ n: Int, _ body: (Int) -> Int) -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                let start = Clock.monotonicNanos()
                let hits = body(n)
                let elapsed = Double(Clock.monotonicNanos() - start)
                if hits != 0 { print("(unexpected: \(hits) non-NULL answers)") }
                best = min(best, elapsed / Double(n))
            }
            return best
        }
        let direct = measure(iterations) { n in
            var hits = 0
            for _ in 0..<n where abiBenchDirect(instance, id) != nil { hits += 1 }
            return hits
        }
        let indirect = measure(iterations) { n in
            var hits = 0
            for _ in 0..<n where abiBenchTable.function(instance, id) != nil { hits += 1 }
            return hits
        }
        let plugin = measure(iterations) { n in
            var hits = 0
            for _ in 0..<n where getExtension(instance, id) != nil { hits += 1 }
            return hits
        }
        var failed = 0
        let stats = measure(max(1, iterations / 5000)) { n in
            var out = proteus_store_stats()
            out.struct_size = UInt32(MemoryLayout<proteus_store_stats>.size)
            var err = proteus_error()
            for _ in 0..<n where store.api.stats(instance, &out, &err) != PROTEUS_OK { failed += 1 }
            return 0
        }
        if failed > 0 { throw HostError("store \(store.name): stats failed \(failed) times") }
        print("store \(store.name), \(iterations) calls per no-op measurement, best of 3")
        print("abi direct_swift_ns \(decimal(direct, 2))")
        print("abi indirect_c_pointer_ns \(decimal(indirect, 2))")
        print("abi plugin_get_extension_ns \(decimal(plugin, 2))")
        print("abi store_stats_ns \(decimal(stats, 0))")
        return 0
    }

    private static func decimal(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let n = Int((x * scale).rounded())
        if digits == 0 { return String(n) }
        let whole = String(n / Int(scale))
        let fraction = String(n % Int(scale))
        return whole + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
