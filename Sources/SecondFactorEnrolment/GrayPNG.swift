// A QR matrix drawn as an 8-bit grayscale PNG with libpng's simplified
// write API (png_image_write_to_memory, libpng ≥ 1.6.29). That API reports
// errors through its return value and png_image.message, so it needs none
// of libpng's setjmp/longjmp error handling, which Swift cannot use.
import CPNG
import PluginKit

public enum GrayPNG {
    /// Pixels per module: about 2 mm per module on a phone screen at the
    /// usual sizes, which phone cameras and zbarimg read at a glance.
    public static let moduleSize = 8
    /// Light modules around the symbol, the 4 the QR standard asks for:
    /// without them scanners lose the finder patterns against a dark page.
    public static let quietZone = 4

    /// The PNG file's bytes.
    public static func encode(_ matrix: QRMatrix) throws(PluginError) -> [UInt8] {
        let side = (matrix.size + 2 * quietZone) * moduleSize
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<matrix.size {
            for x in 0..<matrix.size where matrix.dark(x, y) {
                let left = (x + quietZone) * moduleSize, top = (y + quietZone) * moduleSize
                for row in top..<(top + moduleSize) {
                    let start = row * side + left
                    for i in start..<(start + moduleSize) { pixels[i] = 0 }
                }
            }
        }
        return try write(pixels, width: side, height: side)
    }

    /// `pixels` (one byte per pixel, rows top to bottom) as a PNG.
    private static func write(_ pixels: [UInt8], width: Int, height: Int) throws(PluginError) -> [UInt8] {
        guard width > 0, height > 0, pixels.count == width * height else { throw .internal("PNG: bad image dimensions") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_GRAY)
        defer { png_image_free(&image) }
        // First call: no memory, libpng only measures the file.
        var size = 0
        let measured = pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard measured != 0, size > 0, size < 64 << 20 else { throw failure(image, "measuring") }
        var file = [UInt8](repeating: 0, count: size)
        var written = size
        let ok = pixels.withUnsafeBytes { input in
            file.withUnsafeMutableBytes { output in
                png_image_write_to_memory(&image, output.baseAddress, &written, 0, input.baseAddress, 0, nil)
            }
        }
        guard ok != 0, written > 0, written <= file.count, image.warning_or_error & UInt32(PNG_IMAGE_ERROR) == 0 else {
            throw failure(image, "writing")
        }
        return Array(file.prefix(written))
    }

    /// libpng's message (a NUL-terminated char[64] inside the image), read
    /// within its bounds.
    private static func failure(_ image: png_image, _ step: String) -> PluginError {
        var message = image.message
        let text = withUnsafeBytes(of: &message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return .internal("libpng failed \(step) the QR code image: \(text.isEmpty ? "no message" : text)")
    }
}
