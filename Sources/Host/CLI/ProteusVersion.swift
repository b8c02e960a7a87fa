// The host's own version, written once: `proteus --version` prints it with
// the ABI version (PROTEUS_ABI_MAJOR.MINOR) the host speaks.
enum ProteusVersion {
    static let text = "1.0.0"
}
