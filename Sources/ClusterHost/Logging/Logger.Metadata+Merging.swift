import ClusterCore
import Logging

extension Logger.Metadata {
    /// The metadata of one log entry: the handler's own, overridden by the
    /// metadata provider's, overridden by the event's. Shared by the log handlers.
    public static func merging(handler: Logger.Metadata, provider: Logger.MetadataProvider?, event: Logger.Metadata?) -> Logger.Metadata {
        var merged = handler
        if let provided = provider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let event {
            merged.merge(event) { _, new in new }
        }
        return merged
    }
}
