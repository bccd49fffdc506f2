/// Why a fence operation runs: automatic fencing (takeover) is subject to the
/// 2-node race rule, manual fencing (`hactl fence`) is not.
public enum FenceTrigger: String, Sendable, Equatable {
    case automatic
    case manual
}
