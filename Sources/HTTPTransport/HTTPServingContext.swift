// Per-serving-thread scratch state: the response writer handed to the
// handler, the header-field array of HTTPRequest, the output buffer that
// collects a batch of responses, and the Date cache. Never shared.

final class HTTPServingContext {
    let writer = HTTPResponseWriter()
    let headers: UnsafeMutablePointer<HTTPHeaderField>
    let headerCapacity: Int
    var out = ByteBuffer(capacity: 16 * 1024)
    var date = HTTPDateCache()

    init(headerCapacity: Int) {
        self.headerCapacity = max(1, headerCapacity)
        headers = UnsafeMutablePointer<HTTPHeaderField>.allocate(capacity: self.headerCapacity)
        headers.initialize(repeating: HTTPHeaderField(name: .empty, value: .empty), count: self.headerCapacity)
    }

    deinit {
        headers.deinitialize(count: headerCapacity)
        headers.deallocate()
    }
}
