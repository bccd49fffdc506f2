/// Why a fence operation runs (named in the `fence.started` event): automatic
/// (takeover, `two_node` peer loss) or manual (`hactl fence`).
public enum FenceTrigger: String, Sendable, Equatable {
    case automatic
    case manual
}
