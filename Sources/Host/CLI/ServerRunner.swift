// Serving: listen, run the transport until a signal, drain, close the store.
enum ServerRunner {
    static func run(_ assembly: HostAssembly) throws -> Int32 {
        throw HostError("serving is not wired yet")
    }
}
