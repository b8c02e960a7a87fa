// swift-tools-version:6.0
// Proteus: one host executable and its plugins. No package dependencies:
// everything beyond the toolchain is a Debian C library (system targets).
import PackageDescription

let package = Package(
    name: "Proteus",
    products: [
        .executable(name: "proteus", targets: ["Host"]),
        // Plugins: each a shared library the host dlopens (libproteus-<name>.so).
        .library(name: "proteus-sqlite", type: .dynamic, targets: ["StoreSQLite"]),
        .library(name: "proteus-postgres", type: .dynamic, targets: ["StorePostgres"]),
        .library(name: "proteus-password", type: .dynamic, targets: ["AuthPassword"]),
        .library(name: "proteus-aiostreams", type: .dynamic, targets: ["AIOStreams"]),
        .library(name: "proteus-totp", type: .dynamic, targets: ["AuthTOTP"]),
        .library(name: "proteus-mcsmanager", type: .dynamic, targets: ["MCSManager"]),
        .library(name: "proteus-cortexhub", type: .dynamic, targets: ["CortexHub"]),
        .library(name: "proteus-listenmoe", type: .dynamic, targets: ["ListenMoe"]),
        .library(name: "proteus-erizos", type: .dynamic, targets: ["Erizos"]),
        .library(name: "proteus-scim", type: .dynamic, targets: ["SCIM"]),
        .library(name: "proteus-console", type: .dynamic, targets: ["Console"]),
    ],
    targets: [
        // The C ABI: a header-only target every side compiles against.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),

        // Debian C libraries.
        .systemLibrary(name: "CSQLite", path: "Sources/System/CSQLite"),
        .systemLibrary(name: "CPostgres", path: "Sources/System/CPostgres"),
        .systemLibrary(name: "COpenSSL", path: "Sources/System/COpenSSL"),
        .systemLibrary(name: "CArgon2", path: "Sources/System/CArgon2"),
        .systemLibrary(name: "CCrypt", path: "Sources/System/CCrypt"),
        .systemLibrary(name: "CCurl", path: "Sources/System/CCurl"),
        // QR codes as PNG images (TOTP enrolment: SecondFactorEnrolment only).
        .systemLibrary(name: "CQRencode", path: "Sources/System/CQRencode"),
        .systemLibrary(name: "CPNG", path: "Sources/System/CPNG"),
        // YAML (the Cortex Hub dialect's config export/import only).
        .systemLibrary(name: "CYAML", path: "Sources/System/CYAML"),
        // zlib (the AIOStreams dialect's import: the original deflates configs).
        .systemLibrary(name: "CZlib", path: "Sources/System/CZlib"),

        // Linux interfaces Glibc's Swift module lacks (epoll, eventfd,
        // malloc_trim) and wrappers for accept4, ioctl and prctl.
        .target(name: "CLinux", path: "Sources/System/CLinux"),

        // Shared Swift code (linked statically into whoever uses it).
        .target(name: "ProteusJSON", path: "Sources/JSON"),
        .target(name: "PluginKit", dependencies: ["PluginAPI", "ProteusJSON", "COpenSSL"], path: "Sources/PluginKit"),
        // The host's HTTP/1.1 transport (epoll server, parser), a library so
        // tests and fuzz targets can link it without the executable.
        .target(name: "HTTPTransport", dependencies: ["CLinux"], path: "Sources/HTTPTransport"),

        .executableTarget(
            name: "Host",
            dependencies: ["PluginAPI", "PluginKit", "ProteusJSON", "HTTPTransport", "CLinux", "COpenSSL", "CCurl"],
            path: "Sources/Host"
        ),

        // Turning TOTP on (a secret, its otpauth:// URI as a QR code PNG,
        // recovery codes), shared by the dialects that enrol: LISTEN.moe
        // and the console. Its own target so the QR and PNG libraries are
        // linked only into them, not into every plugin through PluginKit.
        .target(name: "SecondFactorEnrolment", dependencies: ["PluginKit", "CQRencode", "CPNG"], path: "Sources/SecondFactorEnrolment"),

        // Each store operation's meaning, written once; the two stores add
        // their SQL text and connection handling (linked statically into each).
        .target(name: "StoreCore", dependencies: ["PluginKit"], path: "Plugins/StoreCore"),
        .target(name: "StoreSQLite", dependencies: ["StoreCore", "PluginKit", "CSQLite"], path: "Plugins/StoreSQLite"),
        .target(name: "StorePostgres", dependencies: ["StoreCore", "PluginKit", "CPostgres"], path: "Plugins/StorePostgres"),
        .target(name: "AuthPassword", dependencies: ["PluginKit", "CArgon2", "CCrypt", "COpenSSL"], path: "Plugins/AuthPassword"),
        .target(name: "AuthTOTP", dependencies: ["PluginKit", "COpenSSL"], path: "Plugins/AuthTOTP"),
        // Reads an original AIOStreams database (libsqlite3, libpq) and opens its
        // sealed configs (OpenSSL: PBKDF2, AES-CBC; zlib) for `proteus import aiostreams`.
        .target(name: "AIOStreams", dependencies: ["PluginKit", "CSQLite", "CPostgres", "COpenSSL", "CZlib"], path: "Plugins/APIDialects/AIOStreams"),
        .target(name: "MCSManager", dependencies: ["PluginKit"], path: "Plugins/APIDialects/MCSManager"),
        .target(name: "CortexHub", dependencies: ["PluginKit", "CYAML"], path: "Plugins/APIDialects/CortexHub"),
        .target(name: "ListenMoe", dependencies: ["PluginKit", "SecondFactorEnrolment"], path: "Plugins/APIDialects/ListenMoe"),
        .target(name: "Erizos", dependencies: ["PluginKit"], path: "Plugins/APIDialects/Erizos"),
        .target(name: "SCIM", dependencies: ["PluginKit"], path: "Plugins/APIDialects/SCIM"),
        // The admin console: its web assets (Assets/) are built in as
        // EmbeddedAssets.swift by scripts/embed-console-assets, not as
        // SwiftPM resources (a plugin is one .so with nothing beside it).
        .target(name: "Console", dependencies: ["PluginKit", "SecondFactorEnrolment"], path: "Plugins/APIDialects/Console", exclude: ["Assets"]),

        // ProteusTests drive the real binary and plugins; they never link a plugin target.
        .testTarget(name: "ProteusTests", dependencies: ["Host", "HTTPTransport", "PluginKit", "ProteusJSON", "COpenSSL"], path: "Tests/ProteusTests"),
        // Unit tests of the MCSManager dialect's input helpers (JavaScript
        // coercions, qs-style forms): the one test target linking a dialect.
        .testTarget(name: "MCSManagerUnitTests", dependencies: ["MCSManager", "ProteusJSON"], path: "Tests/MCSManagerUnitTests"),
    ]
)

// Fuzz targets (libFuzzer): Tests/Fuzz/README.md. Declared only when
// PROTEUS_FUZZ is set, because they call libFuzzer's driver, which only
// `-sanitize=fuzzer` links in: a plain `swift build` or `swift test` never
// sees them. `scripts/fuzz` builds them in .build-fuzz. Unlike the tests, a
// fuzz executable may link a dialect target: that is the code it exercises.
if Context.environment["PROTEUS_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("HTTPParser", ["HTTPTransport"]),
        ("JSON", ["ProteusJSON"]),
        ("Forms", ["HTTPTransport", "PluginKit", "ProteusJSON", "MCSManager"]),
        ("AIOStreams", ["AIOStreams", "PluginAPI", "PluginKit", "ProteusJSON"]),
        ("MCSManager", ["MCSManager", "PluginAPI", "PluginKit", "ProteusJSON"]),
        ("Erizos", ["Erizos", "PluginAPI", "PluginKit", "ProteusJSON"]),
        ("CortexHubYAML", ["CortexHub", "ProteusJSON"]),
        ("SCIM", ["SCIM", "PluginAPI", "PluginKit", "ProteusJSON"]),
    ]
    package.targets += [
        .systemLibrary(name: "CLibFuzzer", path: "Tests/Fuzz/Support/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", "HTTPTransport", "PluginAPI"], path: "Tests/Fuzz/Support/FuzzSupport"),
    ]
    for target in fuzzTargets {
        package.targets.append(.executableTarget(
            name: "Fuzz" + target.name,
            dependencies: ["FuzzSupport"] + target.dependencies,
            path: "Tests/Fuzz/" + target.name,
            exclude: ["corpus", target.name + ".dict"]))
    }
}
