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
        #if Etcd
        if handover != nil {
            logger.error("a reload in place is not carried on with the etcd backend; starting afresh (what the previous image held is released first)")
            handover = nil
        }
        do {
            return try EtcdRuntime(config: config, localNode: node.name, effects: effects, incarnation: incarnation, eventLoop: eventLoop)
        } catch {
            throw .startup(component: "etcd backend", reason: "\(error)")
        }
        #else
        throw .configuration(message: "\(config.sourcePath ?? "configuration"): cluster.backend = \"etcd\": this haclusterd was built without the etcd backend")
        #endif
    }
}
