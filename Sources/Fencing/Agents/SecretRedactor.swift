/// Removes secrets from anything that leaves the agent runner (captured output,
/// error messages, events). Agents sometimes echo their options on stderr in
/// verbose mode; a password must never reach the journal or `hactl` through them.
public struct SecretRedactor: Sendable, Equatable {
    public static let mask = "[redacted]"

    /// Secrets shorter than this are not searched for: masking every "1" in a log
    /// would hide everything and protect nothing.
    public static let minimumLength = 3

    public let secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a secret that contains another is masked whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= Self.minimumLength })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Self.mask)
        }
        return result
    }
}
