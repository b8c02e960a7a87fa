// A store built against ABI 2.0 (Tests/Fixtures/CPlugin/store_v2_0.c: the
// sqlite store's functions in a table cut at 2.0's size, declaring minor 0
// and ending at an unreadable page) is loaded by the host, and every caller
// of the 2.1 functions falls back to the 2.0 ones: StoreClient in process,
// and MCSManager's API keys and search through a running server.
import Foundation
import PluginAPI
import PluginKit
import XCTest
@testable import Host

final class StoreTable20Tests: XCTestCase {
    override class func tearDown() {
        SQLiteStoreFixture.cleanUp()
        super.tearDown()
    }

    private func buildFixture() throws -> String {
        let dir = SQLiteStoreFixture.makeTempDirectory("store-v2-0")
        return try CPluginBuilder.compile("store_v2_0.c", into: dir + "/libproteus-store-v2-0.so",
                                          defines: ["INNER_STORE=\"\(SQLiteStoreFixture.pluginPath)\""])
    }

    func testA20StoreIsLoadedAndStoreClientFallsBack() throws {
        let plugin = try PluginLoader.load(path: try buildFixture())
        XCTAssertEqual(plugin.descriptor.pointee.abi_minor, 0)
        let path = SQLiteStoreFixture.makeTempDirectory("store-v2-0-db") + "/db.sqlite"
        let instance = try PluginInstance.create(plugin, optionsJSON: SQLiteStoreFixture.optionsJSON(path: path),
                                                 runtime: SQLiteStoreFixture.runtime, dialect: nil)
        let store = try StoreBinding(instance)
        defer { store.instance.destroy() }
        XCTAssertEqual(Int(store.api.struct_size), StoreTable.size2_0)
        XCTAssertNil(store.api.apikey_owner)
        XCTAssertNil(store.api.apikey_presence)
        let client = StoreClient(store, host: UnsafePointer(store.instance.hostTable))
        XCTAssertFalse(client.has(\.apikey_owner))
        XCTAssertFalse(client.has(\.apikey_presence))
        XCTAssertTrue(client.has(\.counter_clear))

        var owner = UserRecord(id: PostgresStoreFixture.randomID())
        owner.username = "owner"
        owner.roles = []
        owner.documents = [DocumentRecord(namespace: "t", json: "{\"t\":1}"), DocumentRecord(namespace: "u", json: "{}")]
        try client.createUser(owner)
        var other = UserRecord(id: PostgresStoreFixture.randomID())
        other.username = "other"
        try client.createUser(other)
        let hash = [UInt8](repeating: 9, count: 32)
        try client.createKey(APIKeyRecord(keyHash: hash, userID: owner.id, namespace: "t"))

        // apikey_owner: apikey_get, then user_get.
        let now = client.now
        let found = try client.getKeyOwner(hash, now: now, docs: "t")
        XCTAssertEqual(found.key.keyHash, hash)
        XCTAssertEqual(found.key.lastUsedAt, now)
        XCTAssertEqual(found.user.id, owner.id)
        XCTAssertEqual(found.user.documents, [DocumentRecord(namespace: "t", json: "{\"t\":1}")])
        XCTAssertEqual(StoreClient.status { _ = try client.getKeyOwner([UInt8](repeating: 8, count: 32), now: now, docs: nil) },
                       PROTEUS_E_NOT_FOUND)
        // apikey_presence: apikey_list per user.
        let unknown = PostgresStoreFixture.randomID()
        XCTAssertEqual(try client.keyPresence(users: [owner.id, other.id, unknown, owner.id], ns: "t"), [true, false, false, true])
        XCTAssertEqual(try client.keyPresence(users: [owner.id], ns: "x"), [false])
        XCTAssertEqual(try client.keyPresence(users: [owner.id], ns: nil), [true])
        XCTAssertEqual(try client.keyPresence(users: [], ns: nil), [])
        // Called directly: UNSUPPORTED, never a crash.
        XCTAssertEqual(StoreClient.status { try client.invoke(\.apikey_presence) { $0(client.store, nil, 0, .absent, nil, $1) } },
                       PROTEUS_E_UNSUPPORTED)
    }

    /// MCSManager over the 2.0 store: keys authorise, search marks holders.
    func testMCSManagerWorksOverA20Store() throws {
        let library = try buildFixture()
        MCSM.storeOverride = { ["plugin": library, "options": ["path": $0 + "/data/proteus.sqlite"]] }
        defer { MCSM.useSQLite() }
        let panel = try PanelServer(label: "mcsm-store-v2-0")
        defer { panel.stop() }
        try panel.createUser("keyholder", permission: 10)
        try panel.createUser("keyless")
        let holder = try panel.signedIn("keyholder")
        let key = try XCTUnwrap(try holder.call("PUT", "/api/auth/api", json: ["enable": true]).json?["data"]?.stringValue)
        let byKey = try APIClient(port: panel.port).request("GET", "/api/auth/search?page=1&page_size=50&apikey=\(key)")
        XCTAssertEqual(byKey.status, 200, byKey.text)
        let rows = byKey.json?["data"]?["data"]?.arrayValue ?? []
        let marks = Dictionary(rows.compactMap { row -> (String, String)? in
            guard let name = row["userName"]?.stringValue, let mark = row["apiKey"]?.stringValue else { return nil }
            return (name, mark)
        }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(marks["keyholder"], "__MCSM_SECRET_DATA__")
        XCTAssertEqual(marks["keyless"], "")
        XCTAssertEqual(try APIClient(port: panel.port).request("GET", "/api/auth/search?page=1&page_size=5&apikey=0123456789abcdef0123456789abcdef").status, 403)
    }
}
