/// `[etcd]` (`EtcdConfig`): decoded whenever present, required with `[cluster] backend = "etcd"`.
extension ConfigLoader {
    static let etcdEndpointExpected = "an etcd client URL: http:// or https://, a host name or IP address, and a port "
        + "(e.g. \"https://10.0.0.5:2379\")"

    static func decodeEtcd(_ document: ConfigTable, cluster: ClusterSettings?) -> EtcdConfig? {
        let backend = cluster?.backend ?? .builtin
        guard let table = document.table("etcd", expected: "a table ([etcd])") else {
            if backend == .etcd && !document.contains("etcd") {
                document.diagnostics.report(.missingKey(document.location("etcd.endpoints")))
            }
            return nil
        }
        table.rejectUnknownKeys(sectionKeys["etcd"]!)
        let diagnostics = table.diagnostics

        var endpoints: [EtcdConfig.Endpoint] = []
        var firstUse: [EtcdConfig.Endpoint: String] = [:]
        for (text, keyPath) in table.stringArray("endpoints", required: true) ?? [] {
            guard let endpoint = EtcdConfig.Endpoint.parse(text) else {
                diagnostics.report(.invalidValue(diagnostics.location(keyPath), value: text, expected: etcdEndpointExpected))
                continue
            }
            if let first = firstUse[endpoint] {
                diagnostics.report(.duplicate(diagnostics.location(keyPath), value: text, firstUse: first))
                continue
            }
            if let first = endpoints.first, first.tls != endpoint.tls {
                diagnostics.report(.invalidValue(diagnostics.location(keyPath), value: text,
                                                 expected: "the scheme of the first endpoint (\(first.tls ? "https" : "http")://): all or none use TLS"))
                continue
            }
            firstUse[endpoint] = keyPath
            endpoints.append(endpoint)
        }

        var prefix = EtcdConfig.defaultPrefix(cluster: cluster?.name ?? "")
        if let text = table.string("prefix") {
            if isValidPrefix(text) {
                prefix = text
            } else {
                diagnostics.report(.invalidValue(table.location("prefix"), value: text,
                                                 expected: "a key prefix starting with '/', without a trailing '/', spaces or control characters, "
                                                     + "at most 200 bytes (e.g. \"/haclusterd/dss\")"))
            }
        }

        var leaseTTL = EtcdConfig.defaultLeaseTTL
        if let ttl = table.duration("lease_ttl", minimum: EtcdConfig.leaseTTLRange.lowerBound, maximum: EtcdConfig.leaseTTLRange.upperBound) {
            if ttl.components.attoseconds == 0 {
                leaseTTL = ttl
            } else {
                diagnostics.report(.invalidValue(table.location("lease_ttl"), value: ttl.configString,
                                                 expected: "whole seconds (etcd's lease TTL unit), e.g. \"5s\""))
            }
        }

        let caFile = table.absolutePath("ca_file")
        let certFile = table.absolutePath("cert_file")
        let keyFile = table.absolutePath("key_file")
        if (certFile == nil) != (keyFile == nil) {
            let given = certFile == nil ? "key_file" : "cert_file"
            diagnostics.report(.inconsistent(table.location(given), .etcdCertificateWithoutKey(given: given)))
        }
        if let first = endpoints.first, !first.tls, caFile != nil || certFile != nil || keyFile != nil {
            let key = caFile != nil ? "ca_file" : certFile != nil ? "cert_file" : "key_file"
            diagnostics.report(.inconsistent(table.location(key), .etcdTLSFilesWithoutTLS(key: key)))
        }
        return EtcdConfig(endpoints: endpoints, prefix: prefix, leaseTTL: leaseTTL, caFile: caFile, certFile: certFile, keyFile: keyFile)
    }

    /// `/haclusterd/dss`: starts with '/', no trailing '/', printable ASCII without spaces.
    static func isValidPrefix(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count >= 2 && bytes.count <= 200 && bytes.first == UInt8(ascii: "/") && bytes.last != UInt8(ascii: "/")
            && bytes.allSatisfy { $0 > 32 && $0 < 127 }
    }
}
