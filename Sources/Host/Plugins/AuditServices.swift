// host->audit (ABI 2.5): a dialect records an administrative change in the
// store's audit log. The dialect says who did what to whom; the host says
// when (its clock), through which plugin (the caller's name) and from where
// (the client address of the request the calling thread handles, as the
// dispatcher gave it in request->client_ip: trustedProxies applied). The
// event goes through host->store's table (the timing shims when metrics
// are kept). A failure is returned and logged, never more: the change the
// dialect made stands.
import PluginAPI
import PluginKit
import ProteusJSON

enum AuditServices {
    static let audit: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<proteus_audit_event>?, UnsafeMutablePointer<proteus_error>?) -> proteus_status = { ctx, event, err in
        guard let context = PluginContext.from(ctx) else { return PluginContext.missing(in: "audit", err) }
        guard let event, RecordArray.isComplete(event) else {
            return PluginError.invalid("audit: NULL event, or its struct_size too small").report(to: err)
        }
        let status = record(context, event.pointee, err)
        if status != PROTEUS_OK {
            let message = err.map { PluginError(status: status, from: $0.pointee).message } ?? Status.name(status)
            Logger.shared.log(.warning, "audit event \"\(event.pointee.action.string ?? "")\" not recorded: \(message)", plugin: context.pluginName)
        }
        return status
    }

    private static func record(_ context: PluginContext, _ given: proteus_audit_event, _ err: UnsafeMutablePointer<proteus_error>?) -> proteus_status {
        guard let binding = context.runtime.directory else {
            return PluginError.unsupported("audit: this process has no store").report(to: err)
        }
        if given.detail_json.isPresent {
            let detail = given.detail_json.buffer
            guard detail.count <= Int(PROTEUS_AUDIT_DETAIL_MAX),
                  case .some(.object) = try? JSONParser.parse(detail) else {
                return PluginError.invalid("audit: the detail must be one JSON object of at most \(PROTEUS_AUDIT_DETAIL_MAX) bytes").report(to: err)
            }
        }
        // Read only as far as the table's struct_size: a store built
        // against 2.4 has a shorter table (never `pointee` of it).
        let table = StoreTable.copy(binding.dialectTable)
        guard let append = TableEntry.function(table, \.audit_append, declaredSize: table.struct_size) else {
            return PluginError.unsupported("audit: the store \"\(binding.name)\" has no audit log (built against ABI 2.4 or older)").report(to: err)
        }
        var event = given
        event.struct_size = RecordArray.size(of: proteus_audit_event.self)
        event.id = 0
        event.time = Clock.nowMillis()
        let address = ThreadScratch.currentClientAddress ?? ""
        return withProteusStr(context.pluginName) { source in
            withProteusStr(address) { client in
                event.source = source
                event.address = client
                return append(binding.raw, &event, err)
            }
        }
    }
}
