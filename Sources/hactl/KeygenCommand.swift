import ClusterHost
import ArgumentParser
import ClusterCore
import FoundationEssentials
import SystemPackage
import Glibc

/// `hactl keygen [PATH] [--force]`: a new cluster key, 64 random bytes, mode 0600.
struct KeygenCommand: ParsableCommand {
    static let keyLength = 64

    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new cluster key (64 random bytes, mode 0600), like corosync-keygen.",
        discussion: """
            Refuses to replace an existing key unless --force: every node needs the same key, and a new key on one node cuts it off from the others. Copy it to every node (e.g. scp -p /etc/hacluster/authkey dss2:/etc/hacluster/) and restart haclusterd.

            Example: hactl keygen /etc/hacluster/authkey
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Where to write the key.") var path: String = ClusterSettings.defaultKeyFile
    @Flag(name: .long, help: "Replace an existing key file.") var force = false

    func run() throws {
        let key = try Self.randomBytes(Self.keyLength)
        try Self.write(key, to: path, replace: force)
        if global.json {
            Output.json(KeygenOutput(path: path, bytes: key.count, mode: "0600"))
        } else {
            Output.text("wrote a new \(key.count)-byte cluster key to \(path) (mode 0600); copy it to every node")
        }
    }

    static func randomBytes(_ count: Int) throws(HactlFailure) -> [UInt8] {
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .failed("cannot open /dev/urandom: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = Syscall.retryingEINTR { bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) } }
            guard n > 0 else { throw .failed("cannot read /dev/urandom: \(String(cString: strerror(errno)))") }
            filled += n
        }
        return bytes
    }

    /// Writes a temporary file (0600) next to `path`, fsyncs it, then links it into place
    /// (refusing an existing file) or renames it over the old key with `replace`.
    static func write(_ key: [UInt8], to path: String, replace: Bool) throws(HactlFailure) {
        if !replace, access(path, F_OK) == 0 {
            throw .failed("\(path) already exists; use --force to replace it (then copy the new key to every node)")
        }
        let parent = FilePath(path).removingLastComponent().string
        let directory = parent.isEmpty ? "." : parent
        var info = stat()
        if stat(directory, &info) != 0 {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
                throw .failed("cannot create \(directory): \(String(cString: strerror(errno)))")
            }
        }
        let temporary = "\(path).new-\(getpid())"
        let oldMask = umask(0o077)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        umask(oldMask)
        guard fd >= 0 else { throw .failed("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, 0o600) == 0
        ok = ok && key.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == key.count
        ok = ok && fsync(fd) == 0
        let writeError = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            throw .failed("cannot write \(temporary): \(String(cString: strerror(writeError)))")
        }
        if replace {
            guard rename(temporary, path) == 0 else {
                let code = errno
                unlink(temporary)
                throw .failed("cannot rename \(temporary) to \(path): \(String(cString: strerror(code)))")
            }
        } else {
            // link() fails if the path appeared meanwhile: never overwrite without --force.
            let linked = link(temporary, path) == 0
            let code = errno
            unlink(temporary)
            guard linked else {
                if code == EEXIST { throw .failed("\(path) already exists; use --force to replace it") }
                throw .failed("cannot create \(path): \(String(cString: strerror(code)))")
            }
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

struct KeygenOutput: Encodable {
    var path: String
    var bytes: Int
    var mode: String
}
