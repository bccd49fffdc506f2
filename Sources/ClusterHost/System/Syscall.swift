import Glibc

/// The one place where a system call interrupted by a signal (EINTR) is retried.
///
/// A call that fails with EINTR did nothing: it is started again, whatever it was waiting
/// for. Every other result goes back to the caller unchanged. Callers never spell the
/// rule themselves (`while … errno == EINTR`), so it cannot be forgotten or differ
/// between two places.
public enum Syscall {
    /// Runs `body` (one system call returning -1 and setting `errno` on failure) until it
    /// does not fail with EINTR, and returns its result. On any other failure the result is
    /// negative and `errno` still holds the call's error.
    @inline(__always)
    public static func retryingEINTR<Result: FixedWidthInteger & SignedInteger>(_ body: () -> Result) -> Result {
        while true {
            let result = body()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }

    /// Like `retryingEINTR`, but a failure throws the call's `name` and its errno.
    @inline(__always)
    public static func call<Result: FixedWidthInteger & SignedInteger>(
        _ name: String, _ body: () -> Result
    ) throws(SystemCallError) -> Result {
        let result = retryingEINTR(body)
        guard result >= 0 else { throw SystemCallError(call: name, errno: errno) }
        return result
    }

    /// Writes all of `bytes` to `descriptor` (a terminal, a pipe: stdout, stderr), unbuffered,
    /// retrying short writes. Best effort: a closed pipe or a full disk ends the output silently,
    /// as there is nowhere left to report it.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = retryingEINTR { write(descriptor, buffer.baseAddress! + offset, buffer.count - offset) }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
