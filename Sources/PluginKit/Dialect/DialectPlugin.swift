// Boilerplate for writing a dialect in Swift: implement DialectInstance,
// then export it with DialectExport.descriptor(...) from the entry symbol.
import PluginAPI

/// One created dialect. handle() is called from many threads at once.
public protocol DialectInstance: AnyObject, Sendable {
    /// (methods, path pattern) pairs; their indices are Request.route.
    var routes: [(methods: String, path: String)] { get }
    func handle(_ request: Request, _ response: Response)
}

public typealias DialectFactory = @Sendable (Host, PluginOptions) throws -> DialectInstance

/// One dialect per library: the factory lives in this library's copy of
/// PluginKit (every plugin links its own).
public enum DialectExport {
    nonisolated(unsafe) static var factory: DialectFactory?

    final class Box: @unchecked Sendable {
        let instance: DialectInstance
        let host: UnsafePointer<proteus_host_api>
        let routeStrings: [(UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>)]
        let routeTable: UnsafeMutablePointer<proteus_route>

        init(instance: DialectInstance, host: UnsafePointer<proteus_host_api>) {
            self.instance = instance
            self.host = host
            let routes = instance.routes
            routeStrings = routes.map { (strdup($0.methods)!, strdup($0.path)!) }
            routeTable = .allocate(capacity: max(routes.count, 1))
            for (i, s) in routeStrings.enumerated() {
                routeTable[i] = proteus_route(struct_size: RecordArray.size(of: proteus_route.self), methods: UnsafePointer(s.0), path: UnsafePointer(s.1))
            }
        }

        deinit {
            for s in routeStrings { free(s.0); free(s.1) }
            routeTable.deallocate()
        }
    }

    nonisolated(unsafe) private static let table: UnsafePointer<proteus_dialect_api> = makeStaticTable({
        var t = proteus_dialect_api()
        t.struct_size = UInt32(MemoryLayout<proteus_dialect_api>.size)
        t.routes = { instance, out, count, err in
            guard let box = InstanceBox.get(instance, as: Box.self) else { return PluginError.invalid("routes: NULL instance").report(to: err) }
            out?.pointee = UnsafePointer(box.routeTable)
            count?.pointee = UInt32(box.routeStrings.count)
            return PROTEUS_OK
        }
        t.handle = { instance, request, response in
            guard let request, let response, let box = InstanceBox.get(instance, as: Box.self) else { return PROTEUS_E_INVALID }
            box.instance.handle(Request(request), Response(host: box.host, raw: response))
            return PROTEUS_OK
        }
        return t
    }())

    /// The descriptor to return from `proteus_plugin_entry_v2`.
    public static func descriptor(name: StaticString, version: StaticString, description: StaticString,
                                  factory: @escaping DialectFactory) -> UnsafePointer<proteus_plugin_descriptor> {
        self.factory = factory
        return makeDescriptor(
            kind: PROTEUS_KIND_DIALECT, name: name, version: version, description: description,
            create: { host, options, length, out, err in
                reporting(err) {
                    guard let host, let out, let factory = DialectExport.factory else {
                        throw PluginError.invalid("create called without host or output")
                    }
                    let parsed = try PluginOptions(json: options, length: length)
                    let instance = try factory(Host(host), parsed)
                    out.pointee = InstanceBox.retain(Box(instance: instance, host: host))
                }
            },
            destroy: { instance in InstanceBox.release(instance, as: Box.self) },
            vtable: UnsafeRawPointer(table),
            getExtension: getExtension)
    }
}

import Glibc
