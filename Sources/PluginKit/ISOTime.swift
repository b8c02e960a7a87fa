// ISO-8601 timestamps like JavaScript's Date.toISOString(): 2020-01-12T17:05:20.616Z
// (UTC, milliseconds, "Z"); shared by the dialects that show them.
import Glibc

public enum ISOTime {
    public static func format(millis: Int64) -> String {
        // Floor division (-1 ms is 23:59:59.999 the day before), without
        // overflow at the ends of Int64.
        let (quotient, remainder) = millis.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let ms = Int(remainder < 0 ? remainder + 1000 : remainder)
        var t = tm()
        // Fails only past year 2^31; Int64 milliseconds stay within ±3e8 years.
        guard gmtime_r(&seconds, &t) != nil else { return "" }
        let year = Int(t.tm_year) + 1900
        guard (1000...9999).contains(year) else {   // others unpadded, as before
            func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
            func three(_ n: Int) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
            return "\(year)-\(two(t.tm_mon + 1))-\(two(t.tm_mday))T\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)).\(three(ms))Z"
        }
        // Four-digit years, written as bytes: interpolating eight strings was
        // 4 % of a SCIM list's CPU (two timestamps per user).
        return String(unsafeUninitializedCapacity: 24) { out in
            var o = 0
            func put(_ n: Int, digits: Int) {
                var n = n, i = digits
                while i > 0 {
                    i -= 1
                    out[o + i] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                }
                o += digits
            }
            func mark(_ c: Unicode.Scalar) {
                out[o] = UInt8(ascii: c)
                o += 1
            }
            put(year, digits: 4); mark("-"); put(Int(t.tm_mon) + 1, digits: 2); mark("-"); put(Int(t.tm_mday), digits: 2)
            mark("T"); put(Int(t.tm_hour), digits: 2); mark(":"); put(Int(t.tm_min), digits: 2); mark(":"); put(Int(t.tm_sec), digits: 2)
            mark("."); put(ms, digits: 3); mark("Z")
            return o
        }
    }
}
