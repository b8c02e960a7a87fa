// The panel's timestamps: JavaScript's `new Date().toLocaleString()` on an
// en-US server, in the server's local time zone: "10/28/2023, 5:38:44 PM".
import Glibc

enum LocaleTime {
    /// "M/D/YYYY, h:mm:ss AM|PM" in local time.
    static func format(millis: Int64) -> String {
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        var t = tm()
        guard localtime_r(&seconds, &t) != nil else { return "" }
        let hour12 = t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(t.tm_mon + 1)/\(t.tm_mday)/\(Int(t.tm_year) + 1900), \(hour12):\(two(t.tm_min)):\(two(t.tm_sec)) \(t.tm_hour < 12 ? "AM" : "PM")"
    }

    /// Unix milliseconds of a panel timestamp in local time, or nil. Reads the
    /// en-US form above and the zh-CN form "YYYY/M/D HH:mm:ss" (panels on
    /// Chinese servers write that one).
    static func parse(_ text: String) -> Int64? {
        let cleaned = text.replacingNarrowSpaces()
        let parts = cleaned.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard parts.count >= 2 else { return nil }
        let date = parts[0].split(separator: "/").compactMap { Int32($0) }
        let clock = parts[1].split(separator: ":").compactMap { Int32($0) }
        guard date.count == 3, clock.count == 3 else { return nil }
        var t = tm()
        if parts[0].split(separator: "/")[0].count == 4 {
            t.tm_year = date[0] - 1900; t.tm_mon = date[1] - 1; t.tm_mday = date[2]
        } else {
            t.tm_year = date[2] - 1900; t.tm_mon = date[0] - 1; t.tm_mday = date[1]
        }
        var hour = clock[0]
        if parts.count >= 3 {
            switch parts[2].uppercased() {
            case "AM": if hour == 12 { hour = 0 }
            case "PM": if hour != 12 { hour += 12 }
            default: return nil
            }
        }
        guard (1...12).contains(t.tm_mon + 1), (1...31).contains(t.tm_mday), (0...23).contains(hour),
              (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        t.tm_hour = hour; t.tm_min = clock[1]; t.tm_sec = clock[2]
        t.tm_isdst = -1
        let seconds = mktime(&t)
        guard seconds != -1 else { return nil }
        return Int64(seconds) * 1000
    }
}

extension String {
    /// Newer ICU puts U+202F (narrow no-break space) before AM/PM.
    fileprivate func replacingNarrowSpaces() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value == 0x202F || $0.value == 0xA0 ? " " : $0 }))
    }
}
