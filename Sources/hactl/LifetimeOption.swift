import ClusterHost
import ArgumentParser
import ClusterCore

/// `--lifetime D` of move and ban, in the spec's duration units.
struct LifetimeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Remove the constraint by itself after this long (e.g. 30min, 2h, 1d; '10m' is refused).",
        discussion: "Without it the constraint stays until `hactl clear`.",
        valueName: "duration"))
    var lifetime: String?

    func validate() throws {
        _ = try parsed()
    }

    func parsed() throws -> Duration? {
        guard let lifetime else { return nil }
        do {
            return try DurationText.parse(lifetime)
        } catch {
            throw ValidationError("--lifetime: \(error)")
        }
    }

    static func describe(_ lifetime: Duration?) -> String {
        lifetime.map { "for \(DurationText.format($0))" } ?? "until hactl clear"
    }
}
