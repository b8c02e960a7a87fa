// host->http_request: one HTTP(S) exchange with a remote server through
// libcurl, within the config's bounds (outbound.*): verified TLS, bounded
// size, time and redirects, and no private destinations unless allowed.
import CCurl
import Glibc
import HTTPTransport
import PluginKit

/// A request as the host-services glue hands it over, already copied out
/// of the caller's C structs.
struct OutboundRequest: Sendable {
    var method: String
    var url: String
    var headers: [OutboundHeader] = []
    var body: [UInt8]?
    /// 0 = the configured default.
    var timeoutMs: Int = 0
    var trustExtraCA = false
}

struct OutboundResponse: Sendable {
    var status: Int
    var headers: [OutboundHeader]
    var body: [UInt8]
}

final class OutboundHTTP: Sendable {
    let settings: OutboundSettings
    /// The system CA store as a hashed directory: kept even when the extra
    /// CA file replaces libcurl's CA bundle (OpenSSL reads both).
    let systemCAPath: String

    /// Checked on every socket libcurl opens (after DNS, on every redirect).
    let destinationRefusal: @Sendable ([UInt8]) -> String?

    /// `destinationRefusal` replaces the policy the settings imply (tests
    /// refuse one loopback address to see the check on a redirect's hop).
    init(settings: OutboundSettings, systemCAPath: String = "/etc/ssl/certs",
         destinationRefusal: (@Sendable ([UInt8]) -> String?)? = nil) {
        self.settings = settings
        self.systemCAPath = systemCAPath
        let allowAll: @Sendable ([UInt8]) -> String? = { _ in nil }
        let refusePrivate: @Sendable ([UInt8]) -> String? = { OutboundAddressPolicy.refusal($0) }
        self.destinationRefusal = destinationRefusal ?? (settings.allowPrivateNetworks ? allowAll : refusePrivate)
    }

    /// libcurl's global state, once per process before any thread starts
    /// (curl_global_init is not thread-safe in every build).
    static func initializeLibrary() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    /// THE blocking call of the outbound service: runs one prepared libcurl
    /// transfer to its end (connect, TLS, redirects, the whole body), which
    /// takes up to the request's timeout. Everything else here only prepares
    /// or reads a handle. The calling serving thread waits in the waiting
    /// lane (HTTPWaitingLane), so a slow remote never takes the threads that
    /// serve other requests; nil, without any transfer, when the lane is full.
    static func performBlocking(_ handle: UnsafeMutableRawPointer) -> CURLcode? {
        HTTPWaitingLane.run { curl_easy_perform(handle) }
    }

    func send(_ request: OutboundRequest) throws(PluginError) -> OutboundResponse {
        try OutboundRequestValidation.check(request, settings: settings)
        guard let handle = curl_easy_init() else { throw .internal("outbound HTTP: libcurl could not create a handle") }
        defer { curl_easy_cleanup(handle) }
        let transfer = OutboundHTTPTransfer(maxResponseBytes: settings.maxResponseBytes, destinationRefusal: destinationRefusal)
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let headerList = try Self.headerList(request.headers)
        defer { curl_slist_free_all(headerList) }
        let timeoutMs = effectiveTimeoutMs(request.timeoutMs)
        guard configure(handle, trustExtraCA: request.trustExtraCA, timeoutMs: timeoutMs, transfer: transfer,
                        errorBuffer: errorBuffer, headerList: headerList, url: request.url) else {
            throw .internal("outbound HTTP: libcurl refused an option (older than 7.85?)")
        }
        // A POST, PUT or PATCH without a body still sends Content-Length: 0.
        let body = request.body ?? (["POST", "PUT", "PATCH"].contains(request.method) ? [] : nil)
        let performed: CURLcode? = withExtendedLifetime(transfer) {
            withBody(body) { body in
                guard Self.setMethod(handle, request.method, body: body) else { return CURLE_BAD_FUNCTION_ARGUMENT }
                return Self.performBlocking(handle)
            }
        }
        guard let code = performed else {
            ThreadScratch.noteRetryAfter(seconds: 1)
            throw .unavailable("outbound HTTP: too many requests are waiting on slow work; retry later")
        }
        let detail = errorBuffer.pointee == 0 ? String(cString: curl_easy_strerror(code)) : String(cString: errorBuffer)
        if let error = OutboundErrorMapping.error(for: code, transfer: transfer, detail: detail, settings: settings, timeoutMs: timeoutMs) {
            throw error
        }
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard (100...599).contains(status) else { throw .unavailable("outbound HTTP: the server sent no valid HTTP status") }
        return OutboundResponse(status: status, headers: transfer.headers, body: transfer.body)
    }

    /// Every option but the method: the bounds, TLS, the callbacks. False
    /// when libcurl refused one (too old for an option we rely on).
    private func configure(_ handle: UnsafeMutableRawPointer, trustExtraCA: Bool, timeoutMs: Int, transfer: OutboundHTTPTransfer,
                           errorBuffer: UnsafeMutablePointer<CChar>, headerList: UnsafeMutablePointer<curl_slist>?,
                           url: String) -> Bool {
        var results: [CURLcode] = []
        results.append(ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        results.append(url.withCString { ccurl_setopt_pointer(handle, CURLOPT_URL, $0) })  // libcurl copies strings
        results.append(ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))  // threads: no SIGALRM for DNS timeouts
        results.append("http,https".withCString { ccurl_setopt_pointer(handle, CURLOPT_PROTOCOLS_STR, $0) })
        results.append("http,https".withCString { ccurl_setopt_pointer(handle, CURLOPT_REDIR_PROTOCOLS_STR, $0) })
        results.append(ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1))
        results.append(ccurl_setopt_long(handle, CURLOPT_MAXREDIRS, settings.maxRedirects))
        results.append(ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(settings.connectTimeoutMs, timeoutMs)))
        results.append(ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs))
        // Never a proxy from the environment: it would be the only address checked.
        results.append("".withCString { ccurl_setopt_pointer(handle, CURLOPT_PROXY, $0) })
        results.append(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        results.append(ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        // The system store is the hashed directory; CAINFO (libcurl's bundle
        // file by default) is the extra CA when asked for, else nothing.
        results.append(systemCAPath.withCString { ccurl_setopt_pointer(handle, CURLOPT_CAPATH, $0) })
        if trustExtraCA, let extra = settings.extraCAFile {
            results.append(extra.withCString { ccurl_setopt_pointer(handle, CURLOPT_CAINFO, $0) })
        } else {
            results.append(ccurl_setopt_pointer(handle, CURLOPT_CAINFO, nil))
        }
        // Refused early when announced; counted in the callbacks otherwise.
        results.append(ccurl_setopt_offset(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(settings.maxResponseBytes)))
        results.append(ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, OutboundHTTPCallbacks.header))
        results.append(ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, transfer.userData))
        results.append(ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, OutboundHTTPCallbacks.body))
        results.append(ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, transfer.userData))
        results.append(ccurl_setopt_opensocket_function(handle, OutboundHTTPCallbacks.openSocket))
        results.append(ccurl_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, transfer.userData))
        results.append(ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList))
        return results.allSatisfy { $0 == CURLE_OK }
    }

    /// The method, and the body when there is one (at a stable address
    /// until the transfer ends: libcurl does not copy POSTFIELDS).
    private static func setMethod(_ handle: UnsafeMutableRawPointer, _ method: String, body: UnsafeBufferPointer<UInt8>?) -> Bool {
        var results: [CURLcode] = []
        switch (method, body) {
        case ("GET", nil): results.append(ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case ("HEAD", _): results.append(ccurl_setopt_long(handle, CURLOPT_NOBODY, 1))
        case (_, let body?):
            results.append(ccurl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            results.append(ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, body.baseAddress))
            if method != "POST" { results.append(method.withCString { ccurl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) }) }
        case (_, nil):
            results.append(method.withCString { ccurl_setopt_pointer(handle, CURLOPT_CUSTOMREQUEST, $0) })
        }
        return results.allSatisfy { $0 == CURLE_OK }
    }

    /// The plugin's headers as libcurl's list, plus "Expect:" (empty), which
    /// keeps libcurl from waiting for a 100-continue before a large body.
    private static func headerList(_ headers: [OutboundHeader]) throws(PluginError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in headers.map(headerLine) + [Array("Expect:".utf8)] {
            let appended = (line + [0]).withUnsafeBufferPointer { p in
                p.withMemoryRebound(to: CChar.self) { curl_slist_append(list, $0.baseAddress) }
            }
            guard let appended else {
                curl_slist_free_all(list)
                throw .internal("outbound HTTP: out of memory")
            }
            list = appended
        }
        return list
    }

    /// 0 = the configured default; anything asked for is capped at the maximum.
    func effectiveTimeoutMs(_ asked: Int) -> Int {
        asked <= 0 ? settings.timeoutMs : min(asked, settings.maxTimeoutMs)
    }

    /// "Name: value", or "Name;" for an empty value (libcurl's spelling:
    /// "Name:" alone would remove the header instead of sending it empty).
    private static func headerLine(_ header: OutboundHeader) -> [UInt8] {
        header.value.isEmpty ? header.name + [0x3B] : header.name + Array(": ".utf8) + header.value
    }

    /// The body at a stable address for the whole transfer (POSTFIELDS is
    /// not copied by libcurl).
    private func withBody<R>(_ body: [UInt8]?, _ run: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let body else { return run(nil) }
        // An empty body still needs a non-NULL pointer.
        return (body.isEmpty ? [0] : body).withUnsafeBufferPointer { p in
            run(UnsafeBufferPointer(start: p.baseAddress, count: body.count))
        }
    }
}
