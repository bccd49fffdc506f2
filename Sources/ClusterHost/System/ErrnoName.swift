import Glibc

/// An errno as an operator reads it in a log line: the symbol and the C library's text,
/// `EIO (Input/output error)`; the number when the symbol is not one of the usual ones.
public enum ErrnoName {
    public static func describe(_ code: Int32) -> String {
        "\(symbol(code) ?? "errno \(code)") (\(String(cString: strerror(code))))"
    }

    public static func symbol(_ code: Int32) -> String? {
        switch code {
        case EPERM: "EPERM"
        case ENOENT: "ENOENT"
        case EINTR: "EINTR"
        case EIO: "EIO"
        case ENXIO: "ENXIO"
        case EBADF: "EBADF"
        case EAGAIN: "EAGAIN"
        case ENOMEM: "ENOMEM"
        case EACCES: "EACCES"
        case EBUSY: "EBUSY"
        case EEXIST: "EEXIST"
        case ENODEV: "ENODEV"
        case ENOTDIR: "ENOTDIR"
        case EISDIR: "EISDIR"
        case EINVAL: "EINVAL"
        case ENFILE: "ENFILE"
        case EMFILE: "EMFILE"
        case EFBIG: "EFBIG"
        case ENOSPC: "ENOSPC"
        case ESPIPE: "ESPIPE"
        case EROFS: "EROFS"
        case ENAMETOOLONG: "ENAMETOOLONG"
        case ENOLCK: "ENOLCK"
        case ELOOP: "ELOOP"
        case EOVERFLOW: "EOVERFLOW"
        case EOPNOTSUPP: "EOPNOTSUPP"
        case ENOTCONN: "ENOTCONN"
        case ETIMEDOUT: "ETIMEDOUT"
        case ESTALE: "ESTALE"
        case EDQUOT: "EDQUOT"
        default: nil
        }
    }
}
