// The console in a real browser: headless Chromium (Debian's chromium and
// chromium-driver) driven by selenium (PyPI, in .build/tools/python; see
// scripts/lib/python-tools.sh) through Tests/Fixtures/Console/console_browser.py.
// It signs in, searches, disables a user (whose sign-in then fails through
// MCSManager), resets a password (the user signs in through MCSManager with
// the new one), reads the audit log (the console's changes and the shell's:
// actor, action, target, time, address; a filter), turns on the admin's
// own MFA on the Security page (the secret read from the page, the code from
// oathtool; sign-in then asks for a code) and takes a screenshot of each
// page (Security's with the QR code): into the test's temporary directory, or with
// PROTEUS_UPDATE_SCREENSHOTS=1 into docs/console/ (the committed ones the
// README shows), so a test run leaves the tree as it was.
// A missing browser, driver or selenium fails the test: it never skips.
import Foundation
import ProteusJSON
import XCTest

final class ConsoleBrowserTests: XCTestCase {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    static var python: String { CPluginBuilder.repositoryRoot + "/.build/tools/python/bin/python" }
    static var script: String { CPluginBuilder.repositoryRoot + "/Tests/Fixtures/Console/console_browser.py" }
    static var screenshots: String {
        ProcessInfo.processInfo.environment["PROTEUS_UPDATE_SCREENSHOTS"] == "1"
            ? CPluginBuilder.repositoryRoot + "/docs/console" : TemporaryDirectory.make("console-screenshots")
    }

    func testSignInSearchDisableResetAndScreenshotEveryPage() throws {
        for tool in [Self.chromium, Self.chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
            return XCTFail("\(tool) is missing: install Debian's chromium and chromium-driver (scripts/test does: TEST_PACKAGES)")
        }
        guard FileManager.default.isExecutableFile(atPath: Self.python),
              try runTool(Self.python, ["-c", "import selenium"]).status == 0 else {
            return XCTFail("selenium is missing from \(Self.python): scripts/lib/python-tools.sh installs it (PYTHON_TOOLS)")
        }
        let console = try ConsoleServer(label: "console-browser")
        defer { console.stop() }
        try console.panel.createUser("tina")
        try console.panel.createUser("Martina")
        try console.panel.createUser("rob")
        // A change made on the shell: in the audit log as cli:<login>, source cli.
        XCTAssertEqual(try console.cli(["add", "--username", "carl", "--password-stdin"], input: "Carl-Passw0rd\n").status, 0)
        let newPassword = "Browser-Reset-Passw0rd"
        let screenshots = Self.screenshots
        // The browser's profile and its temporary files, removed at the end.
        // Not under TemporaryDirectory: Chromium puts its singleton socket
        // in $TMPDIR, and a socket's path must fit in 107 bytes, which a
        // checkout deep enough (CI's) exceeds; Chromium then exits at start.
        let scratch = try Self.shortTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = scratch
        let run = try runTool(Self.python, [Self.script, "--profile", scratch + "/profile", "--base", "http://127.0.0.1:\(console.port)",
                                            "--admin", MCSM.adminName, "--admin-password", MCSM.adminPassword,
                                            "--disable", "tina", "--reset", "rob", "--search", "TIN", "--expect", "Martina,tina", "--cli-user", "carl",
                                            "--old-password", "Passw0rdUser", "--new-password", newPassword,
                                            "--screenshots", screenshots, "--oathtool", try AuthenticatorTool.path("oathtool"),
                                            "--chromium", Self.chromium, "--chromedriver", Self.chromedriver],
                              environment: environment)
        guard run.status == 0, run.output.contains("\nOK") else {
            return XCTFail("console_browser.py failed (exit \(run.status)):\n\(run.output)")
        }
        // The same outcome seen from here, through MCSManager.
        XCTAssertEqual(try PanelClient(port: console.port).login("tina", "Passw0rdUser").status, 401)
        XCTAssertEqual(try PanelClient(port: console.port).login("Martina", "Passw0rdUser").status, 200)
        XCTAssertEqual(try PanelClient(port: console.port).login("rob", newPassword).status, 200)
        // The admin enrolled on the Security page: the console asks for the code.
        ConsoleTest.assertError(try ConsoleClient(port: console.port).signIn(MCSM.adminName, MCSM.adminPassword), 401, "code_required")
        for page in ["sign-in", "users", "confirm", "groups", "roles", "plugins", "health", "audit", "security", "security-codes"] {
            let path = screenshots + "/\(page).png"
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
            XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(path) is a PNG")
            XCTAssertGreaterThan(bytes.count, 5_000, path)
        }
    }

    /// A new directory directly in /tmp (a short path), for the caller to remove.
    static func shortTemporaryDirectory() throws -> String {
        var template = Array("/tmp/proteus-chromium-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return String(cString: made)
    }
}
