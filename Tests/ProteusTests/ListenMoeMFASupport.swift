// Real authenticator tooling for the LISTEN.moe MFA tests: the QR code is
// read with zbarimg (zbar-tools) and codes are computed with oathtool, as a
// phone app would. A missing tool fails the test (scripts/test installs
// both): it never skips.
import Foundation
import ProteusJSON
import XCTest

enum AuthenticatorTool {
    /// The tool's path in PATH (or the usual Debian places); a failure otherwise.
    static func path(_ name: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/bin"]
        for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/" + name) { return dir + "/" + name }
        XCTFail("\(name) is missing: install it (Debian \(name == "zbarimg" ? "zbar-tools" : name); scripts/test does)")
        throw TestFailure("\(name) is missing")
    }

    /// RFC 6238 TOTP by oathtool: `digits` digits of the step holding `unixSeconds`.
    static func oathtool(base32 secret: String, at unixSeconds: Int64, algorithm: String = "SHA1", digits: Int = 6, period: Int = 30) throws -> String {
        let (status, output) = try runTool(try path("oathtool"),
                                           ["--totp=\(algorithm)", "-b", "-d", "\(digits)", "-s", "\(period)s", "-N", "@\(unixSeconds)", secret])
        let code = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, code.count == digits else { throw TestFailure("oathtool: \(output)") }
        return code
    }

    /// oathtool with a hex key (the RFC's test seeds).
    static func oathtool(hexKey: String, at unixSeconds: Int64, algorithm: String, digits: Int) throws -> String {
        let (status, output) = try runTool(try path("oathtool"), ["--totp=\(algorithm)", "-d", "\(digits)", "-N", "@\(unixSeconds)", hexKey])
        guard status == 0 else { throw TestFailure("oathtool: \(output)") }
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text of the QR code in a PNG, read by zbarimg.
    static func zbarimg(png: Data) throws -> String {
        let file = TemporaryDirectory.make("qr") + "/code.png"
        try png.write(to: URL(fileURLWithPath: file))
        // Standard output only: zbarimg may warn on stderr (no D-Bus in a container).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try path("zbarimg"))
        process.arguments = ["--raw", "-q", file]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let warnings = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestFailure("zbarimg could not read the QR code (status \(process.terminationStatus)): \(String(decoding: warnings, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
}

/// What an authenticator app keeps after scanning the QR code.
struct ScannedAccount {
    var uri: String
    var label: String
    var secret: String
    var parameters: [String: String]
    var png: Data

    /// Reads `{"otpauthURL": "data:image/png;base64,..."}`.
    init(otpauthURL dataURL: String) throws {
        let prefix = "data:image/png;base64,"
        guard dataURL.hasPrefix(prefix), let png = Data(base64Encoded: String(dataURL.dropFirst(prefix.count))) else {
            throw TestFailure("not a PNG data URL: \(dataURL.prefix(64))")
        }
        guard png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw TestFailure("not a PNG file") }
        self.png = png
        uri = try AuthenticatorTool.zbarimg(png: png)
        guard let components = URLComponents(string: uri), components.scheme == "otpauth", components.host == "totp" else {
            throw TestFailure("not an otpauth://totp URI: \(uri)")
        }
        label = String(components.path.dropFirst())
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name] = item.value ?? "" }
        self.parameters = parameters
        guard let secret = parameters["secret"] else { throw TestFailure("no secret in \(uri)") }
        self.secret = secret
    }

    /// The code for the step `offset` steps from now (oathtool).
    func code(offset: Int64 = 0) throws -> String {
        try AuthenticatorTool.oathtool(base32: secret, at: Int64(Date().timeIntervalSince1970) + offset * 30)
    }
}

/// Codes with increasing time steps: the plugin refuses a step at or below
/// the last accepted one, so each success in a test takes the next step
/// (the server accepts now ± skewSteps).
final class CodeSequence {
    let secret: String
    private var offset: Int64

    init(_ secret: String, from offset: Int64) {
        self.secret = secret
        self.offset = offset
    }

    func next() throws -> String {
        defer { offset += 1 }
        return try AuthenticatorTool.oathtool(base32: secret, at: Int64(Date().timeIntervalSince1970) + offset * 30)
    }
}

enum StepClock {
    /// Waits until at least `margin` seconds remain in the current 30 s
    /// step, so a test's "now ± n steps" cannot straddle a step change.
    static func awayFromStepEnd(margin: Double = 8) { awayFromWindowEnd(period: 30, margin: margin) }

    /// The same for any wall-clock window that starts at multiples of its
    /// length (the host's rate_limit windows), so a burst stays in one.
    static func awayFromWindowEnd(period: Double, margin: Double = 10) {
        let now = Date().timeIntervalSince1970
        let left = period - now.truncatingRemainder(dividingBy: period)
        if left < margin { Thread.sleep(forTimeInterval: left + 0.3) }
    }
}
