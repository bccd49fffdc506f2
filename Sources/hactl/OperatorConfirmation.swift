import ClusterCore
import Glibc

/// The question before a command that lifts a safety wait (`fence confirm`, `quorum unblock`),
/// as pcs asks it: from a terminal the operator types y; `--yes` skips the question. Unlike
/// `hactl fence`, a script (stdin not a terminal) must say `--yes`: a mistaken confirmation
/// can start the service twice, so it is never implied.
enum OperatorConfirmation {
    /// Returns when confirmed; throws a usage error (exit 2) without a terminal and without
    /// `--yes`, and a failure (exit 1) when the answer is not yes.
    static func require(_ question: String, command: String, yes: Bool) throws(HactlFailure) {
        if yes { return }
        guard isatty(STDIN_FILENO) == 1 else {
            throw .usage("\(command) needs a confirmation and stdin is not a terminal: add --yes to confirm (nothing was done)")
        }
        Output.write("\(question) [y/N] ", to: STDERR_FILENO)
        let answer = readLine()?.trimmingWhitespace(newlines: false).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else {
            throw .failed("\(command): not confirmed, nothing was done")
        }
    }
}
