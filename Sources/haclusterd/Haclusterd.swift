import DaemonMain

/// The cluster daemon, one per node (`DaemonCommand`). A configuration with
/// `backend = "etcd"` is handed over to `haclusterd-etcd`.
@main
enum Haclusterd {
    static func main() async {
        await DaemonCommand.start()
    }
}
