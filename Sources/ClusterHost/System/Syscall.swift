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
}
