// The Key URI Format authenticator apps scan (Google Authenticator, Authy):
//   otpauth://totp/<issuer>:<account>?secret=<base32>&issuer=<issuer>
//                 &algorithm=SHA1&digits=6&period=30
// The label and the issuer parameter are percent-encoded (everything but
// RFC 3986's unreserved characters): names from other dialects may hold
// any character, and a ':' or '&' in them must not split the URI.
import PluginKit

public enum OTPAuthURI {
    public static func make(issuer: String, account: String, secret: [UInt8], parameters: TOTPVerifierText) -> String {
        "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))"
            + "&algorithm=\(parameters.algorithm)&digits=\(parameters.digits)&period=\(parameters.periodSeconds)"
    }

    public static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in text.utf8 {
            let unreserved = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
            if unreserved { out.append(c) } else { out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]] }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
