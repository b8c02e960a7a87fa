// A QR code's modules, from libqrencode. Nothing libqrencode returns is
// trusted: a NULL result, a NULL data pointer, or a width that is not the
// one its version has (4 × version + 17) is a failure, never a read.
import CQRencode
import Glibc
import PluginKit

/// Square grid of modules; `dark(x, y)` for 0 ≤ x, y < size.
public struct QRMatrix {
    public let size: Int
    private let modules: [Bool]

    public func dark(_ x: Int, _ y: Int) -> Bool { modules[y * size + x] }

    /// `text` as a QR code of the smallest version that holds it at error
    /// correction level M (15% of the symbol may be damaged: a phone
    /// camera's glare or a scuffed screen still reads).
    public init(encoding text: String) throws(PluginError) {
        guard !text.utf8.contains(0) else { throw .invalid("a QR code's text cannot hold NUL") }
        errno = 0
        // 8-bit mode, case kept: otpauth:// URIs are case-sensitive.
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw .internal("libqrencode could not encode the text (errno \(errno))")
        }
        defer { QRcode_free(code) }
        let version = Int(code.pointee.version), width = Int(code.pointee.width)
        guard (1...40).contains(version), width == 4 * version + 17, let data = code.pointee.data else {
            throw .internal("libqrencode returned an inconsistent symbol (version \(version), width \(width))")
        }
        // Bit 0 of each byte is the module's colour; the others are
        // libqrencode's bookkeeping (function patterns, masks).
        let buffer = UnsafeBufferPointer(start: data, count: width * width)
        size = width
        modules = buffer.map { $0 & 1 == 1 }
    }
}
