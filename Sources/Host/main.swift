// proteus: the host executable. Everything lives in the files around this
// one (host services must not be defined here: see plugin-abi-notes.md).
import Glibc

exit(Commands.run(CommandLine.arguments))
