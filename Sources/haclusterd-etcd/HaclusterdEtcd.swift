import DaemonMain
#if Etcd
import ClusterNodeEtcd
#endif

/// The cluster daemon with the etcd backend linked in (`[cluster] backend = "etcd"`): `haclusterd`
/// runs it in its own place (`execv`, same process) when the configuration asks for etcd. Kept
/// apart so that the built-in backend's daemon loads neither gRPC nor Foundation.
@main
enum HaclusterdEtcd {
    static func main() async {
        #if Etcd
        DaemonCommand.etcdRuntime = EtcdRuntime.factory
        #endif
        await DaemonCommand.start()
    }
}
