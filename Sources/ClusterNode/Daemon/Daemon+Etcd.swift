import ClusterCore
import ClusterHost
import Logging
import NIOCore

extension Daemon {
    /// The coordination runtime of `[cluster] backend = "etcd"`. A re-execution in place is not
    /// carried on with etcd: what a previous image handed over is dropped, so the leftover check
    /// releases whatever runs here before the node joins (as after a crash).
    func makeEtcdRuntime(
        effects: any RuntimeEffects, incarnation: Incarnation, eventLoop: any EventLoop, handover: inout DaemonHandover?
    ) throws(DaemonError) -> any CoordinationRuntime {
        guard let etcdRuntime else {
            // Unreachable: DaemonLaunch hands a configuration with backend = "etcd" over to haclusterd-etcd.
            throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.backend = \"etcd\": this executable has no etcd backend")
        }
        if handover != nil {
            logger.error("a reload in place is not carried on with the etcd backend; starting afresh (what the previous image held is released first)")
            handover = nil
        }
        do {
            return try etcdRuntime(config, node.name, effects, incarnation, eventLoop)
        } catch {
            throw .startup(component: "etcd backend", reason: "\(error)")
        }
    }
}
