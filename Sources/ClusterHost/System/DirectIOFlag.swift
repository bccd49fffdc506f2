internal import CLinux

/// O_DIRECT, from the C library's header (Swift's Glibc module does not define it).
///
/// Kept in a file of its own: when a file that imports CLinux also used `stat`, the compiler
/// attributed `struct stat` to CLinux and every other file of the target using it without
/// importing CLinux stopped compiling (MemberImportVisibility).
enum DirectIOFlag {
    static let value: Int32 = hacd_o_direct()
}
